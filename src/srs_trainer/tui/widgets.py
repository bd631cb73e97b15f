"""Pieces every screen is built of: styles, symbols, the progress bar, panels, hanging rows
and the console itself."""

from __future__ import annotations

from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..trainer.views import Mode

# Styles are semantic so that a colourless console still shows the meaning through words and
# symbols: colour only ever repeats what the text already says.
STYLE_TITLE = "bold"
STYLE_DIM = "dim"
STYLE_RIGHT = "bold green"
STYLE_WRONG = "bold red"
STYLE_TRIED = "red strike"
STYLE_HINT = "yellow"
STYLE_WARN = "bold yellow"
STYLE_BADGE = "bold magenta"


@dataclass(frozen=True)
class Symbols:
    """Marks drawn on screen; plain ASCII when the terminal cannot encode Unicode."""

    right: str = "✓"
    wrong: str = "✗"
    bar_done: str = "█"
    bar_todo: str = "░"
    bullet: str = "•"
    hint: str = "»"
    badge: str = "★"
    sep: str = "·"
    more: str = "…"  # text cut off here


UNICODE_SYMBOLS = Symbols()
ASCII_SYMBOLS = Symbols(
    right="OK",
    wrong="X",
    bar_done="#",
    bar_todo="-",
    bullet="-",
    hint=">",
    badge="*",
    sep="|",
    more="...",
)


def symbols_for(console: Console) -> Symbols:
    return UNICODE_SYMBOLS if console.encoding.lower().startswith("utf") else ASCII_SYMBOLS


def format_seconds(seconds: float) -> str:
    """``125`` -> ``"2:05"``; hours appear only when needed (``"1:02:05"``)."""
    whole = max(0, int(seconds + 0.999)) if seconds > 0 else 0
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_bar(position: int, total: int, width: int, symbols: Symbols) -> Text:
    """``3/10 ███░░░░░░░``: a bar readable without colour (done and to-do differ in shape)."""
    total = max(total, position, 1)
    done = round(width * (position - 1) / total) if width > 0 else 0
    bar = Text(f"{position}/{total} ")
    bar.append(symbols.bar_done * done, style="green")
    bar.append(symbols.bar_todo * max(0, width - done), style=STYLE_DIM)
    return bar


class Hanging:
    """``lead`` followed by ``body``, the body's wrapped rows indented to start under its
    first row (a list item under its text, not its marker; a hint under "Hint:")."""

    MIN_ROOM = 12  # columns the body keeps; narrower, it wraps under the lead instead

    def __init__(
        self, lead: Text, body: Text, *, min_room: int = MIN_ROOM, narrow: int | None = None
    ) -> None:
        """``min_room``: the fewest columns the body hangs in. With less, the whole wraps from
        column 0 or, given ``narrow``, the lead stands on a row of its own and the body hangs
        ``narrow`` columns in under it."""
        self.lead = lead
        self.body = body
        self.min_room = min_room
        self.narrow = narrow

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        indent = self.lead.cell_len
        body = Measurement.get(console, options, self.body)
        return Measurement(body.minimum + indent, body.maximum + indent).clamp(
            max_width=options.max_width
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        lead = self.lead
        indent = lead.cell_len
        room = options.max_width - indent
        if room < self.min_room and self.narrow is not None and self.narrow < indent:
            lead = lead.copy()
            lead.rstrip()
            lead.no_wrap = True
            lead.overflow = "fold"
            lead.end = "\n"
            yield lead
            lead = Text(" " * self.narrow)
            indent = self.narrow
            room = options.max_width - indent
        elif room < self.min_room:
            whole = self.lead.copy()
            whole.append_text(self.body)
            yield whole
            return
        if room < 1:
            yield self.body
            return
        for number, line in enumerate(self.body.wrap(console, room, overflow="fold")):
            row = lead.copy() if number == 0 else Text(" " * indent)
            row.append_text(line)
            row.rstrip()
            row.no_wrap = True
            row.end = "\n"
            yield row


class FittedPanel(Panel):
    """A Panel whose title and subtitle, when too long for its top border, end with ``…``
    (rich would cut them off mid-word without a sign)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width if self.width is None else min(options.max_width, self.width)
        room = width - 6  # two corners, a border dash each side, a space each side
        panel = self
        for name in ("title", "subtitle"):
            label = getattr(self, name)
            if isinstance(label, Text) and label.cell_len > room > 0:
                fitted = label.copy()
                fitted.truncate(room, overflow="ellipsis")
                if panel is self:
                    panel = copy(self)
                setattr(panel, name, fitted)
        yield from Panel.__rich_console__(panel, console, options)


def _header(deck_title: str, mode: Mode, right: Text, width: int) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_column(justify="right", no_wrap=True)
    left = Text(deck_title, style=STYLE_TITLE)
    left.append(f" {mode.value}", style=STYLE_DIM)
    if width < 60:  # too narrow for both on one line: stack them
        return _stack(left, right)
    grid.add_row(left, right)
    return grid


def _stack(*rows: RenderableType) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(overflow="fold")
    for row in rows:
        grid.add_row(row)
    return grid



def _key_lines(keys: list[str], width: int | None) -> str:
    lines = [keys[0]]
    for key in keys[1:]:
        if width is not None and len(lines[-1]) + 3 + len(key) > width:
            lines.append(key)
        else:
            lines[-1] += f"   {key}"
    return "\n".join(lines)


def make_console(
    *,
    no_color: bool,
    file: object = None,
    width: int | None = None,
    height: int | None = None,
    record: bool = False,
    force_terminal: bool | None = None,
) -> Console:
    """A console for the review screen; ``no_color`` means no colour or style codes at all."""
    return Console(
        file=file,  # type: ignore[arg-type]
        width=width,
        height=height,
        record=record,
        force_terminal=force_terminal,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        emoji=False,
        markup=False,
    )
