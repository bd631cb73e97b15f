"""`srs anki pull`: reviews made in a real Anki collection (the `anki` library's own scheduler)
become the trainer's history: state equals a replay of the same ratings on Anki's days, a
second pull adds nothing, a rebuilt deck still matches by GUID, `srs doctor` stays clean."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_anki_collection import ANSWER_SCRIPT

from clocked_srs import clocked
from srs_trainer.anki.build import build
from srs_trainer.cli import main
from srs_trainer.history.log_merge import foreign_scheduler_json
from srs_trainer.trainer import scheduling
from srs_trainer.trainer.settings import DeckSettings
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Memory
from trainer_helpers import DECK_YAML, write_deck

pytest.importorskip("anki.collection")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_deck(tmp_path / "cards", DECK_YAML)
    build([tmp_path / "cards"], tmp_path / "decks", use_cache=False, jobs=1)
    (package,) = (tmp_path / "decks").glob("*.apkg")
    subprocess.run(
        [sys.executable, "-c", ANSWER_SCRIPT, str(tmp_path / "collection.anki2"), str(package)],
        check=True)
    return tmp_path


def srs(folder: Path, *args: str) -> Result:
    # An hour after Anki's reviews (made now, in real time), in UTC.
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = {"SRS_HOME": str(folder / "home"), "NO_COLOR": "1"}
    sources = ["--cards", str(folder / "cards"), "--no-bundled"]
    return CliRunner().invoke(main, [*args, *sources], env=env, obj=clocked(later))


def _pull(folder: Path) -> Result:
    result = srs(folder, "anki", "pull", str(folder / "collection.anki2"))
    assert result.exit_code == 0, result.output
    return result


def test_pull_replays_anki_reviews_and_is_idempotent(folder: Path) -> None:
    first = _pull(folder)
    assert "Notes matched: 3" in first.output
    assert "Reviews added: 4" in first.output  # three Good answers and one Forget
    assert "Skipped: 1 manual changes" in first.output
    with Store.open(folder / "home" / "progress.sqlite3") as store:
        logs = {card.key: store.card_log(*card.key) for card in store.cards()}
        scheduler = scheduling.scheduler_from_json(foreign_scheduler_json(DeckSettings()))
        forgotten = [key for key, log in logs.items() if log[-1].kind == "reset"]
        assert len(forgotten) == 1
        for key, log in logs.items():
            memory = store.card(*key).memory  # type: ignore[union-attr]
            if key in forgotten:
                assert memory == Memory()
                continue
            (review,) = log
            assert review.at.hour == 4 and review.rating == 3
            assert memory == scheduling.review(
                scheduler, key, Memory(), 3, review.at, review.duration_ms)

    again = _pull(folder)
    assert "Reviews added: 0 (4 pulled before)" in again.output
    checked = srs(folder, "doctor")
    assert checked.exit_code == 0 and "Card state matches the log." in checked.output
    assert json.loads(srs(folder, "progress", "--json").output)["reviews_from_anki"] == 3
    assert json.loads(srs(folder, "stats", "--json").output)["reviews_from_anki"] == 3
    assert "Reviews pulled from Anki: 3" in srs(folder, "progress").output


def test_a_rebuilt_deck_still_matches_by_guid(folder: Path) -> None:
    _pull(folder)
    edited = DECK_YAML.replace("First challenge?", "The first challenge, reworded?")
    write_deck(folder / "cards", edited)
    build([folder / "cards"], folder / "decks", use_cache=False, jobs=1)
    result = _pull(folder)
    assert "Notes matched: 3" in result.output and "Reviews added: 0" in result.output


def test_notes_whose_question_is_gone_are_reported(folder: Path) -> None:
    gone = DECK_YAML[: DECK_YAML.index("  - id: p1")]
    write_deck(folder / "cards", gone)
    result = _pull(folder)
    assert "Notes matched: 2" in result.output
    assert "1 note(s) of ours in Anki have no question in the sources" in result.output


def test_not_a_collection_is_one_message_and_changes_nothing(folder: Path) -> None:
    bad = folder / "notes.txt"
    bad.write_text("hello")
    result = srs(folder, "anki", "pull", str(bad))
    assert result.exit_code == 1 and "not an Anki collection" in result.output
    assert "Traceback" not in result.output
    with Store.open(folder / "home" / "progress.sqlite3") as store:
        assert store.log_count() == 0
