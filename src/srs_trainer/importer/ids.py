"""Readable ids made from a page's titles and prompts."""

from __future__ import annotations

import re
import unicodedata

SLUG_MAX_LENGTH = 50

_WEAK_ENDINGS = frozenset(
    "a an and are as at by for from in into is it of on or that the this to with".split()  # noqa: SIM905
)


def slugify(text: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """A readable id from a title: lowercase words joined by hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    kept: list[str] = []
    for word in words:
        if len("-".join([*kept, word])) > max_length:
            # A cut id reads better ending on a content word than on "to" or "the".
            while len(kept) > 1 and kept[-1] in _WEAK_ENDINGS:
                kept.pop()
            break
        kept.append(word)
    slug = "-".join(kept)
    return slug or (words[0][:max_length] if words else "question")


def unique_id(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{number}"
        number += 1
    taken.add(candidate)
    return candidate
