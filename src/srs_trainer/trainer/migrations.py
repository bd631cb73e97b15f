"""The progress database's schema, as the ordered list of migrations that build it.

``PRAGMA user_version`` is the number of migrations a database has had; ``Store.open`` applies
the missing ones, each in its own transaction. A migration is never edited once released: a
schema change is a new migration appended to ``MIGRATIONS``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, and a migration must stay in its transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migration_1(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE schedulers (
            id INTEGER PRIMARY KEY,
            json TEXT NOT NULL UNIQUE
        );
        CREATE TABLE decks (
            deck_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            source_path TEXT NOT NULL DEFAULT '',
            synced_at TEXT
        );
        CREATE TABLE cards (
            deck_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            section TEXT NOT NULL,
            answer_key TEXT NOT NULL,
            retired INTEGER NOT NULL DEFAULT 0,
            state INTEGER NOT NULL DEFAULT 0,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT,
            last_review TEXT,
            last_rating INTEGER,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (deck_id, question_id)
        );
        CREATE INDEX cards_due ON cards (state, due);
        CREATE TABLE log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('answer', 'reset')),
            deck_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            at TEXT NOT NULL,
            rating INTEGER CHECK (rating BETWEEN 1 AND 4),
            duration_ms INTEGER,
            attempts INTEGER,
            hint_used INTEGER NOT NULL DEFAULT 0,
            chosen TEXT,
            mode TEXT NOT NULL DEFAULT '',
            rescheduled INTEGER NOT NULL DEFAULT 0,
            state_before INTEGER,
            scheduler_id INTEGER REFERENCES schedulers (id),
            card_after TEXT,
            undone_at TEXT,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX log_card ON log (deck_id, question_id, id);
        CREATE INDEX log_at ON log (at);
        CREATE TABLE badges (
            deck_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            earned_at TEXT NOT NULL,
            celebrated_at TEXT
        );
        CREATE TABLE challenge_results (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deck_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            score INTEGER NOT NULL,
            total INTEGER NOT NULL,
            elapsed_seconds REAL NOT NULL
        );
        """,
    )


def _migration_2(db: sqlite3.Connection) -> None:
    # Undoing the answer that earned a badge takes the badge back; the row stays (marked) so
    # that re-earning it does not celebrate a badge the learner has already celebrated.
    db.execute("ALTER TABLE badges ADD COLUMN taken_back_at TEXT")


def _migration_3(db: sqlite3.Connection) -> None:
    # Sync skips decks whose source is unchanged (digest) and in the same place (first
    # position); the indexes serve a session's start and `srs progress` without reading every
    # card or log row.
    _run_script(
        db,
        """
        ALTER TABLE decks ADD COLUMN synced_digest TEXT NOT NULL DEFAULT '';
        ALTER TABLE decks ADD COLUMN first_position INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX cards_new ON cards (deck_id, state, position);
        CREATE INDEX log_deck_at ON log (deck_id, at);
        """,
    )


def _migration_4(db: sqlite3.Connection) -> None:
    # Reviews made elsewhere (Anki) keep where they came from and their id there, so that
    # pulling the same reviews twice adds nothing.
    _run_script(
        db,
        """
        ALTER TABLE log ADD COLUMN origin TEXT NOT NULL DEFAULT '';
        ALTER TABLE log ADD COLUMN origin_id INTEGER;
        CREATE UNIQUE INDEX log_origin ON log (origin, origin_id) WHERE origin_id IS NOT NULL;
        """,
    )


def _migration_5(db: sqlite3.Connection) -> None:
    # One learner on several machines (history/sync_folder.py): every event gets a globally
    # unique id, (device, kind, sequence number). The device id is made here, once per
    # database. A row this database made itself keeps device '' and its own rowid as its
    # sequence number (so no write path changes and old rows need no rewrite); a row from
    # another device keeps that device's id and its number there. Undos and badge changes,
    # which used to be updates in place, become rows of their own so that they can travel.
    _run_script(
        db,
        """
        CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        ALTER TABLE log ADD COLUMN device TEXT NOT NULL DEFAULT '';
        ALTER TABLE log ADD COLUMN seq INTEGER;
        CREATE UNIQUE INDEX log_event ON log (device, seq) WHERE seq IS NOT NULL;
        ALTER TABLE challenge_results ADD COLUMN device TEXT NOT NULL DEFAULT '';
        ALTER TABLE challenge_results ADD COLUMN seq INTEGER;
        CREATE UNIQUE INDEX challenge_event ON challenge_results (device, seq)
            WHERE seq IS NOT NULL;
        CREATE TABLE undos (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device TEXT NOT NULL DEFAULT '',
            seq INTEGER,
            target_device TEXT NOT NULL DEFAULT '',
            target_seq INTEGER NOT NULL,
            at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX undo_event ON undos (device, seq) WHERE seq IS NOT NULL;
        INSERT INTO undos (target_seq, at)
            SELECT id, undone_at FROM log WHERE undone_at IS NOT NULL ORDER BY undone_at, id;
        CREATE TABLE badge_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device TEXT NOT NULL DEFAULT '',
            seq INTEGER,
            deck_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('earn', 'take_back', 'celebrate')),
            name TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX badge_event ON badge_events (device, seq) WHERE seq IS NOT NULL;
        INSERT INTO badge_events (deck_id, action, name, at)
            SELECT deck_id, 'earn', name, earned_at FROM badges ORDER BY earned_at;
        INSERT INTO badge_events (deck_id, action, at)
            SELECT deck_id, 'celebrate', celebrated_at FROM badges
            WHERE celebrated_at IS NOT NULL ORDER BY celebrated_at;
        INSERT INTO badge_events (deck_id, action, at)
            SELECT deck_id, 'take_back', taken_back_at FROM badges
            WHERE taken_back_at IS NOT NULL ORDER BY taken_back_at;
        CREATE TABLE sync_files (
            name TEXT PRIMARY KEY,
            offset INTEGER NOT NULL,
            tail_hash TEXT NOT NULL
        );
        CREATE TABLE sync_schedulers (
            device TEXT NOT NULL,
            n INTEGER NOT NULL,
            scheduler_id INTEGER NOT NULL REFERENCES schedulers (id),
            PRIMARY KEY (device, n)
        )
        """,
    )
    db.execute("INSERT INTO sync_meta (key, value) VALUES ('device', ?)", (uuid.uuid4().hex,))


def _migration_6(db: sqlite3.Connection) -> None:
    """The cards' due index covers what `srs stats`'s forecast also filters on (retired,
    deck), so counting the due cards reads no card row; it replaces ``cards_due``, whose
    columns are its first two (queries on state and due use it as they used that)."""
    _run_script(db, """
        CREATE INDEX cards_due_deck ON cards (state, due, retired, deck_id);
        DROP INDEX cards_due
        """)


#: The log rows a fitted history holds: scheduling answers and resets, not undone.
FIT_ROWS = "undone_at IS NULL AND (kind = 'reset' OR rescheduled = 1)"
#: A fitted row's code: '1'-'4' its rating, 'r' a reset, '-' no rating, 'p' a row pulled from
#: elsewhere or synced from another device (whose card replays in a merged order). Text, so
#: that group_concat converts nothing (0.02 s less at a million rows).
FIT_CODE = ("CASE WHEN origin != '' OR device != '' THEN 'p' WHEN kind = 'reset' THEN 'r'"
            " ELSE ifnull(CAST(rating AS TEXT), '-') END")
_SECONDS_7 = "strftime('%s', substr(at, 1, 19))"
#: Migration 7's time expression, as released (``FIT_TIME`` replaced it in migration 8): NULL
#: for a time SQLite cannot read, which costs a second strftime per row.
_FIT_TIME_7 = (f"CASE WHEN {_SECONDS_7} IS NOT NULL THEN printf('%016x',"
               f" CAST({_SECONDS_7} AS INTEGER) * 1000000 + CAST(substr(at, 21, 6) AS INTEGER))"
               " END")
#: What ``FIT_TIME`` gives for a time SQLite cannot read: the smallest 64-bit integer, which no
#: time SQLite reads comes near (years 0-9999 lie within 2.6e17 microseconds of the epoch).
UNREADABLE_TIME = -(1 << 63)
#: A row's time (UTC text, ``types.to_text``) as microseconds since the epoch, written as 16
#: hex digits (a 64-bit two's complement): Python decodes a million of them in one
#: ``bytes.fromhex`` (0.06 s, against 0.18 s to split and parse decimal text);
#: ``UNREADABLE_TIME`` for a time SQLite cannot read. The whole seconds from the first 19
#: characters (SQLite rounds a fraction to milliseconds, which carries .9995 s and above into
#: the next second), the microseconds from the text. julianday() parses the date once per row
#: (migration 7's CASE parsed it twice: 0.85 s against 0.47 s per million rows, paid when the
#: index is built and when it is checked); SQLite holds a time as whole milliseconds, so the
#: days times 86400 are whole seconds to within 1e-5 s and round() gives strftime('%s')'s
#: value exactly (tests compare the two). Not unixepoch(): the index must open on SQLite
#: before 3.38 too. ``log_fit`` holds this expression: changing it takes a migration that
#: builds the index again, as migration 8 did.
FIT_TIME = ("printf('%016x', ifnull(CAST(round((julianday(substr(at, 1, 19)) - 2440587.5)"
            " * 86400) AS INTEGER) * 1000000 + CAST(substr(at, 21, 6) AS INTEGER),"
            f" {UNREADABLE_TIME}))")


def _migration_7(db: sqlite3.Connection) -> None:
    """What fitting FSRS reads of each row (``review_columns``), kept by SQLite as each row is
    written: the fitted rows of each card in id order, their code and time computed once. The
    fit then reads this index alone in one pass (a million rows: 0.4 s, against 0.75 s for
    two passes over the table and ``log_card`` and gathering them in Python). A query takes a
    value from the index only when it spells the expression the same, so the constants above
    are the ones ``review_columns`` selects (they must not change: a new index would)."""
    _run_script(db, f"""
        CREATE INDEX log_fit ON log (deck_id, question_id, id, {FIT_CODE}, {_FIT_TIME_7})
            WHERE {FIT_ROWS}
        """)


def _migration_8(db: sqlite3.Connection) -> None:
    """The log's indexes cheaper to build (a first `srs sync` rebuilds them after its bulk
    insert) and to check (`srs doctor`'s integrity check reads every entry of each):

    - ``log_fit`` again, its time now ``FIT_TIME`` (one date parse per row, not two);
    - no ``log_at``: every query on the log's times also picks decks (``deck_id IN``) and
      takes ``log_deck_at``; the whole log's first and last time (``stats_cache``) are the
      decks' own, two probes of ``log_deck_at`` per deck."""
    _run_script(db, f"""
        DROP INDEX log_fit;
        CREATE INDEX log_fit ON log (deck_id, question_id, id, {FIT_CODE}, {FIT_TIME})
            WHERE {FIT_ROWS};
        DROP INDEX log_at
        """)


#: The log's columns up to schema 8 but its result (``card_after``), in table order.
_LOG_KEPT = ("id", "kind", "deck_id", "question_id", "at", "rating", "duration_ms", "attempts",
             "hint_used", "chosen", "mode", "rescheduled", "state_before", "scheduler_id",
             "undone_at", "note", "origin", "origin_id", "device", "seq")
#: ``store_rows.RESULT_COLUMNS`` as migration 9 made them (spelled out: a released migration
#: does not change with the code).
_RESULTS_9 = ("after_state", "after_step", "after_stability", "after_difficulty",
              "after_due_us", "after_reps", "after_lapses")
#: Tables of the stats cache (``stats_cache``, which makes them on first use) as schema 8 had
#: them: its copy of changed rows held ``card_after``.
_STATS_CACHE_8 = ("stats_cache_state", "stats_cache_days", "stats_cache_bins",
                  "stats_cache_dirty")


def _migration_9(db: sqlite3.Connection) -> None:
    """Each answer's result (the card's memory after it) as seven typed columns in place of
    the JSON text of ``card_after``: about 30 bytes a row against 250, written without
    formatting text and compared as values (a first `srs sync` of two 500,000-event devices
    writes a million results; the text was a third of its time). Its last review and rating
    are the row's own ``at`` and ``rating``, so they are not kept twice; the due is whole
    microseconds since the epoch.

    The log is built anew (SQLite before 3.35 cannot drop a column), each row's result read
    from its text by ``legacy_result`` (``store_rows``: Python's own float parsing, so every
    stability comes back bit for bit); the ids and the AUTOINCREMENT counter are kept, the
    indexes made again as migration 8 left them. The stats cache is dropped: it is folded
    again at the next `srs stats`."""
    (counter,) = db.execute(
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'log'), 0)").fetchone()
    for table in _STATS_CACHE_8:
        db.execute(f"DROP TABLE IF EXISTS {table}")
    results = ", ".join(f"legacy_result(card_after, {n})" for n in range(len(_RESULTS_9)))
    kept = ", ".join(_LOG_KEPT)
    _run_script(db, f"""
        CREATE TABLE log_9 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('answer', 'reset')),
            deck_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            at TEXT NOT NULL,
            rating INTEGER CHECK (rating BETWEEN 1 AND 4),
            duration_ms INTEGER,
            attempts INTEGER,
            hint_used INTEGER NOT NULL DEFAULT 0,
            chosen TEXT,
            mode TEXT NOT NULL DEFAULT '',
            rescheduled INTEGER NOT NULL DEFAULT 0,
            state_before INTEGER,
            scheduler_id INTEGER REFERENCES schedulers (id),
            undone_at TEXT,
            note TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT '',
            origin_id INTEGER,
            device TEXT NOT NULL DEFAULT '',
            seq INTEGER,
            after_state INTEGER,
            after_step INTEGER,
            after_stability REAL,
            after_difficulty REAL,
            after_due_us INTEGER,
            after_reps INTEGER,
            after_lapses INTEGER
        );
        INSERT INTO log_9 ({kept}, {', '.join(_RESULTS_9)})
            SELECT {kept}, {results} FROM log ORDER BY id;
        DROP TABLE log;
        ALTER TABLE log_9 RENAME TO log;
        DELETE FROM sqlite_sequence WHERE name IN ('log', 'log_9');
        INSERT INTO sqlite_sequence (name, seq)
            SELECT 'log', max({int(counter)}, coalesce(max(id), 0)) FROM log;
        CREATE INDEX log_card ON log (deck_id, question_id, id);
        CREATE INDEX log_deck_at ON log (deck_id, at);
        CREATE UNIQUE INDEX log_origin ON log (origin, origin_id) WHERE origin_id IS NOT NULL;
        CREATE UNIQUE INDEX log_event ON log (device, seq) WHERE seq IS NOT NULL;
        CREATE INDEX log_fit ON log (deck_id, question_id, id, {FIT_CODE}, {FIT_TIME})
            WHERE {FIT_ROWS}
        """)


MIGRATIONS: Sequence[Callable[[sqlite3.Connection], None]] = (
    _migration_1, _migration_2, _migration_3, _migration_4, _migration_5, _migration_6,
    _migration_7, _migration_8, _migration_9)
SCHEMA_VERSION = len(MIGRATIONS)
