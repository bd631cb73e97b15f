"""`srs progress`: mastery toward each deck's badge, recall, what is due, streak."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .training import check_decks, home_option, loaded_trainer, sources_options

BAR_WIDTH = 20


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
    if as_json:
        click.echo(json.dumps({"decks": [row.to_dict() for row in rows]}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title="Progress", title_justify="left")
    for name in (
        "Deck",
        "Mastered",
        "Badge",
        "Recall now",
        "Due today / tomorrow / week",
        "Streak",
    ):
        table.add_column(name)
    for row in rows:
        badge = f"{bar(row.challenge_mastered, row.challenge_total, 10)} "
        badge += f"{row.challenge_mastered}/{row.challenge_total}"
        if row.badge_name:
            status = (
                f"earned {row.badge_earned_at.date().isoformat()}"
                if row.badge_earned_at
                else "not yet"
            )
            badge += f"\n{row.badge_name}: {status}"
        recall = f"{row.retrievability:.0%}" if row.retrievability is not None else "-"
        table.add_row(
            f"{row.title}\n[dim]{row.deck_id}[/dim]",
            f"{bar(row.mastered, row.total)} {row.mastered}/{row.total}",
            badge,
            recall,
            f"{row.due_today} / {row.due_tomorrow} / {row.due_week}",
            f"{row.streak} day{'s' if row.streak != 1 else ''}",
        )
    console.print(table)
