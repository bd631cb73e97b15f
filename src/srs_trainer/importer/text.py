"""Shaping page text for the source: Markdown paragraphs, text and code blocks, comparison."""

from __future__ import annotations

import re
from collections.abc import Sequence


def markdown_paragraph(text: str) -> str:
    """Escape only what Markdown would otherwise turn into markup: block markers and HTML tags."""
    if re.match(r"^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s)", text):
        text = "\\" + text
    return re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)


def join_text(lines: Sequence[str]) -> str:
    """Multi-line text keeps its lines (and ends in a newline, for a YAML block)."""
    lines = list(lines)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) <= 1:
        return lines[0].strip() if lines else ""
    return "\n".join(lines) + "\n"


def code_text(lines: Sequence[str]) -> str:
    lines = list(lines)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def normalized(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")
