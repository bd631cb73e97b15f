"""Fitting a screen to the window's height: what gives way first (Keep), and rows cut short
with a mark saying how many more there are."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.text import Text

from .widgets import STYLE_DIM, Symbols


@dataclass(frozen=True)
class Keep:
    """Which parts of a question stay on screen, asked or above its feedback."""

    hint: bool = True
    hint_line: bool = False  # the hint cut to one row, ending with "…"
    spacing: bool = True  # the blank rows above the hint, the message and the keys
    header: bool = True  # deck title and progress
    code: bool = True  # the code in the prompt's panel
    prompt: bool = True  # the prompt's panel; without it, the question's title on a line
    title: bool = True  # that line
    choices: str = "all"  # "all", "marked" (the right one and those chosen) or "none"


FULL = Keep()
# Taller than the window, the answered question gives way, what matters least first, so that
# the feedback under it stays in view: the verdict, the answer and the explanation.
COMPACTER = (
    FULL,
    Keep(hint=False),
    Keep(hint=False, header=False),
    Keep(hint=False, header=False, code=False),
    Keep(hint=False, header=False, code=False, prompt=False),
    Keep(hint=False, header=False, code=False, prompt=False, choices="marked"),
)
# Still too tall: the feedback is cut short under the question above (as much as leaves it
# MIN_EXPLANATION_ROWS of explanation), and the question gives way further.
CUT_WITH = (
    COMPACTER[-1],
    Keep(hint=False, header=False, code=False, prompt=False, title=False, choices="marked"),
    Keep(hint=False, header=False, code=False, prompt=False, title=False, choices="none"),
)


# Taller than the window, the question being answered gives way, what matters least first, so
# that its prompt's start, its choices, the keys and the countdown stay in view.
ASKING = (
    FULL,
    Keep(spacing=False),
    Keep(spacing=False, header=False),
    Keep(spacing=False, header=False, hint_line=True),
)
# Still too tall: the prompt's panel is cut short, its code first, marked "… N more lines"
# (keeping MIN_CODE_ROWS of code while the hint keeps its row; then the hint goes too).
ASKING_CUT = (ASKING[-1], Keep(spacing=False, header=False, hint=False))
MIN_CODE_ROWS = 3


MIN_EXPLANATION_ROWS = 3  # rows of explanation a cut feedback shows, the question giving way


def _row_renderer(
    console: Console, options: ConsoleOptions
) -> Callable[..., list[list[Segment]]]:
    """``rows(*renderables, width=...)``: what they draw, as rows, at the options' width or
    the width given; how a fitted screen measures its parts."""

    def rows(*renderables: RenderableType, width: int = options.max_width) -> list[list[Segment]]:
        return console.render_lines(
            Group(*renderables), options.update_width(max(1, width)), pad=False
        )

    return rows


def cut_rows(
    body: list[list[Segment]],
    room: int,
    needed: int,
    width: int,
    rows: Callable[..., list[list[Segment]]],
    symbols: Symbols,
) -> list[list[Segment]]:
    """``body``'s first rows and a mark saying how many more there are, in ``room`` rows
    (a cut may fall earlier, at a paragraph's end, but keeps ``needed`` rows)."""
    if len(body) <= room:
        return body
    head = body[: max(1, room - 1)]
    while len(head) > 1 and not _plain(head[-1]).strip():  # no blank row above the mark
        head.pop()
    # A heading (or a paragraph's first row) alone above the mark: cut before it.
    blanks = [n for n, row in enumerate(head) if n and not _plain(row).strip()]
    if blanks and blanks[-1] >= max(needed, len(head) - 2):
        del head[blanks[-1] :]
    return head + more_mark(body[len(head) :], width, rows, symbols)


def more_mark(hidden: list[list[Segment]], width: int, rows: Callable[..., list[list[Segment]]],
              symbols: Symbols) -> list[list[Segment]]:
    """The row that stands for ``hidden`` rows: "… N more lines: a taller window shows them"."""
    more = sum(1 for row in hidden if _plain(row).strip())
    lines = f"{more} more line{'s' if more != 1 else ''}"
    mark = Text(f"{symbols.more} {lines}: a taller window shows them", style=STYLE_DIM)
    if mark.cell_len > width:
        mark = Text(f"{symbols.more} {lines}", style=STYLE_DIM)
    mark.truncate(max(1, width), overflow="ellipsis")
    mark.no_wrap = True
    return rows(mark, width=width)


class _Rows:
    """Rows already rendered (by ``Console.render_lines``), drawn as they are."""

    def __init__(self, rows: list[list[Segment]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for row in self.rows:
            yield from row
            yield Segment.line()


def _plain(row: list[Segment]) -> str:
    return "".join(segment.text for segment in row)
