"""`srs challenge DECK`: the page's timed challenge; every answer counts as a review."""

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


@click.command("challenge")
@click.argument("deck_id", metavar="[DECK]", required=False)
@home_option
@sources_options
@retention_option
def command(
    deck_id: str | None,
    home: Path | None,
    card_dirs: tuple[Path, ...],
    no_bundled: bool,
    retention: float | None,
) -> None:
    """Take a deck's timed challenge: all its challenge questions, with their time limits.

    The result (date, score, time) is kept when you finish; each answer is a review,
    scheduled with --retention if given. Daily limits do not apply: every challenge
    question is asked.

    DECK is a deck id; it may be left out when only one deck is loaded.
    """
    from ..trainer.session import SessionOptions
    from ..trainer.views import Mode

    with loaded_trainer(home, card_dirs, no_bundled, retention=retention) as loaded:
        deck_id, queue = section_queue(loaded.trainer, deck_id, "challenge")
        run(loaded, queue, SessionOptions(Mode.CHALLENGE, deck_ids=[deck_id]))
