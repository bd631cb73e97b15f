"""The heatmap and calibration tables of `srs stats`, as text."""

from __future__ import annotations

from datetime import date, timedelta

from srs_trainer.trainer.calibration import Tally, calibration_of
from srs_trainer.tui.stats_charts import bar, heatmap_lines, legend, shade_level, thresholds


def test_shades_are_the_quartiles_of_the_days_with_reviews() -> None:
    counts = [0, 1, 2, 3, 4, 5, 6, 7, 100]
    limits = thresholds(counts)
    assert limits == (2, 4, 6)  # of 1..7 and 100: the values at 1/4, 2/4, 3/4 of the way
    assert [shade_level(n, limits) for n in counts] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert legend(limits, 100) == "· 0  ░ 1-2  ▒ 3-4  ▓ 5-6  █ 7-100"
    assert legend((1, 1, 1), 1) == "· 0  ░ 1"  # one count: the other shades never show


def test_heatmap_has_a_column_per_week_monday_first_and_blank_future_days() -> None:
    first = date(2025, 12, 29)  # a Monday
    days = [(first + timedelta(days=i), 0) for i in range(10)]  # to Wednesday 2026-01-07
    days[0] = (days[0][0], 5)  # Monday 29 December
    days[9] = (days[9][0], 1)  # Wednesday 7 January
    lines = heatmap_lines(days, width=80)
    assert lines == [
        "Reviews per day, last 2 weeks (a column per week)",
        "      Jan",  # over the week holding 1 January
        "  Mon █·",
        "  Tue ··",
        "  Wed ·░",
        "  Thu ·",
        "  Fri ·",
        "  Sat ·",
        "  Sun ·",
        "  · 0  ░ 1  █ 2-5",
        "  Reviewed on 2 of 10 days; busiest 2025-12-29 (5 reviews).",
    ]


def test_a_narrow_heatmap_keeps_the_latest_weeks() -> None:
    first = date(2025, 1, 6)
    days = [(first + timedelta(days=i), i % 3) for i in range(7 * 53)]
    lines = heatmap_lines(days, width=30)
    assert max(len(line) for line in lines) <= 30
    assert len(lines[2]) == len("  Mon ") + 24  # 24 weeks fit beside the labels
    assert heatmap_lines([(first, 0)], width=80) == [  # nothing reviewed: said, not drawn
        "Reviews per day, last 1 week: none yet; the heatmap fills in as you review"]


def test_bar_marks_the_prediction() -> None:
    assert bar(0.5, 0.9, width=10) == "█████    ┃"
    assert bar(1.0, 0.0, width=4) == "┃███"
    assert bar(0.55, None, width=10) == "█████▌"


def test_calibration_tables_show_bins_with_reviews() -> None:
    by_r = [Tally() for _ in range(7)]
    by_r[5].add(10, 9, 9_200_000)  # 10 reviews predicted at 92% on average, 9 passed
    by_interval = [Tally() for _ in range(9)]
    by_interval[2].add(10, 9)
    from srs_trainer.tui.stats_charts import calibration_lines

    lines = calibration_lines(calibration_of(by_r, by_interval), width=80)
    assert lines[0] == "Predicted recall against actual (reviews a day or more apart; ┃: predicted)"
    assert lines[1:3] == [
        "  Predicted  Reviews  Passed  Mean pred.  Actual",
        "  90-95%          10       9       92.0%   90.0%  ██████████████████┃",
    ]
    assert "  All: predicted 92.0%, actual 90.0% over 10 reviews." in lines
    assert lines[-1] == "  4-7 days       10       9   90.0%  ██████████████████"
    narrow = calibration_lines(calibration_of(by_r, by_interval), width=40)
    assert max(len(line) for line in narrow) <= 40 and "┃" not in "".join(narrow)
