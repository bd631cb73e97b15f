"""Where `srs build`, `srs lint` and `srs verify` look for sources when none are named.

One helper (``deck.files.find_sources``) decides for all three: the cards/ folder here; when
there is none, a one-line error naming it (build, lint), or the bundled decks (verify, as
docs/verify.md says); a folder without sources is the same error for all three.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from srs_trainer.cli import main
from srs_trainer.deck.bundled import bundled_cards_dir


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("command", ["build", "lint"])
def test_no_cards_folder_is_one_line_naming_it(here: Path, command: str) -> None:
    result = CliRunner().invoke(main, [command])

    assert result.exit_code == 1
    assert result.stderr == f"Error: no cards/ folder here; name the sources to {command}\n"
    assert not (here / "decks").exists()


def test_verify_without_a_cards_folder_verifies_the_bundled_decks(here: Path) -> None:
    bundled = bundled_cards_dir()
    assert bundled is not None, "the bundled decks are missing from this installation"

    result = CliRunner().invoke(main, ["verify", "-k", "correct-async-view-syntax"])

    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith(str(bundled / "django-async.yaml") + ":")
    assert first.endswith("correct-async-view-syntax: confirmed")


@pytest.mark.parametrize("command", ["build", "lint", "verify"])
def test_an_empty_cards_folder_is_the_same_error_for_every_command(
    here: Path, command: str
) -> None:
    (here / "cards").mkdir()

    result = CliRunner().invoke(main, [command])

    assert result.exit_code == 1
    assert result.stderr == "Error: no YAML sources (*.yaml, *.yml) in cards\n"


@pytest.mark.parametrize("command", ["build", "lint", "verify"])
def test_a_named_empty_folder_is_named_in_the_error(here: Path, command: str) -> None:
    (here / "mine").mkdir()

    result = CliRunner().invoke(main, [command, "mine"])

    assert result.exit_code == 1
    assert result.stderr == "Error: no YAML sources (*.yaml, *.yml) in mine\n"
