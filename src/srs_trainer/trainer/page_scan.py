"""Reading table rows straight from the pages of an SQLite file, without its b-trees.

When a damaged page is an interior page of a table (or the schema page itself), SQLite cannot
reach the leaves under it, though they are intact. This pass reads every page of the file,
keeps the table leaves (page type 13) and decodes their cells into (rowid, values) following
the documented file format (https://www.sqlite.org/fileformat2.html): a cell is a payload
length and a rowid (varints), then a record of a header of serial types and the values.
Cells whose payload overflows onto other pages, and cells that do not decode, are skipped:
this is a salvage pass, and a caller decides from the values which table a row belongs to.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_TABLE_LEAF = 13
_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class PageRow:
    page: int
    rowid: int
    values: tuple[Any, ...]


class _Undecodable(Exception):
    pass


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        if at + i >= len(data):
            raise _Undecodable
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    if at + 8 >= len(data):
        raise _Undecodable
    return (value << 8) | data[at + 8], at + 9


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _value(data: bytes, at: int, serial: int) -> tuple[Any, int]:
    if serial == 0:
        return None, at
    if serial in _INT_SIZES:
        size = _INT_SIZES[serial]
        if at + size > len(data):
            raise _Undecodable
        return int.from_bytes(data[at:at + size], "big", signed=True), at + size
    if serial == 7:
        if at + 8 > len(data):
            raise _Undecodable
        return struct.unpack(">d", data[at:at + 8])[0], at + 8
    if serial in (8, 9):
        return serial - 8, at
    if serial >= 12:
        size = (serial - 12) // 2
        if at + size > len(data):
            raise _Undecodable
        raw = data[at:at + size]
        if serial % 2 == 0:
            return bytes(raw), at + size
        try:
            return raw.decode("utf-8"), at + size
        except UnicodeDecodeError:
            raise _Undecodable from None
    raise _Undecodable  # 10 and 11 are reserved


def _record(payload: bytes) -> tuple[Any, ...]:
    header_size, at = _varint(payload, 0)
    if header_size > len(payload):
        raise _Undecodable
    serials: list[int] = []
    while at < header_size:
        serial, at = _varint(payload, at)
        serials.append(serial)
    values: list[Any] = []
    at = header_size
    for serial in serials:
        value, at = _value(payload, at, serial)
        values.append(value)
    if at != len(payload):
        raise _Undecodable
    return tuple(values)


def _leaf_rows(page: bytes, number: int, usable: int) -> Iterator[PageRow]:
    start = 100 if number == 1 else 0
    if len(page) < start + 8 or page[start] != _TABLE_LEAF:
        return
    (cells,) = struct.unpack(">H", page[start + 3:start + 5])
    max_local = usable - 35
    for i in range(cells):
        pointer_at = start + 8 + 2 * i
        if pointer_at + 2 > len(page):
            return
        (offset,) = struct.unpack(">H", page[pointer_at:pointer_at + 2])
        try:
            size, at = _varint(page, offset)
            rowid, at = _varint(page, at)
            if size > max_local or at + size > len(page):
                continue  # overflows onto other pages
            values = _record(page[at:at + size])
        except _Undecodable:
            continue
        if rowid >= 1 << 63:
            rowid -= 1 << 64
        yield PageRow(number, rowid, values)


def scan_rows(data: bytes) -> Iterator[PageRow]:
    """Every decodable row of every table leaf page in the file's bytes."""
    page_size = 4096
    reserved = 0
    if data.startswith(_HEADER) and len(data) >= 100:
        (size,) = struct.unpack(">H", data[16:18])
        page_size = 65536 if size == 1 else size
        reserved = data[20]
    if page_size < 512 or page_size & (page_size - 1):
        page_size = 4096
    for index in range(len(data) // page_size):
        page = data[index * page_size:(index + 1) * page_size]
        yield from _leaf_rows(page, index + 1, page_size - reserved)
