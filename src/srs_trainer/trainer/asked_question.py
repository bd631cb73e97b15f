"""One question on screen, from the moment it is shown until it is answered, undone or quit.

The session loop reads the learner's input and hands it to the ``AskedQuestion``, which has
one method per kind of input and says what comes next (a ``Step``). It keeps what the learner
did so far (wrong letters or typed answers, hint, time out, reveal) and, once answered, how
that grades.

By card type (docs/trainer.md): a ``choice`` question takes letters; a ``typed`` one takes
lines of text, graded with ``typed_answer.is_accepted`` under the same attempt, hint and time
rules; ``recall`` and ``cloze`` cards are revealed and then rated by the learner (1-4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ..deck import cloze
from ..deck.model import Question, QuestionType
from ..deck.typed_answer import is_accepted, normalise
from ..wording import plural
from .grading import Outcome, Rating, grade
from .views import SELF_RATED, InputKind, Mode, QuestionView, UserInput

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
    number: int | None = None  # a cloze card: the deletion asked
    typed: str | None = None  # a typed card: the last answer typed
    wrong_texts: list[str] = field(default_factory=list)  # ... normalised, to spot repeats
    wrong_shown: list[str] = field(default_factory=list)  # ... as typed, to show them
    revealed: bool = False
    self_rating: int | None = None  # a recall or cloze card: the learner's rating

    @classmethod
    def show(cls, question: Question, mode: Mode, now: datetime,
             number: int | None = None) -> AskedQuestion:
        return cls(question, mode, now, question.attempts, number=number)

    @property
    def self_rated(self) -> bool:
        return self.question.type in SELF_RATED

    @property
    def has_hint(self) -> bool:
        """A cloze deletion's own hint counts: ``h`` shows it in the blank."""
        if self.question.hint.strip():
            return True
        if self.question.type is QuestionType.CLOZE:
            return any(d.hint.strip() for d in cloze.deletions(self.question.prompt)
                       if d.number == self.number)
        return False

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
            cloze=self.number,
            revealed=self.revealed,
            wrong_texts=tuple(self.wrong_shown),
            hint_available=self.has_hint,
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
        if self.question.type is QuestionType.CHOICE:
            if user.kind is InputKind.ANSWER and user.letter:
                return self.answer(user.letter, clock)
        elif self.question.type is QuestionType.TYPED:
            if user.kind is InputKind.TEXT and user.text.strip():
                return self.answer_text(user.text, clock)
        elif user.kind is InputKind.REVEAL:
            return self.reveal()
        elif user.kind is InputKind.RATE and 1 <= user.rating <= 4:
            return self.rate(user.rating, clock)
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
        if self.has_hint:
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
        return self._attempt_spent()

    def _late(self, clock: Callable[[], datetime]) -> bool:
        """A timed challenge answered after its time: graded as a time out."""
        limit = self.time_limit
        if self.mode is Mode.CHALLENGE and limit is not None and self.elapsed(clock()) > limit:
            self.timed_out = True
            return True
        return False

    def answer_text(self, text: str, clock: Callable[[], datetime]) -> Step:
        """A typed card's answer: the same attempt rules as letters (a repeat costs nothing)."""
        if self._late(clock):
            return Step.ANSWERED
        self.typed = text.strip()
        if is_accepted(self.question, text):
            self.correct = True
            return Step.ANSWERED
        key = normalise(text, case_sensitive=self.question.case_sensitive)
        if key in self.wrong_texts:
            self.message = f"You already tried '{self.typed}': try another answer."
            return Step.ASK_AGAIN
        self.wrong_texts.append(key)
        self.wrong_shown.append(self.typed)
        return self._attempt_spent()

    def _attempt_spent(self) -> Step:
        """A wrong answer: one attempt fewer, and the question ends with the last."""
        self.attempts_left -= 1
        if self.attempts_left <= 0:
            return Step.ANSWERED
        self.message = f"Not quite: {plural(self.attempts_left, 'attempt')} left."
        return Step.ASK_AGAIN

    def reveal(self) -> Step:
        self.revealed = True
        return Step.ASK_AGAIN

    def rate(self, rating: int, clock: Callable[[], datetime]) -> Step:
        """A recall or cloze card rated by the learner (revealing it first if need be)."""
        self.revealed = True
        self._late(clock)
        self.self_rating = rating
        # Passing, as mastery counts it: the learner says they knew it (Hard or better).
        late = self.timed_out and self.mode is Mode.CHALLENGE
        self.correct = rating >= Rating.HARD and not late
        return Step.ANSWERED

    # --- once answered ----------------------------------------------------------------------

    @property
    def attempts_used(self) -> int:
        used = self.question.attempts - self.attempts_left + (1 if self.correct else 0)
        return max(1, used)

    def rating(self, answered_at: datetime) -> Rating:
        if self.self_rated:
            return self._self_rating()
        elapsed = self.elapsed(answered_at)
        if self.timed_out:  # graded as over the limit, however the time ran out
            elapsed = max(elapsed, self.question.time_limit + 1)
        rating = grade(
            Outcome(
                correct=self.correct,
                attempts_used=self.attempts_used,
                hint_used=self.hint_used,
                elapsed=elapsed,
                time_limit=self.time_limit,
            )
        )
        if self.question.type is QuestionType.TYPED and rating is Rating.EASY:
            return Rating.GOOD  # typing speed says more about the keyboard than the memory
        return rating

    def _self_rating(self) -> Rating:
        if self.self_rating is None or (self.timed_out and self.mode is Mode.CHALLENGE):
            return Rating.AGAIN  # a challenge's time ran out before the learner rated it
        if self.timed_out:  # "it counts as Hard at best", as for every card
            return Rating(min(self.self_rating, Rating.HARD))
        return Rating(self.self_rating)
