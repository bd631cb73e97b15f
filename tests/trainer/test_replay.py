"""The fast replay (trainer/replay.py) gives exactly what chaining ``scheduling.review`` gives,
and stores each answer's result as ``store_rows.result_values`` does; doctor and the merge replay
built on it report and repair what the log says."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs_trainer.history.log_merge import replay_cards
from srs_trainer.trainer import fsrs_direct, replay, scheduling
from srs_trainer.trainer.doctor import doctor
from srs_trainer.trainer.settings import DeckSettings
from srs_trainer.trainer.store_rows import (
    NO_RESULT,
    RESULT_COLUMNS,
    legacy_result,
    legacy_result_json,
    result_memory,
    result_values,
)
from srs_trainer.trainer.types import Answer, Memory, memory_json, to_text
from trainer_helpers import NOW, make_trainer

UTC = timezone.utc
KEY = ("deck", "q1")
SCHEDULERS = {
    1: scheduling.scheduler_json(DeckSettings()),  # fuzzing, two learning steps
    2: scheduling.scheduler_json(DeckSettings(enable_fuzzing=False)),
    3: scheduling.scheduler_json(DeckSettings(learning_steps=(), relearning_steps=(),
                                              enable_fuzzing=False)),  # as pulled reviews
    4: scheduling.scheduler_json(DeckSettings(learning_steps=(5.0,), relearning_steps=(1.0, 30.0),
                                              desired_retention=0.8, maximum_interval=50)),
}

# A history: (reset?, minutes since the previous row, rating, scheduler id) per row.
rows_strategy = st.lists(
    st.tuples(
        st.sampled_from((False,) * 7 + (True,)),  # a reset now and then
        # minutes: within a learning step, within a day or two, up to months
        st.one_of(st.integers(0, 30), st.integers(0, 3 * 24 * 60), st.integers(0, 300 * 24 * 60)),
        st.integers(1, 4),
        st.sampled_from(sorted(SCHEDULERS)),
    ),
    max_size=25,
)


def _inputs(history: list[tuple[bool, int, int, int]]) -> list[replay.ReplayInput]:
    at = datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)
    inputs: list[replay.ReplayInput] = []
    for is_reset, minutes, rating, scheduler_id in history:
        at += timedelta(minutes=minutes, microseconds=minutes * 7)
        inputs.append((is_reset, at, None if is_reset else rating, 4000, scheduler_id))
    return inputs


def _rows(key: tuple[str, str], inputs: list[replay.ReplayInput]) -> list[replay.Row]:
    """Replay inputs as the log's rows (``ROW_COLUMNS``), their times as datetimes."""
    return [(*key, row_id, "reset" if is_reset else "answer", at, rating, duration, 1,
             scheduler_id, None, None, "", "", None, *NO_RESULT)
            for row_id, (is_reset, at, rating, duration, scheduler_id)
            in enumerate(inputs, start=1)]


def test_the_direct_fsrs_is_used_with_the_fsrs_it_was_proved_equal_to() -> None:
    assert replay.Replayer(SCHEDULERS.__getitem__).direct == (
        version("fsrs") in fsrs_direct.VERIFIED_FSRS)


@pytest.mark.parametrize("direct", [True, False], ids=["fsrs_direct", "review_card"])
@settings(max_examples=300, deadline=None)
@given(history=rows_strategy)
def test_a_replay_equals_reviews_chained_one_by_one(
        direct: bool, history: list[tuple[bool, int, int, int]]) -> None:
    inputs = _inputs(history)
    random.seed(5)
    before = random.getstate()
    replayer = replay.Replayer(SCHEDULERS.__getitem__, direct=direct)
    steps = replayer.card_rows(KEY, _rows(KEY, inputs))
    assert random.getstate() == before  # the global generator is left as it was
    memory = Memory()
    assert len(steps) == len(inputs)
    for (is_reset, at, rating, duration, scheduler_id), step in zip(inputs, steps, strict=True):
        if is_reset:
            memory = Memory()
        else:
            assert rating is not None
            memory = scheduling.review(scheduling.scheduler_from_json(SCHEDULERS[scheduler_id]),
                                       KEY, memory, rating, at, duration)
        # Every field, and the result saved of it.
        assert Memory(*step) == memory
        assert replay.step_result(step) == result_values(memory)


times = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1),
                     timezones=st.just(UTC))
numbers = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False),
                    st.integers(-10, 10**6))


floats = st.one_of(st.none(), st.floats(allow_nan=False))


@given(state=st.integers(1, 3), step=st.one_of(st.none(), st.integers(0, 5)),
       stability=floats, difficulty=floats, due=st.one_of(st.none(), times),
       last_review=times, last_rating=st.one_of(st.none(), st.integers(1, 4)),
       reps=st.integers(0, 10**6), lapses=st.integers(0, 10**6))
@example(state=2, step=None, stability=1.5, difficulty=7.0, due=datetime(2026, 1, 2, tzinfo=UTC),
         last_review=datetime(2026, 1, 1, 9, 30, 0, 1, tzinfo=UTC), last_rating=3, reps=1,
         lapses=0)
def test_a_saved_result_gives_back_the_memory_and_reads_the_old_text_alike(
    state: int, step: int | None, stability: float | None, difficulty: float | None,
    due: datetime | None, last_review: datetime, last_rating: int | None, reps: int,
    lapses: int,
) -> None:
    values = (state, step, stability, difficulty, due, last_review, last_rating, reps, lapses)
    memory = Memory(*values)
    result = result_values(memory)
    assert replay.step_result(values) == result
    # The row's own time and rating complete it, bit for bit (floats, microseconds).
    assert result_memory(result, last_review, last_rating) == memory
    # The text older releases saved (``card_after``) reads as the same result (migration 9),
    # and the result writes back as that text (tests standing in older releases).
    text = memory_json(memory)
    assert tuple(legacy_result(text, n) for n in range(len(RESULT_COLUMNS))) == result
    assert legacy_result_json(*result, to_text(last_review), last_rating) == text


def test_a_text_that_is_no_memory_reads_as_no_result() -> None:
    for text in (None, "{}", "x", '{"state": "two"}', "[1]"):
        assert legacy_result(text, 0) is None


def test_doctor_reports_a_stale_row_and_a_differing_card_and_rebuild_repairs(
        tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    store = trainer.store
    key = ("demo", "p1")
    for days, rating in ((0, 3), (2, 1), (3, 3)):
        trainer.record_answer(Answer(key, rating, NOW + timedelta(days=days), 1000, 1, chosen="B"))
    right = store.card(*key).memory  # type: ignore[union-attr]
    first = store.card_log(*key)[0].id
    with store.transaction():
        store.db.execute("UPDATE log SET after_stability = 1e9 WHERE id = ?", (first,))
        store.set_memory(*key, Memory())
    report = doctor(store)
    assert (report.mismatched, report.stale_rows, report.rebuilt) == ([key], [first], 0)
    assert store.card(*key).memory == Memory()  # a check changes nothing
    report = doctor(store, rebuild=True)
    assert (report.mismatched, report.rebuilt) == ([key], 1)
    assert store.card(*key).memory == right
    assert doctor(store).mismatched == []


@pytest.mark.parametrize("reindex_from", [0, 10**9], ids=["indexes rebuilt", "in place"])
def test_a_rebuild_of_many_cards_gives_the_same_cards_and_indexes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reindex_from: int) -> None:
    from srs_trainer.trainer import store as store_module

    trainer = make_trainer(tmp_path)
    store = trainer.store
    for days, key in enumerate((("demo", "p1"), ("demo", "c1"), ("demo", "p1"))):
        trainer.record_answer(Answer(key, 3, NOW + timedelta(days=days), 1000, 1, chosen="B"))
    schema = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'cards' ORDER BY name"
    cards = "SELECT * FROM cards ORDER BY deck_id, question_id"
    right, indexes = store.db.execute(cards).fetchall(), store.db.execute(schema).fetchall()
    with store.transaction():
        for key in (("demo", "p1"), ("demo", "c1")):
            store.set_memory(*key, Memory())
    monkeypatch.setattr(store_module, "REINDEX_CARDS_FROM", reindex_from)
    assert doctor(store, rebuild=True).rebuilt == 2
    assert store.db.execute(cards).fetchall() == right
    assert store.db.execute(schema).fetchall() == indexes
    assert store.integrity_check() == []
    assert store.db.execute("PRAGMA cache_size").fetchone()[0] == -2000  # as it was


def test_the_merge_replay_rewrites_saved_results_and_state(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    store = trainer.store
    key = ("demo", "p1")
    for days, rating in ((0, 3), (4, 3)):
        trainer.record_answer(Answer(key, rating, NOW + timedelta(days=days), 1000, 1, chosen="B"))
    saved = f"SELECT id, state_before, {', '.join(RESULT_COLUMNS)} FROM log ORDER BY id"
    right_rows = store.db.execute(saved).fetchall()
    right = store.card(*key).memory  # type: ignore[union-attr]
    with store.transaction():
        store.db.execute("UPDATE log SET after_due_us = 0, after_step = 7, state_before = 9")
        store.set_memory(*key, Memory())
    with store.transaction():
        replay_cards(store, [key, ("demo", "c1")])  # c1 has no log: it stays new
    assert store.db.execute(saved).fetchall() == right_rows
    assert store.card(*key).memory == right
    assert store.card("demo", "c1").memory == Memory()  # type: ignore[union-attr]


def test_a_replay_rewrites_only_the_rows_that_differ(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    store = trainer.store
    key = ("demo", "p1")
    for days, rating in ((0, 3), (1, 1), (3, 3), (9, 4)):
        trainer.record_answer(Answer(key, rating, NOW + timedelta(days=days), 1000, 1, chosen="B"))
    right = store.db.execute(f"SELECT state_before, {', '.join(RESULT_COLUMNS)}, id FROM log"
                             " ORDER BY id").fetchall()
    replayer = replay.Replayer(store.scheduler_json)
    for wrong in ([1], [2], [1, 3], [4]):  # the rows after a changed one are matched again
        with store.transaction():
            store.db.executemany("UPDATE log SET after_reps = -1 WHERE id = ?",
                                 [(n,) for n in wrong])
        rows = replay.read_card_rows(store.db, store.schema_version, [key])[key]
        changed, _ = replay.replay_changes(replayer, key, rows)
        assert changed == [row for row in right if row[-1] in wrong]
        with store.transaction():
            store.db.executemany(replay.UPDATE_RESULTS, right)


def test_rows_read_for_many_cards_equal_rows_read_one_card_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trainer = make_trainer(tmp_path)
    store = trainer.store
    for index, key in enumerate((("demo", "p1"), ("demo", "c1"), ("demo", "p1"))):
        trainer.record_answer(Answer(key, 3, NOW + timedelta(days=index), 1000, 1, chosen="B"))
    keys = [("demo", "p1"), ("demo", "c1"), ("demo", "c2")]
    one_by_one = replay.read_card_rows(store.db, store.schema_version, keys)
    monkeypatch.setattr(replay, "_WHOLE_LOG_FROM", 0)
    whole = replay.read_card_rows(store.db, store.schema_version, keys)
    assert whole == one_by_one
    assert [len(rows) for rows in (whole[("demo", "p1")], whole[("demo", "c1")])] == [2, 1]


def _parameters() -> st.SearchStrategy[tuple[float, ...]]:
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return st.tuples(*(st.floats(low, high) for low, high in
                       zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)))


minutes_steps = st.lists(st.floats(0.5, 3 * 24 * 60), max_size=3).map(tuple)
deck_settings = st.builds(
    DeckSettings, parameters=_parameters(), desired_retention=st.floats(0.7, 0.99),
    learning_steps=minutes_steps, relearning_steps=minutes_steps,
    maximum_interval=st.integers(1, 36500), enable_fuzzing=st.booleans())


@settings(max_examples=300, deadline=None)
@given(schedulers=st.lists(deck_settings, min_size=1, max_size=3), history=rows_strategy)
def test_the_direct_fsrs_equals_review_card_for_any_parameters_and_settings(
        schedulers: list[DeckSettings], history: list[tuple[bool, int, int, int]]) -> None:
    texts = {index: scheduling.scheduler_json(s) for index, s in enumerate(schedulers, start=1)}
    inputs = [(is_reset, at, rating, duration, 1 + (scheduler_id - 1) % len(texts))
              for is_reset, at, rating, duration, scheduler_id in _inputs(history)]
    rows = _rows(KEY, inputs)
    direct = replay.Replayer(texts.__getitem__, direct=True).card_rows(KEY, rows)
    through_fsrs = replay.Replayer(texts.__getitem__, direct=False).card_rows(KEY, rows)
    assert direct == through_fsrs


@settings(max_examples=100, deadline=None)
@given(schedulers=st.lists(deck_settings, min_size=1, max_size=3),
       histories=st.lists(rows_strategy, min_size=2, max_size=6))
def test_one_direct_replayer_over_many_cards_equals_review_card(
        schedulers: list[DeckSettings], histories: list[list[tuple[bool, int, int, int]]]) -> None:
    """What a direct scheduler keeps between cards (its intervals made once per day count)
    changes no later card's replay; nor does reading the rows' times as text."""
    texts = {index: scheduling.scheduler_json(s) for index, s in enumerate(schedulers, start=1)}
    direct = replay.Replayer(texts.__getitem__, direct=True)
    through_fsrs = replay.Replayer(texts.__getitem__, direct=False)
    for number, history in enumerate(histories):
        key = ("deck", f"q{number}")
        inputs = [(is_reset, at, rating, duration, 1 + (scheduler_id - 1) % len(texts))
                  for is_reset, at, rating, duration, scheduler_id in _inputs(history)]
        rows = [(*key, row_id, "reset" if is_reset else "answer", to_text(at), rating,
                 duration, 1, scheduler_id, None, None, "", "", None, *NO_RESULT)
                for row_id, (is_reset, at, rating, duration, scheduler_id)
                in enumerate(inputs, start=1)]
        expected = through_fsrs.card_rows(key, _rows(key, inputs))
        assert direct.card_rows(key, _rows(key, inputs)) == expected
        assert direct.card_rows(key, rows) == expected


@settings(max_examples=300, deadline=None)
@given(history=rows_strategy, offsets=st.lists(st.booleans(), min_size=25, max_size=25))
def test_the_saved_results_a_replay_writes_equal_those_of_chained_reviews(
        history: list[tuple[bool, int, int, int]], offsets: list[bool]) -> None:
    """``replay_changes`` gives each answer the result of chaining reviews, whether its time
    is saved as ``to_text`` writes it or another way (an offset)."""
    plus_two = timezone(timedelta(hours=2))
    rows: list[replay.Row] = []
    for number, ((is_reset, at, rating, duration, scheduler_id), other) in enumerate(
            zip(_inputs(history), offsets, strict=False), start=1):
        text = at.astimezone(plus_two).isoformat() if other else to_text(at)
        rows.append((*KEY, number, "reset" if is_reset else "answer", text, rating, duration,
                     0 if is_reset else 1, None if is_reset else scheduler_id, None, None,
                     "", "", None, *NO_RESULT))
    changed, memory = replay.replay_changes(
        replay.Replayer(SCHEDULERS.__getitem__), KEY, rows)
    expected: dict[int, tuple[object, ...]] = {}
    chained = Memory()
    for row, (is_reset, at, rating, duration, scheduler_id) in zip(
            rows, _inputs(history), strict=False):
        if is_reset:
            chained = Memory()
            continue
        assert rating is not None
        chained = scheduling.review(scheduling.scheduler_from_json(SCHEDULERS[scheduler_id]),
                                    KEY, chained, rating, at, duration)
        expected[row[replay.ID]] = result_values(chained)
    assert {change[-1]: change[1:-1] for change in changed} == expected
    assert memory == chained


@settings(max_examples=300, deadline=None)
@given(times=st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=8), min_size=2,
                      max_size=2),
       ranks=st.lists(st.sampled_from([(0, ""), (1, "a"), (1, "b")]), min_size=2, max_size=2))
def test_two_streams_merge_as_merge_streams_merges_them(
    times: list[list[int]], ranks: list[tuple[int, str]],
) -> None:
    """The first sync's two-device merge, done without the heap, keeps the heap's order
    (equal times and equal ranks included)."""
    streams = []
    for n, (minutes, rank) in enumerate(zip(times, ranks, strict=True)):
        rows = [(*KEY, n * 100 + i, "answer", to_text(NOW + timedelta(minutes=m)), 3, 4000, 1,
                 1, 0, None, "", "", None, *NO_RESULT) for i, m in enumerate(minutes)]
        streams.append((rank, rows))
    assert replay._merge_two(*streams) == scheduling.merge_streams(
        streams, lambda row: row[replay.AT])


@given(stability=numbers, difficulty=numbers,
       due=st.one_of(st.none(), times, st.datetimes(
           min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
           timezones=st.just(timezone(timedelta(hours=-5))))),
       last_review=st.one_of(st.none(), times, st.datetimes(
           min_value=datetime(1, 1, 2), timezones=st.just(UTC))))
@example(stability=1.5, difficulty=None, due=datetime(2026, 1, 2, tzinfo=UTC),
         last_review=datetime(999, 1, 1, 9, 30, tzinfo=UTC))  # on the second; a short year
def test_the_stored_memory_columns_are_the_memory_s_dict(
    stability: float | None, difficulty: float | None, due: datetime | None,
    last_review: datetime | None,
) -> None:
    from srs_trainer.trainer.store_rows import MEMORY_COLUMNS, memory_values

    memory = Memory(2, None, stability, difficulty, due, last_review, 3, 5, 1)
    stored = memory.to_dict()
    assert memory_values(memory) == tuple(stored[name] for name in MEMORY_COLUMNS)
    steps = replay.step_row((2, None, stability, difficulty, due, last_review, 3, 5, 1))
    assert steps == memory_values(memory)
    for moment in (due, last_review):
        if moment is not None:  # to_text's quick path writes what strftime writes
            assert to_text(moment) == moment.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.%f+00:00")
