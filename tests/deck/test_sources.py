"""The loader's guarantees: every problem located as path:line:column, all of them in one run,
YAML loaded safely, and nothing but a Deck or an InputError whatever the input."""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from srs_trainer.deck.model import Deck, Section
from srs_trainer.deck.problems import InputError, Problem
from srs_trainer.deck.sources import load_deck, load_decks, parse_deck, read_source

# A small deck using every field of the format; the mutation tests start from it.
VALID = textwrap.dedent(
    """\
    format: 1
    id: sample-deck
    title: A sample deck
    anki_deck: Samples::A sample deck
    description: |
      Used by the loader tests.
    topic: Testing
    estimated_minutes: 5
    badge:
      name: Sampler
      rule: Answer everything.
    time_limit: 90
    attempts: 2
    tags: [sample, tests]
    questions:
      - id: first-question
        section: challenge
        kind: conceptual
        level: easy
        title: The first question
        time_limit: 60
        attempts: 1
        prompt: |
          What does this print?
        code:
          language: python
          source: |
            print(1 + 1)
        choices:
          - "2"
          - "11"
          - code: print(2)
            language: python
          - text: Nothing
        answer: A
        hint: Addition.
        explanation: |
          **A.** It adds.
        common_mistakes:
          - Concatenating.
        tags: [arithmetic]
        verify:
          run: print(1 + 1)
          expect:
            output: "2"
      - id: second-question
        section: practice
        prompt: Pick B.
        choices: ["no", "yes"]
        answer: B
        solution:
          - Read the prompt.
          - title: Final Answer
            text: B
    """
)


BUNDLED_DECK = Path(__file__).resolve().parents[2] / "cards" / "django-async.yaml"


def problems_of(text: str, path: str = "deck.yaml") -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse_deck(text, path)
    return caught.value.problems


def messages(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


def test_a_valid_source_loads_with_defaults_and_line_numbers() -> None:
    deck = parse_deck(VALID, "cards/sample.yaml")
    assert deck.id == "sample-deck"
    assert deck.source_path == "cards/sample.yaml"
    first, second = deck.questions
    assert first.section is Section.CHALLENGE and second.section is Section.PRACTICE
    assert first.time_limit == 60 and second.time_limit == 90  # the deck's default applies
    assert first.choices[2].code is not None and first.choices[2].code.source == "print(2)"
    assert first.choices[3].text == "Nothing"
    assert first.verify is not None
    assert [step.title for step in second.solution] == ["Read the prompt.", "Final Answer"]
    lines = VALID.splitlines()
    assert lines[first.lines["answer"] - 1].strip() == "answer: A"
    assert lines[first.lines["choices.2"] - 1].strip() == "- code: print(2)"
    assert lines[second.line - 1].strip() == "- id: second-question"
    assert lines[deck.lines["title"] - 1] == "title: A sample deck"


def test_every_problem_of_a_file_is_reported_in_one_run_with_its_line_and_column() -> None:
    text = (
        VALID.replace("section: practice", "section: homework")
        .replace("time_limit: 60", "time_limit: sixty")
        .replace("title: A sample deck", "title: A sample deck\ncolour: blue")
    )
    problems = problems_of(text, "cards/bad.yaml")
    lines = text.splitlines()
    found = {(p.line, p.message.split(":")[0]) for p in problems}
    assert (lines.index("colour: blue") + 1, "colour") in found
    assert (lines.index("    section: homework") + 1, "questions[1].section") in found
    assert (lines.index("    time_limit: sixty") + 1, "questions[0].time_limit") in found
    assert len(problems) == 3
    for problem in problems:
        assert re.match(r"cards/bad\.yaml:\d+:\d+: error: ", str(problem)), str(problem)


def test_a_missing_required_field_names_the_field_and_the_question_line() -> None:
    text = VALID.replace("    answer: B\n", "")
    (problem,) = problems_of(text)
    assert problem.message == "questions[1]: missing required field 'answer'"
    assert text.splitlines()[problem.line - 1].strip() == "- id: second-question"


def test_yaml_syntax_errors_point_at_the_line() -> None:
    text = VALID.replace("    prompt: Pick B.", "    prompt: [Pick B.")
    (problem,) = problems_of(text)
    assert problem.message.startswith("YAML syntax:")
    assert problem.line > text.splitlines().index("    prompt: [Pick B.")


def test_an_unclosed_quote_is_said_where_it_opens() -> None:
    text = 'format: 1\nid: demo\ntitle: "Demo\nquestions: []\n'
    (problem,) = problems_of(text)
    assert problem.line == 5  # where YAML finds it: the end of the file
    assert "while scanning a quoted scalar (line 3, column 8)" in problem.message


def test_a_tab_in_the_indentation_is_named() -> None:
    text = VALID.replace("    prompt: Pick B.", "\tprompt: Pick B.")
    (problem,) = problems_of(text)
    assert problem.message.endswith("(a tab: YAML indents with spaces only)")
    assert text.splitlines()[problem.line - 1] == "\tprompt: Pick B."


def test_unquoted_yes_and_no_get_a_hint_to_quote_them() -> None:
    text = VALID.replace('choices: ["no", "yes"]', "choices: [no, yes]")
    first, second = problems_of(text)
    assert first.message == (
        "questions[1].choices[0]: must be text or a mapping, not a true/false value"
        " (YAML reads unquoted yes/no/on/off/true/false as true/false; quote text)"
    )
    assert (first.line, first.column, second.column) == (49, 15, 19)


def test_characters_yaml_forbids_and_bad_tagged_values_are_located() -> None:
    (control,) = problems_of(VALID.replace("topic: Testing", "topic: Test\x07ing"))
    assert (control.line, control.column) == (7, 12)
    assert control.message.startswith("character U+0007 is not allowed in YAML")
    (timestamp,) = problems_of(VALID.replace("topic: Testing", "topic: !!timestamp soon"))
    assert str(timestamp) == "deck.yaml:7:8: error: 'soon' is not a valid !!timestamp"
    (surrogate,) = problems_of(VALID.replace("topic: Testing", "topic: \ud800"))
    assert (surrogate.line, surrogate.message) == (7, "text is not valid Unicode (lone surrogate)")


def test_duplicate_keys_are_reported_where_they_repeat() -> None:
    text = VALID.replace("    answer: B\n", "    answer: B\n    answer: A\n")
    (problem,) = problems_of(text)
    assert problem.message == "duplicate key 'answer'"
    assert text.splitlines()[problem.line - 1] == "    answer: A"
    assert problem.column == 5


def test_duplicate_keys_and_schema_problems_are_reported_together() -> None:
    text = VALID.replace("id: sample-deck\n", "id: sample-deck\nid: Sample Deck\n")
    found = messages(problems_of(text))
    assert "deck.yaml:3:1: error: duplicate key 'id'" in found
    assert any("id: 'Sample Deck' is not a slug" in message for message in found)


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system ''",
        "!custom {{a: 1}}",
        "!!set {{a, b}}",
    ],
)
def test_yaml_tags_never_construct_objects(value: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = VALID.replace("topic: Testing", "topic: " + value.format(marker=marker))
    problems = problems_of(text)
    assert marker.exists() is False
    (problem,) = problems
    assert "unsupported YAML tag" in problem.message
    assert problem.line == 7


def test_aliases_that_expand_to_billions_of_values_are_refused_quickly() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        levels.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    started = time.perf_counter()
    problems = problems_of("\n".join(levels) + "\n")
    assert time.perf_counter() - started < 5
    assert any("too much data" in p.message for p in problems)


def test_values_written_out_and_modest_aliases_are_never_limited() -> None:
    many = "      - Mistake.\n" * 120_000  # more values than aliases may repeat
    text = VALID.replace("      - Concatenating.\n", many)
    text = text.replace("tags: [sample, tests]", "tags: &shared [sample, tests]").replace(
        "tags: [arithmetic]", "tags: *shared"
    )
    deck = parse_deck(text)
    assert len(deck.questions[0].common_mistakes) == 120_000
    assert deck.questions[0].tags == deck.tags == ("sample", "tests")


def test_merge_keys_are_refused_with_a_clear_message() -> None:
    text = VALID.replace("badge:\n", "badge: &b\n").replace(
        "time_limit: 90\n", "time_limit: 90\nextra:\n  <<: *b\n"
    )
    found = messages(problems_of(text))
    assert any("merge keys (<<) are not supported" in message for message in found)


def test_an_answer_that_names_no_choice_is_refused() -> None:
    text = VALID.replace("    answer: B\n", "    answer: E\n")
    (problem,) = problems_of(text)
    assert problem.message == "questions[1].answer: E names no choice; there are only 2 (A-B)"
    assert text.splitlines()[problem.line - 1] == "    answer: E"


def test_an_answer_past_f_names_the_letters_the_question_has() -> None:
    text = VALID.replace("    answer: B\n", "    answer: Z\n")
    (problem,) = problems_of(text)  # not also the schema's "one of A, B, C, D, E, F"
    assert problem.message == "questions[1].answer: Z names no choice; there are only 2 (A-B)"
    assert text.splitlines()[problem.line - 1] == "    answer: Z"


def test_a_choice_mapping_needs_text_or_code() -> None:
    text = VALID.replace("      - text: Nothing\n", "      - language: python\n")
    (problem,) = problems_of(text)
    assert problem.message == "questions[0].choices[3]: needs 'text' or 'code'"


def test_duplicate_question_ids_name_the_first_line() -> None:
    text = VALID.replace("id: second-question", "id: first-question")
    (problem,) = problems_of(text)
    first_line = text.splitlines().index("  - id: first-question") + 1
    assert problem.message == (
        f"duplicate question id 'first-question' (first used on line {first_line})"
    )


def test_missing_directory_and_non_utf8_files_are_reported_cleanly(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(VALID.replace("A sample deck", "Un paquet café").encode("latin-1"))
    cases = {
        tmp_path / "missing.yaml": "no such file",
        tmp_path: "is a directory, not a source file",
        latin1: "not UTF-8 text: byte 0xE9",
    }
    for path, expected in cases.items():
        with pytest.raises(InputError) as caught:
            load_deck(path)
        (problem,) = caught.value.problems
        assert problem.path == str(path)
        assert expected in problem.message
    with pytest.raises(InputError) as caught:
        load_deck(latin1)
    assert str(caught.value).startswith(f"{latin1}:3:")


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    source = tmp_path / "bom.yaml"
    source.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert read_source(source) == VALID
    assert load_deck(source).id == "sample-deck"


def test_load_decks_reports_every_file_and_reused_deck_ids(tmp_path: Path) -> None:
    good, copy, bad = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    good.write_text(VALID)
    copy.write_text(VALID)
    bad.write_text("format: 2\n")
    with pytest.raises(InputError) as caught:
        load_decks([good, copy, bad])
    found = messages(caught.value.problems)
    assert f"{copy}:2: error: deck id 'sample-deck' is already used by {good}" in found
    assert any(message.startswith(f"{bad}:1:9: error: format: must be 1") for message in found)


# --- property tests: whatever the input, a Deck or an InputError with located problems -------

PROPERTY_SETTINGS = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_deck_or_located_problems(text: str) -> Deck | None:
    try:
        deck = parse_deck(text, "cards/x.yaml")
    except InputError as error:
        assert error.problems, "an InputError must carry problems"
        for problem in error.problems:
            assert problem.path == "cards/x.yaml"
            assert problem.line >= 1, str(problem)
            assert problem.column >= 0
            assert problem.message
        return None
    assert isinstance(deck, Deck)
    return deck


yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.dates(),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_sources(draw: st.DrawFn) -> str:
    """VALID or the bundled deck (real content, comments, block scalars), slightly broken."""
    lines = draw(st.sampled_from([VALID, BUNDLED_DECK.read_text(encoding="utf-8")])).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(
            st.sampled_from(["delete", "duplicate", "indent", "swap", "insert", "value"])
        )
        line = lines[index]
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "indent":
            change = draw(st.integers(-4, 4))
            lines[index] = " " * max(0, len(line) - len(line.lstrip()) + change) + line.lstrip()
        elif operation == "swap" and len(line) >= 2:
            at = draw(st.integers(0, len(line) - 2))
            lines[index] = line[:at] + line[at + 1] + line[at] + line[at + 2 :]
        elif operation == "insert":
            at = draw(st.integers(0, len(line)))
            junk = draw(st.text(alphabet=st.sampled_from(list(" -:[]{}#&*!|>'\"?,\t\n\\ab1")),
                                max_size=4))
            lines[index] = line[:at] + junk + line[at:]
        elif operation == "value" and ":" in line:
            key = line.split(":", 1)[0]
            value = yaml.safe_dump(draw(yaml_values), default_flow_style=True, width=10**6)
            lines[index] = f"{key}: {value.strip().removesuffix('...').strip()}"
        if not lines:
            break
    return "\n".join(lines) + "\n"


@PROPERTY_SETTINGS
@given(st.text(max_size=200))
@example("~")
@example("")
@example("[]")
@example("format: 1\n\ud800")
@example("questions: [~]\nquestions: {}\n")
def test_arbitrary_text_gives_a_deck_or_located_problems(text: str) -> None:
    assert_deck_or_located_problems(text)


@PROPERTY_SETTINGS
@given(mutated_sources())
def test_mutated_sources_give_a_deck_or_located_problems(text: str) -> None:
    deck = assert_deck_or_located_problems(text)
    if deck is not None:
        # What loads, round-trips: the model writes what the loader reads.
        again = parse_deck(yaml.safe_dump(deck.to_dict(), sort_keys=False), "again.yaml")
        assert again == deck


@PROPERTY_SETTINGS
@given(st.sampled_from(["title", "time_limit", "answer", "choices", "tags", "badge", "prompt"]),
       yaml_values)
def test_any_yaml_value_in_a_field_gives_a_deck_or_located_problems(
    field: str, value: object
) -> None:
    data = yaml.safe_load(VALID)
    data["questions"][0][field] = value
    if field in ("tags", "badge", "title"):
        data[field] = value
    assert_deck_or_located_problems(yaml.safe_dump(data, sort_keys=False))


def _tags(node: yaml.Node) -> list[object]:
    """Every node's tag, value (for scalars) and style, depth first."""
    if isinstance(node, yaml.ScalarNode):
        return [(node.tag, node.value, node.style)]
    items = node.value if isinstance(node, yaml.SequenceNode) else [
        part for pair in node.value for part in pair]
    return [node.tag, *(tag for item in items for tag in _tags(item))]


@PROPERTY_SETTINGS
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
                | st.sampled_from(["~", "null", "True", "no", "0x1F", "-.inf", "1_000", "0o7",
                                   "2026-01-01", "2026-01-01 10:00:00Z", "<<", "=", "1e3",
                                   ".5", "+1", "Yes", "off", "", "'1'", "!!str 1", "!!int 1"]),
                max_size=8))
def test_the_loader_resolves_every_scalar_as_the_safe_loader_does(values: list[str]) -> None:
    from srs_trainer.deck.sources import _MarkedLoader

    text = "\n".join(f"k{index}: {value}" for index, value in enumerate(values)) + "\nl: [a, 1]\n"
    try:
        expected = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return
    assert _tags(yaml.compose(text, Loader=_MarkedLoader)) == _tags(expected)
