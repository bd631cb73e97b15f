"""How a lint check names a place in a question: the field's line, or a line inside its text."""

from __future__ import annotations

from .model import Deck, Question
from .problems import Problem, Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING


def located(
    deck: Deck,
    question: Question,
    key: str,
    message: str,
    severity: Severity = ERROR,
    *,
    text_line: int = 0,
) -> Problem:
    """A problem at field ``key`` of ``question``, or at line ``text_line`` (1-based) of its
    text when the field is a literal block (``|``), whose lines are the file's lines."""
    line = question.lines.get(key) or question.line
    if text_line and f"{key}#text" in question.lines:
        line = question.lines[f"{key}#text"] + text_line - 1
    return Problem(deck.source_path, line, 0, f"{question.id}: {message}", severity)
