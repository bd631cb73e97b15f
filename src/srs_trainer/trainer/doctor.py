"""`srs doctor`'s library part: check the progress database, and that every card's state
equals a replay of its review log; rebuild card state from the log when asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import replay
from .scheduling import CardKey
from .store import Store
from .types import Memory


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



# Doctor reads the whole file (integrity_check, then every log row): through a memory map
# rather than read() calls into SQLite's page cache, integrity_check of a 500 MB log costs a
# fifth less CPU. Bytes, at most; SQLite caps it at its compile-time limit (2 GB by default).
DOCTOR_MMAP_BYTES = 1 << 31


@contextmanager
def _memory_mapped(store: Store) -> Iterator[None]:
    (before,) = store.db.execute("PRAGMA mmap_size").fetchone()
    store.db.execute(f"PRAGMA mmap_size = {DOCTOR_MMAP_BYTES}")
    try:
        yield
    finally:
        store.db.execute(f"PRAGMA mmap_size = {int(before)}")


def doctor(store: Store, *, rebuild: bool = False) -> DoctorReport:
    """Check the file and that every card's state equals a replay of its log; rebuild if asked."""
    with _memory_mapped(store):
        return _doctor(store, rebuild)


def _doctor(store: Store, rebuild: bool) -> DoctorReport:
    integrity = store.integrity_check()
    report = DoctorReport(store.schema_version, integrity, 0, [])
    if integrity:
        return report
    # Checking only reads: a snapshot lets trainers go on answering during a long replay.
    with store.transaction() if rebuild else store.snapshot():
        logs = replay.read_rows(store.db, report.schema_version)
        own = store.device_id if report.schema_version >= 5 else ""
        replayer = replay.Replayer(store.scheduler_json, own_device=own)
        cards = store.cards(include_retired=True)
        report.cards_checked = len(cards)
        rebuilt: list[tuple[CardKey, Memory]] = []
        for card in cards:
            rows = replay.ordered_counting(logs.pop(card.key, ()), own)
            steps = replayer.card(card.key, replay.inputs(rows))
            for row, step in zip(rows, steps, strict=True):
                saved = row[replay.CARD_AFTER]
                if (saved is not None and row[replay.KIND] != replay.RESET
                        and not replay.saved_matches(saved, row, step)):
                    report.stale_rows.append(row[replay.ID])
            replayed = replay.memory_of(steps)
            if replayed != card.memory:
                report.mismatched.append(card.key)
                rebuilt.append((card.key, replayed))
        if rebuild:
            replay.set_memories(store.db, rebuilt)
            report.rebuilt = len(rebuilt)
    return report
