"""`srs stats`: reviews per day, a year's heatmap, true retention, the 30-day forecast and the
calibration of the schedule (predicted recall against actual), as compact charts."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .training import check_decks, home_option, loaded_trainer, sources_options

if TYPE_CHECKING:
    from ..trainer.mastery import Stats


def wants_colour(is_tty: bool, environ: Mapping[str, str]) -> bool:
    """Colour only at a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return is_tty and not environ.get("NO_COLOR")


def _series_lines(
    title: str,
    series: list[tuple[date, int]],
    width: int,
    *,
    full_at_end: bool,
    paint: Callable[[str], str],
) -> list[str]:
    from ..tui.charts import choose_layout, column_chart

    layout, buckets = choose_layout(series, width, full_at_end=full_at_end)
    lines = [title.format(unit=layout.unit)]
    if not any(bucket.value for bucket in buckets):
        return lines
    return lines + column_chart(buckets, layout, paint=paint, width=width)


def _prose(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` wrapped to the terminal, later lines indented under the first."""
    return textwrap.wrap(
        text, max(20, width), initial_indent=indent, subsequent_indent=indent + "  "
    )


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _average(total: int, days: int) -> str:
    average = total / days
    # Two decimals below one a day, so a few reviews a month do not read as "0.0".
    shown = f"{average:.2f}" if 0 < average < 1 else f"{average:.1f}"
    return f"{total} in {_days(days)}, {shown} a day on average"


def stats_lines(stats: Stats, width: int, paint: Callable[[str], str] = str) -> list[str]:
    """What `srs stats` prints, for a terminal ``width`` columns wide."""
    days = len(stats.days)
    lines = _series_lines(
        f"Reviews per {{unit}}, last {_days(days)}",
        stats.days,
        width,
        full_at_end=True,
        paint=paint,
    )
    lines += _prose(f"Reviews: {_average(stats.reviews_total, days)}.", width, "  ")
    if stats.true_retention is None:
        retention = "True retention: - (no reviews of cards in the Review state yet)"
    else:
        passed = round(stats.true_retention * stats.retention_reviews)
        retention = (
            f"True retention: {stats.true_retention:.1%} ({passed} of"
            f" {stats.retention_reviews} reviews of cards in the Review state passed)"
        )
    lines += _prose(retention, width)
    lines.append("")
    from ..tui.stats_charts import calibration_lines, heatmap_lines

    heatmap = heatmap_lines(stats.heatmap, width, paint)
    if heatmap:
        lines += [*heatmap, ""]
    forecast_days = len(stats.forecast)
    lines += _series_lines(
        f"Reviews due per {{unit}}, next {_days(forecast_days)}",
        stats.forecast,
        width,
        full_at_end=False,
        paint=paint,
    )
    due = f"Due: {_average(stats.forecast_total, forecast_days)}"
    if stats.overdue:
        due += f" (today's {stats.overdue} overdue included)"
    lines += _prose(due + ".", width, "  ")
    lines.append("")
    lines += calibration_lines(stats.calibration, width)
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
    """Show reviews per day, a year's heatmap, true retention, a 30-day forecast of due
    reviews, and whether the schedule is right: predicted recall at review time against the
    actual pass rate, and true retention by interval.

    The charts fit the terminal ($COLUMNS): a column per day, or per week when the days do
    not fit. Colour follows NO_COLOR.
    """
    with loaded_trainer(home, card_dirs, no_bundled) as loaded:
        check_decks(loaded.trainer, deck_ids)
        stats = loaded.trainer.stats(loaded.now, days, list(deck_ids) or None)
        from ..history.origins import pulled_from_anki

        from_anki = pulled_from_anki(loaded.trainer.store)
    if as_json:
        click.echo(json.dumps({**stats.to_dict(), "reviews_from_anki": from_anki}, indent=2))
        return
    width = shutil.get_terminal_size((80, 24)).columns
    colour = wants_colour(sys.stdout.isatty(), os.environ)
    paint: Callable[[str], str] = (lambda text: click.style(text, fg="cyan")) if colour else str
    for line in stats_lines(stats, width, paint):
        click.echo(line)
    if from_anki:
        click.echo(f"Reviews pulled from Anki: {from_anki} (`srs anki pull`)")
