"""Wording shared by every part: a count with its noun, a text cut to fit.

A leaf module (it imports nothing of the package), so the source format, the trainer, the
screens and the commands all say "1 file" / "2 files" and cut long texts the same way.
"""

from __future__ import annotations

ELLIPSIS = "..."


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``count`` and its noun, e.g. ``1 error``, ``0 errors``, ``2 attempts``.

    ``plural_noun`` is for nouns that do not just take an "s" (``plural(2, "is", "are")``).
    """
    word = noun if count == 1 else plural_noun or noun + "s"
    return f"{count} {word}"


def shorten(text: str, width: int) -> str:
    """``text`` if it has at most ``width`` characters, else its start ending with "...".

    Unlike ``textwrap.shorten`` it keeps the text's spacing and cuts mid-word, so a shown value
    (a repr, a response body) stays recognisable as what it was.
    """
    if len(text) <= width:
        return text
    return text[: max(width - len(ELLIPSIS), 0)] + ELLIPSIS
