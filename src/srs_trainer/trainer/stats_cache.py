"""`srs stats`'s figures folded from the log once, then kept up to date row by row.

A million-row log is too much to read at every `srs stats`, so its figures are folded into
small tables: reviews per deck and learner day, and the calibration tallies per deck and bin
(``calibration``). ``stats_cache_state`` records the highest log id folded (``folded_to``);
a run folds only the rows after it. Owned by this module and made on first use (``CREATE ...
IF NOT EXISTS``, no migration): a database without them is simply folded from scratch.

Changes to folded rows: triggers on ``log`` (they fire for every writer: undo, `srs anki
pull` rewriting saved results, a replay, a hand edit) keep an updated or deleted row's folded
version in ``stats_cache_dirty``; the next run takes each touched card's figures as folded
out and puts them in as they are now. Rows inserted among folded ones (the row count tells),
a missing trigger, many changes, or a new calendar (the state keys the day start hour and
time zone, since the days are learner days) fold the whole log again.

Each row's learner day is its UTC time shifted by the learner's UTC offset in force then and
back by the day's start hour: in SQL (``calendar_sql``) for the rows a run patches in, by the
same integer arithmetic in Python when the whole log is folded (``stats_fold``: one pass in
rowid order, no sort). A database that cannot be written gets its figures in memory
(``figures``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from . import scheduling, stats_fold
from .calendar_sql import bucket_sql, local_day_sql, offset_spans
from .calibration import (
    INTERVALS,
    PASSING,
    R_EDGES,
    Curve,
    FoldRow,
    Tally,
    interval_bin,
    judged_reviews,
    r_bin,
)
from .stats_fold import Bins, Days
from .store import Store
from .store_rows import result_sql
from .types import from_text

FORMAT = 2  # bump when what is folded changes: old caches are then folded again
R_KIND, INTERVAL_KIND = "r", "interval"

_TABLES = (
    # ``rows``: how many log rows there were when folded (all of them up to ``folded_to``).
    "CREATE TABLE IF NOT EXISTS stats_cache_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " key TEXT NOT NULL, folded_to INTEGER NOT NULL, rows INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS stats_cache_days (deck_id TEXT NOT NULL, day TEXT NOT NULL,"
    " reviews INTEGER NOT NULL, judged INTEGER NOT NULL, passed INTEGER NOT NULL,"
    " PRIMARY KEY (deck_id, day)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS stats_cache_bins (deck_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " bin INTEGER NOT NULL, reviews INTEGER NOT NULL, passed INTEGER NOT NULL,"
    " r_sum INTEGER NOT NULL, PRIMARY KEY (deck_id, kind, bin)) WITHOUT ROWID",
    # A folded row as it was folded, kept at its first change or deletion since.
    "CREATE TABLE IF NOT EXISTS stats_cache_dirty (id INTEGER PRIMARY KEY, deck_id TEXT,"
    " question_id TEXT, kind TEXT, at TEXT, rating INTEGER, rescheduled INTEGER,"
    " state_before INTEGER, scheduler_id INTEGER, after_stability REAL, undone_at TEXT,"
    " origin TEXT)",
)
_DIRTY_COLUMNS = ("id", "deck_id", "question_id", "kind", "at", "rating", "rescheduled",
                  "state_before", "scheduler_id", "after_stability", "undone_at", "origin")
TRIGGERS = ("stats_cache_update", "stats_cache_delete")


def _triggers(schema_version: int) -> list[str]:
    """The triggers that keep, for each folded row changed or deleted, its folded version
    (``INSERT OR IGNORE``: the first change's old values are what was folded). No trigger
    on insert: a row inserted below ``folded_to`` (no writer does: new ids grow) shows in
    the row count instead, so appending answers pays nothing."""
    def old(prefix: str) -> str:
        return ", ".join(
            "''" if c == "origin" and schema_version < 4
            else result_sql(c, schema_version, prefix) if c == "after_stability"
            else f"{prefix}.{c}" for c in _DIRTY_COLUMNS)

    keep = (f"INSERT OR IGNORE INTO stats_cache_dirty ({', '.join(_DIRTY_COLUMNS)})"
            f" VALUES ({old('old')})")
    return [
        f"CREATE TRIGGER IF NOT EXISTS stats_cache_{event.lower()} AFTER {event} ON log"
        f" WHEN {row}.id <= (SELECT folded_to FROM stats_cache_state) BEGIN {body}; END"
        for event, row, body in (("UPDATE", "old", keep), ("DELETE", "old", keep))
    ]


_REVIEW = "kind = 'answer' AND undone_at IS NULL AND rescheduled = 1"
_COUNTING = "undone_at IS NULL AND (kind = 'reset' OR rescheduled = 1)"


def calendar_key(hour: int, timezone_name: str) -> str:
    """What the folded days depend on: the day's start hour and the time zone (the
    machine's, as the environment gives it, when none is configured)."""
    zone = timezone_name or f"local:{os.environ.get('TZ', '')}:{'/'.join(time.tzname)}"
    return f"{FORMAT}|{hour}|{zone}"


@dataclass
class Folded:
    """Figures of the log, summed over the decks asked about."""

    days: dict[date, tuple[int, int, int]] = field(default_factory=dict)  # reviews, judged, passed
    by_r: list[Tally] = field(default_factory=lambda: [Tally() for _ in R_EDGES[1:]])
    by_interval: list[Tally] = field(default_factory=lambda: [Tally() for _ in INTERVALS])


#: Days before now whose learner day must be exact: `srs stats --days` shows 3650 at most.
#: Earlier times get the offset in force then (so a row may sit a day off, never shown).
EXACT_DAYS = 3660


#: The whole log's first and last time, from each deck's: the log has no index on ``at`` alone
#: (migration 8), and SQLite answers a deck's min() or max() from ``log_deck_at`` in one probe;
#: the decks are found one probe each too (the next deck id after the last), a hundred decks
#: in 0.3 ms at a million rows.
_LOG_SPAN = (
    "WITH RECURSIVE deck(id) AS (SELECT min(deck_id) FROM log UNION ALL"
    " SELECT (SELECT min(deck_id) FROM log WHERE deck_id > deck.id) FROM deck"
    " WHERE deck.id IS NOT NULL)"
    " SELECT min((SELECT min(at) FROM log WHERE deck_id = deck.id)),"
    " max((SELECT max(at) FROM log WHERE deck_id = deck.id)) FROM deck WHERE id IS NOT NULL")


def _spans_for(store: Store, tz: tzinfo | None, now: datetime, source: str = "log",
               where: str = "", params: Sequence[Any] = ()) -> list[tuple[str | None, int]]:
    """``offset_spans`` over the times of the rows of ``source`` ``where`` picks (a day
    either side), from ``EXACT_DAYS`` before ``now`` at the earliest."""
    if source == "log" and not where:
        first, last = store.db.execute(_LOG_SPAN).fetchone()
    else:  # two queries: SQLite answers a lone min() or max() from an index in one probe
        (first,) = store.db.execute(f"SELECT min(at) FROM {source} {where}", params).fetchone()
        (last,) = store.db.execute(f"SELECT max(at) FROM {source} {where}", params).fetchone()
    if first is None or last is None:
        return [(None, 0)]
    start = max(from_text(first), now - timedelta(days=EXACT_DAYS))
    return offset_spans(tz, start - timedelta(days=1),
                        max(start, from_text(last)) + timedelta(days=1))


def _curves(store: Store) -> dict[int, Curve]:
    return {scheduler_id: Curve.of_scheduler_json(text)
            for scheduler_id, text in store.db.execute("SELECT id, json FROM schedulers")}


def _day_counts(store: Store, hour: int, tz: tzinfo | None, now: datetime, source: str,
                where: str, params: Sequence[Any], into: Days, sign: int = 1) -> None:
    """Add (``sign`` 1) or take away (-1) the reviews among the rows of ``source`` that
    ``where`` picks, by deck and learner day."""
    where = f"WHERE {where} AND {_REVIEW}"
    if source == "log" and not where.startswith("WHERE id > "):
        spans = _spans_for(store, tz, now)  # the whole log's: probes of log_deck_at
    else:
        spans = _spans_for(store, tz, now, source, where, params)
    rows = store.db.execute(
        f"SELECT deck_id, {local_day_sql('at', spans, hour)}, count(*), sum(state_before = 2),"
        f" sum(state_before = 2 AND rating >= {PASSING}) FROM {source} {where} GROUP BY 1, 2",
        params)
    for deck, day, *figures in rows:
        counts = into.setdefault((deck, day), [0, 0, 0])
        for index, value in enumerate(figures):
            counts[index] += sign * value


def _fold_days(store: Store, hour: int, tz: tzinfo | None, now: datetime, after: int,
               top: int) -> Days:
    """Reviews by deck and day: of rows ``after`` < id <= ``top``, and the change of the
    rows changed since they were folded (their folded versions out, the current ones in)."""
    days: Days = {}
    if after < 0:
        _day_counts(store, hour, tz, now, "log", "id <= ?", (top,), days)
        return days
    _day_counts(store, hour, tz, now, "log", "id > ? AND id <= ?", (after, top), days)
    _day_counts(store, hour, tz, now, "stats_cache_dirty", "1", (), days, -1)
    _day_counts(store, hour, tz, now, "log", "id IN (SELECT id FROM stats_cache_dirty)", (),
                days)
    return days


def _add(bins: Bins, deck: str, kind: str, index: int, reviews: int, passed: int,
         r_sum: int) -> None:
    counts = bins.setdefault((deck, kind, index), [0, 0, 0])
    counts[0] += reviews
    counts[1] += passed
    counts[2] += r_sum


#: The cards with rows pulled from elsewhere (every such row keeps its id there, so the partial
#: index log_origin holds them): their rows replay in time order, not id order.
_FOREIGN_CARDS = ("SELECT DISTINCT deck_id, question_id FROM log INDEXED BY log_origin"
                  " WHERE origin_id IS NOT NULL AND origin != ''")


def _fold_row_sql(store: Store, alias: str, *, dirty: bool = False) -> str:
    """The ``FoldRow`` columns, after the card's deck and question, of a row of ``alias``: of
    the log (its columns those of the store's schema), or of ``stats_cache_dirty``."""
    version = 9 if dirty else store.schema_version  # (the dirty table's columns are 9's)
    return (f"{alias}.deck_id, {alias}.question_id, {alias}.id, {alias}.kind, {alias}.rating,"
            f" {stats_fold.micros_sql(store.db, alias + '.at')}, {alias}.scheduler_id,"
            f" {result_sql('after_stability', version, alias)},"
            f" {alias + '.origin' if version >= 4 else chr(39) * 2}")


def _counting(alias: str) -> str:
    return (f"{alias}.undone_at IS NULL AND ({alias}.kind = 'reset'"
            f" OR {alias}.rescheduled = 1)")


def _by_card(rows: Iterable[Sequence[Any]]) -> dict[tuple[str, str], list[FoldRow]]:
    cards: dict[tuple[str, str], list[FoldRow]] = {}
    for deck, question, row_id, kind, rating, at, scheduler_id, stability, origin in rows:
        cards.setdefault((deck, question), []).append(
            (row_id, kind, rating, at, scheduler_id, stability, origin))
    return cards


def _card_rows(store: Store, cards_sql: str, params: Sequence[Any]
               ) -> dict[tuple[str, str], list[FoldRow]]:
    """The counting rows (``FoldRow``, id order) of the cards ``cards_sql`` selects (as
    deck_id, question_id), by card."""
    return _by_card(store.db.execute(
        f"SELECT {_fold_row_sql(store, 'l')}"
        # CROSS JOIN: the few cards outside, each one's rows looked up in the index (left
        # to itself, the planner may walk the whole index in order to spare the sort).
        f" FROM ({cards_sql}) t CROSS JOIN log l INDEXED BY log_card"
        " ON l.deck_id = t.deck_id AND l.question_id = t.question_id"
        f" WHERE {_counting('l')} ORDER BY l.deck_id, l.question_id, l.id", params))


def _rows_by_card(store: Store, source: str, where: str) -> dict[tuple[str, str], list[FoldRow]]:
    """The counting rows of ``source`` that ``where`` picks, by card."""
    return _by_card(store.db.execute(
        f"SELECT {_fold_row_sql(store, 'd', dirty=True)} FROM {source} d"
        f" WHERE {where} AND {_counting('d')} ORDER BY d.id"))


def _card_tally(rows: Sequence[FoldRow], curves: dict[int, Curve], deck: str, bins: Bins,
                sign: int = 1) -> None:
    """Add (``sign`` 1) or take away (-1) one card's judged reviews, its rows in replay order."""
    ordered = scheduling.interleave(rows, lambda row: bool(row[6]), lambda row: (row[3], row[0]))
    for r, days, passed in judged_reviews(ordered, curves):
        _add(bins, deck, R_KIND, r_bin(r), sign, sign * passed, sign * r)
        _add(bins, deck, INTERVAL_KIND, interval_bin(days), sign, sign * passed, 0)


def _fold_touched_cards(store: Store, curves: dict[int, Curve], after: int, top: int,
                        bins: Bins) -> None:
    """The change since the fold up to ``after``: each card with new rows (``after`` < id
    <= ``top``) or changed ones tallied as it is, less the card as it was folded (its rows
    up to ``after``, changed ones as they were then)."""
    cards = _card_rows(store, "SELECT deck_id, question_id FROM log WHERE id > ? AND id <= ?"
                              " UNION SELECT deck_id, question_id FROM stats_cache_dirty",
                       (after, top))
    changed = {row_id for (row_id,) in store.db.execute("SELECT id FROM stats_cache_dirty")}
    folded = _rows_by_card(store, "stats_cache_dirty", "1")
    for key in cards.keys() | folded.keys():
        rows = [row for row in cards.get(key, []) if row[0] <= top]
        if key not in folded and not any(row[6] or row[0] in changed for row in rows):
            # Only new rows, and in id order (none came from elsewhere): what they add is
            # their own judged reviews, each beside the row before it.
            first = next((i for i, row in enumerate(rows) if row[0] > after), None)
            if first is not None:  # None: its new rows move no schedule (practice)
                _card_tally(rows[max(0, first - 1):], curves, key[0], bins)
            continue
        before = sorted([row for row in rows if row[0] <= after and row[0] not in changed]
                        + folded.get(key, []))
        _card_tally(rows, curves, key[0], bins)
        _card_tally(before, curves, key[0], bins, -1)


def _write(store: Store, days: dict[tuple[str, str], list[int]], bins: Bins) -> None:
    db = store.db
    db.executemany(
        "INSERT INTO stats_cache_days VALUES (?, ?, ?, ?, ?) ON CONFLICT (deck_id, day) DO UPDATE"
        " SET reviews = reviews + excluded.reviews, judged = judged + excluded.judged,"
        " passed = passed + excluded.passed",
        [(deck, day, *counts) for (deck, day), counts in days.items()])
    db.executemany(
        "INSERT INTO stats_cache_bins VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (deck_id, kind, bin)"
        " DO UPDATE SET reviews = reviews + excluded.reviews, passed = passed + excluded.passed,"
        " r_sum = r_sum + excluded.r_sum",
        [(deck, kind, index, *counts) for (deck, kind, index), counts in bins.items()])


#: Past this share of new rows (and this many), or this many changed ones, folding everything
#: again is quicker than the card-by-card way.
_REFOLD_SHARE = 0.25
_REFOLD_FROM = 50_000
_REFOLD_CHANGED = 20_000


def _ensure_schema(store: Store) -> bool:
    """Create the tables and triggers if missing; whether the triggers were all there (when
    one was not, changes may have gone unrecorded: the cache cannot be trusted)."""
    db = store.db
    names = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'log'")}
    trusted = all(name in names for name in TRIGGERS)
    if not trusted:  # e.g. a migration rebuilt the log table, or renamed the one they were on
        for name in TRIGGERS:
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in (*_TABLES, *_triggers(store.schema_version)):
        db.execute(statement)
    return trusted


def refresh(store: Store, key: str, hour: int, tz: tzinfo | None, now: datetime) -> None:
    """Fold what changed since the last run (everything when the cache is missing, stale, or
    more would change than folding afresh costs).

    Folding everything takes seconds for a million rows, so it reads in a snapshot holding
    no lock: a trainer answering meanwhile is not kept waiting. The state names this fold
    first (so the triggers record any change to a row it folds); the result is kept only if
    no folded row changed and no other run took over meanwhile, else it is done again under
    the write lock.
    """
    with store.transaction():
        top = _fold_changes(store, key, hour, tz, now)
        if top is None:
            return
        token = f"folding {os.getpid()} {time.time_ns()}"
        store.db.execute("DELETE FROM stats_cache_dirty")
        store.db.execute("INSERT OR REPLACE INTO stats_cache_state VALUES (1, ?, ?, -1)",
                         (token, top))
    with store.snapshot():
        folded = _fold_all(store, hour, tz, now, top)
    with store.transaction():
        state = store.db.execute("SELECT key, folded_to, rows FROM stats_cache_state").fetchone()
        (changed,) = store.db.execute("SELECT count(*) FROM stats_cache_dirty").fetchone()
        if state != (token, top, -1) or changed:
            top = int(store.db.execute("SELECT coalesce(max(id), 0) FROM log").fetchone()[0])
            folded = _fold_all(store, hour, tz, now, top)
        _replace(store, key, top, *folded)


def _fold_changes(store: Store, key: str, hour: int, tz: tzinfo | None, now: datetime
                  ) -> int | None:
    """Inside the write lock: fold the rows added and changed since the last run, when the
    cache can be patched; else the highest log id, for folding everything."""
    db = store.db
    trusted = _ensure_schema(store)
    state = db.execute("SELECT key, folded_to, rows FROM stats_cache_state").fetchone()
    top = int(db.execute("SELECT coalesce(max(id), 0) FROM log").fetchone()[0])
    after = int(state[1]) if trusted and state is not None and state[0] == key else -1
    (changed,) = db.execute("SELECT count(*) FROM stats_cache_dirty").fetchone()
    (rows,) = db.execute("SELECT count(*) FROM log").fetchone()
    if after >= 0 and rows != _rows_expected(store, after, state[2]):
        return top  # rows inserted among the folded ones, or gone unrecorded
    if after == top and not changed:
        return None
    if after < 0 or top - after > max(_REFOLD_FROM, _REFOLD_SHARE * top) or (
            changed > _REFOLD_CHANGED):
        return top
    bins: Bins = {}
    _fold_touched_cards(store, _curves(store), after, top, bins)
    _write(store, _fold_days(store, hour, tz, now, after, top), bins)
    db.execute("DELETE FROM stats_cache_dirty")
    db.execute("INSERT OR REPLACE INTO stats_cache_state VALUES (1, ?, ?, ?)", (key, top, rows))
    return None


def _fold_all(store: Store, hour: int, tz: tzinfo | None, now: datetime, top: int
              ) -> tuple[Days, Bins, int]:
    """Every row up to ``top``: (days, bins, how many rows that is), in one pass over the
    log (``stats_fold``). Reads only."""
    curves = _curves(store)
    foreign: dict[str, set[str]] = {}
    for deck, question in store.db.execute(_FOREIGN_CARDS if store.schema_version >= 4
                                           else "SELECT NULL, NULL WHERE 0"):
        foreign.setdefault(deck, set()).add(question)
    rows = store.db.execute(stats_fold.rows_sql(store.db, store.schema_version), (top,))
    days, bins, kept = stats_fold.fold_rows(rows, curves, _spans_for(store, tz, now), hour,
                                            foreign)
    for (deck, _), card_rows in kept.items():
        _card_tally(card_rows, curves, deck, bins)
    (count,) = store.db.execute("SELECT count(*) FROM log WHERE id <= ?", (top,)).fetchone()
    return days, bins, int(count)


def _replace(store: Store, key: str, top: int, days: Days, bins: Bins, rows: int) -> None:
    """Inside the write lock: the cache becomes the fold of every row up to ``top``."""
    for table in ("days", "bins", "dirty"):
        store.db.execute(f"DELETE FROM stats_cache_{table}")
    # Into empty tables: plain inserts in key order (each one appended to the B-tree).
    store.db.executemany("INSERT INTO stats_cache_days VALUES (?, ?, ?, ?, ?)",
                         sorted((*key, *counts) for key, counts in days.items()))
    store.db.executemany("INSERT INTO stats_cache_bins VALUES (?, ?, ?, ?, ?, ?)",
                         sorted((*key, *counts) for key, counts in bins.items()))
    store.db.execute("INSERT OR REPLACE INTO stats_cache_state VALUES (1, ?, ?, ?)",
                     (key, top, rows))


def _rows_expected(store: Store, folded_to: int, folded_rows: int) -> int:
    """The log's row count if nothing was inserted below ``folded_to`` since the fold: the
    rows then, less those deleted since, plus those after ``folded_to``."""
    (deleted,) = store.db.execute(
        "SELECT count(*) FROM stats_cache_dirty d WHERE NOT EXISTS"
        " (SELECT 1 FROM log WHERE log.id = d.id)").fetchone()
    (added,) = store.db.execute("SELECT count(*) FROM log WHERE id > ?",
                                (folded_to,)).fetchone()
    return int(folded_rows - deleted + added)


def clear(store: Store) -> None:
    """Forget the folded figures (the next run folds the whole log)."""
    with store.transaction():
        for table in ("state", "dirty"):
            store.db.execute(f"DROP TABLE IF EXISTS stats_cache_{table}")
        for name in TRIGGERS:
            store.db.execute(f"DROP TRIGGER IF EXISTS {name}")


def figures(store: Store, key: str, hour: int, tz: tzinfo | None, now: datetime,
            deck_ids: Iterable[str], first_day: date) -> Folded:
    """``refresh``, then ``read``. A database that cannot be written (a read-only file or
    folder, ``PRAGMA query_only``) still gets its figures: from the cache if it is up to
    date, else folded in memory, the cache left as it is."""
    ids = list(deck_ids)
    try:
        refresh(store, key, hour, tz, now)
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", 0) & 0xFF != _SQLITE_READONLY and (
                "readonly" not in str(error)):
            raise
        with store.snapshot():
            if _up_to_date(store, key):
                return read(store, ids, first_day)
            top = int(store.db.execute("SELECT coalesce(max(id), 0) FROM log").fetchone()[0])
            days, bins, _ = _fold_all(store, hour, tz, now, top)
        return _in_memory(days, bins, ids, first_day)
    return read(store, ids, first_day)


_SQLITE_READONLY = 8


def _up_to_date(store: Store, key: str) -> bool:
    """Whether the cache holds the whole log as it is now (read only: ``_fold_changes``'s
    tests without its writes)."""
    db = store.db
    names = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    if not {"stats_cache_state", "stats_cache_days", "stats_cache_bins", "stats_cache_dirty",
            *TRIGGERS} <= names:
        return False
    state = db.execute("SELECT key, folded_to, rows FROM stats_cache_state").fetchone()
    if state is None or state[0] != key:
        return False
    (top,) = db.execute("SELECT coalesce(max(id), 0) FROM log").fetchone()
    (changed,) = db.execute("SELECT count(*) FROM stats_cache_dirty").fetchone()
    (rows,) = db.execute("SELECT count(*) FROM log").fetchone()
    return bool(state[1] == top and not changed and rows == state[2])


def _in_memory(days: Days, bins: Bins, deck_ids: Sequence[str], first_day: date) -> Folded:
    """``read``'s figures from a fold held in memory."""
    wanted = set(deck_ids)
    first = first_day.isoformat()
    per_day: dict[str, list[int]] = {}
    for (deck, day), counts in days.items():
        if deck in wanted and day >= first:
            total = per_day.setdefault(day, [0, 0, 0])
            for index, value in enumerate(counts):
                total[index] += value
    folded = Folded()
    for day, (reviews, judged, passed) in per_day.items():
        folded.days[date.fromisoformat(day)] = (reviews, judged, passed)
    for (deck, kind, index), (reviews, passed, r_sum) in bins.items():
        if deck in wanted:
            tallies = folded.by_r if kind == R_KIND else folded.by_interval
            tallies[index].add(reviews, passed, r_sum)
    return folded


def read(store: Store, deck_ids: Iterable[str], first_day: date) -> Folded:
    """The folded figures of ``deck_ids``: days from ``first_day``, bins over all time."""
    ids = list(deck_ids)
    marks = ", ".join("?" * len(ids))
    folded = Folded()
    for day, reviews, judged, passed in store.db.execute(
            f"SELECT day, sum(reviews), sum(judged), sum(passed) FROM stats_cache_days"
            f" WHERE deck_id IN ({marks}) AND day >= ? GROUP BY day",
            (*ids, first_day.isoformat())):
        folded.days[date.fromisoformat(day)] = (reviews, judged, passed)
    for kind, index, reviews, passed, r_sum in store.db.execute(
            f"SELECT kind, bin, sum(reviews), sum(passed), sum(r_sum) FROM stats_cache_bins"
            f" WHERE deck_id IN ({marks}) GROUP BY kind, bin", ids):
        tallies = folded.by_r if kind == R_KIND else folded.by_interval
        tallies[index].add(reviews, passed, r_sum)
    return folded


def due_per_day(store: Store, deck_ids: Sequence[str], starts: Sequence[datetime]
                ) -> tuple[list[int], int]:
    """(live reviewed cards falling due on each learner day, the first (today) counting the
    overdue ones too; how many were overdue). ``starts``: the days' starts from today's on,
    one more than the days (``calendar.day_start``, so these are the learner's days)."""
    from .types import to_text

    bounds = [to_text(start) for start in starts]
    marks = ", ".join("?" * len(deck_ids))
    rows = store.db.execute(
        f"SELECT {bucket_sql('due', bounds)}, count(*) FROM cards WHERE state IN (1, 2, 3)"
        f" AND due < ? AND retired = 0 AND deck_id IN ({marks}) GROUP BY 1",
        (bounds[-1], *deck_ids))
    per_day = [0] * (len(bounds) - 1)
    overdue = 0
    for index, count in rows:
        if index < 0:
            overdue = count
        per_day[max(0, index)] += count
    return per_day, overdue
