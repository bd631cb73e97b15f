"""`srs sync DIR`: share progress with this learner's other machines through a synced folder."""

from __future__ import annotations

from pathlib import Path

import click

from .training import home_option, open_store


@click.command("sync")
@home_option
@click.argument("folder", type=click.Path(path_type=Path), required=False)
def command(home: Path | None, folder: Path | None) -> None:
    """Write this machine's reviews to FOLDER and add every other machine's.

    FOLDER is any folder kept in sync between your machines (Syncthing, Dropbox, a git
    repository, a network share); without it, `sync_dir` of config.yaml. Each machine writes
    only its own file there (srs-<device>.jsonl); the progress database stays local.
    """
    from ..history.sync_folder import SyncError, sync

    folder = folder or configured_folder(home)
    with open_store(home) as store:
        try:
            report = sync(store, folder)
        except SyncError as error:
            raise click.ClickException(str(error)) from None
    for line in report.notes():
        click.echo(line)


def configured_folder(home: Path | None) -> Path:
    from ..deck.problems import InputError
    from ..trainer.settings import HomeError, ensure_home, load_settings, resolve_home
    from .training import fail_with_problems

    try:
        settings = load_settings(ensure_home(resolve_home(home)))
    except HomeError as error:
        raise click.ClickException(str(error)) from None
    except InputError as error:
        fail_with_problems(error)
    if settings.sync_dir is None:
        raise click.UsageError("name the sync folder: srs sync DIR (or set sync_dir in"
                               " config.yaml)")
    return settings.sync_dir
