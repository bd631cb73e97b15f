"""Writing this device's events to its file in the sync folder (step 1 of ``sync_folder``).

Each event is one JSON line (``sync_files`` appends them, fsynced). ``sync_meta`` remembers
the highest id of each kind already written and the file's size then: a sync with nothing
new writes nothing, and a file that lost events (shorter than written) gets them all again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from json.encoder import encode_basestring as _quote
from pathlib import Path
from typing import Any

from ..trainer.store import Store
from . import sync_files

# Log columns an answer or reset event carries, by their event keys.
LOG_FIELDS = ("kind", "deck_id", "question_id", "at", "rating", "duration_ms", "attempts",
               "hint_used", "chosen", "mode", "rescheduled", "note", "origin", "origin_id")
CHALLENGE_FIELDS = ("deck_id", "started_at", "finished_at", "score", "total",
                     "elapsed_seconds")
_EXPORT_KEYS = ("log", "undo", "challenge", "badge", "scheduler")


def _meta(store: Store, key: str, default: str = "") -> str:
    row = store.db.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else default


def _set_meta(store: Store, values: dict[str, str]) -> None:
    store.db.executemany("INSERT OR REPLACE INTO sync_meta (key, value) VALUES (?, ?)",
                         values.items())


def forget_another_folder(store: Store, folder: Path) -> None:
    """A folder other than last time's: everything is written and read afresh."""
    if _meta(store, "folder") == str(folder):
        return
    with store.transaction() as db:
        # Again under the lock: a second sync of this device that started at the same time
        # may have switched to this folder and written to it meanwhile.
        if _meta(store, "folder") == str(folder):
            return
        db.execute("DELETE FROM sync_meta WHERE key LIKE 'written_%'")
        db.execute("DELETE FROM sync_files")
        _set_meta(store, {"folder": str(folder)})


def export(store: Store, folder: Path, device: str) -> int:
    path = sync_files.own_file(folder, device)
    if _highest(store) == _written_marks(store, path):
        return 0  # the common case, without taking the write lock
    # Under the write lock: two syncs of this device at once (a review's and a manual one)
    # take turns, so one never cuts the other's half-written line. The events count as
    # written only when this commits, after they are on disk: a crash before it writes them
    # again next time (readers drop the copies by id).
    with store.transaction():
        highest, marks = _highest(store), _written_marks(store, path)
        if highest == marks:
            return 0
        written, size = sync_files.append_events(path, _own_events(store, device, marks, highest))
        _set_meta(store, {**{f"written_{k}": str(v) for k, v in highest.items()},
                          "written_size": str(size)})
    return written


def _written_marks(store: Store, path: Path) -> dict[str, int]:
    """The highest id of each kind already in this device's file."""
    size = path.stat().st_size if path.exists() else 0
    if size < int(_meta(store, "written_size", "0")):
        return dict.fromkeys(_EXPORT_KEYS, 0)  # the file lost events: write them all again
    return {key: int(_meta(store, f"written_{key}", "0")) for key in _EXPORT_KEYS}


def _highest(store: Store) -> dict[str, int]:
    db = store.db
    return {
        "log": db.execute("SELECT coalesce(max(id), 0) FROM log").fetchone()[0],
        "undo": db.execute("SELECT coalesce(max(id), 0) FROM undos").fetchone()[0],
        "challenge": db.execute(
            "SELECT coalesce(max(id), 0) FROM challenge_results").fetchone()[0],
        "badge": db.execute("SELECT coalesce(max(id), 0) FROM badge_events").fetchone()[0],
        "scheduler": db.execute("SELECT coalesce(max(id), 0) FROM schedulers").fetchone()[0],
    }


def _json_text(value: Any) -> str:
    return "null" if value is None else _quote(value) if isinstance(value, str) \
        else sync_files.encode(value)


def _json_int(value: Any) -> str:
    return "null" if value is None else str(value) if value.__class__ is int \
        else sync_files.encode(value)


def log_event_line(device: str, row: tuple[Any, ...]) -> str:
    """One answer or reset as its event line: (id, ``LOG_FIELDS``..., scheduler id) of a
    log row. Written directly, not through a dict and the encoder: a first sync writes half a
    million (a test holds it equal to the encoder's text)."""
    (row_id, kind, deck, question, at, rating, duration, attempts, hint, chosen, mode,
     rescheduled, note, origin, origin_id, scheduler) = row
    # Each field's common type (a str, an int) inline, the rest through _json_text and
    # _json_int: fifteen calls a line less (a fifth of the export). An int's {} is its str.
    q, text, number = _quote, _json_text, _json_int
    return (f'{{"dev":"{device}","seq":{row_id},'
            f'"kind":{q(kind) if kind.__class__ is str else text(kind)},'
            f'"deck_id":{q(deck) if deck.__class__ is str else text(deck)},'
            f'"question_id":{q(question) if question.__class__ is str else text(question)},'
            f'"at":{q(at) if at.__class__ is str else text(at)},'
            f'"rating":{rating if rating.__class__ is int else number(rating)},'
            f'"duration_ms":{duration if duration.__class__ is int else number(duration)},'
            f'"attempts":{attempts if attempts.__class__ is int else number(attempts)},'
            f'"hint_used":{hint if hint.__class__ is int else number(hint)},'
            f'"chosen":{q(chosen) if chosen.__class__ is str else text(chosen)},'
            f'"mode":{q(mode) if mode.__class__ is str else text(mode)},'
            f'"rescheduled":'
            f'{rescheduled if rescheduled.__class__ is int else number(rescheduled)},'
            f'"note":{q(note) if note.__class__ is str else text(note)},'
            f'"origin":{q(origin) if origin.__class__ is str else text(origin)},'
            f'"origin_id":{origin_id if origin_id.__class__ is int else number(origin_id)},'
            f'"scheduler":{scheduler if scheduler.__class__ is int else number(scheduler)}}}')


def _log_lines_sql() -> str:
    """The SELECT of this device's log rows as their event lines, written by SQLite's
    ``json_object`` (as UTF-8 bytes; it writes text, integers and nulls as the encoder does,
    with the same escapes: a test holds the two equal), with each row's id. The line is
    NULL for a row with a float in an integer column (SQLite writes floats otherwise than
    Python); ``log_event_line`` writes those."""
    floats = " OR ".join(f"typeof({name}) = 'real'" for name in _INTEGER_COLUMNS)
    pairs = ", ".join(f"'{name}', {name}" for name in LOG_FIELDS)
    return (f"SELECT CASE WHEN NOT ({floats}) THEN CAST(json_object('dev', ?1, 'seq', id,"
            f" {pairs}, 'scheduler', scheduler_id) AS BLOB) END, id FROM log"
            " WHERE id > ?2 AND id <= ?3 AND device = '' ORDER BY id")


# The log's columns of INTEGER affinity among an event's (the others have TEXT affinity:
# SQLite stores a number put there as its text, so they hold text, NULL or a blob).
_INTEGER_COLUMNS = ("rating", "duration_ms", "attempts", "hint_used", "rescheduled",
                    "origin_id", "scheduler_id")
_LOG_LINES = _log_lines_sql()
_LOG_ROWS = (f"SELECT id, {', '.join(LOG_FIELDS)}, scheduler_id FROM log"
             " WHERE id >= ? AND id <= ? AND device = '' ORDER BY id")


def _log_lines(db: sqlite3.Connection, device: str, low: int, high: int) -> Iterator[bytes]:
    """This device's answers and resets with ids in (low, high], as event lines: written by
    SQLite (two fifths less CPU than lines written in Python, for half a million), but the
    rows SQLite would write otherwise than the encoder, and from a blob on (``json_object``
    fails on one): those by ``log_event_line``."""
    done = low
    try:
        for line, row_id in db.execute(_LOG_LINES, (device, low, high)):
            if line is None:
                (row,) = db.execute(_LOG_ROWS, (row_id, row_id))
                line = log_event_line(device, row).encode()
            yield line
            done = row_id
    except sqlite3.OperationalError:  # a blob ("JSON cannot hold BLOB values")
        for row in db.execute(_LOG_ROWS, (done + 1, high)):
            yield log_event_line(device, row).encode()


def _own_events(store: Store, device: str, low: dict[str, int],
                high: dict[str, int]) -> Iterator[bytes]:
    """This device's events with ids in (low, high], schedulers before the rows using them,
    as JSON lines (UTF-8, without their newline)."""
    db = store.db

    def rows(sql: str, key: str) -> sqlite3.Cursor:
        return db.execute(sql, (low[key], high[key]))

    def encode(event: dict[str, Any]) -> bytes:
        return sync_files.encode(event).encode()

    for n, text in rows("SELECT id, json FROM schedulers WHERE id > ? AND id <= ?",
                        "scheduler"):
        yield encode({"dev": device, "seq": n, "kind": "scheduler", "json": text})
    yield from _log_lines(db, device, low["log"], high["log"])
    for n, target_device, target, at in rows(
            "SELECT id, target_device, target_seq, at FROM undos"
            " WHERE id > ? AND id <= ? AND device = '' ORDER BY id", "undo"):
        yield encode({"dev": device, "seq": n, "kind": "undo",
                      "target_dev": target_device or device, "target_seq": target, "at": at})
    for row in rows(f"SELECT id, {', '.join(CHALLENGE_FIELDS)} FROM challenge_results"
                    " WHERE id > ? AND id <= ? AND device = '' ORDER BY id", "challenge"):
        yield encode({"dev": device, "seq": row[0], "kind": "challenge",
                      **dict(zip(CHALLENGE_FIELDS, row[1:], strict=True))})
    for n, deck, action, name, at in rows(
            "SELECT id, deck_id, action, name, at FROM badge_events"
            " WHERE id > ? AND id <= ? AND device = '' ORDER BY id", "badge"):
        yield encode({"dev": device, "seq": n, "kind": "badge", "deck_id": deck,
                      "action": action, "name": name, "at": at})
