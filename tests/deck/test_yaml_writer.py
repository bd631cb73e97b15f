"""The YAML source writer: readable, deterministic, and exact (every value reads back equal)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from srs_trainer.deck.sources import load_deck, parse_deck
from srs_trainer.deck.writer import deck_source, dump_source, write_text_atomic

REPO = Path(__file__).resolve().parents[2]


def question(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "q", "section": "practice", "prompt": "Which?", "choices": ["yes", "no"],
        "answer": "A",
    }
    return {**base, **fields}


def deck(*questions: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"format": 1, "id": "demo", "title": "Demo", **fields, "questions": list(questions)}


def test_keys_follow_the_documented_order_and_author_keys_come_last() -> None:
    data = {
        "questions": [{"answer": "A", "choices": ["a", "b"], "prompt": "P", "x-note": "mine",
                       "section": "practice", "id": "q"}],
        "title": "T", "id": "d", "format": 1, "topic": "Python",
    }
    text = dump_source(data)
    assert text == (
        "format: 1\nid: d\ntitle: T\ntopic: Python\nquestions:\n"
        "  - id: q\n    section: practice\n    prompt: P\n    choices:\n      - a\n      - b\n"
        "    answer: A\n    x-note: mine\n"
    )


def test_multi_line_text_and_code_use_literal_blocks() -> None:
    code = "def f():\n    return 1\n\n\nprint(f())\n"
    text = dump_source(deck(question(
        prompt="First line.\n\nSecond line.\n",
        code={"language": "python", "source": code},
        choices=[{"code": "    indented()\n", "language": "python"}, "plain"],
    )))
    assert "    prompt: |\n      First line.\n\n      Second line.\n" in text
    assert "      source: |\n        def f():\n            return 1\n\n\n        print(f())\n" in (
        text)
    assert "      - code: |2\n              indented()\n" in text  # indentation indicator
    assert yaml.safe_load(text)["questions"][0]["code"]["source"] == code


def test_strings_are_quoted_only_when_needed() -> None:
    choices = [
        "plain text, with commas",
        "AttributeError: 'NoneType' object has no attribute 'id'",
        '{"sync_id": 1} assuming one row',
        "yes",
        "- starts like a list",
        "ends with a colon:",
        "42",
        "a # not a comment",
    ]
    text = dump_source(deck(question(choices=choices)))
    lines = [line.strip() for line in text.splitlines() if line.startswith("      - ")]
    assert lines == [
        "- plain text, with commas",
        "- \"AttributeError: 'NoneType' object has no attribute 'id'\"",
        "- '{\"sync_id\": 1} assuming one row'",
        "- 'yes'",
        "- '- starts like a list'",
        "- 'ends with a colon:'",
        "- '42'",
        "- 'a # not a comment'",
    ]
    assert yaml.safe_load(text)["questions"][0]["choices"] == choices


def test_comments_go_before_the_answer_or_where_it_would_be() -> None:
    keyed = question(id="keyed", hint="h")
    unkeyed = question(id="unkeyed", hint="h")
    del unkeyed["answer"]
    text = dump_source(
        deck(keyed, unkeyed),
        header=["made by a test"],
        question_comments={0: ["TODO(srs): check A"], 1: ["TODO(srs): no key"]},
    )
    assert text.startswith("# made by a test\n\nformat: 1\n")
    assert "      - 'no'\n    # TODO(srs): check A\n    answer: A\n    hint: h\n" in text
    assert "      - 'no'\n    # TODO(srs): no key\n    hint: h\n" in text
    assert "\n\n  - id: unkeyed\n" in text  # questions are separated by a blank line


def test_tags_are_written_inline() -> None:
    text = dump_source(deck(question(tags=["concurrency", "orm"]), tags=["django"]))
    assert "\ntags: [django]\n" in text
    assert "    tags: [concurrency, orm]\n" in text


def test_output_is_deterministic() -> None:
    data = deck(question(code={"source": "x = 1\ny = 2\n"}), question(id="r"))
    assert dump_source(data) == dump_source(yaml.safe_load(dump_source(data)))


def test_the_bundled_deck_round_trips_through_the_writer() -> None:
    original = load_deck(REPO / "cards" / "django-async.yaml")
    rewritten = parse_deck(deck_source(original), "rewritten.yaml")
    assert rewritten == original


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
_MULTILINE = st.lists(
    st.text(alphabet=st.sampled_from(list(" \tab#:'\"-|>{}[]\\")), max_size=8), max_size=5
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(prompt=st.one_of(_TEXT, _MULTILINE), choice=_TEXT, source=st.one_of(_TEXT, _MULTILINE))
def test_any_string_reads_back_exactly(prompt: str, choice: str, source: str) -> None:
    data = deck(question(prompt=prompt, choices=[choice, "other"], code={"source": source}))
    assert yaml.safe_load(dump_source(data)) == data


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "deck.yaml"
    write_text_atomic(target, "first\n")
    write_text_atomic(target, "second\n")
    assert target.read_text(encoding="utf-8") == "second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["deck.yaml"]
    assert target.stat().st_mode & 0o777 == 0o644  # like any file an editor writes


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deck.yaml"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(target, "new \udcff text\n")  # a lone surrogate cannot be encoded
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["deck.yaml"]


def test_verify_blocks_keep_the_model_key_order_whatever_order_they_came_in() -> None:
    """A re-import keeps an author's verify block; writing it must not shuffle its keys."""
    verify = {
        "timeout": 30,
        "choices": {"B": {"warns": "never awaited", "raises": "AttributeError"}},
        "expect": {"json": {"id": 1}, "status": 200},
        "requests": 2, "client": "sync", "view": "other_view",
        "run": "async def other_view(request):\n    ...\n",
        "harness": "django", "requires": ["django"],
    }
    written = deck_source(parse_deck(dump_source(deck(question(verify=verify))), "demo.yaml"))

    block = yaml.safe_load(written)["questions"][0]["verify"]
    assert list(block) == ["harness", "requires", "run", "view", "client", "requests", "expect",
                           "choices", "timeout"]
    assert list(block["expect"]) == ["status", "json"]
    assert list(block["choices"]["B"]) == ["raises", "warns"]
    assert parse_deck(written, "demo.yaml") == parse_deck(dump_source(deck(question(
        verify=verify))), "demo.yaml")


def test_a_deck_of_every_question_type_round_trips_through_the_writer() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "question-types.yaml"
    original = load_deck(example)
    text = deck_source(original)
    assert parse_deck(text, "rewritten.yaml") == original
    typed = text[text.index("id: loop-module"):]
    assert typed.index("type: typed") < typed.index("prompt:") < typed.index("accept:")
