"""What a page reader collects as it goes: the drafts read, the errors and the warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..deck.problems import Problem
from .draft import Draft
from .lines import PageLine
from .page import ImportWarning, WarningKind


@dataclass
class PageReading:
    """One page being read. Indexes into ``lines`` count from 0; messages count lines from 1."""

    path: str
    lines: list[PageLine]
    drafts: list[Draft] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)

    def error(self, index: int, message: str) -> None:
        self.errors.append(Problem(self.path, index + 1, 0, message))

    def warn(self, kind: WarningKind, index: int, message: str, draft: Draft | None) -> None:
        # Drafts are listed before anything is said about them; their index is the question's.
        question = None
        if draft is not None:
            question = next(i for i, listed in enumerate(self.drafts) if listed is draft)
        self.warnings.append(ImportWarning(kind, index + 1, message, question))

    def cannot_place(self, index: int, where: str) -> None:
        self.error(index, f"cannot place this line {where}: {self.lines[index].stripped[:70]!r}")
