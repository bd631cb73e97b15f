"""`srs progress`: mastery toward each deck's badge, recall, what is due, streak."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from .training import check_decks, home_option, loaded_trainer, sources_options

BAR_WIDTH = 10


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


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
    if as_json:
        click.echo(json.dumps({"decks": [row.to_dict() for row in rows], "streak": streak},
                              indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..store import from_text

    def local_date(moment: datetime) -> str:
        # The learner's calendar date (config.yaml's timezone), not UTC's.
        return (moment.astimezone(tz) if tz else moment.astimezone()).date().isoformat()

    # Piped output has no width to follow; 100 columns keep a row on one line.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 100)
    table = Table(title="Progress", title_justify="left")
    for name in ("Deck", "Mastered", "Badge", "Recall", "Due today/tmrw/week"):
        table.add_column(name, no_wrap=name != "Deck")
    for row in rows:
        recall = f"{row.retrievability:.0%}" if row.retrievability is not None else "-"
        table.add_row(
            Text(row.title),
            f"{bar(row.mastered, row.total)} {row.mastered}/{row.total}",
            f"{bar(row.challenge_mastered, row.challenge_total)} "
            f"{row.challenge_mastered}/{row.challenge_total}",
            recall,
            f"{row.due_today} / {row.due_tomorrow} / {row.due_week}",
        )
    console.print(table)
    where = f" in {deck_id}" if deck_id else ""
    console.print(Text(f"Streak: {streak} day{'s' if streak != 1 else ''} in a row with "
                       f"reviews{where}"))
    for row in rows:
        if not row.badge_name:
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
