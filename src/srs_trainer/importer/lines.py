"""A quiz page's text as lines."""

from __future__ import annotations


def split_lines(text: str) -> list[str]:
    """The page's lines: any line ending accepted, trailing whitespace is not content."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines
