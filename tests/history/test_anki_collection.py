"""Reading a learner's Anki collection: real collections made by the `anki` library, our deck
imported and answered through Anki's own scheduler; read while Anki (another process) holds
the file, from a backup, and refused with one clear message when it is not a collection."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from srs_trainer.anki.build import build
from srs_trainer.deck.ids import NOTE_TYPE_ID, note_guid
from srs_trainer.history.anki_collection import (
    CollectionError,
    locate_collection,
    read_collection,
)
from srs_trainer.history.anki_pull import Skip, plan_pull
from trainer_helpers import DECK_YAML, write_deck

anki_collection = pytest.importorskip("anki.collection")

QUESTIONS = ("c1", "c2", "p1")
GUIDS = {note_guid("demo", q): {0: ("demo", q)} for q in QUESTIONS}

# Answers every queued card of the demo deck with Good, then Forgets one and sets a due date
# on another: the rows a pull must take, start over at, and skip.
ANSWER_SCRIPT = textwrap.dedent(
    """
    import sys
    from anki.collection import Collection, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageOptions

    col = Collection(sys.argv[1])
    col.import_anki_package(ImportAnkiPackageRequest(
        package_path=sys.argv[2], options=ImportAnkiPackageOptions()))
    deck = next(d.id for d in col.decks.all_names_and_ids() if d.name != "Default")
    col.decks.select(deck)
    for _ in range(3):
        (queued,) = col.sched.get_queued_cards(fetch_limit=1).cards
        card = col.get_card(queued.card.id)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states, rating=2))
    first, second = col.db.list("select id from cards order by id")[:2]
    col.sched.schedule_cards_as_new([first], restore_position=True, reset_counts=False)
    col.sched.set_due_date([second], "5")
    if len(sys.argv) > 3:  # stay open, as Anki does, until told to go
        print("open", flush=True)
        sys.stdin.readline()
    col.close()
    """
)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("deck")
    write_deck(folder / "cards", DECK_YAML)
    build([folder / "cards"], folder / "decks", use_cache=False, jobs=1)
    (apkg,) = (folder / "decks").glob("*.apkg")
    return apkg


def _answered_collection(folder: Path, package: Path) -> Path:
    path = folder / "collection.anki2"
    subprocess.run([sys.executable, "-c", ANSWER_SCRIPT, str(path), str(package)], check=True)
    return path


def _day_start(moment: datetime) -> datetime:
    start = moment.replace(hour=4, minute=0, second=0, microsecond=0)
    return start if start <= moment else start - timedelta(days=1)


def test_our_notes_and_their_reviews_are_read_and_planned(tmp_path: Path, package: Path) -> None:
    path = _answered_collection(tmp_path, package)
    snapshot = read_collection(locate_collection(tmp_path), GUIDS, [NOTE_TYPE_ID])
    assert snapshot.schema_version == 18 and snapshot.rollover_hour == 4
    assert {note.guid for note in snapshot.notes} == set(GUIDS)
    plan = plan_pull(snapshot, GUIDS, _day_start)
    assert plan.matched_notes == 3 and plan.orphaned == []
    reviews = [row for row in plan.rows if row.rating is not None]
    forgets = [row for row in plan.rows if row.rating is None]
    assert [row.rating for row in reviews] == [3, 3, 3]  # Good is ease 3
    assert len(forgets) == 1 and plan.skipped == {Skip.MANUAL: 1}
    for row in plan.rows:
        assert row.at.hour == 4 and row.at.tzinfo == timezone.utc
        assert row.at <= datetime.fromtimestamp(row.revlog_id / 1000, timezone.utc)
    assert path.with_name("collection.anki2").is_file()


def test_a_note_whose_question_is_gone_is_reported(tmp_path: Path, package: Path) -> None:
    _answered_collection(tmp_path, package)
    known = {guid: cards for guid, cards in GUIDS.items() if cards[0][1] != "p1"}
    snapshot = read_collection(tmp_path / "collection.anki2", known, [NOTE_TYPE_ID])
    plan = plan_pull(snapshot, known, _day_start)
    assert plan.matched_notes == 2 and plan.orphaned == [note_guid("demo", "p1")]


def test_read_while_anki_holds_the_collection_open(tmp_path: Path, package: Path) -> None:
    path = tmp_path / "collection.anki2"
    anki = subprocess.Popen(
        [sys.executable, "-c", ANSWER_SCRIPT, str(path), str(package), "stay"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert anki.stdout is not None and anki.stdout.readline().strip() == "open"
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1).execute(
                "SELECT count(*) FROM revlog").fetchone()
        before = path.read_bytes()
        snapshot = read_collection(path, GUIDS, [NOTE_TYPE_ID])
        assert sum(len(rows) for rows in snapshot.reviews.values()) == 5
        assert path.read_bytes() == before  # Anki's file is never written
    finally:
        assert anki.stdin is not None
        anki.stdin.write("\n")
        anki.stdin.close()
        anki.wait(timeout=30)


def test_a_legacy_backup_is_read(tmp_path: Path, package: Path) -> None:
    path = _answered_collection(tmp_path, package)
    backup = tmp_path / "backup.colpkg"
    with zipfile.ZipFile(backup, "w") as archive:
        archive.write(path, "collection.anki21")
    snapshot = read_collection(backup, GUIDS, [NOTE_TYPE_ID])
    assert len(snapshot.notes) == 3


def test_bad_collections_are_one_clear_message(tmp_path: Path, package: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    with pytest.raises(CollectionError, match=r"notes\.txt: not an Anki collection"):
        read_collection(text, GUIDS, [])
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(CollectionError, match="no notes, cards and revlog"):
        read_collection(other, GUIDS, [])
    newer = _answered_collection(tmp_path, package)
    db = sqlite3.connect(newer)
    db.execute("UPDATE col SET ver = 99")
    db.commit()
    db.close()
    with pytest.raises(CollectionError, match=r"newer Anki \(collection schema 99"):
        read_collection(newer, GUIDS, [])
    compressed = tmp_path / "new.colpkg"
    with zipfile.ZipFile(compressed, "w") as archive:
        archive.writestr("collection.anki21b", b"zstd bytes")
    with pytest.raises(CollectionError, match="newer format"):
        read_collection(compressed, GUIDS, [])
    with pytest.raises(CollectionError, match="no Anki collection here"):
        locate_collection(tmp_path / "nowhere")
