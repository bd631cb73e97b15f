"""Adding reviews made elsewhere (Anki) to the trainer's log, and re-deriving card state.

Each added row keeps its origin and its id there (``log.origin``, ``log.origin_id``, unique
together), so pulling the same reviews twice adds nothing. The cards they touch are then
replayed over their whole log in time order (the order ``scheduling.replay_steps`` uses for
every replay: doctor and undo agree), so FSRS state, due dates, mastery and the badge count
both sources; each row's saved result is rewritten to what the replay gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..collector import collector_paused
from ..trainer import replay, scheduling
from ..trainer.settings import DeckSettings
from ..trainer.store import Store
from ..trainer.types import to_text

if TYPE_CHECKING:
    from .anki_pull import PulledRow

CardKey = tuple[str, str]


@dataclass
class MergeResult:
    added: int = 0
    already_there: int = 0
    cards_replayed: int = 0


def foreign_scheduler_json(settings: DeckSettings) -> str:
    """The scheduler Anki's reviews replay with: no learning steps, no fuzz (Anki's days)."""
    return scheduling.scheduler_json(
        replace(settings, learning_steps=(), relearning_steps=(), enable_fuzzing=False))


def merge_rows(
    store: Store, origin: str, rows: Iterable[PulledRow], scheduler_json_for: dict[str, str],
    known_cards: set[CardKey],
) -> MergeResult:
    """Add ``rows`` (of cards in ``known_cards``) and replay every card they touch.

    ``scheduler_json_for`` maps a deck id to the scheduler its foreign reviews replay with.
    """
    result = MergeResult()
    touched: set[CardKey] = set()
    with store.transaction() as db:
        scheduler_ids = {
            deck: store.scheduler_id(text) for deck, text in scheduler_json_for.items()}
        for row in rows:
            if row.key not in known_cards:
                continue
            kind = "answer" if row.rating is not None else "reset"
            cursor = db.execute(
                "INSERT OR IGNORE INTO log (kind, deck_id, question_id, at, rating, duration_ms,"
                " mode, rescheduled, scheduler_id, note, origin, origin_id)"
                " VALUES (?, ?, ?, ?, ?, ?, 'review', 1, ?, ?, ?, ?)",
                (kind, *row.key, to_text(row.at), row.rating, row.duration_ms,
                 scheduler_ids[row.key[0]] if row.rating is not None else None,
                 "" if row.rating is not None else f"{origin}: forget", origin, row.revlog_id),
            )
            if cursor.rowcount:
                result.added += 1
                touched.add(row.key)
            else:
                result.already_there += 1
        replay_cards(store, touched)
        result.cards_replayed = len(touched)
    return result


def replay_cards(store: Store, keys: Iterable[CardKey]) -> None:
    """Re-derive the cards ``keys`` from their whole logs (inside the caller's transaction):
    each answer's saved state before and result, and the card's memory."""
    keys = sorted(set(keys))
    with collector_paused():
        logs = replay.read_card_rows(store.db, store.schema_version, keys)
        own = store.device_id if store.schema_version >= 5 else ""
        replayer = replay.Replayer(store.scheduler_json, own_device=own)
        store.set_memories(
            (key, replay.rewrite(store.db, store.schema_version, replayer, key,
                                 logs.get(key, ()))) for key in keys)
