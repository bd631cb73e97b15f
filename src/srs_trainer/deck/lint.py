"""Checks on deck sources beyond what the schema can say (``srs lint``).

The loader already enforces the schema, unique question ids and an answer that names a choice;
a source that fails to load is reported with the loader's problems. A source that loads goes
through ``CHECKS``: small functions from a Deck to the problems they find, located with the
line numbers the loader keeps in ``Question.lines``. One check reads the raw text instead,
because the importer's TODO markers may sit in YAML comments, which no Deck keeps.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..wording import plural
from . import cloze, lint_media, lint_types
from .lint_problem import ERROR, WARNING
from .lint_problem import located as _problem
from .model import Choice, Code, Deck, Question, QuestionType
from .problems import InputError, Problem
from .sources import duplicate_deck_ids, parse_deck, read_source

Check = Callable[[Deck], Iterable[Problem]]

# A question whose keyed choice names one of these is about code that does not compile.
_COMPILE_ERRORS = ("SyntaxError", "IndentationError", "TabError")
# What `srs import` writes where a person must decide (as "TODO(srs): ..."); lint refuses it.
TODO_MARKER = "TODO(srs)"


def answer_names_a_choice(deck: Deck) -> Iterable[Problem]:
    """The key is a letter of an existing choice (the loader refuses this too)."""
    for question in _choice_questions(deck):
        if question.choice(question.answer) is None:
            last = question.choices[-1].letter if question.choices else "-"
            yield _problem(
                deck, question, "answer",
                f"answer {question.answer} names no choice (choices are A-{last})",
            )


def _choice_questions(deck: Deck) -> Iterable[Question]:
    return (q for q in deck.questions if q.type is QuestionType.CHOICE)


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def _code_lines(code: Code | None) -> str:
    """Code with trailing spaces and blank edge lines removed; indentation is meaning in code."""
    if code is None:
        return ""
    return "\n".join(line.rstrip() for line in code.source.strip("\n").splitlines()).strip("\n")


def choices_are_distinct(deck: Deck) -> Iterable[Problem]:
    """No choice repeats another, exactly or but for whitespace."""
    for question in deck.questions:
        for index, choice in enumerate(question.choices):
            for earlier in question.choices[:index]:
                key = f"choices.{index}"
                if _same(choice, earlier, exact=True):
                    message = f"choice {choice.letter} repeats choice {earlier.letter}"
                    yield _problem(deck, question, key, message)
                    break
                if _same(choice, earlier, exact=False):
                    yield _problem(
                        deck, question, key,
                        f"choice {choice.letter} differs from choice {earlier.letter} "
                        "only in whitespace",
                    )
                    break


def _same(one: Choice, other: Choice, *, exact: bool) -> bool:
    if exact:
        return (one.text, _code(one)) == (other.text, _code(other))
    return (_collapsed(one.text), _code_lines(one.code)) == (
        _collapsed(other.text),
        _code_lines(other.code),
    )


def _code(choice: Choice) -> str | None:
    return choice.code.source if choice.code else None


def challenges_explain_and_hint(deck: Deck) -> Iterable[Problem]:
    """A challenge needs an explanation (error) and should have a hint (warning).

    The explanation is what turns a wrong answer into a lesson, so a challenge without one is
    unfinished; a hint is a help the quiz page offers, but a question works without it.
    """
    for question in deck.challenges:
        if not question.explanation.strip():
            # A recall or cloze card shows its answer, which is most of the lesson already.
            shows_answer = question.type in (QuestionType.RECALL, QuestionType.CLOZE)
            severity = WARNING if shows_answer else ERROR
            yield _problem(
                deck, question, "explanation", "challenge has no explanation", severity
            )
        if not question.hint.strip() and not _deletion_hints(question):
            yield _problem(deck, question, "hint", "challenge has no hint", WARNING)


def _deletion_hints(question: Question) -> bool:
    """Whether a cloze question's deletions carry hints ({{c1::answer::hint}}) of their own."""
    if question.type is not QuestionType.CLOZE:
        return False
    return any(deletion.hint for deletion in cloze.deletions(question.prompt))


def _is_python(code: Code | None) -> bool:
    return code is not None and code.is_python


def compile_error(source: str) -> SyntaxError | None:
    """Why ``source`` is not valid Python, or None. Compiles only; nothing is run.

    Top-level ``await`` is allowed (snippets show the inside of a coroutine), and a lone
    header such as ``async def view(request):`` counts as valid: it is shown as a signature.
    """
    try:
        _compile(source)
    except SyntaxError as error:
        last = source.rstrip().splitlines()[-1] if source.strip() else ""
        if last.endswith(":"):
            body = " " * (len(last) - len(last.lstrip()) + 4) + "pass"
            try:
                _compile(source.rstrip() + "\n" + body + "\n")
            except SyntaxError:
                return error
            return None
        return error
    except ValueError as error:  # e.g. a NUL character in the source
        return SyntaxError(str(error))
    except RecursionError:
        return SyntaxError("too deeply nested to compile")
    return None


def _compile(source: str) -> None:
    # Warnings such as "invalid escape sequence" are the snippet's business, not lint's output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(source, "<code>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


def _about_compile_errors(question: Question) -> bool:
    """Whether code that does not compile may be the point of the question."""
    if question.kind == "syntax":
        return True
    keyed = question.choice(question.answer)
    return keyed is not None and any(name in keyed.display() for name in _COMPILE_ERRORS)


def _describe(error: SyntaxError) -> str:
    where = f" (code line {error.lineno})" if error.lineno else ""
    return f"{type(error).__name__}: {error.msg}{where}"


def python_code_compiles(deck: Deck) -> Iterable[Problem]:
    """Python code blocks compile, unless compile errors are what the question is about.

    The question's own code must compile (error). A code choice that does not compile is
    normal in a question about syntax; elsewhere it is likely a typo (warning).
    """
    for question in deck.questions:
        allowed = _about_compile_errors(question)
        if _is_python(question.code) and not allowed:
            assert question.code is not None
            error = compile_error(question.code.source)
            if error is not None:
                yield _problem(
                    deck, question, "code.source", f"code does not compile: {_describe(error)}",
                    text_line=error.lineno or 0,
                )
        if question.kind == "syntax":
            continue
        for index, choice in enumerate(question.choices):
            if _is_python(choice.code):
                assert choice.code is not None
                error = compile_error(choice.code.source)
                if error is not None:
                    yield _problem(
                        deck, question, f"choices.{index}.code",
                        f"choice {choice.letter}'s code does not compile: {_describe(error)}",
                        WARNING,
                        text_line=error.lineno or 0,
                    )


@cache
def known_language(name: str) -> bool:
    """Whether Pygments has a lexer called ``name`` (as the renderer looks it up)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        get_lexer_by_name(name.lower())
    except ClassNotFound:
        return False
    return True


def code_languages_are_known(deck: Deck) -> Iterable[Problem]:
    """Every code block names a language Pygments knows; others are shown unhighlighted."""
    for question in deck.questions:
        blocks = [("code.language", "code", question.code)]
        blocks += [
            (f"choices.{index}.language", f"choice {choice.letter}'s code", choice.code)
            for index, choice in enumerate(question.choices)
        ]
        for key, label, code in blocks:
            if code is not None and not known_language(code.language):
                yield _problem(
                    deck, question, key,
                    f"{label} has unknown language {code.language!r} (not a Pygments lexer "
                    "name); it will be shown without highlighting",
                    WARNING,
                )


# Phrases that claim which letter is right. Letters are upper case so that "a" stays a word.
_CLAIMS = tuple(
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        r"(?i:\b(?:correct|right)\s+(?:answer|option|choice))\s*(?:is|:|=)?\s*"
        r"(?i:option\s+)?\(?\**([A-F])\b",
        r"(?i:\banswer\s*(?:is|:|=))\s*(?i:option\s+)?\(?\**([A-F])\b",
        r"(?:->|→|=>)\s*(?i:option\s+)?\(?([A-F])\b",
        r"(?i:\boption)\s+([A-F])\s+(?i:is\s+(?:the\s+)?(?:correct|right|answer))",
        r"\A\s*\*\*(?i:option\s+)?([A-F])\b",  # "**A.** It adds." at the start
        r"\A\s*(?i:option\s+)?([A-F])[.)]\s",  # "B) Because..." at the start
        r"(?:^|\s)=\s*([A-F])\s*\.?\s*$",  # a quick check: "Async improves concurrency = A"
    )
)


def _claims(text: str) -> list[tuple[str, int]]:
    """Each letter claimed to be the answer, with the line of ``text`` (1-based) it is on."""
    return [
        (match.group(1), text.count("\n", 0, match.start(1)) + 1)
        for pattern in _CLAIMS
        for match in pattern.finditer(text)
    ]


def explanations_agree_with_the_key(deck: Deck) -> Iterable[Problem]:
    """Explanations and solution steps that call another letter the answer (warning)."""
    for question in _choice_questions(deck):
        texts = [("explanation", "explanation", question.explanation)]
        for index, step in enumerate(question.solution):
            texts.append((f"solution.{index}.title", f"solution step {index + 1}", step.title))
            texts.append((f"solution.{index}.text", f"solution step {index + 1}", step.text))
        for key, label, text in texts:
            wrong = [(letter, line) for letter, line in _claims(text) if letter != question.answer]
            if wrong:
                others = sorted({letter for letter, _ in wrong})
                yield _problem(
                    deck, question, key,
                    f"{label} names option {', '.join(others)} as the answer, "
                    f"but the key is {question.answer}",
                    WARNING,
                    text_line=min(line for _, line in wrong),
                )


CHECKS: tuple[Check, ...] = (
    answer_names_a_choice,
    choices_are_distinct,
    challenges_explain_and_hint,
    python_code_compiles,
    code_languages_are_known,
    explanations_agree_with_the_key,
    *lint_types.CHECKS,
    lint_media.media_files_exist,
)


def lint_deck(deck: Deck, checks: Sequence[Check] = CHECKS) -> list[Problem]:
    """Every problem the checks find in a loaded deck."""
    return sorted(problem for check in checks for problem in check(deck))


def import_todos(text: str, path: str) -> Iterable[Problem]:
    """Markers ``srs import`` leaves where it needs a person, in values or YAML comments."""
    for number, line in enumerate(text.splitlines(), start=1):
        column = line.find(TODO_MARKER)
        if column >= 0:
            note = line[column + len(TODO_MARKER):].lstrip(":").strip().strip("'\"").strip()
            message = f"unresolved import TODO: {note}" if note else "unresolved import TODO"
            yield Problem(path, number, column + 1, message)


@dataclass
class LintReport:
    """The problems of a lint run, and how many files it read."""

    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> int:
        return sum(problem.is_error for problem in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def failed(self, *, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def summary(self) -> str:
        """'2 errors, 1 warning in 3 files'."""
        return (
            f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')} "
            f"in {plural(self.files, 'file')}"
        )


def shared_anki_decks(decks: Sequence[Deck]) -> Iterable[Problem]:
    """Two sources filing their notes into one Anki deck is likely a copy-paste slip (warning)."""
    first: dict[str, Deck] = {}
    for deck in decks:
        name = deck.anki_name.casefold()
        if name in first and first[name].id != deck.id:
            key = "anki_deck" if deck.anki_deck else "title"
            yield Problem(
                deck.source_path, deck.lines.get(key, 0), 0,
                f"Anki deck {deck.anki_name!r} is also the deck of {first[name].source_path}; "
                "their notes would be mixed in one deck",
                WARNING,
            )
        first.setdefault(name, deck)


def lint_source(text: str, path: str) -> tuple[Deck | None, list[Problem]]:
    """Lint one source's text: the deck if it loads, and every problem found."""
    problems = list(import_todos(text, path))
    try:
        deck = parse_deck(text, path)
    except InputError as error:
        return None, sorted(problems + error.problems)
    return deck, sorted(problems + lint_deck(deck))


def lint_paths(paths: Sequence[str | Path]) -> LintReport:
    """Lint source files, including what only shows across them (reused deck ids)."""
    report = LintReport(files=len(paths))
    decks: list[Deck] = []
    for path in paths:
        try:
            text = read_source(path)
        except InputError as error:
            report.problems.extend(error.problems)
            continue
        deck, problems = lint_source(text, str(path))
        report.problems.extend(problems)
        if deck is not None:
            decks.append(deck)
    report.problems.extend(duplicate_deck_ids(decks))
    report.problems.extend(shared_anki_decks(decks))
    return report

