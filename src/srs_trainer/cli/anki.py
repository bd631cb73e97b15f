"""`srs anki pull` and `srs anki push`: review history shared with the learner's Anki collection."""

from __future__ import annotations

from pathlib import Path

import click

from .training import home_option, loaded_trainer, sources_options


@click.group("anki")
def command() -> None:
    """Share review history with Anki (matched by the note GUIDs srs-trainer derives)."""


@command.command("pull", short_help="Add Anki's reviews of our notes to the trainer.")
@click.argument("collection", required=False, type=click.Path(path_type=Path))
@home_option
@sources_options
def pull(
    collection: Path | None, home: Path | None, card_dirs: tuple[Path, ...], no_bundled: bool
) -> None:
    """Add Anki's reviews of our notes to the trainer's history, then re-derive card state.

    COLLECTION is a profile's collection.anki2, a .colpkg backup or a profile folder; without
    it, the default Anki profile of this OS. Anki may be open: its file is only read.
    Pulling again adds only reviews made since.
    """
    from ..deck.ids import NOTE_TYPE_IDS
    from ..history.anki_collection import CollectionError, locate_collection, our_note_cards
    from ..history.anki_pull import pull as pull_reviews
    from ..history.anki_pull import sources_key
    from ..history.log_merge import foreign_scheduler_json

    with loaded_trainer(home, card_dirs, no_bundled) as loaded:
        trainer = loaded.trainer
        schedulers = {deck_id: foreign_scheduler_json(trainer.deck_settings(deck_id))
                      for deck_id in trainer.decks}
        try:
            path = locate_collection(collection)
            report = pull_reviews(trainer.store, path, lambda: our_note_cards(trainer.decks),
                                  NOTE_TYPE_IDS.values(), schedulers, trainer.settings.tz(),
                                  sources_key=sources_key(trainer.decks))
        except CollectionError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Anki collection: {path} (schema {report.schema_version})")
    click.echo(f"Notes matched: {report.matched_notes}")
    click.echo(f"Reviews added: {report.added}"
               + (f" ({report.already_there} pulled before)" if report.already_there else ""))
    for reason, count in sorted(report.skipped.items(), key=lambda item: item[0].name):
        click.echo(f"Skipped: {count} {reason.value}")
    if report.cards_replayed:
        click.echo(f"Cards re-derived from the merged history: {report.cards_replayed}")
    if report.orphaned:
        shown = ", ".join(report.orphaned[:5]) + (", ..." if len(report.orphaned) > 5 else "")
        click.echo(f"{len(report.orphaned)} note(s) of ours in Anki have no question in the"
                   f" sources any more (GUIDs: {shown})")


@command.command("push", short_help="Write the trainer's reviews of our notes into Anki.")
@click.argument("collection", required=False, type=click.Path(path_type=Path))
@home_option
@sources_options
def push(
    collection: Path | None, home: Path | None, card_dirs: tuple[Path, ...], no_bundled: bool
) -> None:
    """Write the trainer's reviews of our notes into Anki, and reschedule those cards there.

    COLLECTION as for pull (not a .colpkg). Anki must be closed; the file is backed up beside
    itself first. Pushing again writes only reviews made since. Notes srs-trainer did not
    generate are never touched. Pull first, so Anki's own newer reviews are counted.
    """
    from ..history.anki_collection import CollectionError, locate_collection, our_note_cards
    from ..history.anki_push import push as push_reviews
    from ..trainer.types import LogEntry

    with loaded_trainer(home, card_dirs, no_bundled) as loaded:
        trainer = loaded.trainer
        keys_by_guid = our_note_cards(trainer.decks)
        logs: dict[tuple[str, str], list[LogEntry]] = {}
        for entry in trainer.store.log(kind=None):  # answers and resets
            logs.setdefault((entry.deck_id, entry.question_id), []).append(entry)
        memories = {card.key: card.memory for card in trainer.store.cards(include_retired=True)}
        try:
            path = locate_collection(collection)
            result = push_reviews(path, logs, memories, keys_by_guid, trainer.settings.tz(),
                                  loaded.now)
        except CollectionError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Anki collection: {path}")
    click.echo(f"Notes matched: {result.notes_matched}")
    if not result.reviews_written:
        click.echo("Nothing to push: Anki has every review made here.")
        return
    click.echo(f"Backup: {result.backup}")
    click.echo(f"Reviews written: {result.reviews_written}")
    click.echo(f"Cards rescheduled: {result.cards_rescheduled}")
    if result.behind:
        click.echo(f"{result.behind} card(s) have newer reviews in Anki; their schedule was left"
                   " as Anki has it: run `srs anki pull`, then push again")
