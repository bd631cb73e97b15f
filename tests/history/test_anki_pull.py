"""`srs anki pull`: reviews made in a real Anki collection (the `anki` library's own scheduler)
become the trainer's history: state equals a replay of the same ratings on Anki's days, a
second pull adds nothing, a rebuilt deck still matches by GUID, `srs doctor` stays clean."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from test_anki_collection import ANSWER_SCRIPT

from clocked_srs import clocked
from srs_trainer.anki.build import build
from srs_trainer.cli import main
from srs_trainer.deck.ids import note_guid
from srs_trainer.history.anki_pull import _DayText
from srs_trainer.history.log_merge import foreign_scheduler_json
from srs_trainer.trainer import scheduling
from srs_trainer.trainer.calendar import day_start
from srs_trainer.trainer.settings import DeckSettings
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Memory, to_text
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


def test_a_repeated_pull_reports_as_a_full_one_and_new_anki_rows_are_seen(
        folder: Path) -> None:
    from srs_trainer.history.anki_pull import MARKS_FILE

    _pull(folder)
    quick = _pull(folder)  # nothing changed: answered from the fingerprint
    marks = folder / "home" / MARKS_FILE
    saved = json.loads(marks.read_text(encoding="utf-8"))
    for damaged in ("{not json", "[1, 2]", json.dumps(
            {name: {**mark, "report": {"skipped": 3}} for name, mark in saved.items()})):
        marks.write_text(damaged, encoding="utf-8")  # a damaged mark: the whole pull again
        assert _pull(folder).output == quick.output
    # A review made in Anki since: the fingerprint changes and the pull adds it.
    anki = sqlite3.connect(folder / "collection.anki2")
    card = anki.execute("SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid"
                        " WHERE n.guid = ?", (note_guid("demo", "p1"),)).fetchone()[0]
    anki.execute("INSERT INTO revlog VALUES (?, ?, -1, 3, 4, 1, 2500, 6000, 1)",
                 (int(datetime.now(timezone.utc).timestamp() * 1000), card))
    anki.commit()
    anki.close()
    newer = _pull(folder)
    assert "Reviews added: 1 (4 pulled before)" in newer.output
    # A trainer database that lost the pulled rows (restored from a backup) gets them again.
    with Store.open(folder / "home" / "progress.sqlite3") as store, store.transaction() as db:
        db.execute("DELETE FROM log WHERE origin = 'anki'")
    assert "Reviews added: 5" in _pull(folder).output


utc_ms = st.integers(int(datetime(1999, 1, 1, tzinfo=timezone.utc).timestamp() * 1000),
                     int(datetime(2040, 1, 1, tzinfo=timezone.utc).timestamp() * 1000))
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
         "Pacific/Chatham"]
_DAY_TEXTS: dict[tuple[int, str], _DayText] = {}


@settings(max_examples=400, deadline=None)
@given(moments=st.lists(utc_ms, min_size=1, max_size=30), rollover=st.integers(0, 23),
       zone=st.sampled_from(ZONES))
def test_the_cached_anki_day_equals_day_start_in_any_zone(
        moments: list[int], rollover: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    # One cache per zone and rollover over all examples: hits as well as misses.
    day_text = _DAY_TEXTS.setdefault((rollover, zone), _DayText(rollover, tz))
    for ms in moments:
        for moment in (ms, ms + 1, ms - 1, ms + 3_600_000):
            at = datetime.fromtimestamp(moment / 1000, tz=timezone.utc)
            assert day_text(moment) == to_text(day_start(at, rollover, tz))


def test_a_bulk_pull_rebuilds_the_log_indexes_as_the_migrations_made_them(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from srs_trainer.trainer import store as store_module

    def pulled() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[str]]:
        database = folder / "home" / "progress.sqlite3"
        with Store.open(database) as store:
            rows = store.db.execute("SELECT * FROM log ORDER BY id").fetchall()
            indexes = store.db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            ).fetchall()
            return rows, indexes, store.integrity_check()

    _pull(folder)  # a few rows: inserted with the indexes in place
    one_by_one = pulled()
    for path in (folder / "home").iterdir():
        path.unlink() if path.is_file() else None
    monkeypatch.setattr(store_module, "REBUILD_LOG_FROM", 1)  # as for a million rows
    _pull(folder)
    rebuilt = pulled()
    assert rebuilt == one_by_one and rebuilt[2] == []
    assert any(name == "log_origin" for name, _ in rebuilt[1])
