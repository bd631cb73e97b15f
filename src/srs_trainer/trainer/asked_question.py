"""One question on screen, from the moment it is shown until it is answered, undone or quit.

The session loop reads the learner's input and hands it to the ``AskedQuestion``, which has
one method per kind of input and says what comes next (a ``Step``). It keeps what the learner
did so far (wrong letters, hint, time out) and, once answered, how that grades.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ..deck.model import Question
from .grading import Outcome, Rating, grade
from .views import InputKind, Mode, QuestionView, UserInput

# A challenge is a test: taking back an answer (after seeing the right one) would retake it.
NO_UNDO_IN_CHALLENGE = "A challenge answer stands: there is no undo in a challenge."


class Step(Enum):
    """What the session does after one input."""

    ASK_AGAIN = "ask again"  # show the question again (with ``message``, if any)
    ANSWERED = "answered"  # grade and record it
    UNDO = "undo"  # take back the previous answer; this question waits
    QUIT = "quit"  # stop; this question was not answered


@dataclass
class AskedQuestion:
    question: Question
    mode: Mode
    shown_at: datetime
    attempts_left: int
    wrong: list[str] = field(default_factory=list)
    hint_used: bool = False
    timed_out: bool = False
    chosen: str | None = None
    correct: bool = False
    message: str = ""  # one line for the next time the question is drawn

    @classmethod
    def show(cls, question: Question, mode: Mode, now: datetime) -> AskedQuestion:
        return cls(question, mode, now, question.attempts)

    @property
    def time_limit(self) -> int | None:
        # Practice is for learning at one's own pace: no clock.
        return self.question.time_limit if self.mode is not Mode.PRACTICE else None

    def view(self, deck_title: str, position: int, total: int, now: datetime) -> QuestionView:
        return QuestionView(
            deck_title=deck_title,
            question=self.question,
            mode=self.mode,
            position=position,
            total=total,
            attempts_left=self.attempts_left,
            time_limit=self.time_limit,
            hint_shown=self.hint_used,
            wrong_letters=tuple(self.wrong),
            message=self.message,
            elapsed=self.elapsed(now),
        )

    def elapsed(self, now: datetime) -> float:
        return (now - self.shown_at).total_seconds()

    # --- one method per input ---------------------------------------------------------------

    def take(self, user: UserInput, clock: Callable[[], datetime], *, can_undo: bool) -> Step:
        """Hand one input to its method; ``can_undo``: the session has an answer to take back."""
        self.message = ""
        if user.kind is InputKind.QUIT:
            return self.quit()
        if user.kind is InputKind.UNDO:
            return self.undo(can_undo)
        if user.kind is InputKind.HINT:
            return self.hint()
        if user.kind is InputKind.TIMEOUT:
            return self.timeout()
        if user.kind is InputKind.ANSWER and user.letter:
            return self.answer(user.letter, clock)
        return Step.ASK_AGAIN

    def quit(self) -> Step:
        return Step.QUIT

    def undo(self, can_undo: bool) -> Step:
        if self.mode is Mode.CHALLENGE:
            self.message = NO_UNDO_IN_CHALLENGE
            return Step.ASK_AGAIN
        if not can_undo:
            self.message = "Nothing to undo yet."
            return Step.ASK_AGAIN
        return Step.UNDO

    def hint(self) -> Step:
        if self.question.hint.strip():
            self.hint_used = True
        else:  # asking costs nothing when there is nothing to see
            self.message = "This question has no hint."
        return Step.ASK_AGAIN

    def timeout(self) -> Step:
        self.timed_out = True
        if self.mode is Mode.CHALLENGE:
            return Step.ANSWERED
        self.message = "Time is up: you can still answer (it counts as Hard at best)."
        return Step.ASK_AGAIN

    def answer(self, letter: str, clock: Callable[[], datetime]) -> Step:
        """``clock`` is read only in a timed challenge, where being late changes the outcome."""
        limit = self.time_limit
        if self.mode is Mode.CHALLENGE and limit is not None and self.elapsed(clock()) > limit:
            # A UI that cannot interrupt its reading (line mode) gets the answer only after
            # the time ran out: the same as a countdown reaching zero on the terminal screen.
            self.timed_out = True
            return Step.ANSWERED
        chosen = letter.upper()
        self.chosen = chosen
        if chosen == self.question.answer:
            self.correct = True
            return Step.ANSWERED
        if chosen in self.wrong:  # a slip, not a new attempt: it costs nothing
            self.message = f"You already tried {chosen}: pick another choice."
            return Step.ASK_AGAIN
        self.wrong.append(chosen)
        self.attempts_left -= 1
        if self.attempts_left <= 0:
            return Step.ANSWERED
        left = self.attempts_left
        self.message = f"Not quite: {left} attempt{'s' if left != 1 else ''} left."
        return Step.ASK_AGAIN

    # --- once answered ----------------------------------------------------------------------

    @property
    def attempts_used(self) -> int:
        used = self.question.attempts - self.attempts_left + (1 if self.correct else 0)
        return max(1, used)

    def rating(self, answered_at: datetime) -> Rating:
        elapsed = self.elapsed(answered_at)
        if self.timed_out:  # graded as over the limit, however the time ran out
            elapsed = max(elapsed, self.question.time_limit + 1)
        return grade(
            Outcome(
                correct=self.correct,
                attempts_used=self.attempts_used,
                hint_used=self.hint_used,
                elapsed=elapsed,
                time_limit=self.time_limit,
            )
        )
