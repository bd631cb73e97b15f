"""`srs verify`: run the questions' checks and report which answers they prove.

A thin layer over ``srs_trainer.verify.runner``; see docs/verify.md.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # the CPUs this process may use, not the machine's
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@click.command("verify")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="S",
              help="Stop each check after S seconds (default: the check's own timeout, else 30).")
@click.option("-k", "question_ids", multiple=True, metavar="TEXT",
              help="Verify only questions whose id contains TEXT (repeatable).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Checks to run at once (default: the number of CPUs, at most 4).")
@click.option("--strict", is_flag=True,
              help="Exit 1 also when a check could not be verified (timeout, missing module, "
                   "broken check); questions without a check do not count.")
@click.option("-q", "--quiet", is_flag=True, help="Print only refuted and not verified checks.")
def command(sources: tuple[Path, ...], timeout: float | None, question_ids: tuple[str, ...],
            jobs: int | None, strict: bool, quiet: bool) -> None:
    """Run the questions' checks to prove their answer keys.

    SOURCES are files or folders (default: cards/, or the bundled decks when there is no
    cards/ folder here). Each check runs in a subprocess of its own, in a temporary folder,
    under a time limit. Every question is reported as confirmed,
    refuted (with what really happens) or not verified (with why). Exits 1 when a check is
    refuted or a source has errors.
    """
    from ..deck.bundled import bundled_cards_dir
    from ..deck.files import NoSources, find_sources
    from ..deck.problems import InputError
    from ..verify.runner import (
        QuestionResult,
        Status,
        format_result,
        load,
        select,
        verify_questions,
    )

    try:
        paths = find_sources(sources, "verify", fallback=bundled_cards_dir())
    except NoSources as error:
        raise click.ClickException(str(error)) from None
    try:
        decks, warnings = load(paths)
    except InputError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    for problem in warnings:
        click.echo(str(problem), err=True)

    selected = select(decks, question_ids)
    unknown = sorted(part for part in set(question_ids)
                     if not any(part in question.id for _, question in selected))
    if unknown:
        raise click.ClickException(
            f"no question id contains {', '.join(map(repr, unknown))}")

    def show(result: QuestionResult) -> None:
        if quiet and (result.status is Status.CONFIRMED or result.question.verify is None):
            return
        for line in format_result(result):
            click.echo(line)

    started = time.monotonic()
    report = verify_questions(
        selected, timeout=timeout, jobs=jobs or min(_cpus(), 4), on_result=show
    )
    click.echo(f"{report.summary()} in {time.monotonic() - started:.1f} s")
    unverified = any(
        result.status is Status.NOT_VERIFIED and result.question.verify is not None
        for result in report.results
    )
    if report.refuted or (strict and unverified):
        raise SystemExit(1)
