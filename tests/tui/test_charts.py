"""`srs stats` charts: column heights, bucketing to fit the width, and what a learner sees."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from srs_trainer.cli.stats import stats_lines, wants_colour
from srs_trainer.trainer.types import Answer
from srs_trainer.tui.charts import (
    Bucket,
    Layout,
    choose_layout,
    column_chart,
    column_heights,
    group,
)
from trainer_helpers import NOW, make_trainer

DAY = date(2026, 1, 1)


def _series(values: list[int], first: date = DAY) -> list[tuple[date, int]]:
    return [(first + timedelta(days=i), n) for i, n in enumerate(values)]


def test_heights_are_eighths_of_the_tallest_and_a_single_review_shows() -> None:
    assert column_heights([0, 1, 2, 4, 8]) == [0, 4, 8, 16, 32]
    assert column_heights([1, 1000]) == [1, 32]
    assert column_heights([3, 2], rows=1) == [8, 5]  # 5.33 eighths rounds to 5
    assert column_heights([0, 0]) == [0, 0]


def test_days_group_into_weeks_with_the_short_week_where_asked() -> None:
    series = _series([1] * 10)
    assert [(b.first, b.last, b.value) for b in group(series, 7, full_at_end=True)] == [
        (DAY, DAY + timedelta(days=2), 3),
        (DAY + timedelta(days=3), DAY + timedelta(days=9), 7),
    ]
    assert [b.value for b in group(series, 7, full_at_end=False)] == [7, 3]
    assert [b.value for b in group(series, 1, full_at_end=True)] == [1] * 10


def test_the_finest_layout_that_fits_the_width() -> None:
    month = _series([5] * 30)
    assert choose_layout(month, 80, full_at_end=True)[0] == Layout(1, 2)  # spaced days
    assert choose_layout(month, 40, full_at_end=True)[0] == Layout(1, 1)  # packed days
    layout, buckets = choose_layout(_series([5] * 90), 40, full_at_end=True)
    assert (layout.unit, len(buckets)) == ("week", 13)
    layout, buckets = choose_layout(_series([1] * 3650), 40, full_at_end=True)
    assert layout.unit.endswith("weeks") and len(buckets) <= 34


def test_the_chart_draws_known_columns_labels_and_dates() -> None:
    buckets = [Bucket(d, d, n) for d, n in _series([1, 0, 2, 4, 8])]
    assert column_chart(buckets, Layout(1, 2)) == [
        "  8 ┤        █",
        "    │        █",
        "    │      █ █",
        "    │▄   █ █ █",
        "  0 └─────────",
        "     2026-01-01 2026-01-05",
    ]
    # Too narrow for the years: month-day labels.
    assert column_chart(buckets, Layout(1, 1), width=20)[-1] == "     01-01 01-05"


def test_stats_of_known_reviews_show_the_right_columns_and_totals(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    # 1, 0, 2, 4 and 8 answers on the five days up to today.
    for days_ago, count in ((4, 1), (2, 2), (1, 4), (0, 8)):
        for i in range(count):
            trainer.record_answer(Answer(("demo", "p1"), rating=3, duration_ms=1000, attempts=1,
                                         at=NOW - timedelta(days=days_ago, minutes=count - i)))
    stats = trainer.stats(NOW, days=5)
    lines = stats_lines(stats, width=80)
    assert lines[:8] == [
        "Reviews per day, last 5 days",
        "  8 ┤        █",
        "    │        █",
        "    │      █ █",
        "    │▄   █ █ █",
        "  0 └─────────",
        "     2025-12-28 2026-01-01",
        "  Reviews: 15 in 5 days, 3.0 a day on average.",
    ]
    judged = stats.retention_reviews
    assert judged > 0
    assert lines[8] == (f"True retention: 100.0% ({judged} of {judged} reviews of cards in the"
                        " Review state passed)")
    # One card reviewed: its one due review is the whole 30-day forecast.
    assert "  Due: 1 in 30 days, 0.03 a day on average." in lines
    assert "Reviews due per day, next 30 days" in lines


def test_narrow_terminals_get_a_chart_by_weeks_and_wrapped_text(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    for day in range(0, 90, 3):
        trainer.record_answer(Answer(("demo", "c1"), rating=3, duration_ms=1000, attempts=1,
                                     at=NOW - timedelta(days=day)))
    lines = stats_lines(trainer.stats(NOW, days=90), width=40)
    assert lines[0] == "Reviews per week, last 90 days"
    assert max(len(line) for line in lines) <= 40
    assert "  Reviews: 30 in 90 days, 0.33 a day on" in lines


def test_nothing_to_draw_says_so_without_an_empty_chart(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    lines = stats_lines(trainer.stats(NOW, days=30), width=80)
    assert lines == [
        "Reviews per day, last 30 days",
        "  Reviews: 0 in 30 days, 0.0 a day on average.",
        "True retention: - (no reviews of cards in the Review state yet)",
        "",
        "Reviews per day, last 53 weeks: none yet; the heatmap fills in as you review",
        "",
        "Reviews due per day, next 30 days",
        "  Due: 0 in 30 days, 0.0 a day on average.",
        "",
        "Predicted recall: - (no review yet a day or more after the card's previous one)",
    ]


def test_a_one_day_chart_names_its_day_once(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    trainer.record_answer(Answer(("demo", "c1"), rating=3, duration_ms=1000, attempts=1, at=NOW))
    lines = stats_lines(trainer.stats(NOW, days=1), width=80)
    assert lines[:8] == [
        "Reviews per day, last 1 day",
        "  1 ┤█", "    │█", "    │█", "    │█",
        "  0 └─",
        "     2026-01-01",
        "  Reviews: 1 in 1 day, 1.0 a day on average.",
    ]


def test_colour_only_at_a_terminal_without_no_color() -> None:
    assert wants_colour(True, {})
    assert not wants_colour(True, {"NO_COLOR": "1"})
    assert not wants_colour(False, {})
    assert wants_colour(True, {"NO_COLOR": ""})  # no-color.org: set and non-empty
