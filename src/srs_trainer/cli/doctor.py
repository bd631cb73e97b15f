"""`srs doctor`: check the progress database; rebuild card state from the review log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .training import home_option, open_store, sources_options

if TYPE_CHECKING:
    from ..trainer.store import Store

LISTED_CARDS = 20


@click.command("doctor")
@home_option
@sources_options
@click.option("--rebuild", is_flag=True, help="Rewrite every card's state from the review log.")
@click.option(
    "--recover",
    is_flag=True,
    help="Salvage a damaged database: move it aside, copy every readable row into a new one,"
    " replay the log.",
)
def command(
    home: Path | None, card_dirs: tuple[Path, ...], no_bundled: bool, rebuild: bool,
    recover: bool,
) -> None:
    """Check the progress database and that card state equals a replay of the review log.

    Exits 1 when a problem is found and not repaired. --cards/--no-bundled name the sources
    that --recover matches the salvaged cards with.
    """
    if recover:
        recover_database(home, card_dirs, no_bundled)
        return
    from ..trainer.doctor import doctor

    with open_store(home) as store:
        click.echo(f"Database: {store.path} (schema version {store.schema_version})")
        click.echo(f"Replaying the review log ({store.log_count()} rows)...", err=True)
        report = doctor(store, rebuild=rebuild)
        if report.integrity:
            click.echo("Integrity check FAILED:", err=True)
            for line in report.integrity:
                click.echo(f"  {line}", err=True)
            click.echo("Run `srs doctor --recover` to salvage it.", err=True)
            raise SystemExit(1)
        click.echo("Integrity check: ok")
        click.echo(f"Cards checked against a replay of the log: {report.cards_checked}")
        if report.stale_rows:
            click.echo(
                f"Note: {len(report.stale_rows)} log row(s) saved a result that a replay no longer"
                " gives (an fsrs upgrade?); card state follows the replay."
            )
        if not report.mismatched:
            click.echo("Card state matches the log.")
            return
        # A wiped or migrated database can differ on every card: name a screenful, count the rest.
        for deck_id, question_id in report.mismatched[:LISTED_CARDS]:
            click.echo(f"  differs from the log: {deck_id}/{question_id}", err=not rebuild)
        if len(report.mismatched) > LISTED_CARDS:
            click.echo(f"  ... and {len(report.mismatched) - LISTED_CARDS} more", err=not rebuild)
        if rebuild:
            click.echo(f"Rebuilt {report.rebuilt} card(s) from the log.")
        else:
            click.echo(
                f"{len(report.mismatched)} card(s) differ from the log;"
                " run `srs doctor --rebuild` to repair.",
                err=True,
            )
            raise SystemExit(1)


def recover_database(home: Path | None, card_dirs: tuple[Path, ...], no_bundled: bool) -> None:
    from ..deck.problems import InputError
    from ..trainer import scheduling
    from ..trainer.doctor import doctor
    from ..trainer.recovery import quick_check, recover
    from ..trainer.settings import (
        DATABASE_NAME,
        HomeError,
        ensure_home,
        load_settings,
        resolve_home,
    )
    from .training import fail_with_problems, loaded_trainer, session_clock

    try:
        folder = ensure_home(resolve_home(home))
    except HomeError as error:
        raise click.ClickException(str(error)) from None
    path = folder / DATABASE_NAME
    if not path.is_file():
        raise click.ClickException(f"{path}: no progress database here; nothing to recover")
    problems = quick_check(path)
    if not problems:
        click.echo(f"{path}: the database is sound; nothing to recover.")
        return
    try:
        settings = load_settings(folder)
    except InputError as error:
        fail_with_problems(error)
    click.echo(f"{path}: damaged ({problems[0]})")
    report = recover(path, session_clock()(), scheduling.scheduler_json(settings.defaults))
    click.echo(f"Moved the damaged file aside: {report.damaged_copy}")
    if not report.schema_readable:
        click.echo("Its list of tables was unreadable: rows were read straight from its pages.")
    for table in report.tables:
        if table.recovered or table.lost:
            click.echo(f"  {table.table}: {table.recovered} row(s) recovered, {table.lost} lost")
    if report.rescheduled:
        click.echo(f"  {report.rescheduled} review(s) lost their scheduler settings and are"
                   " replayed with today's.")
    back = 0
    with loaded_trainer(home, card_dirs, no_bundled) as loaded:
        if settings.sync_dir is not None:
            back = _add_from_sync_folder(loaded.trainer.store, settings.sync_dir)
        replay = doctor(loaded.trainer.store, rebuild=True)
    click.echo(
        f"Replayed the review log: {replay.cards_checked} card(s), {replay.rebuilt} rebuilt.")
    click.echo(f"Recovered {report.recovered} row(s); lost {report.lost}"
               + (f" ({back} log row(s) back from the sync folder)." if back else "."))


def _add_from_sync_folder(store: Store, folder: Path) -> int:
    """Every event the sync folder holds, this device's own included (those the damage took
    come back with their ids)."""
    from ..history.sync_folder import SyncError, sync

    before = store.log_count()
    try:
        report = sync(store, folder, own_events=True)
    except SyncError as error:
        click.echo(f"Not added from the sync folder: {error}")
        return 0
    for line in report.notes()[:-1]:
        click.echo(f"  {line}")
    click.echo(f"Added {store.log_count() - before} log row(s) from the sync folder {folder}"
               f" ({report.added} event(s) in all).")
    return store.log_count() - before
