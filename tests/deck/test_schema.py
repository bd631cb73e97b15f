"""The shipped JSON Schema: valid, printed by `srs schema`, met by the bundled deck and the docs'
example, and enforced by the loader exactly as jsonschema enforces it."""

from __future__ import annotations

import copy
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from srs_trainer.cli import main
from srs_trainer.deck.lint import lint_source
from srs_trainer.deck.model import QuestionType, Section
from srs_trainer.deck.problems import InputError
from srs_trainer.deck.sources import load_deck, parse_deck, schema, schema_path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "format.md"
VALIDATOR = Draft202012Validator(schema())
# Rules the loader adds to the schema's, on purpose (see docs/format.md).
LOADER_ONLY = (
    "names no choice", "duplicate question id", "duplicate question guid", "duplicate key",
    "not a valid regular expression", "a cloze needs a deletion",
)


def docs_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"<!-- complete-example -->\n```yaml\n(.*?)\n```\n", text, re.DOTALL)
    assert match, "docs/format.md lost its <!-- complete-example --> yaml block"
    return match.group(1) + "\n"


def schema_errors(text: str) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(yaml.safe_load(text))]


def loader_errors(text: str) -> list[str]:
    try:
        parse_deck(text, "deck.yaml")
    except InputError as error:
        return [problem.message for problem in error.problems]
    return []


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema())
    assert json.loads(schema_path().read_text(encoding="utf-8")) == schema()


def test_srs_schema_prints_the_schema_and_its_path() -> None:
    runner = CliRunner()
    printed = runner.invoke(main, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == schema()
    located = runner.invoke(main, ["schema", "--path"])
    assert located.exit_code == 0
    assert Path(located.stdout.strip()) == schema_path()
    assert schema_path().is_file()


def test_the_bundled_deck_meets_the_schema_and_loads(bundled_deck_source: Path) -> None:
    text = bundled_deck_source.read_text(encoding="utf-8")
    assert schema_errors(text) == []
    deck = load_deck(bundled_deck_source)
    assert deck.id == "django-async"
    assert deck.challenges and deck.practice


def test_the_docs_example_meets_the_schema_loads_and_lints_clean() -> None:
    text = docs_example()
    assert schema_errors(text) == []
    deck, problems = lint_source(text, "docs/format.md#example")
    assert [str(problem) for problem in problems] == []
    assert deck is not None
    # "Complete": it shows every part of the format it claims to show.
    assert {question.section for question in deck.questions} == set(Section)
    assert any(question.code for question in deck.questions)
    assert any(choice.code for question in deck.questions for choice in question.choices)
    steps = [step for question in deck.questions for step in question.solution]
    assert any(step.text for step in steps) and any(not step.text for step in steps)
    assert any(question.common_mistakes for question in deck.questions)
    assert deck.tags and any(question.tags for question in deck.questions)
    assert any(question.verify for question in deck.questions)
    assert deck.badge is not None and deck.anki_deck


def test_the_docs_example_of_question_types_meets_the_schema_and_lints_clean() -> None:
    example = DOCS.parent / "examples" / "question-types.yaml"
    assert "examples/question-types.yaml" in DOCS.read_text(encoding="utf-8")
    text = example.read_text(encoding="utf-8")
    assert schema_errors(text) == []
    deck, problems = lint_source(text, str(example))
    assert [str(problem) for problem in problems] == []
    assert deck is not None
    assert {question.type for question in deck.questions} == set(QuestionType)


def test_the_docs_describe_every_field_of_the_schema() -> None:
    text = DOCS.read_text(encoding="utf-8")
    definitions = schema()["$defs"]
    objects = {
        "deck": schema(),
        "question": definitions["question"],
        "code": definitions["code"],
        "choice": definitions["choice"]["oneOf"][1],
        "step": definitions["step"]["oneOf"][1],
        "badge": schema()["properties"]["badge"],
    }
    for name, rule in objects.items():
        for field in rule["properties"]:
            assert f"`{field}`" in text, f"docs/format.md does not mention {name} field {field}"


BASE = textwrap.dedent(
    """\
    format: 1
    id: agree
    title: Agreement
    anki_deck: Parent::Child
    estimated_minutes: 5
    badge: {name: Agreed}
    time_limit: 60
    attempts: 2
    tags: [one, two]
    questions:
      - id: first
        section: challenge
        kind: conceptual
        prompt: Pick A.
        code: {language: python, source: "x = 1"}
        choices:
          - "yes, A"
          - text: B
          - code: print(3)
            language: python
        answer: A
        hint: A.
        explanation: A.
        solution:
          - Step one
          - {title: Final Answer, text: A}
        common_mistakes: [Picking B.]
    """
)

BAD = {
    "wrong format": ("format: 1", "format: 2"),
    "format is true": ("format: 1", "format: true"),
    "no title": ("title: Agreement\n", ""),
    "id not a slug": ("id: agree", "id: Not A Slug"),
    "unknown deck field": ("title: Agreement", "title: Agreement\ncolour: red"),
    "title spans lines": ("title: Agreement", 'title: "Agree\\nment"'),
    "blank title": ("title: Agreement", 'title: "   "'),
    "single colon in anki_deck": ("Parent::Child", "Parent:Child"),
    "zero minutes": ("estimated_minutes: 5", "estimated_minutes: 0"),
    "time limit too short": ("time_limit: 60", "time_limit: 4"),
    "time limit as text": ("time_limit: 60", 'time_limit: "60"'),
    "time limit true": ("time_limit: 60", "time_limit: true"),
    "too many attempts": ("attempts: 2", "attempts: 6"),
    "repeated tag": ("tags: [one, two]", "tags: [one, one]"),
    "tag with a space": ("tags: [one, two]", 'tags: ["one two"]'),
    "badge without name": ("badge: {name: Agreed}", "badge: {rule: x}"),
    "no questions": ("questions:\n", "questions: []\nold:\n"),
    "questions a mapping": ("questions:\n  - id: first", "questions:\n    id: first"),
    "unknown section": ("section: challenge", "section: homework"),
    "kind not lowercase": ("kind: conceptual", "kind: Conceptual"),
    "empty prompt": ("prompt: Pick A.", 'prompt: ""'),
    "code without source": ('code: {language: python, source: "x = 1"}', "code: {language: py}"),
    "bad language": ("language: python, source", "language: py thon, source"),
    "one choice": ('      - text: B\n      - code: print(3)\n        language: python\n', ""),
    "seven choices": ("      - text: B\n", "      - text: B\n" + "      - more\n" * 5),
    "empty choice": ("      - text: B", '      - ""'),
    "blank choice text": ("      - text: B", '      - text: "  "'),
    "empty choice mapping": ("      - text: B", "      - {}"),
    "choice with language only": ("      - text: B", "      - {language: python}"),
    "unknown choice field": ("      - text: B", "      - {text: B, colour: red}"),
    "answer G": ("answer: A", "answer: G"),
    "answer lower case": ("answer: A", "answer: a"),
    "hint a number": ("hint: A.", "hint: 5"),
    "step without title": ("{title: Final Answer, text: A}", "{text: A}"),
    "empty common mistake": ("common_mistakes: [Picking B.]", 'common_mistakes: [""]'),
    "top level a list": (BASE, "- " + BASE.replace("\n", "\n  ")),
}


# One question of each new type, appended to BASE's questions; TYPED_BAD changes break them.
TYPES = BASE + textwrap.indent(textwrap.dedent(
    """\
      - id: recall-one
        section: practice
        type: recall
        prompt: Why?
        answer: Because **this**.
      - id: typed-one
        section: practice
        type: typed
        guid: "Ab3#x,Y"
        prompt: Name it.
        answer: asyncio
        accept: [asyncio, {regex: "async ?io"}]
        case_sensitive: false
      - id: cloze-one
        section: practice
        type: cloze
        prompt: "{{c1::await}} waits; {{c2::async def::keyword}} defines."
    """
), "  ")
TYPED_BAD = {
    "unknown type": ("type: recall", "type: basic"),
    "recall without answer": ("    answer: Because **this**.\n", ""),
    "recall with blank answer": ("answer: Because **this**.", 'answer: "  "'),
    "recall with choices": ("answer: Because **this**.", "answer: x\n    choices: [a, b]"),
    "typed without accept": ("    accept: [asyncio, {regex: \"async ?io\"}]\n", ""),
    "typed with empty accept": ('accept: [asyncio, {regex: "async ?io"}]', "accept: []"),
    "typed with an empty text": ('accept: [asyncio, {regex: "async ?io"}]', 'accept: [""]'),
    "typed with an empty regex": ('{regex: "async ?io"}', '{regex: ""}'),
    "typed regex mapping with more": ('{regex: "async ?io"}', '{regex: a, text: b}'),
    "typed accept a number": ('accept: [asyncio, {regex: "async ?io"}]', "accept: [5]"),
    "typed case_sensitive text": ("case_sensitive: false", "case_sensitive: maybe"),
    "guid with a space": ('guid: "Ab3#x,Y"', 'guid: "Ab3 x"'),
    "empty guid": ('guid: "Ab3#x,Y"', 'guid: ""'),
    "cloze with answer": ("type: cloze\n", "type: cloze\n    answer: A\n"),
    "cloze with accept": ("type: cloze\n", "type: cloze\n    accept: [x]\n"),
    "choice with accept": ("answer: A\n", "answer: A\n    accept: [x]\n"),
    "choice with case_sensitive": ("answer: A\n", "answer: A\n    case_sensitive: true\n"),
    "explicit choice without choices": ("type: recall", "type: choice"),
}


def test_every_type_is_accepted_by_jsonschema_and_the_loader() -> None:
    assert schema_errors(TYPES) == []
    deck = parse_deck(TYPES, "deck.yaml")
    assert [q.type.value for q in deck.questions] == ["choice", "recall", "typed", "cloze"]
    typed = deck.questions[2]
    assert typed.guid == "Ab3#x,Y" and [a.regex for a in typed.accept] == [False, True]


@pytest.mark.parametrize("change", TYPED_BAD.values(), ids=list(TYPED_BAD))
def test_jsonschema_and_the_loader_both_reject_each_bad_typed_question(
    change: tuple[str, str],
) -> None:
    old, new = change
    assert old in TYPES
    text = TYPES.replace(old, new, 1)
    assert schema_errors(text), "jsonschema accepts it"
    assert loader_errors(text), "the loader accepts it"


def test_a_field_of_another_type_is_named_at_its_key() -> None:
    text = TYPES.replace("type: cloze\n", "type: cloze\n    answer: A\n")
    (message,) = loader_errors(text)
    assert message == "questions[3].answer: not used in a cloze question"


def test_the_loader_refuses_a_regex_python_cannot_compile() -> None:
    text = TYPES.replace('{regex: "async ?io"}', '{regex: "async (io"}', 1)
    assert schema_errors(text) == []
    (message,) = loader_errors(text)
    assert message.startswith("questions[2].accept[1].regex: not a valid regular expression")


def test_two_questions_with_one_guid_are_refused() -> None:
    text = TYPES.replace("type: cloze\n", 'type: cloze\n    guid: "Ab3#x,Y"\n')
    assert schema_errors(text) == []
    (message,) = loader_errors(text)
    assert message.startswith("duplicate question guid 'Ab3#x,Y' (first used on line ")


@pytest.mark.parametrize("change", BAD.values(), ids=list(BAD))
def test_jsonschema_and_the_loader_both_reject_each_bad_source(change: tuple[str, str]) -> None:
    old, new = change
    assert old in BASE
    text = BASE.replace(old, new, 1)
    assert schema_errors(text), "jsonschema accepts it"
    assert loader_errors(text), "the loader accepts it"


def test_jsonschema_and_the_loader_both_accept_the_base_and_its_variants() -> None:
    variants = [
        BASE,
        BASE.replace("format: 1", "format: 1.0"),  # JSON has one number type; 1.0 is 1
        BASE.replace("      - text: B", "      - {text: B, code: b(), language: js}"),
        BASE.replace("anki_deck: Parent::Child", "anki_deck: A::B::C"),
        BASE.replace("hint: A.", 'hint: ""'),
    ]
    for text in variants:
        assert schema_errors(text) == []
        assert loader_errors(text) == []


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("answer: A", "answer: D", "names no choice"),
        ("id: first", "id: first\n    section: practice\n    section: challenge", "duplicate key"),
        ("time_limit: 60", "time_limit: 60.0", "must be integer"),
    ],
)
def test_the_loader_is_stricter_only_where_documented(old: str, new: str, reason: str) -> None:
    text = BASE.replace(old, new, 1)
    assert schema_errors(text) == []
    assert any(reason in message for message in loader_errors(text))


# A random value in a random place: jsonschema and the loader must agree on every one.
PLACES: list[tuple[Any, ...]] = [
    ("title",), ("anki_deck",), ("estimated_minutes",), ("badge",), ("badge", "name"),
    ("time_limit",), ("tags",), ("questions",), ("questions", 0),
    *[("questions", 0, name) for name in (
        "id", "section", "kind", "title", "attempts", "prompt", "code", "choices", "answer",
        "hint", "solution", "common_mistakes", "tags")],
    ("questions", 0, "code", "source"), ("questions", 0, "choices", 1),
    ("questions", 0, "choices", 2, "language"), ("questions", 0, "solution", 1),
    ("questions", 0, "type"), ("questions", 0, "guid"), ("questions", 0, "accept"),
    ("questions", 2, "accept"), ("questions", 2, "accept", 1), ("questions", 2, "answer"),
    ("questions", 1, "answer"), ("questions", 3, "prompt"), ("questions", 3, "choices"),
]
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 4000)
    | st.floats(allow_nan=False).filter(lambda number: not number.is_integer())
    | st.sampled_from(["", " ", "A", "G", "python", "challenge", "a-slug", "Two\nlines", "x::y"])
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=7) | st.dictionaries(
        st.sampled_from(["text", "code", "language", "title", "name", "rule", "source", "x"]),
        inner, max_size=3,
    ),
    max_leaves=6,
)


@settings(max_examples=200, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PLACES), values)
def test_jsonschema_and_the_loader_agree_on_random_values(
    place: tuple[Any, ...], value: Any
) -> None:
    data = yaml.safe_load(TYPES)
    target = data
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = copy.deepcopy(value)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    from_schema = schema_errors(text)
    from_loader = [m for m in loader_errors(text) if not any(r in m for r in LOADER_ONLY)]
    assert bool(from_schema) == bool(from_loader), (from_schema, from_loader)


@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PLACES), values)
def test_the_compiled_check_agrees_with_the_walk_on_random_values(
    place: tuple[Any, ...], value: Any
) -> None:
    from srs_trainer.deck.sources import Located
    from srs_trainer.deck.validator import Validator, valid

    data = yaml.safe_load(TYPES)
    target = data
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = copy.deepcopy(value)
    walked = list(Validator(schema(), Located(data), "deck.yaml").check(data, schema(), ""))
    assert valid(data, schema()) == (not walked), walked
