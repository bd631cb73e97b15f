"""How an answer becomes an FSRS rating.

The page gives each question a number of attempts (usually two), an optional hint and a time
limit. The rating follows what the learner's answer shows about their memory:

- Again: not solved (every attempt wrong, or gave up).
- Hard: solved, but on a later attempt, or after the hint, or over the time limit.
- Good: solved on the first attempt, without the hint, within the time limit.
- Easy: like Good, and fast: within 25% of the time limit and at most 20 seconds.

Untimed answers (practice) are never Easy: without a clock, speed says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

EASY_SHARE_OF_LIMIT = 0.25
EASY_MAX_SECONDS = 20.0


class Rating(IntEnum):
    """Same values as fsrs.Rating, without importing fsrs."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class Outcome:
    """What happened while the learner answered one question."""

    correct: bool
    attempts_used: int  # 1 when the first answer was right
    hint_used: bool = False
    elapsed: float = 0.0  # seconds from showing the question to the final answer
    time_limit: float | None = None  # seconds; None when untimed


def easy_threshold(time_limit: float) -> float:
    """Seconds under which a first-attempt answer counts as Easy."""
    return min(EASY_SHARE_OF_LIMIT * time_limit, EASY_MAX_SECONDS)


def grade(outcome: Outcome) -> Rating:
    if not outcome.correct:
        return Rating.AGAIN
    over_limit = outcome.time_limit is not None and outcome.elapsed > outcome.time_limit
    if outcome.attempts_used > 1 or outcome.hint_used or over_limit:
        return Rating.HARD
    if outcome.time_limit is not None and outcome.elapsed <= easy_threshold(outcome.time_limit):
        return Rating.EASY
    return Rating.GOOD
