"""The shared wording helpers: counts with their nouns, texts cut to fit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from srs_trainer.wording import plural, shorten


def test_plural_says_one_thing_and_several_things() -> None:
    assert plural(1, "error") == "1 error"
    assert plural(0, "error") == "0 errors"
    assert plural(2, "file") == "2 files"
    assert plural(3, "is", "are") == "3 are"


def test_shorten_keeps_a_short_text_and_cuts_a_long_one() -> None:
    assert shorten("abc", 3) == "abc"
    assert shorten("abcdef", 5) == "ab..."


@given(st.text(), st.integers(min_value=3, max_value=80))
def test_a_shortened_text_fits_and_starts_as_the_text_did(text: str, width: int) -> None:
    cut = shorten(text, width)
    assert len(cut) <= width
    assert cut == text or (cut.endswith("...") and text.startswith(cut[:-3]))
