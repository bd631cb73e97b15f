"""A damaged progress database: every command says so in one line; `srs doctor --recover`
salvages it. Real data folder, real SQLite file damaged on disk, CliRunner."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clocked_srs import clocked
from srs_trainer.cli import main
from srs_trainer.trainer.page_scan import scan_rows
from trainer_helpers import LOG_FIELDS, write_deck

DAYS = ("2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z", "2026-01-05T09:00:00Z")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_deck(tmp_path / "cards")
    home = tmp_path / "home"
    for day in DAYS:
        assert srs(home, "review", input="a\n\nb\n\nb\n\n" * 2, now=day).exit_code == 0
    return home


def srs(home: Path, *args: str, input: str = "", now: str = DAYS[-1]) -> Result:
    sources = ["--cards", str(home.parent / "cards"), "--no-bundled"]
    command, *rest = args
    extra = sources if command != "doctor" or "--recover" in rest else []
    env = {"SRS_HOME": str(home), "NO_COLOR": "1"}
    return CliRunner().invoke(main, [command, *extra, *rest], input=input, env=env,
                              obj=clocked(now))


def _damage(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    start = page * 4096 + (100 if page == 0 else 0)
    data[start:start + 400] = random.Random(page).randbytes(400)
    path.write_bytes(bytes(data))


def _one_line_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "damaged" in result.output and "srs doctor --recover" in result.output


def _log_page(database: Path) -> int:
    """The 0-based index of a page holding log rows (``LOG_FIELDS`` fields)."""
    return next(row.page for row in scan_rows(database.read_bytes())
                if len(row.values) == LOG_FIELDS) - 1


def test_every_command_names_the_damage_and_recover_brings_back_the_history(home: Path) -> None:
    database = home / "progress.sqlite3"
    before = json.loads(srs(home, "progress", "--json").output)
    _damage(database, 0)  # the schema page: SQLite cannot even list the tables
    for command in (("doctor",), ("progress",), ("review",), ("stats",)):
        _one_line_failure(srs(home, *command))
    damaged = database.read_bytes()

    result = srs(home, "doctor", "--recover")
    assert result.exit_code == 0, result.output
    assert "Moved the damaged file aside" in result.output
    assert "rows were read straight from its pages" in result.output
    assert "lost 0" in result.output
    (aside,) = (p for p in home.glob("progress.sqlite3.damaged-*")
                if not p.name.endswith(("-wal", "-shm")))
    assert aside.read_bytes() == damaged  # kept, untouched
    assert json.loads(srs(home, "progress", "--json").output) == before
    checked = srs(home, "doctor")
    assert checked.exit_code == 0 and "Card state matches the log." in checked.output


def test_recover_after_losing_log_rows_replays_what_is_left(home: Path) -> None:
    database = home / "progress.sqlite3"
    _damage(database, _log_page(database))
    result = srs(home, "doctor", "--recover")
    assert result.exit_code == 0, result.output
    assert "log:" in result.output and "rebuilt" in result.output
    checked = srs(home, "doctor")
    assert checked.exit_code == 0 and "Card state matches the log." in checked.output


def test_recover_on_a_sound_database_changes_nothing(home: Path) -> None:
    database = home / "progress.sqlite3"
    result = srs(home, "doctor", "--recover")
    assert result.exit_code == 0 and "sound; nothing to recover" in result.output
    assert not list(home.glob("*.damaged-*")) and database.is_file()


def test_recover_without_a_database_is_a_clear_message(tmp_path: Path) -> None:
    result = srs(tmp_path / "home", "doctor", "--recover")
    assert result.exit_code == 1 and "nothing to recover" in result.output
    assert "Traceback" not in result.output
