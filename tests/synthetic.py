"""Synthetic learners for tests and benchmarks: generated decks and a fast, real history.

Not part of srs-trainer: nothing in src/ needs it. It lives with the tests (on their import
path through the root conftest); bench/bench_review.py puts this folder on its path to share it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from srs_trainer.deck.model import Choice, Deck, Question, Section
from srs_trainer.trainer import scheduling
from srs_trainer.trainer.api import answer_key
from srs_trainer.trainer.settings import DeckSettings
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import CardRow, Memory, NewAnswer


def synthetic_decks(count: int, questions_per_deck: int) -> list[Deck]:
    """Decks ``bench-deck-<n>`` of two-choice questions ``q-<n>``, even ones challenges."""
    return [
        Deck(
            id=f"bench-deck-{d}",
            title=f"Benchmark deck {d}",
            questions=tuple(
                Question(
                    id=f"q-{q}",
                    section=Section.CHALLENGE if q % 2 == 0 else Section.PRACTICE,
                    prompt=f"Question {q} of deck {d}?",
                    choices=(Choice("A", "right"), Choice("B", "wrong")),
                    answer="A",
                )
                for q in range(questions_per_deck)
            ),
        )
        for d in range(count)
    ]


def seed_history(
    store: Store,
    *,
    decks: int | Sequence[Deck],
    questions_per_deck: int = 0,
    start: datetime,
    days: int,
    settings: DeckSettings | None = None,
    rating: int = 3,
) -> tuple[int, int]:
    """Fill an empty store with cards and a realistic log, fast (for benchmarks).

    ``decks`` is a list of decks, or a count of ``synthetic_decks`` of ``questions_per_deck``.
    Each card is first answered on day ``i % days`` at 09:00 and then whenever FSRS says it
    is due, always with ``rating``, until ``start + days``. The cards match the decks (a later
    ``Trainer.sync`` with the same decks changes nothing). Returns (cards, log rows) written.
    """
    if isinstance(decks, int):
        decks = synthetic_decks(decks, questions_per_deck)
    settings = settings or DeckSettings()
    text = scheduling.scheduler_json(settings)
    scheduler = scheduling.scheduler_from_json(text)
    with store.transaction():
        scheduler_id = store.scheduler_id(text)
    end = start + timedelta(days=days)
    cards: list[CardRow] = []
    answers: list[NewAnswer] = []
    position = 0
    for deck in decks:
        for question in deck.questions:
            position += 1
            key = (deck.id, question.id)
            memory = Memory()
            at = start + timedelta(days=position % max(1, days), hours=9)
            while at < end:
                after = scheduling.review(scheduler, key, memory, rating, at, 8000)
                answers.append(
                    NewAnswer(
                        deck_id=key[0],
                        question_id=key[1],
                        at=at,
                        rating=rating,
                        duration_ms=8000,
                        attempts=1,
                        hint_used=False,
                        chosen=question.answer,
                        mode="review",
                        rescheduled=True,
                        state_before=memory.state,
                        scheduler_id=scheduler_id,
                        after=after,
                    )
                )
                memory = after
                assert memory.due is not None
                at = max(memory.due, at + timedelta(seconds=1))
            cards.append(
                CardRow(
                    deck.id,
                    question.id,
                    position,
                    question.section.value,
                    answer_key(question),
                    memory=memory,
                )
            )
    store.bulk_load(cards, answers)
    return len(cards), len(answers)
