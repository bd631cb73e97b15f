from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import fsrs
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from srs_trainer.deck.sources import parse_deck
from srs_trainer.trainer.api import (
    Recorded,
    SyncReport,
    Trainer,
    TrainerError,
)
from srs_trainer.trainer.library import DeckLibrary
from srs_trainer.trainer.mastery import is_mastered
from srs_trainer.trainer.scheduling import DoneToday, build_queue, fuzz_seed, is_learning
from srs_trainer.trainer.settings import DeckSettings, Settings
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import NEW, Answer, Memory
from synthetic import seed_history, synthetic_decks
from trainer_helpers import DECK_YAML, EXACT, NOW, make_trainer


def _fsrs(enable_fuzzing: bool = False) -> fsrs.Scheduler:
    return fsrs.Scheduler(enable_fuzzing=enable_fuzzing)


def _assert_equal(memory: Memory, card: fsrs.Card) -> None:
    assert (memory.state, memory.step, memory.stability, memory.difficulty, memory.due,
            memory.last_review) == (int(card.state), card.step, card.stability, card.difficulty,
                                    card.due, card.last_review)


ANSWERS = [(3, NOW), (1, NOW + timedelta(minutes=1)), (3, NOW + timedelta(minutes=2)),
           (3, NOW + timedelta(minutes=12)), (4, NOW + timedelta(days=2)),
           (1, NOW + timedelta(days=20)), (3, NOW + timedelta(days=20, minutes=10))]


@pytest.mark.parametrize("fuzz", [False, True])
def test_stored_state_equals_fsrs_for_the_same_ratings_at_the_same_times(
    tmp_path: Path, fuzz: bool
) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=fuzz), timezone="UTC")
    trainer = make_trainer(tmp_path, settings=settings)
    scheduler = _fsrs(fuzz)
    card = fsrs.Card(card_id=7, due=NOW)
    for rating, at in ANSWERS:
        trainer.record_answer(Answer(("demo", "c1"), rating=rating, at=at, duration_ms=4000,
                                     attempts=1))
        random.seed(fuzz_seed(("demo", "c1"), at))
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), at, 4000)
        _assert_equal(trainer.memory(("demo", "c1")), card)
    log = trainer.store.card_log("demo", "c1")
    assert [(e.rating, e.at, e.duration_ms) for e in log] == [(r, t, 4000) for r, t in ANSWERS]
    assert trainer.doctor().mismatched == []


def test_every_answer_is_logged_with_what_happened(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    recorded = trainer.record_answer(Answer(("demo", "c1"), rating=2, at=NOW, duration_ms=61000,
                                            attempts=2, hint_used=True, chosen="A", mode="review"))
    (entry,) = trainer.store.log()
    assert entry.id == recorded.entry_id
    assert (entry.deck_id, entry.question_id, entry.rating, entry.duration_ms, entry.attempts,
            entry.hint_used, entry.chosen, entry.mode, entry.rescheduled, entry.state_before) == (
        "demo", "c1", 2, 61000, 2, True, "A", "review", True, NEW)
    assert entry.after == recorded.after


def test_practice_without_rescheduling_is_logged_but_moves_nothing(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    recorded = trainer.record_answer(Answer(("demo", "p1"), rating=1, at=NOW, duration_ms=1000,
                                            attempts=2, mode="practice"), reschedule=False)
    assert recorded.after == Memory() == trainer.memory(("demo", "p1"))
    (entry,) = trainer.store.log()
    assert entry.mode == "practice" and not entry.rescheduled


def test_undo_restores_the_card_by_replaying_the_log(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    key = ("demo", "c1")
    trainer.record_answer(Answer(key, rating=3, at=NOW, duration_ms=1000, attempts=1))
    before = trainer.memory(key)
    bad = trainer.record_answer(Answer(key, rating=1, at=NOW + timedelta(minutes=1),
                                       duration_ms=1000, attempts=2))
    assert trainer.memory(key) != before
    assert trainer.undo(bad.entry_id, NOW + timedelta(minutes=2)).memory == before
    assert trainer.memory(key) == before
    assert len(trainer.store.log(include_undone=True)) == 2  # the row is kept, marked undone
    with pytest.raises(TrainerError):
        trainer.undo(bad.entry_id, NOW + timedelta(minutes=3))
    assert trainer.doctor().mismatched == []


def test_doctor_finds_and_rebuilds_state_that_differs_from_the_log(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    for minutes, qid in enumerate(("c1", "c2", "p1", "c1")):
        trainer.record_answer(Answer(("demo", qid), rating=3,
                                     at=NOW + timedelta(minutes=minutes * 11), duration_ms=1000,
                                     attempts=1))
    good = {c.key: c.memory for c in trainer.store.cards()}
    with trainer.store.transaction():
        trainer.store.db.execute(
            "UPDATE cards SET stability = 99, due = NULL WHERE question_id = 'c1'"
        )
        trainer.store.db.execute("UPDATE cards SET state = 2 WHERE question_id = 'c2'")
    report = trainer.doctor()
    assert sorted(report.mismatched) == [("demo", "c1"), ("demo", "c2")] and not report.ok
    rebuilt = trainer.doctor(rebuild=True)
    assert rebuilt.rebuilt == 2 and rebuilt.ok
    assert {c.key: c.memory for c in trainer.store.cards()} == good
    assert trainer.doctor().mismatched == []
    assert trainer.doctor().stale_rows == []
    # Each answer row also saved the card it produced: doctor notices when a replay differs.
    with trainer.store.transaction():
        trainer.store.db.execute(
            "UPDATE log SET after_stability = after_stability * 2 WHERE id = 2")
    assert trainer.doctor().stale_rows == [2]


def test_changing_settings_later_does_not_change_how_past_answers_replay(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    trainer.record_answer(Answer(("demo", "c1"), rating=4, at=NOW, duration_ms=1000, attempts=1))
    trainer.settings = replace(EXACT, defaults=DeckSettings(enable_fuzzing=False,
                                                             desired_retention=0.8))
    trainer.record_answer(Answer(("demo", "c1"), rating=3, at=NOW + timedelta(days=5),
                                 duration_ms=1000, attempts=1))
    assert trainer.doctor().mismatched == []


# --- sources change ---------------------------------------------------------------------------


def _resync(trainer: Trainer, text: str, now: datetime):
    trainer.decks = DeckLibrary.of([parse_deck(text, "demo.yaml")])
    return trainer.sync(now)


def test_an_edited_question_keeps_its_history(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    trainer.record_answer(Answer(("demo", "c1"), rating=4, at=NOW, duration_ms=1000, attempts=1))
    before = trainer.memory(("demo", "c1"))
    edited = DECK_YAML.replace("First challenge?", "First challenge, reworded?").replace(
        "Think of the first letter.", "A new hint.")
    report = _resync(trainer, edited, NOW + timedelta(hours=1))
    assert report.reset == [] and report.notes() == []
    assert trainer.memory(("demo", "c1")) == before
    assert trainer.question(("demo", "c1")).prompt == "First challenge, reworded?"


def test_a_removed_question_is_retired_and_returns_with_its_history(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    trainer.record_answer(Answer(("demo", "c2"), rating=4, at=NOW, duration_ms=1000, attempts=1))
    kept = trainer.memory(("demo", "c2"))
    without = DECK_YAML.replace(
        "  - id: c2\n    section: challenge\n    prompt: Second challenge?\n"
        "    choices: [alpha, beta, gamma]\n    answer: B\n", "")
    assert "c2" not in without
    report = _resync(trainer, without, NOW + timedelta(days=1))
    assert report.retired == [("demo", "c2")]
    later = NOW + timedelta(days=30)
    queue = trainer.queue(later)
    assert ("demo", "c2") not in [*queue.reviews, *queue.new]
    assert [c.question_id for c in trainer.store.cards()] == ["c1", "p1"]
    assert trainer.progress(later)[0].total == 2
    report = _resync(trainer, DECK_YAML, NOW + timedelta(days=2))
    assert report.restored == [("demo", "c2")]
    assert trainer.memory(("demo", "c2")) == kept
    assert ("demo", "c2") in trainer.queue(later).reviews


def test_a_changed_answer_key_resets_the_card_once_and_keeps_the_old_log(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    trainer.record_answer(Answer(("demo", "c1"), rating=4, at=NOW, duration_ms=1000, attempts=1))
    rekeyed = DECK_YAML.replace("    choices: [alpha, beta, gamma]\n    answer: A",
                                "    choices: [alpha, beta, gamma]\n    answer: C")
    report = _resync(trainer, rekeyed, NOW + timedelta(days=1))
    assert report.reset == [("demo", "c1")]
    assert report.notes() == ["1 question changed its choices or answer; it starts over."]
    assert trainer.memory(("demo", "c1")) == Memory()
    assert [e.kind for e in trainer.store.card_log("demo", "c1")] == ["answer", "reset"]
    assert ("demo", "c1") in trainer.queue(NOW + timedelta(days=1)).new
    # Told once: the next sync has nothing to report, and doctor agrees with the log.
    assert _resync(trainer, rekeyed, NOW + timedelta(days=2)).notes() == []
    assert trainer.doctor().mismatched == []
    # Changed choice text counts as a changed answer too.
    reworded = rekeyed.replace(
        "[alpha, beta, gamma]\n    answer: B", "[alpha, BETA, gamma]\n    answer: B"
    )
    trainer.record_answer(Answer(("demo", "c2"), rating=3, at=NOW + timedelta(days=2),
                                 duration_ms=1, attempts=1))
    assert _resync(trainer, reworded, NOW + timedelta(days=3)).reset == [("demo", "c2")]


def test_unknown_decks_are_user_errors(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    with pytest.raises(TrainerError, match=r"unknown deck 'nope'.*demo"):
        trainer.queue(NOW, ["nope"])
    with pytest.raises(TrainerError, match="no challenge questions"):
        Trainer(trainer.store, [parse_deck(DECK_YAML.replace("section: challenge",
                                                             "section: practice"), "x.yaml")],
                EXACT).section_queue("demo", "challenge")


# --- limits, mastery, badge ----------------------------------------------------------------------


def _run_day(trainer: Trainer, now: datetime, rating: int = 3) -> list[tuple[str, datetime]]:
    """Answer today's whole queue with ``rating``; learning cards when they fall due."""
    queue = trainer.queue(now)
    answered = []
    clock = now
    while (pick := queue.next(clock)) is not None:
        if pick.due is not None and pick.due > clock:
            clock = pick.due
        recorded = trainer.record_answer(Answer(pick.key, rating=rating, at=clock,
                                                duration_ms=9000, attempts=1))
        answered.append((pick.key[1], clock))
        if is_learning(recorded.after) and recorded.after.due is not None:
            queue.push_learning(pick.key, recorded.after.due)
    return answered


def test_daily_new_limit_is_honoured_and_resets_at_the_day_boundary(tmp_path: Path) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=False, new_per_day=2),
                        timezone="UTC", day_start_hour=4)
    trainer = make_trainer(tmp_path, settings=settings)
    first = _run_day(trainer, NOW)
    assert sorted({qid for qid, _ in first}) == ["c1", "c2"]  # source order, two new
    assert trainer.queue(NOW + timedelta(hours=2)).new == []
    # 03:59 next morning is still the same learner day; 04:00 starts a new one.
    assert trainer.queue(NOW + timedelta(hours=18, minutes=59)).new == []
    assert trainer.queue(NOW + timedelta(hours=19)).new == [("demo", "p1")]


def test_three_months_of_correct_reviews_earn_the_badge_on_the_predicted_day(
    tmp_path: Path,
) -> None:
    trainer = make_trainer(tmp_path)
    # Independent prediction: plain fsrs, the same policy (new cards Good twice 10 minutes
    # apart on day 0; afterwards Good at 09:00 on every day the card falls due before the
    # next 04:00 boundary); the badge comes on the first day both challenges reach 21 days.
    scheduler = _fsrs()
    cards = {}
    predicted = None
    for day in range(92):
        morning = NOW + timedelta(days=day)
        boundary = morning + timedelta(hours=19)
        for qid in ("c1", "c2"):
            if day == 0:
                card, _ = scheduler.review_card(fsrs.Card(card_id=1, due=morning), fsrs.Rating.Good,
                                                morning)
                card, _ = scheduler.review_card(card, fsrs.Rating.Good, card.due)
                cards[qid] = card
            elif cards[qid].due < boundary:
                cards[qid], _ = scheduler.review_card(cards[qid], fsrs.Rating.Good, morning)
        if predicted is None and all(c.stability >= 21 for c in cards.values()):
            predicted = morning.date()
    assert predicted is not None

    celebrations: list[tuple[datetime, list[str]]] = []
    for day in range(92):
        morning = NOW + timedelta(days=day)
        _run_day(trainer, morning)
        mastered = [c.question_id for c in trainer.store.cards()
                    if c.section == "challenge" and is_mastered(c.memory, 21)]
        earned = trainer.store.badge("demo")
        assert (earned is not None) == (morning.date() >= predicted), (day, mastered)
        names = trainer.celebrate(morning + timedelta(hours=1))
        if names:
            celebrations.append((morning, names))
    badge = trainer.store.badge("demo")
    assert badge is not None and badge[1].date() == predicted
    assert celebrations == [(datetime.combine(predicted, NOW.timetz()), ["Demo Master"])]
    progress = trainer.progress(NOW + timedelta(days=91))[0]
    assert progress.badge_earned_at is not None and progress.badge_earned_at.date() == predicted
    assert progress.challenge_mastered == progress.challenge_total == 2
    for qid in ("c1", "c2"):
        _assert_equal(trainer.memory(("demo", qid)), cards[qid])


def test_undoing_the_answer_that_earned_the_badge_takes_it_back(tmp_path: Path) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=False, mastery_days=1.0),
                        timezone="UTC")
    trainer = make_trainer(tmp_path, settings=settings)

    def easy(qid: str, minutes: int) -> Recorded:
        return trainer.record_answer(Answer(("demo", qid), rating=4, duration_ms=1000, attempts=1,
                                            at=NOW + timedelta(minutes=minutes)))

    assert easy("c1", 0).badges_earned == ()
    earning = easy("c2", 1)
    assert earning.badges_earned == ("Demo Master",)
    undone = trainer.undo(earning.entry_id, NOW + timedelta(minutes=2))
    assert undone.badges_taken_back == ("Demo Master",)
    assert trainer.store.badge("demo") is None
    assert trainer.progress(NOW + timedelta(minutes=3))[0].badge_earned_at is None
    assert trainer.celebrate(NOW + timedelta(minutes=3)) == []  # nothing held, nothing to cheer
    # Answering again earns it again, at the new time, and it is celebrated once.
    again = easy("c2", 4)
    assert again.badges_earned == ("Demo Master",)
    held = trainer.store.badge("demo")
    assert held is not None and held[:2] == ("Demo Master", NOW + timedelta(minutes=4))
    assert trainer.celebrate(NOW + timedelta(minutes=5)) == ["Demo Master"]
    assert trainer.celebrate(NOW + timedelta(minutes=6)) == []
    # Undone and earned once more after its celebration: held again, not celebrated twice.
    assert trainer.undo(again.entry_id, NOW + timedelta(minutes=7)).badges_taken_back
    assert easy("c2", 8).badges_earned == ("Demo Master",)
    assert trainer.celebrate(NOW + timedelta(minutes=9)) == []
    assert trainer.store.badge("demo") is not None
    # Undoing an answer given after the earning keeps the badge: a lapse never takes it back,
    # and neither does taking back a lapse or an answer the badge did not depend on.
    lapse = trainer.record_answer(Answer(("demo", "c1"), rating=1, duration_ms=1000, attempts=2,
                                         at=NOW + timedelta(minutes=10)))
    assert trainer.store.badge("demo") is not None
    assert trainer.undo(lapse.entry_id, NOW + timedelta(minutes=11)).badges_taken_back == ()
    practice = easy("p1", 12)
    assert trainer.undo(practice.entry_id, NOW + timedelta(minutes=13)).badges_taken_back == ()
    assert trainer.store.badge("demo") is not None
    assert trainer.doctor().mismatched == []


def test_progress_and_stats_figures(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    first = _run_day(trainer, NOW)
    assert len(first) == 6  # three new questions, each back once after its 10-minute step
    later = NOW + timedelta(days=1, hours=1)
    progress = trainer.progress(later)[0]
    assert (progress.total, progress.reviewed, progress.mastered) == (3, 3, 0)
    assert trainer.streak(later) == 1
    assert progress.due_today == 0 and progress.due_week == 3
    assert progress.retrievability is not None and 0.8 < progress.retrievability < 1
    assert progress.badge_name == "Demo Master" and progress.badge_earned_at is None
    # Reviews on the next two days make a three-day streak, kept until a day is missed.
    for day in (1, 2):
        trainer.record_answer(Answer(("demo", "c1"), rating=3, at=NOW + timedelta(days=day),
                                     duration_ms=1, attempts=1))
    assert trainer.streak(NOW + timedelta(days=2, hours=1)) == 3
    assert trainer.streak(NOW + timedelta(days=3, hours=1)) == 3
    assert trainer.streak(NOW + timedelta(days=4, hours=1)) == 0
    assert trainer.streak(NOW + timedelta(days=2, hours=1), ["demo"]) == 3
    # Practice that moves no schedule is not a review.
    trainer.record_answer(Answer(("demo", "p1"), rating=3, at=NOW + timedelta(days=2),
                                 duration_ms=1, attempts=1, mode="practice"), reschedule=False)
    stats = trainer.stats(NOW + timedelta(days=2, hours=1), days=7)
    assert [n for _, n in stats.days][-3:] == [6, 1, 1]
    assert stats.true_retention == 1.0 and stats.retention_reviews == 2
    assert sum(n for _, n in stats.forecast) == 3
    trainer.record_answer(Answer(("demo", "c2"), rating=1, at=NOW + timedelta(days=2, hours=2),
                                 duration_ms=1, attempts=2))
    assert trainer.stats(NOW + timedelta(days=2, hours=3)).true_retention == 2 / 3



def test_streak_of_hundreds_of_days_counts_each_day(tmp_path: Path) -> None:
    # Long enough to cross every batch the days are probed in; a missed day, an undone answer
    # and a day not yet reviewed each end the count where a learner would expect.
    trainer = make_trainer(tmp_path)
    gap, undone_day, last = 10, 200, 330
    for day in range(last + 1):
        if day != gap:
            entry = trainer.record_answer(Answer(("demo", "c1"), rating=3, duration_ms=1,
                                                 attempts=1, at=NOW + timedelta(days=day)))
            if day == undone_day:
                trainer.undo(entry.entry_id, NOW + timedelta(days=day, minutes=1))
    for length in (1, 7, 8, 9, 16, 17, 64, 65, 136, 137, 189):
        assert trainer.streak(NOW + timedelta(days=gap + length, hours=1)) == length
    assert trainer.streak(NOW + timedelta(days=last, hours=1)) == last - undone_day
    # Today not reviewed yet: the streak up to yesterday still stands; a day later it is gone.
    assert trainer.streak(NOW + timedelta(days=last + 1, hours=1)) == last - undone_day
    assert trainer.streak(NOW + timedelta(days=last + 2, hours=1)) == 0


@hypothesis_settings(max_examples=25, deadline=None)
@given(
    answers=st.lists(
        st.tuples(st.integers(1, 4), st.integers(0, 60 * 24 * 40), st.booleans()),
        min_size=1, max_size=12,
    )
)
def test_any_answers_and_undos_leave_state_equal_to_fsrs_over_the_live_answers(
    answers: list[tuple[int, int, bool]],
) -> None:
    import tempfile

    settings = Settings(defaults=DeckSettings(enable_fuzzing=True), timezone="UTC")
    with tempfile.TemporaryDirectory() as folder:
        trainer = make_trainer(Path(folder), settings=settings)
        key = ("demo", "c1")
        at = NOW
        live: list[tuple[int, datetime]] = []
        for rating, gap_minutes, undo in answers:
            at += timedelta(minutes=gap_minutes, seconds=1)
            recorded = trainer.record_answer(Answer(key, rating=rating, at=at, duration_ms=1000,
                                                    attempts=1))
            if undo:
                trainer.undo(recorded.entry_id, at)
            else:
                live.append((rating, at))
        scheduler = _fsrs(enable_fuzzing=True)
        card = fsrs.Card(card_id=1, due=NOW)
        for rating, moment in live:
            random.seed(fuzz_seed(key, moment))
            card, _ = scheduler.review_card(card, fsrs.Rating(rating), moment)
        memory = trainer.memory(key)
        if live:
            _assert_equal(memory, card)
        else:
            assert memory == Memory()
        assert trainer.doctor().mismatched == []
        trainer.store.close()


# --- big learners: what a start reads and writes ----------------------------------------------


OTHER_YAML = DECK_YAML.replace("id: demo\n", "id: other\n")


def test_a_start_with_unchanged_sources_writes_nothing(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    changes = trainer.store.db.total_changes

    again = Trainer(trainer.store, [parse_deck(DECK_YAML, "demo.yaml")], EXACT)

    assert again.sync(NOW + timedelta(days=1)) == SyncReport()
    assert trainer.store.db.total_changes == changes


def test_decks_loaded_in_another_order_get_the_positions_a_fresh_sync_gives(
    tmp_path: Path,
) -> None:
    demo, other = parse_deck(DECK_YAML, "demo.yaml"), parse_deck(OTHER_YAML, "other.yaml")
    trainer = make_trainer(tmp_path)
    Trainer(trainer.store, [demo, other], EXACT).sync(NOW)
    trainer.record_answer(Answer(("other", "c1"), rating=3, at=NOW, duration_ms=1, attempts=1))

    Trainer(trainer.store, [other, demo], EXACT).sync(NOW + timedelta(hours=1))
    fresh = Store.open(tmp_path / "fresh.sqlite3")
    Trainer(fresh, [other, demo], EXACT).sync(NOW)

    def positions(store: Store) -> list[tuple[str, str, int]]:
        return [(c.deck_id, c.question_id, c.position) for c in store.cards()]

    assert positions(trainer.store) == positions(fresh)
    assert not trainer.memory(("other", "c1")).is_new  # moving kept the history


def test_a_queue_reading_only_due_and_allowed_new_cards_equals_one_over_every_card(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "big.sqlite3")
    decks = synthetic_decks(4, 60)
    seed_history(store, decks=decks[:3], start=NOW - timedelta(days=60), days=60)
    settings = Settings(defaults=DeckSettings(new_per_day=7, reviews_per_day=25),
                        timezone="UTC")
    trainer = Trainer(store, decks, settings)
    trainer.sync(NOW)
    trainer.record_answer(Answer(("bench-deck-3", "q-0"), rating=3, at=NOW, duration_ms=1,
                                 attempts=1))

    reviewed = trainer.queue(NOW).reviews[0]
    trainer.record_answer(Answer(reviewed, rating=3, at=NOW, duration_ms=1, attempts=1))
    trainer.record_answer(Answer(reviewed, rating=3, at=NOW, duration_ms=1, attempts=1))  # once
    assert trainer.done_today(NOW, list(trainer.decks)) == {
        "bench-deck-3": DoneToday(new=1, reviews=0), reviewed[0]: DoneToday(new=0, reviews=1)}

    for now in (NOW, NOW + timedelta(days=3), NOW + timedelta(days=40)):
        queue = trainer.queue(now)
        everything = build_queue(
            store.cards(), now, settings_for=trainer.deck_settings,
            done_today=trainer.done_today(now, list(trainer.decks)),
            tomorrow=trainer.tomorrow(now),
        )
        assert (queue.reviews, queue.new, queue.learning) == (
            everything.reviews, everything.new, everything.learning)
        assert queue.reviews and queue.new


def test_progress_figures_equal_fsrs_over_every_card(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "big.sqlite3")
    decks = synthetic_decks(2, 80)
    seed_history(store, decks=decks[:1], start=NOW - timedelta(days=90), days=90)
    trainer = Trainer(store, decks, EXACT)
    trainer.sync(NOW)
    now = NOW + timedelta(days=2, hours=5)

    progress = trainer.progress(now, ["bench-deck-0"])[0]

    cards = store.cards(["bench-deck-0"])
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    recall = [scheduler.get_card_retrievability(
        fsrs.Card(stability=c.memory.stability, difficulty=c.memory.difficulty,
                  state=fsrs.State(c.memory.state), last_review=c.memory.last_review,
                  due=c.memory.due), now) for c in cards]
    tomorrow = trainer.tomorrow(now)
    assert progress.retrievability == pytest.approx(sum(recall) / len(recall), rel=1e-12)
    assert progress.mastered == sum(is_mastered(c.memory, 21) for c in cards) > 0
    assert progress.due_today == sum(c.memory.due < tomorrow for c in cards) > 0
    assert progress.due_week == sum(
        c.memory.due < trainer.today_start(now) + timedelta(days=7) for c in cards)
    assert (progress.total, progress.reviewed) == (80, 80)
