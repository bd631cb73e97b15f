"""`srs sync DIR`: share progress with this learner's other machines through a synced folder."""

from __future__ import annotations

from pathlib import Path

import click

from .training import home_option, loaded_trainer, open_store, sources_options


@click.command("sync")
@home_option
@sources_options
@click.argument("folder", type=click.Path(path_type=Path), required=False)
def command(home: Path | None, card_dirs: tuple[Path, ...], no_bundled: bool,
            folder: Path | None) -> None:
    """Write this machine's reviews to FOLDER and add every other machine's.

    FOLDER is any folder kept in sync between your machines (Syncthing, Dropbox, a git
    repository, a network share); without it, `sync_dir` of config.yaml. Each machine writes
    only its own file there (srs-<device>.jsonl); the progress database stays local. When
    other machines' reviews came in, the badges they complete are earned here, with the
    decks loaded as `srs review` loads them (--cards, --no-bundled).
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
    if report.added:
        earn_badges(home, card_dirs, no_bundled)


def earn_badges(home: Path | None, card_dirs: tuple[Path, ...], no_bundled: bool) -> None:
    """Badges that reviews from other machines complete (the sync is done whatever happens)."""
    try:
        with loaded_trainer(home, card_dirs, no_bundled) as loaded:
            earned = loaded.trainer.check_badges(loaded.now)
    except click.ClickException as error:
        click.echo(f"Note: badges not checked: {error.message}", err=True)
        return
    for name in earned:
        click.echo(f"Badge earned: {name} (celebrated at your next srs review)")


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
