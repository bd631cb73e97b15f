"""Which of Anki's review rows become trainer log rows, and when they count as having happened.

Anki counts days by its day boundaries (the rollover hour, 4:00 local by default); FSRS in the
trainer counts 24-hour periods from the review time. Each Anki review is therefore placed at
the start of its Anki day: replayed that way with no learning steps and no fuzz, FSRS gives
Anki's own memory state (measured: 10 of 10 cards; 0 of 10 on raw timestamps).
Rows that record no recall (manual changes, ratings of 0, filtered-deck reviews that did not
reschedule) are skipped and counted; a Forget starts the card's history again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..collector import collector_paused
from ..trainer.store import log_indexes_rebuilt_for
from ..trainer.store_rows import NO_RESULT, RESULT_COLUMNS, placeholders
from ..trainer.types import CardKey, Memory
from .anki_collection import AnkiReview, CollectionSnapshot, NoteCards, open_snapshot
from .anki_push import PushedMatcher
from .origins import ANKI_ORIGIN as ORIGIN

if TYPE_CHECKING:
    from ..trainer.library import DeckLibrary
    from ..trainer.store import Store


_LEARN, _REVIEW, _RELEARN, _FILTERED, _MANUAL, _RESCHEDULED = range(6)


class Skip(Enum):
    MANUAL = "manual changes (set due date, reschedule)"
    NO_RATING = "rows without a rating"
    FILTERED = "filtered-deck reviews that did not reschedule"
    PUSHED = "reviews pushed from the trainer"
    UNKNOWN_CARD = "reviews of cards the sources no longer have (a removed cloze deletion)"


@dataclass(frozen=True)
class PulledRow:
    """An Anki review (``rating`` 1-4) or a Forget (``rating`` None) of one of our cards."""

    key: CardKey
    revlog_id: int
    at: datetime  # the start of the review's Anki day, UTC
    rating: int | None
    duration_ms: int


@dataclass
class PullPlan:
    rows: list[PulledRow] = field(default_factory=list)
    skipped: Counter[Skip] = field(default_factory=Counter)
    matched_notes: int = 0
    #: GUIDs of notes of our note type whose question no longer exists in the sources
    orphaned: list[str] = field(default_factory=list)


def plan_pull(
    snapshot: CollectionSnapshot,
    keys_by_guid: Mapping[str, NoteCards],
    anki_day_start: Callable[[datetime], datetime],
    pushed: AbstractSet[tuple[CardKey, int]] = frozenset(),
) -> PullPlan:
    """The log rows to add for our notes in ``snapshot``, in Anki's order.

    ``pushed`` holds (card, revlog id) of the trainer's own reviews (``anki_push.pushed_ids``):
    those revlog rows are the trainer's reviews pushed earlier, skipped and counted.
    """
    plan = PullPlan()
    for note in snapshot.notes:
        note_cards = keys_by_guid.get(note.guid)
        if note_cards is None:
            plan.orphaned.append(note.guid)
            continue
        plan.matched_notes += 1
        for card_id, ord_ in zip(note.card_ids, note.card_ords, strict=True):
            _plan_card(plan, note_cards.get(ord_), snapshot.reviews.get(card_id, []),
                       anki_day_start, pushed)
    return plan


def _plan_card(plan: PullPlan, key: CardKey | None, reviews: Iterable[AnkiReview],
               anki_day_start: Callable[[datetime], datetime],
               pushed: AbstractSet[tuple[CardKey, int]]) -> None:
    for review in reviews:
        skip = (Skip.UNKNOWN_CARD if key is None
                else Skip.PUSHED if (key, review.revlog_id) in pushed
                else _skip_reason(review.kind, review.ease, review.interval))
        if skip is not None:
            plan.skipped[skip] += 1
            continue
        assert key is not None
        moment = datetime.fromtimestamp(review.revlog_id / 1000, tz=timezone.utc)
        rating = review.ease if review.ease else None  # ease 0 left here: a Forget
        plan.rows.append(
            PulledRow(key, review.revlog_id, anki_day_start(moment), rating, review.time_ms))


def _skip_reason(kind: int, ease: int, interval: int) -> Skip | None:
    if kind == _MANUAL and ease == 0 and interval == 0:
        return None  # Forget: the card is new again
    if kind in (_MANUAL, _RESCHEDULED):
        return Skip.MANUAL
    if ease == 0:
        return Skip.NO_RATING
    if kind == _FILTERED:
        return Skip.FILTERED
    return None


# --- the pull as one pass over SQL rows (what `srs anki pull` runs) --------------------------
#
# A million revlog rows are read as plain tuples, classified by plan_pull's rule, placed on
# their Anki day through a cache of day boundaries (a few hundred distinct days, not a million
# time-zone conversions), replayed with the cards' existing log in memory, and inserted once
# with the state the replay gives (no row is inserted and then rewritten). A pull whose inputs
# are unchanged since the last one (same revlog, notes, cards, sources and trainer log: the
# fingerprint in ``MARKS_FILE`` beside the database) reads the fingerprint only.

MARKS_FILE = "anki-pull-marks.json"
_HOUR_MS = 3_600_000


@dataclass
class PullReport:
    path: Path
    schema_version: int
    matched_notes: int = 0
    added: int = 0
    already_there: int = 0
    skipped: Counter[Skip] = field(default_factory=Counter)
    cards_replayed: int = 0
    #: GUIDs of notes of our note type whose question no longer exists in the sources
    orphaned: list[str] = field(default_factory=list)
    #: nothing changed since the last pull: only the fingerprint was read
    unchanged: bool = False


def pull(
    store: Store, path: Path, keys_by_guid: Callable[[], Mapping[str, NoteCards]],
    note_type_ids: Iterable[int], scheduler_json_for: Mapping[str, str], tz: tzinfo | None,
    sources_key: str | None = None,
) -> PullReport:
    """Add the reviews of our notes in the Anki collection at ``path`` to ``store``'s log and
    re-derive the cards they touch (``scheduler_json_for``: a deck's scheduler for them).

    ``keys_by_guid`` gives our notes' GUIDs and cards (``our_note_cards``), called only when
    the pull has work to do; ``sources_key`` names the sources' content (the library's digests), and
    without it the GUIDs themselves do.
    """
    note_types = sorted(set(note_type_ids))
    guids: Mapping[str, NoteCards] | None = None
    if sources_key is None:
        guids = keys_by_guid()
        sources_key = _guids_key(guids)
    with open_snapshot(path) as (anki, version, rollover):
        mark = _fingerprint(anki, store, sources_key, note_types, scheduler_json_for,
                            rollover, tz)
        marks_path = store.path.with_name(MARKS_FILE)
        marks = _read_marks(marks_path)
        previous = marks.get(str(path.resolve()))
        if isinstance(previous, dict) and previous.get("fingerprint") == mark:
            unchanged = _report_unchanged(path, version, previous.get("report"))
            if unchanged is not None:
                return unchanged
        report = PullReport(path, version)
        cards = _our_cards(anki, guids if guids is not None else keys_by_guid(), note_types,
                           report)
        with store.transaction(), _page_cache(store.db), collector_paused():
            _merge(store, anki, cards, scheduler_json_for, rollover, tz, report)
        mark = _fingerprint(anki, store, sources_key, note_types, scheduler_json_for,
                            rollover, tz)
    marks[str(path.resolve())] = {"fingerprint": mark, "report": _report_json(report)}
    _write_marks(marks_path, marks)
    return report


#: SQLite's page cache while a pull writes (KiB): the log's card index takes its million
#: inserts at random places, which SQLite's default 2 MB turns into page reads and writes.
PULL_CACHE_KIB = 256 * 1024


@contextmanager
def _page_cache(db: sqlite3.Connection) -> Iterator[None]:
    (before,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute(f"PRAGMA cache_size = {-PULL_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(before)}")


def _our_cards(anki: sqlite3.Connection, keys_by_guid: Mapping[str, NoteCards],
               note_types: list[int], report: PullReport) -> dict[int, CardKey | None]:
    """Every card of each note of ours, by card id: the trainer's card for its ord (None for
    a card the sources no longer have); counts matched notes and orphans."""
    anki.execute("CREATE TEMP TABLE wanted (guid TEXT PRIMARY KEY)")
    anki.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((g,) for g in keys_by_guid))
    marks = ", ".join("?" * len(note_types)) or "NULL"
    cards: dict[int, CardKey | None] = {}
    previous_note = None
    for note_id, guid, ord_, card_id in anki.execute(
            "SELECT n.id, n.guid, c.ord, c.id FROM notes n LEFT JOIN cards c ON c.nid = n.id"
            f" WHERE n.guid IN (SELECT guid FROM wanted) OR n.mid IN ({marks})"
            " ORDER BY n.id, c.ord", note_types):
        note_cards = keys_by_guid.get(guid)
        first_card = note_id != previous_note
        previous_note = note_id
        if note_cards is None:
            if first_card:
                report.orphaned.append(guid)
            continue
        report.matched_notes += first_card
        if card_id is not None:
            cards[card_id] = note_cards.get(ord_)
    return cards


def _merge(store: Store, anki: sqlite3.Connection, cards: dict[int, CardKey | None],
           scheduler_json_for: Mapping[str, str], rollover: int, tz: tzinfo | None,
           report: PullReport) -> None:
    from ..trainer import replay

    db = store.db
    known = set(db.execute("SELECT deck_id, question_id FROM cards"))
    scheduler_ids = {deck: store.scheduler_id(text) for deck, text in scheduler_json_for.items()}
    pulled = {origin_id for (origin_id,) in db.execute(
        "SELECT origin_id FROM log WHERE origin = ? AND origin_id IS NOT NULL", (ORIGIN,))}
    pushed = _pushed_matcher(db)
    anki.execute("CREATE TEMP TABLE ours (cid INTEGER PRIMARY KEY)")
    anki.executemany("INSERT INTO ours VALUES (?)", ((card_id,) for card_id in cards))
    day_text = _DayText(rollover, tz)
    next_id = int(db.execute(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'log'), 0),"
        " coalesce((SELECT max(id) FROM log), 0)) + 1").fetchone()[0])
    # Ids in revlog (time) order: the log's rowid, time, origin and deck-time indexes then
    # grow at their end instead of taking a million inserts at random places. A new row is
    # replay.Row (ROW_COLUMNS) followed by (origin_id, note); the insert leaves out device and seq.
    new_rows: dict[CardKey, list[replay.Row]] = {}
    flat: list[replay.Row] = []
    own_cards = pushed.cards
    days = day_text.days
    for card_id, revlog_id, ease, time_ms, kind, interval in anki.execute(
            "SELECT r.cid, r.id, r.ease, r.time, r.type, r.ivl FROM revlog r"
            " WHERE r.cid IN (SELECT cid FROM ours) ORDER BY r.id"):
        key = cards[card_id]
        if key is None:
            report.skipped[Skip.UNKNOWN_CARD] += 1
            continue
        skip = _skip_reason(kind, ease, interval)  # plan_pull's rule, row by row
        if skip is not None:
            report.skipped[skip] += 1
            continue
        if key in own_cards and (key, revlog_id) in pushed:
            report.skipped[Skip.PUSHED] += 1
            continue
        if revlog_id in pulled:
            report.already_there += 1
            continue
        if key not in known:
            continue
        day = days.get(revlog_id // _HOUR_MS)
        at = day[2] if day is not None and day[0] <= revlog_id < day[1] else day_text(revlog_id)
        deck = key[0]
        row = (deck, key[1], next_id, "answer", at, ease, time_ms, 1, scheduler_ids[deck],
               None, None, ORIGIN, "", None, *NO_RESULT, revlog_id, "") if ease else (
               deck, key[1], next_id, "reset", at, None, time_ms, 1, None, None, None,
               ORIGIN, "", None, *NO_RESULT, revlog_id, _FORGET_NOTE)
        next_id += 1
        flat.append(row)
        found = new_rows.get(key)
        if found is None:
            new_rows[key] = [row]
        else:
            found.append(row)
    if not new_rows:
        return
    existing = replay.read_card_rows(db, store.schema_version, new_rows)
    replayer = replay.Replayer(
        store.scheduler_json, own_device=store.device_id if store.schema_version >= 5 else "")
    results: dict[int, tuple[Any, ...]] = {}  # a new row's (state before, *result)
    updates: list[tuple[Any, ...]] = []
    memories: list[tuple[CardKey, Memory]] = []
    for key, added in new_rows.items():
        first_new = added[0][replay.ID]
        before = existing.get(key)
        changed, memory = replay.replay_changes(
            replayer, key, [*before, *added] if before else added)
        for change in changed:  # (state before, *result, row id)
            if change[-1] >= first_new:
                results[change[-1]] = change[:-1]
            else:
                updates.append(change)
        memories.append((key, memory))
    store.set_memories(memories)
    unset = (None, *NO_RESULT)
    with log_indexes_rebuilt_for(db, len(flat)):
        scheduler, row_id, rest = replay.SCHEDULER, replay.ID, replay.RESULT.stop
        db.executemany(_INSERT_PULLED, (
            (*row[:replay.RESCHEDULED], row[scheduler], *results.get(row[row_id], unset),
             *row[rest:]) for row in flat))
    if updates:
        db.executemany(replay.update_results_sql(store.schema_version), updates)
    report.added = sum(len(added) for added in new_rows.values())
    report.cards_replayed = len(new_rows)


_FORGET_NOTE = f"{ORIGIN}: forget"
# A pulled row reschedules, is not undone and comes from Anki: those three are constants (the
# row's own values are the same), three values a row less to bind.
_INSERT_PULLED = (
    "INSERT INTO log (deck_id, question_id, id, kind, at, rating, duration_ms, scheduler_id,"
    f" state_before, {', '.join(RESULT_COLUMNS)}, origin_id, note, rescheduled, undone_at,"
    f" origin, mode) VALUES ({placeholders(11 + len(RESULT_COLUMNS))}, 1, NULL, '{ORIGIN}',"
    " 'review')")


class _DayText:
    """The start of a revlog id's Anki day, as the log's time text; cached by UTC hour and
    checked against the cached day's bounds, so it equals ``day_start`` for any time zone."""

    def __init__(self, rollover: int, tz: tzinfo | None) -> None:
        self._rollover, self._tz = rollover, tz
        #: by UTC hour: (day start ms, next day start ms, day start text)
        self.days: dict[int, tuple[int, int, str]] = {}

    def __call__(self, revlog_id: int) -> str:
        found = self.days.get(revlog_id // _HOUR_MS)
        if found is not None and found[0] <= revlog_id < found[1]:
            return found[2]
        from ..trainer.calendar import day_start, next_day_start
        from ..trainer.types import to_text

        moment = datetime.fromtimestamp(revlog_id / 1000, tz=timezone.utc)
        start = day_start(moment, self._rollover, self._tz)
        end = next_day_start(moment, self._rollover, self._tz)
        day = (_ms(start), _ms(end), to_text(start))
        self.days[revlog_id // _HOUR_MS] = day
        return day[2]


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _pushed_matcher(db: sqlite3.Connection) -> PushedMatcher:
    """The trainer's own rows that a push writes (``anki_push.pushable``), read in SQL."""
    from ..trainer.types import from_text
    from .anki_push import revlog_id

    own: dict[CardKey, list[int]] = {}
    for deck, question, at in db.execute(
            "SELECT deck_id, question_id, at FROM log WHERE origin = '' AND undone_at IS NULL"
            " AND (kind = 'reset' OR (kind = 'answer' AND rescheduled = 1"
            " AND rating IS NOT NULL))"):
        own.setdefault((deck, question), []).append(revlog_id(from_text(at)))
    return PushedMatcher(own)


def _guids_key(keys_by_guid: Mapping[str, NoteCards]) -> str:
    digest = hashlib.sha256()
    for guid in sorted(keys_by_guid):
        for ord_, (deck, question) in sorted(keys_by_guid[guid].items()):
            digest.update(f"{guid}\x1f{ord_}\x1f{deck}\x1f{question}\n".encode())
    return digest.hexdigest()


def _fingerprint(anki: sqlite3.Connection, store: Store, sources_key: str,
                 note_types: list[int], scheduler_json_for: Mapping[str, str], rollover: int,
                 tz: tzinfo | None) -> str:
    """What a pull's result depends on, summed up: Anki's revlog, notes and cards, our notes
    and schedulers, the day convention, and the trainer's log and cards."""
    digest = hashlib.sha256()
    for query in ("SELECT count(*), max(id), total(id) FROM revlog",
                  "SELECT count(*), max(id), total(id), max(mod) FROM notes",
                  "SELECT count(*), max(id), total(id), total(nid), max(mod) FROM cards"):
        digest.update(repr(anki.execute(query).fetchone()).encode())
    for query in ("SELECT count(*), max(id) FROM log",
                  "SELECT count(*) FROM log WHERE undone_at IS NOT NULL",
                  "SELECT count(*) FROM cards"):
        digest.update(repr(store.db.execute(query).fetchone()).encode())
    digest.update(repr((sources_key, note_types, sorted(scheduler_json_for.items()), rollover,
                        str(tz))).encode())
    return digest.hexdigest()


def _report_json(report: PullReport) -> dict[str, Any]:
    return {"matched_notes": report.matched_notes,
            "pulled": report.added + report.already_there,
            "skipped": {reason.name: count for reason, count in report.skipped.items()},
            "orphaned": report.orphaned}


def _report_unchanged(path: Path, version: int, saved: Any) -> PullReport | None:
    """The last pull's report, saved with its fingerprint (None if it is not one)."""
    try:
        return PullReport(
            path, version, matched_notes=int(saved["matched_notes"]),
            already_there=int(saved["pulled"]),
            skipped=Counter({Skip[name]: int(n) for name, n in saved["skipped"].items()}),
            orphaned=[str(guid) for guid in saved["orphaned"]], unchanged=True)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _read_marks(path: Path) -> dict[str, Any]:
    """The fingerprints of earlier pulls; none when the file is missing or unreadable (the
    next pull then does the whole work and writes it again)."""
    try:
        marks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marks if isinstance(marks, dict) else {}


def _write_marks(path: Path, marks: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(json.dumps(marks, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # only a cache: the next pull does the whole work


def sources_key(decks: DeckLibrary) -> str:
    """What names our notes' GUIDs without building every question: the library's deck ids
    and content digests."""
    return repr(sorted((entry.deck_id, entry.digest) for entry in decks.entries()))
