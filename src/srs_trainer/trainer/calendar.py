"""The learner's calendar: a day starts at a configured local hour (4 am by default, like Anki).

One home for day boundaries, so the queue's "due today", the daily limits, streaks and the
statistics' days all agree on when a day begins.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo


def day_start(now: datetime, hour: int = 4, tz: tzinfo | None = None) -> datetime:
    """Start (UTC) of the learner's day containing ``now``: ``hour`` o'clock local time."""
    local = now.astimezone(tz) if tz else now.astimezone()
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    return start.astimezone(timezone.utc)


def next_day_start(now: datetime, hour: int = 4, tz: tzinfo | None = None) -> datetime:
    start = day_start(now, hour, tz)
    return day_start(start + timedelta(hours=36), hour, tz)


def learner_day(moment: datetime, hour: int, tz: tzinfo | None) -> date:
    """The learner's calendar day of ``moment``; a day starts at ``hour`` local time."""
    local = moment.astimezone(tz) if tz else moment.astimezone()
    return (local - timedelta(hours=hour)).date()
