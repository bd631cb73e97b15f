"""Fitting FSRS parameters to a synthetic learner whose memory follows known parameters.

The learner is scheduled by the trainer (default parameters, no fuzz) and answers every due
card each day for a simulated stretch (an injected clock); whether an answer passes is drawn
with a fixed seed from the retrievability of the *true* model, which differs from the defaults.
The fit must then predict the later reviews better than the defaults, and its retrievability
must be close to the true model's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import fsrs
import pytest

from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.optimize import (
    MIN_REVIEWS,
    OptimizeError,
    default_parameters,
    fit,
    simulate_retention,
    suggested_retention,
)
from srs_trainer.trainer.review_columns import (
    History,
    ReviewColumns,
    columns_of,
    histories,
    store_columns,
)
from srs_trainer.trainer.store import Store, from_text
from srs_trainer.trainer.store_rows import RESULT_COLUMNS
from srs_trainer.trainer.types import Answer, to_text
from synthetic import synthetic_decks
from synthetic_learner import START, TRUE_PARAMETERS, learn
from trainer_helpers import EXACT

pytest.importorskip("fsrs_rs_python")

CARDS = 500
#: Mean absolute difference between the fitted and the true model's retrievability at each
#: review: measured 0.008 with this seed (the defaults are 0.042 off).
RETRIEVABILITY_TOLERANCE = 0.02


def _learn(tmp_path: Path, cards: int, days: int) -> Trainer:
    store = Store.open(tmp_path / "progress.sqlite3")
    trainer = Trainer(store, synthetic_decks(1, cards), EXACT)
    trainer.sync(START)
    learn(trainer, days)
    return trainer


@pytest.fixture(scope="module")
def learner(tmp_path_factory: pytest.TempPathFactory) -> Trainer:
    return _learn(tmp_path_factory.mktemp("learner"), cards=CARDS, days=365)


def _predictions(parameters: tuple[float, ...], history: History) -> list[float]:
    """The retrievability a model predicts at each review after the first."""
    scheduler = fsrs.Scheduler(parameters=parameters, learning_steps=(), relearning_steps=(),
                               enable_fuzzing=False)
    card = fsrs.Card(card_id=1, due=from_text(history[0][0]))
    predicted = []
    for n, (text, rating, _) in enumerate(history):
        moment = from_text(text)
        if n:
            predicted.append(scheduler.get_card_retrievability(card, moment))
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), moment)
    return predicted


def _mean_error(parameters: tuple[float, ...], cards: list[History]) -> float:
    errors = [abs(model - truth)
              for history in cards
              for model, truth in zip(_predictions(parameters, history),
                                      _predictions(TRUE_PARAMETERS, history), strict=True)]
    return sum(errors) / len(errors)


def test_the_fit_beats_the_defaults_and_comes_close_to_the_true_model(learner: Trainer) -> None:
    entries = learner.store.log(kind=None)
    result = fit(histories(entries), default_parameters())
    assert result.reviews >= MIN_REVIEWS and result.train + result.test == result.reviews
    assert result.better, result
    assert result.fitted.log_loss < result.current.log_loss
    assert result.fitted.rmse_bins < result.current.rmse_bins

    cards = list(histories(entries).values())
    assert (store_columns(learner.store).by_history()  # the fast read agrees
            == columns_of(histories(entries)).by_history())
    fitted_error = _mean_error(result.parameters, cards)
    default_error = _mean_error(default_parameters(), cards)
    assert fitted_error < RETRIEVABILITY_TOLERANCE
    assert fitted_error < default_error / 2, (fitted_error, default_error)


def test_replay_stays_exact_after_adopting_the_fitted_parameters(
    learner: Trainer, tmp_path: Path
) -> None:
    result = fit(histories(learner.store.log(kind=None)), default_parameters())
    store = Store.open(tmp_path / "copy.sqlite3")
    learner.store.db.backup(store.db)
    fitted = replace(EXACT, defaults=replace(EXACT.defaults, parameters=result.parameters))
    trainer = Trainer(store, synthetic_decks(1, CARDS), fitted)
    trainer.sync(START + timedelta(days=365))
    later = START + timedelta(days=366)
    for card in store.cards()[:20]:
        trainer.record_answer(Answer(card.key, 3, later, 4000, 1))
    schedulers = {e.scheduler_id for e in store.log() if e.at >= later}
    assert len(schedulers) == 1 and schedulers != {store.log()[0].scheduler_id}
    report = trainer.doctor()
    assert report.mismatched == [] and report.stale_rows == []


def test_too_few_reviews_is_a_clear_message(tmp_path: Path) -> None:
    trainer = _learn(tmp_path, cards=10, days=8)
    assert len(trainer.store.log()) < 100
    with pytest.raises(OptimizeError, match=r"too few reviews to fit: \d+ \(at least 400"):
        fit(histories(trainer.store.log(kind=None)), default_parameters())
    with pytest.raises(OptimizeError, match="too few reviews to fit: 0"):
        fit({}, default_parameters())


def test_the_retention_simulator_suggests_within_the_range() -> None:
    points = simulate_retention(TRUE_PARAMETERS, 500, days=120)
    assert (points[0].desired_retention, points[-1].desired_retention) == (0.70, 0.97)
    # Higher desired retention costs more reviews a day.
    assert points[-1].reviews_per_day > points[0].reviews_per_day
    assert 0.70 <= suggested_retention(points).desired_retention <= 0.97


def test_the_fast_read_equals_the_definition_with_resets_undo_and_pulled_rows(
    tmp_path: Path,
) -> None:
    from srs_trainer.history.anki_pull import PulledRow
    from srs_trainer.history.log_merge import foreign_scheduler_json, merge_rows
    from srs_trainer.trainer.settings import DeckSettings

    trainer = _learn(tmp_path, cards=12, days=40)
    store = trainer.store
    keys = [card.key for card in store.cards()]
    later = START + timedelta(days=41)
    with store.transaction():
        store.append_reset(*keys[0], later, "answer key changed")
    trainer.record_answer(Answer(keys[0], 3, later, 1, 1))
    undone = trainer.record_answer(Answer(keys[1], 1, later, 1, 1))
    trainer.undo(undone.entry_id, later)
    pulled = [PulledRow(keys[2], 1_700_000_000_000 + n, START + timedelta(days=3 * n, hours=-5),
                        3, 100) for n in range(1, 6)]
    merge_rows(store, "anki", pulled, {keys[2][0]: foreign_scheduler_json(DeckSettings())},
               set(keys))
    fast = store_columns(store).by_history()
    assert fast == columns_of(histories(store.log(kind=None))).by_history()
    assert (*keys[0], 1) in fast and len(fast[(*keys[0], 1)]) == 1  # history restarted
    # The lookup read (one deck list: the path a deck's fit takes) gives the same.
    decks = sorted({key[0] for key in keys})
    assert store_columns(store, decks) == store_columns(store)
    with store.snapshot():  # inside the caller's own read transaction
        assert store_columns(store).by_history() == fast


def test_the_fast_read_with_row_ids_not_consecutive_gives_the_definition(
    tmp_path: Path,
) -> None:
    trainer = _learn(tmp_path, cards=5, days=20)
    store = trainer.store
    with store.transaction():  # a row id far past the others: the scan's places do not hold
        store.db.execute("UPDATE log SET id = id + 1000 WHERE id = (SELECT max(id) FROM log)")
    fast = store_columns(store)
    assert fast.by_history() == columns_of(histories(store.log(kind=None))).by_history()
    assert len(fast.ratings) == len(store.log(kind=None))


def test_items_are_split_by_the_time_of_the_review_they_predict() -> None:
    from srs_trainer.trainer.optimize import split_items
    from srs_trainer.trainer.review_columns import ReviewColumns

    day = 86_400_000_000
    # Card a: reviews on days 1, 2, 30; card b: days 0 and 3. Its items, in time order: a's
    # second review (day 2), b's second (day 3), a's third (day 30), unlike column order.
    columns = ReviewColumns(keys=[("d", "a", 0), ("d", "b", 0)], lengths=[3, 2],
                            ratings=bytes([3, 3, 1, 3, 4]), days=[0, 1, 28, 0, 3],
                            times=[day, 2 * day, 30 * day, 0, 3 * day])
    train, test = split_items(columns, test_share=0.3)
    assert [len(item.reviews) for item in train] == [2, 2]
    assert [len(item.reviews) for item in test] == [3]


def test_the_fast_read_gives_no_negative_interval_when_the_clock_went_back(
    tmp_path: Path,
) -> None:
    trainer = _learn(tmp_path, cards=3, days=5)
    store = trainer.store
    key = store.cards()[0].key
    trainer.record_answer(Answer(key, 3, START + timedelta(days=20), 1, 1))
    trainer.record_answer(Answer(key, 3, START + timedelta(days=10), 1, 1))  # clock went back
    fast = store_columns(store)
    assert fast.by_history() == columns_of(histories(store.log(kind=None))).by_history()
    assert min(fast.days) == 0 and fast.by_history()[(*key, 0)][-1][2] == 0


def test_the_fast_read_of_one_deck_holds_that_deck_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "progress.sqlite3")
    trainer = Trainer(store, synthetic_decks(2, 6), EXACT)
    trainer.sync(START)
    learn(trainer, 20)
    decks = sorted({card.key[0] for card in store.cards()})
    assert len(decks) == 2
    one = store_columns(store, [decks[0]]).by_history()
    entries = [e for e in store.log(kind=None) if e.deck_id == decks[0]]
    assert one and one == columns_of(histories(entries)).by_history()
    assert {key[0] for key in one} == {decks[0]}


def test_the_fast_read_without_unixepoch_gives_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3

    trainer = _learn(tmp_path, cards=4, days=10)
    expected = store_columns(trainer.store)
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 37, 2))  # before unixepoch()
    assert store_columns(trainer.store) == expected


RESULTS = ", ".join(RESULT_COLUMNS)


def _insert_synced(store: Store, key: tuple[str, str], device: str, seq: int, at: str,
                   rating: int, *, undone: bool = False) -> None:
    """A row as `srs sync` leaves one from another device: its device id and its number there
    (a copy of the card's first answer with another time and rating)."""
    store.db.execute(
        "INSERT INTO log (kind, deck_id, question_id, at, rating, duration_ms, attempts,"
        f" hint_used, chosen, mode, rescheduled, state_before, scheduler_id, {RESULTS},"
        " undone_at, note, origin, device, seq)"
        " SELECT kind, deck_id, question_id, ?, ?, duration_ms, attempts, hint_used, chosen,"
        f" mode, rescheduled, state_before, scheduler_id, {RESULTS}, ?, note, '', ?, ?"
        " FROM log WHERE deck_id = ? AND question_id = ? AND kind = 'answer' ORDER BY id LIMIT 1",
        (at, rating, at if undone else None, device, seq, *key))


def test_reviews_synced_from_two_devices_are_fitted_in_the_replay_order(tmp_path: Path) -> None:
    from srs_trainer.trainer import replay
    from srs_trainer.trainer.store_rows import micros

    trainer = _learn(tmp_path, cards=4, days=30)
    store = trainer.store
    key = store.cards()[0].key
    own = store.device_id

    def at(day: float) -> str:
        return to_text(START + timedelta(days=day, hours=1))

    # Device "b" (its clock went back between its seq 2 and 3) and device "c", interleaved
    # in time with this database's reviews; b's first row was undone there, but it still
    # takes its place when the streams merge by time (as in the replay).
    with store.transaction():
        for device, seq, day, rating, undone in [
                ("b" * 32, 1, 11.5, 3, True), ("b" * 32, 2, 6.5, 1, False),
                ("b" * 32, 3, 4.5, 3, False), ("c" * 32, 7, 2.5, 4, False),
                ("c" * 32, 8, 21.5, 2, False)]:
            _insert_synced(store, key, device, seq, at(day), rating, undone=undone)

    rows = replay.ordered_counting(replay.read_rows(store.db, store.schema_version)[key], own)
    expected: list[tuple[int, int, int]] = []
    for row in rows:
        moment = micros(from_text(row[replay.AT]))
        days = max(0, (moment - expected[-1][0]) // 86_400_000_000) if expected else 0
        expected.append((moment, row[replay.RATING], days))
    by_id = sorted(rows, key=lambda row: row[replay.ID])
    assert rows != by_id  # the replay order is not the log's id order: the test can fail

    fast = store_columns(store).by_history()
    assert fast[(*key, 0)] == expected
    entries = store.log(kind=None, include_undone=True)
    assert columns_of(histories(entries, own)).by_history() == fast


def test_a_time_sqlite_cannot_read_gives_what_the_lookup_read_gives(tmp_path: Path) -> None:
    trainer = _learn(tmp_path, cards=4, days=10)
    store = trainer.store
    decks = sorted({card.key[0] for card in store.cards()})
    with store.transaction():  # unixepoch() is NULL for it: the scan's times would shift
        store.db.execute("UPDATE log SET at = 'not a time' WHERE id = 2")
    assert store_columns(store) == store_columns(store, decks)


def test_a_time_sqlite_cannot_read_is_a_clear_message_with_or_without_a_reset(
    learner: Trainer, tmp_path: Path,
) -> None:
    """``FIT_TIME`` gives such a time as ``UNREADABLE_TIME`` (its julianday() arithmetic alone
    would give 0, the epoch): the read leaves it out, and the fit says why it cannot go on."""
    store = Store.open(tmp_path / "progress.sqlite3")
    learner.store.db.backup(store.db)  # enough reviews to fit; the shared learner unchanged
    trainer = Trainer(store, synthetic_decks(1, CARDS), EXACT)
    keys = [card.key for card in store.cards()]
    later = START + timedelta(days=11)
    with store.transaction():
        store.append_reset(*keys[1], later, "answer key changed")
    trainer.record_answer(Answer(keys[1], 3, later, 1, 1))
    trainer.record_answer(Answer(keys[1], 4, later + timedelta(days=3), 1, 1))
    for key in keys[0], keys[1]:  # a card without a reset, then one with
        (first,) = store.db.execute(
            "SELECT max(id) FROM log WHERE deck_id = ? AND question_id = ?", key).fetchone()
        with store.transaction():
            store.db.execute("UPDATE log SET at = 'not a time' WHERE id = ?", (first,))
        columns = store_columns(store)
        assert len(columns.times) == len(columns.ratings) - 1
        with pytest.raises(OptimizeError, match="a time that cannot be read"):
            fit(columns, default_parameters())
        with store.transaction():
            store.db.execute("UPDATE log SET at = ? WHERE id = ?", (to_text(later), first))
    columns = store_columns(store)
    assert columns.by_history() == columns_of(histories(store.log(kind=None))).by_history()


def test_the_fit_time_equals_migration_7s_on_times_at_the_edges() -> None:
    import sqlite3

    from srs_trainer.trainer import migrations

    texts = [to_text(moment) for moment in (
        datetime(1000, 1, 1, tzinfo=timezone.utc), datetime(1640, 2, 27, 20, 22, 35, 830607,
                                                         tzinfo=timezone.utc),
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
        datetime(1970, 1, 1, tzinfo=timezone.utc),
        datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc),
        datetime(2024, 2, 29, 23, 59, 59, 999500, tzinfo=timezone.utc),
        datetime(2026, 1, 5, 9, 0, 0, 999999, tzinfo=timezone.utc),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc))]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE log (at TEXT)")
    moment = datetime(1900, 1, 1, tzinfo=timezone.utc)
    for step in range(20_000):  # every second of a few hours and times spread over centuries
        texts.append(to_text(moment + timedelta(seconds=step, microseconds=step * 7 % 10**6)))
        texts.append(to_text(moment + timedelta(days=step * 11.3)))
    db.executemany("INSERT INTO log VALUES (?)", [(text,) for text in texts])
    rows = db.execute(f"SELECT at, {migrations.FIT_TIME}, {migrations._FIT_TIME_7}"
                      " FROM log").fetchall()
    assert [new for _, new, _ in rows] == [old for _, _, old in rows]
    from srs_trainer.trainer.store_rows import micros
    assert [int(new, 16) - (1 << 64) * (new[0] >= "8") for _, new, _ in rows] == [
        micros(from_text(at)) for at, _, _ in rows]
    (unreadable,) = db.execute(
        f"SELECT {migrations.FIT_TIME} FROM (SELECT 'not a time' AS at)").fetchone()
    assert int(unreadable, 16) - (1 << 64) == migrations.UNREADABLE_TIME


def _split_items_before(columns: ReviewColumns, test_share: float = 0.2) -> (
        tuple[list[Any], list[Any]]):
    """The fit's items the way ``split_items`` made them before it sorted them in place:
    each history's items in column order, then their indexes sorted (stable) by the time
    of the review each predicts, and the items taken in that order."""
    import fsrs_rs_python as lib

    reviews = [lib.FSRSReview(rating, days)
               for rating, days in zip(columns.ratings, columns.days, strict=True)]
    items, times = [], []
    for start, length in zip(columns.starts, columns.lengths, strict=True):
        for end in range(start + 2, start + length + 1):
            items.append(lib.FSRSItem(reviews[start:end]))
            times.append(columns.times[end - 1])
    order = sorted(range(len(items)), key=times.__getitem__)
    cut = int(len(items) * (1 - test_share))
    return [items[i] for i in order[:cut]], [items[i] for i in order[cut:]]


def test_the_items_equal_those_of_the_read_and_the_sort_before_the_fit_index(
    tmp_path: Path,
) -> None:
    """The fit's inputs, its items in order, read through ``log_fit`` (migration 7) and
    sorted in place, are those of the read before the index (the lookup read a schema-6
    database still takes) sorted by an index list, on a log with answers at local times in
    several zones, learning steps (same-day reviews), intervals a microsecond either side of
    24 hours, equal times on different cards, practice without rescheduling, undone answers,
    a reset, reviews pulled from Anki and rows synced from another device."""
    import random

    from srs_trainer.history.anki_pull import PulledRow
    from srs_trainer.history.log_merge import foreign_scheduler_json, merge_rows
    from srs_trainer.trainer.optimize import split_items
    from srs_trainer.trainer.settings import DeckSettings

    store = Store.open(tmp_path / "progress.sqlite3")
    trainer = Trainer(store, synthetic_decks(2, 20), EXACT)  # learning steps 1 and 10 minutes
    trainer.sync(START)
    keys = [card.key for card in store.cards()]
    chance = random.Random(5)
    zones = [timezone(timedelta(hours=hours)) for hours in (13, -9.5, 5.75, 0, -3)]
    gaps = [timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=23, minutes=59),
            timedelta(days=1) - timedelta(microseconds=1), timedelta(days=1),
            timedelta(days=1, microseconds=1), timedelta(days=3, hours=5),
            timedelta(days=11, seconds=7)]
    answers: list[tuple[Any, ...]] = []
    for n, key in enumerate(keys):
        zone = zones[n % len(zones)]
        # A local 23:58 or 04:01 on the learner's first day, in the card's zone.
        moment = datetime(2026, 1, 1, 23 if n % 2 else 4, 58 if n % 2 else 1, tzinfo=zone)
        for _ in range(chance.randint(3, 14)):
            answers.append((moment.astimezone(timezone.utc), key))
            moment += chance.choice(gaps)
    twin = [at for at, key in answers if key == keys[1]]
    answers += [(at, keys[2]) for at in twin]  # equal times on two cards: ties in the sort
    answers.sort(key=lambda answer: answer[0])  # written in time order, as a learner does
    for number, (at, key) in enumerate(answers):
        recorded = trainer.record_answer(
            Answer(key, chance.choice((1, 2, 3, 3, 4)), at, 4000, 1),
            reschedule=number % 17 != 5)  # now and then practice without rescheduling
        if number % 23 == 7:
            trainer.undo(recorded.entry_id, at + timedelta(seconds=5))
    later = max(at for at, _ in answers) + timedelta(days=2)
    with store.transaction():
        store.append_reset(*keys[3], later, "answer key changed")
    trainer.record_answer(Answer(keys[3], 3, later, 1, 1))
    trainer.record_answer(Answer(keys[3], 4, later + timedelta(days=4), 1, 1))
    pulled = [PulledRow(keys[4], 1_700_000_000_000 + n, START + timedelta(days=3 * n, hours=-5),
                        3, 100) for n in range(1, 6)]
    merge_rows(store, "anki", pulled, {keys[4][0]: foreign_scheduler_json(DeckSettings())},
               set(keys))
    with store.transaction():
        for seq, day in enumerate((0.5, 2.25, 9.0), start=1):
            _insert_synced(store, keys[5], "b" * 32, seq, to_text(START + timedelta(days=day)),
                           seq % 4 + 1)

    columns = store_columns(store)
    before = Store.open(tmp_path / "before.sqlite3")
    store.db.backup(before.db)
    before.db.execute("DROP INDEX log_fit")
    # the read before migration 7, of a log whose results are text, as before migration 9
    before.db.execute("ALTER TABLE log ADD COLUMN card_after TEXT")
    before.db.execute(f"UPDATE log SET card_after = legacy_result_json({RESULTS}, at, rating)")
    before.db.execute("PRAGMA user_version = 6")
    assert columns == store_columns(before)
    own = store.device_id
    assert columns.by_history() == columns_of(
        histories(store.log(kind=None, include_undone=True), own)).by_history()
    assert (*keys[3], 1) in columns.by_history()  # the reset started a history
    item_times = [time for start, length in zip(columns.starts, columns.lengths, strict=True)
                  for time in columns.times[start + 1:start + length]]
    assert len(set(item_times)) < len(item_times)  # the sort has ties to keep in order
    assert 0 in columns.days and 1 in columns.days

    train, test = split_items(columns)
    old_train, old_test = _split_items_before(columns)
    assert len(train) > 100 and len(test) > 20
    assert list(map(repr, train)) == list(map(repr, old_train))
    assert list(map(repr, test)) == list(map(repr, old_test))
