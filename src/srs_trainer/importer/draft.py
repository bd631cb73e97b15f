"""A question as it is read off a page, before the page's ids are given out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..deck.model import (
    DEFAULT_ATTEMPTS,
    DEFAULT_TIME_LIMIT,
    Choice,
    Code,
    Question,
    Section,
    SolutionStep,
)
from .ids import slugify, unique_id


@dataclass
class Draft:
    """A question being read: ``line`` is its first page line (1-based), ``number`` its place
    in its section, ``id_source`` the words its id is made from."""

    section: Section
    number: int
    line: int
    id_source: str
    prompt: str = ""
    title: str = ""
    kind: str = ""
    level: str = ""
    time_limit: int | None = None
    attempts: int | None = None
    code: Code | None = None
    choices: list[Choice] = field(default_factory=list)
    answer: str = ""
    hint: str = ""
    solution: list[SolutionStep] = field(default_factory=list)
    common_mistakes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.section.value} {self.number}"

    def question(self, question_id: str) -> Question:
        return Question(
            id=question_id,
            section=self.section,
            prompt=self.prompt,
            choices=tuple(self.choices),
            answer=self.answer,
            title=self.title,
            kind=self.kind,
            level=self.level,
            time_limit=self.time_limit or DEFAULT_TIME_LIMIT,
            attempts=self.attempts or DEFAULT_ATTEMPTS,
            code=self.code,
            hint=self.hint,
            solution=tuple(self.solution),
            common_mistakes=tuple(self.common_mistakes),
            lines={"": self.line},
        )


def questions(drafts: Iterable[Draft]) -> tuple[Question, ...]:
    """The drafts as questions, in page order, with ids unique across the page."""
    taken: set[str] = set()
    return tuple(draft.question(unique_id(slugify(draft.id_source), taken)) for draft in drafts)
