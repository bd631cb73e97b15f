"""`srs build`: compile YAML sources into Anki decks (over ``srs_trainer.anki.build``)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("build")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("decks"), show_default=True, help="Folder for the .apkg files.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if a deck file differs from what a build would write.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update the build cache.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes compiling sources [default: one per idle core for several sources].")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
def command(sources: tuple[Path, ...], out_dir: Path, check: bool, no_cache: bool,
            jobs: int | None, quiet: bool) -> None:
    """Compile YAML sources into Anki decks, one <deck id>.apkg per source.

    SOURCES are files or folders (default: cards/). Rebuilding without edits writes nothing
    new; an edited question gets a newer modification time, so re-importing the deck in Anki
    updates it and keeps its review history.
    """
    from ..anki.build import BuildError, Status, build
    from ..deck.files import NoSources, find_sources
    from ..deck.problems import InputError

    try:
        find_sources(sources, "build")
    except NoSources as error:
        raise click.ClickException(str(error)) from None
    try:
        # The sources as named: with none, the build also reports decks no source builds.
        report = build(sources, out_dir, check=check, use_cache=not no_cache, jobs=jobs)
    except InputError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    except BuildError as error:  # ExportError too
        raise click.ClickException(str(error)) from None
    except OSError as error:
        where = error.filename or out_dir
        raise click.ClickException(f"{where}: {error.strerror or error}") from None

    for outcome in report.outcomes:
        if outcome.status is Status.STALE:
            click.echo(f"{outcome.output}: stale: {'; '.join(outcome.reasons)}", err=True)
        elif not quiet:
            click.echo(outcome.describe())
    for orphan in report.orphans:
        click.echo(f"{orphan}: warning: no source builds this deck; delete it if its deck id "
                   "was renamed", err=True)
    if report.stale:
        raise SystemExit(1)
    if check and not quiet:
        click.echo(f"{len(report.outcomes)} deck(s) up to date.")
