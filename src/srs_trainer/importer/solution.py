"""A practice question's worked solution, and what it says about the question's answer.

The solution's "Final Answer" step keys the question ("... -> Option A"); its "Quick Check" step
and the other steps are checked against that key, since pages get them wrong.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from ..deck.model import SolutionStep
from .draft import Draft
from .lines import LineKind
from .page import WarningKind
from .reading import PageReading
from .text import join_text, normalized

_FINAL = re.compile(r"^(?P<text>.*?)\s*->\s*Option\s+(?P<letter>[A-F])\s*\.?$")
_QUICK_LETTER = re.compile(r"=\s*([A-F])\s*(?:\[OK\]|✅|✓)?\s*$")
_LETTER_LIST = r"[A-F](?:\s*,\s*(?:and\s+|or\s+)?[A-F]|\s+(?:and|or)\s+[A-F])*"
_CALLED_WRONG = re.compile(
    rf"\b(?:(?:Options?|Choices?)\s+)?(?P<many>{_LETTER_LIST})\s+(?:is|are)\s+(?:all\s+)?"
    r"(?:incorrect|wrong|invalid|false|not\s+correct)\b"
    r"|\b(?P<one>[A-F])\s+(?:has|uses|gives)\s+(?:the\s+|a\s+)?wrong\b"
)

# A step: its title, then its text lines with their indexes.
_Step = tuple[str, list[tuple[int, str]]]


@dataclass
class SolutionReading:
    """Where a solution states its answer, and the lines of its other steps to check."""

    final_at: int | None = None
    quick_at: int | None = None
    quick_letter: str = ""
    step_lines: list[tuple[int, str]] = field(default_factory=list)


def read_solution(
    reading: PageReading, draft: Draft, start: int, end: int, solution: SolutionReading
) -> int:
    """Steps from ``start`` into ``draft.solution``; returns the index after them."""
    index, steps = _steps(reading, start, end, draft.number)
    for title, text_lines in steps:
        text = join_text(textwrap.dedent("\n".join(t for _, t in text_lines)).split("\n"))
        plain_title = title.rstrip(":").strip() if title.endswith(":") else title
        draft.solution.append(SolutionStep(plain_title, text))
        text_at = next((i for i, t in text_lines if t.strip()), None)
        if plain_title.casefold() == "final answer":
            solution.final_at = text_at
            _final_answer(reading, draft, text, text_at if text_at is not None else index)
        elif plain_title.casefold() == "quick check":
            solution.quick_at = text_at
            found = _QUICK_LETTER.search(text.strip())
            solution.quick_letter = found[1] if found else ""
        else:
            solution.step_lines.extend((i, t) for i, t in text_lines if t.strip())
    return index


def _steps(reading: PageReading, start: int, end: int, number: int) -> tuple[int, list[_Step]]:
    """Numbered steps ('  1. Title' then indented text) up to the next unindented line."""
    steps: list[_Step] = []
    index = start
    while index < end:
        line = reading.lines[index]
        if line.kind is LineKind.BLANK:
            if steps:
                steps[-1][1].append((index, ""))
            index += 1
            continue
        if not line.indented:
            break
        if line.kind is LineKind.STEP:
            steps.append((line.parts[1].strip(), []))
        elif steps:
            steps[-1][1].append((index, line.text))
        else:
            reading.cannot_place(
                index, f"in practice {number}'s solution (expected '  1. Step 1: ...')"
            )
        index += 1
    return index, steps


def _final_answer(reading: PageReading, draft: Draft, text: str, index: int) -> None:
    match = _FINAL.match(text.strip())
    if not match:
        reading.warn(
            WarningKind.NO_ANSWER_KEY,
            index,
            f"{draft.label}: the Final Answer does not end in '-> Option X'; "
            "add 'answer: <letter>'",
            draft,
        )
        return
    letter, stated = match["letter"], match["text"]
    choice = next((c for c in draft.choices if c.letter == letter), None)
    if choice is None:
        reading.warn(
            WarningKind.FINAL_ANSWER_MISMATCH,
            index,
            f"{draft.label}: the Final Answer names option {letter}, which does not exist; "
            "add 'answer: <letter>'",
            draft,
        )
        return
    draft.answer = letter
    if normalized(stated) != normalized(choice.display()):
        reading.warn(
            WarningKind.FINAL_ANSWER_MISMATCH,
            index,
            f"{draft.label}: the Final Answer's text {stated!r} is not option {letter} "
            f"({choice.display()!r}); check the answer",
            draft,
        )


def check_answer(reading: PageReading, draft: Draft, start: int, solution: SolutionReading) -> None:
    """Warn where the solution gives no key, or where its steps disagree with the key."""
    if solution.final_at is None:
        reading.warn(
            WarningKind.NO_ANSWER_KEY,
            start,
            f"{draft.label} has no 'Final Answer: ... -> Option X'; add 'answer: <letter>'",
            draft,
        )
    if not draft.answer:
        return
    if (
        solution.quick_letter
        and solution.quick_letter != draft.answer
        and solution.quick_at is not None
    ):
        reading.warn(
            WarningKind.QUICK_CHECK_DISAGREES,
            solution.quick_at,
            f"{draft.label}: the Quick Check says {solution.quick_letter} but the Final Answer "
            f"is {draft.answer}; fix the Quick Check step",
            draft,
        )
    for index, text in solution.step_lines:
        for found in _CALLED_WRONG.finditer(text):
            if draft.answer in set(re.findall(r"[A-F]", found["many"] or found["one"])):
                reading.warn(
                    WarningKind.SOLUTION_CONTRADICTS_ANSWER,
                    index,
                    f"{draft.label}: the solution calls the answer ({draft.answer}) wrong: "
                    f"{found[0]!r}; fix the solution",
                    draft,
                )
