"""The contract between a training session and what shows it to the learner.

A session (``srs review``, ``srs practice``, ``srs challenge``) decides what to ask and what
to record; a ``SessionUI`` only shows views and reads the learner's input. Two implementations:
``ui_lines.LineUI`` reads answers line by line (stdin not a terminal: scripts and tests) and
``ui_terminal.TerminalUI`` is the interactive screen (keys, countdown, colours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from ..deck.model import Question, QuestionType

# Card types the learner rates themself after the answer is revealed (docs/trainer.md).
SELF_RATED = frozenset({QuestionType.RECALL, QuestionType.CLOZE})


class Mode(str, Enum):
    REVIEW = "review"
    PRACTICE = "practice"
    CHALLENGE = "challenge"


class InputKind(str, Enum):
    ANSWER = "answer"  # ``letter`` holds A-F (a choice question)
    TEXT = "text"  # ``text`` holds what the learner typed (a typed question)
    REVEAL = "reveal"  # show the answer of a recall or cloze card
    RATE = "rate"  # ``rating`` 1-4: the learner's own rating of a recall or cloze card
    HINT = "hint"
    UNDO = "undo"  # take back the last recorded answer
    QUIT = "quit"  # stop the session; everything answered is already saved
    CONTINUE = "continue"  # go on after feedback
    TIMEOUT = "timeout"  # the time limit ran out with no answer


@dataclass(frozen=True)
class UserInput:
    kind: InputKind
    letter: str = ""
    text: str = ""
    rating: int = 0


@dataclass(frozen=True)
class QuestionView:
    """A question on screen, with everything needed to draw it."""

    deck_title: str
    question: Question
    mode: Mode
    position: int  # 1-based place of this question in the session
    total: int  # questions planned for the session (grows when learning steps return)
    attempts_left: int
    time_limit: int | None  # seconds; None when untimed (practice)
    elapsed: float = 0.0  # seconds already spent on this question (e.g. before a wrong attempt)
    hint_shown: bool = False
    wrong_letters: tuple[str, ...] = ()  # letters already tried and wrong
    message: str = ""  # one line to show, e.g. "Not quite: 1 attempt left"
    cloze: int | None = None  # a cloze card: the number of the deletion asked
    revealed: bool = False  # a recall or cloze card: the answer is shown, a rating awaited
    wrong_texts: tuple[str, ...] = ()  # a typed card: the answers already typed and wrong
    hint_available: bool | None = None  # None: whether the question has a hint

    @property
    def has_hint(self) -> bool:
        """A hint to show on ``h``: the question's, or a cloze deletion's own."""
        if self.hint_available is None:
            return bool(self.question.hint.strip())
        return self.hint_available

    @property
    def self_rated(self) -> bool:
        return self.question.type in SELF_RATED


@dataclass(frozen=True)
class FeedbackView:
    """What happened after the learner answered (or ran out of attempts or time)."""

    question: Question
    mode: Mode
    chosen: str | None  # the last letter chosen; None when time ran out
    correct: bool
    rating: str  # "Again", "Hard", "Good" or "Easy"
    next_due_text: str  # "again in 4 days"; "" when the answer does not reschedule
    show_solution: bool  # practice shows the solution steps
    elapsed: float = 0.0
    cloze: int | None = None  # a cloze card: the number of the deletion asked
    typed: str | None = None  # a typed card: the last answer typed (None: time ran out first)
    hint_shown: bool = False

    @property
    def self_rated(self) -> bool:
        return self.question.type in SELF_RATED


@dataclass(frozen=True)
class SessionSummary:
    mode: Mode
    reviewed: int  # questions answered (and kept: undone answers are not counted)
    correct: int
    elapsed: float  # seconds
    # When the next review is due, without a label ("in 5 minutes (2 due today)"): each UI
    # writes it after "Next review: ". "" when the session moved no schedule (practice).
    next_due_text: str
    badges_earned: tuple[str, ...] = ()
    score_text: str = ""  # a finished challenge: "4/5 in 6:12"
    notes: tuple[str, ...] = field(default_factory=tuple)
    finished: bool = True  # False when the learner quit (q, Ctrl-C, end of input) before the end

    @property
    def heading(self) -> str:
        """'Session complete' only when the queue was worked through."""
        return "Session complete" if self.finished else "Session ended early"

    @property
    def count_label(self) -> str:
        """What the answers were: reviews in a review, plain answers in practice and challenge."""
        return "Reviewed" if self.mode is Mode.REVIEW else "Answered"


class SessionUI(Protocol):
    def show_question(self, view: QuestionView) -> None: ...

    def read_input(self, view: QuestionView) -> UserInput:
        """Block until the learner answers, asks for the hint, undoes or quits.

        A timed view may return ``TIMEOUT`` when its time runs out; the session still decides
        what that means (the answer is graded as over the limit, not lost).
        """
        ...

    def show_feedback(self, view: FeedbackView) -> UserInput:
        """Show the outcome; return CONTINUE, UNDO or QUIT."""
        ...

    def ask_self_grade(self, view: FeedbackView) -> int:
        """``--self-grade``: the learner's rating, 1 (Again) to 4 (Easy)."""
        ...

    def show_message(self, text: str) -> None: ...

    def show_summary(self, summary: SessionSummary) -> None: ...
