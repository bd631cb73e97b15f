"""The files of a sync folder: each device's append-only event file, written and read safely.

A sync service (Syncthing, Dropbox, a network share) carries these files between machines; it
may deliver one half-written, truncated, or as a conflict copy beside the original. So:

- a device appends only to its own file, ``srs-<device>.jsonl``, one JSON event per line, and
  fsyncs before it counts the events as written; a line it left half-written (a crash) is cut
  off before its next append, so a partial line never glues onto the next event;
- a reader takes only complete lines (ending in a newline): a partial last line waits for the
  next sync. A complete line that is not an event is skipped and counted;
- a reader remembers per file how far it read (a byte offset) and a hash of the 4 KiB before
  that offset: a file that grew is read from there; a file that is shorter or whose bytes
  before the offset changed (replaced, not appended) is read again from its start (events
  are unioned by id, so reading one twice adds nothing);
- every file whose name starts with ``srs-`` and holds ``.jsonl`` or ``.sync-conflict-`` is
  read: conflict copies are unioned too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "srs-"
SUFFIX = ".jsonl"
_TAIL = 4096  # bytes before a saved offset whose hash tells an appended file from a new one
_WRITE_CHUNK = 20_000  # events per write
_PARSE_CHUNK = 1 << 20  # bytes of lines parsed at once (at least: up to a line's end)
_OWN_NAME = re.compile(r"srs-[0-9a-f]+\.jsonl")

encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def own_file(folder: Path, device: str) -> Path:
    return folder / f"{PREFIX}{device}{SUFFIX}"


def is_event_file(name: str) -> bool:
    """A device file or a sync service's copy of one (``srs-x (conflicted copy).jsonl``,
    ``srs-x.sync-conflict-20260101-101010-ABCDEFG.jsonl``)."""
    return name.startswith(PREFIX) and (SUFFIX in name or ".sync-conflict-" in name)


def is_conflict_copy(name: str) -> bool:
    return not _OWN_NAME.fullmatch(name)


def event_files(folder: Path) -> list[str]:
    """The event files in ``folder``, by name (sorted: the same order on every machine)."""
    return sorted(entry.name for entry in os.scandir(folder)
                  if is_event_file(entry.name) and entry.is_file())


def append_events(path: Path, events: Iterable[bytes]) -> tuple[int, int]:
    """Append ``events`` (each one JSON text in UTF-8, no newline) to this device's file, fsynced;
    (events written, file size after).

    A half-written last line (this device was killed while writing) is cut off first: it is
    an event not yet counted as written, so it is written again in full now.
    """
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        _cut_partial_line(fd)
        written = 0
        lines = iter(events)
        while chunk := list(itertools.islice(lines, _WRITE_CHUNK)):
            written += _write_lines(fd, chunk)
        os.fsync(fd)
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if created:
        _fsync_folder(path.parent)
    return written, size


def _write_lines(fd: int, lines: list[bytes]) -> int:
    data = b"\n".join(lines) + b"\n"
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(lines)


def _cut_partial_line(fd: int) -> None:
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    while end > 0:
        start = max(0, end - 65536)
        block = os.pread(fd, end - start, start)
        newline = block.rfind(b"\n")
        if newline >= 0:
            os.ftruncate(fd, start + newline + 1)
            return
        end = start
    os.ftruncate(fd, 0)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every system opens folders (the file itself is fsynced)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class FileRead:
    """What one read of one file found."""

    name: str
    offset: int  # where the next read starts (the end of the last complete line)
    tail_hash: str
    data: bytes = b""  # the complete lines read, parsed by ``events``
    pending_bytes: int = 0  # a partial last line, left for the next sync
    bad_lines: int = 0  # complete lines that are not events (counted by ``events``)
    reread: bool = False  # the file was replaced, not appended to: read from its start
    unchanged: bool = False

    def events(self) -> Iterator[dict[str, Any]]:
        """The events of the lines read, parsed a MiB of lines at a time: a first sync
        never holds half a million event dicts at once (each chunk's are dropped once the
        caller took them). Complete lines that are not events are counted in ``bad_lines``."""
        data = self.data
        start = 0
        while start < len(data):
            end = data.find(b"\n", start + _PARSE_CHUNK) + 1 or len(data)
            events, bad = _parse(data[start:end])
            self.bad_lines += bad
            start = end
            yield from events


def tail_hash(data: bytes) -> str:
    return hashlib.sha256(data[-_TAIL:]).hexdigest()[:32]


def read_new(path: Path, offset: int, saved_hash: str) -> FileRead:
    """The complete events of ``path`` after ``offset`` (from its start if it was replaced)."""
    name = path.name
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        reread = False
        if offset:
            start = max(0, offset - _TAIL)
            handle.seek(start)
            before = handle.read(offset - start) if size >= offset else b""
            if len(before) != offset - start or tail_hash(before) != saved_hash:
                offset, reread = 0, True
        if size == offset:
            return FileRead(name, offset, saved_hash if offset else "", unchanged=True)
        handle.seek(offset)
        data = handle.read()
    end = data.rfind(b"\n") + 1
    new_offset = offset + end
    if end:
        if end >= _TAIL or offset == 0:
            digest = tail_hash(data[:end])
        else:  # the tail reaches back before this read
            with open(path, "rb") as handle:
                start = max(0, new_offset - _TAIL)
                handle.seek(start)
                digest = tail_hash(handle.read(new_offset - start))
    else:
        digest = saved_hash if offset else ""
    return FileRead(name, new_offset, digest, data[:end] if end < len(data) else data,
                    len(data) - end, 0, reread)


def _parse(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """The events of ``data`` (complete lines) and how many lines are not events."""
    body = data[:-1] if data.endswith(b"\n") else data
    try:
        # All lines as one JSON array: one call into the C parser instead of one per line.
        parsed: list[Any] = json.loads(b"[" + body.replace(b"\n", b",") + b"]")
        if len(parsed) != body.count(b"\n") + 1:
            raise ValueError("a line holding two values")  # ("1, 2"): line by line
    except ValueError:  # a bad or blank line: line by line
        parsed = [_loads_or_none(line) for line in _lines(data)]
    events = [event for event in parsed if event.__class__ is dict
              and isinstance(event.get("dev"), str) and isinstance(event.get("seq"), int)
              and isinstance(event.get("kind"), str)]
    return events, len(parsed) - len(events)


def _loads_or_none(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _lines(data: bytes) -> Iterator[bytes]:
    for line in data.split(b"\n"):
        if line.strip():
            yield line
