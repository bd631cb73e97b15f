"""`srs lint`: check sources for mistakes the schema cannot catch."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_SOURCES = Path("cards")


@click.command("lint")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
def command(sources: tuple[Path, ...], strict: bool) -> None:
    """Check SOURCES (YAML files or folders of them; default: cards/) for mistakes.

    Prints one `path:line:column: error|warning: message` line per problem, then a summary on
    stderr. Exits 1 if there are errors (or, with --strict, warnings).
    """
    from ..deck.files import discover
    from ..deck.lint import lint_paths

    if not sources and not DEFAULT_SOURCES.is_dir():
        raise click.ClickException("no cards/ folder here; name the sources to lint")
    paths = discover(sources or [DEFAULT_SOURCES])
    if not paths:
        shown = ", ".join(str(source) for source in sources or [DEFAULT_SOURCES])
        raise click.ClickException(f"no YAML sources (*.yaml, *.yml) in {shown}")
    report = lint_paths(paths)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(report.summary(), err=True)
    if report.failed(strict=strict):
        raise SystemExit(1)
