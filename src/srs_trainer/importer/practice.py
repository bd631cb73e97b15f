"""The worked part of a page: "Practice", "(1/N)", then numbered questions with solutions."""

from __future__ import annotations

from collections.abc import Sequence

from ..deck.model import LETTERS, Choice, Code, Section
from .draft import Draft
from .heuristics import guess_language
from .lines import LineKind, PageLine, next_letter, texts
from .page import WarningKind
from .prompts import read_prompt_and_code
from .reading import PageReading
from .solution import SolutionReading, check_answer, read_solution
from .text import code_text


def read_practice(reading: PageReading, header_at: int, end: int) -> None:
    """The questions from the 'Practice' line ``header_at`` up to ``end``."""
    lines = reading.lines
    announced = None
    starts: list[int] = []
    # A numbered line starts a question only if it is the next number: "1." inside a question
    # (a list in its prompt) is part of that question.
    for line in lines[header_at + 1 : end]:
        if line.kind is LineKind.NUMBERED and int(line.parts[0]) == len(starts) + 1:
            starts.append(line.index)
    for line in lines[header_at + 1 : starts[0] if starts else end]:
        if line.kind is LineKind.PROGRESS and announced is None:
            announced = int(line.parts[1])
        elif line.kind is not LineKind.BLANK:
            reading.cannot_place(line.index, "before the first practice question ('1. ...')")
    if not starts:
        reading.error(header_at, "'Practice' is not followed by numbered questions ('1. ...')")
        return
    if announced is not None and announced != len(starts):
        reading.warn(
            WarningKind.COUNT_MISMATCH,
            header_at,
            f"the page announces {announced} practice questions but has {len(starts)}",
            None,
        )
    for number, (start, stop) in enumerate(zip(starts, [*starts[1:], end], strict=False), 1):
        _read_question(reading, start, stop, number)


def _read_question(reading: PageReading, start: int, end: int, number: int) -> None:
    lines = reading.lines
    lead = lines[start].parts[1].strip()
    draft = Draft(Section.PRACTICE, number, start + 1, lead)
    first_choice = next(
        (
            line.index
            for line in lines[start + 1 : end]
            if line.kind is LineKind.PRACTICE_CHOICE and line.parts[0] == "A"
        ),
        None,
    )
    if first_choice is None:
        reading.error(start, f"practice {number}: found no choices ('A. ...')")
        return
    prompt_end = first_choice
    if first_choice - 1 > start and lines[first_choice - 1].is_word():
        prompt_end = first_choice - 1
        draft.level = lines[prompt_end].stripped
    reading.drafts.append(draft)
    read_prompt_and_code(reading, draft, lines[start + 1 : prompt_end], lead=lead)
    index = _read_choices(reading, draft, first_choice, end)
    solution = _read_rest(reading, draft, index, end)
    check_answer(reading, draft, start, solution)


def _read_choices(reading: PageReading, draft: Draft, start: int, end: int) -> int:
    """Read 'A. text' lines (or 'A.' alone, then code) into the draft; return the next index."""
    lines = reading.lines
    index = start
    while index < end and len(draft.choices) < len(LETTERS):
        line = lines[index]
        letter = LETTERS[len(draft.choices)]
        if line.kind is not LineKind.PRACTICE_CHOICE or line.parts[0] != letter:
            break
        if line.parts[1]:
            draft.choices.append(Choice(letter, text=line.parts[1]))
            index += 1
            continue
        stop = _code_choice_end(lines, index + 1, end, next_letter(len(draft.choices) + 1))
        source = code_text(texts(lines[index + 1 : stop]))
        if not source:
            reading.error(index, f"practice {draft.number}: choice {letter} is empty")
            source = "?"
        draft.choices.append(Choice(letter, code=Code(source, guess_language(source))))
        index = stop
    if len(draft.choices) < 2:
        reading.error(
            start, f"practice {draft.number}: needs at least two choices ('A. ...', 'B. ...')"
        )
    return index


def _code_choice_end(lines: Sequence[PageLine], start: int, end: int, letter: str | None) -> int:
    """Where a code choice ends: at the next choice, or where the solution, hint or mistakes
    begin (unindented: indented, those words are code)."""
    for line in lines[start:end]:
        if letter and line.kind is LineKind.PRACTICE_CHOICE and line.parts[0] == letter:
            return line.index
        if line.kind is LineKind.SOLUTION_HEADER or (
            line.kind in (LineKind.PRACTICE_HINT, LineKind.MISTAKES_HEADER) and not line.indented
        ):
            return line.index
    return end


def _read_rest(reading: PageReading, draft: Draft, start: int, end: int) -> SolutionReading:
    """What follows the choices: the solution, the hint and the common mistakes, in any order."""
    lines = reading.lines
    solution = SolutionReading()
    mistakes_open = False
    index = start
    while index < end:
        line = lines[index]
        if line.kind is LineKind.BLANK:
            index += 1
        elif line.kind is LineKind.SOLUTION_HEADER or (
            draft.solution and line.kind is LineKind.STEP
        ):
            # A step after a stray line continues the solution rather than adding errors.
            start_at = index + (line.kind is LineKind.SOLUTION_HEADER)
            index = read_solution(reading, draft, start_at, end, solution)
        elif line.kind is LineKind.PRACTICE_HINT:
            draft.hint = line.parts[0].strip()
            index += 1
        elif line.kind is LineKind.MISTAKES_HEADER or (
            mistakes_open and line.kind is LineKind.BULLET
        ):
            # Bullets after a stray line still belong to the list rather than adding errors.
            mistakes_open = True
            index += line.kind is LineKind.MISTAKES_HEADER
            while index < end and lines[index].kind is LineKind.BULLET:
                draft.common_mistakes.append(lines[index].parts[0].strip())
                index += 1
        else:
            reading.cannot_place(index, f"in practice {draft.number}")
            index += 1
    return solution
