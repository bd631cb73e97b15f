"""Classifying a quiz page's lines, each once and on its own (importer/lines.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from srs_trainer.importer.lines import LineKind, classify, classify_line, first_of

PAGES = Path(__file__).parents[1] / "pages"
K = LineKind


@pytest.mark.parametrize(
    ("text", "kind", "parts"),
    [
        ("", K.BLANK, ()),
        ("   ", K.BLANK, ()),
        ("Challenge - 5 Problems", K.CHALLENGE_HEADER, ("5",)),
        ("Practice", K.PRACTICE_HEADER, ()),
        ("2:00remaining", K.TIMER, ("2", "00")),
        ("10:30 remaining", K.TIMER, ("10", "30")),
        ("Attempts:", K.ATTEMPTS, ("",)),
        ("Attempts: 2 left", K.ATTEMPTS, ("2",)),
        ("2 left", K.ATTEMPTS_LEFT, ("2",)),
        ("(1/5)", K.PROGRESS, ("1", "5")),
        ("Solution", K.SOLUTION_HEADER, ()),
        ("Hint: Async means waiting", K.PRACTICE_HINT, ("Async means waiting",)),
        ("  Hint: indented", K.PRACTICE_HINT, ("indented",)),
        ("Common Mistakes:", K.MISTAKES_HEADER, ()),
        ("  1. Step 1: Understand", K.STEP, ("1", "Step 1: Understand")),
        ("1. Why async?", K.NUMBERED, ("1", "Why async?")),
        ("A. Handle requests", K.PRACTICE_CHOICE, ("A", "Handle requests")),
        ("B.", K.PRACTICE_CHOICE, ("B", "")),
        ("C", K.LETTER, ()),
        ("  • Thinking async is slower", K.BULLET, ("Thinking async is slower",)),
        ("💡 Hint", K.HINT_HEADER, ()),
        ("Hint", K.HINT_HEADER, ()),
        ("Djangoframework~20 mins", K.TOPIC, ("Djangoframework", "20")),
        ("Why async - Challenge Your Understanding", K.TITLE, ("Why async",)),
        ("Recommended", K.BUTTON, ()),
        ("or", K.BUTTON, ()),
        ("Test your skills under time pressure!", K.BANNER, ()),
        ("AAsync views allow Django", K.TEXT, ()),
        ("async def my_view(request):", K.TEXT, ()),
        ("G", K.TEXT, ()),
    ],
)
def test_each_marker_gives_its_kind_and_parts(
    text: str, kind: LineKind, parts: tuple[str, ...]
) -> None:
    line = classify_line(0, text)
    assert (line.kind, line.parts) == (kind, parts)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Numbered, though it ends in "Hint": a question's marker comes before the header's.
        ("1. Hint", K.NUMBERED),
        # Indented 1 to 3 spaces, a numbered line is a solution step; deeper, it is text (code).
        ("   2. Step 2", K.STEP),
        ("    2. Step 2", K.TEXT),
        # Indented, a choice or a numbered line is no marker.
        ("  A. indented", K.TEXT),
        ("A. Hint", K.PRACTICE_CHOICE),
        ("- Hint", K.BULLET),
        ("Practice makes perfect", K.TEXT),
    ],
)
def test_a_line_fitting_two_markers_takes_the_first(text: str, kind: LineKind) -> None:
    assert classify_line(0, text).kind is kind


def test_lines_keep_their_text_index_and_indentation() -> None:
    lines = classify("Quiz\r\n\r\n    return x   \rBird\n\n\n")
    assert [(line.index, line.text, line.kind) for line in lines] == [
        (0, "Quiz", K.TEXT),
        (1, "", K.BLANK),
        (2, "    return x", K.TEXT),
        (3, "Bird", K.TEXT),
    ]
    assert lines[2].indented and not lines[0].indented
    assert lines[2].stripped == "return x"


def test_glued_choice_and_word_lines() -> None:
    glued, spaced, alone = (classify_line(0, text) for text in ("AAsync", "A sync", "A"))
    assert glued.glued_to("A") and not glued.glued_to("B")
    assert not spaced.glued_to("A") and not alone.glued_to("A")
    assert classify_line(0, "component_behavior").is_word()
    assert not classify_line(0, "Conceptual").is_word()


def test_first_of_looks_only_in_its_range() -> None:
    lines = classify("Practice\n1. One?\nA. a\n2. Two?\nA. b\n")
    assert first_of(lines, K.PRACTICE_CHOICE, 0, len(lines)) == 2
    assert first_of(lines, K.PRACTICE_CHOICE, 3, len(lines)) == 4
    assert first_of(lines, K.PRACTICE_CHOICE, 3, 4) is None


def test_the_generators_page_uses_every_kind() -> None:
    # The sample page uses the whole layout: a kind it does not have would be a dead marker.
    page = (PAGES / "python-generators.txt").read_text(encoding="utf-8")
    assert {line.kind for line in classify(page)} == set(LineKind)
