"""A quiz page's lines, each classified once by the marker it carries.

``classify`` looks at every line on its own, without context, and names what it is: a blank, a
section header, a timer, a lettered choice, a solution step... or plain ``TEXT``. The readers
then consume these lines, deciding from their kinds where a question and its parts begin; they
look at a line's words only where the words are the content (a prompt, a hint, a kind or level).

A line can fit more than one marker's shape ("1. Hint" is numbered and ends in "Hint"); the
order of ``_MARKERS`` decides, putting first the markers of questions, which a page has many of,
before those of its header, which it has once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from ..deck.model import LETTERS


class LineKind(Enum):
    """What a page line is, judged from the line alone."""

    BLANK = "blank"
    CHALLENGE_HEADER = "challenge header"  # "Challenge - 5 Problems": parts (count,)
    PRACTICE_HEADER = "practice header"  # "Practice"
    TIMER = "timer"  # "2:00remaining": parts (minutes, seconds)
    ATTEMPTS = "attempts"  # "Attempts:" or "Attempts: 2 left": parts (count or "",)
    ATTEMPTS_LEFT = "attempts left"  # "2 left", under "Attempts:": parts (count,)
    PROGRESS = "progress"  # "(1/5)": parts (current, total)
    SOLUTION_HEADER = "solution header"  # "Solution"
    PRACTICE_HINT = "practice hint"  # "Hint: text": parts (text,)
    MISTAKES_HEADER = "mistakes header"  # "Common Mistakes:"
    STEP = "solution step"  # "  1. Step 1: ...", indented 1 to 3 spaces: parts (number, title)
    NUMBERED = "numbered"  # "1. text", unindented: parts (number, text)
    PRACTICE_CHOICE = "practice choice"  # "A. text" or "A." alone: parts (letter, text or "")
    LETTER = "letter"  # "A" alone: a challenge's code choice follows
    BULLET = "bullet"  # "• text": parts (text,)
    HINT_HEADER = "hint header"  # "💡 Hint": a challenge's hint follows
    TOPIC = "topic"  # "Djangoframework~20 mins": parts (topic, minutes)
    TITLE = "title"  # "<title> - Challenge Your Understanding": parts (title,)
    BUTTON = "button"  # header furniture: "Recommended", "or", "Start learning..."
    BANNER = "banner"  # "Test your skills under time pressure!"
    TEXT = "text"  # anything else: prose, code, a choice glued to its letter...


# Each marker's pattern, whether it is matched against the line as it stands (True: its
# indentation is part of the marker) or stripped, and the kind it gives; the first match wins.
_MARKERS: tuple[tuple[LineKind, re.Pattern[str], bool], ...] = (
    (LineKind.CHALLENGE_HEADER, re.compile(r"^Challenge\s+-\s+(\d+)\s+Problems?$"), False),
    (LineKind.PRACTICE_HEADER, re.compile(r"^Practice$"), False),
    (LineKind.TIMER, re.compile(r"^(\d{1,2}):([0-5]\d)\s*remaining$"), False),
    (LineKind.ATTEMPTS, re.compile(r"^Attempts:\s*(?:(\d+)\s+left)?$"), False),
    (LineKind.ATTEMPTS_LEFT, re.compile(r"^(\d+)\s+left$"), False),
    (LineKind.PROGRESS, re.compile(r"^\((\d+)/(\d+)\)$"), False),
    (LineKind.SOLUTION_HEADER, re.compile(r"^Solution$"), False),
    (LineKind.PRACTICE_HINT, re.compile(r"^Hint:\s*(.*)$"), False),
    (LineKind.MISTAKES_HEADER, re.compile(r"^Common Mistakes:$"), False),
    (LineKind.STEP, re.compile(r"^ {1,3}(\d+)\.\s+(\S.*)$"), True),
    (LineKind.NUMBERED, re.compile(r"^(\d+)\.\s+(\S.*)$"), True),
    (LineKind.PRACTICE_CHOICE, re.compile(r"^([A-F])\.(?:\s+(\S.*))?$"), True),
    (LineKind.LETTER, re.compile(r"^[A-F]$"), False),
    (LineKind.BULLET, re.compile(r"^\s*[•*-]\s+(\S.*)$"), True),
    # The hint header's icon varies ("💡 Hint"), or is lost in copying ("Hint").
    (LineKind.HINT_HEADER, re.compile(r"^[^A-Za-z]*Hint$"), False),
    (LineKind.TOPIC, re.compile(r"^(\S.*?)\s*~\s*(\d+)\s*mins?$"), False),
    (LineKind.TITLE, re.compile(r"^(\S.*?)\s+-\s+Challenge Your Understanding$"), False),
    (
        LineKind.BUTTON,
        re.compile(
            r"^(?:Choose your learning style.*|Start learning this pattern below"
            r"|Jump into concepts and practice.*|or|Recommended|Test this pattern.*)$"
        ),
        False,
    ),
    (LineKind.BANNER, re.compile(r"^Test your skills under time pressure!?$"), False),
)

_WORD = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PageLine:
    """One classified line: ``index`` counts from 0, ``text`` is the line without its line end
    and trailing spaces, and ``parts`` are what its marker holds (see ``LineKind``)."""

    index: int
    text: str
    kind: LineKind
    parts: tuple[str, ...] = ()

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def indented(self) -> bool:
        return self.text[:1].isspace()

    def glued_to(self, letter: str) -> bool:
        """Whether the line is a challenge choice glued to ``letter``: "AAsync views allow..."."""
        return self.text.startswith(letter) and len(self.text) > 1 and not self.text[1].isspace()

    def is_word(self) -> bool:
        return is_word(self.stripped)


def is_word(text: str) -> bool:
    """Whether ``text`` is a kind or level: one lowercase word ("easy", "component_behavior")."""
    return bool(_WORD.match(text))


def split_lines(text: str) -> list[str]:
    """The page's lines: any line ending accepted, trailing whitespace is not content."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def classify_line(index: int, text: str) -> PageLine:
    stripped = text.strip()
    if not stripped:
        return PageLine(index, text, LineKind.BLANK)
    for kind, pattern, as_it_stands in _MARKERS:
        match = pattern.match(text if as_it_stands else stripped)
        if match:
            return PageLine(index, text, kind, tuple(part or "" for part in match.groups()))
    return PageLine(index, text, LineKind.TEXT)


def classify(text: str) -> list[PageLine]:
    """Every line of the page, classified once."""
    return [classify_line(index, line) for index, line in enumerate(split_lines(text))]


def first_of(lines: Sequence[PageLine], kind: LineKind, start: int, end: int) -> int | None:
    """The index of the first line of ``kind`` in ``lines[start:end]``, if any."""
    return next((line.index for line in lines[start:end] if line.kind is kind), None)


def texts(lines: Iterable[PageLine]) -> list[str]:
    return [line.text for line in lines]


def next_letter(count: int) -> str | None:
    """The letter of the choice after ``count`` choices, or None after the last letter."""
    return LETTERS[count] if count < len(LETTERS) else None
