"""The learner's calendar (``calendar``) in SQL, for figures over many stored times at once.

``calendar.learner_day`` works on one ``datetime``; a million log rows cannot each go through
Python. So the UTC offsets in force over a stretch of time are found once (``offset_spans``)
and each stored UTC time text is shifted in SQL by the one in force at it (``local_day_sql``);
or the learner's day starts, from ``calendar.day_start``, bucket the times (``bucket_sql``).
Both are held equal to ``calendar`` by the tests, across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo


def _offset(moment: datetime, tz: tzinfo | None) -> int:
    """The learner's UTC offset at ``moment``, in minutes."""
    local = moment.astimezone(tz) if tz else moment.astimezone()
    offset = local.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def offset_spans(tz: tzinfo | None, first: datetime, last: datetime
                 ) -> list[tuple[str | None, int]]:
    """The learner's UTC offsets from ``first`` to ``last``: (UTC time text 'YYYY-MM-DDTHH:MM:SS'
    from which the offset holds, None for the first span; minutes). Sampled daily (zones
    change their offset a few times a year at most), each change found to the second."""
    spans: list[tuple[str | None, int]] = [(None, _offset(first, tz))]
    step = timedelta(days=1)
    moment = first
    while moment < last + step:
        later = moment + step
        if _offset(later, tz) != spans[-1][1]:
            low, high = moment, later  # offset(low) is the current one, offset(high) is new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(middle, tz) == spans[-1][1]:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0) + (timedelta(seconds=1) if high.microsecond
                                                  else timedelta(0))
            spans.append((high.strftime("%Y-%m-%dT%H:%M:%S"), _offset(high, tz)))
        moment = later
    return spans


def local_day_sql(column: str, spans: Sequence[tuple[str | None, int]], hour: int) -> str:
    """SQL for the learner day ('YYYY-MM-DD') of the UTC time text in ``column``: shifted by
    the offset in force (a balanced CASE over ``spans``) and back by the day's start hour.
    Whole seconds only: SQLite rounds fractions to milliseconds, which could carry a time
    a hair before a day's start over it; every day starts on a whole minute."""
    second = f"substr({column}, 1, 19)"

    def offset(low: int, high: int) -> str:
        if high - low == 1:
            return f"'{spans[low][1]:+d} minutes'"
        middle = (low + high) // 2
        return (f"CASE WHEN {second} < '{spans[middle][0]}' THEN {offset(low, middle)}"
                f" ELSE {offset(middle, high)} END")

    return f"date({second}, {offset(0, len(spans))}, '-{hour} hours')"


def bucket_sql(column: str, bounds: Sequence[str]) -> str:
    """SQL for which of the spans between sorted ``bounds`` the text in ``column`` falls in:
    -1 before the first, i from ``bounds[i]`` up to ``bounds[i + 1]`` (a balanced CASE)."""
    def index(low: int, high: int) -> str:  # the answer is in low-1 .. high-1
        if high - low == 0:
            return str(low - 1)
        middle = (low + high + 1) // 2
        return (f"CASE WHEN {column} < '{bounds[middle - 1]}' THEN {index(low, middle - 1)}"
                f" ELSE {index(middle, high)} END")

    return index(0, len(bounds))
