from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from srs_trainer.trainer.api import SyncReport, Trainer
from srs_trainer.trainer.doctor import doctor
from srs_trainer.trainer.migrations import SCHEMA_VERSION
from srs_trainer.trainer.store import Store, StoreError
from srs_trainer.trainer.types import Answer, CardRow, Memory, NewAnswer, from_text, to_text
from synthetic import seed_history, synthetic_decks

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)


def _answer(qid: str = "q1", at: datetime = T0, rating: int = 3) -> NewAnswer:
    return NewAnswer(deck_id="d", question_id=qid, at=at, rating=rating, duration_ms=1500,
                     attempts=1, hint_used=False, chosen="A", mode="review", rescheduled=True,
                     state_before=0, scheduler_id=None, after=None)


def test_a_new_database_is_migrated_and_uses_wal(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert store.integrity_check() == []
    with Store.open(tmp_path / "p.sqlite3") as again:  # reopening migrates nothing
        assert again.schema_version == SCHEMA_VERSION


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open|not a progress database"):
        Store.open(path)


def test_times_round_trip_and_sort_as_text() -> None:
    moments = [T0, T0 + timedelta(microseconds=1), T0 + timedelta(days=400)]
    assert [from_text(to_text(m)) for m in moments] == moments
    assert sorted(map(to_text, reversed(moments))) == list(map(to_text, moments))


def test_card_memory_round_trips_exactly(tmp_path: Path) -> None:
    memory = Memory(state=2, step=None, stability=12.345678901234567, difficulty=4.1,
                    due=T0 + timedelta(days=12), last_review=T0, last_rating=3, reps=4, lapses=1)
    with Store.open(tmp_path / "p.sqlite3") as store:
        with store.transaction():
            store.insert_card(CardRow("d", "q1", 1, "challenge", "k"))
            store.set_memory("d", "q1", memory)
        card = store.card("d", "q1")
        assert card is not None and card.memory == memory
        assert Memory.from_dict(memory.to_dict()) == memory


def test_undo_marks_the_row_once_and_keeps_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.sqlite3") as store:
        with store.transaction():
            entry_id = store.append_answer(_answer())
        with store.transaction():
            assert store.mark_undone(entry_id, T0 + timedelta(seconds=5))
            assert not store.mark_undone(entry_id, T0 + timedelta(seconds=6))
        assert store.log() == []
        kept = store.log(include_undone=True)
        assert [e.id for e in kept] == [entry_id]
        assert kept[0].undone_at == T0 + timedelta(seconds=5)
        assert not kept[0].counts


def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.sqlite3") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.append_answer(_answer())
            raise RuntimeError("crash between two writes")
        assert store.log_count() == 0


def test_badges_are_earned_and_celebrated_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.sqlite3") as store:
        with store.transaction():
            assert store.earn_badge("d", "Master", T0)
            assert not store.earn_badge("d", "Master", T0 + timedelta(days=1))
        assert store.badge("d") == ("Master", T0, None)
        assert store.uncelebrated_badges() == [("d", "Master", T0)]
        with store.transaction():
            assert store.mark_celebrated("d", T0)
            assert not store.mark_celebrated("d", T0)
        assert store.uncelebrated_badges() == []


def test_a_badge_taken_back_and_earned_again_keeps_its_celebration(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p.sqlite3") as store, store.transaction():
        assert store.earn_badge("d", "Master", T0)
        assert store.take_back_badge("d", T0 + timedelta(minutes=1))
        assert not store.take_back_badge("d", T0 + timedelta(minutes=1))
        assert store.badge("d") is None and store.uncelebrated_badges() == []
        assert not store.mark_celebrated("d", T0)  # not held: nothing to celebrate
        assert store.earn_badge("d", "Master", T0 + timedelta(minutes=2))
        assert store.badge("d") == ("Master", T0 + timedelta(minutes=2), None)
        assert store.mark_celebrated("d", T0 + timedelta(minutes=3))
        assert store.take_back_badge("d", T0 + timedelta(minutes=4))
        assert store.earn_badge("d", "Master", T0 + timedelta(minutes=5))
        assert store.badge("d") == (
            "Master", T0 + timedelta(minutes=5), T0 + timedelta(minutes=3))
        assert store.uncelebrated_badges() == []


def test_seed_history_bulk_loads_a_consistent_store(tmp_path: Path) -> None:
    with Store.open(tmp_path / "bench.sqlite3") as store:
        decks = synthetic_decks(2, 30)
        cards, rows = seed_history(store, decks=decks, start=T0, days=60)
        assert cards == 60
        assert rows == store.log_count() > cards
        assert len(store.cards()) == 60
        report = doctor(store)
        assert report.ok and report.mismatched == [] and report.cards_checked == 60
        # The cards match their decks: syncing them changes nothing.
        assert Trainer(store, decks).sync(T0 + timedelta(days=60)) == SyncReport()


def test_a_doctor_check_lets_a_trainer_answer_meanwhile(tmp_path: Path) -> None:
    """A check reads a snapshot; only --rebuild takes the write lock."""
    path = tmp_path / "p.sqlite3"
    decks = synthetic_decks(1, 5)
    with Store.open(path) as checker, Store.open(path) as trainer_store:
        seed_history(checker, decks=decks, start=T0, days=10)
        rows = checker.log_count()
        trainer_store.db.execute(f"PRAGMA busy_timeout = {100}")  # fail fast if blocked
        with checker.snapshot():
            assert checker.log_count() == rows
            trainer = Trainer(trainer_store, decks)
            trainer.record_answer(Answer(("bench-deck-0", "q-0"), rating=3,
                                         at=T0 + timedelta(days=11), duration_ms=1,
                                         attempts=1))  # not blocked by the reader
            assert checker.log_count() == rows  # the snapshot does not move
        assert checker.log_count() == rows + 1
        assert doctor(checker).ok


def test_rows_map_to_the_dataclasses_by_column_name(tmp_path: Path) -> None:
    """Every field of a card and a log row is a column of the same name, and reads back."""
    from dataclasses import fields

    from srs_trainer.trainer.store_rows import RESULT_COLUMNS
    from srs_trainer.trainer.types import LogEntry

    with Store.open(tmp_path / "p.sqlite3") as store:
        columns = {table: {row[1] for row in store.db.execute(f"PRAGMA table_info({table})")}
                   for table in ("cards", "log")}
        card_fields = {f.name for f in fields(CardRow)} - {"memory"} | {
            f.name for f in fields(Memory)}
        assert card_fields <= columns["cards"]
        # a log row's ``after`` is its result columns (the other two memory fields are the
        # row's own time and rating)
        assert {f.name for f in fields(LogEntry)} - {"after"} | set(RESULT_COLUMNS) <= (
            columns["log"])
        memory = Memory(state=2, step=None, stability=3.5, difficulty=6.25, due=T0,
                        last_review=T0 - timedelta(days=3), last_rating=4, reps=7, lapses=2)
        card = CardRow("d", "q1", 3, "practice", "key", retired=True, memory=memory)
        with store.transaction():
            store.insert_card(card)
            entry_id = store.append_answer(_answer(at=T0, rating=4))
            after = Memory(state=2, step=None, stability=0.1 + 0.2, difficulty=1 / 3,
                           due=T0 + timedelta(days=3, microseconds=1), last_review=T0,
                           last_rating=4, reps=8, lapses=2)
            with_result = store.append_answer(replace(_answer(at=T0, rating=4), after=after))
        assert store.card("d", "q1") == card
        entry = store.entry(entry_id)
        assert entry is not None and entry.after is None
        assert store.entry(with_result).after == after  # type: ignore[union-attr]
        assert (entry.kind, entry.rating, entry.duration_ms, entry.chosen, entry.at,
                entry.rescheduled, entry.hint_used) == ("answer", 4, 1500, "A", T0, True, False)
