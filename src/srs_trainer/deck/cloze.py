"""Cloze deletions (``{{c1::answer::hint}}``, as in Anki) and the cards they make.

A cloze question makes one card per deletion number; every card has its own FSRS history, kept
under the card key ``QUESTION_ID::cN`` (Anki's card ``ord`` is N - 1). Other questions make
one card whose key is the question id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from srs_trainer.deck.model import Question, QuestionType

# Non-greedy: a deletion ends at the first "}}"; its hint is whatever follows a second "::".
DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
CARD_KEY_SEPARATOR = "::c"


@dataclass(frozen=True)
class Deletion:
    """One ``{{cN::answer::hint}}`` in a prompt; ``start``/``end`` index the prompt text."""

    number: int
    answer: str
    hint: str
    start: int
    end: int


def deletions(text: str) -> tuple[Deletion, ...]:
    """Every deletion of ``text`` in reading order."""
    return tuple(
        Deletion(int(m.group(1)), m.group(2), m.group(3) or "", m.start(), m.end())
        for m in DELETION.finditer(text)
    )


def numbers(text: str) -> tuple[int, ...]:
    """The distinct deletion numbers of ``text``, ascending: one card each."""
    return tuple(sorted({deletion.number for deletion in deletions(text)}))


def blank(deletion: Deletion) -> str:
    """What the front of the deletion's own card shows in its place."""
    return f"[{deletion.hint}]" if deletion.hint else "[...]"


def fill(
    text: str,
    number: int,
    *,
    reveal: bool,
    asked: Callable[[str], str] = lambda shown: shown,
) -> str:
    """``text`` with deletion ``number`` blanked (or, with ``reveal``, its answer), others shown.

    ``asked`` wraps what stands where the asked deletion was, so a renderer can mark it.
    """
    parts: list[str] = []
    position = 0
    for deletion in deletions(text):
        parts.append(text[position : deletion.start])
        if deletion.number == number:
            parts.append(asked(deletion.answer if reveal else blank(deletion)))
        else:
            parts.append(deletion.answer)
        position = deletion.end
    parts.append(text[position:])
    return "".join(parts)


def card_key(question_id: str, number: int) -> str:
    return f"{question_id}{CARD_KEY_SEPARATOR}{number}"


def split_card_key(key: str) -> tuple[str, int | None]:
    """``("q", 2)`` for ``"q::c2"``; ``(key, None)`` for a question's only card."""
    question_id, separator, number = key.rpartition(CARD_KEY_SEPARATOR)
    if separator and number.isdigit():
        return question_id, int(number)
    return key, None


def card_keys(question: Question) -> tuple[str, ...]:
    """The keys of the cards a question makes, in Anki's card order."""
    if question.type is QuestionType.CLOZE:
        return tuple(card_key(question.id, number) for number in numbers(question.prompt))
    return (question.id,)
