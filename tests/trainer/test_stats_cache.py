"""`srs stats`'s figures: calibration bins, learner days, and the cache that folds them.

Real SQLite and real fsrs throughout. The reference (``definition``) works from the log as
``LogEntry`` rows with datetime arithmetic, independently of the SQL the cache folds with.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from srs_trainer.history.anki_pull import PulledRow
from srs_trainer.history.log_merge import foreign_scheduler_json, merge_rows
from srs_trainer.trainer import calendar_sql, stats_cache
from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.calendar import learner_day
from srs_trainer.trainer.calibration import (
    Curve,
    interval_bin,
    r_bin,
    r_label,
)
from srs_trainer.trainer.mastery import Stats, compute_stats
from srs_trainer.trainer.scheduling import replay_order
from srs_trainer.trainer.settings import DeckSettings, Settings
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Answer
from trainer_helpers import EXACT, NOW, make_trainer

DEFAULT_DECAY = 0.1542  # FSRS-6's default w20


def _answer(trainer: Trainer, question: str, rating: int, at: datetime) -> int:
    return trainer.record_answer(Answer(("demo", question), rating=rating, at=at,
                                        duration_ms=1000, attempts=1)).entry_id


def _stability_after(trainer: Trainer, entry_id: int) -> float:
    entry = trainer.store.entry(entry_id)
    assert entry is not None and entry.after is not None and entry.after.stability
    return entry.after.stability


def test_calibration_bins_of_a_known_log(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    curve = Curve(DEFAULT_DECAY)
    # c1: Good now; Good 3 days later (judged: 3 days); Again 40 days after that (judged).
    first = _answer(trainer, "c1", 3, NOW)
    second = _answer(trainer, "c1", 3, NOW + timedelta(days=3))
    _answer(trainer, "c1", 1, NOW + timedelta(days=43))
    # c2: Easy now; Good 2 hours later (same day: not judged); Good 10 days after the first
    # answer, so 9 whole days (and some hours) after the previous one.
    _answer(trainer, "c2", 4, NOW)
    middle = _answer(trainer, "c2", 3, NOW + timedelta(hours=2))
    _answer(trainer, "c2", 3, NOW + timedelta(days=10))
    # p1: one answer only: nothing before it to predict from.
    _answer(trainer, "p1", 3, NOW)
    expected = [
        (curve.millionths(3, _stability_after(trainer, first)), 3, True),
        (curve.millionths(40, _stability_after(trainer, second)), 40, False),
        (curve.millionths(9, _stability_after(trainer, middle)), 9, True),
    ]
    stats = trainer.stats(NOW + timedelta(days=44))
    by_r = {b.label: b for b in stats.calibration.by_r}
    wanted: dict[str, list[int]] = {}
    for r, _, passed in expected:
        counts = wanted.setdefault(r_label(r_bin(r)), [0, 0, 0])
        counts[0] += 1
        counts[1] += passed
        counts[2] += r
    assert {label: (b.reviews, b.passed) for label, b in by_r.items() if b.reviews} == {
        label: (n, p) for label, (n, p, _) in wanted.items()}
    for label, (n, _, r_sum) in wanted.items():
        assert by_r[label].predicted is not None
        assert abs(by_r[label].predicted - r_sum / n / 1e6) < 1e-9
    # By hand: a first Good gives FSRS-6's initial stability w2 = 2.3065 days, so 3 days on
    # R = (1 + (0.9 ** (1 / -0.1542) - 1) * 3 / 2.3065) ** -0.1542 = 0.8809 (the 80-90% bin).
    assert _stability_after(trainer, first) == 2.3065
    assert abs(expected[0][0] / 1e6 - 0.880948) < 1e-6 and r_label(r_bin(expected[0][0])) == (
        "80-90%")
    intervals = {b.label: (b.reviews, b.passed) for b in stats.calibration.by_interval
                 if b.reviews}
    assert intervals == {"2-3 days": (1, 1), "8-14 days": (1, 1), "31-90 days": (1, 0)}
    assert stats.calibration.reviews == 3 and stats.calibration.actual == 2 / 3


def test_a_reset_or_an_undone_answer_is_no_prediction(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    _answer(trainer, "c1", 3, NOW)
    undone = _answer(trainer, "c1", 3, NOW + timedelta(days=2))
    assert trainer.stats(NOW + timedelta(days=3)).calibration.reviews == 1
    trainer.undo(undone, NOW + timedelta(days=2, minutes=1))
    assert trainer.stats(NOW + timedelta(days=3)).calibration.reviews == 0
    with trainer.store.transaction():
        trainer.store.append_reset("demo", "c1", NOW + timedelta(days=4), "test")
    _answer(trainer, "c1", 3, NOW + timedelta(days=9))
    assert trainer.stats(NOW + timedelta(days=10)).calibration.reviews == 0


def test_learner_days_follow_the_calendar_across_the_day_boundary(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)  # UTC, days start at 04:00
    for at in ("2026-01-02T03:59:59.999999", "2026-01-02T04:00:00", "2026-01-02T23:59:00",
               "2026-01-03T03:00:00"):
        _answer(trainer, "p1", 3, datetime.fromisoformat(at).replace(tzinfo=timezone.utc))
    stats = trainer.stats(datetime(2026, 1, 3, 9, tzinfo=timezone.utc), days=3)
    assert [(d.isoformat(), n) for d, n in stats.days] == [
        ("2026-01-01", 1), ("2026-01-02", 3), ("2026-01-03", 0)]
    heat = dict(stats.heatmap)
    assert heat[date(2026, 1, 1)] == 1 and heat[date(2026, 1, 2)] == 3
    first = stats.heatmap[0][0]
    assert first.weekday() == 0 and stats.heatmap[-1][0] == date(2026, 1, 3)
    assert len(stats.heatmap) == 52 * 7 + 6  # 52 whole weeks and this week up to Saturday


def test_local_day_sql_equals_learner_day_across_daylight_saving_changes() -> None:
    from zoneinfo import ZoneInfo

    db = sqlite3.connect(":memory:")
    for zone, hour in (("Europe/Berlin", 4), ("America/New_York", 0), ("Australia/Lord_Howe", 3),
                       ("Asia/Kathmandu", 4)):
        tz = ZoneInfo(zone)
        first = datetime(2025, 3, 1, tzinfo=timezone.utc)
        last = datetime(2025, 11, 30, tzinfo=timezone.utc)
        spans = calendar_sql.offset_spans(tz, first, last)
        assert len(spans) > 1 or zone == "Asia/Kathmandu"
        sql = calendar_sql.local_day_sql("?1", spans, hour)
        moment = first
        while moment < last:
            for near in (timedelta(0), timedelta(seconds=-1), timedelta(microseconds=-1)):
                at = moment + near
                text = at.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
                (day,) = db.execute(f"SELECT {sql}", (text,)).fetchone()
                assert day == learner_day(at, hour, tz).isoformat(), (zone, text)
            moment += timedelta(minutes=15 * 37 + 7)  # every quarter-hour phase, over time


# --- the cache against the definition ------------------------------------------------------


def definition(trainer: Trainer, now: datetime, days: int) -> tuple[list[tuple[int, int, int]],
                                                                    list[tuple[int, int]],
                                                                    dict[date, int]]:
    """(reviews, passed, R sum) per R bin, (reviews, passed) per interval bin and reviews per
    learner day, from the log's rows."""
    store = trainer.store
    by_card: dict[tuple[str, str], list] = {}
    per_day: Counter[date] = Counter()
    hour, tz = trainer.settings.day_start_hour, trainer.settings.tz()
    for entry in store.log(kind=None):
        if entry.counts:
            by_card.setdefault((entry.deck_id, entry.question_id), []).append(entry)
            if entry.kind == "answer":
                per_day[learner_day(entry.at, hour, tz)] += 1
    by_r = [[0, 0, 0] for _ in range(7)]
    by_interval = [[0, 0] for _ in range(9)]
    for entries in by_card.values():
        previous = None
        for entry in replay_order(entries):
            if (entry.kind == "answer" and previous is not None and previous.kind == "answer"
                    and previous.after is not None):
                stability = previous.after.stability
                elapsed = (entry.at - previous.at).days
                if stability and stability > 0 and elapsed >= 1:
                    curve = Curve.of_scheduler_json(store.scheduler_json(entry.scheduler_id))
                    r = curve.millionths(elapsed, stability)
                    passed = entry.rating >= 2
                    by_r[r_bin(r)][0] += 1
                    by_r[r_bin(r)][1] += passed
                    by_r[r_bin(r)][2] += r
                    by_interval[interval_bin(elapsed)][0] += 1
                    by_interval[interval_bin(elapsed)][1] += passed
            previous = entry
    today = learner_day(now, hour, tz)
    window = {today - timedelta(days=i): per_day[today - timedelta(days=i)] for i in range(days)}
    return ([tuple(b) for b in by_r], [tuple(b) for b in by_interval],  # type: ignore[misc]
            window)


def figures(stats: Stats) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]],
                                   dict[date, int]]:
    return (
        [(b.reviews, b.passed, round((b.predicted or 0) * b.reviews * 1e6))
         for b in stats.calibration.by_r],
        [(b.reviews, b.passed) for b in stats.calibration.by_interval],
        dict(stats.days),
    )


def from_scratch(trainer: Trainer, now: datetime, days: int) -> Stats:
    stats_cache.clear(trainer.store)
    return trainer.stats(now, days)


QUESTIONS = ("c1", "c2", "p1")
steps = st.lists(
    st.tuples(
        st.sampled_from(("answer", "answer", "answer", "practice", "undo", "stats", "pull",
                         "rebuild")),
        st.sampled_from(QUESTIONS),
        st.integers(1, 4),
        st.integers(0, 60 * 24 * 30),  # minutes since the step before
    ),
    min_size=1, max_size=30,
)


@hypothesis_settings(max_examples=40, deadline=None)
@given(steps=steps, zone=st.sampled_from(("UTC", "Europe/Berlin")))
def test_stats_after_any_answers_undos_pulls_and_rebuilds_equal_stats_from_scratch(
    steps: list[tuple[str, str, int, int]], zone: str,
) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=True), timezone=zone)
    with tempfile.TemporaryDirectory() as folder:
        trainer = make_trainer(Path(folder), settings=settings)
        at = NOW
        answered: list[int] = []
        revlog = 1_700_000_000_000
        for kind, question, rating, gap in steps:
            at += timedelta(minutes=gap, seconds=1)
            if kind == "answer":
                answered.append(_answer(trainer, question, rating, at))
            elif kind == "practice":  # logged, moving no schedule
                answered.append(trainer.record_answer(Answer(
                    ("demo", question), rating=rating, at=at, duration_ms=1000, attempts=1,
                    mode="practice"), reschedule=False).entry_id)
            elif kind == "undo" and answered:
                trainer.undo(answered.pop(rating % len(answered)), at)
            elif kind == "pull":
                revlog += 1
                row = PulledRow(("demo", question), revlog, at - timedelta(days=gap % 20),
                                rating if rating > 1 or gap % 2 else None, 5000)
                merge_rows(trainer.store, "anki", [row],
                           {"demo": foreign_scheduler_json(trainer.deck_settings("demo"))},
                           {("demo", q) for q in QUESTIONS})
            elif kind == "rebuild":
                trainer.doctor(rebuild=True)
            elif kind == "stats":
                assert figures(trainer.stats(at, 60)) == figures(from_scratch(trainer, at, 60))
            # The cache folds what each step added (or folds again after a rewrite).
            assert figures(trainer.stats(at, 60)) == definition(trainer, at, 60)
        cached = trainer.stats(at, 60)
        assert figures(cached) == definition(trainer, at, 60)
        assert figures(cached) == figures(from_scratch(trainer, at, 60))
        # The figures that were there before the cache, against their first definition.
        reference = compute_stats(trainer.store.activity(), trainer.store.cards(["demo"]), at,
                                  days=60, hour=4, tz=trainer.settings.tz())
        assert (cached.days, cached.true_retention, cached.retention_reviews, cached.forecast,
                cached.overdue) == (reference.days, reference.true_retention,
                                    reference.retention_reviews, reference.forecast,
                                    reference.overdue)


def test_the_cache_folds_only_new_rows_and_refolds_after_a_rewrite(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path, settings=EXACT)
    for day in range(5):
        _answer(trainer, "c1", 3, NOW + timedelta(days=day * 3))
    trainer.stats(NOW + timedelta(days=13))
    (folded_to,) = trainer.store.db.execute(
        "SELECT folded_to FROM stats_cache_state").fetchone()
    assert folded_to == trainer.store.db.execute("SELECT max(id) FROM log").fetchone()[0]
    # A new answer leaves the state in place (folded on the next run) ...
    newest = _answer(trainer, "c2", 3, NOW + timedelta(days=13))
    assert trainer.store.db.execute("SELECT count(*) FROM stats_cache_state").fetchone()[0] == 1
    trainer.stats(NOW + timedelta(days=13))
    assert trainer.store.db.execute(
        "SELECT folded_to FROM stats_cache_state").fetchone()[0] == newest
    # ... a change to a folded row is kept as it was folded, and folded as a change ...
    with trainer.store.transaction():
        trainer.store.db.execute("UPDATE log SET rating = 1 WHERE id = ?", (folded_to,))
        trainer.store.db.execute("UPDATE log SET rating = 2 WHERE id = ?", (folded_to,))
    assert trainer.store.db.execute(
        "SELECT id, rating FROM stats_cache_dirty").fetchall() == [(folded_to, 3)]
    at = NOW + timedelta(days=13)
    assert figures(trainer.stats(at)) == definition(trainer, at, 30)
    assert trainer.store.db.execute("SELECT count(*) FROM stats_cache_dirty").fetchone()[0] == 0
    # ... and deleted or inserted folded rows too.
    with trainer.store.transaction():
        row = trainer.store.db.execute("SELECT * FROM log WHERE id = 2").fetchone()
        trainer.store.db.execute("DELETE FROM log WHERE id = 2")
    assert figures(trainer.stats(at)) == definition(trainer, at, 30)
    with trainer.store.transaction():
        trainer.store.db.execute(f"INSERT INTO log VALUES ({', '.join('?' * len(row))})", row)
    assert figures(trainer.stats(at)) == definition(trainer, at, 30)
    # Rows gone or put back among the folded ones unseen (no record kept): the row count
    # tells, and the whole log is folded again.
    for change in ("DELETE FROM log WHERE id = 2",
                   f"INSERT INTO log VALUES ({', '.join('?' * len(row))})"):
        with trainer.store.transaction():
            trainer.store.db.execute(change, () if change.startswith("DELETE") else row)
            trainer.store.db.execute("DELETE FROM stats_cache_dirty")
        assert figures(trainer.stats(at)) == definition(trainer, at, 30)
    # A missing trigger (changes may have gone unseen) makes the next run fold afresh.
    with trainer.store.transaction():
        trainer.store.db.execute("DROP TRIGGER stats_cache_update")
        trainer.store.db.execute("UPDATE log SET rating = 1 WHERE id = 3")
    assert figures(trainer.stats(at)) == definition(trainer, at, 30)


def test_a_changed_calendar_folds_the_days_again(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    _answer(trainer, "p1", 3, datetime(2026, 1, 2, 3, 30, tzinfo=timezone.utc))
    now = datetime(2026, 1, 3, 9, tzinfo=timezone.utc)
    assert dict(trainer.stats(now, 3).days)[date(2026, 1, 1)] == 1
    later = Trainer(trainer.store, trainer.decks, Settings(
        defaults=DeckSettings(enable_fuzzing=False), timezone="UTC", day_start_hour=3))
    assert dict(later.stats(now, 3).days)[date(2026, 1, 2)] == 1


def test_a_full_fold_holds_no_lock_and_is_redone_if_a_folded_row_changed_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    trainer = make_trainer(tmp_path)
    for day in range(4):
        for question in QUESTIONS:
            _answer(trainer, question, 3 if day % 2 else 2, NOW + timedelta(days=day * 5))
    other = Trainer(Store.open(tmp_path / "progress.sqlite3"), trainer.decks, trainer.settings)
    real = stats_cache._fold_all
    during: list[Callable[[], object]] = []

    def fold_all(*args: object) -> object:
        folded = real(*args)  # type: ignore[arg-type]
        # Another trainer writes while the fold's snapshot is open: no lock is held.
        if during:
            during.pop()()
        return folded

    monkeypatch.setattr(stats_cache, "_fold_all", fold_all)
    at = NOW + timedelta(days=30)
    # An answer appended meanwhile: the fold is kept (up to the row before), the answer
    # folded next time.
    during.append(lambda: _answer(other, "c1", 3, at))
    stats = trainer.stats(at)
    (key, folded_to, _) = trainer.store.db.execute("SELECT * FROM stats_cache_state "
                                                   ).fetchone()[1:]
    assert not key.startswith("folding") and folded_to == trainer.store.db.execute(
        "SELECT max(id) - 1 FROM log").fetchone()[0]
    assert figures(trainer.stats(at)) == definition(trainer, at, 30) != figures(stats)
    # A folded row undone meanwhile: the fold is done again, under the lock.
    stats_cache.clear(trainer.store)
    during.append(lambda: other.undo(3, at))
    assert figures(trainer.stats(at)) == definition(trainer, at, 30)
    other.store.close()


def test_a_database_that_cannot_be_written_gets_its_figures_in_memory(tmp_path: Path) -> None:
    """Tests run as root, whom a chmod does not stop: the database is made read-only with
    ``PRAGMA query_only`` and by a ``mode=ro`` connection instead."""
    trainer = make_trainer(tmp_path)
    for day in range(4):
        for question in QUESTIONS:
            _answer(trainer, question, 3 if day % 2 else 1, NOW + timedelta(days=day * 4))
    at = NOW + timedelta(days=20)
    expected = definition(trainer, at, 30)
    # No cache yet: folded in memory, nothing written.
    trainer.store.db.execute("PRAGMA query_only = ON")
    assert figures(trainer.stats(at)) == expected
    assert not trainer.store.db.execute(
        "SELECT count(*) FROM sqlite_master WHERE name LIKE 'stats_cache%'").fetchone()[0]
    trainer.store.db.execute("PRAGMA query_only = OFF")
    trainer.stats(at)  # the cache, up to date
    _answer(trainer, "c1", 3, at)
    later = at + timedelta(hours=1)
    expected = definition(trainer, later, 30)
    path = tmp_path / "progress.sqlite3"
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    viewer = Trainer(Store(read_only, path), trainer.decks, trainer.settings)
    # The cache one answer behind: folded in memory; then, once caught up, read as it is.
    assert figures(viewer.stats(later)) == expected
    trainer.stats(later)
    (state,) = read_only.execute("SELECT folded_to FROM stats_cache_state").fetchone()
    assert figures(viewer.stats(later)) == expected
    assert read_only.execute("SELECT folded_to FROM stats_cache_state").fetchone() == (state,)
    read_only.close()


def test_the_full_fold_learner_day_equals_the_sql_one() -> None:
    from zoneinfo import ZoneInfo

    from srs_trainer.trainer import stats_fold

    db = sqlite3.connect(":memory:")
    micros = stats_fold.micros_sql(db, "?1")
    for zone, hour in (("Europe/Berlin", 4), ("America/New_York", 0), ("Asia/Kathmandu", 4)):
        first = datetime(2025, 3, 1, tzinfo=timezone.utc)
        spans = calendar_sql.offset_spans(ZoneInfo(zone), first, datetime(2025, 11, 30,
                                                                          tzinfo=timezone.utc))
        sql = calendar_sql.local_day_sql("?1", spans, hour)
        moment = first - timedelta(days=400)  # before the first span too
        while moment < datetime(2026, 1, 1, tzinfo=timezone.utc):
            for near in (timedelta(0), timedelta(seconds=-1), timedelta(microseconds=-1)):
                text = (moment + near).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
                day, at = db.execute(f"SELECT {sql}, {micros}", (text,)).fetchone()
                assert at == round((moment + near).timestamp() * 1e6), text
                assert stats_fold.local_day(at, spans, hour).isoformat() == day, (zone, text)
            moment += timedelta(minutes=15 * 37 + 7)


def test_the_full_fold_reads_the_log_in_its_own_order_with_no_sort(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    from srs_trainer.trainer import stats_fold

    store = trainer.store
    plan = " | ".join(row[-1] for row in store.db.execute(
        "EXPLAIN QUERY PLAN " + stats_fold.rows_sql(store.db, store.schema_version), (10,)))
    assert "TEMP B-TREE" not in plan and "INDEX" not in plan, plan
