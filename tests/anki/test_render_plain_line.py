"""The export's shortcut for a plain one-line text renders exactly what Markdown renders."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs_trainer.anki import render
from srs_trainer.anki.render import Fragments

# The shortcut's own alphabet, and characters next to it that it must refuse.
ALPHABET = "aZ09 ,.;:?'()/%=-" + "*_`[]!<>&#\\\"\n\t+~|é"


@settings(max_examples=600, derandomize=True, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=14))
@example("Think about what await does in question 7.")
@example("- a list item")
@example("1. first")
@example("a  ")
@example("a = b")
@example("a -- b")
@example("x: y")
def test_a_text_renders_as_markdown_it_renders_it(text: str) -> None:
    assert Fragments().markdown(text) == render._markdown().render(text)


def test_the_shortcut_takes_plain_sentences_and_nothing_with_markup() -> None:
    plain = render._PLAIN_LINE
    assert plain.fullmatch("It returns the result of query 12 after awaiting it.")
    for marked in ("Use `await`.", "**Bold**", "- item", "1. one", "a\nb", " a", "a ", "<b>"):
        assert not plain.fullmatch(marked), marked


# Code spans and strong words: backticks, stars, the underscore allowed in code, and what sits
# next to them.
CODE_ALPHABET = "aZ0 .,'()=-_`" + "*\n\\<&"


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(st.text(alphabet=CODE_ALPHABET, min_size=1, max_size=16).map(lambda text: "a" + text))
@example("The `await` keyword suspends view 7 until the result is ready.")
@example("It raises TypeError because `7` is not awaitable.")
@example("What does `view_7` return?\n")
@example("a `b``c`")
@example("a `` b ``")
@example("a ` b `")
@example("a `b`\n\n")
@example("a `b` \n")
@example("a `b`_c_")
@example("What does `view_7` return with **async** enabled?\n")
@example("a**b**c")
@example("a **b****c**")
@example("a ** b**")
@example("a **b **")
@example("a ***b***")
@example("a **b**`c`")
def test_a_line_with_code_spans_renders_as_markdown_it_renders_it(text: str) -> None:
    assert Fragments().markdown(text) == render._markdown().render(text)


def test_the_marked_line_shortcut_takes_sentences_with_code_and_strong_only() -> None:
    line = render._MARKED_LINE
    assert line.fullmatch("The `await` keyword suspends view 7 until it is ready.")
    assert line.fullmatch("What does `view_7` return with **async** on?\n")
    for refused in ("`a` first", "a `b``c`", "a ` b`", "a **b****c**", "a *b*", "a `b` _c_",
                    "a **b**`c`", "a\n\n"):
        assert not line.fullmatch(refused), refused
