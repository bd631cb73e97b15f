"""`srs optimize`: fit FSRS parameters to the learner's reviews; simulate desired retention."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..trainer.fitted_params import FittedPreset

from .training import home_option, loaded_trainer, sources_options


@click.command("optimize")
@home_option
@sources_options
@click.option("--deck", "deck_id", metavar="ID", default=None,
              help="Fit this deck's reviews only, for this deck (default: all decks, one set).")
@click.option("--dry-run", is_flag=True, help="Fit and compare, but save nothing.")
@click.option("--reset", is_flag=True, help="Go back to FSRS's default parameters.")
@click.option("--retention", "simulate", is_flag=True,
              help="Simulate a year at desired retention 0.70-0.97 with your parameters.")
@click.option("--json", "as_json", is_flag=True, help="Print plain JSON (for scripts).")
def command(
    home: Path | None, card_dirs: tuple[Path, ...], no_bundled: bool, deck_id: str | None,
    dry_run: bool, reset: bool, simulate: bool, as_json: bool,
) -> None:
    """Fit FSRS parameters to your own reviews; adopt them only when they predict better.

    Fits on the earlier 80% of your reviews and scores the current and the fitted parameters
    on the later 20% (log loss, RMSE(bins)). Needs the optional optimizer:
    pip install 'srs-trainer[optimize]'.
    """
    from ..trainer import fitted_params
    from ..trainer.optimize import OptimizeError, default_parameters, fit
    from ..trainer.review_columns import store_columns
    from .training import check_decks

    with loaded_trainer(home, card_dirs, no_bundled) as loaded:
        trainer = loaded.trainer
        if deck_id:
            check_decks(trainer, [deck_id])
        preset = deck_id or fitted_params.ALL_DECKS
        folder = Path(trainer.store.path).parent
        presets = fitted_params.read(folder)
        if reset:
            _reset(folder, presets, deck_id)
            return
        settings = trainer.deck_settings(deck_id) if deck_id else trainer.settings.defaults
        current = settings.parameters or default_parameters()
        try:
            if simulate:
                _simulate(current, len(trainer.store.cards([deck_id] if deck_id else None)),
                          as_json)
                return
            reviews = store_columns(trainer.store, [deck_id] if deck_id else None)
            result = fit(reviews, current)
        except OptimizeError as error:
            raise click.ClickException(str(error)) from None
        adopted = result.better and not dry_run
        if adopted:
            presets[preset] = fitted_params.FittedPreset(
                result.parameters, loaded.now, result.reviews, result.fitted.log_loss,
                result.fitted.rmse_bins)
            fitted_params.write(folder, presets)
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "adopted": adopted, "preset": preset},
                              indent=2))
        return
    click.echo(f"Reviews used: {result.reviews} (fitted on the earlier {result.train},"
               f" scored on the later {result.test})")
    click.echo(f"{'':24}{'log loss':>10}{'RMSE(bins)':>12}")
    for name, scores in (("current parameters", result.current),
                         ("fitted parameters", result.fitted)):
        click.echo(f"{name:24}{scores.log_loss:>10.4f}{scores.rmse_bins:>12.4f}")
    if adopted:
        click.echo("Adopted: the next session schedules with the fitted parameters"
                   f" ({fitted_params.FILE_NAME} in the data folder).")
    elif result.better:
        click.echo("Dry run: the fitted parameters would be adopted; nothing saved.")
    else:
        click.echo("Kept the current parameters: the fitted ones do not predict your later"
                   " reviews better.")


def _reset(folder: Path, presets: dict[str, FittedPreset], deck_id: str | None) -> None:
    from ..trainer import fitted_params

    if deck_id:
        presets.pop(deck_id, None)
    else:
        presets.clear()
    fitted_params.write(folder, presets)
    which = f"deck {deck_id}" if deck_id else "every deck"
    click.echo(f"Back to FSRS's default parameters for {which}.")


def _simulate(parameters: tuple[float, ...], cards: int, as_json: bool) -> None:
    from ..trainer.optimize import simulate_retention, suggested_retention

    points = simulate_retention(parameters, max(cards, 1))
    best = suggested_retention(points)
    if as_json:
        click.echo(json.dumps({"cards": cards, "suggested": best.desired_retention, "points": [
            {"desired_retention": p.desired_retention, "reviews_per_day": p.reviews_per_day,
             "memorized": p.memorized} for p in points]}, indent=2))
        return
    click.echo(f"A year of reviews of {cards} card(s) at each desired retention (simulated):")
    click.echo(f"{'retention':>9}  {'reviews/day':>11}  {'known at the end':>16}")
    widest = max(p.reviews_per_day for p in points) or 1
    for point in points:
        bar = "█" * max(1, round(20 * point.reviews_per_day / widest))
        mark = "  <- suggested" if point is best else ""
        click.echo(f"{point.desired_retention:>9.2f}  {point.reviews_per_day:>11.1f}"
                   f"  {point.memorized:>16.0f}  {bar}{mark}")
    click.echo(f"Suggested: {best.desired_retention:.2f}, the most knowledge per daily review."
               " Nothing changed; to use it, set desired_retention in config.yaml"
               " (or pass --retention to srs review).")
