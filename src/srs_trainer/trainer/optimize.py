"""Fitting FSRS parameters to the learner's own reviews, and deciding whether to adopt them.

The fit is fsrs-rs-python's ``compute_parameters``: the Rust optimizer Anki uses, an optional
extra (``pip install 'srs-trainer[optimize]'``) imported only here, only when asked.

Each card's history is its scheduling answers in replay order (a reset starts it over; read
by ``review_columns``); an item is the history up to one review, whose outcome the model
predicts from the ones before. Intervals are whole 24-hour periods, ``(t - t_prev).days``, the
convention of the trainer's own fsrs scheduler, so fitted parameters drop into it unchanged.

Evaluation, before adopting: by the time of the review each item predicts, the parameters are
fitted on the earlier 80% of the items and both the current and the fitted parameters are
scored on the later 20% by log loss and RMSE(bins), as the open-spaced-repetition
srs-benchmark defines them (``FSRS.evaluate``). The fitted ones, the very parameters scored,
are adopted only when their log loss is lower. There is one fit: the parameters adopted are
the ones scored, not a second fit on every review whose score nobody has seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, compress, repeat
from typing import Any

from ..collector import collector_paused
from .review_columns import (
    History,
    HistoryKey,
    ReviewColumns,
    columns_of,
)

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
    parameters: tuple[float, ...]  # fitted on the earlier reviews: what is scored and adopted

    @property
    def better(self) -> bool:
        return self.fitted.log_loss < self.current.log_loss

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews, "train": self.train, "test": self.test,
            "current": self.current.to_dict(), "fitted": self.fitted.to_dict(),
            "adopt": self.better, "parameters": list(self.parameters),
        }


def split_items(columns: ReviewColumns, test_share: float = TEST_SHARE) -> (
        tuple[list[Any], list[Any]]):
    """FSRS items, one per review after a history's first, holding the history up to it as
    (rating, days since the previous), in the time order of the review each predicts (the
    fit is better for it): the earlier ``1 - test_share`` of them, and the later rest. Each
    review is made once and the items by C-level maps over the columns: no Python loop per
    review."""
    _, train, test = _made_and_split(columns, test_share)
    return train, test


def _made_and_split(columns: ReviewColumns, test_share: float) -> (
        tuple[list[Any], list[Any], list[Any]]):
    """The items in the order they were made (column order), and ``split_items``'s two
    lists. Dropped last, the first frees the items in the order they were made, so in
    memory order: sorted by time they lie all over memory, and freeing a million rows'
    items in that order cost 0.15 s, against 0.04 s in the order made."""
    lib = _library()
    with collector_paused():
        return _split_items(lib, columns, test_share)


def _split_items(lib: Any, columns: ReviewColumns, test_share: float) -> (
        tuple[list[Any], list[Any], list[Any]]):
    if not len(columns.ratings) == len(columns.days) == len(columns.times):
        raise OptimizeError("the review log has a time that cannot be read")
    reviews = list(map(lib.FSRSReview, columns.ratings, columns.days))
    starts = columns.starts
    is_item = [True] * len(reviews)
    for start in starts:
        is_item[start] = False
    firsts = chain.from_iterable(map(repeat, starts, columns.lengths))
    ends = range(1, len(reviews) + 1)
    items = list(map(lib.FSRSItem, map(reviews.__getitem__, map(
        slice, compress(firsts, is_item), compress(ends, is_item)))))
    del reviews  # each item holds its own copy of its reviews
    # Sorted, stable (ties keep column order): sort calls the key once per item in list
    # order, so each item's key is the next item time; no index list to permute by.
    ordered = sorted(items, key=partial(next, compress(columns.times, is_item)))
    cut = int(len(ordered) * (1 - test_share))
    test = ordered[cut:]
    del ordered[cut:]
    return items, ordered, test


def _library() -> Any:
    try:
        import fsrs_rs_python
    except ImportError:
        raise OptimizeError(
            f"fitting needs the optional FSRS optimizer: {INSTALL_HINT}") from None
    return fsrs_rs_python


def fit_parameters(items: Sequence[Any]) -> tuple[float, ...]:
    lib = _library()
    return tuple(float(w) for w in lib.FSRS(lib.DEFAULT_PARAMETERS).compute_parameters(
        _as_list(items)))


def score(parameters: Sequence[float], items: Sequence[Any]) -> Score:
    lib = _library()
    evaluation = lib.FSRS(list(parameters)).evaluate(_as_list(items))
    return Score(float(evaluation.log_loss), float(evaluation.rmse_bins))


def _as_list(items: Sequence[Any]) -> list[Any]:
    """The items as fsrs-rs-python takes them; a list as it is (no copy of 700,000 items)."""
    return items if isinstance(items, list) else list(items)


def fit(reviews: ReviewColumns | Mapping[HistoryKey, History],
        current: Sequence[float]) -> FitResult:
    """Fit on the earlier reviews and score both parameter sets on the later ones."""
    columns = reviews if isinstance(reviews, ReviewColumns) else columns_of(reviews)
    count = len(columns.ratings) - len(columns.lengths)
    if count < MIN_REVIEWS:
        raise OptimizeError(
            f"too few reviews to fit: {count} (at least {MIN_REVIEWS} reviews of cards"
            " answered before are needed); keep reviewing and try again")
    made, train, test = _made_and_split(columns, TEST_SHARE)
    fitted = fit_parameters(train)
    result = FitResult(
        reviews=count, train=len(train), test=len(test),
        current=score(current, test), fitted=score(fitted, test), parameters=fitted,
    )
    del train, test
    del made  # the items go with it, in the order they were made
    return result


def default_parameters() -> tuple[float, ...]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(DEFAULT_PARAMETERS)


@dataclass(frozen=True)
class RetentionPoint:
    desired_retention: float
    reviews_per_day: float
    memorized: float  # cards known at the end of the year (sum of retrievability)


#: The desired retentions `srs optimize --retention` compares: 0.70, 0.73, ..., 0.97.
RETENTIONS = tuple(round(0.70 + 0.03 * step, 2) for step in range(10))


def simulate_retention(
    parameters: Sequence[float], deck_size: int, *, days: int = 365, seed: int = 42,
    retentions: Sequence[float] = RETENTIONS,
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
