"""`srs anki push`: the trainer's own reviews of our notes into a learner's Anki collection.

Each pushed review becomes a revlog row whose id is the review time in epoch milliseconds
(Anki's own convention), so a review is recognised as pushed by that id alone: a second push
writes nothing, and a pull skips revlog rows whose id is the time of one of the trainer's own
reviews of that card. Cards are rescheduled through the ``anki`` library (``col.update_card``
marks them for sync: usn -1, mod now), with the trainer's FSRS memory state and a due day
counted, as Anki does, from ``col.crt`` in days that start at the collection's rollover hour.
The ``anki`` library is imported here only, lazily: the review path never loads it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from ..trainer.calendar import learner_day
from ..trainer.types import (
    ANSWER,
    LEARNING,
    NEW,
    RELEARNING,
    RESET,
    REVIEW,
    CardKey,
    LogEntry,
    Memory,
)
from .anki_collection import CollectionError, NoteCards

INSTALL_HINT = "srs anki push needs the anki library: pip install 'srs-trainer[anki]'"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_REVLOG_LEARN, _REVLOG_REVIEW, _REVLOG_RELEARN, _REVLOG_MANUAL = 0, 1, 2, 4
_QUEUE_LEARNING, _QUEUE_REVIEW, _QUEUE_DAY_LEARNING = 1, 2, 3


def revlog_id(at: datetime) -> int:
    """The revlog id of a review made at ``at``: its time in epoch milliseconds (or, when
    another row has that id, the next free one: see ``PushedMatcher``)."""
    return (at - _EPOCH) // timedelta(milliseconds=1)


def pushed_ids(entries: Iterable[LogEntry]) -> set[tuple[CardKey, int]]:
    """(card, review time in ms) of every row made in the trainer that a push writes."""
    return {((e.deck_id, e.question_id), revlog_id(e.at)) for e in entries if pushable(e)}


def pushable(entry: LogEntry) -> bool:
    """A live, rescheduling answer or a reset made in the trainer (not pulled from elsewhere):
    an answer becomes a review row in Anki, a reset Anki's Forget."""
    if entry.origin != "" or entry.undone_at is not None:
        return False
    return entry.kind == RESET or (
        entry.kind == ANSWER and entry.rescheduled and entry.rating is not None)


#: How far past a row's own millisecond its revlog id may be bumped when that id is taken.
BUMP_WINDOW_MS = 1000


class PushedMatcher:
    """Which revlog rows of a card are the trainer's own rows pushed earlier.

    Anki's revlog id is the review time in ms and unique over the whole collection, so two
    rows in one millisecond (two cards answered in one tick, an answer and a reset) cannot
    both have it: the second gets the next free id. A card's revlog row is therefore one of
    the trainer's when it falls within ``BUMP_WINDOW_MS`` at or after one of the trainer's
    row times of that card not matched yet, matched in time order (a review of the same
    card made in Anki within that second would be taken for it). Rows must be offered in
    increasing id for each card.
    """

    def __init__(self, own: Mapping[CardKey, Iterable[int]]) -> None:
        self._own = {key: sorted(times) for key, times in own.items()}
        self._next = dict.fromkeys(self._own, 0)
        #: the cards with rows of the trainer's own (no other card's row is one)
        self.cards = frozenset(self._own)
        self._missed: dict[CardKey, list[int]] = {}

    def __contains__(self, item: tuple[CardKey, int]) -> bool:
        key, revlog = item
        times = self._own.get(key)
        if times is None:
            return False
        index = self._next[key]
        while index < len(times) and times[index] + BUMP_WINDOW_MS <= revlog:
            # no revlog row for it (not pushed yet): none later can be it
            self._missed.setdefault(key, []).append(index)
            index += 1
        matched = index < len(times) and times[index] <= revlog
        self._next[key] = index + 1 if matched else index
        return matched

    def unmatched(self, key: CardKey) -> list[int]:
        """Positions (in time order) of the card's own rows that no offered row matched."""
        times = self._own.get(key, [])
        return [*self._missed.get(key, ()), *range(self._next.get(key, 0), len(times))]


@dataclass
class PushResult:
    notes_matched: int = 0
    reviews_written: int = 0
    cards_rescheduled: int = 0
    #: cards whose newest review is in Anki and not yet pulled: their schedule was left alone
    behind: int = 0
    backup: Path | None = None


def push(
    path: Path, logs: Mapping[CardKey, Sequence[LogEntry]], memories: Mapping[CardKey, Memory],
    guids: Mapping[str, NoteCards], tz: tzinfo | None, now: datetime,
) -> PushResult:
    """Write the trainer's reviews in ``logs`` (of our notes, by GUID) into the collection."""
    try:
        from anki.collection import Collection
        from anki.errors import DBError
    except ImportError:
        raise CollectionError(INSTALL_HINT) from None
    col = _open(path, Collection, DBError)
    result = PushResult()
    try:
        work = _plan(col, logs, guids, result)
        if not work:
            return result
    finally:
        col.close()
    result.backup = _backup(path, now)
    col = _open(path, Collection, DBError)
    try:
        rollover = int(col.get_config("rollover", 4))
        today = col.sched.today
        for card_id, key, entries in work:
            last_written = _write_reviews(col, card_id, entries)
            result.reviews_written += len(entries)
            newest_anki = col.db.scalar("SELECT max(id) FROM revlog WHERE cid = ?", card_id)
            if newest_anki is not None and newest_anki > last_written:
                result.behind += 1
                continue
            _reschedule(col, card_id, memories[key], today, rollover, tz, now)
            result.cards_rescheduled += 1
    finally:
        col.close()
    return result


def _open(path: Path, collection: Any, db_error: type[Exception]) -> Any:
    try:
        return collection(str(path))
    except db_error as error:
        if "already open" in str(error) or "locked" in str(error):
            raise CollectionError(
                f"{path}: Anki has the collection open; close Anki (or that profile) and push"
                " again") from None
        raise CollectionError(f"{path}: not an Anki collection ({error})") from None
    except Exception as error:  # the backend's other refusals: not a collection at all
        raise CollectionError(f"{path}: not an Anki collection ({error})") from None


def _plan(col: Any, logs: Mapping[CardKey, Sequence[LogEntry]],
          guids: Mapping[str, NoteCards],
          result: PushResult) -> list[tuple[int, CardKey, list[LogEntry]]]:
    marks = ",".join("?" * len(guids)) or "NULL"
    rows = col.db.all(
        "SELECT n.id, n.guid, c.ord, c.id FROM notes n JOIN cards c ON c.nid = n.id"
        f" WHERE n.guid IN ({marks}) ORDER BY n.id, c.ord", *guids)
    work = []
    notes: set[int] = set()
    for note_id, guid, ord_, card_id in rows:
        notes.add(note_id)
        key = guids[guid].get(ord_)
        if key is None:
            continue  # a card (cloze deletion) the sources no longer have: nothing to push
        own = sorted((e for e in logs.get(key, ()) if pushable(e)),
                     key=lambda e: (revlog_id(e.at), e.id))
        matcher = PushedMatcher({key: [revlog_id(e.at) for e in own]})
        for written in col.db.list(_PUSHED_SHAPE, card_id):
            _ = (key, written) in matcher
        entries = [own[index] for index in matcher.unmatched(key)]
        if entries:
            work.append((card_id, key, entries))
    result.notes_matched = len(notes)
    return work


# The card's revlog rows that a push may have written: reviews, and Forgets (a manual row with
# no rating and no interval); Anki's own manual and filtered rows are never the trainer's.
_PUSHED_SHAPE = (
    "SELECT id FROM revlog WHERE cid = ? AND (ease > 0 AND type IN (0, 1, 2)"
    " OR type = 4 AND ease = 0 AND ivl = 0) ORDER BY id")


def _backup(path: Path, now: datetime) -> Path:
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.before-srs-push-{stamp}{path.suffix}")
    shutil.copy2(path, target)
    return target


def _write_reviews(col: Any, card_id: int, entries: Sequence[LogEntry]) -> int:
    """Insert the rows; the id of the last."""
    last_interval = row_id = 0
    for entry in entries:
        row_id = _free_id(col, revlog_id(entry.at))
        if entry.kind == RESET:
            # Anki's Forget: a manual row, no rating, interval 0 (what a pull reads as one)
            col.db.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                " VALUES (?, ?, -1, 0, 0, ?, 0, 0, ?)",
                row_id, card_id, last_interval, _REVLOG_MANUAL)
            last_interval = 0
            continue
        after = entry.after or Memory()
        interval = _interval(after, entry.at)
        kind = {REVIEW: _REVLOG_REVIEW, RELEARNING: _REVLOG_RELEARN}.get(
            entry.state_before or NEW, _REVLOG_LEARN)
        col.db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            row_id, card_id, entry.rating, interval, last_interval,
            _factor(after.difficulty), min(entry.duration_ms or 0, 60_000), kind)
        last_interval = interval
    return row_id


def _free_id(col: Any, wanted: int) -> int:
    """``wanted``, or the next id no revlog row has (within ``BUMP_WINDOW_MS``)."""
    taken = set(col.db.list("SELECT id FROM revlog WHERE id >= ? AND id < ?",
                            wanted, wanted + BUMP_WINDOW_MS))
    for candidate in range(wanted, wanted + BUMP_WINDOW_MS):
        if candidate not in taken:
            return candidate
    raise CollectionError(
        f"Anki's review log has no free id within {BUMP_WINDOW_MS} ms of {wanted}")


def _interval(memory: Memory, at: datetime) -> int:
    """Anki's ``ivl``: days if the next review is a day or more away, else negative seconds."""
    if memory.due is None:
        return 0
    gap = memory.due - at
    if gap >= timedelta(days=1):
        return max(1, round(gap / timedelta(days=1)))
    return -max(1, int(gap.total_seconds()))


def _factor(difficulty: float | None) -> int:
    """Under FSRS Anki keeps difficulty in ``factor``: 100 for D=1, 1100 for D=10."""
    if difficulty is None:
        return 0
    return 100 + round((difficulty - 1) / 9 * 1000)


def _reschedule(col: Any, card_id: int, memory: Memory, today: int, rollover: int,
                tz: tzinfo | None, now: datetime) -> None:
    from anki.cards import FSRSMemoryState

    card = col.get_card(card_id)
    if memory.state == NEW:  # reset in the trainer (Forget): new again, at the queue's end
        card.type, card.queue, card.ivl, card.left, card.factor = 0, 0, 0, 0, 0
        card.reps, card.lapses = 0, 0
        card.due = int(col.db.scalar("SELECT coalesce(max(due), 0) + 1 FROM cards"
                                     " WHERE type = 0") or 1)
        card.memory_state = None
        col.update_card(card, skip_undo_entry=True)
        return
    if memory.due is None:
        return
    due_day = today + (learner_day(memory.due, rollover, tz) - learner_day(now, rollover, tz)).days
    card.type = {LEARNING: 1, REVIEW: 2, RELEARNING: 3}[memory.state]
    if memory.state == REVIEW:
        card.queue, card.due, card.left = _QUEUE_REVIEW, due_day, 0
    elif due_day <= today:
        card.queue, card.due, card.left = _QUEUE_LEARNING, int(memory.due.timestamp()), 1
    else:
        card.queue, card.due, card.left = _QUEUE_DAY_LEARNING, due_day, 1
    last_day = learner_day(memory.last_review or now, rollover, tz)
    card.ivl = max(0, (learner_day(memory.due, rollover, tz) - last_day).days)
    card.reps, card.lapses = memory.reps, memory.lapses
    card.factor = _factor(memory.difficulty)
    if memory.stability is not None and memory.difficulty is not None:
        card.memory_state = FSRSMemoryState(
            stability=memory.stability, difficulty=memory.difficulty)
    if memory.last_review is not None:
        card.last_review_time = int(memory.last_review.timestamp())
    col.update_card(card, skip_undo_entry=True)
