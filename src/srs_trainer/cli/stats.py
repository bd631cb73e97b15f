"""`srs stats`: reviews per day, true retention and the 30-day forecast, as text charts."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .training import check_decks, home_option, loaded_trainer, sources_options

CHART_WIDTH = 40


def chart(rows: list[tuple[str, int]], width: int = CHART_WIDTH) -> list[str]:
    """A horizontal unicode bar chart, one line per (label, value)."""
    top = max((value for _, value in rows), default=0)
    lines = []
    for label, value in rows:
        length = round(width * value / top) if top else 0
        lines.append(f"{label}  {'█' * length}{' ' if length else ''}{value}")
    return lines


@click.command("stats")
@home_option
@sources_options
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="How many past days to show.",
)
@click.option(
    "--deck", "deck_ids", multiple=True, metavar="ID", help="Only this deck (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="Print plain JSON (for scripts).")
def command(
    home: Path | None,
    card_dirs: tuple[Path, ...],
    no_bundled: bool,
    days: int,
    deck_ids: tuple[str, ...],
    as_json: bool,
) -> None:
    """Show reviews per day, true retention and a 30-day forecast of due reviews."""
    with loaded_trainer(home, card_dirs, no_bundled) as loaded:
        check_decks(loaded.trainer, deck_ids)
        stats = loaded.trainer.stats(loaded.now, days, list(deck_ids) or None)
    if as_json:
        click.echo(json.dumps(stats.to_dict(), indent=2))
        return
    click.echo(f"Reviews per day (last {days} days):")
    for line in chart([(day.isoformat(), count) for day, count in stats.days]):
        click.echo("  " + line)
    if stats.true_retention is None:
        click.echo("True retention: - (no reviews of mature cards yet)")
    else:
        click.echo(
            f"True retention: {stats.true_retention:.1%}"
            f" of {stats.retention_reviews} reviews of cards in review"
        )
    click.echo("Forecast (reviews due per day, next 30 days):")
    for line in chart([(day.isoformat(), count) for day, count in stats.forecast]):
        click.echo("  " + line)
