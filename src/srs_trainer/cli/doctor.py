"""`srs doctor`: check the progress database; rebuild card state from the review log."""

from __future__ import annotations

from pathlib import Path

import click

from .training import home_option, open_store


@click.command("doctor")
@home_option
@click.option("--rebuild", is_flag=True, help="Rewrite every card's state from the review log.")
def command(home: Path | None, rebuild: bool) -> None:
    """Check the progress database and that card state equals a replay of the review log.

    Exits 1 when a problem is found and not repaired.
    """
    from ..trainer.api import doctor

    with open_store(home) as store:
        click.echo(f"Database: {store.path} (schema version {store.schema_version})")
        click.echo(f"Replaying the review log ({store.log_count()} rows)...", err=True)
        report = doctor(store, rebuild=rebuild)
        if report.integrity:
            click.echo("Integrity check FAILED:", err=True)
            for line in report.integrity:
                click.echo(f"  {line}", err=True)
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
        for deck_id, question_id in report.mismatched:
            click.echo(f"  differs from the log: {deck_id}/{question_id}", err=not rebuild)
        if rebuild:
            click.echo(f"Rebuilt {report.rebuilt} card(s) from the log.")
        else:
            click.echo(
                f"{len(report.mismatched)} card(s) differ from the log;"
                " run `srs doctor --rebuild` to repair.",
                err=True,
            )
            raise SystemExit(1)
