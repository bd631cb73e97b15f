"""What both screens share about the card types other than ``choice`` (docs/trainer.md).

Pure text, no rich: the line UI prints these as they are and the terminal screen styles them.

- a typed answer is compared, character by character, with the accepted answer nearest to
  it (``difflib``); the diff marks ``[-x-]`` what was typed but is not in the answer and
  ``{+x+}`` what the answer has that was left out, so it reads without colour too;
- a line typed at a ``typed`` card is its answer, except ``h``, ``u`` and ``q`` alone (hint,
  undo, quit); ``=`` in front answers a text that is one of those (``=q`` answers "q");
- a cloze card shows its text with the asked deletion blanked: ``[...]``, or ``[hint]``
  once the learner asked for the hint (``h``), and ``[answer]`` once revealed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from ..deck import cloze
from ..deck.model import Question, QuestionType
from ..deck.typed_answer import normalise, shown_answer
from ..trainer.views import InputKind, UserInput

SAME, EXTRA, MISSING = "same", "extra", "missing"
DIFF_LEGEND = "[-x-] you typed x, not in the answer; {+x+} the answer has x, you left it out"
RATINGS = {"1": 1, "2": 2, "3": 3, "4": 4, "again": 1, "hard": 2, "good": 3, "easy": 4}
RATE_HELP = "1 Again, 2 Hard, 3 Good, 4 Easy"
ESCAPE = "="  # "=q" answers "q" at a typed card


def char_diff(typed: str, expected: str) -> list[tuple[str, str]]:
    """(SAME | EXTRA | MISSING, text) runs turning ``typed`` into ``expected``."""
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, typed, expected, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append((SAME, typed[a1:a2]))
            continue
        if a2 > a1:
            runs.append((EXTRA, typed[a1:a2]))
        if b2 > b1:
            runs.append((MISSING, expected[b1:b2]))
    return runs


def diff_text(runs: list[tuple[str, str]]) -> str:
    """The runs as one plain line: ``asyncio.ga[-h-]t{+h+}er``."""
    marks = {SAME: "{}", EXTRA: "[-{}-]", MISSING: "{{+{}+}}"}
    return "".join(marks[kind].format(text) for kind, text in runs)


def nearest_answer(question: Question, typed: str) -> str:
    """The answer to compare ``typed`` with: of the shown answer and the plain accepted ones,
    the most alike (so a near miss is diffed against what it nearly was)."""
    shown = shown_answer(question)
    candidates = [shown, *(a.value for a in question.accept if not a.regex)]
    candidates = [c for c in dict.fromkeys(candidates) if c]
    if not candidates:
        return shown

    def likeness(candidate: str) -> float:
        left = normalise(typed, case_sensitive=question.case_sensitive)
        right = normalise(candidate, case_sensitive=question.case_sensitive)
        return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()

    return max(candidates, key=likeness)


def typed_input(line: str) -> UserInput:
    """A line typed at a ``typed`` card: a command (h, u, q alone) or an answer."""
    word = line.strip()
    command = {"h": InputKind.HINT, "?": InputKind.HINT, "u": InputKind.UNDO,
               "q": InputKind.QUIT}.get(word.lower())
    if command is not None:
        return UserInput(command)
    if word.startswith(ESCAPE):
        word = word[len(ESCAPE):]
    return UserInput(InputKind.TEXT, text=word)


def rating_of(word: str) -> int:
    """1-4 for a rating typed as a digit or a name ('good'); 0 for anything else."""
    return RATINGS.get(word.strip().lower(), 0)


def deletion_hint(question: Question, number: int | None) -> str:
    return next((d.hint for d in cloze.deletions(question.prompt)
                 if d.number == number and d.hint.strip()), "")


def cloze_prompt(
    question: Question,
    number: int | None,
    *,
    revealed: bool,
    hint_shown: bool,
    mark: Callable[[str], str] = lambda shown: shown,
) -> str:
    """The cloze text with deletion ``number`` blanked (``[...]``, ``[hint]`` after ``h``) or,
    ``revealed``, answered (``[answer]``); ``mark`` wraps what stands in its place."""
    def asked(shown: str) -> str:
        if revealed:
            return mark(f"[{shown}]")
        return mark(shown if hint_shown else "[...]")

    return cloze.fill(question.prompt, number or 0, reveal=revealed, asked=asked)


def displayed(question: Question, number: int | None, *, revealed: bool, hint_shown: bool,
              mark: Callable[[str], str] = lambda shown: shown) -> Question:
    """The question as its card shows it: a cloze's prompt blanked (or answered)."""
    if question.type is not QuestionType.CLOZE:
        return question
    from dataclasses import replace

    return replace(question, prompt=cloze_prompt(
        question, number, revealed=revealed, hint_shown=hint_shown, mark=mark))


def answer_text(question: Question, number: int | None = None) -> str:
    """The answer in words, for verdicts: a letter, the typed answer, the deletion's text."""
    if question.type is QuestionType.CHOICE:
        return question.answer
    if question.type is QuestionType.TYPED:
        return shown_answer(question)
    if question.type is QuestionType.CLOZE:
        return " / ".join(d.answer for d in cloze.deletions(question.prompt) if d.number == number)
    return question.answer
