"""`srs practice DECK`: the page's untimed practice questions, with worked solutions."""

from __future__ import annotations

from pathlib import Path

import click

from .training import (
    home_option,
    loaded_trainer,
    retention_option,
    run,
    section_queue,
    sources_options,
)


@click.command("practice")
@click.argument("deck_id", metavar="[DECK]", required=False)
@home_option
@sources_options
@click.option(
    "--reschedule/--no-reschedule",
    default=False,
    show_default=True,
    help="Whether practice answers move the review schedule (they are always logged).",
)
@click.option("--self-grade", is_flag=True, help="Rate yourself after seeing the answer.")
@retention_option
def command(
    deck_id: str | None,
    home: Path | None,
    card_dirs: tuple[Path, ...],
    no_bundled: bool,
    reschedule: bool,
    self_grade: bool,
    retention: float | None,
) -> None:
    """Work through a deck's practice questions, untimed, with the solution steps after each.

    --retention schedules with that desired retention; it needs --reschedule, since
    practice answers otherwise move no schedule.

    DECK is a deck id; it may be left out when only one deck is loaded.
    """
    if retention is not None and not reschedule:
        raise click.UsageError(
            "--retention needs --reschedule: without it practice answers are only logged"
        )
    from ..trainer.session import SessionOptions
    from ..trainer.views import Mode

    with loaded_trainer(home, card_dirs, no_bundled, retention=retention) as loaded:
        deck_id, queue = section_queue(loaded.trainer, deck_id, "practice")
        options = SessionOptions(
            Mode.PRACTICE, self_grade=self_grade, reschedule=reschedule, deck_ids=[deck_id]
        )
        run(loaded, queue, options)
