"""The whole log folded in one pass: what `srs stats` folds when it has no cache yet.

The first `srs stats` (a new install, an upgrade, a changed calendar) folds every row. Done in
SQL it sorts a million rows twice (each card's rows beside the previous one, and the reviews by
learner day); here the log is read once in its own order (rowid: no index walk, no sort) and
each row is folded as it comes:

- the card's previous scheduling row is carried per card (a dict), so a review is judged
  against the stability its card had just before it, with no window over the log;
- the stability a review is judged against is the previous row's ``after_stability``;
- the learner day is integer arithmetic on the row's Unix seconds with the UTC offset in force
  (``calendar_sql.offset_spans``), exactly what ``calendar_sql.local_day_sql`` works out.

Cards with rows pulled from elsewhere replay in time order, not id order: their rows are kept
and folded card by card (``calibration.judged_reviews`` over ``scheduling.interleave``).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .calibration import DAY_MICROSECONDS, INTERVALS, PASSING, R_EDGES, R_UNIT, Curve, FoldRow
from .store_rows import result_sql

R_KIND, INTERVAL_KIND = "r", "interval"
Days = dict[tuple[str, str], list[int]]  # (deck, learner day): [reviews, judged, passed]
Bins = dict[tuple[str, str, int], list[int]]  # (deck, kind, bin): [reviews, passed, r_sum]

#: ``calibration.r_bin(r)`` is ``bisect_right(_R_FROM, r)``: R in millionths from each edge on.
_R_FROM = [edge * R_UNIT // 100 for edge in R_EDGES[1:-1]]
#: ``calibration.interval_bin(days)`` is ``bisect_left(_INTERVAL_LASTS, days)``.
_INTERVAL_LASTS = [last for _, last in INTERVALS if last is not None]
_BINS = len(R_EDGES) - 1
_CODES = _BINS * len(INTERVALS) * 2  # (R bin, interval bin, passed)


def micros_sql(db: sqlite3.Connection, column: str) -> str:
    """SQL for the UTC time text in ``column`` as integer microseconds since the epoch (the
    text is fixed-width, ``types.to_text``): ``unixepoch`` where SQLite has it (3.38 on).
    Of the whole seconds only (the first 19 characters): SQLite rounds a fraction to the
    millisecond, so ``...:59.9999`` would read as the next second."""
    second = f"substr({column}, 1, 19)"
    try:
        db.execute("SELECT unixepoch('2000-01-01T00:00:00')").fetchone()
        seconds = f"unixepoch({second})"
    except sqlite3.OperationalError:
        seconds = f"CAST(strftime('%s', {second}) AS INTEGER)"
    return f"{seconds} * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER)"


def _span_shifts(spans: Sequence[tuple[str | None, int]], hour: int
                 ) -> tuple[list[int], list[int]]:
    """(Unix second each span starts at, the first one's taken as the earliest; seconds to
    add to a time in it to count its learner day from the epoch's)."""
    starts = [-(1 << 62)] + [
        int(datetime.fromisoformat(start).replace(tzinfo=timezone.utc).timestamp())
        for start, _ in spans[1:] if start is not None]
    return starts, [60 * minutes - 3600 * hour for _, minutes in spans]


def local_day(at_micros: int, spans: Sequence[tuple[str | None, int]], hour: int) -> date:
    """``calendar_sql.local_day_sql`` of one time (given in microseconds since the epoch)."""
    starts, shifts = _span_shifts(spans, hour)
    second = at_micros // 1_000_000
    day = (second + shifts[bisect_right(starts, second) - 1]) // 86_400
    return _EPOCH + timedelta(days=day)


_EPOCH = date(1970, 1, 1)


class _Deck:
    """One deck's running figures."""

    __slots__ = ("codes", "days", "r_sums")

    def __init__(self) -> None:
        # learner day number * 4 + 1 if the card was in the Review state + 2 if it passed:
        # how many reviews
        self.days: dict[int, int] = {}
        self.codes = [0] * _CODES  # judged reviews by (R bin, interval bin, passed)
        self.r_sums = [0] * _BINS


# A row's flags (``rows_sql``): 16 for an answer (not a reset), 8 if its card was in the Review
# state, plus its rating (0: none).
_ANSWER, _REVIEW_STATE, _RATING = 16, 8, 7

Row = tuple[str, int, "int | None", int, "float | None", int, str]


def fold_rows(rows: Iterable[Row], curves: Mapping[int, Curve],
              spans: Sequence[tuple[str | None, int]], hour: int,
              foreign: Mapping[str, set[str]]
              ) -> tuple[Days, Bins, dict[tuple[str, str], list[FoldRow]]]:
    """Fold counting rows in id order: (days, bins of the cards not in ``foreign``, the rows
    of those in it by card, as ``FoldRow``). A row (``rows_sql``): deck and question joined
    by char(31), flags, scheduler id, time in microseconds, stability after it, id, origin."""
    starts, shifts = _span_shifts(spans, hour)
    one_shift = shifts[0] * 1_000_000 if len(shifts) == 1 else None
    curve_of = {sid: (c.factor, -c.decay) for sid, c in curves.items()}
    decks: dict[str, _Deck] = {}
    kept: dict[tuple[str, str], list[FoldRow]] = {}
    # card: [time of its previous row, the stability after it (None: a reset, or an answer
    # with no result), deck, kept rows]
    carry: dict[str, list[Any]] = {}
    for key, flags, scheduler_id, at, stability_after, row_id, origin in rows:
        card = carry.get(key)
        if card is None:
            deck, question = key.split("\x1f", 1)
            state = decks.get(deck) or decks.setdefault(deck, _Deck())
            own = question not in foreign.get(deck, ())
            card = carry[key] = [0, None, state, None if own else
                                 kept.setdefault((deck, question), [])]
        if flags >= _ANSWER:
            days = card[2].days
            day = ((at + one_shift if one_shift is not None else at + 1_000_000 * shifts[
                bisect_right(starts, at // 1_000_000) - 1]) // DAY_MICROSECONDS * 4
                + ((3 if flags & _RATING >= PASSING else 1) if flags & _REVIEW_STATE else 0))
            days[day] = days.get(day, 0) + 1
        if card[3] is not None:
            card[3].append((row_id, "answer" if flags >= _ANSWER else "reset",
                            flags & _RATING or None, at, scheduler_id, stability_after,
                            origin))
            continue
        previous_at, previous_stability = card[0], card[1]
        card[0] = at
        if flags < _ANSWER:
            card[1] = None
            continue
        card[1] = stability_after
        if previous_stability is None or not flags & _RATING:
            continue
        elapsed = (at - previous_at) // DAY_MICROSECONDS
        curve = curve_of.get(scheduler_id) if scheduler_id is not None else None
        if elapsed < 1 or curve is None:
            continue
        if not previous_stability > 0:  # (a NaN too)
            continue
        r = int(R_UNIT * (1 + curve[0] * elapsed / previous_stability) ** curve[1] + 0.5)
        r_index = bisect_right(_R_FROM, r)
        state = card[2]
        state.r_sums[r_index] += r
        state.codes[(r_index * len(INTERVALS) + bisect_left(_INTERVAL_LASTS, elapsed)) * 2
                    + (flags & _RATING >= PASSING)] += 1
    days, bins = _results(decks)
    return days, bins, kept


def _results(decks: Mapping[str, _Deck]) -> tuple[Days, Bins]:
    days: Days = {}
    bins: Bins = {}
    names: dict[int, str] = {}
    for deck, state in decks.items():
        for code, count in state.days.items():
            number, kind = divmod(code, 4)
            name = names.get(number) or names.setdefault(
                number, (_EPOCH + timedelta(days=number)).isoformat())
            counts = days.setdefault((deck, name), [0, 0, 0])
            counts[0] += count
            counts[1] += count if kind & 1 else 0
            counts[2] += count if kind & 2 else 0
        for code, count in enumerate(state.codes):
            if not count:
                continue
            rest, passed = divmod(code, 2)
            r_index, interval_index = divmod(rest, len(INTERVALS))
            _add(bins, (deck, R_KIND, r_index), count, passed * count, 0)
            _add(bins, (deck, INTERVAL_KIND, interval_index), count, passed * count, 0)
        for r_index, r_sum in enumerate(state.r_sums):
            if r_sum:
                bins[(deck, R_KIND, r_index)][2] += r_sum
    return days, bins


def _add(bins: Bins, key: tuple[str, str, int], reviews: int, passed: int, r_sum: int) -> None:
    counts = bins.setdefault(key, [0, 0, 0])
    counts[0] += reviews
    counts[1] += passed
    counts[2] += r_sum


def rows_sql(db: sqlite3.Connection, schema_version: int) -> str:
    """The query of ``fold_rows``'s rows, up to a log id given as its one parameter: a scan
    of the log in rowid order (no index, no sort)."""
    stability = result_sql("after_stability", schema_version)
    return (f"SELECT deck_id || char(31) || question_id, (kind = 'answer') * {_ANSWER}"
            f" + coalesce(state_before = 2, 0) * {_REVIEW_STATE} + coalesce(rating, 0),"
            f" scheduler_id, {micros_sql(db, 'at')}, {stability}, id,"
            f" {'origin' if schema_version >= 4 else chr(39) * 2} FROM log NOT INDEXED"
            " WHERE id <= ? AND undone_at IS NULL AND (kind = 'reset' OR rescheduled = 1)")


__all__ = ["Bins", "Days", "fold_rows", "local_day", "micros_sql", "rows_sql"]
