"""The session loop shared by review, practice and challenge, driving any ``SessionUI``.

The loop decides what to ask and what to record; the UI only draws and reads. Every answer is
recorded (and committed) before its feedback appears, so quitting, a closed terminal or a
killed process loses at most the question on screen.

Undo: ``u`` after feedback takes back that answer and asks the question again; ``u`` at a
question takes back the previous answer and asks that one again first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..deck.model import Question
from .api import Trainer
from .grading import Outcome, Rating, grade
from .scheduling import CardKey, SessionQueue, describe_due, is_learning
from .types import Answer
from .views import (
    FeedbackView,
    InputKind,
    Mode,
    QuestionView,
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
    started = clock()
    state = _State(total=len(queue))
    for note in notes:
        ui.show_message(note)
    if not len(queue):
        ui.show_message("Nothing to review right now.")
    while not state.quit:
        now = clock()
        pick = queue.next(now)
        if pick is None:
            break
        if pick.early and pick.due is not None:
            wait = describe_due(pick.due, now, trainer.tomorrow(now))
            ui.show_message(
                f"Nothing else is due: here is a question from its learning steps, due {wait},"
                " a little early."
            )
        _ask(trainer, ui, queue, clock, options, state, pick.key)
    finished = clock()
    return _summary(trainer, ui, options, state, started, finished, queue)


def _ask(
    trainer: Trainer,
    ui: SessionUI,
    queue: SessionQueue,
    clock: Clock,
    options: SessionOptions,
    state: _State,
    key: CardKey,
) -> None:
    """Ask one question to its end: answered (and recorded), undone, or quit."""
    question = trainer.question(key)
    deck_title = trainer.deck_title(key[0])
    time_limit = question.time_limit if options.mode is not Mode.PRACTICE else None
    state.position += 1
    shown_at = clock()
    attempts_left = question.attempts
    wrong: list[str] = []
    hint_used = False
    timed_out = False
    message = ""
    chosen: str | None = None
    correct = False
    while True:
        view = QuestionView(
            deck_title=deck_title,
            question=question,
            mode=options.mode,
            position=state.position,
            total=max(state.total, state.position),
            attempts_left=attempts_left,
            time_limit=time_limit,
            hint_shown=hint_used,
            wrong_letters=tuple(wrong),
            message=message,
            elapsed=(clock() - shown_at).total_seconds(),
        )
        ui.show_question(view)
        user = ui.read_input(view)
        message = ""
        if user.kind is InputKind.QUIT:
            state.quit = True
            state.position -= 1
            queue.push_front(key)  # not answered: still waiting (the summary counts it)
            return
        if user.kind is InputKind.UNDO:
            if options.mode is Mode.CHALLENGE:
                message = NO_UNDO_IN_CHALLENGE
                continue
            if not state.history:
                message = "Nothing to undo yet."
                continue
            state.position -= 1
            queue.push_front(key)
            _undo_last(trainer, ui, queue, clock, state)
            return
        if user.kind is InputKind.HINT:
            if question.hint.strip():
                hint_used = True
            else:  # asking costs nothing when there is nothing to see
                message = "This question has no hint."
            continue
        if user.kind is InputKind.TIMEOUT:
            timed_out = True
            if options.mode is Mode.CHALLENGE:
                break
            message = "Time is up: you can still answer (it counts as Hard at best)."
            continue
        if user.kind is not InputKind.ANSWER or not user.letter:
            continue
        if (
            options.mode is Mode.CHALLENGE
            and time_limit is not None
            and (clock() - shown_at).total_seconds() > time_limit
        ):
            # A UI that cannot interrupt its reading (line mode) gets the answer only after
            # the time ran out: the same as a countdown reaching zero on the terminal screen.
            timed_out = True
            break
        chosen = user.letter.upper()
        if chosen == question.answer:
            correct = True
            break
        if chosen in wrong:  # a slip, not a new attempt: it costs nothing
            message = f"You already tried {chosen}: pick another choice."
            continue
        wrong.append(chosen)
        attempts_left -= 1
        if attempts_left <= 0:
            break
        message = f"Not quite: {attempts_left} attempt{'s' if attempts_left != 1 else ''} left."

    answered_at = clock()
    elapsed = (answered_at - shown_at).total_seconds()
    attempts_used = question.attempts - attempts_left + (1 if correct else 0)
    rating = grade(
        Outcome(
            correct=correct,
            attempts_used=max(1, attempts_used),
            hint_used=hint_used,
            elapsed=max(elapsed, question.time_limit + 1) if timed_out else elapsed,
            time_limit=time_limit,
        )
    )
    if options.self_grade:
        rating = Rating(
            ui.ask_self_grade(_feedback(question, options, chosen, correct, rating, "", elapsed))
        )
    answer = Answer(key, rating=int(rating), at=answered_at, duration_ms=round(elapsed * 1000),
                    attempts=max(1, attempts_used), hint_used=hint_used, chosen=chosen,
                    mode=options.mode.value)
    recorded = trainer.record_answer(answer, reschedule=options.reschedule)
    state.reviewed += 1
    state.correct += correct
    answered = _Answered(recorded.entry_id, key, correct)
    state.history.append(answered)
    due_text = ""
    if recorded.rescheduled:
        due_text = describe_due(recorded.after.due, answered_at, trainer.tomorrow(answered_at))
        if options.mode is Mode.REVIEW and is_learning(recorded.after) and recorded.after.due:
            queue.push_learning(key, recorded.after.due)
            answered.requeued = True
            state.total += 1
    reply = ui.show_feedback(
        _feedback(question, options, chosen, correct, rating, due_text, elapsed)
    )
    if reply.kind is InputKind.QUIT:
        state.quit = True
    elif reply.kind is InputKind.UNDO and options.mode is Mode.CHALLENGE:
        ui.show_message(NO_UNDO_IN_CHALLENGE)
    elif reply.kind is InputKind.UNDO:
        _undo_last(trainer, ui, queue, clock, state)


def _feedback(
    question: Question,
    options: SessionOptions,
    chosen: str | None,
    correct: bool,
    rating: Rating,
    due_text: str,
    elapsed: float,
) -> FeedbackView:
    return FeedbackView(
        question=question,
        mode=options.mode,
        chosen=chosen,
        correct=correct,
        rating=Rating(rating).label,
        next_due_text=due_text,
        show_solution=options.mode is Mode.PRACTICE,
        elapsed=elapsed,
    )


# A challenge is a test: taking back an answer (after seeing the right one) would retake it.
NO_UNDO_IN_CHALLENGE = "A challenge answer stands: there is no undo in a challenge."


def _undo_last(
    trainer: Trainer, ui: SessionUI, queue: SessionQueue, clock: Clock, state: _State
) -> None:
    """Take back the last answer of this session and put its question first in the queue."""
    last = state.history.pop()
    undone = trainer.undo(last.entry_id, clock())
    state.reviewed -= 1
    state.correct -= last.correct
    state.position -= 1
    state.total -= last.requeued
    queue.push_front(last.key)
    ui.show_message("Undone: that answer is taken back; here is the question again.")
    for name in undone.badges_taken_back:
        ui.show_message(f"The badge '{name}' it earned is taken back with it.")


def _summary(
    trainer: Trainer,
    ui: SessionUI,
    options: SessionOptions,
    state: _State,
    started: datetime,
    finished: datetime,
    queue: SessionQueue,
) -> SessionSummary:
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
        if state.reviewed == state.total and options.deck_ids:
            trainer.save_challenge_result(
                options.deck_ids[0],
                started_at=started,
                finished_at=finished,
                score=state.correct,
                total=state.total,
            )
    if options.reschedule:
        next_text = _next_review_text(trainer, finished, options.deck_ids)
    else:  # practice answers are logged only: the schedule is as it was, so say nothing of it
        next_text = ""
        if state.reviewed:
            summary_notes.append(
                "Practice answers are saved; they do not move your review schedule"
                " (srs practice --reschedule does)."
            )
    summary = SessionSummary(
        mode=options.mode,
        reviewed=state.reviewed,
        correct=state.correct,
        elapsed=elapsed,
        next_due_text=next_text,
        badges_earned=tuple(trainer.celebrate(finished)),
        score_text=score_text,
        notes=tuple(summary_notes),
        finished=not state.quit or _nothing_left(queue, finished),
    )
    ui.show_summary(summary)
    return summary


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
