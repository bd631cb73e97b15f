"""`srs anki push`: the trainer's reviews (made with an injected clock) go into a real Anki
collection made by the `anki` library from the built deck; Anki's scheduler then shows each card
due on the trainer's day, a second push writes nothing, Check Database is clean, a collection
held open elsewhere is refused, and pull -> push -> pull is a fixed point."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from srs_trainer.anki.build import build
from srs_trainer.cli import main
from srs_trainer.deck.ids import note_guid
from srs_trainer.trainer.calendar import learner_day
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Answer
from trainer_helpers import DECK_YAML, make_trainer, write_deck

pytest.importorskip("anki.collection")
from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions

from clocked_srs import clocked

# Anki's "today" is the real one, so the trainer's reviews are made an hour ago, in UTC.
NOW = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=123000)
GOOD, AGAIN = ("demo", "c1"), ("demo", "c2")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_deck(tmp_path / "cards", DECK_YAML)
    build([tmp_path / "cards"], tmp_path / "decks", use_cache=False, jobs=1)
    (package,) = (tmp_path / "decks").glob("*.apkg")
    col = Collection(str(tmp_path / "collection.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions()))
    stranger = col.new_note(col.models.by_name("Basic"))  # a note srs-trainer did not make
    stranger["Front"], stranger["Back"] = "mine", "not yours"
    col.add_note(stranger, col.decks.id("Default"))
    col.close()
    (tmp_path / "home").mkdir()
    trainer = make_trainer(tmp_path / "home", DECK_YAML, now=NOW)
    trainer.record_answer(Answer(GOOD, 3, NOW - timedelta(minutes=20), 4000, 1, chosen="B"))
    trainer.record_answer(Answer(GOOD, 3, NOW, 4000, 1, chosen="B"))  # out of learning
    trainer.record_answer(Answer(AGAIN, 1, NOW + timedelta(seconds=30), 2500, 1, chosen="A"))
    trainer.store.close()
    return tmp_path


def srs(folder: Path, *args: str) -> Result:
    env = {"SRS_HOME": str(folder / "home"), "NO_COLOR": "1", "TZ": "UTC"}
    sources = ["--cards", str(folder / "cards"), "--no-bundled"]
    return CliRunner().invoke(main, [*args, *sources], env=env,
                              obj=clocked(NOW + timedelta(minutes=5)))


def _card(col: Collection, key: tuple[str, str]) -> int:
    return int(col.db.scalar(
        "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ?", note_guid(*key)))


def test_push_writes_revlog_and_reschedules_as_the_trainer_says(folder: Path) -> None:
    path = folder / "collection.anki2"
    stranger_before = sqlite3.connect(path).execute(
        "SELECT n.mod, c.mod, c.due, c.queue FROM notes n JOIN cards c ON c.nid = n.id"
        " WHERE n.flds LIKE 'mine%'").fetchone()
    result = srs(folder, "anki", "push", str(path))
    assert result.exit_code == 0, result.output
    assert "Notes matched: 3" in result.output
    assert "Reviews written: 3" in result.output
    assert "Cards rescheduled: 2" in result.output
    (backup,) = folder.glob("collection.before-srs-push-*.anki2")
    assert f"Backup: {backup}" in result.output
    with Store.open(folder / "home" / "progress.sqlite3") as store:
        good = store.card(*GOOD).memory  # type: ignore[union-attr]
        again = store.card(*AGAIN).memory  # type: ignore[union-attr]

    col = Collection(str(path))
    try:
        card = col.get_card(_card(col, GOOD))
        assert good.state == 2 and good.due is not None and good.stability is not None
        assert (card.type, card.queue) == (2, 2)
        expected_day = col.sched.today + (learner_day(good.due, 4, timezone.utc)
                                          - learner_day(NOW, 4, timezone.utc)).days
        assert card.due == expected_day and card.ivl >= 1 and card.reps == 2
        assert card.memory_state is not None
        assert card.memory_state.stability == pytest.approx(good.stability, rel=1e-4)
        assert card.usn == -1
        rows = col.db.all("SELECT id, usn, ease, type, time, factor FROM revlog WHERE cid = ?",
                          card.id)
        assert [row[:5] for row in rows] == [
            [int(NOW.timestamp() * 1000) - 20 * 60_000, -1, 3, 0, 4000],
            [int(NOW.timestamp() * 1000), -1, 3, 0, 4000]]  # both learn: the second graduates
        assert rows[1][5] == 100 + round((good.difficulty - 1) / 9 * 1000)  # type: ignore[operator]
        lapsed = col.get_card(_card(col, AGAIN))
        assert again.state == 1 and again.due is not None
        assert (lapsed.type, lapsed.queue, lapsed.due) == (1, 1, int(again.due.timestamp()))
        assert lapsed.reps == 1
        assert col.db.scalar("SELECT ease FROM revlog WHERE cid = ?", lapsed.id) == 1
        # Anki's own scheduler: the Good card is not due today, the Again one is (learning).
        assert expected_day > col.sched.today
        col.decks.select(card.did)
        queued = {q.card.id for q in col.sched.get_queued_cards(
            fetch_limit=50, intraday_learning_only=True).cards}
        assert card.id not in queued and lapsed.id in queued
        report, ok = col.fix_integrity()
        assert ok and report.strip() == "Database rebuilt and optimized."
    finally:
        col.close()
    stranger_after = sqlite3.connect(path).execute(
        "SELECT n.mod, c.mod, c.due, c.queue FROM notes n JOIN cards c ON c.nid = n.id"
        " WHERE n.flds LIKE 'mine%'").fetchone()
    assert stranger_after == stranger_before

    again_push = srs(folder, "anki", "push", str(path))
    assert again_push.exit_code == 0, again_push.output
    assert "Nothing to push" in again_push.output
    assert len(list(folder.glob("collection.before-srs-push-*"))) == 1


def test_pull_push_pull_is_a_fixed_point(folder: Path) -> None:
    path = str(folder / "collection.anki2")
    assert "Reviews added: 0" in srs(folder, "anki", "pull", path).output
    assert "Reviews written: 3" in srs(folder, "anki", "push", path).output
    pulled = srs(folder, "anki", "pull", path)
    assert pulled.exit_code == 0, pulled.output
    assert "Reviews added: 0" in pulled.output
    assert "Skipped: 3 reviews pushed from the trainer" in pulled.output
    assert "Nothing to push" in srs(folder, "anki", "push", path).output
    with Store.open(folder / "home" / "progress.sqlite3") as store:
        assert len(store.log()) == 3


def test_a_collection_open_elsewhere_is_refused_and_unchanged(folder: Path) -> None:
    path = folder / "collection.anki2"
    holder = Collection(str(path))
    try:
        before = path.read_bytes()
        result = srs(folder, "anki", "push", str(path))
        assert result.exit_code != 0
        assert result.output.strip().splitlines()[-1] == (
            f"Error: {path}: Anki has the collection open; close Anki (or that profile) and"
            " push again")
        assert path.read_bytes() == before
        assert not list(folder.glob("collection.before-srs-push-*"))
        assert holder.db.scalar("SELECT count(*) FROM revlog") == 0
    finally:
        holder.close()


def test_not_an_anki_file_gets_one_clear_message(folder: Path) -> None:
    bogus = folder / "notes.anki2"
    bogus.write_text("just some text\n", encoding="utf-8")
    result = srs(folder, "anki", "push", str(bogus))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"Error: {bogus}: not an Anki collection" in result.output
    assert bogus.read_text(encoding="utf-8") == "just some text\n"
    missing = srs(folder, "anki", "push", str(folder / "nowhere"))
    assert missing.exit_code != 0 and "no Anki collection here" in missing.output


def test_without_the_anki_library_push_says_how_to_install_it(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # import fails, as uninstalled
    result = srs(folder, "anki", "push", str(folder / "collection.anki2"))
    assert result.exit_code != 0
    assert "pip install 'srs-trainer[anki]'" in result.output


def test_a_trainer_reset_becomes_ankis_forget_and_round_trips(folder: Path) -> None:
    path = folder / "collection.anki2"
    assert "Reviews written: 3" in srs(folder, "anki", "push", str(path)).output
    # The first question's answer changes: the trainer starts that card over (a reset).
    (folder / "cards" / "demo.yaml").write_text(
        DECK_YAML.replace("answer: A", "answer: C", 1), encoding="utf-8")
    pushed = srs(folder, "anki", "push", str(path))
    assert pushed.exit_code == 0, pushed.output
    assert "Reviews written: 1" in pushed.output and "Cards rescheduled: 1" in pushed.output
    reset_at = NOW + timedelta(minutes=5)
    col = Collection(str(path))
    try:
        card = col.get_card(_card(col, GOOD))
        assert (card.type, card.queue, card.ivl, card.reps) == (0, 0, 0, 0)
        assert card.memory_state is None and card.usn == -1
        forget = col.db.first("SELECT id, ease, ivl, type FROM revlog WHERE cid = ?"
                              " ORDER BY id DESC", card.id)
        assert forget == [int(reset_at.timestamp() * 1000), 0, 0, 4]  # Anki's Forget
        report, ok = col.fix_integrity()
        assert ok, report
    finally:
        col.close()
    assert "Nothing to push" in srs(folder, "anki", "push", str(path)).output
    pulled = srs(folder, "anki", "pull", str(path))
    assert pulled.exit_code == 0, pulled.output
    assert "Reviews added: 0" in pulled.output
    assert "Skipped: 4 reviews pushed from the trainer" in pulled.output
    with Store.open(folder / "home" / "progress.sqlite3") as store:
        assert [e.kind for e in store.log(kind=None)] == ["answer", "answer", "answer", "reset"]
        assert store.card(*GOOD).memory.is_new  # type: ignore[union-attr]


def test_rows_in_one_millisecond_get_the_next_free_revlog_id_once(folder: Path) -> None:
    path = folder / "collection.anki2"
    trainer = make_trainer(folder / "home", DECK_YAML, now=NOW)
    # The practice card answered in the same millisecond as the Again card.
    trainer.record_answer(Answer(("demo", "p1"), 3, NOW + timedelta(seconds=30), 3000, 1,
                                 chosen="B"))
    trainer.store.close()
    first = srs(folder, "anki", "push", str(path))
    assert first.exit_code == 0, first.output
    assert "Reviews written: 4" in first.output and "Cards rescheduled: 3" in first.output
    tick = int((NOW + timedelta(seconds=30)).timestamp() * 1000)
    col = Collection(str(path))
    try:
        ids = sorted(col.db.list("SELECT id FROM revlog WHERE cid IN (?, ?)",
                                 _card(col, AGAIN), _card(col, ("demo", "p1"))))
        assert ids == [tick, tick + 1]
    finally:
        col.close()
    assert "Nothing to push" in srs(folder, "anki", "push", str(path)).output
    pulled = srs(folder, "anki", "pull", str(path))
    assert "Reviews added: 0" in pulled.output
    assert "Skipped: 4 reviews pushed from the trainer" in pulled.output
    assert "Nothing to push" in srs(folder, "anki", "push", str(path)).output
