"""`srs doctor`'s library part: check the progress database, and that every card's state
equals a replay of its review log; rebuild card state from the log when asked."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..collector import collector_paused
from . import replay
from .scheduling import CardKey
from .store import Store
from .store_rows import MEMORY_COLUMNS
from .types import maybe_time


@dataclass
class DoctorReport:
    schema_version: int
    integrity: list[str]  # empty when PRAGMA integrity_check says ok
    cards_checked: int
    mismatched: list[CardKey]
    rebuilt: int = 0
    # Log rows whose saved result differs from what a replay gives now (e.g. after an fsrs
    # upgrade changed the maths). Card state follows the replay; the rows stay as written.
    stale_rows: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.integrity and (not self.mismatched or self.rebuilt == len(self.mismatched))



# store.cards' order (position, then key), so cards are reported in the order they always were.
_CARD_MEMORIES = (f"SELECT deck_id, question_id, {', '.join(MEMORY_COLUMNS)} FROM cards"
                  " ORDER BY position, deck_id, question_id")
_TIMES = (MEMORY_COLUMNS.index("due"), MEMORY_COLUMNS.index("last_review"))
# The page cache while doctor runs: the integrity check reads every page of the file, the
# replay the log's again (SQLite's default 2 MiB re-reads each page from the disk cache, one
# system call each; 256 MiB, as `srs anki pull` and `srs sync` take, keeps most of them).
CACHE_KIB = 256 * 1024


def _stored_values(stored: tuple[Any, ...]) -> tuple[Any, ...]:
    """The fields (in order) of the memory ``store.cards`` reads from these memory columns."""
    values = list(stored)
    for index in _TIMES:
        values[index] = maybe_time(values[index])
    return tuple(values)


def doctor(store: Store, *, rebuild: bool = False) -> DoctorReport:
    """Check the file and that every card's state equals a replay of its log; rebuild if asked.

    Read through SQLite's page cache, never a memory map: doctor is the command for damaged
    files, and through a map a disk I/O error kills the process with a signal instead of
    raising an error (SQLite's mmap documentation); a map would save a fifth of the
    integrity check's CPU.
    """
    with _page_cache(store.db):
        return _doctor(store, rebuild)


def _doctor(store: Store, rebuild: bool) -> DoctorReport:
    integrity = store.integrity_check()
    report = DoctorReport(store.schema_version, integrity, 0, [])
    if integrity:
        return report
    # Checking only reads: a snapshot lets trainers go on answering during a long replay.
    with store.transaction() if rebuild else store.snapshot(), collector_paused():
        logs = replay.read_rows(store.db, report.schema_version)
        own = store.device_id if report.schema_version >= 5 else ""
        replayer = replay.Replayer(store.scheduler_json, own_device=own)
        # The cards' keys and stored memory columns as plain values (not CardRows: 100,000
        # cards' times parsed cost more than comparing the text a replay would store).
        cards = store.db.execute(_CARD_MEMORIES).fetchall()
        report.cards_checked = len(cards)
        rebuilt: list[tuple[Any, ...]] = []
        stale, mismatched = report.stale_rows, report.mismatched
        ordered, replayed_steps, stale_rows = (
            replay.ordered_counting, replayer.card_rows, replay.stale_rows)
        step_row, new_step, pop = replay.step_row, replay.NEW_STEP, logs.pop
        for card in cards:
            key, stored = card[:2], card[2:]
            rows = ordered(pop(key, ()), own)
            steps = replayed_steps(key, rows)
            stale += stale_rows(rows, steps)
            replayed = steps[-1] if steps else new_step  # (memory_of's values)
            replayed_row = step_row(replayed)
            # Equal stored text is an equal memory; other text may still read as the same
            # times (another offset), so it is compared as the store reads it (a Memory's
            # equality is its fields' tuple's).
            if replayed_row != stored and replayed != _stored_values(stored):
                mismatched.append(key)
                rebuilt.append((*replayed_row, *key))
        if rebuild:
            store.set_memory_rows(rebuilt)
            report.rebuilt = len(rebuilt)
    return report


@contextmanager
def _page_cache(db: sqlite3.Connection) -> Iterator[None]:
    (before,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(before)}")
