"""Sessions driven through LineUI with scripted input and an injected clock (real SQLite, fsrs)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import fsrs

from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.session import SessionOptions, run_session
from srs_trainer.trainer.settings import DeckSettings, Settings
from srs_trainer.trainer.types import Memory
from srs_trainer.trainer.views import InputKind, Mode, QuestionView, SessionSummary, UserInput
from srs_trainer.tui.line_ui import LineUI
from trainer_helpers import EXACT, NOW, make_trainer


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Script:
    """stdin for LineUI: each line is typed ``seconds`` after the previous one."""

    clock: Clock
    lines: list[tuple[float, str]] = field(default_factory=list)

    def readline(self) -> str:
        if not self.lines:
            return ""
        seconds, line = self.lines.pop(0)
        self.clock.now += timedelta(seconds=seconds)
        return line + "\n"


def _session(
    trainer: Trainer,
    lines: list[tuple[float, str]],
    *,
    clock: Clock | None = None,
    options: SessionOptions | None = None,
    queue=None,
) -> tuple[SessionSummary, str, Clock]:
    """A session over scripted lines, pausing after feedback as at a terminal (the blank
    lines of the scripts are those Enter presses)."""
    clock = clock or Clock()
    out = io.StringIO()
    ui = LineUI(Script(clock, list(lines)), out, pause=True)  # type: ignore[arg-type]
    queue = queue if queue is not None else trainer.queue(clock())
    summary = run_session(trainer, ui, queue, clock, options or SessionOptions())
    return summary, out.getvalue(), clock


def _ratings(trainer: Trainer) -> list[tuple[str, int]]:
    return [(e.question_id, e.rating) for e in trainer.store.log()]


def _fsrs_after(*answers: tuple[int, datetime]) -> fsrs.Card:
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=1, due=NOW)
    for rating, at in answers:
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), at)
    return card


def test_answers_are_graded_recorded_and_scheduled_exactly(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    # c1 right in 10 s (Easy: under 15 s of 60); c2 wrong then right (Hard); p1 right in 30 s.
    summary, out, _ = _session(trainer, [(10, "a"), (0, ""), (5, "A"), (5, "2"), (0, ""),
                                         (30, "B"), (0, ""), (0, "q")])
    assert _ratings(trainer)[:3] == [("c1", 4), ("c2", 2), ("p1", 3)]
    assert "Correct: A." in out and "Not quite: 1 attempt left." in out
    assert "Rated Easy; next review" in out and "Rated Hard" in out
    card = _fsrs_after((4, NOW + timedelta(seconds=10)))
    memory = trainer.memory(("demo", "c1"))
    assert (memory.state, memory.stability, memory.due) == (int(card.state), card.stability,
                                                            card.due)
    entries = trainer.store.log()
    assert [e.duration_ms for e in entries][:3] == [10000, 10000, 30000]
    assert [e.attempts for e in entries][:3] == [1, 2, 1]
    assert [e.chosen for e in entries][:3] == ["A", "B", "B"]
    assert summary.reviewed >= 3 and summary.correct >= 3


def test_hint_slow_and_failed_answers(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    lines = [(1, "h"), (3, "a"), (0, ""),  # c1: hint, then right -> Hard
             (2, "a"), (2, "a"), (2, "c"), (0, ""),  # c2: wrong twice (a repeat is free) -> Again
             (70, "b"), (0, "")]  # p1: right but over the 60 s limit -> Hard
    _, out, _ = _session(trainer, [*lines, (0, "q")])
    assert _ratings(trainer)[:3] == [("c1", 2), ("c2", 1), ("p1", 2)]
    assert "Hint: Think of the first letter." in out
    assert "! You already tried A: pick another choice." in out
    assert "Not quite. The answer is B." in out
    assert trainer.store.log()[0].hint_used
    assert trainer.store.log()[1].chosen == "C"


def test_asking_for_a_missing_hint_costs_nothing(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    queue = trainer.section_queue("demo", "challenge")
    queue.new = queue.new[1:]  # c2 has no hint
    _, out, _ = _session(trainer, [(1, "h"), (20, "b"), (0, "")], queue=queue)
    assert "This question has no hint." in out
    assert _ratings(trainer) == [("c2", 3)] and not trainer.store.log()[0].hint_used


def test_learning_steps_come_back_in_the_same_session(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    # c1 failed at 09:00:04 (Again: back in 1 minute); c2 takes 90 s, so c1 is due again
    # before the new p1; every card then returns after its 10-minute step (learn-ahead).
    script = [(2, "b"), (2, "c"), (0, ""), (90, "b"), (0, "")] + [(20, "letter"), (0, "")] * 6
    clock = Clock()
    out = io.StringIO()
    answers = {"c1": "A", "c2": "B", "p1": "B"}

    class Answering(Script):
        def readline(self) -> str:
            line = super().readline()
            if line == "letter\n":
                # answer whatever question is on screen
                shown = out.getvalue().rsplit("] Demo deck", 1)[1]
                qid = {"First": "c1", "Secon": "c2", "A pra": "p1"}[shown.split("\n", 1)[1][:5]]
                return answers[qid] + "\n"
            return line

    ui = LineUI(Answering(clock, script), out)  # type: ignore[arg-type]
    summary = run_session(trainer, ui, trainer.queue(clock()), clock)
    order = [e.question_id for e in trainer.store.log()]
    assert order[:3] == ["c1", "c2", "c1"]
    # c2 was over its time limit (Hard: it stays on its first step), so it needs one more.
    assert order == ["c1", "c2", "c1", "p1", "c2", "c1", "p1", "c2"]
    assert [e.rating for e in trainer.store.log()] == [1, 2, 3, 3, 3, 3, 3, 3]
    assert "a little early" in out.getvalue()
    assert all(c.memory.state == 2 for c in trainer.store.cards())  # all graduated
    assert summary.reviewed == 8


def test_a_learning_card_beyond_learn_ahead_ends_the_session_with_its_time(tmp_path: Path) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=False), timezone="UTC",
                        learn_ahead_minutes=5)
    trainer = make_trainer(tmp_path, settings=settings)
    queue = trainer.section_queue("demo", "challenge")
    queue.new = queue.new[:1]
    summary, out, _ = _session(trainer, [(30, "a"), (0, "")], queue=queue)
    assert summary.reviewed == 1
    assert "Next review: in 10 minutes" in out


def test_undo_after_feedback_asks_again_and_keeps_the_log_true(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    summary, out, _ = _session(trainer, [(5, "b"), (5, "c"), (0, "u"), (30, "a"), (0, ""),
                                         (0, "q")])
    assert "Undone" in out
    assert "[1/4]" not in out  # the undone answer's learning-step return is unplanned
    assert out.count("[1/3] Demo deck") == 3  # two attempts, then asked again after undo
    rows = trainer.store.log(include_undone=True)
    assert [(e.rating, e.undone_at is not None) for e in rows] == [(1, True), (3, False)]
    card = _fsrs_after((3, NOW + timedelta(seconds=40)))
    memory = trainer.memory(("demo", "c1"))
    assert (memory.stability, memory.due) == (card.stability, card.due)
    assert summary.reviewed == 1 and summary.correct == 1
    assert trainer.doctor().mismatched == []


def test_undo_at_a_question_takes_back_the_previous_answer(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    _, out, _ = _session(trainer, [(5, "b"), (5, "c"), (0, ""), (1, "u"), (30, "a"), (0, ""),
                                   (30, "b"), (0, ""), (0, "q")])
    assert "Undone" in out and out.count("First challenge?") == 3  # 2 attempts, then again
    assert [(e.question_id, e.rating, e.undone_at is None)
            for e in trainer.store.log(include_undone=True)] == [
        ("c1", 1, False), ("c1", 3, True), ("c2", 3, True)]


def test_quit_and_end_of_input_keep_what_was_answered(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    summary, out, _ = _session(trainer, [(5, "a"), (0, ""), (3, "q")])
    assert len(trainer.store.log()) == 1 and summary.reviewed == 1
    assert "Session ended early: 1 reviewed, 1 right" in out
    assert not summary.finished
    summary, _, _ = _session(trainer, [(5, "b")])  # input ends on the feedback prompt
    assert summary.reviewed == 1 and len(trainer.store.log()) == 2


def test_quitting_a_review_says_how_many_new_questions_are_left_today(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    # One answered; quitting at the second leaves it and the third waiting.
    summary, out, _ = _session(trainer, [(5, "a"), (0, ""), (3, "q")])
    assert summary.notes == ("2 new questions are left for today.",)
    assert "2 new questions are left for today" in out
    summary, out, _ = _session(trainer, [(5, "b"), (0, ""), (5, "b"), (0, "")])
    assert summary.notes == () and "left for today" not in out  # finished: nothing left


def test_the_summary_says_whether_the_session_was_finished(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path, settings=Settings(
        defaults=DeckSettings(enable_fuzzing=False), timezone="UTC", learn_ahead_minutes=0))
    # Every question answered, then q at the last feedback: nothing was left to ask.
    summary, out, _ = _session(trainer, [(30, "a"), (0, ""), (30, "b"), (0, ""), (30, "b"),
                                         (0, "q")])
    assert summary.finished and "Session complete: 3 reviewed, 3 right" in out
    assert "Session ended early" not in out
    # Labelled like the terminal screen: never a bare "in 10 minutes" on a line of its own.
    assert "\nNext review: in 9 minutes (3 due today)\n" in out
    (tmp_path / "fresh").mkdir()
    summary, out, _ = _session(make_trainer(tmp_path / "fresh"), [(0, "q")])
    assert not summary.finished and "Session ended early: 0 reviewed" in out


def test_practice_summary_says_what_happened_and_no_schedule(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    options = SessionOptions(Mode.PRACTICE, reschedule=False, deck_ids=["demo"])
    summary, out, _ = _session(trainer, [(30, "b"), (0, "")],
                               queue=trainer.section_queue("demo", "practice"), options=options)
    assert "Session complete: 1 answered, 1 right, 0:30 spent." in out
    assert "reviewed" not in out.lower()
    # Nothing moved on the schedule: no "Next review" line pretending otherwise.
    assert summary.next_due_text == "" and "Next review" not in out
    assert "they do not move your review schedule" in out
    rescheduled = SessionOptions(Mode.PRACTICE, reschedule=True, deck_ids=["demo"])
    summary, out, _ = _session(trainer, [(30, "b"), (0, "")],
                               queue=trainer.section_queue("demo", "practice"),
                               options=rescheduled)
    assert "Next review: " in out and "do not move" not in out


MARKDOWN_DECK = """\
format: 1
id: md
title: Markdown deck
questions:
  - id: m1
    section: practice
    prompt: What does **`await`** do in *this* view?
    choices:
      - It `yields` to the loop
      - It **blocks**
    answer: A
    attempts: 1
    hint: Think of the `event loop`.
    explanation: |
      **A.** The sync `first()` raises; use the *async* one:

      ```python
      data = await MyModel.objects.afirst()
      ```
      Then it works.
    common_mistakes:
      - Believing `await` **blocks**.
    solution:
      - title: "Step 1: Read `my_view`"
        text: It is **async**.
      - title: Final Answer
        text: A
      - title: "Step 3"
        text: |
          Only a number as title.
          Second line.
"""


def test_line_mode_prints_author_markdown_as_plain_text(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path, MARKDOWN_DECK)
    options = SessionOptions(Mode.PRACTICE, reschedule=False, deck_ids=["md"])
    _, out, _ = _session(trainer, [(5, "h"), (5, "b"), (0, "")],
                         queue=trainer.section_queue("md", "practice"), options=options)
    assert "What does await do in this view?" in out
    assert "A) It yields to the loop" in out and "B) It blocks" in out
    assert "Hint: Think of the event loop." in out
    assert "  A. The sync first() raises; use the async one:" in out
    assert "\n      data = await MyModel.objects.afirst()\n  Then it works.\n" in out
    assert "  - Believing await blocks." in out
    # Every step numbered by its place, a title's own "Step 1:" dropped.
    assert "  1. Read my_view\n     It is async.\n  2. Final Answer\n     A\n" in out
    assert "  3. Only a number as title.\n     Second line.\n" in out and "Step" not in out
    for marker in ("**", "`", "*", "\x1b"):
        assert marker not in out, f"{marker!r} left in line mode:\n{out}"


def test_line_mode_shows_common_mistakes_after_a_right_answer_too(tmp_path: Path) -> None:
    """As the terminal screen does: the mistakes are worth reading whichever way it went."""
    trainer = make_trainer(tmp_path, MARKDOWN_DECK)
    options = SessionOptions(Mode.PRACTICE, reschedule=False, deck_ids=["md"])
    _, out, _ = _session(trainer, [(5, "a"), (0, "")],
                         queue=trainer.section_queue("md", "practice"), options=options)
    assert "Correct: A." in out
    assert "Common mistakes:\n  - Believing await blocks.\n" in out


def test_a_blank_answer_gets_the_keys_once(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    _, out, _ = _session(trainer, [(1, ""), (1, ""), (1, "a"), (0, "q")])
    help_line = "Type a letter (A-C) or number (1-3), h for the hint, u to undo, q to quit."
    assert f"Your answer: \n{help_line}\nYour answer: \nYour answer: a\n" in out
    assert out.count(help_line) == 1
    # A challenge answer stands: no undo to offer.
    _, out, _ = _session(trainer, [(1, ""), (1, "a"), (0, "q")],
                         queue=trainer.section_queue("demo", "challenge"),
                         options=SessionOptions(Mode.CHALLENGE, deck_ids=["demo"]))
    assert "Your answer: \nType a letter (A-C) or number (1-3), h for the hint, q to quit.\n" in out


def test_piped_answers_are_echoed_and_bad_ones_explained(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    _, out, _ = _session(trainer, [(1, "x"), (1, "4"), (1, "a"), (0, "q")])
    assert "Your answer: x\n'x' is not a choice. Type a letter (A-C) or number (1-3)," in out
    assert "Your answer: 4\n'4' is not a choice." in out
    assert "Your answer: a\nCorrect: A." in out
    # At a terminal the typing is already on screen: no echo.
    quiet = io.StringIO()
    ui = LineUI(_Terminal("a\n"), quiet)  # type: ignore[arg-type]
    view = QuestionView("Demo deck", trainer.question(("demo", "c1")), Mode.REVIEW, 1, 1, 2, 60)
    assert ui.read_input(view) == UserInput(InputKind.ANSWER, "A")
    assert quiet.getvalue() == "Your answer: "


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_self_grade_lets_the_learner_choose_the_rating(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    _session(trainer, [(5, "a"), (0, "2"), (0, ""), (0, "q")],
             options=SessionOptions(Mode.REVIEW, self_grade=True))
    assert _ratings(trainer) == [("c1", 2)]


def test_practice_shows_solutions_and_does_not_reschedule_by_default(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    queue = trainer.section_queue("demo", "practice")
    options = SessionOptions(Mode.PRACTICE, reschedule=False, deck_ids=["demo"])
    _, out, _ = _session(trainer, [(300, "b"), (0, "")], queue=queue, options=options)
    assert "Solution:" in out and "2. Pick two" in out and "Because two is right." in out
    assert "time limit" not in out  # untimed
    assert "Rated Good; the schedule is unchanged." in out
    (entry,) = trainer.store.log()
    assert (entry.mode, entry.rescheduled, entry.rating) == ("practice", False, 3)
    assert trainer.memory(("demo", "p1")) == Memory()
    queue = trainer.section_queue("demo", "practice")
    _session(trainer, [(3, "b"), (0, "")], queue=queue,
             options=SessionOptions(Mode.PRACTICE, reschedule=True, deck_ids=["demo"]))
    assert trainer.memory(("demo", "p1")).state != 0


def test_challenge_keeps_its_result_and_every_answer_is_a_review(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    options = SessionOptions(Mode.CHALLENGE, deck_ids=["demo"])
    summary, out, _ = _session(trainer, [(20, "a"), (0, ""), (40, "c"), (5, "a"), (0, "")],
                               queue=trainer.section_queue("demo", "challenge"), options=options)
    assert summary.score_text == "1/2 in 1:05"
    assert "Challenge result: 1/2 in 1:05" in out
    (result,) = trainer.store.challenge_results("demo")
    assert (result["score"], result["total"], result["elapsed_seconds"]) == (1, 2, 65.0)
    assert [(e.mode, e.rescheduled) for e in trainer.store.log()] == [("challenge", True)] * 2
    # A challenge left before the end keeps the answers but not a score.
    summary, out, _ = _session(trainer, [(20, "a"), (0, ""), (0, "q")],
                               queue=trainer.section_queue("demo", "challenge"), options=options)
    assert "not finished" in out and len(trainer.store.challenge_results("demo")) == 1
    # No score over a question never asked ("1/2" would read as one wrong answer).
    assert summary.score_text == "" and "Challenge result" not in out
    assert "Session ended early: 1 answered, 1 right" in out


def test_a_challenge_answer_cannot_be_taken_back(tmp_path: Path) -> None:
    """Undo would let a learner see the right answer, then retake the question."""
    trainer = make_trainer(tmp_path)
    options = SessionOptions(Mode.CHALLENGE, deck_ids=["demo"])
    # c1 timed out (Again), then u at its feedback and u on the next question: both refused.
    summary, out, _ = _session(trainer, [(61, "a"), (0, "u"), (1, "u"), (4, "b"), (0, "")],
                               queue=trainer.section_queue("demo", "challenge"), options=options)

    assert out.count("A challenge answer stands: there is no undo in a challenge.") == 2
    assert "[Enter] continue, q quit: " in out and "u undo" not in out
    assert summary.score_text.startswith("1/2")
    assert [(e.question_id, e.rating, e.undone_at) for e in trainer.store.log(
        include_undone=True)] == [("c1", 1, None), ("c2", 4, None)]


def test_a_challenge_answer_typed_after_the_time_limit_is_a_timeout(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    options = SessionOptions(Mode.CHALLENGE, deck_ids=["demo"])
    # c1's limit is 60 s: the right letter at 61 s counts as time up, c2 in time is right.
    summary, out, _ = _session(trainer, [(61, "a"), (0, ""), (5, "b"), (0, "")],
                               queue=trainer.section_queue("demo", "challenge"), options=options)
    assert "Time is up. The answer is A." in out
    assert _ratings(trainer) == [("c1", 1), ("c2", 4)]
    assert summary.correct == 1 and summary.score_text.startswith("1/2")
    # In a review the same late answer still counts (as Hard: over the limit).
    (tmp_path / "review").mkdir()
    trainer = make_trainer(tmp_path / "review")
    _session(trainer, [(61, "a"), (0, ""), (0, "q")])
    assert _ratings(trainer) == [("c1", 2)]


class _TimingOutUI(LineUI):
    """Stands for the terminal screen: the first read of each question times out."""

    def __init__(self, clock: Clock, lines: list[tuple[float, str]]) -> None:
        super().__init__(Script(clock, lines), io.StringIO())  # type: ignore[arg-type]
        self.clock = clock
        self.timed_out: set[int] = set()

    def read_input(self, view: QuestionView) -> UserInput:
        if view.position not in self.timed_out:
            self.timed_out.add(view.position)
            self.clock.now += timedelta(seconds=view.time_limit or 0)
            return UserInput(InputKind.TIMEOUT)
        return super().read_input(view)


def test_a_timeout_caps_review_at_hard_and_fails_a_challenge_question(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    clock = Clock()
    ui = _TimingOutUI(clock, [(1, "a"), (0, ""), (0, "q")])
    run_session(trainer, ui, trainer.queue(clock()), clock)
    assert _ratings(trainer) == [("c1", 2)]
    ui = _TimingOutUI(clock, [(0, ""), (0, "")])
    summary = run_session(trainer, ui, trainer.section_queue("demo", "challenge"), clock,
                          SessionOptions(Mode.CHALLENGE, deck_ids=["demo"]))
    assert _ratings(trainer)[1:] == [("c1", 1), ("c2", 1)]
    assert summary.correct == 0 and summary.score_text.startswith("0/2")


def test_an_earned_badge_is_celebrated_once(tmp_path: Path) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=False, mastery_days=1.0),
                        timezone="UTC")
    trainer = make_trainer(tmp_path, settings=settings)
    options = SessionOptions(Mode.CHALLENGE, deck_ids=["demo"])
    summary, out, clock = _session(trainer, [(5, "a"), (0, ""), (5, "b"), (0, "")],
                                   queue=trainer.section_queue("demo", "challenge"),
                                   options=options)
    assert summary.badges_earned == ("Demo Master",)
    assert "Badge earned: Demo Master" in out
    summary, out, _ = _session(trainer, [(5, "a"), (0, ""), (5, "b"), (0, "")], clock=clock,
                               queue=trainer.section_queue("demo", "challenge"), options=options)
    assert summary.badges_earned == () and "Badge earned" not in out
    assert trainer.store.badge("demo") is not None


def test_undoing_the_earning_answer_takes_the_badge_back_and_celebrates_once(
    tmp_path: Path,
) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=False, mastery_days=1.0),
                        timezone="UTC")
    trainer = make_trainer(tmp_path, settings=settings)
    # A review of the challenge questions (a challenge itself has no undo).
    options = SessionOptions(Mode.REVIEW, deck_ids=["demo"])
    # The second answer earns the badge; "u" after its feedback takes both back; quit.
    summary, out, clock = _session(trainer, [(5, "a"), (0, ""), (5, "b"), (0, "u"), (0, "q")],
                                   queue=trainer.section_queue("demo", "challenge"),
                                   options=options)
    assert "The badge 'Demo Master' it earned is taken back with it." in out
    assert summary.badges_earned == () and "Badge earned" not in out
    assert trainer.store.badge("demo") is None
    # Earned, undone and earned again within one session: one celebration.
    summary, out, _ = _session(trainer, [(5, "a"), (0, ""), (5, "b"), (0, "u"), (5, "b"), (0, "")],
                               clock=clock, queue=trainer.section_queue("demo", "challenge"),
                               options=options)
    assert out.count("taken back with it") == 1
    assert summary.badges_earned == ("Demo Master",)
    assert out.count("Badge earned: Demo Master") == 1
    assert trainer.store.badge("demo") is not None


def test_nothing_due_says_so(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path, settings=EXACT)
    _session(trainer, [(5, "a"), (0, ""), (5, "b"), (0, ""), (5, "b"), (0, "")] * 2)
    summary, out, _ = _session(trainer, [], clock=Clock(NOW + timedelta(hours=2)))
    assert "Nothing to review right now." in out and summary.reviewed == 0
    assert "Next review: tomorrow" in out or "Next review: in" in out
