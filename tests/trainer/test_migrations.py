"""Migrations: old databases are brought up to the current schema, keeping what they hold."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from srs_trainer.deck.model import Deck
from srs_trainer.trainer import migrations
from srs_trainer.trainer.api import SyncReport, Trainer
from srs_trainer.trainer.doctor import doctor
from srs_trainer.trainer.migrations import SCHEMA_VERSION
from srs_trainer.trainer.store import Store, StoreError
from srs_trainer.trainer.types import CardRow, Memory, to_text
from synthetic import seed_history, synthetic_decks

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)


@contextmanager
def schema(monkeypatch: pytest.MonkeyPatch, version: int) -> Iterator[None]:
    """Inside, a store is made and opened as a release of schema ``version`` did."""
    with monkeypatch.context() as old:
        old.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:version])
        old.setattr(migrations, "SCHEMA_VERSION", version)
        yield


def _learner(store: Store, decks: list[Deck]) -> tuple[Trainer, tuple[str, str]]:
    """A month of synthetic reviews of ``decks`` and one card's answer key changed after
    it (a reset, its card new again): (the trainer, that card)."""
    from synthetic_learner import START, learn
    from trainer_helpers import EXACT

    trainer = Trainer(store, decks, EXACT)
    trainer.sync(START)
    learn(trainer, 30)
    key = store.cards()[0].key
    with store.transaction():
        store.append_reset(*key, START + timedelta(days=31), "answer key changed")
        store.set_memory(*key, Memory())
    return trainer, key


def test_migrations_run_in_order_on_an_old_database(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.sqlite3"
    with Store.open(path) as store, store.transaction():
        store.insert_card(CardRow("d", "q1", 1, "challenge", "k"))

    def add_column(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE cards ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, add_column))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION + 1
        assert store.db.execute("SELECT flagged FROM cards").fetchall() == [(0,)]
        assert store.card("d", "q1") is not None


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(StoreError, match="newer srs-trainer"):
        Store.open(path)


def test_a_version_1_database_keeps_its_badges_through_migration_2(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    migrations.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO badges (deck_id, name, earned_at) VALUES ('d', 'Master', ?)",
               (to_text(T0),))
    db.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 2
        assert store.badge("d") == ("Master", T0, None)


def test_a_version_2_learner_keeps_cards_and_history_through_migration_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.sqlite3"
    decks = synthetic_decks(2, 20)
    # a learner's database from before migration 3
    with schema(monkeypatch, 2), Store.open(path) as store:
        seed_history(store, decks=decks, start=T0, days=30)
        assert store.schema_version == 2
        before, log = store.cards(), store.log()

    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 3
        # The first start syncs each deck once (no digest was stored), changing nothing...
        assert Trainer(store, decks).sync(T0 + timedelta(days=30)) == SyncReport()
        assert store.cards() == before and store.log() == log
        assert store.deck_sync_states() == {
            deck.id: (store.deck_sync_states()[deck.id][0], 1 + 20 * n)
            for n, deck in enumerate(decks)}
        # ...and the next start skips both decks.
        changes = store.db.total_changes
        assert Trainer(store, decks).sync(T0 + timedelta(days=31)) == SyncReport()
        assert store.db.total_changes == changes
        assert doctor(store).ok


def test_a_version_4_database_gets_event_ids_with_its_history_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from srs_trainer.deck.sources import parse_deck
    from srs_trainer.history.sync_folder import rebuild_badges, sync
    from srs_trainer.trainer.types import Answer
    from trainer_helpers import DECK_YAML, EXACT

    path = tmp_path / "p.sqlite3"
    decks = [parse_deck(DECK_YAML, "demo.yaml")]
    # a learner's database from before migration 5
    with schema(monkeypatch, 4), Store.open(path) as store:
        trainer = Trainer(store, decks, EXACT)
        trainer.sync(T0)
        for minute, (question, rating) in enumerate([("c1", 3), ("c2", 1), ("c1", 4)]):
            trainer.record_answer(Answer(("demo", question), rating,
                                         T0 + timedelta(minutes=minute), 900, 1))
        undone = trainer.record_answer(Answer(("demo", "p1"), 2, T0, 900, 1))
        trainer.undo(undone.entry_id, T0 + timedelta(minutes=9))
        with store.transaction():
            store.earn_badge("demo", "Demo Master", T0)
            store.mark_celebrated("demo", T0 + timedelta(hours=1))
        trainer.save_challenge_result("demo", started_at=T0, finished_at=T0, score=2,
                                      total=2)
        assert store.schema_version == 4
        before = (store.cards(), store.log(include_undone=True), store.badge("demo"),
                  store.challenge_results("demo"))

    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 5
        device = store.device_id
        assert len(device) == 32
        after = (store.cards(), store.log(include_undone=True), store.badge("demo"),
                 store.challenge_results("demo"))
        assert after == before
        assert store.db.execute("SELECT target_seq FROM undos").fetchall() == [
            (undone.entry_id,)]
        with store.transaction():
            rebuild_badges(store)  # the badge's events fold back to the badge it had
        assert store.badge("demo") == before[2]
        assert doctor(store).ok
        share = tmp_path / "share"
        share.mkdir()
        assert sync(store, share).written == 1 + 4 + 1 + 1 + 2  # scheduler, log, undo, ...
    with Store.open(path) as store:
        assert store.device_id == device  # made once
    # Another machine gets the whole history: the same cards, badge and result.
    with Store.open(tmp_path / "other.sqlite3") as other:
        Trainer(other, decks, EXACT).sync(T0)
        sync(other, share)
        assert other.cards() == before[0]
        assert other.badge("demo") == before[2]
        assert other.challenge_results("demo") == before[3]
        assert [e.undone_at for e in other.log(include_undone=True)] == [
            e.undone_at for e in before[1]]


def test_a_version_5_database_gets_the_covering_due_index_and_the_same_forecast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from srs_trainer.deck.sources import parse_deck
    from srs_trainer.trainer.types import Answer
    from trainer_helpers import DECK_YAML, EXACT

    path = tmp_path / "p.sqlite3"
    decks = [parse_deck(DECK_YAML, "demo.yaml")]
    # a learner's database from before migration 6
    with schema(monkeypatch, 5), Store.open(path) as store:
        trainer = Trainer(store, decks, EXACT)
        trainer.sync(T0)
        for day, question in enumerate(("c1", "c2", "p1")):
            trainer.record_answer(Answer(("demo", question), 3, T0 + timedelta(days=day),
                                         900, 1))
        before = (store.cards(), trainer.stats(T0 + timedelta(days=3)))
        assert store.schema_version == 5
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 6
        indexes = {name for (name,) in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cards'")}
        assert "cards_due_deck" in indexes and "cards_due" not in indexes
        plan = " ".join(row[-1] for row in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM cards WHERE state IN (1, 2, 3)"
            " AND due < '2027' AND retired = 0 AND deck_id IN ('demo', 'x')"))
        assert "COVERING INDEX cards_due_deck" in plan, plan
        trainer = Trainer(store, decks, EXACT)
        assert (store.cards(), trainer.stats(T0 + timedelta(days=3))) == before
        assert doctor(store).ok


def test_a_version_7_database_gets_the_cheaper_log_indexes_and_the_same_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from srs_trainer.trainer.review_columns import columns_of, histories, store_columns
    from synthetic_learner import START
    from trainer_helpers import EXACT

    path = tmp_path / "p.sqlite3"
    decks = synthetic_decks(3, 8)
    now = START + timedelta(days=40)
    # a learner's database from before migration 8
    with schema(monkeypatch, 7), Store.open(path) as store:
        trainer, key = _learner(store, decks)
        assert store.schema_version == 7
        before = (store.cards(), store.log(kind=None, include_undone=True),
                  store_columns(store), trainer.stats(now, days=60))
        assert len(before[1]) > 100

    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 8
        indexes = dict(store.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log'"))
        assert "log_at" not in indexes
        assert "julianday" in indexes["log_fit"] and "strftime" not in indexes["log_fit"]
        assert {"log_card", "log_deck_at", "log_fit", "log_origin", "log_event"} <= set(indexes)
        columns = store_columns(store)
        plan = " ".join(row[-1] for row in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT min(at), max(at) FROM log WHERE deck_id = 'x'"))
        assert "COVERING INDEX log_deck_at" in plan, plan
        trainer = Trainer(store, decks, EXACT)
        after = (store.cards(), store.log(kind=None, include_undone=True), columns,
                 trainer.stats(now, days=60))
        assert after == before
        assert columns.by_history() == columns_of(histories(after[1])).by_history()
        assert (*key, 1) not in columns.by_history()  # the reset left no answer after it
        assert store.integrity_check() == []  # the new index holds what its rows give


def test_a_version_8_database_gets_typed_results_with_its_history_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from srs_trainer.trainer.store_rows import RESULT_COLUMNS
    from synthetic_learner import START
    from trainer_helpers import EXACT

    path = tmp_path / "p.sqlite3"
    decks = synthetic_decks(3, 8)
    now = START + timedelta(days=40)
    # a learner's database from before migration 9: results saved as JSON text
    with schema(monkeypatch, 8), Store.open(path) as store:
        trainer, key = _learner(store, decks)
        figures = trainer.stats(now, days=60)  # (the stats cache and its triggers made)
        with store.transaction():  # a second reset, deleted: its id stays used
            gone = store.append_reset(*key, START + timedelta(days=32), "again")
            store.db.execute("DELETE FROM log WHERE id = ?", (gone,))
        texts = dict(store.db.execute("SELECT id, card_after FROM log"))
        before = (store.cards(), store.log(kind=None, include_undone=True), figures)
        assert store.schema_version == 8 and len(before[1]) > 100
        assert sum(text is not None for text in texts.values()) > 100

    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 9
        columns = [row[1] for row in store.db.execute("PRAGMA table_info(log)")]
        assert "card_after" not in columns and set(RESULT_COLUMNS) <= set(columns)
        log = store.log(kind=None, include_undone=True)
        # Every result as the text held it, bit for bit; its last review and rating the row's.
        for entry in log:
            text = texts[entry.id]
            assert entry.after == (None if text is None else Memory.from_dict(json.loads(text)))
        assert (store.cards(), log) == before[:2]
        trainer = Trainer(store, decks, EXACT)
        assert trainer.stats(now, days=60) == before[2]  # folded again from the new columns
        report = doctor(store)
        assert report.ok and report.stale_rows == [] and report.mismatched == []
        assert store.integrity_check() == []
        indexes = {name for (name,) in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log'")}
        assert {"log_card", "log_deck_at", "log_fit", "log_origin", "log_event"} <= indexes
        with store.transaction():  # the deleted row's id is not given again
            assert store.append_reset(*key, now, "again") == gone + 1
