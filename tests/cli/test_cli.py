"""The `srs` command group: its help and what it says to a mistyped command."""

from __future__ import annotations

from click.testing import CliRunner

from srs_trainer.cli import COMMANDS, main


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])

    assert result.exit_code == 0
    for name, (_, summary) in COMMANDS.items():
        assert f"{name}" in result.output and summary in result.output


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = CliRunner().invoke(main, ["revew"])

    assert result.exit_code == 2
    assert "Error: No such command 'revew'. Did you mean 'review'?" in result.output


def test_an_unknown_command_is_an_error_without_a_guess() -> None:
    result = CliRunner().invoke(main, ["xyzzy"])

    assert result.exit_code == 2
    assert "Error: No such command 'xyzzy'." in result.output
    assert "Did you mean" not in result.output


def test_command_summaries_are_whole_sentences_not_cut_short() -> None:
    for args in (["--help"], ["anki", "--help"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        commands = result.output.split("Commands:\n", 1)[1]
        assert "..." not in commands, commands
