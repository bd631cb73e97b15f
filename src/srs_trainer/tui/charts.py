"""Compact column charts for the terminal: a series of daily counts drawn a few rows tall.

Each column is one bucket: a day, or a run of days (a week, several weeks) when the days do not
fit the width. Columns use the eighth blocks ``▁▂▃▄▅▆▇█``, so four rows show 32 levels. The
tallest column's value labels the top of the y axis; the first and last dates go under the axis.
Pure text in, text out: the CLI decides the width and whether to colour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

EIGHTHS = " ▁▂▃▄▅▆▇█"
DEFAULT_ROWS = 4
INDENT = "  "
WEEK = 7
FULL_DATES = len("2026-01-01 2026-12-31")  # the date labels under the axis
SHORT_DATES = len("01-01 12-31")  # ... without the years, when the full ones do not fit


@dataclass(frozen=True)
class Bucket:
    """The sum of the counts of the days ``first`` to ``last`` (inclusive)."""

    first: date
    last: date
    value: int


@dataclass(frozen=True)
class Layout:
    bucket_days: int  # 1: a column per day; 7: per week; 14, 21...: per run of weeks
    column_width: int  # characters per column: 2 is a column and a gap, 1 packs them

    @property
    def unit(self) -> str:
        """'day', 'week' or '3 weeks': what one column counts."""
        if self.bucket_days == 1:
            return "day"
        weeks = self.bucket_days // WEEK
        return "week" if weeks == 1 else f"{weeks} weeks"


def group(series: Sequence[tuple[date, int]], days: int, *, full_at_end: bool) -> list[Bucket]:
    """Sum consecutive runs of ``days`` days.

    When the days do not divide evenly, one bucket is short: the first one with
    ``full_at_end`` (so the latest week of a history is a whole week), else the last.
    """
    size = max(1, days)
    start = -((-len(series)) % size) if full_at_end else 0
    buckets = []
    for index in range(start, len(series), size):
        chunk = series[max(0, index) : index + size]
        buckets.append(Bucket(chunk[0][0], chunk[-1][0], sum(n for _, n in chunk)))
    return buckets


def column_heights(values: Sequence[int], rows: int = DEFAULT_ROWS) -> list[int]:
    """Each value's height in eighths of a row, the largest filling ``rows`` rows.

    Any non-zero value gets at least one eighth, so a single review is never invisible.
    """
    top = max(values, default=0)
    levels = rows * 8
    if top <= 0:
        return [0 for _ in values]
    # Integer round-half-up of levels * value / top (floats could round 0.5 either way).
    return [max(1, (2 * levels * v + top) // (2 * top)) if v > 0 else 0 for v in values]


def _date_labels(first: date, last: date, span: int, room: int) -> str:
    """First date under the first column, last date ending under the last column.

    The labels may run past a narrow chart (up to ``room`` characters); without the
    years when even that is too little.
    """
    left, right = first.isoformat(), last.isoformat()
    if max(span, FULL_DATES) > room:
        left, right = left[5:], right[5:]
    if first == last:
        return left
    return left + " " * max(1, span - len(left) - len(right)) + right


def _gutter(buckets: Sequence[Bucket]) -> int:
    return len(str(max((b.value for b in buckets), default=0)))


def _span(buckets: Sequence[Bucket], layout: Layout) -> int:
    return max(0, len(buckets) * layout.column_width - (layout.column_width - 1))


def _margin(buckets: Sequence[Bucket]) -> int:
    """Characters left of the columns: indent, y labels and the axis."""
    return len(INDENT) + _gutter(buckets) + 2


def chart_width(buckets: Sequence[Bucket], layout: Layout) -> int:
    """Characters the widest line of the chart takes (its columns, or its shortest dates)."""
    return _margin(buckets) + max(_span(buckets, layout), SHORT_DATES)


def choose_layout(
    series: Sequence[tuple[date, int]], width: int, *, full_at_end: bool
) -> tuple[Layout, list[Bucket]]:
    """The finest layout that fits ``width`` columns: days (spaced, then packed), then weeks."""
    size = 1
    while True:
        buckets = group(series, size, full_at_end=full_at_end)
        for column_width in (2, 1):
            layout = Layout(size, column_width)
            if chart_width(buckets, layout) <= width or len(buckets) <= 1:
                return layout, buckets
        size = WEEK if size == 1 else size + WEEK


def column_chart(
    buckets: Sequence[Bucket],
    layout: Layout,
    *,
    rows: int = DEFAULT_ROWS,
    paint: Callable[[str], str] = str,
    width: int = 80,
) -> list[str]:
    """The chart's lines: ``rows`` rows of columns, the axis, the first and last dates.

    ``width`` is the terminal's, for the date labels; ``paint`` colours the columns (the
    labels stay plain) and must not change their visible width.
    """
    values = [b.value for b in buckets]
    heights = column_heights(values, rows)
    gutter = _gutter(buckets)
    gap = " " * (layout.column_width - 1)
    lines = []
    for row in range(rows - 1, -1, -1):
        cells = [EIGHTHS[min(8, max(0, height - 8 * row))] for height in heights]
        bars = gap.join(cells).rstrip()
        label = str(max(values, default=0)) if row == rows - 1 else ""
        tick = "┤" if row == rows - 1 else "│"
        lines.append(f"{INDENT}{label:>{gutter}} {tick}{paint(bars) if bars else ''}")
    span = _span(buckets, layout)
    lines.append(f"{INDENT}{0:>{gutter}} └{'─' * span}")
    if buckets:
        room = width - _margin(buckets)
        labels = _date_labels(buckets[0].first, buckets[-1].last, span, room)
        lines.append(f"{INDENT}{'':>{gutter}}  {labels}")
    return lines
