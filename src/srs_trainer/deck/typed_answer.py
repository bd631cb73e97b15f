"""How a typed answer is compared with a ``typed`` question's accepted answers.

Normalisation (docs/format.md): surrounding space is dropped and runs of inner space become
one space; case is folded unless the question sets ``case_sensitive``. A ``regex`` entry must
match the whole normalised answer (``re.fullmatch``; case-insensitive unless case_sensitive).
"""

from __future__ import annotations

import re

from srs_trainer.deck.model import Accepted, Question


def normalise(text: str, *, case_sensitive: bool = False) -> str:
    collapsed = " ".join(text.split())
    return collapsed if case_sensitive else collapsed.casefold()


def accepts(accepted: Accepted, typed: str, *, case_sensitive: bool = False) -> bool:
    answer = normalise(typed, case_sensitive=case_sensitive)
    if accepted.regex:
        flags = 0 if case_sensitive else re.IGNORECASE
        return re.fullmatch(accepted.value, answer, flags) is not None
    return normalise(accepted.value, case_sensitive=case_sensitive) == answer


def is_accepted(question: Question, typed: str) -> bool:
    """Whether ``typed`` is one of the question's accepted answers."""
    return any(
        accepts(accepted, typed, case_sensitive=question.case_sensitive)
        for accepted in question.accept
    )


def shown_answer(question: Question) -> str:
    """The answer to show after grading: ``answer`` if set, else the first plain accepted one."""
    if question.answer:
        return question.answer
    plain = [accepted.value for accepted in question.accept if not accepted.regex]
    return plain[0] if plain else (question.accept[0].value if question.accept else "")
