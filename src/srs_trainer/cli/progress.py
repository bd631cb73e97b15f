"""`srs progress`: mastery toward each deck's badge, recall, what is due, streak."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .training import check_decks, home_option, loaded_trainer, sources_options

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..trainer.mastery import DeckProgress

BAR_WIDTH = 10  # in the blocks of a narrow terminal
TABLE_BAR_WIDTH = 5  # in the table, where the columns share the width
PIPED_WIDTH = 100  # output to a pipe without $COLUMNS: wide enough for a row on one line
MIN_DECK_WIDTH = 20  # narrower than this for the deck names, one block per deck instead
NO_BADGE = "-"


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def output_width(is_tty: bool, environ: Mapping[str, str]) -> int | None:
    """The width to lay out for: the terminal's (None: rich asks it), else $COLUMNS when set,
    else PIPED_WIDTH."""
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if is_tty else PIPED_WIDTH


def _has_badge(row: DeckProgress) -> bool:
    # A deck without challenge questions has no badge to earn, whatever its source names.
    return bool(row.badge_name) and row.challenge_total > 0


def _recall(row: DeckProgress) -> str:
    return f"{row.retrievability:.0%}" if row.retrievability is not None else "-"


def _count(done: int, total: int, width: int) -> str:
    return f"{bar(done, total, width)} {done}/{total}"


COLUMNS = ("Deck", "Mastered", "Badge", "Recall", "Due today/tmrw/week")


def _cells(row: DeckProgress) -> tuple[str, str, str, str]:
    """A deck's row of the table after its name."""
    badge = (
        _count(row.challenge_mastered, row.challenge_total, TABLE_BAR_WIDTH)
        if _has_badge(row)
        else NO_BADGE
    )
    return (
        _count(row.mastered, row.total, TABLE_BAR_WIDTH),
        badge,
        _recall(row),
        f"{row.due_today} / {row.due_tomorrow} / {row.due_week}",
    )


def progress_view(rows: Sequence[DeckProgress], width: int) -> RenderableType:
    """The table of decks, deck names wrapped in their column; one block per deck when the
    width leaves the names too little room, so that nothing is ever cut off."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    title = Text("Progress", style="bold")
    cells = [_cells(row) for row in rows]
    others = [
        max([cell_len(name)] + [cell_len(figures[index]) for figures in cells])
        for index, name in enumerate(COLUMNS[1:])
    ]
    names = width - sum(others) - 2 * len(others)  # two spaces between columns, no edges
    longest = max([cell_len(COLUMNS[0])] + [cell_len(row.title) for row in rows])
    if names < min(MIN_DECK_WIDTH, longest):
        blocks: list[RenderableType] = []
        for row in rows:
            blocks += [Text(""), *_block(row)]
        return Group(title, *blocks, Text(""))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True)
    table.add_column(COLUMNS[0], ratio=1, overflow="fold")
    for name in COLUMNS[1:]:
        table.add_column(name, no_wrap=True)
    for row, figures in zip(rows, cells, strict=True):
        table.add_row(Text(row.title), *figures)
    return Group(title, table)


def _block(row: DeckProgress) -> list[RenderableType]:
    """One deck in lines of its own, the layout of a narrow terminal: its name, then a label
    and a value a line (values wrap under themselves)."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold")
    grid.add_row("  Mastered", _count(row.mastered, row.total, BAR_WIDTH))
    if _has_badge(row):
        grid.add_row("  Badge", _count(row.challenge_mastered, row.challenge_total, BAR_WIDTH))
    else:
        grid.add_row("  Badge", f"{NO_BADGE} (no badge)")
    grid.add_row("  Recall", _recall(row))
    grid.add_row(
        "  Due",
        f"{row.due_today} today, {row.due_tomorrow} tomorrow, {row.due_week} this week",
    )
    return [Text(row.title, style="bold", overflow="fold"), grid]


@click.command("progress")
@click.argument("deck_id", metavar="[DECK]", required=False)
@home_option
@sources_options
@click.option("--json", "as_json", is_flag=True, help="Print plain JSON (for scripts).")
def command(
    deck_id: str | None,
    home: Path | None,
    card_dirs: tuple[Path, ...],
    no_bundled: bool,
    as_json: bool,
) -> None:
    """Show mastery toward each deck's badge (a question is mastered at 21 days' stability)."""
    with loaded_trainer(home, card_dirs, no_bundled) as loaded:
        ids = [deck_id] if deck_id else None
        if ids:
            check_decks(loaded.trainer, ids)
        rows = loaded.trainer.progress(loaded.now, ids)
        streak = loaded.trainer.streak(loaded.now, ids)
        tz = loaded.trainer.settings.tz()
        from ..history.origins import pulled_from_anki

        from_anki = pulled_from_anki(loaded.trainer.store)
    if as_json:
        click.echo(json.dumps({"decks": [row.to_dict() for row in rows], "streak": streak,
                               "reviews_from_anki": from_anki}, indent=2))
        return
    from rich.console import Console
    from rich.text import Text

    from ..trainer.types import from_text

    def local_date(moment: datetime) -> str:
        # The learner's calendar date (config.yaml's timezone), not UTC's.
        return (moment.astimezone(tz) if tz else moment.astimezone()).date().isoformat()

    console = Console(highlight=False, width=output_width(sys.stdout.isatty(), os.environ))
    console.print(progress_view(rows, console.width))
    where = f" in {deck_id}" if deck_id else ""
    console.print(Text(f"Streak: {streak} day{'s' if streak != 1 else ''} in a row with "
                       f"reviews{where}"))
    if from_anki:
        console.print(Text(f"Reviews pulled from Anki: {from_anki} (`srs anki pull`)"))
    for row in rows:
        if not _has_badge(row):
            continue
        if row.badge_earned_at:
            status = f"earned on {local_date(row.badge_earned_at)}"
        else:
            status = f"not yet ({row.challenge_mastered}/{row.challenge_total} challenges mastered)"
        console.print(Text(f"Badge '{row.badge_name}' ({row.deck_id}): {status}"))
    for row in rows:
        if row.last_challenge:
            result = row.last_challenge
            minutes, seconds = divmod(round(result["elapsed_seconds"]), 60)
            console.print(
                Text(
                    f"Last challenge ({row.deck_id}): {result['score']}/{result['total']}"
                    f" in {minutes}:{seconds:02d} on {local_date(from_text(result['finished_at']))}"
                )
            )
