"""Stable Anki identities derived from slugs, never from text, time or chance.

Anki matches an imported note to the one already in a collection by its GUID, a deck by its id
and a note type by its id. Deriving them from the deck's slug and the question's slug means an
author can reword a question (or its deck's title) and learners keep their review history.
GUIDs hash the deck id and the question id together, so two decks that both have a question
``intro`` never collide (genanki issue #61).
"""

from __future__ import annotations

import hashlib

# genanki recommends ids in [2**30, 2**31): positive, fit in 32 bits, clear of Anki's
# small built-in ids (1 is the Default deck).
_ID_LOW = 1 << 30
_ID_SPAN = 1 << 30
_NAMESPACE = "srs-trainer"

NOTE_TYPE_NAME = "srs-trainer multiple choice"

_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def stable_id(*parts: str) -> int:
    """An id in genanki's range, the same on every machine for the same ``parts``."""
    digest = hashlib.sha256("\x1f".join((_NAMESPACE, *parts)).encode("utf-8")).digest()
    return _ID_LOW + int.from_bytes(digest[:8], "big") % _ID_SPAN


def deck_id(deck_slug: str) -> int:
    """The Anki deck id of the deck with source id ``deck_slug``."""
    return stable_id("deck", deck_slug)


# Never change: every multiple-choice note built by srs-trainer uses this note type, in every
# deck (it was the only note type before question types came).
NOTE_TYPE_ID = stable_id("note-type", "multiple-choice")

# One note type per question type (the keys are ``QuestionType`` values). Never change them.
NOTE_TYPE_IDS: dict[str, int] = {
    "choice": NOTE_TYPE_ID,
    "recall": stable_id("note-type", "recall"),
    "typed": stable_id("note-type", "typed"),
    "cloze": stable_id("note-type", "cloze"),
}
NOTE_TYPE_NAMES: dict[str, str] = {
    "choice": NOTE_TYPE_NAME,
    "recall": "srs-trainer recall",
    "typed": "srs-trainer typed answer",
    "cloze": "srs-trainer cloze",
}


def note_guid(deck_slug: str, question_id: str) -> str:
    """The GUID of a question's note: 64 bits of a hash of both slugs, in Anki's base91 alphabet.

    Same construction as ``genanki.guid_for`` (which this module does not import, so that the
    trainer can name notes without loading genanki), over a namespaced string.
    """
    text = "__".join((_NAMESPACE, deck_slug, question_id))
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    digits: list[str] = []
    while number:
        number, digit = divmod(number, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits)) or _BASE91[0]
