"""`srs lint`: check sources for mistakes the schema cannot catch."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("lint")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
def command(sources: tuple[Path, ...], strict: bool) -> None:
    """Check SOURCES (YAML files or folders of them; default: cards/) for mistakes.

    Prints one `path:line:column: error|warning: message` line per problem, then a summary on
    stderr. Exits 1 if there are errors (or, with --strict, warnings).
    """
    from ..deck.files import NoSources, find_sources
    from ..deck.lint import lint_paths

    try:
        paths = find_sources(sources, "lint")
    except NoSources as error:
        raise click.ClickException(str(error)) from None
    report = lint_paths(paths)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(report.summary(), err=True)
    if report.failed(strict=strict):
        raise SystemExit(1)
