"""Fitting FSRS parameters to the learner's own reviews, and deciding whether to adopt them.

The fit is fsrs-rs-python's ``compute_parameters``: the Rust optimizer Anki uses, an optional
extra (``pip install 'srs-trainer[optimize]'``) imported only here, only when asked.

Each card's history is its scheduling answers in replay order (a reset starts it over); an
item is the history up to one review, whose outcome the model predicts from the ones before.
Intervals are whole 24-hour periods, ``(t - t_prev).days``, the convention of the trainer's
own fsrs scheduler, so fitted parameters drop into it unchanged.

Evaluation, before adopting: the items are put in the time order of their last review; the
parameters are fitted on the earlier 80% and both the current and the fitted parameters are
scored on the later 20% by log loss and RMSE(bins), as the open-spaced-repetition
srs-benchmark defines them (``FSRS.evaluate``). The fitted ones are adopted only when their log
loss is lower; what is then stored is a fit on every review.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .scheduling import replay_order
from .store import LogEntry

CardKey = tuple[str, str]

#: Fewer reviews than this (ones with an earlier review of the same card, so that they test
#: a memory) give parameters fitted to noise: `srs optimize` says so and changes nothing.
MIN_REVIEWS = 400
TEST_SHARE = 0.2
INSTALL_HINT = "pip install 'srs-trainer[optimize]'"


class OptimizeError(Exception):
    """The log cannot be fitted (too few reviews, the optimizer missing); the message says why."""


@dataclass(frozen=True)
class Score:
    log_loss: float
    rmse_bins: float

    def to_dict(self) -> dict[str, float]:
        return {"log_loss": self.log_loss, "rmse_bins": self.rmse_bins}


@dataclass(frozen=True)
class FitResult:
    reviews: int  # items: reviews with an earlier review of the same card
    train: int
    test: int
    current: Score  # the parameters in force, on the later reviews
    fitted: Score  # the parameters fitted on the earlier reviews, on the later ones
    parameters: tuple[float, ...]  # fitted on every review (what is adopted)

    @property
    def better(self) -> bool:
        return self.fitted.log_loss < self.current.log_loss

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews, "train": self.train, "test": self.test,
            "current": self.current.to_dict(), "fitted": self.fitted.to_dict(),
            "adopt": self.better, "parameters": list(self.parameters),
        }


def histories(entries: Iterable[LogEntry]) -> dict[CardKey, list[tuple[datetime, int]]]:
    """Each card's scheduling answers (time, rating) in replay order, from its last reset."""
    by_card: dict[CardKey, list[LogEntry]] = {}
    for entry in entries:
        by_card.setdefault((entry.deck_id, entry.question_id), []).append(entry)
    result: dict[CardKey, list[tuple[datetime, int]]] = {}
    for key, rows in by_card.items():
        history: list[tuple[datetime, int]] = []
        for entry in replay_order(rows):
            if not entry.counts:
                continue
            if entry.kind == "reset":
                history = []
            elif entry.rating is not None:
                history.append((entry.at, entry.rating))
        if history:
            result[key] = history
    return result


def items_in_time_order(
    cards: dict[CardKey, list[tuple[datetime, int]]],
) -> list[tuple[datetime, list[tuple[int, int]]]]:
    """(time of the predicted review, [(rating, days since the previous review), ...])."""
    items: list[tuple[datetime, list[tuple[int, int]]]] = []
    for history in cards.values():
        reviews: list[tuple[int, int]] = []
        previous: datetime | None = None
        for at, rating in history:
            reviews.append((rating, 0 if previous is None else (at - previous).days))
            previous = at
            if len(reviews) > 1:
                items.append((at, list(reviews)))
    items.sort(key=lambda item: item[0])
    return items


def _library() -> Any:
    try:
        import fsrs_rs_python
    except ImportError:
        raise OptimizeError(
            f"fitting needs the optional FSRS optimizer: {INSTALL_HINT}") from None
    return fsrs_rs_python


def to_items(reviews: Sequence[list[tuple[int, int]]]) -> list[Any]:
    lib = _library()
    return [lib.FSRSItem([lib.FSRSReview(rating, delta) for rating, delta in item])
            for item in reviews]


def fit_parameters(items: Sequence[Any]) -> tuple[float, ...]:
    lib = _library()
    return tuple(float(w) for w in lib.FSRS(lib.DEFAULT_PARAMETERS).compute_parameters(
        list(items)))


def score(parameters: Sequence[float], items: Sequence[Any]) -> Score:
    lib = _library()
    evaluation = lib.FSRS(list(parameters)).evaluate(list(items))
    return Score(float(evaluation.log_loss), float(evaluation.rmse_bins))


def fit(entries: Iterable[LogEntry], current: Sequence[float]) -> FitResult:
    """Fit on the earlier reviews, score both parameter sets on the later ones, refit on all."""
    timed = items_in_time_order(histories(entries))
    if len(timed) < MIN_REVIEWS:
        raise OptimizeError(
            f"too few reviews to fit: {len(timed)} (at least {MIN_REVIEWS} reviews of cards"
            " answered before are needed); keep reviewing and try again")
    items = to_items([reviews for _, reviews in timed])
    cut = int(len(items) * (1 - TEST_SHARE))
    train, test = items[:cut], items[cut:]
    fitted = fit_parameters(train)
    return FitResult(
        reviews=len(items), train=len(train), test=len(test),
        current=score(current, test), fitted=score(fitted, test),
        parameters=fit_parameters(items),
    )


def default_parameters() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


@dataclass(frozen=True)
class RetentionPoint:
    desired_retention: float
    reviews_per_day: float
    memorized: float  # cards known at the end of the year (sum of retrievability)


def simulate_retention(
    parameters: Sequence[float], deck_size: int, *, days: int = 365, seed: int = 42,
    retentions: Sequence[float] = tuple(round(0.70 + 0.03 * i, 2) for i in range(10)),
) -> list[RetentionPoint]:
    """Workload and knowledge over ``days`` for each desired retention (fsrs-rs's simulator)."""
    lib = _library()
    config = lib.default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = days
    points = []
    for retention in retentions:
        result = lib.simulate(list(parameters), retention, config, seed)
        points.append(RetentionPoint(
            retention, sum(result.review_cnt_per_day) / days,
            float(result.memorized_cnt_per_day[-1])))
    return points


def suggested_retention(points: Sequence[RetentionPoint]) -> RetentionPoint:
    """The retention that keeps the most knowledge per review a day (memorized / workload)."""
    return max(points, key=lambda p: p.memorized / p.reviews_per_day if p.reviews_per_day else 0)
