"""The session loop shared by review, practice and challenge, driving any ``SessionUI``.

The loop decides what to ask and what to record; the UI only draws and reads. Every answer is
recorded (and committed) before its feedback appears, so quitting, a closed terminal or a
killed process loses at most the question on screen. Each question on screen is an
``AskedQuestion`` (asked_question.py), which takes the learner's inputs one by one; this loop
records its answer, shows the feedback and keeps the session's counts.

Undo: ``u`` after feedback takes back that answer and asks the question again; ``u`` at a
question takes back the previous answer and asks that one again first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .api import Trainer
from .asked_question import NO_UNDO_IN_CHALLENGE, AskedQuestion, Step
from .grading import Rating
from .scheduling import CardKey, SessionQueue, describe_due, is_learning
from .types import Answer
from .views import (
    FeedbackView,
    InputKind,
    Mode,
    SessionSummary,
    SessionUI,
)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SessionOptions:
    mode: Mode = Mode.REVIEW
    self_grade: bool = False
    reschedule: bool = True  # practice may log answers without moving the schedule
    deck_ids: Sequence[str] | None = None  # for the summary's "next review" figure


@dataclass
class _Answered:
    entry_id: int
    key: CardKey
    correct: bool
    requeued: bool = False  # put back for a learning step (one more question planned)


@dataclass
class _State:
    position: int = 0
    total: int = 0
    reviewed: int = 0
    correct: int = 0
    history: list[_Answered] = field(default_factory=list)
    quit: bool = False


def run_session(
    trainer: Trainer,
    ui: SessionUI,
    queue: SessionQueue,
    clock: Clock,
    options: SessionOptions = SessionOptions(),
    notes: Sequence[str] = (),
) -> SessionSummary:
    """Ask questions from ``queue`` until it is empty or the learner quits; return the summary."""
    session = _Session(trainer, ui, queue, clock, options)
    started = clock()
    for note in notes:
        ui.show_message(note)
    if not len(queue):
        ui.show_message("Nothing to review right now.")
    session.run()
    finished = clock()
    state = session.state
    if options.mode is Mode.CHALLENGE and state.reviewed == state.total and options.deck_ids:
        trainer.save_challenge_result(
            options.deck_ids[0],
            started_at=started,
            finished_at=finished,
            score=state.correct,
            total=state.total,
        )
    badges = tuple(trainer.celebrate(finished))
    summary = _summary(trainer, options, state, started, finished, queue, badges)
    ui.show_summary(summary)
    return summary


@dataclass
class _Session:
    """The loop's parts and state: what each asked question reads and changes."""

    trainer: Trainer
    ui: SessionUI
    queue: SessionQueue
    clock: Clock
    options: SessionOptions
    state: _State = field(default_factory=_State)

    def __post_init__(self) -> None:
        self.state.total = len(self.queue)

    def run(self) -> None:
        while not self.state.quit:
            now = self.clock()
            pick = self.queue.next(now)
            if pick is None:
                return
            if pick.early and pick.due is not None:
                wait = describe_due(pick.due, now, self.trainer.tomorrow(now))
                self.ui.show_message(
                    f"Nothing else is due: here is a question from its learning steps, due {wait},"
                    " a little early."
                )
            self.ask(pick.key)

    def ask(self, key: CardKey) -> None:
        """Ask one question to its end: answered (and recorded), undone, or quit."""
        state = self.state
        question, number = self.trainer.card(key)
        asked = AskedQuestion.show(question, self.options.mode, self.clock(), number)
        deck_title = self.trainer.deck_title(key[0])
        state.position += 1
        while True:
            view = asked.view(deck_title, state.position, max(state.total, state.position),
                              self.clock())
            self.ui.show_question(view)
            step = asked.take(self.ui.read_input(view), self.clock, can_undo=bool(state.history))
            if step is Step.ANSWERED:
                break
            if step is Step.ASK_AGAIN:
                continue
            # Not answered: the question waits at the front (the summary counts it).
            state.position -= 1
            self.queue.push_front(key)
            if step is Step.QUIT:
                state.quit = True
            else:
                self.undo_last()
            return
        self.record(key, asked)

    def record(self, key: CardKey, asked: AskedQuestion) -> None:
        """Grade and save the answer, then show its feedback and act on the reply."""
        options, state = self.options, self.state
        answered_at = self.clock()
        elapsed = asked.elapsed(answered_at)
        rating = asked.rating(answered_at)
        if options.self_grade and not asked.self_rated:  # a self-rated card is rated already
            rating = Rating(self.ui.ask_self_grade(_feedback(asked, options, rating, "", elapsed)))
        answer = Answer(key, rating=int(rating), at=answered_at, duration_ms=round(elapsed * 1000),
                        attempts=asked.attempts_used, hint_used=asked.hint_used,
                        chosen=asked.chosen if asked.typed is None else asked.typed,
                        mode=options.mode.value)
        recorded = self.trainer.record_answer(answer, reschedule=options.reschedule)
        state.reviewed += 1
        state.correct += asked.correct
        answered = _Answered(recorded.entry_id, key, asked.correct)
        state.history.append(answered)
        due_text = ""
        if recorded.rescheduled:
            due_text = describe_due(
                recorded.after.due, answered_at, self.trainer.tomorrow(answered_at))
            if options.mode is Mode.REVIEW and is_learning(recorded.after) and recorded.after.due:
                self.queue.push_learning(key, recorded.after.due)
                answered.requeued = True
                state.total += 1
        reply = self.ui.show_feedback(_feedback(asked, options, rating, due_text, elapsed))
        if reply.kind is InputKind.QUIT:
            state.quit = True
        elif reply.kind is InputKind.UNDO and options.mode is Mode.CHALLENGE:
            self.ui.show_message(NO_UNDO_IN_CHALLENGE)
        elif reply.kind is InputKind.UNDO:
            self.undo_last()

    def undo_last(self) -> None:
        """Take back the last answer of this session and put its question first in the queue."""
        state = self.state
        last = state.history.pop()
        undone = self.trainer.undo(last.entry_id, self.clock())
        state.reviewed -= 1
        state.correct -= last.correct
        state.position -= 1
        state.total -= last.requeued
        self.queue.push_front(last.key)
        self.ui.show_message("Undone: that answer is taken back; here is the question again.")
        for name in undone.badges_taken_back:
            self.ui.show_message(f"The badge '{name}' it earned is taken back with it.")


def _feedback(
    asked: AskedQuestion, options: SessionOptions, rating: Rating, due_text: str, elapsed: float
) -> FeedbackView:
    return FeedbackView(
        question=asked.question,
        mode=options.mode,
        chosen=asked.chosen,
        correct=asked.correct,
        rating=Rating(rating).label,
        next_due_text=due_text,
        show_solution=options.mode is Mode.PRACTICE,
        elapsed=elapsed,
        cloze=asked.number,
        typed=asked.typed,
        hint_shown=asked.hint_used,
    )


def _summary(
    trainer: Trainer,
    options: SessionOptions,
    state: _State,
    started: datetime,
    finished: datetime,
    queue: SessionQueue,
    badges_earned: tuple[str, ...],
) -> SessionSummary:
    """The session's figures and notes (the challenge result is saved, badges are celebrated
    before: this only reads)."""
    elapsed = (finished - started).total_seconds()
    score_text = ""
    summary_notes: list[str] = []
    if options.mode is Mode.REVIEW and state.quit:
        # "Next review" below counts cards already studied; left unsaid, the new questions
        # still waiting today would look like "done until next week".
        new_left = sum(trainer.memory(key).is_new for key in [*queue.front, *queue.new])
        if new_left:
            summary_notes.append(
                f"{new_left} new question{'s are' if new_left != 1 else ' is'} left for today."
            )
    if options.mode is Mode.CHALLENGE:
        minutes, seconds = divmod(round(elapsed), 60)
        if state.reviewed < state.total:
            # A score over questions never asked would read as failed ones: none is shown.
            summary_notes.append(
                "Challenge not finished: no score is kept (your answers are)."
            )
        else:
            score_text = f"{state.correct}/{state.total} in {minutes}:{seconds:02d}"
    if options.reschedule:
        next_text = _next_review_text(trainer, finished, options.deck_ids)
    else:  # practice answers are logged only: the schedule is as it was, so say nothing of it
        next_text = ""
        if state.reviewed:
            summary_notes.append(
                "Practice answers are saved; they do not move your review schedule"
                " (srs practice --reschedule does)."
            )
    return SessionSummary(
        mode=options.mode,
        reviewed=state.reviewed,
        correct=state.correct,
        elapsed=elapsed,
        next_due_text=next_text,
        badges_earned=badges_earned,
        score_text=score_text,
        notes=tuple(summary_notes),
        finished=not state.quit or _nothing_left(queue, finished),
    )


def _next_review_text(
    trainer: Trainer, now: datetime, deck_ids: Sequence[str] | None
) -> str:
    """'in 5 minutes (1 due today)', bare: each UI writes it after its 'Next review: '."""
    due_today, next_due = trainer.due_counts(now, deck_ids)
    if next_due is None:
        return "nothing scheduled yet"
    text = describe_due(next_due, now, trainer.tomorrow(now))
    return f"{text} ({due_today} due today)" if due_today else text


def _nothing_left(queue: SessionQueue, now: datetime) -> bool:
    """Whether the session had asked everything it would ask now (quitting at the last
    feedback still completes it)."""
    if queue.front or queue.reviews or queue.new:
        return False
    return all(due > now + queue.learn_ahead for due, _ in queue.learning)
