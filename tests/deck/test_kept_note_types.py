"""Kept Anki note types in a source (``anki_note_types``, ``anki_note_type``): loaded, checked
at their lines, and written back unchanged."""

from __future__ import annotations

import pytest

from kept_sources import KEPT_YAML as SOURCE
from srs_trainer.deck.model import FieldRole
from srs_trainer.deck.problems import InputError
from srs_trainer.deck.sources import parse_deck
from srs_trainer.deck.writer import deck_source


def test_a_kept_note_type_loads_and_writes_back_the_same() -> None:
    deck = parse_deck(SOURCE, "spanish.yaml")
    basic = deck.anki_note_type(1712345678901)
    assert basic is not None and basic.field_of(FieldRole.ANSWER) == "Back"
    assert [q.anki_note_type for q in deck.questions] == [
        1712345678901, 1712345678902, 1712345678903]
    again = parse_deck(deck_source(deck), "spanish.yaml")
    assert again == deck


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    pytest.param("anki_note_type: 1712345678901", "anki_note_type: 42", "anki_note_type: 42",
                 "questions[0].anki_note_type: the deck keeps no note type 42 (anki_note_types)",
                 id="unknown"),
    pytest.param("anki_note_type: 1712345678902", "anki_note_type: 1712345678901",
                 "anki_note_type: 1712345678901",
                 "questions[1].anki_note_type: note type 'Basic' cannot hold a cloze question",
                 id="cloze-as-basic"),
    pytest.param("{name: Back, holds: answer}", "{name: Back, holds: prompt}",
                 "anki_note_type: 1712345678901",
                 "questions[0].anki_note_type: a recall question needs fields holding answer, "
                 "prompt (each once; answer, prompt required), not prompt, prompt",
                 id="no-answer-field"),
    pytest.param("- id: 1712345678902", "- id: 1712345678901", "  - id: 1712345678901\n"
                 "    name: Cloze", "anki_note_types[1].id: note type 1712345678901 is listed "
                 "twice", id="repeated-id"),
])
def test_a_misfit_is_an_error_at_its_line(old: str, new: str, needle: str,
                                          message: str) -> None:
    text = SOURCE.replace(old, new, 1)
    with pytest.raises(InputError) as raised:
        parse_deck(text, "spanish.yaml")
    problems = [p for p in raised.value.problems if p.message == message]
    assert problems, [p.message for p in raised.value.problems]
    first = needle.splitlines()[0]
    starts = [n for n, line in enumerate(text.splitlines(), 1) if first.strip() in line]
    assert problems[0].line in starts
