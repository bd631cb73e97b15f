"""`srs lint`'s checks of recall, typed and cloze questions (docs/format.md, "Question types").

The loader already refuses what the schema rules out (a recall question without ``answer``, a
typed one without ``accept``, a field of another type), an accepted regex that does not
compile and a cloze that makes no card. These checks find what loads but cannot work as the
author meant: a malformed or empty deletion, deletion numbers with gaps, an accepted answer
that is empty once normalised, two accepted answers that normalisation makes one, a shown
answer its own question refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..markdown.plain import plain_markdown
from . import cloze, typed_answer
from .lint_problem import WARNING, located
from .model import Deck, Question, QuestionType
from .problems import Problem

# What an author may have meant as a deletion: "{{c1:x}}", "{{c::x}}", "{{ c1::x }}".
_DELETION_LIKE = re.compile(r"\{\{\s*c\d*\s*:")


def _line_in(text: str, index: int) -> int:
    """The 1-based line of ``text`` that character ``index`` is on."""
    return text.count("\n", 0, index) + 1


def cloze_deletions_make_cards(deck: Deck) -> Iterable[Problem]:
    """A cloze's deletions are numbered from c1 without gaps, each with an answer.

    (A cloze without any deletion numbered c1 or more is the loader's error: it makes no card.)
    """
    for question in deck.questions:
        if question.type is not QuestionType.CLOZE:
            continue
        found = cloze.deletions(question.prompt)
        yield from _malformed_deletions(deck, question, found)
        for deletion in found:
            line = _line_in(question.prompt, deletion.start)
            if deletion.number == 0:
                yield located(
                    deck, question, "prompt", "deletion c0: numbers start at c1",
                    text_line=line,
                )
            if not deletion.answer.strip():
                yield located(
                    deck, question, "prompt", f"deletion c{deletion.number} has no answer",
                    text_line=line,
                )
        numbers = [number for number in cloze.numbers(question.prompt) if number > 0]
        missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
        if missing:
            shown = ", ".join(f"c{number}" for number in missing)
            used = ", ".join(f"c{number}" for number in numbers)
            yield located(
                deck, question, "prompt",
                f"deletion numbers skip {shown} (found {used}); number them c1, c2, ... "
                "so that each card is where Anki and the trainer expect it",
                WARNING,
            )


def _malformed_deletions(
    deck: Deck, question: Question, found: tuple[cloze.Deletion, ...]
) -> Iterable[Problem]:
    starts = {deletion.start for deletion in found}
    for match in _DELETION_LIKE.finditer(question.prompt):
        if match.start() in starts:
            continue
        end = question.prompt.find("}}", match.start())
        written = question.prompt[match.start() : end + 2 if end >= 0 else match.end()]
        yield located(
            deck, question, "prompt",
            f"{written!r} is not a deletion; write {{{{c1::answer}}}} or "
            "{{c1::answer::hint}}",
            text_line=_line_in(question.prompt, match.start()),
        )


def recall_answers_say_something(deck: Deck) -> Iterable[Problem]:
    """A recall answer shows text once rendered (not only markup, say an empty code fence)."""
    for question in deck.questions:
        if question.type is QuestionType.RECALL and not plain_markdown(question.answer).strip():
            yield located(deck, question, "answer", "recall answer shows no text")


def typed_answers_are_unambiguous(deck: Deck) -> Iterable[Problem]:
    """Each accepted answer is something to type, distinct once normalised; the shown one is
    accepted."""
    for question in deck.questions:
        if question.type is QuestionType.TYPED:
            yield from _typed_problems(deck, question)


def _typed_problems(deck: Deck, question: Question) -> Iterable[Problem]:
    exact = question.case_sensitive
    first: dict[str, int] = {}
    for index, accepted in enumerate(question.accept):
        key = f"accept.{index}"
        if accepted.regex:
            if _compiles(accepted.value) and typed_answer.accepts(
                accepted, "", case_sensitive=exact
            ):
                yield located(
                    deck, question, key,
                    f"accepted regex {accepted.value!r} matches an empty answer",
                )
            continue
        normal = typed_answer.normalise(accepted.value, case_sensitive=exact)
        if not normal:
            yield located(deck, question, key, f"accepted answer {index + 1} is empty")
        elif normal in first:
            how = "" if exact else " (case is folded unless case_sensitive: true)"
            yield located(
                deck, question, key,
                f"accepted answer {accepted.value!r} is the same as "
                f"{question.accept[first[normal]].value!r} once normalised{how}",
            )
        else:
            first[normal] = index
    yield from _shown_answer_problems(deck, question)


def _shown_answer_problems(deck: Deck, question: Question) -> Iterable[Problem]:
    if not all(_compiles(accepted.value) for accepted in question.accept if accepted.regex):
        return  # the loader reports the regex; grading cannot be judged
    if not question.answer and all(accepted.regex for accepted in question.accept):
        yield located(
            deck, question, "accept",
            "every accepted answer is a regex: add `answer`, the answer shown after grading",
        )
    elif question.answer and not typed_answer.is_accepted(question, question.answer):
        yield located(
            deck, question, "answer",
            f"the shown answer {question.answer!r} is not one of the accepted answers",
        )


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


CHECKS = (cloze_deletions_make_cards, recall_answers_say_something, typed_answers_are_unambiguous)
