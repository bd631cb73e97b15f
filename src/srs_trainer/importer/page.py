"""What reading a quiz page gives: the deck and the warnings about what the page gets wrong."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..deck.lint import TODO_MARKER
from ..deck.model import Deck, Section
from ..deck.problems import Problem, Severity


class WarningKind(str, Enum):
    """What a page gets wrong or leaves out; each becomes a ``TODO(srs):`` comment."""

    NO_ANSWER_KEY = "no-answer-key"
    FINAL_ANSWER_MISMATCH = "final-answer-mismatch"
    QUICK_CHECK_DISAGREES = "quick-check-disagrees"
    SOLUTION_CONTRADICTS_ANSWER = "solution-contradicts-answer"
    COUNT_MISMATCH = "count-mismatch"
    EXTRA_CODE = "extra-code"


@dataclass(frozen=True)
class ImportWarning:
    """Something doubtful on the page, at ``line``; ``question`` indexes ``deck.questions``."""

    kind: WarningKind
    line: int
    message: str
    question: int | None = None

    def problem(self, path: str) -> Problem:
        return Problem(path, self.line, 0, f"{self.message} [{self.kind.value}]", Severity.WARNING)

    def todo(self) -> str:
        return f"{TODO_MARKER}: {self.message} (page line {self.line})"


@dataclass(frozen=True)
class ImportedPage:
    """A parsed page: the deck (an unknown answer is ``""``) and the warnings about it."""

    deck: Deck
    warnings: tuple[ImportWarning, ...]
    path: str = ""

    def source_data(self) -> dict[str, Any]:
        """The deck as source-format data: practice untimed (unknown answers are left out)."""
        data = self.deck.to_dict()
        for name in ("time_limit", "attempts"):
            del data[name]  # the page has no deck-wide defaults; challenges carry their own
        for question, item in zip(self.deck.questions, data["questions"], strict=False):
            if question.section is Section.PRACTICE:
                del item["time_limit"], item["attempts"]
        return data
