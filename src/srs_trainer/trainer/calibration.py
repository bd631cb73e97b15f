"""Whether the schedule is right: predicted recall at review time against what happened.

FSRS schedules a card for when its predicted retrievability R falls to the desired retention.
If the model fits the learner, reviews it predicted at 90% pass about 90% of the time. So each
review that comes a day or more after the previous one of its card is put in a bin by the R
the card's memory state just before it predicted (the ``card_after`` of the card's previous
scheduling row in replay order: what the scheduler knew then), and each bin compares the mean
predicted R with the actual pass rate (rated Hard or better). The same reviews, binned by the
whole days since the card's previous review, give the true retention by interval length.

Reviews less than a day after the previous one (learning steps, same-day repeats) are left out,
as the open-spaced-repetition benchmark leaves them out: FSRS predicts nothing useful about them.

Pure functions over plain rows: ``stats_cache`` reads the rows and keeps the folded counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DAY_MICROSECONDS = 86_400_000_000
PASSING = 2  # Hard or better; Again (1) is a lapse
#: Predicted R bins, as percent edges: 0-50%, 50-60%, ... 90-95%, 95-100%.
R_EDGES = (0, 50, 60, 70, 80, 90, 95, 100)
#: Interval bins in whole days since the previous review: (first, last); None: no last.
INTERVALS: tuple[tuple[int, int | None], ...] = (
    (1, 1), (2, 3), (4, 7), (8, 14), (15, 30), (31, 90), (91, 180), (181, 365), (366, None))
#: R is counted in millionths, so sums are exact integers whatever order they are folded in.
R_UNIT = 1_000_000
#: FSRS-4.5/5's decay, for a scheduler whose parameters have no decay of their own (w20).
DEFAULT_DECAY = 0.5


def r_bin(r_millionths: int) -> int:
    """The bin (0 to 6) of a predicted R given in millionths."""
    percent = r_millionths * 100
    for index in range(len(R_EDGES) - 2, 0, -1):
        if percent >= R_EDGES[index] * R_UNIT:
            return index
    return 0


def interval_bin(days: int) -> int:
    """The bin of an interval of ``days`` whole days (at least 1)."""
    for index, (_, last) in enumerate(INTERVALS):
        if last is None or days <= last:
            return index
    return len(INTERVALS) - 1  # unreachable: the last bin has no end


def interval_label(index: int) -> str:
    first, last = INTERVALS[index]
    if last is None:
        return f"{first}+ days"
    if first == last:
        return f"{first} day" if first == 1 else f"{first} days"
    return f"{first}-{last} days"


def r_label(index: int) -> str:
    return f"{R_EDGES[index]}-{R_EDGES[index + 1]}%"


@dataclass(frozen=True)
class Curve:
    """FSRS's forgetting curve R(t, S) = (1 + factor * t / S) ** -decay (fsrs's
    ``get_card_retrievability``), for one scheduler's parameters."""

    decay: float

    @property
    def factor(self) -> float:
        return float(0.9 ** (1 / -self.decay) - 1)

    def millionths(self, days: int, stability: float) -> int:
        """R after ``days`` whole days at ``stability``, in millionths (rounded half up, as
        the SQL fold rounds: both are the same C ``pow`` on the same doubles)."""
        return int(R_UNIT * (1 + self.factor * days / stability) ** -self.decay + 0.5)

    @classmethod
    def of_scheduler_json(cls, text: str) -> Curve:
        parameters: list[float] = json.loads(text).get("parameters") or []
        return cls(float(parameters[20]) if len(parameters) > 20 else DEFAULT_DECAY)


# A scheduling row as the fold reads it: (id, kind, rating, time in microseconds since the
# epoch, scheduler id, stability after it (None for a reset or an unknown result), origin).
FoldRow = tuple[int, str, "int | None", int, "int | None", "float | None", str]
# One judged review: (predicted R in millionths, whole days since the previous review, passed).
Judged = tuple[int, int, bool]


def judged_reviews(rows: Iterable[FoldRow], curve_of: Mapping[int, Curve]) -> Iterator[Judged]:
    """The judged reviews of one card's scheduling rows, given in replay order.

    A review is judged when it follows an answer of the same card (not a reset) whose result
    is known, at least a whole day later.
    """
    previous: FoldRow | None = None
    for row in rows:
        _, kind, rating, at, scheduler_id, _, _ = row
        curve = curve_of.get(scheduler_id) if scheduler_id is not None else None
        stability = previous[5] if previous is not None and previous[1] == "answer" else None
        if (kind == "answer" and rating is not None and previous is not None
                and stability is not None and stability > 0 and curve is not None):
            days = (at - previous[3]) // DAY_MICROSECONDS
            if days >= 1:
                yield curve.millionths(days, stability), days, rating >= PASSING
        previous = row


@dataclass
class Tally:
    """Counts per bin: reviews, passed and (for R bins) the sum of predicted R."""

    reviews: int = 0
    passed: int = 0
    r_sum: int = 0  # millionths

    def add(self, reviews: int, passed: int, r_sum: int = 0) -> None:
        self.reviews += reviews
        self.passed += passed
        self.r_sum += r_sum


@dataclass(frozen=True)
class Bin:
    label: str
    reviews: int
    passed: int
    predicted: float | None  # mean predicted R (calibration bins only)

    @property
    def actual(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"bin": self.label, "reviews": self.reviews,
                                "passed": self.passed, "actual": _round(self.actual)}
        if self.predicted is not None or self.label.endswith("%"):
            data["predicted"] = _round(self.predicted)
        return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Calibration:
    """The judged reviews' figures: by predicted R, and by interval."""

    by_r: list[Bin]
    by_interval: list[Bin]

    @property
    def reviews(self) -> int:
        return sum(b.reviews for b in self.by_r)

    @property
    def predicted(self) -> float | None:
        """Mean predicted R over every judged review."""
        total = sum((b.predicted or 0.0) * b.reviews for b in self.by_r)
        return total / self.reviews if self.reviews else None

    @property
    def actual(self) -> float | None:
        return sum(b.passed for b in self.by_r) / self.reviews if self.reviews else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "calibration": [b.to_dict() for b in self.by_r],
            "calibration_reviews": self.reviews,
            "calibration_predicted": _round(self.predicted),
            "calibration_actual": _round(self.actual),
            "retention_by_interval": [b.to_dict() for b in self.by_interval],
        }


def calibration_of(by_r: Sequence[Tally], by_interval: Sequence[Tally]) -> Calibration:
    """The figures of tallies indexed by bin (``r_bin`` and ``interval_bin``)."""
    return Calibration(
        [Bin(r_label(i), t.reviews, t.passed, t.r_sum / t.reviews / R_UNIT if t.reviews else None)
         for i, t in enumerate(by_r)],
        [Bin(interval_label(i), t.reviews, t.passed, None) for i, t in enumerate(by_interval)],
    )


def tally(judged: Iterable[Judged]) -> tuple[list[Tally], list[Tally]]:
    """Judged reviews counted into the R bins and the interval bins (the definition)."""
    by_r = [Tally() for _ in range(len(R_EDGES) - 1)]
    by_interval = [Tally() for _ in INTERVALS]
    for r, days, passed in judged:
        by_r[r_bin(r)].add(1, passed, r)
        by_interval[interval_bin(days)].add(1, passed)
    return by_r, by_interval
