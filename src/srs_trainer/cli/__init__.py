"""The ``srs`` command: a thin click layer over the library.

Each command lives in a module of its own (``srs_trainer.cli.<name>``) and is imported only
when it runs, so ``srs --help`` and ``srs review`` start without loading genanki or other
heavy libraries. A command module imports click at the top and the library inside its function.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

# name -> (module, one-line help). The help is here so that `srs --help` imports no command.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("build", "Compile YAML sources into Anki decks (.apkg)."),
    "lint": ("lint", "Check sources for mistakes beyond the schema."),
    "schema": ("schema", "Print the JSON Schema of the source format."),
    "review": ("review", "Review today's due questions in the terminal."),
    "practice": ("practice", "Work through a deck's practice questions, untimed."),
    "challenge": ("challenge", "Take a deck's timed challenge."),
    "progress": ("progress", "Show mastery toward each deck's badge."),
    "stats": ("stats", "Show reviews per day, retention and the forecast."),
    "doctor": ("doctor", "Check the progress database and rebuild card state from the log."),
    "import": ("import_page", "Import quiz pages or an Anki deck (.apkg) into YAML sources."),
    "verify": ("verify", "Run the questions' checks to prove their answers."),
    "optimize": ("optimize", "Fit FSRS parameters to your reviews; simulate desired retention."),
    "anki": ("anki", "Share review history with Anki: pull and push reviews."),
    "sync": ("sync", "Share progress with your other machines through a synced folder."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        module_name, _ = COMMANDS[cmd_name]
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{module_name}":
                raise
            return None
        return module.command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as error:
            # Imported only here: a damaged database is rare, start-up is not.
            from ..trainer.recovery import DAMAGE_HINT, is_damage

            if not is_damage(error):
                raise
            raise click.ClickException(
                f"the progress database is damaged ({error}); {DAMAGE_HINT}") from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="srs")
def main() -> None:
    """srs-trainer: turn quiz questions into durable knowledge.

    Authors write questions as YAML under cards/; `srs build` compiles them into Anki decks
    under decks/, and `srs review` trains you on them daily in the terminal.
    """
