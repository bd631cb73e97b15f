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
srs-benchmark defines them (``FSRS.evaluate``). The fitted ones, the very parameters scored,
are adopted only when their log loss is lower.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from .scheduling import replay_order
from .store import Store
from .types import LogEntry, to_text

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


#: One history: a card's answers from one reset to the next, as (time text, rating, whole
#: days since the previous answer; None for the first). Time text sorts as time.
History = list[tuple[str, int, "int | None"]]
HistoryKey = tuple[str, str, int]  # deck, question, how many resets came before


class _Row(NamedTuple):
    id: int
    at: datetime
    rating: int | None
    kind: str
    origin: str


def histories(entries: Iterable[LogEntry]) -> dict[HistoryKey, History]:
    """The histories of the given log rows (any order): the definition the fast read meets."""
    by_card: dict[CardKey, list[_Row]] = {}
    for e in entries:
        if e.counts:
            by_card.setdefault((e.deck_id, e.question_id), []).append(
                _Row(e.id, e.at, e.rating, e.kind, e.origin))
    result: dict[HistoryKey, History] = {}
    for (deck, question), rows in by_card.items():
        rows.sort(key=lambda row: row.id)
        epoch = 0
        previous: datetime | None = None
        for row in replay_order(rows):
            if row.kind == "reset":
                epoch += 1
                previous = None
            elif row.rating is not None:
                days = None if previous is None else max(0, (row.at - previous).days)
                result.setdefault((deck, question, epoch), []).append(
                    (to_text(row.at), row.rating, days))
                previous = row.at
    return result


_DAY_MICROSECONDS = 86_400_000_000


def store_histories(store: Store, deck_ids: Iterable[str] | None = None) -> (
        dict[HistoryKey, History]):
    """``histories`` of the store's log, read as plain rows: days are whole 24-hour periods
    computed in integer microseconds, which is what ``(t - t_prev).days`` gives. Cards with
    reviews pulled from elsewhere go through ``histories`` for their replay order."""
    by_card: dict[CardKey, list[tuple[str, int | None, str, int]]] = {}
    foreign: set[CardKey] = set()
    for deck, question, kind, rating, at, micros, origin in store.scheduling_rows(deck_ids):
        by_card.setdefault((deck, question), []).append((kind, rating, at, micros))
        if origin:
            foreign.add((deck, question))
    result: dict[HistoryKey, History] = {}
    for key, rows in by_card.items():
        if key in foreign:
            result.update(histories(store.card_log(*key)))
            continue
        epoch = 0
        previous: int | None = None
        history: History = []
        for kind, rating, at, micros in rows:
            if kind == "reset":
                if history:
                    result[(key[0], key[1], epoch)] = history
                history, previous = [], None
                epoch += 1
            elif rating is not None:
                days = (None if previous is None
                        else max(0, (micros - previous) // _DAY_MICROSECONDS))
                history.append((at, rating, days))
                previous = micros
        if history:
            result[(key[0], key[1], epoch)] = history
    return result


def items_in_time_order(cards: dict[HistoryKey, History]) -> list[Any]:
    """FSRS items in the time order of the review each predicts: one per answer after a
    history's first, holding the history up to it as (rating, days since the previous).
    The reviews of one history are made once and shared by its items."""
    lib = _library()
    review, item = lib.FSRSReview, lib.FSRSItem
    timed: list[tuple[str, Any]] = []
    for history in cards.values():
        reviews = []
        for at, rating, days in history:
            reviews.append(review(rating, days or 0))
            if days is not None:
                timed.append((at, item(reviews[:])))
    timed.sort(key=itemgetter(0))  # stable: ties keep their order
    return [fsrs_item for _, fsrs_item in timed]


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
        list(items)))


def score(parameters: Sequence[float], items: Sequence[Any]) -> Score:
    lib = _library()
    evaluation = lib.FSRS(list(parameters)).evaluate(list(items))
    return Score(float(evaluation.log_loss), float(evaluation.rmse_bins))


def fit(cards: dict[HistoryKey, History], current: Sequence[float]) -> FitResult:
    """Fit on the earlier reviews and score both parameter sets on the later ones."""
    items = items_in_time_order(cards) if cards else []
    if len(items) < MIN_REVIEWS:
        raise OptimizeError(
            f"too few reviews to fit: {len(items)} (at least {MIN_REVIEWS} reviews of cards"
            " answered before are needed); keep reviewing and try again")
    cut = int(len(items) * (1 - TEST_SHARE))
    train, test = items[:cut], items[cut:]
    fitted = fit_parameters(train)
    return FitResult(
        reviews=len(items), train=len(train), test=len(test),
        current=score(current, test), fitted=score(fitted, test), parameters=fitted,
    )


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
