"""Mastery, badges, progress and statistics figures (pure functions over cards and the log).

A card is mastered when its last scheduling review passed (Hard or better) and its FSRS
stability is at least ``mastery_days`` (21 by default). A question is mastered when its cards
are: a cloze question makes one card per deletion, every other question one card. A deck's
badge is earned when every challenge question is mastered (every challenge card, the same).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..deck.cloze import CARD_KEY_SEPARATOR, split_card_key
from .calendar import learner_day
from .calibration import Calibration, calibration_of
from .settings import DeckSettings
from .types import NEW, Activity, CardFigures, CardRow, Memory, to_text

PASSING = 2  # Hard


def is_mastered(memory: Memory, mastery_days: float) -> bool:
    return passes_mastery(memory.state, memory.last_rating, memory.stability, mastery_days)


def passes_mastery(state: int, last_rating: int | None, stability: float | None,
                   mastery_days: float) -> bool:
    return (
        state != NEW
        and last_rating is not None
        and last_rating >= PASSING
        and stability is not None
        and stability >= mastery_days
    )


def badge_complete(challenge_cards: Sequence[CardRow], mastery_days: float) -> bool:
    """Every challenge question mastered (a deck without challenge questions has no badge)."""
    return bool(challenge_cards) and all(
        is_mastered(c.memory, mastery_days) for c in challenge_cards
    )


def streak(reviewed_days_ago: Callable[[int], bool]) -> int:
    """Consecutive days with reviews, ending today (or yesterday, if today has none yet).

    ``reviewed_days_ago(n)``: whether there were reviews n learner days ago (0 is today).
    """
    back = 0 if reviewed_days_ago(0) else 1
    count = 0
    while reviewed_days_ago(back + count):
        count += 1
    return count


@dataclass(frozen=True)
class DeckProgress:
    deck_id: str
    title: str
    total: int  # questions
    mastered: int  # questions all of whose cards are mastered
    challenge_total: int
    challenge_mastered: int
    reviewed: int  # cards seen at least once
    retrievability: float | None  # average over reviewed cards, now
    due_today: int  # cards, as are the other due counts
    due_tomorrow: int
    due_week: int
    badge_name: str
    badge_earned_at: datetime | None
    # The latest finished challenge: {"finished_at", "score", "total", "elapsed_seconds", ...}
    last_challenge: Mapping[str, Any] | None = None
    cards: int = 0  # a cloze question makes one card per deletion, others one each

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["badge_earned_at"] = self.badge_earned_at.isoformat() if self.badge_earned_at else None
        data["last_challenge"] = dict(self.last_challenge) if self.last_challenge else None
        return data


def deck_progress(
    *,
    deck_id: str,
    title: str,
    badge_name: str,
    cards: Sequence[CardFigures],
    settings: DeckSettings,
    retrievability_of: Callable[[float, int], float],
    today_start: datetime,
    badge_earned_at: datetime | None,
    last_challenge: Mapping[str, Any] | None = None,
) -> DeckProgress:
    """``cards``: the deck's live cards; ``retrievability_of(stability, elapsed days)``."""
    days = settings.mastery_days
    tomorrow = to_text(today_start + timedelta(days=1))
    day_after = to_text(today_start + timedelta(days=2))
    week = to_text(today_start + timedelta(days=7))
    challenge = challenge_mastered = mastered = reviewed = questions = 0
    due_today = due_tomorrow = due_week = 0
    recall = 0.0
    # A cloze question's cards: (section, question id) -> whether all of them pass so far.
    cloze_questions: dict[tuple[str, str], bool] = {}
    for section, state, stability, due, last_rating, elapsed_days, card_id in cards:
        passes = passes_mastery(state, last_rating, stability, days)
        if CARD_KEY_SEPARATOR in card_id and (split := split_card_key(card_id))[1] is not None:
            group = (section, split[0])
            cloze_questions[group] = cloze_questions.get(group, True) and passes
        else:
            questions += 1
            mastered += passes
            if section == "challenge":
                challenge += 1
                challenge_mastered += passes
        if state == NEW:
            continue
        reviewed += 1
        if stability is not None and elapsed_days is not None:
            recall += retrievability_of(stability, elapsed_days)
        if due is not None:
            due_today += due < tomorrow
            due_tomorrow += tomorrow <= due < day_after
            due_week += due < week
    for (section, _), passes in cloze_questions.items():
        questions += 1
        mastered += passes
        if section == "challenge":
            challenge += 1
            challenge_mastered += passes
    return DeckProgress(
        deck_id=deck_id,
        title=title,
        total=questions,
        cards=len(cards),
        mastered=mastered,
        challenge_total=challenge,
        challenge_mastered=challenge_mastered,
        reviewed=reviewed,
        retrievability=recall / reviewed if reviewed else None,
        due_today=due_today,
        due_tomorrow=due_tomorrow,
        due_week=due_week,
        badge_name=badge_name,
        badge_earned_at=badge_earned_at,
        last_challenge=last_challenge,
    )


@dataclass(frozen=True)
class Stats:
    days: list[tuple[date, int]]  # reviews per learner day, oldest first
    true_retention: float | None  # share of Review-state reviews that passed
    retention_reviews: int
    forecast: list[tuple[date, int]]  # reviews falling due per day, today (incl. overdue) first
    overdue: int = 0  # of the forecast's first day: cards already due before today
    # Reviews per learner day from the Monday 52 weeks before this week's to today.
    heatmap: list[tuple[date, int]] = field(default_factory=list)
    calibration: Calibration = field(default_factory=lambda: calibration_of([], []))

    @property
    def reviews_total(self) -> int:
        return sum(n for _, n in self.days)

    @property
    def reviews_per_day(self) -> float:
        return self.reviews_total / len(self.days) if self.days else 0.0

    @property
    def forecast_total(self) -> int:
        return sum(n for _, n in self.forecast)

    @property
    def forecast_per_day(self) -> float:
        return self.forecast_total / len(self.forecast) if self.forecast else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": [{"date": d.isoformat(), "reviews": n} for d, n in self.days],
            "reviews_total": self.reviews_total,
            "reviews_per_day": round(self.reviews_per_day, 2),
            "true_retention": self.true_retention,
            "retention_reviews": self.retention_reviews,
            "forecast": [{"date": d.isoformat(), "due": n} for d, n in self.forecast],
            "forecast_total": self.forecast_total,
            "overdue": self.overdue,
            "heatmap": [{"date": d.isoformat(), "reviews": n} for d, n in self.heatmap],
            **self.calibration.to_dict(),
        }


HEATMAP_WEEKS = 53


def heatmap_first_day(today: date) -> date:
    """The first day of the heatmap: a Monday, so that its columns are whole weeks."""
    return today - timedelta(days=today.weekday(), weeks=HEATMAP_WEEKS - 1)


def assemble_stats(
    per_day: Mapping[date, tuple[int, int, int]],
    calibration: Calibration,
    due_per_day: Mapping[date, int],
    overdue: int,
    today: date,
    *,
    days: int,
    forecast_days: int = 30,
) -> Stats:
    """The figures from folded counts: ``per_day`` (reviews, judged, passed) by learner day,
    ``due_per_day`` from today (overdue cards counted on today)."""
    first_day = today - timedelta(days=days - 1)
    window = [first_day + timedelta(days=i) for i in range(days)]
    judged = sum(per_day.get(d, (0, 0, 0))[1] for d in window)
    passed = sum(per_day.get(d, (0, 0, 0))[2] for d in window)
    heat_first = heatmap_first_day(today)
    return Stats(
        days=[(d, per_day.get(d, (0, 0, 0))[0]) for d in window],
        true_retention=passed / judged if judged else None,
        retention_reviews=judged,
        forecast=[(today + timedelta(days=i), due_per_day.get(today + timedelta(days=i), 0))
                  for i in range(forecast_days)],
        overdue=overdue,
        heatmap=[(heat_first + timedelta(days=i), per_day.get(heat_first + timedelta(days=i),
                                                                (0, 0, 0))[0])
                 for i in range((today - heat_first).days + 1)],
        calibration=calibration,
    )


def compute_stats(
    # The figures from the log's activity and every card, read afresh: what `srs stats`
    # showed before its cache (``stats_cache``); the tests hold the cached figures to it.
    activity: Iterable[Activity],
    cards: Iterable[CardRow],
    now: datetime,
    *,
    days: int,
    forecast_days: int = 30,
    hour: int = 4,
    tz: tzinfo | None = None,
) -> Stats:
    today = learner_day(now, hour, tz)
    first_day = today - timedelta(days=days - 1)
    per_day: Counter[date] = Counter()
    passed = judged = 0
    for minute in activity:
        day = learner_day(minute.minute, hour, tz)
        if day < first_day or day > today:
            continue
        per_day[day] += minute.answers
        judged += minute.judged
        passed += minute.passed
    due_per_day: Counter[date] = Counter()
    overdue = 0
    for card in cards:
        memory = card.memory
        if card.retired or memory.is_new or memory.due is None:
            continue
        due_day = learner_day(memory.due, hour, tz)
        overdue += due_day < today
        day = max(due_day, today)
        if day < today + timedelta(days=forecast_days):
            due_per_day[day] += 1
    return Stats(
        days=[
            (first_day + timedelta(days=i), per_day[first_day + timedelta(days=i)])
            for i in range(days)
        ],
        true_retention=passed / judged if judged else None,
        retention_reviews=judged,
        forecast=[
            (today + timedelta(days=i), due_per_day[today + timedelta(days=i)])
            for i in range(forecast_days)
        ],
        overdue=overdue,
    )
