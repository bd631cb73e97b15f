"""Replaying review logs to card state, fast enough for a million rows (doctor, pull, undo).

One replay for every caller: ``scheduling.replay_steps`` (undo, tests) and the bulk readers
(``srs doctor``, the merge of pulled reviews) all go through ``Replayer.card_rows``, which gives
exactly what chaining ``scheduling.review`` over the rows gives (a property test holds the
two equal). It is faster because it keeps the one ``fsrs.Card`` between a card's reviews
instead of rebuilding it from a ``Memory``, builds each scheduler once per scheduler id,
seeds ``random`` only for schedulers that fuzz (and saves the generator once per card, not
once per review), and yields plain tuples; ``step_result`` gives a step's stored result
(``store_rows.RESULT_COLUMNS``) without building a ``Memory`` first.
"""

from __future__ import annotations

import operator
import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..collector import collector_paused
from . import fsrs_direct, scheduling
from .store_rows import (
    EPOCH,
    MEMORY_COLUMNS,
    MICROSECOND,
    RESULT_COLUMNS,
    micros,
    result_sql,
    result_values,
)
from .types import RESET, REVIEW, CardKey, LogEntry, Memory, to_text

if TYPE_CHECKING:
    import fsrs

# What a card's memory is after one replayed row, in ``Memory``'s field order (so
# ``Memory(*step)`` is that memory): state, step, stability, difficulty, due, last_review,
# last_rating, reps, lapses.
Step = tuple[int, int | None, float | None, float | None, datetime | None, datetime | None,
             int | None, int, int]
NEW_STEP: Step = (0, None, None, None, None, None, None, 0, 0)
# step_row writes the columns in this order (the store's, taken from Memory's fields).
assert MEMORY_COLUMNS == ("state", "step", "stability", "difficulty", "due", "last_review",
                          "last_rating", "reps", "lapses")
# A row to replay: (is a reset, time, rating, duration in ms, scheduler id).
ReplayInput = tuple[bool, datetime, int | None, int | None, int | None]

# A log row as the bulk readers take it from SQLite, as plain values: its saved result last.
ROW_COLUMNS = ("deck_id", "question_id", "id", "kind", "at", "rating", "duration_ms",
               "rescheduled", "scheduler_id", "state_before", "undone_at", "origin", "device",
               "seq", *RESULT_COLUMNS)
# Typed loosely: mypy cannot follow the column constants into a precise tuple type.
Row = tuple[Any, ...]
DECK, QUESTION, ID, KIND, AT, RATING, DURATION, RESCHEDULED, SCHEDULER, STATE_BEFORE, \
    UNDONE, ORIGIN, DEVICE, SEQ = range(ROW_COLUMNS.index(RESULT_COLUMNS[0]))
RESULT = slice(SEQ + 1, SEQ + 1 + len(RESULT_COLUMNS))  # a row's saved result


class Replayer:
    """Replays cards' logs with one scheduler per scheduler id (looked up once each).

    ``direct`` (when the installed fsrs is the one ``fsrs_direct`` was proved equal to) does
    each review with ``fsrs_direct``; otherwise with ``fsrs.Scheduler.review_card``.
    """

    def __init__(self, scheduler_json_for: Callable[[int], str], *,
                 direct: bool | None = None, own_device: str = "") -> None:
        import fsrs

        self.own_device = own_device  # this database's device id: the replay order's ranks
        self._json_for = scheduler_json_for
        self._schedulers: dict[int, fsrs.Scheduler] = {}
        self._direct: dict[int, fsrs_direct.DirectScheduler] = {}
        self.direct = fsrs_direct.usable() if direct is None else direct
        self._card_type = fsrs.Card
        self._ratings = {int(r): r for r in fsrs.Rating}

    def scheduler(self, scheduler_id: int) -> fsrs.Scheduler:
        found = self._schedulers.get(scheduler_id)
        if found is None:
            found = self._schedulers[scheduler_id] = scheduling.scheduler_from_json(
                self._json_for(scheduler_id))
        return found

    def _direct_scheduler(self, scheduler_id: int) -> fsrs_direct.DirectScheduler:
        found = self._direct.get(scheduler_id)
        if found is None:
            found = self._direct[scheduler_id] = fsrs_direct.DirectScheduler(
                self.scheduler(scheduler_id))
        return found

    def card_rows(self, key: CardKey, rows: Iterable[Row]) -> list[Step]:
        """The memory after each of one card's (ordered, counting) rows, in ``ROW_COLUMNS``'
        layout (as the bulk readers read them, or ``entry_rows``). The direct replay takes each
        value from the row itself, not from a ``ReplayInput`` made per row first (a tenth of
        a doctor's replay)."""
        if self.direct:
            return self._card_direct(key, rows)
        return self._card_fsrs(key, inputs(rows))

    def _card_direct(self, key: CardKey, rows: Iterable[Row]) -> list[Step]:
        """Rows in ``ROW_COLUMNS``' layout, the time as text or as a datetime."""
        steps: list[Step] = []
        card = fsrs_direct.NEW_CARD
        state, reps, lapses = 0, 0, 0
        saved: Any = None
        utc = timezone.utc
        parse = datetime.fromisoformat  # from_text without its astimezone: done below
        append = steps.append
        scheduler_of: int | None = None
        review: Callable[[fsrs_direct.DirectCard, int, datetime],
                         tuple[fsrs_direct.DirectCard, datetime]] | None = None
        fuzzing = False
        try:
            for row in rows:
                if row[KIND] == RESET:
                    card, state, reps, lapses = fsrs_direct.NEW_CARD, 0, 0, 0
                    append(NEW_STEP)
                    continue
                at, rating, scheduler_id = row[AT], row[RATING], row[SCHEDULER]
                assert rating is not None and scheduler_id is not None
                if scheduler_id != scheduler_of or review is None:
                    scheduler = self._direct_scheduler(scheduler_id)
                    review, fuzzing = scheduler.review, scheduler.enable_fuzzing
                    scheduler_of = scheduler_id
                if at.__class__ is str:
                    at = parse(at)
                if at.tzinfo is not utc:
                    at = at.astimezone(utc)
                if fuzzing:
                    if saved is None:
                        saved = random.getstate()
                    random.seed(scheduling.fuzz_seed(key, at))
                card, due = review(card, rating, at)
                if state == REVIEW and rating == 1:
                    lapses += 1
                reps += 1
                state = card[0]
                append((state, card[1], card[2], card[3], due, at, rating, reps, lapses))
        finally:
            if saved is not None:
                random.setstate(saved)
        return steps

    def _card_fsrs(self, key: CardKey, rows: Iterable[ReplayInput]) -> list[Step]:
        steps: list[Step] = []
        card: fsrs.Card | None = None
        state, reps, lapses = 0, 0, 0
        card_id: int | None = None
        saved: Any = None
        utc = timezone.utc
        try:
            for is_reset, at, rating, duration_ms, scheduler_id in rows:
                if is_reset:
                    card, state, reps, lapses = None, 0, 0, 0
                    steps.append(NEW_STEP)
                    continue
                assert rating is not None and scheduler_id is not None
                scheduler = self.scheduler(scheduler_id)
                if at.tzinfo is not utc:
                    at = at.astimezone(utc)
                if card is None:
                    if card_id is None:
                        card_id = scheduling.card_id(key)
                    card = self._card_type(card_id=card_id, due=at)
                if scheduler.enable_fuzzing:
                    if saved is None:
                        saved = random.getstate()
                    random.seed(scheduling.fuzz_seed(key, at))
                card, _ = scheduler.review_card(card, self._ratings[rating], at, duration_ms)
                if state == REVIEW and rating == 1:
                    lapses += 1
                reps += 1
                state = int(card.state)
                steps.append((state, card.step, card.stability, card.difficulty, card.due,
                              card.last_review, rating, reps, lapses))
        finally:
            if saved is not None:
                random.setstate(saved)
        return steps


def step_result(step: Step) -> tuple[Any, ...]:
    """The stored result (``RESULT_COLUMNS``) of a replayed answer's step:
    ``store_rows.result_values(Memory(*step))`` without the ``Memory``."""
    state, step_no, stability, difficulty, due, _, _, reps, lapses = step
    return (state, step_no, stability, difficulty, None if due is None else micros(due), reps,
            lapses)


def step_row(step: Step) -> tuple[Any, ...]:
    """``memory_values(Memory(*step))``, without building the ``Memory``."""
    state, step_no, stability, difficulty, due, last, last_rating, reps, lapses = step
    return (state, step_no, stability, difficulty, to_text(due) if due else None,
            to_text(last) if last else None, last_rating, reps, lapses)


_SAVED_STATE = RESULT.start  # a row's saved result state: None when it has no result


def stale_rows(rows: Sequence[Row], steps: Sequence[Step]) -> list[int]:
    """The ids of the answer rows (of ``rows``, replayed to ``steps``) whose saved result is
    not the replayed one; rows with no saved result are left out."""
    return [row[ID] for row, step in zip(rows, steps, strict=True)
            if row[_SAVED_STATE] is not None and row[KIND] != RESET
            and row[RESULT] != step_result(step)]


def memory_of(steps: Sequence[Step]) -> Memory:
    """The memory after the last step (a new card's when there is none)."""
    return Memory(*steps[-1]) if steps else Memory()


# --- bulk reading ---------------------------------------------------------------------------


def select_rows(schema_version: int, where: str = "") -> str:
    """The SELECT of ``ROW_COLUMNS`` (``origin`` is '' before schema 4 had it, the results
    are read from ``card_after`` text before schema 9)."""
    columns = list(ROW_COLUMNS)
    columns[RESULT] = [result_sql(name, schema_version) for name in RESULT_COLUMNS]
    if schema_version < 4:
        columns[ORIGIN] = "'' AS origin"
    if schema_version < 5:
        columns[DEVICE], columns[SEQ] = "'' AS device", "NULL AS seq"
    return f"SELECT {', '.join(columns)} FROM log{' WHERE ' + where if where else ''} ORDER BY id"


def rows_by_card(rows: Iterable[Row]) -> dict[CardKey, list[Row]]:
    """Rows grouped by card, each card's in the order given (id order from ``select_rows``)."""
    by_card: dict[CardKey, list[Row]] = {}
    for row in rows:
        key = (row[DECK], row[QUESTION])
        found = by_card.get(key)
        if found is None:
            by_card[key] = [row]
        else:
            found.append(row)
    return by_card


def read_rows(db: sqlite3.Connection, schema_version: int) -> dict[CardKey, list[Row]]:
    """Every log row, grouped by card."""
    with collector_paused():
        return rows_by_card(db.execute(select_rows(schema_version)))


_ORIGIN_OF = operator.itemgetter(ORIGIN)  # a row's origin: '' (falsy) for the trainer's own
_AT_AND_ID = operator.itemgetter(AT, ID)
_DEVICE_OF = operator.itemgetter(DEVICE)
_SEQ_OF = operator.itemgetter(SEQ)
_AT_OF = operator.itemgetter(AT)


def ordered_counting(rows: Sequence[Row], own_device: str = "") -> list[Row]:
    """A card's rows (in id order) in replay order (``scheduling.replay_order``), keeping
    those that move the schedule (``LogEntry.counts``)."""
    if any(map(_DEVICE_OF, rows)):  # (map: no generator frame per row)
        streams = scheduling.device_streams(
            rows, _ORIGIN_OF, _DEVICE_OF, _SEQ_OF, _AT_AND_ID, own_device)
        rows = (_merge_two(*streams) if len(streams) == 2
                else scheduling.merge_streams(streams, _AT_OF))
    elif any(map(_ORIGIN_OF, rows)):
        # itemgetters: interleave's own test is the truthiness of what is_foreign returns
        rows = scheduling.interleave(rows, _ORIGIN_OF, _AT_AND_ID)
    return [row for row in rows
            if row[UNDONE] is None and (row[KIND] == RESET or row[RESCHEDULED])]


def _merge_two(first: tuple[Any, Sequence[Row]], second: tuple[Any, Sequence[Row]]
               ) -> list[Row]:
    """``scheduling.merge_streams`` of two (non-empty) streams, without its heap: the two
    devices of a first sync. The earlier head goes first; equal times, the lower rank (equal
    ranks too: the first stream, as the heap's stream number decides)."""
    (rank_a, a), (rank_b, b) = first, second
    merged: list[Row] = []
    append = merged.append
    i = j = 0
    at_a, at_b = a[0][AT], b[0][AT]
    while True:
        if at_a < at_b or (at_a == at_b and rank_a <= rank_b):
            append(a[i])
            i += 1
            if i == len(a):
                merged.extend(b[j:])
                return merged
            at_a = a[i][AT]
        else:
            append(b[j])
            j += 1
            if j == len(b):
                merged.extend(a[i:])
                return merged
            at_b = b[j][AT]


def entry_rows(entries: Iterable[LogEntry]) -> list[Row]:
    """Log entries in ``ROW_COLUMNS``' layout (their times as datetimes: the replay takes a
    time as text or as a datetime)."""
    return [(e.deck_id, e.question_id, e.id, e.kind, e.at, e.rating, e.duration_ms,
             int(e.rescheduled), e.scheduler_id, e.state_before,
             None if e.undone_at is None else to_text(e.undone_at), e.origin, e.device, e.seq,
             *result_values(e.after))
            for e in entries]


def inputs(rows: Iterable[Row]) -> Iterator[ReplayInput]:
    parse = datetime.fromisoformat  # from_text without its astimezone: the replayers do it
    for row in rows:
        at = row[AT]
        yield (row[KIND] == RESET, parse(at) if at.__class__ is str else at, row[RATING],
               row[DURATION], row[SCHEDULER])


# Above this many cards, reading the whole log once beats one indexed query per card.
_WHOLE_LOG_FROM = 2000


def read_card_rows(
    db: sqlite3.Connection, schema_version: int, keys: Iterable[CardKey]
) -> dict[CardKey, list[Row]]:
    """The log rows of the cards ``keys``, grouped by card (cards without rows left out)."""
    wanted = set(keys)
    with collector_paused():
        return _read_card_rows(db, schema_version, wanted)


def _read_card_rows(db: sqlite3.Connection, schema_version: int, wanted: set[CardKey]
                    ) -> dict[CardKey, list[Row]]:
    if len(wanted) > _WHOLE_LOG_FROM:
        logs = read_rows(db, schema_version)
        return {key: rows for key, rows in logs.items() if key in wanted}
    sql = select_rows(schema_version, "deck_id = ? AND question_id = ?")
    found: dict[CardKey, list[Row]] = {}
    for key in wanted:
        rows = db.execute(sql, key).fetchall()
        if rows:
            found[key] = rows
    return found


# A row's state before and result, rewritten: (state before, *result, row id).
UPDATE_RESULTS = ("UPDATE log SET state_before = ?,"
                  f" {', '.join(f'{c} = ?' for c in RESULT_COLUMNS)} WHERE id = ?")
# Before schema 9 (tests stand in older releases) the result went in as ``card_after`` text.
_UPDATE_RESULTS_LEGACY = (
    f"UPDATE log SET state_before = ?, card_after = legacy_result_json("
    f"{', '.join('?' * len(RESULT_COLUMNS))}, at, rating) WHERE id = ?")


def update_results_sql(schema_version: int) -> str:
    """The UPDATE that writes ``replay_changes``' changes."""
    return UPDATE_RESULTS if schema_version >= 9 else _UPDATE_RESULTS_LEGACY


def rewrite(store_db: sqlite3.Connection, schema_version: int, replayer: Replayer,
            key: CardKey, rows: Sequence[Row]) -> Memory:
    """Replay one card's rows (in id order), rewriting each answer's saved state before and
    result where the replay gives another; the card's memory after its last row."""
    changed, memory = replay_changes(replayer, key, rows)
    if changed:
        store_db.executemany(update_results_sql(schema_version), changed)
    return memory


def replay_changes(
    replayer: Replayer, key: CardKey, rows: Sequence[Row]
) -> tuple[list[tuple[Any, ...]], Memory]:
    """What ``rewrite`` writes, without writing it: (state before, *result, row id) of each
    answer whose saved values differ from the replay's, and the card's memory."""
    counted = ordered_counting(rows, replayer.own_device)
    steps = replayer.card_rows(key, counted)
    changed: list[tuple[Any, ...]] = []
    append = changed.append
    state_before = 0
    results, epoch, micro = RESULT, EPOCH, MICROSECOND
    for row, step in zip(counted, steps, strict=True):
        if row[KIND] != RESET:
            # step_result(step), inline: a first sync compares a million
            state, step_no, stability, difficulty, due, _, _, reps, lapses = step
            result = (state, step_no, stability, difficulty,
                      None if due is None else (due - epoch) // micro, reps, lapses)
            if row[STATE_BEFORE] != state_before or row[results] != result:
                append((state_before, *result, row[ID]))
        state_before = step[0]
    return changed, memory_of(steps)
