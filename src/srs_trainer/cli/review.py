"""`srs review`: today's due questions, one by one, graded and scheduled with FSRS."""

from __future__ import annotations

from pathlib import Path

import click

from .training import (
    Loaded,
    check_decks,
    home_option,
    limit_options,
    loaded_trainer,
    run,
    sources_options,
)


@click.command("review")
@home_option
@sources_options
@click.option(
    "--deck",
    "deck_ids",
    multiple=True,
    metavar="ID",
    help="Review only this deck (repeatable). Default: every deck.",
)
@click.option(
    "--self-grade",
    is_flag=True,
    help="Rate yourself (Again/Hard/Good/Easy) after seeing the answer.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many reviews + new questions in this session.",
)
@limit_options
def command(
    home: Path | None,
    card_dirs: tuple[Path, ...],
    no_bundled: bool,
    deck_ids: tuple[str, ...],
    self_grade: bool,
    limit: int | None,
    retention: float | None,
    new_limit: int | None,
    review_limit: int | None,
) -> None:
    """Review today's due questions in the terminal.

    Answer with a letter (A-F) or number (1-6); h shows the hint, u undoes the last answer,
    q quits. A typed card takes the answer as a line; a recall or cloze card shows its answer
    on space or Enter and takes your rating, 1-4. Piped input: one line per attempt (a right
    answer moves on).
    Every answer is saved the moment you give it.
    """
    from ..trainer.session import SessionOptions
    from ..trainer.views import Mode

    with loaded_trainer(
        home,
        card_dirs,
        no_bundled,
        retention=retention,
        new_limit=new_limit,
        review_limit=review_limit,
    ) as loaded:
        check_decks(loaded.trainer, deck_ids)
        ids = list(deck_ids) or None
        sync_dir = loaded.trainer.settings.sync_dir
        if sync_dir is not None:
            sync_folder(loaded, sync_dir)
        queue = loaded.trainer.queue(loaded.now, ids, limit=limit)
        try:
            run(loaded, queue, SessionOptions(Mode.REVIEW, self_grade=self_grade, deck_ids=ids))
        finally:
            if sync_dir is not None:
                sync_folder(loaded, sync_dir, quiet=True)


def sync_folder(loaded: Loaded, folder: Path, *, quiet: bool = False) -> None:
    """`srs sync` of the configured folder; an absent folder (offline) is a one-line note."""
    from ..history.sync_folder import SyncError, sync

    try:
        report = sync(loaded.trainer.store, folder)
    except SyncError as error:
        click.echo(f"Note: not synced: {error}", err=True)
        return
    if report.added:
        # Reviews from another machine may complete a deck's badge.
        loaded.trainer.check_badges(loaded.clock())
    lines = report.notes()
    for line in lines[:-1] if quiet else lines:
        click.echo(line, err=True)
