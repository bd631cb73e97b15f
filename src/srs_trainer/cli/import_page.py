"""`srs import`: turn a quiz page into a YAML source (a thin layer over the importer)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.argument("page", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Source file to write (default: cards/<deck-id>.yaml). If it exists, the page is "
    "merged into it: ids and the fields you own are kept.",
)
def command(page: Path, out: Path | None) -> None:
    """Import the quiz page PAGE into a YAML source.

    Prints the file written and what changed in it. Warnings (on stderr) name the page's lines;
    each is also a `TODO(srs):` comment in the source, which `srs lint` refuses until resolved.
    """
    from ..deck.problems import InputError
    from ..importer.source_file import import_page

    try:
        outcome = import_page(page, out)
    except InputError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo("nothing written", err=True)
        raise SystemExit(1) from None
    for warning in outcome.warnings:
        click.echo(str(warning.problem(str(page))), err=True)
    for change in outcome.changes:
        click.echo(change)
    deck = outcome.page.deck
    verb = "wrote" if outcome.created else "updated"
    summary = (
        f"{verb} {outcome.path}: {len(deck.challenges)} challenge(s), "
        f"{len(deck.practice)} practice question(s)"
    )
    if outcome.warnings:
        summary += f", {len(outcome.warnings)} TODO(srs) to resolve"
    elif not outcome.created and not outcome.changes:
        summary += ", no changes"
    click.echo(summary)
