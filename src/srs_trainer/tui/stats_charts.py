"""`srs stats`'s year heatmap and calibration tables, as plain text (readable without colour).

The heatmap is Anki's: a column per week (Monday at the top), a character per day whose shade
says how many reviews it had, ``·`` for none; a legend gives each shade's range. The tables
set each bin's counts beside a bar on a 0-100% scale; in the calibration table a ``┃`` on the
bar marks the predicted recall, so a bar ending at its mark is a bin the schedule got right.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from ..trainer.calibration import Bin, Calibration
from ..wording import plural

SHADES = "·░▒▓█"  # no reviews, then four levels up to the busiest day
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LABEL = "  Mon "  # the margin left of the heatmap's columns
BAR = 20  # characters of a table's 0-100% bar
EIGHTHS = " ▏▎▍▌▋▊▉█"


def thresholds(counts: Sequence[int]) -> tuple[int, int, int]:
    """The upper counts of shades 1-3: the quartiles of the days with reviews, so that one
    busy day does not leave every other day in the palest shade."""
    busy = sorted(n for n in counts if n > 0)
    if not busy:
        return 0, 0, 0
    first, second, third = (busy[(len(busy) - 1) * q // 4] for q in (1, 2, 3))
    return first, second, third


def shade_level(count: int, limits: tuple[int, int, int]) -> int:
    """0 for no reviews, else 1-4: the first shade whose upper count it does not pass."""
    if count <= 0:
        return 0
    return next((level for level, top in enumerate(limits, 1) if count <= top), 4)


def legend(limits: tuple[int, int, int], busiest: int) -> str:
    """Each shade with the review counts it stands for: '· 0  ░ 1-2  ▒ 3-4 ...'."""
    parts = [f"{SHADES[0]} 0"]
    low = 1
    for level, high in enumerate((*limits, busiest), 1):
        if low <= high:
            parts.append(f"{SHADES[level]} {low}" + (f"-{high}" if high > low else ""))
            low = high + 1
    return "  ".join(parts)


def _month_labels(mondays: Sequence[date]) -> str:
    """Month names above the first week of each month, where they fit."""
    line = ""
    for column, monday in enumerate(mondays):
        first = monday + timedelta(days=6)
        if first.day <= 7 and len(line) <= column:
            line = line.ljust(column) + first.strftime("%b")
    return line


def heatmap_lines(days: Sequence[tuple[date, int]], width: int,
                  paint: Callable[[str], str] = str) -> list[str]:
    """The heatmap of ``days`` (consecutive, the first a Monday) with its title and legend:
    the latest weeks that fit ``width``."""
    if not days:
        return []
    weeks = -(-len(days) // 7)
    shown = max(1, min(weeks, width - len(LABEL)))
    first = days[0][0] + timedelta(weeks=weeks - shown)
    counts = {d: n for d, n in days if d >= first}
    busiest = max(counts.values(), default=0)
    title = f"Reviews per day, last {plural(shown, 'week')}"
    if not busiest:  # said, so that a new learner knows the chart is there to fill
        return _wrap(f"{title}: none yet; the heatmap fills in as you review", width)
    limits = thresholds(list(counts.values()))
    mondays = [first + timedelta(weeks=w) for w in range(shown)]
    lines = _wrap(f"{title} (a column per week)", width)
    lines.append((" " * len(LABEL) + _month_labels(mondays))[:width].rstrip())
    for weekday, name in enumerate(WEEKDAYS):
        cells = []
        for monday in mondays:
            day = monday + timedelta(days=weekday)
            count = counts.get(day)
            cells.append(" " if count is None else SHADES[shade_level(count, limits)])
        row = "".join(cells).rstrip()
        lines.append(f"  {name} " + (paint(row) if row else ""))
    lines += _wrap(legend(limits, busiest), width, "  ")
    active = sum(1 for n in counts.values() if n)
    top = max(counts, key=lambda d: (counts[d], d))
    lines += _wrap(f"Reviewed on {active} of {len(counts)} days; busiest {top.isoformat()}"
                   f" ({plural(busiest, 'review')}).", width, "  ")
    return lines


def bar(share: float, mark: float | None = None, width: int = BAR) -> str:
    """``share`` (0-1) of ``width`` characters in eighth blocks; ``┃`` at ``mark`` (0-1)."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    cells = list("█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else ""))
    cells += [" "] * (width - len(cells))
    if mark is not None:
        cells[min(width - 1, int(max(0.0, min(1.0, mark)) * width))] = "┃"
    return "".join(cells).rstrip()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, max(20, width), initial_indent=indent,
                         subsequent_indent=indent + "  ")


def _table(title: str, first: str, bins: Sequence[Bin], width: int, *, predicted: bool
           ) -> list[str]:
    """A bin per row: its label, reviews, passed, (mean predicted,) actual, and a bar when
    the terminal has room; columns as wide as their widest cell, Passed dropped if need be."""
    shown = [b for b in bins if b.reviews]
    header = [first, "Reviews", "Passed", *(["Mean pred."] if predicted else []), "Actual"]
    rows = [[b.label, str(b.reviews), str(b.passed),
             *([_percent(b.predicted)] if predicted else []), _percent(b.actual)]
            for b in shown]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str], keep: Sequence[int]) -> str:
        return "  " + "  ".join(cells[i].ljust(widths[i]) if i == 0 else cells[i].rjust(widths[i])
                                for i in keep)

    keep = list(range(len(header)))
    if len(line(header, keep)) > width:
        keep.remove(2)  # Passed: Reviews and Actual say it
    plain = len(line(header, keep))
    bars = plain + 2 + BAR <= width
    if title.count("(") > title.count(")"):  # a parenthesis to close, after the key
        title += "; ┃: predicted)" if bars and predicted else ")"
    elif bars and predicted:
        title += " (┃: predicted)"
    lines = _wrap(title, width)
    lines.append(line(header, keep).rstrip())
    for b, row in zip(shown, rows, strict=True):
        text = line(row, keep)
        if bars and b.actual is not None:
            text += "  " + bar(b.actual, b.predicted if predicted else None)
        lines.append(text.rstrip())
    return lines


def calibration_lines(calibration: Calibration, width: int = 80) -> list[str]:
    """The calibration table and the retention-by-interval table (bins with reviews)."""
    if not calibration.reviews:
        return _wrap("Predicted recall: - (no review yet a day or more after the card's"
                     " previous one)", width)
    lines = _table("Predicted recall against actual (reviews a day or more apart",
                   "Predicted", calibration.by_r, width, predicted=True)
    lines += _wrap(f"All: predicted {_percent(calibration.predicted)}, actual"
                   f" {_percent(calibration.actual)} over {calibration.reviews} reviews.",
                   width, "  ")
    lines.append("")
    lines += _table("True retention by interval (days since the previous review)",
                    "Interval", calibration.by_interval, width, predicted=False)
    return lines
