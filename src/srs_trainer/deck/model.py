"""The deck model: plain typed dataclasses shared by every part of srs-trainer.

This module imports nothing of ours. Sources (YAML) are loaded into these classes by
``sources``; ``anki_export``, ``trainer``, ``importer`` and ``verify`` read or produce them.
Every class round-trips through ``to_dict``/``from_dict`` using the same keys as the YAML
source format (see docs/format.md), so a dict from a source file is a valid ``from_dict`` input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

LETTERS = "ABCDEF"
MIN_CHOICES = 2
MAX_CHOICES = len(LETTERS)
DEFAULT_TIME_LIMIT = 120
DEFAULT_ATTEMPTS = 2


class QuestionType(str, Enum):
    """What kind of card a question makes and how the learner answers it (docs/format.md)."""

    CHOICE = "choice"  # lettered choices, one correct; graded by the trainer
    RECALL = "recall"  # a prompt and a Markdown answer; the learner rates themself
    TYPED = "typed"  # the learner types the answer; graded against ``accept``
    CLOZE = "cloze"  # the prompt holds {{c1::answer::hint}} deletions, one card per number


class Section(str, Enum):
    """Where a question sits on the quiz page: the timed challenge or the untimed practice."""

    CHALLENGE = "challenge"
    PRACTICE = "practice"


PYTHON_LANGUAGES = frozenset({"python", "python3", "py", "py3"})


@dataclass(frozen=True)
class Code:
    """A block of source code shown with a question or as a choice."""

    source: str
    language: str = "python"

    @property
    def is_python(self) -> bool:
        """Whether the block is Python (under any name Pygments knows it by): code lint
        compiles and ``srs verify`` can run."""
        return self.language.lower() in PYTHON_LANGUAGES

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "source": self.source}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Code:
        return cls(source=data["source"], language=data.get("language", "python"))


@dataclass(frozen=True)
class Choice:
    """One lettered option. It is text, code, or text followed by code."""

    letter: str
    text: str = ""
    code: Code | None = None

    def display(self) -> str:
        """The choice as a single string (text, then code), for matching and plain output."""
        parts = [part for part in (self.text, self.code.source if self.code else "") if part]
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.text:
            data["text"] = self.text
        if self.code is not None:
            data["code"] = self.code.source
            data["language"] = self.code.language
        return data

    @classmethod
    def from_dict(cls, letter: str, data: str | Mapping[str, Any]) -> Choice:
        if isinstance(data, str):
            return cls(letter=letter, text=data)
        code = data.get("code")
        return cls(
            letter=letter,
            text=data.get("text", ""),
            code=Code(code, data.get("language", "python")) if code is not None else None,
        )


@dataclass(frozen=True)
class SolutionStep:
    """One step of a worked solution ("Step 1: Understand async view purpose")."""

    title: str
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "text": self.text} if self.text else {"title": self.title}

    @classmethod
    def from_dict(cls, data: str | Mapping[str, Any]) -> SolutionStep:
        if isinstance(data, str):
            return cls(title=data)
        return cls(title=data["title"], text=data.get("text", ""))


class Harness(str, Enum):
    """What a check's code runs inside (``srs verify``; see docs/verify.md)."""

    PYTHON = "python"  # a plain Python script
    DJANGO = "django"  # a minimal Django project; the code defines a view that a test client calls


class ViewClient(str, Enum):
    """Which django.test client calls the view of a ``django`` check."""

    ASYNC = "async"  # django.test.AsyncClient (ASGI)
    SYNC = "sync"  # django.test.Client (WSGI)


@dataclass(frozen=True)
class Expectation:
    """What running a check's code must do. Unset fields (None / "" / False) are not checked."""

    raises: str = ""  # exception class name, short or dotted; matches subclasses like `except`
    message: str = ""  # text the exception's message contains
    line: int | None = None  # the line of the code under test that raises
    syntax_error: bool = False  # the code must not compile
    output: str | None = None  # what the code prints (trailing whitespace ignored)
    returns: Any = None  # python harness: the value (or repr) of the code's last expression
    status: int | None = None  # django harness: the response's status code
    json: Any = None  # django harness: the response body, parsed as JSON
    warns: str = ""  # text a warning contains, e.g. "coroutine 'f' was never awaited"
    within: float | None = None  # seconds: the code (every request of a django check) took at most

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in ("raises", "message", "syntax_error"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        for name in ("line", "output", "returns", "status", "json", "within"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.warns:
            data["warns"] = self.warns
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Expectation:
        status = data.get("status")
        line = data.get("line")
        within = data.get("within")
        return cls(
            raises=data.get("raises", ""),
            message=data.get("message", ""),
            line=int(line) if line is not None else None,
            syntax_error=bool(data.get("syntax_error", False)),
            output=data.get("output"),
            returns=data.get("returns"),
            status=int(status) if status is not None else None,
            json=data.get("json"),
            warns=data.get("warns", ""),
            within=float(within) if within is not None else None,
        )


@dataclass(frozen=True)
class Verify:
    """A runnable check proving that the keyed answer is what really happens (``srs verify``).

    ``expect`` applies to ``run`` (by default the question's code block); ``choices`` maps a
    choice letter to what running that choice's code does. See docs/verify.md.
    """

    run: str = ""
    expect: Expectation | None = None
    choices: Mapping[str, Expectation] = field(default_factory=dict)
    harness: Harness = Harness.PYTHON
    requires: tuple[str, ...] = ()
    setup: str = ""
    view: str = "my_view"
    client: ViewClient = ViewClient.ASYNC
    requests: int = 1  # django harness: how many requests to send at once
    timeout: float | None = None  # seconds; None: the runner's default

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.harness is not Harness.PYTHON:
            data["harness"] = self.harness.value
        if self.requires:
            data["requires"] = list(self.requires)
        if self.setup:
            data["setup"] = self.setup
        if self.run:
            data["run"] = self.run
        if self.view != "my_view":
            data["view"] = self.view
        if self.client is not ViewClient.ASYNC:
            data["client"] = self.client.value
        if self.requests != 1:
            data["requests"] = self.requests
        if self.expect is not None:
            data["expect"] = self.expect.to_dict()
        if self.choices:
            data["choices"] = {letter: e.to_dict() for letter, e in self.choices.items()}
        if self.timeout is not None:
            data["timeout"] = self.timeout
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verify:
        expect = data.get("expect")
        timeout = data.get("timeout")
        return cls(
            run=data.get("run", ""),
            expect=Expectation.from_dict(expect) if expect is not None else None,
            choices={
                letter: Expectation.from_dict(e) for letter, e in data.get("choices", {}).items()
            },
            harness=Harness(data.get("harness", Harness.PYTHON.value)),
            requires=tuple(data.get("requires", ())),
            setup=data.get("setup", ""),
            view=data.get("view", "my_view"),
            client=ViewClient(data.get("client", ViewClient.ASYNC.value)),
            requests=int(data.get("requests", 1)),
            timeout=float(timeout) if timeout is not None else None,
        )


@dataclass(frozen=True)
class Accepted:
    """One accepted answer of a ``typed`` question: a text, or a regular expression."""

    value: str
    regex: bool = False

    def to_dict(self) -> str | dict[str, Any]:
        return {"regex": self.value} if self.regex else self.value

    @classmethod
    def from_dict(cls, data: str | Mapping[str, Any]) -> Accepted:
        if isinstance(data, str):
            return cls(value=data)
        return cls(value=data["regex"], regex=True)


class FieldRole(str, Enum):
    """What a field of a kept Anki note type holds (``AnkiNoteType``)."""

    PROMPT = "prompt"  # the prompt (and its code), as HTML
    ANSWER = "answer"  # recall: the answer and explanation; typed: the shown answer, plain
    CLOZE = "cloze"  # cloze: the prompt with its deletions
    EXTRA = "extra"  # cloze: the explanation


@dataclass(frozen=True)
class AnkiTemplate:
    """One card template of a kept note type, as Anki stores it."""

    name: str
    front: str
    back: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "front": self.front, "back": self.back}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnkiTemplate:
        return cls(name=data["name"], front=data["front"], back=data["back"])


@dataclass(frozen=True)
class AnkiNoteType:
    """A note type of the Anki deck a source was imported from, kept so that its questions
    build into notes of that very note type (its id, fields and templates): Anki's import
    then updates the learner's notes in place, cards and history untouched. Each field holds
    one part of the question (``FieldRole``)."""

    id: int
    name: str
    fields: tuple[tuple[str, FieldRole], ...]
    templates: tuple[AnkiTemplate, ...]
    css: str = ""
    cloze: bool = False
    sort_field: int = 0

    def field_of(self, role: FieldRole) -> str | None:
        return next((name for name, held in self.fields if held is role), None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.cloze:
            data["cloze"] = True
        data["fields"] = [{"name": name, "holds": role.value} for name, role in self.fields]
        data["templates"] = [template.to_dict() for template in self.templates]
        if self.sort_field:
            data["sort_field"] = self.sort_field
        if self.css:
            data["css"] = self.css
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnkiNoteType:
        return cls(
            id=int(data["id"]), name=data["name"],
            fields=tuple((item["name"], FieldRole(item["holds"])) for item in data["fields"]),
            templates=tuple(AnkiTemplate.from_dict(item) for item in data["templates"]),
            css=data.get("css", ""), cloze=bool(data.get("cloze", False)),
            sort_field=int(data.get("sort_field", 0)),
        )


@dataclass(frozen=True)
class Question:
    """One question of a deck; its ``type`` says which of the answer fields it uses.

    ``choice``: ``choices`` and ``answer`` (the correct letter). ``recall``: ``answer`` is the
    Markdown answer. ``typed``: ``accept`` lists the accepted answers (``answer``, if set, is
    the one shown). ``cloze``: the deletions live in ``prompt``; ``answer`` and ``choices``
    are empty. ``guid`` overrides the derived Anki GUID (notes imported from an existing deck
    keep theirs, so a learner's notes update in place); ``anki_note_type`` names the deck's
    kept note type its note is built as (0: srs-trainer's own for its type).
    """

    id: str
    section: Section
    prompt: str
    choices: tuple[Choice, ...]
    answer: str
    title: str = ""
    kind: str = ""
    level: str = ""
    time_limit: int = DEFAULT_TIME_LIMIT
    attempts: int = DEFAULT_ATTEMPTS
    code: Code | None = None
    hint: str = ""
    explanation: str = ""
    solution: tuple[SolutionStep, ...] = ()
    common_mistakes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    verify: Verify | None = None
    type: QuestionType = QuestionType.CHOICE
    accept: tuple[Accepted, ...] = ()
    case_sensitive: bool = False  # typed: compare accepted answers without folding case
    guid: str = ""
    anki_note_type: int = 0
    # Line numbers of fields in the source ("answer" -> 12, "choices.1" -> 15). Not content.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def correct_choice(self) -> Choice:
        return next(choice for choice in self.choices if choice.letter == self.answer)

    def choice(self, letter: str) -> Choice | None:
        return next((c for c in self.choices if c.letter == letter.upper()), None)

    @property
    def line(self) -> int:
        return self.lines.get("", 0)

    @property
    def kind_label(self) -> str:
        """The kind as a learner reads it: ``component_behavior`` is "component behavior"."""
        return self.kind.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "section": self.section.value}
        if self.type is not QuestionType.CHOICE:
            data["type"] = self.type.value
        if self.guid:
            data["guid"] = self.guid
        if self.anki_note_type:
            data["anki_note_type"] = self.anki_note_type
        for name in ("kind", "level", "title"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        data["time_limit"] = self.time_limit
        data["attempts"] = self.attempts
        data["prompt"] = self.prompt
        if self.code is not None:
            data["code"] = self.code.to_dict()
        data.update(self._answer_dict())
        if self.hint:
            data["hint"] = self.hint
        if self.explanation:
            data["explanation"] = self.explanation
        if self.solution:
            data["solution"] = [step.to_dict() for step in self.solution]
        if self.common_mistakes:
            data["common_mistakes"] = list(self.common_mistakes)
        if self.tags:
            data["tags"] = list(self.tags)
        if self.verify is not None:
            data["verify"] = self.verify.to_dict()
        return data

    def _answer_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.choices:
            data["choices"] = [
                choice.text if choice.code is None else choice.to_dict() for choice in self.choices
            ]
        if self.answer:
            data["answer"] = self.answer
        if self.accept:
            data["accept"] = [accepted.to_dict() for accepted in self.accept]
        if self.case_sensitive:
            data["case_sensitive"] = True
        return data

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        default_time_limit: int = DEFAULT_TIME_LIMIT,
        default_attempts: int = DEFAULT_ATTEMPTS,
        lines: Mapping[str, int] | None = None,
    ) -> Question:
        code = data.get("code")
        verify = data.get("verify")
        return cls(
            id=data["id"],
            section=Section(data["section"]),
            kind=data.get("kind", ""),
            level=data.get("level", ""),
            title=data.get("title", ""),
            time_limit=int(data.get("time_limit", default_time_limit)),
            attempts=int(data.get("attempts", default_attempts)),
            prompt=data["prompt"],
            code=Code.from_dict(code) if code is not None else None,
            choices=tuple(
                Choice.from_dict(LETTERS[index], choice)
                for index, choice in enumerate(data.get("choices", ()))
            ),
            answer=data.get("answer", ""),
            hint=data.get("hint", ""),
            explanation=data.get("explanation", ""),
            solution=tuple(SolutionStep.from_dict(step) for step in data.get("solution", ())),
            common_mistakes=tuple(data.get("common_mistakes", ())),
            tags=tuple(data.get("tags", ())),
            verify=Verify.from_dict(verify) if verify is not None else None,
            type=QuestionType(data.get("type", QuestionType.CHOICE.value)),
            accept=tuple(Accepted.from_dict(item) for item in data.get("accept", ())),
            case_sensitive=bool(data.get("case_sensitive", False)),
            guid=data.get("guid", ""),
            anki_note_type=int(data.get("anki_note_type", 0)),
            lines=dict(lines or {}),
        )


@dataclass(frozen=True)
class Badge:
    """What a learner earns by mastering every challenge question of a deck."""

    name: str
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rule": self.rule} if self.rule else {"name": self.name}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Badge:
        return cls(name=data["name"], rule=data.get("rule", ""))


@dataclass(frozen=True)
class Deck:
    """One source file: a titled, ordered set of questions with an optional badge."""

    id: str
    title: str
    questions: tuple[Question, ...]
    anki_deck: str = ""
    description: str = ""
    topic: str = ""
    estimated_minutes: int | None = None
    badge: Badge | None = None
    time_limit: int = DEFAULT_TIME_LIMIT
    attempts: int = DEFAULT_ATTEMPTS
    tags: tuple[str, ...] = ()
    anki_note_types: tuple[AnkiNoteType, ...] = ()
    # Where the deck was loaded from, and line numbers of its fields. Not content.
    source_path: str = field(default="", compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def anki_name(self) -> str:
        return self.anki_deck or self.title

    @property
    def challenges(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.section is Section.CHALLENGE)

    @property
    def practice(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.section is Section.PRACTICE)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def anki_note_type(self, note_type_id: int) -> AnkiNoteType | None:
        return next((kind for kind in self.anki_note_types if kind.id == note_type_id), None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": 1, "id": self.id, "title": self.title}
        if self.anki_deck:
            data["anki_deck"] = self.anki_deck
        if self.description:
            data["description"] = self.description
        if self.topic:
            data["topic"] = self.topic
        if self.estimated_minutes is not None:
            data["estimated_minutes"] = self.estimated_minutes
        if self.badge is not None:
            data["badge"] = self.badge.to_dict()
        data["time_limit"] = self.time_limit
        data["attempts"] = self.attempts
        if self.tags:
            data["tags"] = list(self.tags)
        if self.anki_note_types:
            data["anki_note_types"] = [kind.to_dict() for kind in self.anki_note_types]
        data["questions"] = [question.to_dict() for question in self.questions]
        return data

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        source_path: str = "",
        lines: Mapping[str, int] | None = None,
        question_lines: Sequence[Mapping[str, int]] = (),
    ) -> Deck:
        """Build a deck from source-format data.

        ``lines`` maps the deck's dotted field paths to source lines; ``question_lines`` holds
        one such map per question, relative to the question ("" is the question itself).
        """
        time_limit = int(data.get("time_limit", DEFAULT_TIME_LIMIT))
        attempts = int(data.get("attempts", DEFAULT_ATTEMPTS))
        badge = data.get("badge")
        questions = tuple(
            Question.from_dict(
                item,
                default_time_limit=time_limit,
                default_attempts=attempts,
                lines=question_lines[index] if index < len(question_lines) else None,
            )
            for index, item in enumerate(data["questions"])
        )
        return cls(
            id=data["id"],
            title=data["title"],
            anki_deck=data.get("anki_deck", ""),
            description=data.get("description", ""),
            topic=data.get("topic", ""),
            estimated_minutes=data.get("estimated_minutes"),
            badge=Badge.from_dict(badge) if badge is not None else None,
            time_limit=time_limit,
            attempts=attempts,
            tags=tuple(data.get("tags", ())),
            anki_note_types=tuple(AnkiNoteType.from_dict(item)
                                  for item in data.get("anki_note_types", ())),
            questions=questions,
            source_path=source_path,
            lines=dict(lines or {}),
        )
