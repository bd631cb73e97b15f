"""The learner's scheduling reviews as flat columns, read in bulk for fitting FSRS.

Fitting a million reviews should cost little more than fsrs-rs's own fit, so the common case
loops in Python per card at most, never per review. The log is read in one pass over the
``log_fit`` index alone (migrations 7 and 8): its entries are the rows a history holds (scheduling
answers and resets, not undone), each card's in id order (the order they were written, which
is their replay order when none came from elsewhere), each with its code and time as SQLite
computed them when the row was written; one deck's read takes that deck's part of the index.
The columns are cut and converted with C-level ``str``/``map`` calls. Cards with a reset or
an answer without a rating are cut card by card; cards with reviews pulled from elsewhere or
rows synced from another device (whose replay order merges streams by time,
``scheduling.replay_order``) go through the definition, ``histories``, card by card.

A history is a card's answers from one reset to the next. The columns lay the histories end to
end: history ``h`` holds reviews ``starts[h]`` to ``starts[h] + lengths[h]``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate, islice
from operator import sub
from typing import TYPE_CHECKING, Any, NamedTuple

from ..collector import collector_paused
from .migrations import FIT_CODE, FIT_ROWS, FIT_TIME, UNREADABLE_TIME
from .scheduling import replay_order
from .store_rows import micros
from .types import LogEntry, from_text, to_text

if TYPE_CHECKING:
    from .store import Store

DAY_MICROSECONDS = 86_400_000_000
#: How much of the database file the bulk read maps into memory (SQLite caps it at its
#: compile-time maximum; what is beyond is read as usual).
_MMAP_BYTES = 1 << 31
#: '1'-'4' as the ratings 1-4: ratings travel from SQLite as digit text.
_DIGIT_RATINGS = bytes.maketrans(b"1234", b"\x01\x02\x03\x04")
#: The first byte of ``UNREADABLE_TIME`` (big-endian): no time SQLite reads starts with it.
_UNREADABLE_LEAD = UNREADABLE_TIME.to_bytes(8, "big", signed=True)[0]

HistoryKey = tuple[str, str, int]  # deck, question, how many resets came before
#: One history as the definition gives it: (time text, rating, whole days since the previous
#: answer; None for the first). Time text sorts as time.
History = list[tuple[str, int, "int | None"]]


class _Row(NamedTuple):
    id: int
    at: datetime
    rating: int | None
    kind: str
    origin: str
    device: str
    seq: int | None
    counts: bool


def histories(
    entries: Iterable[LogEntry], own_device: str = "",
) -> dict[HistoryKey, History]:
    """The histories of the given log rows (any order; every row of each card, undone ones
    included, for the replay order to be the replay's): the definition the fast read meets.
    Each card's scheduling rows in replay order (``scheduling.replay_order``: each device's
    rows in its own order, devices and pulled rows merged by time; ``own_device`` is this
    database's device id, which ranks its rows on equal times); a reset starts a new history."""
    by_card: dict[tuple[str, str], list[_Row]] = {}
    for e in entries:
        by_card.setdefault((e.deck_id, e.question_id), []).append(
            _Row(e.id, e.at, e.rating, e.kind, e.origin, e.device, e.seq, e.counts))
    result: dict[HistoryKey, History] = {}
    for (deck, question), rows in by_card.items():
        rows.sort(key=lambda row: row.id)
        epoch = 0
        previous: datetime | None = None
        # Merged first, then filtered, as the replay does: a row left out (an undone
        # answer) still takes its place when the streams are merged by time.
        for row in replay_order(rows, own_device):
            if not row.counts:
                continue
            if row.kind == "reset":
                epoch += 1
                previous = None
            elif row.rating is not None:
                days = None if previous is None else max(0, (row.at - previous).days)
                result.setdefault((deck, question, epoch), []).append(
                    (to_text(row.at), row.rating, days))
                previous = row.at
    return result


@dataclass(frozen=True)
class ReviewColumns:
    keys: list[HistoryKey] = field(default_factory=list)  # one per history
    lengths: list[int] = field(default_factory=list)  # reviews per history
    ratings: bytes = b""  # 1-4, one per review
    days: list[int] = field(default_factory=list)  # whole days since the previous review (0 first)
    times: list[int] = field(default_factory=list)  # microseconds since the epoch

    @property
    def starts(self) -> list[int]:
        return [0, *accumulate(self.lengths)][:-1]

    def by_history(self) -> dict[HistoryKey, list[tuple[int, int, int]]]:
        """(time, rating, days) per review of each history: for comparing two readings."""
        result = {}
        for key, start, length in zip(self.keys, self.starts, self.lengths, strict=True):
            end = start + length
            result[key] = list(zip(self.times[start:end], self.ratings[start:end],
                                   self.days[start:end], strict=True))
        return result


class _Builder:
    """Columns gathered history by history (the slow path and the definition)."""

    def __init__(self) -> None:
        self.keys: list[HistoryKey] = []
        self.lengths: list[int] = []
        self.ratings = bytearray()
        self.days: list[int] = []
        self.times: list[int] = []

    def add(self, key: HistoryKey, history: History) -> None:
        if not history:
            return
        self.keys.append(key)
        self.lengths.append(len(history))
        self.ratings.extend(rating for _, rating, _ in history)
        self.days.extend(days or 0 for _, _, days in history)
        self.times.extend(micros(from_text(text)) for text, _, _ in history)

    def extend(self, columns: ReviewColumns) -> ReviewColumns:
        """``columns`` followed by the histories added here."""
        if not self.keys:
            return columns
        return ReviewColumns(columns.keys + self.keys, columns.lengths + self.lengths,
                             columns.ratings + bytes(self.ratings), columns.days + self.days,
                             columns.times + self.times)


def columns_of(cards: Mapping[HistoryKey, History]) -> ReviewColumns:
    """The columns of histories given by the definition, in the mapping's order."""
    builder = _Builder()
    for key, history in cards.items():
        builder.add(key, history)
    return builder.extend(ReviewColumns())


def _card_rows(store: Store, deck_ids: Iterable[str] | None) -> list[tuple[Any, ...]]:
    """(deck, question, codes, times) per card with scheduling rows: ``codes`` one character
    per row in written order ('1'-'4' a rating, 'r' a reset, '-' no rating, 'p' a row pulled
    from elsewhere or synced from another device), ``times`` their microseconds since the
    epoch, 16 hex digits each (``migrations.FIT_TIME``; ``UNREADABLE_TIME`` for a time SQLite
    cannot read)."""
    where = FIT_ROWS
    params: list[Any] = []
    if deck_ids is not None:
        ids = list(deck_ids)
        where += f" AND deck_id IN ({', '.join('?' * len(ids))})"
        params.extend(ids)
    if store.schema_version >= 8:
        # One pass over the index alone: each entry holds its row's code and time, in the
        # order group_concat must see (each card's rows by id); no row of the table is read.
        return store.db.execute(
            f"SELECT deck_id, question_id, group_concat({FIT_CODE}, ''),"
            f" group_concat({FIT_TIME}, '') FROM log INDEXED BY log_fit WHERE {where}"
            " GROUP BY deck_id, question_id", params).fetchall()
    # An older schema (tests build them; migration 7's log_fit holds another time
    # expression): the index fixes the order group_concat sees, and
    # each entry's row is looked up (memory-mapped: a lookup on another page is a memory read).
    with _mapped(store):
        return store.db.execute(
            "SELECT deck_id, question_id,"
            f" group_concat(CASE {_foreign_code(store)}WHEN kind = 'reset' THEN 'r'"
            f" ELSE ifnull(rating, '-') END, ''), group_concat({FIT_TIME}, '')"
            f" FROM log INDEXED BY log_card WHERE {where} GROUP BY deck_id, question_id",
            params).fetchall()


def store_columns(store: Store, deck_ids: Iterable[str] | None = None) -> ReviewColumns:
    """The columns of the store's log: history by history what ``histories`` gives."""
    with collector_paused():
        return _store_columns(store, deck_ids)


def _store_columns(store: Store, deck_ids: Iterable[str] | None) -> ReviewColumns:
    rows = _card_rows(store, deck_ids)
    if "".join([row[2] for row in rows]).isdigit():  # no card with a reset or a foreign row
        return _plain_columns(rows)
    plain: list[tuple[Any, ...]] = []
    builder = _Builder()
    own = store.device_id if store.schema_version >= 5 else ""
    for row in rows:
        deck, question, codes, times = row
        if codes.isdigit():
            plain.append(row)
        elif "p" in codes:
            for key, history in histories(store.card_log(deck, question), own).items():
                builder.add(key, history)
        else:
            _add_with_resets(builder, deck, question, codes, _times([times], keep=True))
    return builder.extend(_plain_columns(plain))


def _foreign_code(store: Store) -> str:
    """For a schema before 7: the CASE arm that codes a row pulled from elsewhere or synced
    from another device 'p' (as ``FIT_CODE`` does). Those replay in a merged order (by time),
    not by id: a 'p' among a card's codes sends it through the definition."""
    return ("WHEN origin != '' OR device != '' THEN 'p' " if store.schema_version >= 5
            else "WHEN origin != '' THEN 'p' " if store.schema_version >= 4 else "")


@contextmanager
def _mapped(store: Store) -> Iterator[None]:
    """The database file memory-mapped for a read that looks up rows on other pages, as it
    was after."""
    db = store.db
    (mapped,) = db.execute("PRAGMA mmap_size").fetchone()
    db.execute(f"PRAGMA mmap_size = {max(mapped, _MMAP_BYTES)}").fetchall()
    try:
        yield
    finally:
        db.execute(f"PRAGMA mmap_size = {int(mapped)}").fetchall()


def _plain_columns(rows: Sequence[tuple[Any, ...]]) -> ReviewColumns:
    """One history per card, none with a reset: converted column-wise, not per review."""
    if not rows:
        return ReviewColumns()
    lengths = [len(row[2]) for row in rows]
    ratings = "".join([row[2] for row in rows]).encode("ascii").translate(_DIGIT_RATINGS)
    times = _times([row[3] for row in rows])
    keys = [(row[0], row[1], 0) for row in rows]
    return _plain_of(keys, lengths, ratings, times)


def _times(texts: list[str], *, keep: bool = False) -> list[int]:
    """The times of ``_card_rows``'s texts laid end to end, decoded in one C-level call. A
    time SQLite cannot read is left out (unless ``keep``, as ``UNREADABLE_TIME``): the
    columns then hold fewer times than ratings, which the fit reports as a time that cannot
    be read."""
    raw = bytes.fromhex("".join(texts))
    times = list(struct.unpack(f">{len(raw) // 8}q", raw))
    if not keep and _UNREADABLE_LEAD in raw[::8]:  # each time's first byte: 0.6 ms a million
        times = [time for time in times if time != UNREADABLE_TIME]
    return times


def _plain_of(keys: list[HistoryKey], lengths: list[int], ratings: bytes,
              times: list[int]) -> ReviewColumns:
    """The columns of plain histories laid end to end; days from the times, column-wise."""
    if not keys:
        return ReviewColumns()
    days = [0]
    days += map(DAY_MICROSECONDS.__rfloordiv__, map(sub, islice(times, 1, None), times))
    for start in accumulate(lengths[:-1]):
        days[start] = 0  # a history's first review follows no other
    if min(days) < 0:  # the clock went back: no negative intervals
        days = [d if d > 0 else 0 for d in days]
    return ReviewColumns(keys, lengths, ratings, days, times)


def _add_with_resets(
    builder: _Builder, deck: str, question: str, codes: str, times: Iterable[int],
) -> None:
    """A card's histories from its codes: 'r' starts a new one; '-' (no rating) is left out.
    An answer whose time SQLite cannot read keeps its rating but gives no time (as
    ``_times`` leaves it out), so that the fit reports it."""
    epoch = 0
    ratings = bytearray()
    days: list[int] = []
    moments: list[int] = []

    def close() -> None:
        if ratings:
            builder.keys.append((deck, question, epoch))
            builder.lengths.append(len(ratings))
            builder.ratings.extend(ratings)
            builder.days.extend(days)
            builder.times.extend(moments)

    for code, moment in zip(codes, times, strict=True):
        if code == "r":
            close()
            epoch += 1
            ratings, days, moments = bytearray(), [], []
        elif code != "-":
            days.append(max(0, (moment - moments[-1]) // DAY_MICROSECONDS) if moments else 0)
            ratings.append(int(code))
            if moment != UNREADABLE_TIME:
                moments.append(moment)
    close()
