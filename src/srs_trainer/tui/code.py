"""Code blocks on the terminal: highlighted, their long lines wrapped under their own
indentation."""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.syntax import Syntax
from rich.text import Text

from ..deck.model import Code
from .widgets import STYLE_DIM

SYNTAX_THEME = "ansi_dark"  # ANSI colours follow the terminal's palette, light or dark


def code_block(code: Code) -> CodeBlock:
    return CodeBlock(code)


CONTINUATION = "↪ "  # starts a row that continues the code line above it
ASCII_CONTINUATION = "... "  # the Python prompt's own mark for a continued line
MIN_CODE_ROOM = 16  # columns of code a continuation row keeps, however deep the indentation


class CodeBlock:
    """Highlighted code whose long lines wrap under their own indentation, marked ``↪``.

    A wrapped row starting at column 0 would read as a new statement (in Python, as leaving
    the block): a continuation row starts at its line's indentation with the mark instead.
    Rows break between words, like prose; a word too long for a row of its own breaks after
    one of ``,.([{``, else anywhere.
    """

    def __init__(self, code: Code) -> None:
        self.language = code.language or "text"
        self.source = code.source.rstrip("\n").expandtabs(4)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in self.source.splitlines()), default=0)
        return Measurement(min(widest, MIN_CODE_ROOM), widest).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        syntax = Syntax(
            self.source, self.language, theme=SYNTAX_THEME, background_color="default"
        )
        highlighted = syntax.highlight(self.source)
        highlighted.rstrip()  # the lexer's closing newline
        mark = CONTINUATION if options.encoding.lower().startswith("utf") else ASCII_CONTINUATION
        for line in highlighted.split("\n", allow_blank=True):
            for row in wrap_code_line(line, options.max_width, mark):
                row.no_wrap = True
                row.end = "\n"
                yield row


def wrap_code_line(line: Text, width: int, mark: str = CONTINUATION) -> list[Text]:
    """``line`` in rows of at most ``width`` cells; rows after the first are indented like
    the line and start with ``mark``."""
    plain = line.plain
    if cell_len(plain) <= width:
        return [line]
    indent = len(plain) - len(plain.lstrip(" "))
    # A deep indentation gives way rather than leave no room for the code itself.
    prefix = " " * min(indent, max(0, width - len(mark) - MIN_CODE_ROOM)) + mark
    if len(prefix) >= width:  # absurdly narrow: no room for the mark either
        prefix = ""
    rows: list[Text] = []
    start = 0
    while start < len(plain):
        room = width - (len(prefix) if rows else 0)
        end = _row_end(plain, start, room, width - len(prefix))
        piece = line[start:end]
        piece.rstrip()
        if rows:
            row = Text(prefix[: -len(mark)] if prefix else "")
            row.append(prefix[-len(mark) :] if prefix else "", style=STYLE_DIM)
            row.append_text(piece)
            piece = row
        rows.append(piece)
        start = end
        while start < len(plain) and plain[start] == " ":
            start += 1
    return rows


def _row_end(plain: str, start: int, room: int, next_room: int) -> int:
    """Where the row starting at ``start`` ends, to take at most ``room`` cells (the rows
    after it have ``next_room``)."""
    end = start
    used = 0
    while end < len(plain) and used + cell_len(plain[end]) <= room:
        used += cell_len(plain[end])
        end += 1
    if end >= len(plain):
        return len(plain)
    end = max(end, start + 1)  # always progress, even by one wide character
    text = plain[start:end]
    least = max(1, len(text) // 3)  # a break this early would waste the row
    space = text.rfind(" ")
    if not text[:space].strip():  # a break inside the indentation is no break
        space = -1
    if space >= least:
        following = plain[start + space + 1 :].split(" ", 1)[0]
        # Between words when the next word then fits whole, or the row is mostly full.
        if cell_len(following) <= next_room or space >= 2 * len(text) // 3:
            return start + space
    after = max(text.rfind(mark) for mark in ",.([{") + 1  # a row may end with the mark
    best = max(space, after)
    return start + best if best >= least else end
