"""One asked question: each input's effect, and how the finished question grades."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from srs_trainer.deck.model import Question
from srs_trainer.deck.sources import parse_deck
from srs_trainer.trainer.asked_question import NO_UNDO_IN_CHALLENGE, AskedQuestion, Step
from srs_trainer.trainer.grading import Rating
from srs_trainer.trainer.views import InputKind, Mode, UserInput
from trainer_helpers import DECK_YAML, NOW


def _question(qid: str) -> Question:
    deck = parse_deck(DECK_YAML, "demo.yaml")
    return next(q for q in deck.questions if q.id == qid)


def _clock(*moments: datetime) -> tuple[list[datetime], Callable[[], datetime]]:
    """A clock giving ``moments`` in turn, and the list of the moments it gave."""
    given: list[datetime] = []
    queue = list(moments)

    def clock() -> datetime:
        given.append(queue.pop(0))
        return given[-1]

    return given, clock


def test_a_wrong_letter_costs_an_attempt_once_and_the_last_attempt_ends_the_question() -> None:
    asked = AskedQuestion.show(_question("c1"), Mode.REVIEW, NOW)  # answer A, 2 attempts
    assert asked.answer("b", lambda: NOW) is Step.ASK_AGAIN
    assert asked.message == "Not quite: 1 attempt left." and asked.attempts_left == 1
    assert asked.answer("B", lambda: NOW) is Step.ASK_AGAIN  # the same slip again is free
    assert asked.message.startswith("You already tried B") and asked.attempts_left == 1
    assert asked.answer("C", lambda: NOW) is Step.ANSWERED
    assert (asked.correct, asked.chosen, asked.wrong, asked.attempts_used) == (
        False, "C", ["B", "C"], 2)
    assert asked.rating(NOW + timedelta(seconds=5)) is Rating.AGAIN


def test_the_right_letter_on_the_second_attempt_counts_two_attempts() -> None:
    asked = AskedQuestion.show(_question("c1"), Mode.REVIEW, NOW)
    asked.answer("c", lambda: NOW)
    assert asked.answer("a", lambda: NOW) is Step.ANSWERED
    assert (asked.correct, asked.chosen, asked.attempts_used) == (True, "A", 2)


def test_a_hint_is_taken_only_when_there_is_one() -> None:
    with_hint = AskedQuestion.show(_question("c1"), Mode.REVIEW, NOW)
    assert with_hint.hint() is Step.ASK_AGAIN and with_hint.hint_used
    without = AskedQuestion.show(_question("c2"), Mode.REVIEW, NOW)
    assert without.hint() is Step.ASK_AGAIN and not without.hint_used
    assert without.message == "This question has no hint."


def test_undo_needs_an_answer_to_take_back_and_a_challenge_has_none() -> None:
    review = AskedQuestion.show(_question("c1"), Mode.REVIEW, NOW)
    assert review.undo(can_undo=False) is Step.ASK_AGAIN
    assert review.message == "Nothing to undo yet."
    assert review.undo(can_undo=True) is Step.UNDO
    challenge = AskedQuestion.show(_question("c1"), Mode.CHALLENGE, NOW)
    assert challenge.undo(can_undo=True) is Step.ASK_AGAIN
    assert challenge.message == NO_UNDO_IN_CHALLENGE


def test_time_running_out_ends_a_challenge_question_but_not_a_review_one() -> None:
    review = AskedQuestion.show(_question("c1"), Mode.REVIEW, NOW)
    assert review.timeout() is Step.ASK_AGAIN and review.timed_out
    assert review.message.startswith("Time is up")
    challenge = AskedQuestion.show(_question("c1"), Mode.CHALLENGE, NOW)
    assert challenge.timeout() is Step.ANSWERED and challenge.chosen is None


def test_a_late_challenge_answer_counts_as_time_out_and_only_a_challenge_reads_the_clock(
) -> None:
    given, clock = _clock(NOW + timedelta(seconds=61))
    late = AskedQuestion.show(_question("c1"), Mode.CHALLENGE, NOW)  # 60 s limit
    assert late.take(UserInput(InputKind.ANSWER, "a"), clock, can_undo=False) is Step.ANSWERED
    assert len(given) == 1 and late.timed_out and not late.correct and late.chosen is None
    assert late.rating(NOW + timedelta(seconds=61)) is Rating.AGAIN

    given, clock = _clock()  # a review reads no clock to judge an answer
    review = AskedQuestion.show(_question("c1"), Mode.REVIEW, NOW)
    assert review.take(UserInput(InputKind.ANSWER, "a"), clock, can_undo=False) is Step.ANSWERED
    assert given == [] and review.correct


def test_a_right_answer_after_the_time_ran_out_is_hard_at_best() -> None:
    asked = AskedQuestion.show(_question("c1"), Mode.REVIEW, NOW)
    asked.timeout()
    asked.answer("A", lambda: NOW)
    assert asked.correct and asked.rating(NOW + timedelta(seconds=2)) is Rating.HARD


def test_each_input_goes_to_its_method_and_clears_the_last_message() -> None:
    asked = AskedQuestion.show(_question("c2"), Mode.REVIEW, NOW)
    asked.hint()
    assert asked.message
    assert asked.take(UserInput(InputKind.CONTINUE), lambda: NOW, can_undo=False) is (
        Step.ASK_AGAIN)
    assert asked.message == ""
    assert asked.take(UserInput(InputKind.QUIT), lambda: NOW, can_undo=False) is Step.QUIT
    view = asked.view("Demo deck", 2, 3, NOW + timedelta(seconds=4))
    assert (view.position, view.total, view.elapsed, view.time_limit) == (2, 3, 4.0, 60)
    practice = AskedQuestion.show(_question("p1"), Mode.PRACTICE, NOW)
    assert practice.view("Demo deck", 1, 1, NOW).time_limit is None
