"""Quiz pages into the deck model (``srs import``).

A quiz page is the text of a quiz web page as copied from a browser: a header, "Challenge - N
Problems" with timed multiple-choice challenges, then "Practice" with numbered, worked questions.
docs/import.md describes the layout line by line. ``parse_page`` classifies every line once
(``lines.classify``), then reads the header, the challenges and the practice questions off the
classified lines into a ``model.Deck``, plus warnings about what the page gets wrong or leaves
out.

Every line of the page is either placed into the deck, recognised as page furniture (buttons,
banners), or reported as an error naming the line: nothing is dropped silently.
"""

from __future__ import annotations

from pathlib import Path

from ..deck.files import read_source
from ..deck.model import Deck
from ..deck.problems import InputError, Problem
from .challenges import read_challenges
from .draft import questions
from .header import read_header
from .ids import slugify
from .lines import LineKind, classify, first_of
from .page import ImportedPage
from .practice import read_practice
from .reading import PageReading


def parse_page(text: str, path: str = "<page>") -> ImportedPage:
    """Read a quiz page. Raises InputError naming every line that cannot be placed."""
    reading = PageReading(path, classify(text))
    lines = reading.lines
    if all(line.kind is LineKind.BLANK for line in lines):
        raise InputError([Problem(path, 1, 0, "the page is empty")])
    end = len(lines)
    challenge_at = first_of(lines, LineKind.CHALLENGE_HEADER, 0, end)
    # "Practice" before the challenges would be a word in the header, not the practice part.
    start = challenge_at if challenge_at is not None else 0
    practice_at = first_of(lines, LineKind.PRACTICE_HEADER, start, end)
    header_end = min(i for i in (challenge_at, practice_at, end) if i is not None)
    header = read_header(reading, header_end)
    badge = None
    if challenge_at is not None:
        badge = read_challenges(
            reading, challenge_at, practice_at if practice_at is not None else end
        )
    if practice_at is not None:
        read_practice(reading, practice_at, end)
    if challenge_at is None and practice_at is None:
        reading.error(
            header_end - 1 if header_end else 0,
            "found neither 'Challenge - N Problems' nor 'Practice': is this a quiz page?",
        )
    if reading.errors:
        raise InputError(reading.errors)
    deck = Deck(
        id=slugify(header.title, 60),
        title=header.title,
        topic=header.topic,
        estimated_minutes=header.minutes,
        badge=badge,
        tags=header.tags,
        questions=questions(reading.drafts),
        source_path=path,
    )
    warnings = sorted(reading.warnings, key=lambda warning: (warning.line, warning.kind.value))
    return ImportedPage(deck=deck, warnings=tuple(warnings), path=path)


def read_page(path: str | Path) -> ImportedPage:
    return parse_page(read_source(path), str(path))
