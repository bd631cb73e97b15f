from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import fsrs
from hypothesis import given
from hypothesis import strategies as st

from srs_trainer.trainer.scheduling import (
    DoneToday,
    SessionQueue,
    build_queue,
    forgetting_curve,
    fuzz_seed,
    make_scheduler,
    replay,
    review,
    scheduler_json,
)
from srs_trainer.trainer.settings import DeckSettings
from srs_trainer.trainer.types import NEW, REVIEW, CardRow, LogEntry, Memory

UTC = timezone.utc
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
KEY = ("deck", "q1")


def _plain_fsrs(settings: DeckSettings) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=settings.desired_retention,
        learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
        relearning_steps=(timedelta(minutes=10),),
        maximum_interval=36500,
        enable_fuzzing=settings.enable_fuzzing,
    )


def _same(memory: Memory, card: fsrs.Card) -> None:
    assert memory.state == int(card.state)
    assert memory.step == card.step
    assert memory.stability == card.stability
    assert memory.difficulty == card.difficulty
    assert memory.due == card.due
    assert memory.last_review == card.last_review


SCRIPT = [(3, T0), (3, T0 + timedelta(minutes=1)), (3, T0 + timedelta(minutes=11)),
          (1, T0 + timedelta(days=3)), (3, T0 + timedelta(days=3, minutes=10)),
          (4, T0 + timedelta(days=9)), (2, T0 + timedelta(days=40))]


def test_review_equals_fsrs_scheduler_for_the_same_ratings_and_times() -> None:
    settings = DeckSettings(enable_fuzzing=False)
    ours = make_scheduler(settings)
    theirs = _plain_fsrs(settings)
    memory = Memory()
    card = fsrs.Card(card_id=1, due=T0)
    for rating, at in SCRIPT:
        memory = review(ours, KEY, memory, rating, at, 5000)
        card, _ = theirs.review_card(card, fsrs.Rating(rating), at, 5000)
        _same(memory, card)
    assert memory.reps == len(SCRIPT)
    assert memory.lapses == 1


def test_fuzzed_review_equals_fsrs_seeded_with_the_documented_seed() -> None:
    settings = DeckSettings(enable_fuzzing=True)
    ours = make_scheduler(settings)
    theirs = _plain_fsrs(settings)
    memory = Memory()
    card = fsrs.Card(card_id=1, due=T0)
    for rating, at in SCRIPT:
        memory = review(ours, KEY, memory, rating, at)
        random.seed(fuzz_seed(KEY, at))
        card, _ = theirs.review_card(card, fsrs.Rating(rating), at)
        _same(memory, card)


def test_fuzz_is_reproducible_and_leaves_the_global_generator_alone() -> None:
    scheduler = make_scheduler(DeckSettings(enable_fuzzing=True))
    graduated = review(scheduler, KEY, Memory(), 4, T0)
    later = T0 + timedelta(days=30)
    random.seed(1234)
    expected_next_random = random.random()
    random.seed(1234)
    first = review(scheduler, KEY, graduated, 3, later)
    assert random.random() == expected_next_random
    assert review(scheduler, KEY, graduated, 3, later) == first
    # Another question at the same moment gets its own fuzz (usually a different day).
    others = {review(scheduler, ("deck", f"q{i}"), graduated, 3, later).due for i in range(20)}
    assert len(others) > 1


def test_scheduler_settings_reach_fsrs() -> None:
    settings = DeckSettings(desired_retention=0.8, learning_steps=(2.0,), relearning_steps=(),
                            maximum_interval=100, enable_fuzzing=False)
    scheduler = make_scheduler(settings)
    assert scheduler.desired_retention == 0.8
    assert scheduler.learning_steps == (timedelta(minutes=2),)
    assert scheduler.relearning_steps == ()
    assert scheduler.maximum_interval == 100
    assert scheduler_json(settings) != scheduler_json(DeckSettings())


def _entry(id_: int, rating: int, at: datetime, **extra: object) -> LogEntry:
    values: dict[str, object] = {"rescheduled": True, "scheduler_id": 1, "rating": rating}
    values.update(extra)
    return LogEntry(id=id_, kind="answer", deck_id=KEY[0], question_id=KEY[1], at=at,
                    **values)  # type: ignore[arg-type]


def test_replay_skips_undone_and_practice_rows_and_restarts_at_a_reset() -> None:
    text = scheduler_json(DeckSettings(enable_fuzzing=False))
    scheduler = make_scheduler(DeckSettings(enable_fuzzing=False))
    entries = [
        _entry(1, 3, T0),
        _entry(2, 1, T0 + timedelta(minutes=1), undone_at=T0 + timedelta(minutes=2)),
        _entry(3, 1, T0 + timedelta(minutes=3), rescheduled=False, scheduler_id=None),
        _entry(4, 3, T0 + timedelta(minutes=4)),
    ]
    expected = review(scheduler, KEY, review(scheduler, KEY, Memory(), 3, T0), 3,
                      T0 + timedelta(minutes=4))
    assert replay(entries, lambda _id: text) == expected
    reset = LogEntry(id=5, kind="reset", deck_id=KEY[0], question_id=KEY[1],
                     at=T0 + timedelta(minutes=5))
    assert replay([*entries, reset], lambda _id: text) == Memory()
    after_reset = _entry(6, 4, T0 + timedelta(minutes=6))
    assert replay([*entries, reset, after_reset], lambda _id: text) == review(
        scheduler, KEY, Memory(), 4, T0 + timedelta(minutes=6)
    )


def _card(qid: str, position: int, memory: Memory | None = None, deck: str = "deck") -> CardRow:
    return CardRow(deck, qid, position, "challenge", "key", memory=memory or Memory())


def test_queue_orders_learning_due_then_most_forgotten_reviews_then_new_in_source_order() -> None:
    now = T0 + timedelta(days=30)
    recent = Memory(state=REVIEW, stability=10.0, difficulty=5.0, due=now - timedelta(hours=1),
                    last_review=now - timedelta(days=10), last_rating=3)
    overdue = Memory(state=REVIEW, stability=10.0, difficulty=5.0, due=now - timedelta(days=9),
                     last_review=now - timedelta(days=19), last_rating=3)
    learning = Memory(state=1, step=1, stability=2.0, difficulty=5.0,
                      due=now - timedelta(minutes=1), last_review=now - timedelta(minutes=11))
    later = Memory(state=1, step=1, stability=2.0, difficulty=5.0, due=now + timedelta(minutes=5),
                   last_review=now - timedelta(minutes=5))
    not_due = Memory(state=REVIEW, stability=10.0, difficulty=5.0, due=now + timedelta(days=3),
                     last_review=now - timedelta(days=7), last_rating=3)
    cards = [_card("new-b", 1), _card("recent", 2, recent), _card("new-a", 3),
             _card("overdue", 4, overdue), _card("learning", 5, learning),
             _card("later", 6, later), _card("not-due", 7, not_due)]
    queue = build_queue(cards, now, settings_for=lambda _d: DeckSettings(), done_today={},
                        tomorrow=now + timedelta(hours=12))
    order = []
    while (pick := queue.next(now)) is not None:
        order.append((pick.key[1], pick.early))
    assert order == [("learning", False), ("overdue", False), ("recent", False),
                     ("new-b", False), ("new-a", False), ("later", True)]


def test_learning_cards_come_back_when_due_and_learn_ahead_is_bounded() -> None:
    queue = SessionQueue(new=[KEY], learn_ahead=timedelta(minutes=20))
    assert queue.next(T0) is not None
    queue.push_learning(KEY, T0 + timedelta(minutes=30))
    assert queue.next(T0) is None  # 30 minutes away: beyond learn-ahead
    assert queue.next_learning_due() == T0 + timedelta(minutes=30)
    pick = queue.next(T0 + timedelta(minutes=15))
    assert pick is not None and pick.early and pick.key == KEY


def test_daily_limits_count_what_was_done_today_per_deck() -> None:
    due = Memory(state=REVIEW, stability=5.0, difficulty=5.0, due=T0 - timedelta(hours=1),
                 last_review=T0 - timedelta(days=5), last_rating=3)
    cards = [_card(f"n{i}", i) for i in range(5)] + [_card(f"r{i}", 10 + i, due) for i in range(4)]
    cards += [_card(f"o{i}", 20 + i, deck="other") for i in range(3)]
    settings = DeckSettings(new_per_day=3, reviews_per_day=3)
    queue = build_queue(cards, T0, settings_for=lambda _d: settings,
                        done_today={"deck": DoneToday(new=1, reviews=2)},
                        tomorrow=T0 + timedelta(hours=19))
    assert [k[1] for k in queue.reviews] == ["r0"]
    assert [k[1] for k in queue.new] == ["n0", "n1", "o0", "o1", "o2"]
    limited = build_queue(cards, T0, settings_for=lambda _d: settings, done_today={},
                          tomorrow=T0 + timedelta(hours=19), limit=4)
    assert len(limited.reviews) == 3 and len(limited.new) == 1
    assert NEW == 0


@given(stability=st.floats(0.01, 40_000), days=st.integers(-3, 40_000),
       retention=st.floats(0.7, 0.97))
def test_the_forgetting_curve_is_fsrs_own(stability: float, days: int, retention: float) -> None:
    scheduler = make_scheduler(DeckSettings(desired_retention=retention))
    last_review = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    card = fsrs.Card(state=fsrs.State.Review, stability=stability, difficulty=5.0,
                     last_review=last_review, due=last_review)
    now = last_review + timedelta(days=days, hours=3)

    assert forgetting_curve(scheduler)(stability, (now - last_review).days) == (
        scheduler.get_card_retrievability(card, now))
