"""Salvaging a damaged progress database: every readable row into a fresh one.

A page of random bytes (a disk error, a sync service that copied the file while it was
written) makes SQLite refuse whole queries, though most pages are still sound. Recovery moves
the damaged file aside (never deletes it), reads each table's rows by rowid ranges, narrowing
any range SQLite cannot read down to the single rows that are lost, and writes what it read
into a new database made by ``Store.open``. The caller then replays the log (``doctor``) so
card state follows the rows that survived.

Rows are copied by column name, so a damaged file of an older schema version recovers into
the current one. A row that the fresh schema rejects (a CHECK, a timestamp that does not
parse) counts as lost rather than poisoning the new file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from .page_scan import PageRow, scan_rows
from .store import Store
from .store_rows import placeholders
from .types import from_text

# Parents before children: the log refers to schedulers.
TABLE_ORDER = ("schedulers", "decks", "cards", "log", "badges", "challenge_results",
               "sync_meta", "undos", "badge_events", "sync_files", "sync_schedulers")
_TIME_COLUMNS = {"at", "due", "last_review", "earned_at", "started_at", "finished_at"}
_CHUNK = 4096


@dataclass
class TableRecovery:
    table: str
    recovered: int = 0
    lost: int = 0


@dataclass
class RecoveryReport:
    damaged_copy: Path
    tables: list[TableRecovery] = field(default_factory=list)
    schema_readable: bool = True
    #: log rows replayed with today's scheduler settings, theirs being lost
    rescheduled: int = 0

    @property
    def recovered(self) -> int:
        return sum(t.recovered for t in self.tables)

    @property
    def lost(self) -> int:
        return sum(t.lost for t in self.tables)

    def table(self, name: str) -> TableRecovery:
        for entry in self.tables:
            if entry.table == name:
                return entry
        return TableRecovery(name)


def aside_path(path: Path, now: datetime) -> Path:
    """Where the damaged file goes: beside it, named by the moment, never over another."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    return candidate


def move_aside(path: Path, now: datetime) -> Path:
    """Move the database and its WAL and shared-memory files aside together."""
    target = aside_path(path, now)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    os.replace(path, target)
    return target


def recover(path: Path, now: datetime, fallback_scheduler_json: str) -> RecoveryReport:
    """Move the damaged database at ``path`` aside and salvage its rows into a new one there.

    Log rows whose scheduler row was lost are given ``fallback_scheduler_json`` (the settings
    in force now), so that the reviews still count; the report says how many.
    """
    damaged = move_aside(path, now)
    report = RecoveryReport(damaged)
    source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    try:
        tables = _readable_columns(source)
        report.schema_readable = tables is not None
        with Store.open(path) as store:
            # Rows go in before the schedulers they refer to are known to be complete.
            store.db.execute("PRAGMA foreign_keys = OFF")
            with store.transaction() as db:
                # The damaged file's device id, not the fresh one: its events in the sync
                # folder are this device's own (a fresh id would take them for another's).
                fresh = db.execute("SELECT key, value FROM sync_meta").fetchall()
                db.execute("DELETE FROM sync_meta")
                _salvage(damaged, source, tables, db, report)
                db.executemany("INSERT OR IGNORE INTO sync_meta (key, value) VALUES (?, ?)",
                               fresh)
                _keep_written_ids(db)
                _adopt_orphans(db, fallback_scheduler_json, report)
            store.db.execute("PRAGMA foreign_keys = ON")
    finally:
        source.close()
    return report


def _salvage(
    damaged: Path,
    source: sqlite3.Connection,
    tables: dict[str, list[str]] | None,
    db: sqlite3.Connection,
    report: RecoveryReport,
) -> None:
    shapes = {table: _shape(db, table) for table in TABLE_ORDER}
    scanned: list[tuple[str, PageRow]] | None = None

    def page_rows() -> list[tuple[str, PageRow]]:
        nonlocal scanned
        if scanned is None:
            scanned = []
            for row in scan_rows(damaged.read_bytes()):
                table = _table_of(row.values, shapes)
                if table is not None:
                    scanned.append((table, row))
        return scanned

    def highest_on_pages(table: str) -> int:
        return max((row.rowid for name, row in page_rows() if name == table), default=0)

    copies = {table: _TableCopy(db, table, shapes[table]) for table in TABLE_ORDER}
    for table, copy in copies.items():
        if tables and table in tables:
            copy.from_btree(source, tables[table], partial(highest_on_pages, table))
    if not tables or any(copy.incomplete for copy in copies.values()):
        for table, row in page_rows():
            copies[table].from_page(row.rowid, row.values)
    report.tables.extend(copy.result() for copy in copies.values())
    # Sources are matched again at the next start: positions and sections come back from the
    # YAML even for cards whose rows were lost.
    db.execute("UPDATE decks SET synced_digest = ''")


def _keep_written_ids(db: sqlite3.Connection) -> None:
    """Never give a new row an id that an event already written to the sync folder has
    (the damage may have taken the last rows): ids continue after the highest written."""
    for table, key in (("log", "written_log"), ("undos", "written_undo"),
                       ("challenge_results", "written_challenge"),
                       ("badge_events", "written_badge")):
        row = db.execute("SELECT CAST(value AS INTEGER) FROM sync_meta WHERE key = ?",
                         (key,)).fetchone()
        if row is None:
            continue
        found = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        if found is None:
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, row[0]))
        elif found[0] < row[0]:
            db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (row[0], table))


def _adopt_orphans(
    db: sqlite3.Connection, fallback_scheduler_json: str, report: RecoveryReport
) -> None:
    """Point log rows whose scheduler row was lost at the fallback scheduler."""
    missing = [row[0] for row in db.execute(
        "SELECT DISTINCT scheduler_id FROM log WHERE scheduler_id IS NOT NULL"
        " AND scheduler_id NOT IN (SELECT id FROM schedulers)")]
    if not missing:
        return
    # Those rows prove the scheduler rows existed, where its table alone cannot tell.
    report.table("schedulers").lost += len(missing)
    db.execute("INSERT OR IGNORE INTO schedulers (json) VALUES (?)", (fallback_scheduler_json,))
    (fallback,) = db.execute(
        "SELECT id FROM schedulers WHERE json = ?", (fallback_scheduler_json,)).fetchone()
    report.rescheduled = db.execute(
        f"UPDATE log SET scheduler_id = ? WHERE scheduler_id IN ({placeholders(len(missing))})",
        (fallback, *missing),
    ).rowcount


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # declared type: TEXT, INTEGER, REAL
    required: bool
    rowid_alias: bool


def _shape(db: sqlite3.Connection, table: str) -> list[_Column]:
    info = list(db.execute(f'PRAGMA table_info("{table}")'))
    keys = [row for row in info if row[5]]
    return [
        _Column(name, kind.upper(), bool(notnull) or bool(pk),
                bool(pk) and len(keys) == 1 and kind.upper() == "INTEGER")
        for _, name, kind, notnull, _default, pk in info
    ]


_KIND_TYPES: dict[str, tuple[type, ...]] = {"TEXT": (str,), "INTEGER": (int,), "REAL": (float, int)}


def _table_of(values: tuple[Any, ...], shapes: dict[str, list[_Column]]) -> str | None:
    """The one table whose columns these values fit, by count, types and NOT NULL."""
    fits = [table for table, columns in shapes.items() if _fits(values, columns)]
    return fits[0] if len(fits) == 1 else None


def _fits(values: tuple[Any, ...], columns: list[_Column]) -> bool:
    if len(values) != len(columns):
        return False
    for value, column in zip(values, columns, strict=True):
        if column.rowid_alias:
            if value is not None:
                return False
        elif value is None:
            if column.required:
                return False
        elif not isinstance(value, _KIND_TYPES.get(column.kind, (object,))):
            return False
    return True


class _TableCopy:
    """One table's salvage: rows read through the b-tree, then rows found on pages."""

    def __init__(self, db: sqlite3.Connection, table: str, shape: list[_Column]) -> None:
        self.db = db
        self.table = table
        self.shape = shape
        self.recovered: set[int] = set()
        self.unreadable: list[int] = []
        self.rejected = 0
        self.highest = 0
        self.autoincrement = any(column.rowid_alias for column in shape)

    @property
    def incomplete(self) -> bool:
        return bool(self.unreadable) or self.rejected > 0

    def from_btree(
        self, source: sqlite3.Connection, source_columns: list[str],
        highest_on_pages: Callable[[], int],
    ) -> None:
        """Copy every row SQLite can read; ``highest_on_pages`` bounds the search otherwise."""
        target = {column.name for column in self.shape}
        columns = [c for c in source_columns if c in target]
        column_list = ", ".join(f'"{c}"' for c in columns)
        select = f'SELECT rowid, {column_list} FROM "{self.table}" WHERE rowid BETWEEN ? AND ?'
        known_highest = _highest_rowid(source, self.table)
        bound = known_highest if known_highest is not None else highest_on_pages()
        known_highest = known_highest or 0
        self.highest = known_highest
        last_read = 0
        for row in _readable_rows(source, select, bound, self.unreadable):
            last_read = int(row[0])
            self._insert(last_read, columns, row[1:])
        # A rowid SQLite cannot read past every row there is was never a row.
        self.highest = max(known_highest, last_read)
        self.unreadable = [rowid for rowid in self.unreadable if rowid <= self.highest]

    def from_page(self, rowid: int, values: tuple[Any, ...]) -> None:
        if rowid in self.recovered:
            return
        names = [column.name for column in self.shape]
        values = tuple(
            rowid if column.rowid_alias else value
            for column, value in zip(self.shape, values, strict=True)
        )
        self.highest = max(self.highest, rowid)
        self._insert(rowid, names, values)

    def _insert(self, rowid: int, columns: list[str], values: tuple[Any, ...]) -> None:
        if not _times_parse(columns, values):
            self.rejected += 1
            return
        column_list = ", ".join(f'"{c}"' for c in columns)
        marks = placeholders(len(columns))
        try:
            inserted = self.db.execute(
                f'INSERT OR IGNORE INTO "{self.table}" ({column_list}) VALUES ({marks})', values
            ).rowcount
        except sqlite3.DatabaseError:
            inserted = 0
        if inserted:
            self.recovered.add(rowid)
        else:
            self.rejected += 1

    def result(self) -> TableRecovery:
        if self.autoincrement:
            # Log rows are never deleted, so every id up to the highest one seen was a row.
            lost = max(0, self.highest - len(self.recovered))
        else:
            lost = len([r for r in self.unreadable if r not in self.recovered]) + self.rejected
        return TableRecovery(self.table, len(self.recovered), lost)


def _readable_columns(source: sqlite3.Connection) -> dict[str, list[str]] | None:
    try:
        names = [row[0] for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            name: [row[1] for row in source.execute(f'PRAGMA table_info("{name}")')]
            for name in names
        }
    except sqlite3.DatabaseError:
        return None


def _readable_rows(
    source: sqlite3.Connection, select: str, bound: int, unreadable: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Rows in rowid order; a range SQLite cannot read is halved until single rowids remain."""
    pending = [(lo, min(lo + _CHUNK - 1, bound)) for lo in range(1, bound + 1, _CHUNK)]
    pending.reverse()
    while pending:
        lo, hi = pending.pop()
        try:
            rows = source.execute(select, (lo, hi)).fetchall()
        except sqlite3.DatabaseError:
            if lo == hi:
                unreadable.append(lo)
            else:
                mid = (lo + hi) // 2
                pending.extend(((mid + 1, hi), (lo, mid)))
            continue
        yield from rows


def _highest_rowid(source: sqlite3.Connection, table: str) -> int | None:
    """The highest rowid in ``table`` by its readable maximum and AUTOINCREMENT's counter.

    A damaged page can read as an empty one, so the counter is asked even when the maximum
    answers. None when neither can be read.
    """
    found: list[int] = []
    queries = ((f'SELECT coalesce(max(rowid), 0) FROM "{table}"', ()),
               ("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)))
    for query, args in queries:
        try:
            value = source.execute(query, args).fetchone()
        except sqlite3.DatabaseError:
            continue
        if value is not None:
            found.append(int(value[0]))
    return max(found) if found else None


def _times_parse(columns: list[str], row: tuple[object, ...]) -> bool:
    for name, value in zip(columns, row, strict=True):
        if name in _TIME_COLUMNS and value is not None:
            try:
                from_text(str(value))
            except ValueError:
                return False
    return True


DAMAGE_HINT = "run `srs doctor --recover` to salvage it (the damaged file is kept)"


def is_damage(error: BaseException) -> bool:
    """Whether SQLite raised this because the file is damaged (not locked, not busy)."""
    return isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.OperationalError)


def quick_check(path: Path) -> list[str]:
    """SQLite's quick check of the file, read-only: an empty list when it is sound."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in db.execute("PRAGMA quick_check")]
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if rows == ["ok"] else rows
