"""A synthetic learner whose memory follows known FSRS parameters (not the defaults).

The trainer schedules it (its settings, an injected clock): every day it answers each due
card, passing with the probability the *true* model gives (a fixed seed). Used by the tests
of `srs optimize`, which must recover parameters close to the true ones.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import fsrs

from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.types import Answer

START = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
# The learner forgets sooner after a first sight, gains less from each success, forgets
# slower after a lapse, and along a steeper curve than FSRS's defaults assume.
TRUE_PARAMETERS = tuple(
    w * factor for w, factor in zip(
        fsrs.scheduler.DEFAULT_PARAMETERS,
        (0.3, 0.3, 0.3, 0.3) + (1,) * 4 + (0.7,) + (1,) * 2 + (1.6,) + (1,) * 8 + (2,),
        strict=True))


def learn(trainer: Trainer, days: int, seed: int = 7) -> None:
    """Answer every due card of ``trainer`` once a day for ``days`` days from START."""
    truth = fsrs.Scheduler(parameters=TRUE_PARAMETERS, learning_steps=(),
                           relearning_steps=(), enable_fuzzing=False)
    chance = random.Random(seed)
    true_cards = {card.key: fsrs.Card(card_id=n + 1, due=START)
                  for n, card in enumerate(trainer.store.cards())}
    for day in range(days):
        today = START + timedelta(days=day)
        for key, true_card in true_cards.items():
            memory = trainer.memory(key)
            if memory.due is not None and memory.due > today + timedelta(hours=12):
                continue
            if true_card.last_review is None:
                passed = chance.random() < 0.7  # a first sight: recognised or not
            else:
                passed = chance.random() < truth.get_card_retrievability(true_card, today)
            rating = 3 if passed else 1
            trainer.record_answer(Answer(key, rating, today, 5000, 1))
            true_cards[key], _ = truth.review_card(true_card, fsrs.Rating(rating), today)
