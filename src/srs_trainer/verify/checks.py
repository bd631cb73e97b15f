"""Mistakes in a deck's ``verify`` blocks that the schema cannot see, located by line.

``srs verify`` refuses to run a deck that has one of these errors (``runner.load``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..deck.model import Deck, Harness, Question, QuestionType, Verify
from ..deck.problems import Problem, Severity
from ..deck.typed_answer import is_accepted


def check_problems(deck: Deck) -> list[Problem]:
    """Mistakes in a deck's verify blocks that the schema cannot see, located by line."""
    return [found for question in deck.questions for found in _question_problems(deck, question)]


def _question_problems(deck: Deck, question: Question) -> Iterator[Problem]:
    check = question.verify
    if check is None:
        return

    def problem(where: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
        line = question.lines.get(where) or question.lines.get("verify") or question.line
        return Problem(deck.source_path, line, 0, f"{question.id}: {where}: {message}", severity)

    if check.expect is None and not check.choices:
        yield problem("verify", "give 'expect' or 'choices': what running the code must do")
    yield from _code_problems(question, check, problem)
    yield from _harness_problems(check, problem)
    yield from _typed_problems(question, check, problem)
    if (question.type is QuestionType.CHOICE and check.choices and check.expect is None
            and question.answer not in check.choices):
        yield problem(
            "verify.choices",
            f"the keyed answer {question.answer} has no expectation: the check does not prove it",
            Severity.WARNING,
        )


def _typed_problems(
    question: Question, check: Verify, problem: Callable[[str, str], Problem]
) -> Iterator[Problem]:
    """A check of a question without choices; for a typed one, an output its key accepts.

    Running the code proves that it prints ``expect.output``; that output being an accepted
    answer is what ties the proof to the key.
    """
    if question.type is QuestionType.CHOICE:
        return
    if check.choices:
        yield problem("verify.choices", f"a {question.type.value} question has no choices")
    output = check.expect.output if check.expect is not None else None
    typed = question.type is QuestionType.TYPED
    if typed and output is not None and not is_accepted(question, output):
        yield problem(
            "verify.expect.output",
            f"{output.rstrip()!r} is not an accepted answer: the check does not prove the key",
        )


def _code_problems(
    question: Question, check: Verify, problem: Callable[[str, str], Problem]
) -> Iterator[Problem]:
    """Expectations with no Python code to run them on."""
    if check.expect is not None and not check.run:
        if question.code is None:
            why = "there is no code to run: add 'run' or a code block to the question"
            yield problem("verify.expect", why)
        elif not question.code.is_python:
            why = f"the question's code is {question.code.language}; checks run Python: add 'run'"
            yield problem("verify.expect", why)
    for letter in check.choices if question.type is QuestionType.CHOICE else ():
        choice = question.choice(letter)
        where = f"verify.choices.{letter}"
        if choice is None:
            yield problem(where, f"the question has no choice {letter}")
        elif choice.code is None:
            yield problem(where, f"choice {letter} has no code to run")
        elif not choice.code.is_python:
            yield problem(where, f"choice {letter}'s code is {choice.code.language}, not Python")


def _harness_problems(check: Verify, problem: Callable[[str, str], Problem]) -> Iterator[Problem]:
    """Expectations that the check's harness cannot test."""
    named = [("verify.expect", check.expect)] if check.expect is not None else []
    named += [(f"verify.choices.{letter}", e) for letter, e in check.choices.items()]
    for where, expect in named:
        describes_response = expect.status is not None or expect.json is not None
        if check.harness is Harness.PYTHON and describes_response:
            yield problem(where, "'status' and 'json' need harness: django")
        if check.harness is Harness.DJANGO and expect.returns is not None:
            yield problem(where, "'returns' needs harness: python (a django check calls a view)")
    if check.harness is Harness.PYTHON and check.requests != 1:
        yield problem("verify.requests", "'requests' needs harness: django")
