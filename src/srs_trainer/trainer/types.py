"""The trainer's domain values: card memory, cards, log rows and answers (no database here).

Times are UTC ``datetime`` values; ``to_text`` / ``from_text`` give their stored form (fixed-width
ISO text, so text order is time order), shared by the store and JSON exports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

CardKey = tuple[str, str]  # (deck id, question id)

NEW = 0  # card state before its first review; 1-3 are fsrs.State values
LEARNING, REVIEW, RELEARNING = 1, 2, 3

ANSWER = "answer"
RESET = "reset"


def to_text(moment: datetime) -> str:
    """A UTC time as fixed-width ISO text, so text order is time order."""
    if moment.tzinfo is timezone.utc and moment.year >= 1000:
        # isoformat writes the same text for a UTC time a third as slowly as astimezone and
        # strftime (a replay stores 100,000 cards' times), but leaves out zero microseconds
        text = moment.isoformat()
        return text if len(text) == 32 else f"{text[:19]}.000000{text[19:]}"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def maybe_time(text: str | None) -> datetime | None:
    return from_text(text) if text else None


@dataclass(frozen=True)
class Memory:
    """A card's FSRS memory state (derived from the log); ``state`` 0 means new."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    last_rating: int | None = None
    reps: int = 0
    lapses: int = 0

    @property
    def is_new(self) -> bool:
        return self.state == NEW

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": to_text(self.due) if self.due else None,
            "last_review": to_text(self.last_review) if self.last_review else None,
            "last_rating": self.last_rating,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Memory:
        return cls(
            state=int(data["state"]),
            step=data.get("step"),
            stability=data.get("stability"),
            difficulty=data.get("difficulty"),
            due=maybe_time(data.get("due")),
            last_review=maybe_time(data.get("last_review")),
            last_rating=data.get("last_rating"),
            reps=int(data.get("reps", 0)),
            lapses=int(data.get("lapses", 0)),
        )


# A live card as progress figures need it, as a plain tuple (cheap for 100,000 cards):
# (section, state, stability, due, last_rating, elapsed_days, card id). ``due`` is as stored
# (UTC ISO text of fixed width, so text order is time order); ``elapsed_days`` is whole days
# from the last review to the time asked about; the card id is the question id, or
# ``QID::cN`` for a cloze deletion's card.
CardFigures = tuple[str, int, float | None, str | None, int | None, int | None, str]


@dataclass(frozen=True)
class CardRow:
    """A question the learner trains on, identified by (deck id, question id)."""

    deck_id: str
    question_id: str
    position: int  # source order across loaded decks
    section: str
    answer_key: str  # fingerprint of choices + answer; a change resets the card
    retired: bool = False
    memory: Memory = Memory()

    @property
    def key(self) -> tuple[str, str]:
        return self.deck_id, self.question_id


@dataclass(frozen=True)
class LogEntry:
    """One row of the review log."""

    id: int
    kind: str  # ANSWER or RESET
    deck_id: str
    question_id: str
    at: datetime
    rating: int | None = None
    duration_ms: int | None = None
    attempts: int | None = None
    hint_used: bool = False
    chosen: str | None = None
    mode: str = ""
    rescheduled: bool = False
    state_before: int | None = None
    scheduler_id: int | None = None
    # The card's memory after this answer as replayed (None: a reset, or an answer that did
    # not reschedule); stored in the log's ``after_*`` columns (``store_rows.RESULT_COLUMNS``).
    after: Memory | None = None
    undone_at: datetime | None = None
    note: str = ""
    origin: str = ""  # where the review was made: "" the trainer, "anki" pulled from Anki
    device: str = ""  # the device that wrote it: "" this database, else the other's id
    seq: int | None = None  # its number on that device (None here: the row's own id)

    @property
    def counts(self) -> bool:
        """Whether this row moves the card's schedule (a live, rescheduling answer or a reset)."""
        return self.undone_at is None and (self.kind == RESET or self.rescheduled)


@dataclass(frozen=True)
class NewAnswer:
    """An answer to append to the log (the id and undo mark come from the database)."""

    deck_id: str
    question_id: str
    at: datetime
    rating: int
    duration_ms: int
    attempts: int
    hint_used: bool
    chosen: str | None
    mode: str
    rescheduled: bool
    state_before: int
    scheduler_id: int | None
    after: Memory | None  # the card's memory after it (None: it did not reschedule)


@dataclass(frozen=True)
class Answer:
    """An answer the learner gave to one question, as a session hands it to the trainer."""

    key: CardKey
    rating: int  # 1-4: Again, Hard, Good, Easy
    at: datetime
    duration_ms: int
    attempts: int
    hint_used: bool = False
    chosen: str | None = None  # the letter given last (None: time ran out first)
    mode: str = "review"


@dataclass(frozen=True)
class Activity:
    """Reviews given within one minute: how many, and how many judged / passed retention."""

    minute: datetime
    answers: int
    judged: int  # scheduling answers to cards that were in the Review state
    passed: int  # ... of which rated Hard or better


def memory_json(memory: Memory) -> str:
    return json.dumps(memory.to_dict(), sort_keys=True)
