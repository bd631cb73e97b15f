"""Every trainer command with recall, typed and cloze cards (CliRunner, a real data folder,
the injected clock), and piped input answering one card per line (a real subprocess)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clocked_srs import clocked, command
from srs_trainer.cli import main
from srs_trainer.trainer.store import Store
from trainer_helpers import MIXED_YAML, write_deck

NOW_TEXT = "2026-01-01T09:00:00Z"
CLOZE_KEYS = ["cloze-loop::c1", "cloze-loop::c2", "cloze-loop::c3"]
SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    write_deck(tmp_path / "cards", MIXED_YAML, "mixed.yaml")
    return {"SRS_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}


def srs(env: dict[str, str], *args: str, input: str = "", now: str = NOW_TEXT) -> Result:
    cards = str(Path(env["SRS_HOME"]).parent / "cards")
    name, *rest = args
    return CliRunner().invoke(main, [name, "--cards", cards, "--no-bundled", *rest],
                              input=input, env=env, obj=clocked(now, 5))


def logged(env: dict[str, str]) -> list[tuple[str, int | None, str | None, str]]:
    with Store.open(Path(env["SRS_HOME"]) / "progress.sqlite3") as store:
        return [(e.question_id, e.rating, e.chosen, e.mode) for e in store.log()]


def test_review_practice_and_challenge_ask_every_type(env: dict[str, str]) -> None:
    # choice, recall (reveal + Good), typed wrong twice, then the cloze's three deletions.
    result = srs(env, "review", input="B\n\n3\nasyncio.gahter\ngathr\n\n4\nh\n3\n1\nq\n")
    assert result.exit_code == 0, result.output
    assert [row[:2] for row in logged(env)] == [
        ("pick", 4), ("recall-await", 3), ("typed-gather", 1),
        (CLOZE_KEYS[0], 4), (CLOZE_KEYS[1], 3), (CLOZE_KEYS[2], 1)]
    assert logged(env)[2][2] == "gathr"  # the typed answer is kept in the log
    assert "Diff:      gath{+e+}r" in result.output  # nearest accepted answer: gather
    assert "The event loop runs [what async def makes] and callbacks." in result.output

    practice_deck = MIXED_YAML.replace("section: challenge", "section: practice").replace(
        "id: mixed", "id: mixed-practice")
    write_deck(Path(env["SRS_HOME"]).parent / "cards", practice_deck, "practice.yaml")
    practice = srs(env, "practice", "mixed-practice", input="A\n2\n4\n=gather\n4\n1\n2\n")
    assert practice.exit_code == 0, practice.output
    # A wrong letter then the right one; "=gather" is the escaped answer "gather".
    assert "6 answered, 5 right" in practice.output
    challenge = srs(env, "challenge", "mixed", input="B\n3\ngather\n3\n3\n3\n")
    assert challenge.exit_code == 0, challenge.output
    assert "Challenge result: 6/6" in challenge.output
    modes = [row[3] for row in logged(env)]
    assert modes.count("practice") == 6 and modes.count("challenge") == 6


def test_progress_and_stats_count_every_type(env: dict[str, str]) -> None:
    srs(env, "review", input="B\n4\ngather\n4\n4\n4\n")
    progress = srs(env, "progress", "--json")
    assert progress.exit_code == 0, progress.output
    (deck,) = json.loads(progress.output)["decks"]
    # Four questions, six cards (three cloze deletions); none mastered after one day.
    assert (deck["total"], deck["cards"], deck["reviewed"], deck["mastered"]) == (4, 6, 6, 0)
    assert (deck["challenge_total"], deck["badge_name"]) == (4, "Mixed Master")
    stats = srs(env, "stats", "--json")
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["reviews_total"] == 6
    text = srs(env, "progress")
    assert "0/4" in text.output


def test_piped_lines_answer_one_card_each(tmp_path: Path) -> None:
    """``printf 'A\\nB\\n' | srs review`` answers two cards: no Enter after the feedback."""
    write_deck(tmp_path / "cards")  # c1 (A), c2 (B), p1
    home = tmp_path / "home"
    run = subprocess.run(
        command(NOW_TEXT + "+5", "review", "--no-bundled", "--cards", str(tmp_path / "cards"),
                "--home", str(home)),
        input="A\nB\n", capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": SRC, "NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert "[Enter] continue" not in run.stdout
    assert run.stdout.count("Correct:") == 2
    with Store.open(home / "progress.sqlite3") as store:
        assert [(e.question_id, e.chosen) for e in store.log()] == [("c1", "A"), ("c2", "B")]


def test_the_line_review_of_every_type_imports_no_anki_tools(tmp_path: Path) -> None:
    write_deck(tmp_path / "cards", MIXED_YAML, "mixed.yaml")
    run = subprocess.run(
        [sys.executable, "-X", "importtime", *command(
            NOW_TEXT, "review", "--no-bundled", "--cards", str(tmp_path / "cards"),
            "--home", str(tmp_path / "home"))[1:]],
        input="B\n\n3\nx\ny\n\n2\n3\n4\n", capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": SRC, "NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Diff:" in run.stdout and "You rated" not in run.stdout
    imported = re.findall(r"^import time:.*\|\s*(\S+)$", run.stderr, re.M)
    assert "srs_trainer.tui.card_types" in imported
    roots = {name.split(".")[0] for name in imported}
    assert not roots & {"genanki", "anki", "markdown_it", "pygments"}
