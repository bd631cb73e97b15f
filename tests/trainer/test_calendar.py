"""The learner's day: its boundaries at the configured local hour."""

from __future__ import annotations

from datetime import datetime, timezone

from srs_trainer.trainer.calendar import day_start, next_day_start

UTC = timezone.utc


def test_day_boundary_is_the_configured_local_hour() -> None:
    assert day_start(datetime(2026, 1, 2, 3, 59, tzinfo=UTC), 4, UTC) == datetime(
        2026, 1, 1, 4, tzinfo=UTC)
    assert day_start(datetime(2026, 1, 2, 4, 0, tzinfo=UTC), 4, UTC) == datetime(
        2026, 1, 2, 4, tzinfo=UTC)
    assert next_day_start(datetime(2026, 1, 2, 3, 59, tzinfo=UTC), 4, UTC) == datetime(
        2026, 1, 2, 4, tzinfo=UTC)
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")  # UTC+1 in winter: 04:00 local is 03:00 UTC
    assert day_start(datetime(2026, 1, 2, 3, 30, tzinfo=UTC), 4, paris) == datetime(
        2026, 1, 2, 3, tzinfo=UTC)
