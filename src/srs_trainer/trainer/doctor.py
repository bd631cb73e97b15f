"""`srs doctor`'s library part: check the progress database, and that every card's state
equals a replay of its review log; rebuild card state from the log when asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import scheduling
from .scheduling import CardKey
from .store import Store
from .types import LogEntry, Memory, memory_json


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



def doctor(store: Store, *, rebuild: bool = False) -> DoctorReport:
    """Check the file and that every card's state equals a replay of its log; rebuild if asked."""
    integrity = store.integrity_check()
    report = DoctorReport(store.schema_version, integrity, 0, [])
    if integrity:
        return report
    # Checking only reads: a snapshot lets trainers go on answering during a long replay.
    with store.transaction() if rebuild else store.snapshot():
        logs: dict[CardKey, list[LogEntry]] = {}
        for entry in store.log(kind=None, include_undone=True):
            logs.setdefault((entry.deck_id, entry.question_id), []).append(entry)
        cards = store.cards(include_retired=True)
        report.cards_checked = len(cards)
        for card in cards:
            replayed = Memory()
            for entry, replayed in scheduling.replay_steps(
                logs.get(card.key, ()), store.scheduler_json
            ):
                if entry.card_after is not None and entry.card_after != memory_json(replayed):
                    report.stale_rows.append(entry.id)
            if replayed != card.memory:
                report.mismatched.append(card.key)
                if rebuild:
                    store.set_memory(*card.key, replayed)
                    report.rebuilt += 1
    return report
