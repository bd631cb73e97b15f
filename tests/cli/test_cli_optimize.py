"""`srs optimize` through CliRunner: a real data folder whose log a synthetic learner wrote."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clocked_srs import clocked
from srs_trainer.cli import main
from srs_trainer.deck.sources import parse_deck
from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.store import Store
from synthetic_learner import START, learn
from trainer_helpers import EXACT, write_deck

pytest.importorskip("fsrs_rs_python")

QUESTIONS = 120
DAYS = 300


def _deck_yaml(questions: int) -> str:
    lines = ["format: 1", "id: big", "title: A big deck", "questions:"]
    for n in range(questions):
        lines += [f"  - id: q{n}", "    section: practice", f"    prompt: Question {n}?",
                  "    choices: [first, second]", "    answer: A"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("optimize")
    source = write_deck(root / "cards", _deck_yaml(QUESTIONS), name="big.yaml")
    home = root / "home"
    home.mkdir()
    (home / "config.yaml").write_text("timezone: UTC\ndefaults:\n  enable_fuzzing: false\n")
    with Store.open(home / "progress.sqlite3") as store:
        trainer = Trainer(store, [parse_deck(source.read_text(), str(source))], EXACT)
        trainer.sync(START)
        learn(trainer, DAYS)
    return home


def srs(home: Path, *args: str) -> Result:
    now = (START + timedelta(days=DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = {"SRS_HOME": str(home), "NO_COLOR": "1"}
    sources = ["--cards", str(home.parent / "cards"), "--no-bundled"]
    return CliRunner().invoke(main, ["optimize", *sources, *args], env=env, obj=clocked(now))


def test_dry_run_compares_and_saves_nothing(home: Path) -> None:
    result = srs(home, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Reviews used:" in result.output and "log loss" in result.output
    assert "current parameters" in result.output and "fitted parameters" in result.output
    assert not (home / "fsrs-parameters.json").exists()


def test_adopt_then_reset(home: Path) -> None:
    data = json.loads(srs(home, "--json").output)
    assert data["fitted"]["log_loss"] < data["current"]["log_loss"] and data["adopted"]
    saved = json.loads((home / "fsrs-parameters.json").read_text())
    preset = saved["presets"]["*"]
    assert preset["parameters"] == data["parameters"] and preset["reviews"] == data["reviews"]
    # The next run compares against the parameters now in force.
    again = json.loads(srs(home, "--json", "--dry-run").output)
    assert again["current"]["log_loss"] == pytest.approx(data["fitted"]["log_loss"], abs=0.02)
    reset = srs(home, "--reset")
    assert reset.exit_code == 0 and "default parameters" in reset.output
    assert not (home / "fsrs-parameters.json").exists()


def test_retention_simulation_changes_nothing(home: Path) -> None:
    result = srs(home, "--retention")
    assert result.exit_code == 0, result.output
    assert "0.70" in result.output and "0.97" in result.output and "Suggested:" in result.output
    assert not (home / "fsrs-parameters.json").exists()


def test_too_few_reviews_and_a_damaged_parameters_file(tmp_path: Path, home: Path) -> None:
    write_deck(tmp_path / "cards")
    env = {"SRS_HOME": str(tmp_path / "home")}
    at = clocked("2026-01-01T09:00:00Z")
    result = CliRunner().invoke(
        main, ["optimize", "--cards", str(tmp_path / "cards"), "--no-bundled"], env=env, obj=at)
    assert result.exit_code == 1 and "too few reviews to fit: 0" in result.output
    (tmp_path / "home" / "fsrs-parameters.json").write_text("{not json")
    result = CliRunner().invoke(
        main, ["optimize", "--cards", str(tmp_path / "cards"), "--no-bundled"], env=env, obj=at)
    assert result.exit_code == 1 and "fsrs-parameters.json: not a parameters file" in result.output
    assert "Traceback" not in result.output
