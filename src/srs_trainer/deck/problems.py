"""Problems found in a user's input, reported as ``path:line:column: severity: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the input allows."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class InputError(Exception):
    """Raised with every problem found, so that a user can fix them all in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def duplicate_deck_ids(owners: Iterable[tuple[str, str, int]]) -> list[Problem]:
    """A problem for each (deck id, path, line) whose deck id an earlier one already uses."""
    problems: list[Problem] = []
    first_path: dict[str, str] = {}
    for deck_id, path, line in owners:
        if deck_id in first_path:
            message = f"deck id '{deck_id}' is already used by {first_path[deck_id]}"
            problems.append(Problem(path, line, 0, message))
        first_path.setdefault(deck_id, path)
    return problems
