"""FSRS scheduling: the fsrs.Scheduler wrapper, exact replay and the session queue.

Fuzzing and replay: fsrs draws interval fuzz from the global ``random`` generator. Around every
``review_card`` we seed it from (deck id, question id, review time) and restore the previous
generator state afterwards, so the same answer at the same time always gets the same interval.
That makes the log replayable to the exact card state while keeping fuzz on (it still spreads
reviews across days, since review times differ). Each log row also names the scheduler settings
it was scheduled with (``schedulers`` table), so changing ``desired_retention`` later does not
change how past answers replay. ``fuzz_seed`` is public so tests can reproduce a review.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .settings import DeckSettings
from .types import LEARNING, RELEARNING, REVIEW, CardKey, CardRow, LogEntry, Memory, to_text

if TYPE_CHECKING:
    import fsrs

# --- the scheduler ---------------------------------------------------------------------------


def scheduler_json(settings: DeckSettings) -> str:
    """The fsrs scheduler settings as canonical JSON (stored once per distinct setting)."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return json.dumps(
        {
            "parameters": list(settings.parameters or DEFAULT_PARAMETERS),
            "desired_retention": settings.desired_retention,
            "learning_steps": [round(m * 60) for m in settings.learning_steps],
            "relearning_steps": [round(m * 60) for m in settings.relearning_steps],
            "maximum_interval": settings.maximum_interval,
            "enable_fuzzing": settings.enable_fuzzing,
        },
        sort_keys=True,
    )


@lru_cache(maxsize=64)
def scheduler_from_json(text: str) -> fsrs.Scheduler:
    import fsrs

    data = json.loads(text)
    return fsrs.Scheduler(
        parameters=tuple(data["parameters"]),
        desired_retention=data["desired_retention"],
        learning_steps=tuple(timedelta(seconds=s) for s in data["learning_steps"]),
        relearning_steps=tuple(timedelta(seconds=s) for s in data["relearning_steps"]),
        maximum_interval=data["maximum_interval"],
        enable_fuzzing=data["enable_fuzzing"],
    )


def make_scheduler(settings: DeckSettings) -> fsrs.Scheduler:
    return scheduler_from_json(scheduler_json(settings))


def card_id(key: CardKey) -> int:
    """A stable fsrs card id for a question (fsrs otherwise uses the creation time)."""
    digest = hashlib.sha256(f"{key[0]}\0{key[1]}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def fuzz_seed(key: CardKey, at: datetime) -> int:
    digest = hashlib.sha256(f"{key[0]}\0{key[1]}\0{to_text(at)}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def to_fsrs(key: CardKey, memory: Memory, at: datetime) -> fsrs.Card:
    import fsrs

    if memory.is_new:
        return fsrs.Card(card_id=card_id(key), due=at)
    return fsrs.Card(
        card_id=card_id(key),
        state=fsrs.State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due or at,
        last_review=memory.last_review,
    )


def review(
    scheduler: fsrs.Scheduler,
    key: CardKey,
    memory: Memory,
    rating: int,
    at: datetime,
    duration_ms: int | None = None,
) -> Memory:
    """The card's memory after answering with ``rating`` at ``at`` (deterministic fuzz)."""
    import fsrs

    at = at.astimezone(timezone.utc)
    saved = random.getstate()
    random.seed(fuzz_seed(key, at))
    try:
        card, _ = scheduler.review_card(
            to_fsrs(key, memory, at), fsrs.Rating(rating), at, duration_ms
        )
    finally:
        random.setstate(saved)
    return Memory(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        last_rating=rating,
        reps=memory.reps + 1,
        lapses=memory.lapses + (1 if memory.state == REVIEW and rating == 1 else 0),
    )


def replay_steps(
    entries: Iterable[LogEntry], scheduler_json_for: Callable[[int], str], own_device: str = ""
) -> Iterator[tuple[LogEntry, Memory]]:
    """Replay a card's log, yielding each row that moves the card with the memory after it."""
    from .replay import Replayer, entry_rows

    rows = [entry for entry in replay_order(entries, own_device) if entry.counts]
    if not rows:
        return
    key = (rows[0].deck_id, rows[0].question_id)
    steps = Replayer(scheduler_json_for).card_rows(key, entry_rows(rows))
    for entry, step in zip(rows, steps, strict=True):
        yield entry, Memory(*step)


class Replayable(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def origin(self) -> str: ...


RowT = TypeVar("RowT", bound=Replayable)


def replay_order(entries: Iterable[RowT], own_device: str = "") -> list[RowT]:
    """A card's rows (given in id order) in the order they replay: the trainer's own in the
    order they were written (what the learner saw, whatever the clock said), reviews pulled
    from elsewhere (which arrive later, with earlier times) merged in by time, before the
    first own row that is later. Every replay (doctor, undo, pull, sync) uses this one order.

    Rows synced from other devices (``device`` set): each device's rows are one stream in
    that device's own order (its sequence numbers), and the streams are merged by time
    (``merge_streams``): no device's clock reorders another device's rows. ``own_device`` is
    this database's device id, which ranks its stream among the others on equal times.
    """
    rows = list(entries)
    if not any(getattr(e, "device", "") for e in rows):
        return interleave(rows, lambda e: bool(e.origin), lambda e: (e.at, e.id))
    return merge_streams(
        device_streams(rows, lambda e: e.origin, lambda e: getattr(e, "device", ""),
                       lambda e: getattr(e, "seq", None),
                       lambda e: (e.at, e.id), own_device),
        lambda e: e.at)


def device_streams(
    rows: Sequence[T], origin_of: Callable[[T], Any], device_of: Callable[[T], str],
    seq_of: Callable[[T], Any], time_and_id: Callable[[T], Any], own_device: str,
) -> list[tuple[tuple[int, str], list[T]]]:
    """The streams ``merge_streams`` merges, each with its rank: reviews pulled from
    elsewhere (any device pulled them) as one stream by time, ranked first; then one stream
    per device, ranked by device id, this database's own rows (device '') in id order and
    each other device's in its sequence order."""
    foreign = sorted((row for row in rows if origin_of(row)), key=time_and_id)
    by_device: dict[str, list[T]] = {}
    for row in rows:
        if not origin_of(row):
            by_device.setdefault(device_of(row), []).append(row)
    streams: list[tuple[tuple[int, str], list[T]]] = [((0, ""), foreign)] if foreign else []
    for device, own in by_device.items():
        if device:
            own.sort(key=seq_of)
        streams.append(((1, device or own_device), own))
    return streams


def merge_streams(
    streams: Sequence[tuple[Any, Sequence[T]]], time_of: Callable[[T], Any]
) -> list[T]:
    """Streams merged by taking, again and again, the head with the earliest time (equal
    times: the lower rank). Each stream keeps its own order, whatever its times say; with
    two streams (own rows, pulled ones) this is ``interleave``."""
    heap = [(time_of(rows[0]), rank, n, 0) for n, (rank, rows) in enumerate(streams) if rows]
    heapq.heapify(heap)
    merged: list[T] = []
    while heap:
        _, rank, n, i = heap[0]
        rows = streams[n][1]
        merged.append(rows[i])
        if i + 1 < len(rows):
            heapq.heapreplace(heap, (time_of(rows[i + 1]), rank, n, i + 1))
        else:
            heapq.heappop(heap)
    return merged


T = TypeVar("T")


def interleave(
    rows: Sequence[T], is_foreign: Callable[[T], bool], time_and_id: Callable[[T], Any]
) -> list[T]:
    """``replay_order`` over any kind of row: own rows as given, foreign ones sorted by
    ``time_and_id`` and each put before the first own row that is not earlier."""
    own = [row for row in rows if not is_foreign(row)]
    if len(own) == len(rows):
        return own
    foreign = sorted((row for row in rows if is_foreign(row)), key=time_and_id)
    merged: list[T] = []
    i = 0
    for row in own:
        at = time_and_id(row)[0]
        while i < len(foreign) and time_and_id(foreign[i])[0] <= at:
            merged.append(foreign[i])
            i += 1
        merged.append(row)
    merged.extend(foreign[i:])
    return merged


def replay(entries: Iterable[LogEntry], scheduler_json_for: Callable[[int], str],
           own_device: str = "") -> Memory:
    """A card's memory from its log: resets start over; undone and non-scheduling rows skip."""
    steps = list(replay_steps(entries, scheduler_json_for, own_device))
    return steps[-1][1] if steps else Memory()


def forgetting_curve(scheduler: fsrs.Scheduler) -> Callable[[float, int], float]:
    """R(stability, whole days since the last review): the formula of fsrs's
    ``get_card_retrievability`` without building a Card, for figures over many cards."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1

    def curve(stability: float, elapsed_days: int) -> float:
        return float((1 + factor * max(0, elapsed_days) / stability) ** decay)

    return curve


def describe_due(due: datetime | None, now: datetime, tomorrow: datetime) -> str:
    """'in 10 minutes', 'in 3 hours', 'tomorrow', 'in 4 days' ('now' when already due)."""
    if due is None:
        return ""
    delta = due - now
    if delta <= timedelta(0):
        return "now"
    if due < tomorrow:
        minutes = max(1, round(delta.total_seconds() / 60))
        if minutes < 60:
            return f"in {minutes} minute{'s' if minutes != 1 else ''}"
        hours = round(minutes / 60)
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = max(1, round(delta.total_seconds() / 86400))
    return "tomorrow" if days == 1 else f"in {days} days"


# --- the session queue ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    key: CardKey
    early: bool = False  # a learning card shown before it is due (nothing else is left)
    due: datetime | None = None


@dataclass
class SessionQueue:
    """What to ask next: due learning cards, then reviews, then new cards, then learn-ahead.

    ``reviews`` are sorted most-forgotten first (lowest retrievability), ``new`` in source order,
    ``learning`` holds (due, key) for cards in learning steps, which come back when due.
    """

    reviews: list[CardKey] = field(default_factory=list)
    new: list[CardKey] = field(default_factory=list)
    learning: list[tuple[datetime, CardKey]] = field(default_factory=list)
    learn_ahead: timedelta = timedelta(minutes=20)
    front: list[CardKey] = field(default_factory=list)  # undone answers, asked again first

    def __len__(self) -> int:
        return len(self.front) + len(self.reviews) + len(self.new) + len(self.learning)

    def next(self, now: datetime) -> Pick | None:
        if self.front:
            return Pick(self.front.pop(0))
        self.learning.sort()
        if self.learning and self.learning[0][0] <= now:
            due, key = self.learning.pop(0)
            return Pick(key, due=due)
        if self.reviews:
            return Pick(self.reviews.pop(0))
        if self.new:
            return Pick(self.new.pop(0))
        if self.learning and self.learning[0][0] <= now + self.learn_ahead:
            due, key = self.learning.pop(0)
            return Pick(key, early=True, due=due)
        return None

    def next_learning_due(self) -> datetime | None:
        return min((due for due, _ in self.learning), default=None)

    def push_learning(self, key: CardKey, due: datetime) -> None:
        self.discard(key)
        self.learning.append((due, key))

    def push_front(self, key: CardKey) -> None:
        self.discard(key)
        self.front.insert(0, key)

    def discard(self, key: CardKey) -> None:
        self.learning = [(d, k) for d, k in self.learning if k != key]
        for items in (self.front, self.reviews, self.new):
            if key in items:
                items.remove(key)


@dataclass(frozen=True)
class DoneToday:
    """What a deck already used of today's limits."""

    new: int = 0
    reviews: int = 0


def build_queue(
    cards: Sequence[CardRow],
    now: datetime,
    *,
    settings_for: Callable[[str], DeckSettings],
    done_today: Mapping[str, DoneToday],
    tomorrow: datetime,
    learn_ahead: timedelta = timedelta(minutes=20),
    limit: int | None = None,
) -> SessionQueue:
    """Today's queue over ``cards`` (given in source order), honouring per-deck daily limits.

    Review cards are due today when due before the next day boundary; learning cards are
    queued with their exact due time. ``limit`` caps the reviews + new cards of this session.
    """
    reviews: list[tuple[float, int, CardKey]] = []
    new_by_deck: dict[str, list[CardKey]] = {}
    learning: list[tuple[datetime, CardKey]] = []
    curves: dict[str, Callable[[float, int], float]] = {}
    for index, card in enumerate(cards):
        memory = card.memory
        if card.retired:
            continue
        if memory.is_new:
            new_by_deck.setdefault(card.deck_id, []).append(card.key)
        elif memory.state == REVIEW and memory.due is not None and memory.due < tomorrow:
            curve = curves.get(card.deck_id)
            if curve is None:
                curve = curves[card.deck_id] = forgetting_curve(
                    make_scheduler(settings_for(card.deck_id)))
            recall = (curve(memory.stability, (now - memory.last_review).days)
                      if memory.stability is not None and memory.last_review is not None else 0.0)
            reviews.append((recall, index, card.key))
        elif memory.state != REVIEW and memory.due is not None and memory.due < tomorrow:
            learning.append((memory.due, card.key))
    reviews.sort()
    allowed_reviews: list[CardKey] = []
    used: dict[str, int] = {}
    for _, _, key in reviews:
        deck_id = key[0]
        room = settings_for(deck_id).reviews_per_day - done_today.get(deck_id, DoneToday()).reviews
        if used.get(deck_id, 0) < room:
            allowed_reviews.append(key)
            used[deck_id] = used.get(deck_id, 0) + 1
    new: list[CardKey] = []
    for deck_id, keys in new_by_deck.items():
        room = settings_for(deck_id).new_per_day - done_today.get(deck_id, DoneToday()).new
        new.extend(keys[: max(0, room)])
    if limit is not None:
        allowed_reviews = allowed_reviews[:limit]
        new = new[: max(0, limit - len(allowed_reviews))]
    return SessionQueue(
        reviews=allowed_reviews, new=new, learning=learning, learn_ahead=learn_ahead
    )


def is_learning(memory: Memory) -> bool:
    return memory.state in (LEARNING, RELEARNING)
