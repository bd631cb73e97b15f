"""Options and set-up shared by the trainer's commands (review, practice, challenge, ...).

Not a command itself: the registry in ``cli/__init__.py`` never lists it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from ..trainer.api import SyncReport, Trainer
    from ..trainer.settings import Settings
    from ..trainer.store import Store
    from ..trainer.views import SessionUI

F = TypeVar("F", bound=Callable[..., Any])


def home_option(function: F) -> F:
    return click.option(
        "--home",
        type=click.Path(path_type=Path),
        default=None,
        help="Data folder holding progress and config.yaml (default: $SRS_HOME, else the"
        " user data folder).",
    )(function)


def sources_options(function: F) -> F:
    function = click.option(
        "--no-bundled",
        is_flag=True,
        help="Leave out the bundled decks (train only on --cards).",
    )(function)
    return click.option(
        "--cards",
        "card_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help="A folder (or file) of YAML sources to train on too. Repeatable.",
    )(function)


def retention_option(function: F) -> F:
    return click.option(
        "--retention",
        type=click.FloatRange(0.7, 0.99),
        default=None,
        help="Desired retention, 0.7-0.99 (overrides config.yaml; default 0.9).",
    )(function)


def limit_options(function: F) -> F:
    """``--retention`` and the daily limits (review only: practice and challenge ask every
    question of their section, whatever the limits)."""
    for option in (
        click.option(
            "--review-limit",
            type=click.IntRange(min=0),
            default=None,
            help="Reviews per deck per day (overrides config.yaml).",
        ),
        click.option(
            "--new-limit",
            type=click.IntRange(min=0),
            default=None,
            help="New questions per deck per day (overrides config.yaml).",
        ),
        retention_option,
    ):
        function = option(function)
    return function


def fail_with_problems(error: Exception) -> NoReturn:
    """Print an InputError's problems (``path:line:column: message``) and exit 1."""
    for problem in getattr(error, "problems", [error]):
        click.echo(str(problem), err=True)
    raise SystemExit(1)


@dataclass
class Loaded:
    trainer: Trainer
    report: SyncReport
    clock: Callable[[], datetime]
    now: datetime


def open_store(home: Path | None) -> Store:
    """The progress database in the data folder; user errors become ClickExceptions."""
    from ..trainer.settings import DATABASE_NAME, HomeError, ensure_home, resolve_home
    from ..trainer.store import Store, StoreError

    try:
        folder = ensure_home(resolve_home(home))
    except HomeError as error:
        raise click.ClickException(str(error)) from None
    path = folder / DATABASE_NAME
    try:
        return Store.open(path)
    except StoreError as error:
        from ..trainer.recovery import DAMAGE_HINT, quick_check

        hint = f"; {DAMAGE_HINT}" if path.is_file() and quick_check(path) else ""
        raise click.ClickException(f"{error}{hint}") from None


def session_clock() -> Callable[[], datetime]:
    """The clock a command reads: real time, unless whoever called ``main`` injected one.

    Tests and benchmarks pass ``obj={"clock": callable}`` to ``main`` (``CliRunner.invoke``
    forwards it) so that scheduling is exact; a user has no way, and no need, to set it.
    """
    context = click.get_current_context(silent=True)
    injected = context.find_root().obj if context is not None else None
    if isinstance(injected, dict) and callable(injected.get("clock")):
        clock: Callable[[], datetime] = injected["clock"]
        return clock
    return lambda: datetime.now(timezone.utc)


@contextmanager
def loaded_trainer(
    home: Path | None,
    card_dirs: tuple[Path, ...],
    no_bundled: bool,
    *,
    retention: float | None = None,
    new_limit: int | None = None,
    review_limit: int | None = None,
) -> Iterator[Loaded]:
    """Load settings and sources, open the database, sync; close the database afterwards."""
    from ..deck.problems import InputError
    from ..trainer.api import Trainer, source_paths
    from ..trainer.library import load_library
    from ..trainer.settings import (
        SOURCES_CACHE,
        HomeError,
        ensure_home,
        load_settings,
        resolve_home,
    )

    clock = session_clock()
    try:
        folder = ensure_home(resolve_home(home))
    except HomeError as error:
        raise click.ClickException(str(error)) from None
    try:
        settings = load_settings(folder).with_overrides(
            desired_retention=retention, new_per_day=new_limit, reviews_per_day=review_limit
        )
        decks = load_library(source_paths(card_dirs, bundled=not no_bundled),
                             folder / SOURCES_CACHE, lenient=True)
    except InputError as error:
        fail_with_problems(error)
    for path, problems in decks.skipped.items():
        more = f"; {len(problems) - 1} more: `srs lint {path}`" if len(problems) > 1 else ""
        click.echo(f"{problems[0]}\n{path}: warning: left out (it does not load){more}",
                   err=True)
    if not decks:
        raise click.ClickException(
            "no decks to train on: every source was left out (above)" if decks.skipped else
            "no decks to train on: pass --cards DIR with YAML sources")
    for problem in settings.unknown_decks(decks):
        click.echo(str(problem), err=True)
    settings = fitted_settings(settings, folder, list(decks))
    store = open_store(folder)
    try:
        trainer = Trainer(store, decks, settings)
        now = clock()
        report = trainer.sync(now)
        yield Loaded(trainer, report, clock, now)
    finally:
        store.close()


def fitted_settings(settings: Settings, folder: Path, deck_ids: list[str]) -> Settings:
    """The settings with the parameters `srs optimize` fitted (fsrs-parameters.json)."""
    from ..trainer import fitted_params

    try:
        return fitted_params.apply(settings, fitted_params.read(folder), deck_ids)
    except fitted_params.FittedParamsError as error:
        raise click.ClickException(str(error)) from None


def check_decks(trainer: Trainer, deck_ids: tuple[str, ...] | list[str]) -> None:
    from ..trainer.api import TrainerError

    for deck_id in deck_ids:
        try:
            trainer.require_deck(deck_id)
        except TrainerError as error:
            raise click.ClickException(str(error)) from None


def section_queue(trainer: Trainer, deck_id: str | None, section: str) -> tuple[str, Any]:
    """(deck id, queue) of one section of a deck; without a deck id, the only deck loaded."""
    from ..trainer.api import TrainerError

    if deck_id is None:
        decks = list(trainer.decks)
        if len(decks) != 1:
            raise click.UsageError(f"name a deck: {', '.join(decks)}")
        deck_id = decks[0]
    check_decks(trainer, [deck_id])
    try:
        return deck_id, trainer.section_queue(deck_id, section)
    except TrainerError as error:
        raise click.ClickException(str(error)) from None


def pick_ui() -> SessionUI:
    """The interactive screen at a terminal; plain lines otherwise (pipes, scripts, tests)."""
    from ..tui.line_ui import LineUI

    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            from ..tui.terminal_ui import TerminalUI
        except ImportError:
            return LineUI()
        return TerminalUI()
    return LineUI()


def run(loaded: Loaded, queue: Any, options: Any) -> None:
    """Run a session; Ctrl-C stops it cleanly (every answer given is already saved)."""
    from ..trainer.session import run_session
    from ..tui.line_ui import LineUI

    ui = pick_ui()
    # The full screen hides what was printed before it: say again which sources were left
    # out. Plain lines keep the warnings in view, so they are not repeated there.
    notes = [] if isinstance(ui, LineUI) else [
        f"Left out: {path} ({len(problems)} problem{'s' if len(problems) != 1 else ''};"
        f" `srs lint {path}` lists them)."
        for path, problems in loaded.trainer.decks.skipped.items()
    ]
    try:
        run_session(loaded.trainer, ui, queue, loaded.clock, options,
                    [*notes, *loaded.report.notes()])
    except KeyboardInterrupt:
        click.echo("\nStopped. Every answer you gave is saved.", err=True)
        raise SystemExit(130) from None
