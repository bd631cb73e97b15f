"""Author Markdown as rich text: paragraphs, list items, `code`, **bold**, *em* and fences."""

from __future__ import annotations

import re

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..deck.model import Code
from .code import code_block
from .line_ui import MARKDOWN_FENCE as _FENCE
from .line_ui import MARKDOWN_INLINE as _INLINE
from .widgets import Hanging

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
STYLE_CODE = "bold cyan"


def markdown(text: str) -> RenderableType:
    """Author Markdown for the terminal: paragraphs, lists, `code`, **bold**, *em*, fences.

    A deliberately small subset: everything else (``<div>``, links, tables) is shown exactly
    as written, never dropped, so no word of a question goes missing on screen. Lines of a
    paragraph are joined, so hard-wrapped YAML text re-wraps to the terminal's width.
    """
    parts: list[RenderableType] = []
    position = 0
    for fence in _FENCE.finditer(text):
        if prose := text[position : fence.start()].strip():
            parts.append(_prose(prose))
        parts.append(code_block(Code(fence.group(2), fence.group(1) or "text")))
        position = fence.end()
    if prose := text[position:].strip():
        parts.append(_prose(prose))
    if len(parts) == 1:
        return parts[0]
    spaced: list[RenderableType] = []
    for part in parts:
        spaced += [part, Text("")]
    return Group(*spaced[:-1])


def _prose(text: str) -> RenderableType:
    rows: list[RenderableType] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines: list[str] = []
        for raw in block.splitlines():
            if lines and not _LIST_ITEM.match(raw) and not raw.startswith("    "):
                lines[-1] = f"{lines[-1].rstrip()} {raw.strip()}"
            else:
                lines.append(raw.rstrip())
        if rows:
            rows.append(Text(""))
        for line in lines:
            # A list item's wrapped rows hang under its text, never back at the marker.
            if item := _LIST_ITEM.match(line):
                lead = item.group(0)
                rows.append(Hanging(Text(lead), inline_markdown(line[len(lead) :].lstrip())))
            else:
                rows.append(inline_markdown(line))
    return rows[0] if len(rows) == 1 else Group(*rows)


def inline_markdown(text: str) -> Text:
    """``code``, **bold** and *em* as styles; the markers themselves are not shown."""
    result = Text()
    position = 0
    for match in _INLINE.finditer(text):
        result.append(text[position : match.start()])
        if match.group(2) is not None:
            result.append(match.group(2).strip(" ") or match.group(2), style=STYLE_CODE)
        else:  # bold or em may hold code: style what the inner markup produced
            bold = match.group(3) is not None
            inner = inline_markdown(match.group(3) if bold else match.group(4))
            inner.stylize("bold" if bold else "italic")
            result.append_text(inner)
        position = match.end()
    result.append(text[position:])
    return result


def _bulleted(text: str, bullet: str) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(Text(f" {bullet}"), inline_markdown(" ".join(text.split())))
    return grid
