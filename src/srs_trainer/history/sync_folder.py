"""`srs sync DIR`: one learner on several machines, through a folder a sync service shares.

The progress database stays on each machine (an SQLite file shared by a sync service gets
corrupted). What travels is events: every answer, reset, undo, challenge result and badge
change has a globally unique id, (device id, kind, the device's sequence number; migration
5), and each device appends its own events to its own file in the folder (``sync_files``).
A sync

1. appends this device's events not yet written there (``srs-<device>.jsonl``),
2. reads every other device's file from where the last sync stopped, and adds the events
   this database lacks (by id: an event read twice, or from a conflict copy, adds nothing),
3. replays every card those events touch (``log_merge.replay_cards``, the replay doctor and
   pull use), and folds the badge changes of every device into the badges table.

The result depends only on the set of events, never on the order in which machines synced:
the replay order (``scheduling.replay_order``) keeps each device's reviews of a card in that
device's own order, and merges devices by review time (the earliest next review first; equal
times by device id). So a device whose clock is minutes off never has its own reviews
reordered; only where its reviews fall among another device's moves. Badge changes are
folded in the same order.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..collector import collector_paused
from ..trainer import replay, scheduling
from ..trainer.store import Store, log_indexes_rebuilt_for
from ..trainer.store_rows import NO_RESULT, RESULT_COLUMNS, memory_values
from ..trainer.types import to_text
from . import sync_files
from .anki_pull import PULL_CACHE_KIB
from .log_merge import replay_cards
from .sync_export import CHALLENGE_FIELDS, LOG_FIELDS, export, forget_another_folder

CardKey = tuple[str, str]

_LOG_VALUES = operator.itemgetter(*LOG_FIELDS)
# Another device's new row as it waits for ``finish``: the replay's layout
# (``replay.ROW_COLUMNS``: it is replayed as it is) followed by the other columns the insert
# writes, so the insert takes it as it is too (its results put in once replayed).
_PENDING_COLUMNS = (*replay.ROW_COLUMNS, "attempts", "hint_used", "chosen", "mode", "note",
                    "origin_id")
# An event's fields in ``_PENDING_COLUMNS``' order.
_PENDING_VALUES = operator.itemgetter(
    "deck_id", "question_id", "kind", "at", "rating", "duration_ms", "rescheduled", "origin",
    "attempts", "hint_used", "chosen", "mode", "note", "origin_id")
_ORIGIN, _ORIGIN_ID, _DEVICE, _SEQ = (
    _PENDING_COLUMNS.index(name) for name in ("origin", "origin_id", "device", "seq"))
assert sorted(_PENDING_COLUMNS) == sorted(
    (*LOG_FIELDS, "id", "scheduler_id", "state_before", *RESULT_COLUMNS, "undone_at",
     "device", "seq"))
# Where a pending row's state before, columns after it up to its result, and the columns
# after its result are.
_BEFORE, _UNTIL_RESULT, _AFTER_RESULT = (
    replay.STATE_BEFORE, slice(replay.STATE_BEFORE + 1, replay.RESULT.start),
    slice(replay.RESULT.stop, None))
# This device's own events read back (`srs doctor --recover`): the row takes its old id.
_INSERT_OWN_LOG = (
    "INSERT OR IGNORE INTO log (id, kind, deck_id, question_id, at, rating, duration_ms,"
    " attempts, hint_used, chosen, mode, rescheduled, note, origin, origin_id, scheduler_id"
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_REPLAYED = (f"INSERT OR IGNORE INTO log ({', '.join(_PENDING_COLUMNS)})"
                    f" VALUES ({', '.join('?' * len(_PENDING_COLUMNS))})")
_ROW_ID = operator.itemgetter(-1)  # a change's row id


_parse_time = datetime.fromisoformat


def log_time(text: Any) -> str:
    """An event's time as the log holds times (``types.to_text``: fixed-width UTC text, which
    the log's indexes and queries read by position); ValueError or TypeError for one the
    replay could not read (not a time, or one without its offset from UTC)."""
    parsed = _parse_time(text)  # (the check of every time: 0.1 s for half a million)
    if (text.__class__ is str and len(text) == 32 and text[10] == "T" and text[19] == "."
            and text.endswith("+00:00")):
        return text  # (already the log's form)
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r}: a time without its offset from UTC")
    return to_text(parsed)


class SyncError(Exception):
    """The folder cannot be synced with (absent, not a folder, holds the database)."""


@dataclass
class FileNote:
    name: str
    added: int = 0
    pending_bytes: int = 0
    bad_lines: int = 0
    conflict_copy: bool = False
    reread: bool = False


@dataclass
class SyncReport:
    folder: Path
    device: str
    written: int = 0  # this device's events appended to its file
    added: int = 0  # other devices' events this database did not have
    already_there: int = 0
    cards_replayed: int = 0
    files: list[FileNote] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One line per thing the learner should know, then a summary line."""
        lines: list[str] = []
        for note in self.files:
            what = "conflict copy " if note.conflict_copy else ""
            if note.reread:
                lines.append(f"{what}{note.name}: changed other than by appending; read again"
                             " from its start (events already here add nothing)")
            if note.pending_bytes:
                lines.append(f"{what}{note.name}: its last line is incomplete"
                             f" ({note.pending_bytes} bytes, still being written or synced);"
                             " it is left for the next sync")
            if note.bad_lines:
                lines.append(f"{what}{note.name}: {note.bad_lines} line(s) are not events"
                             " and were skipped")
            if note.conflict_copy and note.added:
                lines.append(f"conflict copy {note.name}: {note.added} event(s) taken from it")
        lines.append(
            f"Synced with {self.folder}: wrote {self.written} event(s) of this device,"
            f" added {self.added} from {self.devices_seen} other file(s)"
            f" ({self.already_there} already here), {self.cards_replayed} card(s) replayed.")
        return lines

    @property
    def devices_seen(self) -> int:
        return len(self.files)


def check_folder(store: Store, folder: Path) -> Path:
    """The folder, resolved; SyncError when it cannot hold device files."""
    if not folder.exists():
        raise SyncError(f"{folder}: the sync folder does not exist (not mounted or not synced"
                        " yet?); nothing was synced")
    if not folder.is_dir():
        raise SyncError(f"{folder}: not a folder")
    resolved = folder.resolve()
    if resolved == store.path.resolve().parent or resolved in store.path.resolve().parents:
        raise SyncError(f"{folder}: holds the progress database {store.path}; a database"
                        " shared by a sync service gets corrupted: choose another folder")
    return resolved


def sync(store: Store, folder: Path, *, own_events: bool = False) -> SyncReport:
    """Write this device's new events to ``folder``, add every other device's, replay.

    ``own_events`` (``srs doctor --recover``) also reads this device's own events back, in
    every file, adding those the database lost (with their old ids).
    """
    folder = check_folder(store, folder)
    device = store.device_id
    report = SyncReport(folder, device)
    forget_another_folder(store, folder)
    report.written = export(store, folder, device)
    _import(store, folder, device, report, own_events)
    return report


# --- adding other devices' events --------------------------------------------------------------


def _import(store: Store, folder: Path, device: str, report: SyncReport,
            own_events: bool) -> None:
    own_name = sync_files.own_file(folder, device).name
    saved = {name: (offset, digest) for name, offset, digest in
             store.db.execute("SELECT name, offset, tail_hash FROM sync_files")}
    reads: list[sync_files.FileRead] = []
    for name in sync_files.event_files(folder):
        if name == own_name and not own_events:
            continue
        offset, digest = (0, "") if own_events else saved.get(name, (0, ""))
        try:
            read = sync_files.read_new(folder / name, offset, digest)
        except OSError:
            continue  # vanished or unreadable right now (the service is replacing it)
        reads.append(read)
        report.files.append(FileNote(name, 0, read.pending_bytes, read.bad_lines,
                                     sync_files.is_conflict_copy(name), read.reread))
    if all(read.unchanged for read in reads):
        return
    with _large_cache(store), collector_paused(), store.transaction():
        adder = _Adder(store, device, own_events)
        for read, note in zip(reads, report.files, strict=True):
            note.added = adder.add(read.events())
            note.bad_lines = read.bad_lines + adder.take_damaged()
            read.data = b""  # parsed: its bytes are not needed any more
        for read in reads:
            store.db.execute(
                "INSERT OR REPLACE INTO sync_files (name, offset, tail_hash) VALUES (?, ?, ?)",
                (read.name, read.offset, read.tail_hash))
        touched = adder.finish()
    report.added = sum(note.added for note in report.files)
    report.already_there = adder.seen - report.added
    report.cards_replayed = len(touched)


@contextmanager
def _large_cache(store: Store) -> Iterator[None]:
    """A larger page cache while a sync writes (a first sync adds and rewrites a million
    rows at places all over the log's indexes), as ``srs anki pull`` does."""
    (before,) = store.db.execute("PRAGMA cache_size").fetchone()
    store.db.execute(f"PRAGMA cache_size = {-PULL_CACHE_KIB}")
    try:
        yield
    finally:
        store.db.execute(f"PRAGMA cache_size = {int(before)}")


class _Adder:
    """Adds events to the database (inside the caller's transaction), counting new ones."""

    def __init__(self, store: Store, device: str, own_events: bool) -> None:
        self.store = store
        self.db = store.db
        self.device = device
        self.own_events = own_events
        self.schedulers: dict[tuple[str, int], int] = {
            (dev, n): local for dev, n, local in
            self.db.execute("SELECT device, n, scheduler_id FROM sync_schedulers")}
        self.touched: set[CardKey] = set()
        # Other devices' new log rows (``_PENDING_COLUMNS``), numbered from ``next_id`` on,
        # kept until ``finish``: they go in with their replayed results (no update after
        # the insert). ``known``: by device, the sequence numbers of the rows the log or
        # ``pending`` has (loaded per device when needed); ``pulled``: (origin, origin id).
        self.pending: list[tuple[Any, ...]] = []
        self.next_id = self._next_id()
        self.known: dict[str, set[int]] = {}
        self.pulled: set[tuple[Any, Any]] | None = None
        self.badges_changed = False
        self.undos_added = False
        self.seen = 0
        self.damaged = 0  # events of a damaged shape skipped since ``take_damaged``

    def add(self, events: Iterable[dict[str, Any]]) -> int:
        """Add one file's events; how many were new. Other devices' answers and resets are
        checked against the log (and ``pending``) as they come, and wait in ``pending``."""
        own: list[tuple[Any, ...]] = []
        device, own_events, values = self.device, self.own_events, _LOG_VALUES
        fields = _PENDING_VALUES
        schedulers, known, pending = self.schedulers, self.known, self.pending
        number = self.next_id + len(pending)
        added = seen = 0
        for event in events:
            dev = event["dev"]
            if dev == device and not own_events:
                continue
            kind = event["kind"]
            seen += kind != "scheduler"
            try:
                if kind == "answer" or kind == "reset":
                    scheduler = event.get("scheduler")
                    local = None if scheduler is None else schedulers[dev, scheduler]
                    if dev == device:
                        # (one C call for the fields: a KeyError for a missing one)
                        own.append((event["seq"], *values(event), local))
                        continue
                    seq = event["seq"]
                    seqs = known.get(dev)
                    if seqs is None:
                        seqs = self._load_known(dev)
                    if seq in seqs:
                        continue
                    # (one C call for the fields: a KeyError for a missing one)
                    (deck, question, kind, at, rating, duration, rescheduled, origin,
                     attempts, hint, chosen, mode, note, origin_id) = fields(event)
                    at = log_time(at)
                    row = (deck, question, number, kind, at, rating, duration, rescheduled,
                           local, None, None, origin, dev, seq, *NO_RESULT, attempts, hint,
                           chosen, mode, note, origin_id)
                    if row[_ORIGIN_ID] is not None and not self._first_pull(row):
                        continue
                    seqs.add(seq)
                    pending.append(row)
                    number += 1
                    added += 1
                elif kind == "scheduler":
                    self._scheduler(event)
                else:
                    added += self._other(kind, event)
            except (KeyError, TypeError, ValueError):
                self.damaged += 1  # an event of a newer or damaged shape: skipped
                continue
        self.seen += seen
        return added + self._insert_own(own)

    def take_damaged(self) -> int:
        """How many events were skipped for their shape since the last call."""
        damaged, self.damaged = self.damaged, 0
        return damaged

    def _load_known(self, device: str) -> set[int]:
        """The sequence numbers of ``device``'s rows the log has."""
        found = self.known[device] = {seq for (seq,) in self.db.execute(
            "SELECT seq FROM log WHERE device = ? AND seq IS NOT NULL", (device,))}
        return found

    def _next_id(self) -> int:
        """The id after every one the log has or had."""
        return int(self.db.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'log'), 0),"
            " coalesce((SELECT max(id) FROM log), 0)) + 1").fetchone()[0])

    def _first_pull(self, row: tuple[Any, ...]) -> bool:
        """Whether a review pulled from Anki (``row`` has an origin id) is new here: the log
        and ``pending`` lack its origin id (another device may have pulled it too)."""
        if self.pulled is None:
            self.pulled = set(self.db.execute("SELECT origin, origin_id FROM log"
                                              " WHERE origin_id IS NOT NULL"))
        origin_key = (row[_ORIGIN], row[_ORIGIN_ID])
        if origin_key in self.pulled:
            return False
        self.pulled.add(origin_key)
        return True

    def _insert_own(self, rows: list[tuple[Any, ...]]) -> int:
        """This device's own rows read back (``srs doctor --recover``), with their ids."""
        if not rows:
            return 0
        before = self.db.total_changes
        self.db.executemany(_INSERT_OWN_LOG, rows)
        added = self.db.total_changes - before
        if added:
            self.touched.update((row[2], row[3]) for row in rows)
        return added

    def _scheduler(self, event: dict[str, Any]) -> None:
        key = (event["dev"], event["seq"])
        if key in self.schedulers:
            return
        text = event["json"]
        # Settings the replay can build a scheduler from, or the event is damaged (KeyError,
        # TypeError, ValueError: skipped, and the answers scheduled with it after it)
        scheduling.scheduler_from_json(text)
        local = self.store.scheduler_id(text)
        self.db.execute("INSERT OR IGNORE INTO sync_schedulers (device, n, scheduler_id)"
                        " VALUES (?, ?, ?)", (*key, local))
        self.schedulers[key] = local

    def _other(self, kind: str, event: dict[str, Any]) -> int:
        dev = "" if event["dev"] == self.device else event["dev"]
        seq = None if not dev else event["seq"]
        if kind == "undo":
            target_dev = "" if event["target_dev"] == self.device else event["target_dev"]
            sql = ("INSERT OR IGNORE INTO undos (id, device, seq, target_device, target_seq, at)"
                   " VALUES (?, ?, ?, ?, ?, ?)")
            values: tuple[Any, ...] = (None if dev else event["seq"], dev, seq, target_dev,
                                       event["target_seq"], event["at"])
            self.undos_added = True
        elif kind == "challenge":
            sql = ("INSERT OR IGNORE INTO challenge_results (id, device, seq, "
                   f"{', '.join(CHALLENGE_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            values = (None if dev else event["seq"], dev, seq,
                      *(event[name] for name in CHALLENGE_FIELDS))
        elif kind == "badge":
            sql = ("INSERT OR IGNORE INTO badge_events (id, device, seq, deck_id, action, name,"
                   " at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            values = (None if dev else event["seq"], dev, seq, event["deck_id"],
                      event["action"], event["name"], event["at"])
            self.badges_changed = True
        else:
            return 0  # a kind a newer srs-trainer writes: skipped
        return int(self.db.execute(sql, values).rowcount)

    def finish(self) -> set[CardKey]:
        """Apply undos whose answer is here and live, replay every card new events touch
        and insert the new rows with their results; fold badges. The cards replayed."""
        if self.undos_added or self.touched or self.pending:
            self._apply_undos()  # an undo may have come before its answer
        if self.pending:
            self._insert_replayed()
        elif self.touched:
            replay_touched(self.store, self.touched)
        if self.badges_changed:
            rebuild_badges(self.store)
        return self.touched

    def _insert_replayed(self) -> None:
        """The pending rows (numbered after the log's ids) are replayed with the cards' rows
        already there, and go in with their results (the way ``srs anki pull`` adds rows)."""
        db = self.db
        pending = self.pending
        next_id = self._next_id()
        if next_id > self.next_id:  # (rows read back with their ids took some)
            self.next_id = next_id
            pending[:] = [(*row[:replay.ID], number, *row[replay.ID + 1:])
                          for number, row in enumerate(pending, start=self.next_id)]
        undone = {(dev, seq): at for dev, seq, at in db.execute(
            "SELECT target_device, target_seq, at FROM undos WHERE target_device != ''")}
        if undone:
            pending[:] = [row if (row[_DEVICE], row[_SEQ]) not in undone else
                          (*row[:replay.UNDONE], undone[row[_DEVICE], row[_SEQ]],
                           *row[replay.UNDONE + 1:]) for row in pending]
        new_rows = replay.rows_by_card(pending)
        self.touched.update(new_rows)
        first_new = self.next_id
        keys = sorted(self.touched)
        existing = replay.read_card_rows(db, self.store.schema_version, keys)
        replayer = replay.Replayer(self.store.scheduler_json, own_device=self.device)
        updates: list[tuple[Any, ...]] = []  # the old rows' changes to write
        memories: list[tuple[Any, ...]] = []
        before, until_result, after_result = _BEFORE, _UNTIL_RESULT, _AFTER_RESULT
        for key in keys:
            # (popped: each card's rows are let go once replayed)
            rows = [*existing.pop(key, ()), *new_rows.pop(key, ())]
            changed, memory = replay.replay_changes(replayer, key, rows)
            for change in changed:  # (state before, *result, row id)
                at = change[-1] - first_new
                if at >= 0:  # a new row: its results put in (a reset keeps its NULLs)
                    row = pending[at]
                    pending[at] = (*row[:before], change[0], *row[until_result],
                                   *change[1:-1], *row[after_result])
                else:
                    updates.append(change)
            memories.append((*memory_values(memory), *key))
        # Many rows (a first sync): the log's indexes (but the partial ones, whose entries
        # come in order) are built again after the insert rather than taking each row at a
        # random place.
        # The old rows' results first, in rowid order (each page of the log written once),
        # while their pages are still in the cache from the read above (after the index
        # building they are not).
        updates.sort(key=_ROW_ID)
        db.executemany(replay.update_results_sql(self.store.schema_version), updates)
        with log_indexes_rebuilt_for(db, len(pending)):
            db.executemany(_INSERT_REPLAYED, pending)
        self.store.set_memory_rows(memories)

    def _apply_undos(self) -> None:
        # Two queries, one index each: by (device, seq) for other devices' rows, by rowid
        # for this device's own (undos read back by `srs doctor --recover`).
        pending = self.db.execute(
            "SELECT l.id, l.deck_id, l.question_id, u.at FROM undos u JOIN log l"
            " ON l.device = u.target_device AND l.seq = u.target_seq"
            " WHERE u.target_device != '' AND l.undone_at IS NULL").fetchall()
        pending += self.db.execute(
            "SELECT l.id, l.deck_id, l.question_id, u.at FROM undos u JOIN log l"
            " ON l.id = u.target_seq WHERE u.target_device = '' AND u.device = ''"
            " AND u.seq IS NULL AND l.device = '' AND l.undone_at IS NULL").fetchall()
        for row_id, deck, question, at in pending:
            self.db.execute("UPDATE log SET undone_at = ? WHERE id = ?", (at, row_id))
            self.touched.add((deck, question))


def replay_touched(store: Store, keys: set[CardKey]) -> None:
    """``log_merge.replay_cards`` (inside the caller's transaction), its writes batched: a
    first sync replays every card, and one UPDATE call per card would cost a third more."""
    if len(keys) < 1000:
        replay_cards(store, keys)
        return
    logs = replay.read_card_rows(store.db, store.schema_version, keys)
    replayer = replay.Replayer(store.scheduler_json, own_device=store.device_id)
    changed: list[tuple[Any, ...]] = []
    memories: list[tuple[Any, ...]] = []
    for key in sorted(keys):
        rows_changed, memory = replay.replay_changes(replayer, key, logs.pop(key, ()))
        changed.extend(rows_changed)
        memories.append((*memory_values(memory), *key))
    changed.sort(key=_ROW_ID)  # in rowid order: each page of the log is written once
    store.db.executemany(replay.update_results_sql(store.schema_version), changed)
    store.set_memory_rows(memories)


# --- badges ----------------------------------------------------------------------------------


def rebuild_badges(store: Store) -> None:
    """The badges table as every device's badge events folded in replay order.

    Folding is what the store's own methods do: earning holds the badge (keeping an earlier
    celebration), taking back marks it, celebrating marks a held badge once.
    """
    rows = store.db.execute(
        "SELECT deck_id, device, coalesce(seq, id), action, name, at FROM badge_events"
        " ORDER BY id").fetchall()
    by_deck: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_deck.setdefault(row[0], []).append(row)
    badges: list[tuple[str, str, str, str | None, str | None]] = []
    own = store.device_id
    for deck, events in by_deck.items():
        ordered = scheduling.merge_streams(scheduling.device_streams(
            events, lambda e: "", lambda e: e[1], lambda e: e[2], lambda e: e[5], own),
            lambda e: e[5])
        held: list[Any] | None = None  # [name, earned, celebrated, taken back]
        for _, _, _, action, name, at in ordered:
            if action == "earn" and (held is None or held[3] is not None):
                held = [name, at, held[2] if held else None, None]
            elif action == "take_back" and held is not None and held[3] is None:
                held[3] = at
            elif action == "celebrate" and held is not None and held[3] is None \
                    and held[2] is None:
                held[2] = at
        if held is not None:
            badges.append((deck, held[0], held[1], held[2], held[3]))
    store.db.execute("DELETE FROM badges")
    store.db.executemany(
        "INSERT INTO badges (deck_id, name, earned_at, celebrated_at, taken_back_at)"
        " VALUES (?, ?, ?, ?, ?)", badges)
