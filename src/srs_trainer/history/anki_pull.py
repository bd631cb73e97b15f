"""Which of Anki's review rows become trainer log rows, and when they count as having happened.

Anki counts days by its day boundaries (the rollover hour, 4:00 local by default); FSRS in the
trainer counts 24-hour periods from the review time. Each Anki review is therefore placed at
the start of its Anki day: replayed that way with no learning steps and no fuzz, FSRS gives
Anki's own memory state (measured: 10 of 10 cards; 0 of 10 on raw timestamps).
Rows that record no recall (manual changes, ratings of 0, filtered-deck reviews that did not
reschedule) are skipped and counted; a Forget starts the card's history again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

from .anki_collection import CollectionSnapshot

CardKey = tuple[str, str]
ORIGIN = "anki"

_LEARN, _REVIEW, _RELEARN, _FILTERED, _MANUAL, _RESCHEDULED = range(6)


class Skip(Enum):
    MANUAL = "manual changes (set due date, reschedule)"
    NO_RATING = "rows without a rating"
    FILTERED = "filtered-deck reviews that did not reschedule"
    PUSHED = "reviews pushed from the trainer"


@dataclass(frozen=True)
class PulledRow:
    """An Anki review (``rating`` 1-4) or a Forget (``rating`` None) of one of our cards."""

    key: CardKey
    revlog_id: int
    at: datetime  # the start of the review's Anki day, UTC
    rating: int | None
    duration_ms: int


@dataclass
class PullPlan:
    rows: list[PulledRow] = field(default_factory=list)
    skipped: Counter[Skip] = field(default_factory=Counter)
    matched_notes: int = 0
    #: GUIDs of notes of our note type whose question no longer exists in the sources
    orphaned: list[str] = field(default_factory=list)


def plan_pull(
    snapshot: CollectionSnapshot,
    keys_by_guid: Mapping[str, CardKey],
    anki_day_start: Callable[[datetime], datetime],
    pushed: AbstractSet[tuple[CardKey, int]] = frozenset(),
) -> PullPlan:
    """The log rows to add for our notes in ``snapshot``, in Anki's order.

    ``pushed`` holds (card, revlog id) of the trainer's own reviews (``anki_push.pushed_ids``):
    those revlog rows are the trainer's reviews pushed earlier, skipped and counted.
    """
    plan = PullPlan()
    for note in snapshot.notes:
        key = keys_by_guid.get(note.guid)
        if key is None:
            plan.orphaned.append(note.guid)
            continue
        plan.matched_notes += 1
        # Our note type has one card per note; a second card would be a template we did not
        # write, so only the first card (ord 0, lowest id) carries the question's history.
        for review in snapshot.reviews.get(note.card_ids[0], []) if note.card_ids else []:
            skip = (Skip.PUSHED if (key, review.revlog_id) in pushed
                    else _skip_reason(review.kind, review.ease, review.interval))
            if skip is not None:
                plan.skipped[skip] += 1
                continue
            moment = datetime.fromtimestamp(review.revlog_id / 1000, tz=timezone.utc)
            rating = review.ease if review.ease else None  # ease 0 left here: a Forget
            plan.rows.append(
                PulledRow(key, review.revlog_id, anki_day_start(moment), rating, review.time_ms))
    return plan


def _skip_reason(kind: int, ease: int, interval: int) -> Skip | None:
    if kind == _MANUAL and ease == 0 and interval == 0:
        return None  # Forget: the card is new again
    if kind in (_MANUAL, _RESCHEDULED):
        return Skip.MANUAL
    if ease == 0:
        return Skip.NO_RATING
    if kind == _FILTERED:
        return Skip.FILTERED
    return None
