"""`srs import`: quiz pages or an Anki package into YAML sources (thin, over importer/)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from ..deck.problems import Problem

ANKI_SUFFIXES = (".apkg", ".colpkg")


@click.command("import")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="One page or an Anki package: the source file to write (default: "
    "cards/<deck-id>.yaml); if it exists, a page is merged into it (ids and the fields you own "
    "are kept). Several pages or a folder: the folder to write them to (default: cards/).",
)
def command(inputs: tuple[Path, ...], out: Path | None) -> None:
    """Import quiz pages (files, or folders of *.txt) or an Anki package (.apkg) into sources.

    One page: prints the file written and what changed in it. Several pages: one source each,
    then a table of the warnings per page; exit status 1 if any page failed. Warnings (on
    stderr) name the page's lines; each is also a `TODO(srs):` comment in the source, which
    `srs lint` refuses until resolved. An Anki package: its notes become recall, typed and cloze
    questions, its media are copied next to the source; see docs/import.md.
    """
    one = len(inputs) == 1 and not inputs[0].is_dir()
    if one and out is not None and out.is_dir():
        raise click.BadParameter(
            f"{out} is a folder; for one page or package, --out names the source file",
            param_hint="'--out'")
    if one and inputs[0].suffix.lower() in ANKI_SUFFIXES:
        _import_package(inputs[0], out)
    elif one:
        _import_one(inputs[0], out)
    else:
        _import_many(inputs, out)


def _fail(problems: Iterable[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo("nothing written", err=True)
    raise SystemExit(1)


def _import_one(page: Path, out: Path | None) -> None:
    from ..deck.problems import InputError
    from ..importer.source_file import import_page

    try:
        outcome = import_page(page, out)
    except InputError as error:
        _fail(error.problems)
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


def _import_many(inputs: tuple[Path, ...], out: Path | None) -> None:
    from ..deck.problems import InputError
    from ..importer.batch import Status, import_pages, summary_table

    if any(path.suffix.lower() in ANKI_SUFFIXES for path in inputs):
        raise click.UsageError("import an Anki package on its own: srs import DECK.apkg --out FILE")
    if out is not None and (out.suffix.lower() in (".yaml", ".yml") or out.is_file()):
        raise click.UsageError(
            f"--out {out}: with several pages (or a folder), --out names the folder to write to")
    try:
        batch = import_pages(inputs, out)
    except InputError as error:
        _fail(error.problems)
    for result in batch.results:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        outcome = result.outcome
        if outcome is None or result.status is Status.FAILED:
            continue
        for warning in outcome.warnings:
            click.echo(str(warning.problem(str(result.page))), err=True)
        if result.status is not Status.CLASH:
            for change in outcome.changes:
                click.echo(f"{outcome.path}: {change}")
    for line in summary_table(batch):
        click.echo(line)
    if not batch.ok:
        raise SystemExit(1)


def _import_package(package: Path, out: Path | None) -> None:
    from ..deck.problems import InputError
    from ..importer.apkg_source import import_package

    try:
        outcome = import_package(package, out)
    except InputError as error:
        _fail(error.problems)
    for line in outcome.report():
        click.echo(line)
