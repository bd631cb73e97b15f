"""FSRS-6's card update on plain floats: ``fsrs.Scheduler.review_card`` without its objects.

Why: replaying a million log rows through ``review_card`` costs about 6 s of CPU in CPython
(``bench/bench_replay.py``'s floor), most of it in building a ``Card`` copy, a ``ReviewLog`` and
keyword calls per review; this module does the same million in about 0.8 s, and the whole replay
(read, replay, check or rewrite) has a 10 s target. This module does the same arithmetic, operation
for operation (so every float comes out bit for bit the same), on a card held as plain values, with
the per-rating constants that ``review_card`` recomputes each time computed once. Interval fuzz is
still fsrs's own (``Scheduler._get_fuzzed_interval``), drawn from the generator the caller seeded.

It is used only with the fsrs release it was checked against (``VERIFIED_FSRS``): the property
test in tests/trainer/test_replay.py holds it equal to ``review_card`` in every field (state,
step, stability, difficulty, due, last review) over random histories, parameters and
settings. With any other fsrs the replay goes through ``review_card`` itself, so a new fsrs
release changes the replay exactly as it changes new answers.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import fsrs

VERIFIED_FSRS = ("6.3.2",)

LEARNING, REVIEW, RELEARNING = 1, 2, 3  # fsrs.State values
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
STABILITY_MIN = 0.001
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0

# A card as fsrs holds it: (state, step, stability, difficulty, last review); due is not needed
# to compute the next review.
DirectCard = tuple[int, int | None, float | None, float | None, datetime | None]
NEW_CARD: DirectCard = (LEARNING, 0, None, None, None)


@lru_cache(maxsize=1)
def usable() -> bool:
    """Whether the installed fsrs is one this module was proved equal to."""
    from importlib.metadata import version

    return version("fsrs") in VERIFIED_FSRS


class DirectScheduler:
    """One ``fsrs.Scheduler``'s review, done directly (see the module doc)."""

    def __init__(self, scheduler: fsrs.Scheduler) -> None:
        p = self.p = tuple(scheduler.parameters)
        self.decay = scheduler._DECAY
        self.factor = scheduler._FACTOR
        self.learning_steps = tuple(scheduler.learning_steps)
        self.relearning_steps = tuple(scheduler.relearning_steps)
        self.maximum_interval = scheduler.maximum_interval
        self.enable_fuzzing = scheduler.enable_fuzzing
        self._fuzzed = scheduler._get_fuzzed_interval
        # Indexed by rating (index 0 unused). Each is the expression review_card evaluates.
        self.initial_stability = (0.0, *(max(p[r - 1], STABILITY_MIN) for r in range(1, 5)))
        self.initial_difficulty = (0.0, *(
            min(max(p[4] - (math.e ** (p[5] * (r - 1))) + 1, MIN_DIFFICULTY), MAX_DIFFICULTY)
            for r in range(1, 5)))
        self.easy_difficulty = p[4] - (math.e ** (p[5] * (EASY - 1))) + 1  # unclamped
        self.delta_difficulty = (0.0, *(-(p[6] * (r - 3)) for r in range(1, 5)))
        self.short_term_growth = (0.0, *(math.e ** (p[17] * (r - 3 + p[18]))
                                         for r in range(1, 5)))
        self.forget_short_divisor = math.e ** (p[17] * p[18])
        self.recall_base = math.e ** (p[8])
        self.interval_factor = (scheduler.desired_retention ** (1 / self.decay)) - 1
        # The two products of _difficulty that depend on the parameters alone (each is the
        # same float whenever it is computed, so computing it once changes no result).
        self.easy_term = p[7] * self.easy_difficulty
        self.keep_weight = 1 - p[7]
        self._day_intervals: dict[int, timedelta] = {}  # timedelta(days=n) made once per n

    # --- the formulas, as review_card's helpers write them ----------------------------------

    def _difficulty(self, difficulty: float, rating: int) -> float:
        arg_2 = difficulty + (10.0 - difficulty) * self.delta_difficulty[rating] / 9.0
        value = self.easy_term + self.keep_weight * arg_2
        # min(max(value, MIN), MAX) without the calls: max(a, b) is b only when b > a,
        # min(a, b) b only when b < a (so a NaN stays a NaN, as with the builtins)
        if value < MIN_DIFFICULTY:
            value = MIN_DIFFICULTY
        return MAX_DIFFICULTY if value > MAX_DIFFICULTY else value

    def _short_term(self, stability: float, rating: int) -> float:
        growth = self.short_term_growth[rating] * (stability ** -self.p[19])
        # max(a, b) without the call: b only when b > a (a NaN stays, as with the builtin)
        if rating != AGAIN and growth < 1.0:
            growth = 1.0
        value = stability * growth
        return STABILITY_MIN if value < STABILITY_MIN else value

    def _long_term(self, difficulty: float, stability: float, elapsed_days: int | None,
                   rating: int) -> float:
        p = self.p
        # fsrs's get_card_retrievability: 0 for a card never reviewed; its max(0, elapsed)
        # is left out, as review calls this only for a card last reviewed a day or more ago
        assert elapsed_days is None or elapsed_days >= 1
        recall = (0 if elapsed_days is None
                  else (1 + self.factor * elapsed_days / stability) ** self.decay)
        if rating == AGAIN:
            long_term = (p[11] * (difficulty ** -p[12]) * (((stability + 1) ** (p[13])) - 1)
                         * (math.e ** ((1 - recall) * p[14])))
            short = stability / self.forget_short_divisor
            value = short if short < long_term else long_term  # min(long_term, short)
        else:
            value = stability * (
                1 + self.recall_base * (11 - difficulty) * (stability ** -p[9])
                * ((math.e ** ((1 - recall) * p[10])) - 1)
                * (p[15] if rating == HARD else 1) * (p[16] if rating == EASY else 1))
        return STABILITY_MIN if value < STABILITY_MIN else value  # max(value, MIN)

    def _interval(self, stability: float) -> timedelta:
        """``timedelta(days=...)`` of fsrs's ``_next_interval``."""
        days = round((stability / self.factor) * self.interval_factor)
        # min(max(days, 1), maximum) without the calls
        days = 1 if days < 1 else (self.maximum_interval if days > self.maximum_interval
                                   else days)
        found = self._day_intervals.get(days)
        if found is None:
            found = self._day_intervals[days] = timedelta(days=days)
        return found

    # --- review_card -------------------------------------------------------------------------

    def review(self, card: DirectCard, rating: int, at: datetime
               ) -> tuple[DirectCard, datetime]:
        """(the card after answering ``rating`` at ``at`` (UTC), its due time)."""
        state, step, stability, difficulty, last_review = card
        elapsed = (at - last_review).days if last_review is not None else None
        if state == REVIEW:
            assert stability is not None and difficulty is not None
            if elapsed is not None and elapsed < 1:
                stability = self._short_term(stability, rating)
            else:
                stability = self._long_term(difficulty, stability, elapsed, rating)
            difficulty = self._difficulty(difficulty, rating)
            if rating == AGAIN and self.relearning_steps:
                state, step = RELEARNING, 0
                interval = self.relearning_steps[0]
            else:
                interval = self._interval(stability)
        else:
            steps = self.learning_steps if state == LEARNING else self.relearning_steps
            assert step is not None
            if stability is None or difficulty is None:
                stability = self.initial_stability[rating]
                difficulty = self.initial_difficulty[rating]
            elif elapsed is not None and elapsed < 1:
                stability = self._short_term(stability, rating)
                difficulty = self._difficulty(difficulty, rating)
            else:
                stability = self._long_term(difficulty, stability, elapsed, rating)
                difficulty = self._difficulty(difficulty, rating)
            if not steps or (step >= len(steps) and rating != AGAIN):
                state, step = REVIEW, None
                interval = self._interval(stability)
            elif rating == AGAIN:
                step = 0
                interval = steps[0]
            elif rating == HARD:
                if step == 0 and len(steps) == 1:
                    interval = steps[0] * 1.5
                elif step == 0:
                    interval = (steps[0] + steps[1]) / 2.0
                else:
                    interval = steps[step]
            elif rating == GOOD and step + 1 != len(steps):
                step += 1
                interval = steps[step]
            else:  # Good at the last step, or Easy
                state, step = REVIEW, None
                interval = self._interval(stability)
        if self.enable_fuzzing and state == REVIEW:
            interval = self._fuzzed(interval=interval)
        return (state, step, stability, difficulty, at), at + interval
