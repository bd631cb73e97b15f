"""The progress database: one SQLite file, versioned, safe under crashes and concurrent use.

The review ``log`` is the source of truth. Every answer is one appended row, committed in its
own transaction the moment it is given; an answer-key change appends a ``reset`` row. Undo
marks a row ``undone_at`` (the row stays). The FSRS columns of ``cards`` are derived: they
equal a replay of the card's log (``trainer.Trainer.doctor`` checks, ``--rebuild`` restores).

Concurrency: WAL mode, a long busy timeout and ``BEGIN IMMEDIATE`` for every write, so two
trainers at once queue their writes instead of failing, and a reader never blocks a writer.
Nothing here knows about FSRS objects or the deck model: rows in, rows out.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from . import migrations
from .store_badges import BadgeStore
from .store_rows import (
    INSERT_ANSWER,
    INSERT_ANSWER_LEGACY,
    INSERT_CARD,
    SELECT_CARDS,
    SET_MEMORY,
    add_legacy_functions,
    answer_values,
    card_from_row,
    card_values,
    entry_from_row,
    insert_sql,
    memory_values,
    placeholders,
    select_log,
)
from .types import (
    ANSWER,
    RESET,
    Activity,
    CardFigures,
    CardKey,
    CardRow,
    LogEntry,
    Memory,
    NewAnswer,
    from_text,
    maybe_time,
    to_text,
)

BUSY_TIMEOUT_MS = 60_000

#: From this many cards (and half of all), ``set_memory_rows`` builds the cards' indexes again.
REINDEX_CARDS_FROM = 5000


@contextmanager
def indexes_rebuilt(db: sqlite3.Connection, table: str, keep: Sequence[str] = ()
                    ) -> Iterator[None]:
    """Inside the caller's transaction: ``table``'s indexes (but those named in ``keep``, and
    those of its keys, which have no SQL) dropped, then created again from their own saved
    SQL, so exactly as the migrations made them. Around a rewrite of most of a table's rows,
    sorting each index once beats moving every row's entries."""
    indexes = [(name, sql) for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL", (table,)) if name not in keep]
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        db.execute(sql)


#: From this many new log rows (and no fewer than the log holds), a bulk insert drops the
#: log's indexes and builds them again after it: sorting a million entries once beats placing
#: each (measured: about a quarter less CPU for a million rows).
REBUILD_LOG_FROM = 100_000
#: The log's partial indexes on event ids and pulled ids: a bulk insert's new entries for them
#: come in order (a pull's in revlog order, a sync's in each device's), or there are none, so
#: they take them at their end; building them again would scan the whole log for each (a
#: tenth of a first sync's index building for nothing) and they dedupe the rows as they go in.
IN_ORDER_LOG_INDEXES = ("log_event", "log_origin")


def rebuilds_log_indexes(db: sqlite3.Connection, new_rows: int) -> bool:
    """Whether a bulk insert of ``new_rows`` log rows builds the log's indexes again."""
    return new_rows >= REBUILD_LOG_FROM and new_rows >= int(
        db.execute("SELECT count(*) FROM log").fetchone()[0])


@contextmanager
def log_indexes_rebuilt_for(db: sqlite3.Connection, new_rows: int) -> Iterator[None]:
    """Around a bulk insert of ``new_rows`` log rows (`srs anki pull`, `srs sync`): the log's
    indexes (but ``IN_ORDER_LOG_INDEXES``) built again after it when it adds many."""
    if not rebuilds_log_indexes(db, new_rows):
        yield
        return
    with indexes_rebuilt(db, "log", keep=IN_ORDER_LOG_INDEXES):
        yield


class StoreError(Exception):
    """The database cannot be opened or is from a newer version of srs-trainer."""


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so each write is one short
    # transaction that takes the write lock up front (no upgrade deadlocks).
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise StoreError(f"{path}: cannot use write-ahead logging (journal mode {mode})")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        add_legacy_functions(db)  # (migration 9 reads the results older releases wrote)
    except BaseException:
        db.close()
        raise
    return db


class Store(BadgeStore):
    """The progress database. Open with ``Store.open(path)``; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @property
    def _select_log(self) -> str:
        return select_log(self.schema_version)

    @property
    def _insert_answer(self) -> tuple[str, bool]:
        """The INSERT of an answer, and whether its result goes in as pre-9 ``card_after``
        text (tests stand in older releases)."""
        legacy = self.schema_version < 9
        return (INSERT_ANSWER_LEGACY if legacy else INSERT_ANSWER), legacy

    @property
    def device_id(self) -> str:
        """This database's device id (made once, by migration 5)."""
        row = self.db.execute("SELECT value FROM sync_meta WHERE key = 'device'").fetchone()
        return str(row[0])

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating and migrating if needed) the database at ``path``."""
        path = Path(path)
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                db = _connect(path)
                break
            except sqlite3.OperationalError as error:
                # Switching a new file to WAL needs the file to itself, and SQLite answers
                # "locked" at once, without waiting, while another process creates it too.
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise StoreError(
                        f"{path}: cannot open the progress database ({error})") from None
                time.sleep(0.01)
            except sqlite3.DatabaseError as error:
                raise StoreError(f"{path}: cannot open the progress database ({error})") from None
        store = cls(db, path)
        store.migrate()
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations this database lacks, each in its own transaction."""
        try:
            version = self.schema_version
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a progress database ({error})") from None
        # Looked up on the module at each call: tests stand in older or newer migration lists.
        latest = migrations.SCHEMA_VERSION
        if version > latest:
            raise StoreError(
                f"{self.path}: made by a newer srs-trainer (schema {version}, this one knows"
                f" {latest}); upgrade srs-trainer"
            )
        while version < latest:
            with self.transaction():
                # Another process may have migrated while we waited for the lock.
                version = self.schema_version
                if version >= latest:
                    break
                migrations.MIGRATIONS[version](self.db)
                self.db.execute(f"PRAGMA user_version = {version + 1}")
            version += 1

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding the write lock from its start."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: a consistent view that blocks no writer (WAL)."""
        self.db.execute("BEGIN DEFERRED")
        try:
            yield self.db
        finally:
            self.db.execute("COMMIT")

    def integrity_check(self) -> list[str]:
        """SQLite's own check: an empty list when the file is sound."""
        rows = [row[0] for row in self.db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    # --- schedulers: the FSRS settings each answer was scheduled with ----------------------

    def scheduler_id(self, scheduler_json: str) -> int:
        row = self.db.execute(
            "SELECT id FROM schedulers WHERE json = ?", (scheduler_json,)
        ).fetchone()
        if row:
            return int(row[0])
        self.db.execute("INSERT OR IGNORE INTO schedulers (json) VALUES (?)", (scheduler_json,))
        return int(
            self.db.execute(
                "SELECT id FROM schedulers WHERE json = ?", (scheduler_json,)
            ).fetchone()[0]
        )

    def scheduler_json(self, scheduler_id: int) -> str:
        return str(
            self.db.execute("SELECT json FROM schedulers WHERE id = ?", (scheduler_id,)).fetchone()[
                0
            ]
        )

    # --- decks and cards ------------------------------------------------------------------

    def upsert_deck(self, deck_id: str, title: str, source_path: str, at: datetime, *,
                    digest: str = "", first_position: int = 0) -> None:
        self.db.execute(
            insert_sql("decks", ("deck_id", "title", "source_path", "synced_at", "synced_digest",
                                  "first_position"))
            + " ON CONFLICT (deck_id) DO UPDATE SET title = excluded.title,"
            " source_path = excluded.source_path, synced_at = excluded.synced_at,"
            " synced_digest = excluded.synced_digest, first_position = excluded.first_position",
            (deck_id, title, source_path, to_text(at), digest, first_position),
        )

    def deck_sync_states(self) -> dict[str, tuple[str, int]]:
        """Per deck: (the digest its cards were last synced from, its first card position)."""
        rows = self.db.execute("SELECT deck_id, synced_digest, first_position FROM decks")
        return {deck_id: (digest, first) for deck_id, digest, first in rows}

    def move_deck(self, deck_id: str, first_position: int) -> None:
        """Renumber an unchanged deck's cards to start at ``first_position``."""
        (old,) = self.db.execute(
            "SELECT first_position FROM decks WHERE deck_id = ?", (deck_id,)).fetchone()
        self.db.execute("UPDATE cards SET position = position + ? WHERE deck_id = ?",
                        (first_position - old, deck_id))
        self.db.execute("UPDATE decks SET first_position = ? WHERE deck_id = ?",
                        (first_position, deck_id))

    def session_cards(
        self, deck_ids: Sequence[str], due_before: datetime, new_limits: Mapping[str, int]
    ) -> list[CardRow]:
        """What a session can ask, in source order: live cards due before ``due_before`` and
        each deck's first ``new_limits[deck]`` new cards. Reads no other card."""
        rows = self.db.execute(
            f"{SELECT_CARDS} WHERE state IN (1, 2, 3) AND due < ?"
            f" AND retired = 0 AND deck_id IN ({placeholders(len(deck_ids))})",
            (to_text(due_before), *deck_ids),
        ).fetchall()
        for deck_id in deck_ids:
            if new_limits.get(deck_id, 0) > 0:
                rows += self.db.execute(
                    f"{SELECT_CARDS} WHERE deck_id = ? AND state = 0"
                    " AND retired = 0 ORDER BY position LIMIT ?",
                    (deck_id, new_limits[deck_id]),
                ).fetchall()
        cards = [card_from_row(row) for row in rows]
        cards.sort(key=lambda c: (c.position, c.deck_id, c.question_id))
        return cards

    def card_figures(self, deck_id: str, now: datetime) -> list[CardFigures]:
        """The deck's live cards as figures at ``now``, in no particular order."""
        # julianday() counts in floating-point days: a review a few microseconds short of a
        # whole number of days ago may count a day more or less than timedelta.days would.
        rows: list[CardFigures] = self.db.execute(
            "SELECT section, state, stability, due, last_rating,"
            " CAST(julianday(?) - julianday(last_review) AS INTEGER),"
            # only a cloze deletion's card key is needed (to group it by question); '' for
            # the rest spares making a hundred thousand strings for `srs progress`
            " CASE WHEN instr(question_id, '::c') THEN question_id ELSE '' END"
            " FROM cards WHERE deck_id = ? AND retired = 0",
            (to_text(now), deck_id),
        ).fetchall()
        return rows

    def answered_in(self, deck_ids: Sequence[str],
                    spans: Sequence[tuple[datetime, datetime]]) -> list[bool]:
        """For each (start, end) span: whether these decks have a live answer at ``start`` or
        later and before ``end``. One statement for all the spans (an indexed probe each), so
        a streak of years costs one round trip per batch of days, not one per day."""
        if not spans:
            return []
        starts = [to_text(start) for start, _ in spans]
        found = {start for (start,) in self.db.execute(
            f"WITH span(s, e) AS (VALUES {', '.join(['(?, ?)'] * len(spans))})"
            " SELECT s FROM span WHERE EXISTS (SELECT 1 FROM log WHERE at >= span.s"
            " AND at < span.e AND kind = 'answer' AND undone_at IS NULL"
            f" AND deck_id IN ({placeholders(len(deck_ids))}))",
            (*(value for start, (_, end) in zip(starts, spans, strict=True)
               for value in (start, to_text(end))), *deck_ids),
        )}
        return [start in found for start in starts]

    def done_since(self, since: datetime, deck_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Per deck: (new cards, review-state cards) given a live, rescheduling answer since
        ``since``, each card counted once: what the daily limits have used up."""
        rows = self.db.execute(
            "SELECT deck_id, count(DISTINCT CASE WHEN state_before = 0 THEN question_id END),"
            " count(DISTINCT CASE WHEN state_before = 2 THEN question_id END) FROM log"
            " WHERE at >= ? AND kind = 'answer' AND rescheduled = 1 AND undone_at IS NULL"
            f" AND deck_id IN ({placeholders(len(deck_ids))}) GROUP BY deck_id",
            (to_text(since), *deck_ids),
        )
        return {deck_id: (new, reviews) for deck_id, new, reviews in rows}

    def due_summary(self, deck_ids: Sequence[str], before: datetime) -> tuple[int, datetime | None]:
        """(live reviewed cards due before ``before``, the earliest due time of any of them)."""
        marks = placeholders(len(deck_ids))
        (count,) = self.db.execute(
            f"SELECT count(*) FROM cards WHERE state IN (1, 2, 3) AND due < ? AND retired = 0"
            f" AND deck_id IN ({marks})",
            (to_text(before), *deck_ids),
        ).fetchone()
        # Per state, walking the (state, due) index from the earliest: stops at the first hit.
        firsts = [
            row[0] for state in (1, 2, 3) for row in self.db.execute(
                f"SELECT due FROM cards WHERE state = ? AND due IS NOT NULL AND retired = 0"
                f" AND deck_id IN ({marks}) ORDER BY due LIMIT 1",
                (state, *deck_ids),
            )
        ]
        return int(count), maybe_time(min(firsts, default=None))

    def cards(
        self, deck_ids: Iterable[str] | None = None, *, include_retired: bool = False
    ) -> list[CardRow]:
        sql = SELECT_CARDS
        where: list[str] = []
        params: list[Any] = []
        if deck_ids is not None:
            ids = list(deck_ids)
            where.append(f"deck_id IN ({placeholders(len(ids))})")
            params.extend(ids)
        if not include_retired:
            where.append("retired = 0")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY position, deck_id, question_id"
        return [card_from_row(row) for row in self.db.execute(sql, params)]

    def card(self, deck_id: str, question_id: str) -> CardRow | None:
        row = self.db.execute(
            f"{SELECT_CARDS} WHERE deck_id = ? AND question_id = ?",
            (deck_id, question_id),
        ).fetchone()
        return card_from_row(row) if row else None

    def insert_card(self, card: CardRow) -> None:
        self.db.execute(INSERT_CARD, card_values(card))

    def update_card_source(
        self,
        deck_id: str,
        question_id: str,
        *,
        position: int,
        section: str,
        answer_key: str,
        retired: bool,
    ) -> None:
        self.db.execute(
            "UPDATE cards SET position = ?, section = ?, answer_key = ?, retired = ?"
            " WHERE deck_id = ? AND question_id = ?",
            (position, section, answer_key, int(retired), deck_id, question_id),
        )

    def retire_missing(self, deck_id: str, present: Iterable[str]) -> list[str]:
        """Retire the deck's cards whose question is not in ``present``; return their ids."""
        keep = set(present)
        rows = self.db.execute(
            "SELECT question_id FROM cards WHERE deck_id = ? AND retired = 0", (deck_id,)
        ).fetchall()
        gone = [qid for (qid,) in rows if qid not in keep]
        self.db.executemany(
            "UPDATE cards SET retired = 1 WHERE deck_id = ? AND question_id = ?",
            [(deck_id, qid) for qid in gone],
        )
        return gone

    def set_memory(self, deck_id: str, question_id: str, memory: Memory) -> None:
        self.db.execute(SET_MEMORY, (*memory_values(memory), deck_id, question_id))

    def set_memories(self, memories: Iterable[tuple[CardKey, Memory]]) -> None:
        """``set_memory`` of many cards in one statement (a replay rewrites thousands)."""
        self.set_memory_rows([(*memory_values(memory), *key) for key, memory in memories])

    def set_memory_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """``SET_MEMORY`` over ``rows`` (``memory_values`` then deck and question id), inside
        the caller's transaction. When most of the cards change (a rebuild, a first pull or
        sync), the cards' indexes on memory columns (due, state) are built again from their
        own saved SQL after the rewrite: a third less CPU than moving 100,000 cards' entries
        one by one. The primary key's index, which finds each card, stays."""
        if len(rows) < REINDEX_CARDS_FROM or len(rows) < self.db.execute(
                "SELECT count(*) FROM cards").fetchone()[0] // 2:
            self.db.executemany(SET_MEMORY, rows)
            return
        with indexes_rebuilt(self.db, "cards"):
            self.db.executemany(SET_MEMORY, rows)

    # --- the log ----------------------------------------------------------------------------

    def append_answer(self, answer: NewAnswer) -> int:
        sql, legacy = self._insert_answer
        cursor = self.db.execute(sql, answer_values(answer, legacy=legacy))
        return int(cursor.lastrowid or 0)

    def append_reset(self, deck_id: str, question_id: str, at: datetime, note: str) -> int:
        cursor = self.db.execute(
            insert_sql("log", ("kind", "deck_id", "question_id", "at", "note")),
            (RESET, deck_id, question_id, to_text(at), note),
        )
        return int(cursor.lastrowid or 0)

    def mark_undone(self, entry_id: int, at: datetime) -> bool:
        cursor = self.db.execute(
            "UPDATE log SET undone_at = ? WHERE id = ? AND kind = 'answer' AND undone_at IS NULL",
            (to_text(at), entry_id),
        )
        if cursor.rowcount != 1:
            return False
        if self.schema_version < 5:  # tests build older databases
            return True
        # The undo as an event of its own, so that `srs sync` carries it to other devices.
        self.db.execute("INSERT INTO undos (target_seq, at) VALUES (?, ?)",
                        (entry_id, to_text(at)))
        return True

    def entry(self, entry_id: int) -> LogEntry | None:
        row = self.db.execute(
            f"{self._select_log} WHERE id = ?", (entry_id,)
        ).fetchone()
        return entry_from_row(row) if row else None

    def card_log(self, deck_id: str, question_id: str) -> list[LogEntry]:
        rows = self.db.execute(
            f"{self._select_log} WHERE deck_id = ? AND question_id = ? ORDER BY id",
            (deck_id, question_id),
        )
        return [entry_from_row(row) for row in rows]

    def log(
        self,
        *,
        since: datetime | None = None,
        deck_ids: Iterable[str] | None = None,
        kind: str | None = ANSWER,
        include_undone: bool = False,
    ) -> list[LogEntry]:
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("at >= ?")
            params.append(to_text(since))
        if deck_ids is not None:
            ids = list(deck_ids)
            where.append(f"deck_id IN ({placeholders(len(ids))})")
            params.extend(ids)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if not include_undone:
            where.append("undone_at IS NULL")
        sql = self._select_log
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [entry_from_row(row) for row in self.db.execute(sql + " ORDER BY id", params)]

    def scheduling_rows(
        self, deck_ids: Iterable[str] | None = None
    ) -> list[tuple[str, str, str, int | None, str, int, str]]:
        """(deck, question, kind, rating, time text, time in integer microseconds, origin) of
        every live row that moves a schedule (rescheduling answers and resets), in id order:
        the input of fitting FSRS, read without building a LogEntry per row (SQLite turns the
        fixed-width time text into microseconds exactly)."""
        where = "undone_at IS NULL AND (kind = 'reset' OR rescheduled = 1)"
        params: list[Any] = []
        if deck_ids is not None:
            ids = list(deck_ids)
            where += f" AND deck_id IN ({placeholders(len(ids))})"
            params.extend(ids)
        origin = "origin" if self.schema_version >= 4 else "''"
        micros = "strftime('%s', at) * 1000000 + CAST(substr(at, 21, 6) AS INTEGER)"
        return self.db.execute(
            f"SELECT deck_id, question_id, kind, rating, at, {micros}, {origin} FROM log"
            f" WHERE {where} ORDER BY id", params).fetchall()

    def activity(
        self, *, since: datetime | None = None, deck_ids: Iterable[str] | None = None
    ) -> list[Activity]:
        """Reviews (live answers that moved a schedule: not practice without rescheduling)
        grouped by minute, for charts without loading every row."""
        where = ["kind = 'answer'", "undone_at IS NULL", "rescheduled = 1"]
        params: list[Any] = []
        if since is not None:
            where.append("at >= ?")
            params.append(to_text(since))
        if deck_ids is not None:
            ids = list(deck_ids)
            where.append(f"deck_id IN ({placeholders(len(ids))})")
            params.extend(ids)
        rows = self.db.execute(
            "SELECT substr(at, 1, 16), count(*),"
            " sum(state_before = 2), sum(state_before = 2 AND rating >= 2)"
            f" FROM log WHERE {' AND '.join(where)} GROUP BY 1 ORDER BY 1",
            params,
        )
        return [
            Activity(from_text(minute + ":00.000000+00:00"), answers, judged, passed)
            for minute, answers, judged, passed in rows
        ]

    def log_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM log").fetchone()[0])

    # --- bulk loading (benchmarks, imports) ------------------------------------------------------

    def bulk_load(self, cards: Iterable[CardRow], answers: Iterable[NewAnswer] = ()) -> None:
        """Insert many cards and log rows in one transaction (for benchmarks and fixtures)."""
        with self.transaction() as db:
            db.executemany(INSERT_CARD, (card_values(c) for c in cards))
            sql, legacy = self._insert_answer
            db.executemany(sql, (answer_values(a, legacy=legacy) for a in answers))
