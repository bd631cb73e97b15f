"""The learner's day: its boundaries at the configured local hour."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from srs_trainer.trainer.calendar import day_start, learner_day, next_day_start

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


@given(
    moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(UTC)),
    hour=st.integers(min_value=0, max_value=23),
    zone=st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"]),
)
def test_the_learner_day_of_a_moment_is_the_day_whose_start_precedes_it(
    moment: datetime, hour: int, zone: str
) -> None:
    """Statistics (learner_day) and the queue and limits (day_start) agree on every day."""
    tz = ZoneInfo(zone)
    start, end = day_start(moment, hour, tz), next_day_start(moment, hour, tz)
    assert start <= moment < end
    assert learner_day(moment, hour, tz) == learner_day(start, hour, tz)
    assert learner_day(end, hour, tz) == learner_day(moment, hour, tz) + timedelta(days=1)
