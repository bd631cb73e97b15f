"""A quiz page's header: its title, topic, estimated time and category, amid buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lines import LineKind, PageLine, first_of
from .reading import PageReading

_REACTION = re.compile(r"^[A-Za-z][A-Za-z ]*\d*$")  # "Bird", "Raised Fist0" above the topic
_CATEGORIES = (
    "framework",
    "language",
    "library",
    "database",
    "tool",
    "tools",
    "platform",
    "concept",
    "pattern",
    "runtime",
    "protocol",
    "service",
    "cloud",
    "testing",
)


@dataclass(frozen=True)
class Header:
    title: str
    topic: str = ""
    minutes: int | None = None
    tags: tuple[str, ...] = ()


def read_header(reading: PageReading, end: int) -> Header:
    """The header in ``reading.lines[:end]``; every other line there must be a button."""
    lines = reading.lines
    topic_at = first_of(lines, LineKind.TOPIC, 0, end)
    title_at = first_of(lines, LineKind.TITLE, 0, end)
    if title_at is None:
        reading.error(
            0, "no title line ('<title> - Challenge Your Understanding') before the questions"
        )
        title = "Imported quiz"
    else:
        title = lines[title_at].parts[0]
    header = _with_topic(reading, Header(title), lines[topic_at] if topic_at is not None else None)
    first_anchor = min(i for i in (topic_at, title_at, end) if i is not None)
    for line in lines[:end]:
        if line.kind is LineKind.BLANK or line.index in (topic_at, title_at):
            continue
        if line.index < first_anchor and _REACTION.match(line.stripped):
            continue
        if line.kind is not LineKind.BUTTON:
            reading.cannot_place(line.index, "in the page header")
    return header


def _with_topic(reading: PageReading, header: Header, line: PageLine | None) -> Header:
    if line is None:
        return header
    topic, minutes = line.parts[0], int(line.parts[1])
    if not 1 <= minutes <= 1440:
        reading.error(line.index, "the estimated time must be 1 to 1440 minutes")
    for category in _CATEGORIES:
        # "Djangoframework": the topic chip and its category, glued together on the page.
        if topic.endswith(category) and len(topic) > len(category):
            return Header(
                header.title, topic[: -len(category)].rstrip(" -·|"), minutes, (category,)
            )
    return Header(header.title, topic, minutes)
