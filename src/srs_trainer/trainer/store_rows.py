"""Rows of the progress database as the store writes and reads them: the column lists, taken
by name from the dataclasses, the SQL built from them, and the conversions of rows to and from
``types``' dataclasses."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from .types import (
    ANSWER,
    CardRow,
    LogEntry,
    Memory,
    NewAnswer,
    from_text,
    maybe_time,
    memory_json,
    to_text,
)


def placeholders(count: int) -> str:
    """``?, ?, ?``: one placeholder per value, for ``VALUES (...)`` and ``IN (...)``."""
    return ", ".join("?" * count)


def insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders(len(columns))})"


# --- an answer's result: the card's memory after it --------------------------------------

#: The log's columns of a row's result (schema 9): ``Memory``'s fields but its last review and
#: last rating, which are the row's own time and rating; the due as whole microseconds since
#: the Unix epoch (exact, and no text to format: a first sync writes a million results).
#: All NULL for a reset and for an answer that did not reschedule.
RESULT_COLUMNS = ("after_state", "after_step", "after_stability", "after_difficulty",
                  "after_due_us", "after_reps", "after_lapses")
NO_RESULT: tuple[None, ...] = (None,) * len(RESULT_COLUMNS)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """An aware time as whole microseconds since the Unix epoch."""
    return (moment - EPOCH) // MICROSECOND


def result_values(memory: Memory | None) -> tuple[Any, ...]:
    """``memory`` in ``RESULT_COLUMNS``' order (``NO_RESULT`` for None)."""
    if memory is None:
        return NO_RESULT
    due = memory.due
    return (memory.state, memory.step, memory.stability, memory.difficulty,
            None if due is None else micros(due), memory.reps, memory.lapses)


def result_memory(values: Sequence[Any], at: datetime, rating: int | None) -> Memory | None:
    """The memory a row's ``RESULT_COLUMNS`` values hold (None: no result), its last review
    and rating the row's ``at`` and ``rating``."""
    state, step, stability, difficulty, due, reps, lapses = values
    if state is None:
        return None
    return Memory(state, step, stability, difficulty,
                  None if due is None else EPOCH + timedelta(microseconds=due), at, rating,
                  reps, lapses)


# Before schema 9 a row's result was the JSON text of its ``Memory`` in ``card_after``.
# Migration 9 reads those texts with ``legacy_result``; tests that stand in an older release
# read and write them through both functions (``add_legacy_functions``).
@lru_cache(maxsize=1)  # (called once per column of the same text)
def _legacy_values(card_after: str) -> tuple[Any, ...]:
    return result_values(Memory.from_dict(json.loads(card_after)))


def legacy_result(card_after: str | None, index: int) -> Any:
    """Value ``index`` of ``RESULT_COLUMNS`` held by a ``card_after`` text (NULL for NULL, and
    for a text that is not a memory's: a replay writes it again)."""
    if card_after is None:
        return None
    try:
        return _legacy_values(card_after)[index]
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        return None


def legacy_result_json(*values: Any) -> str | None:
    """The ``card_after`` text of ``RESULT_COLUMNS`` values followed by the row's time text and
    rating (NULL: no result)."""
    *result, at, rating = values
    memory = result_memory(result, from_text(at), rating)
    return None if memory is None else memory_json(memory)


def add_legacy_functions(db: sqlite3.Connection) -> None:
    db.create_function("legacy_result", 2, legacy_result, deterministic=True)
    db.create_function("legacy_result_json", len(RESULT_COLUMNS) + 2, legacy_result_json,
                       deterministic=True)


def result_sql(column: str, schema_version: int, table: str = "") -> str:
    """SQL of a log row's ``column`` of ``RESULT_COLUMNS`` (of ``table``, when given): before
    schema 9 (tests stand in older releases) read from its ``card_after`` text."""
    prefix = f"{table}." if table else ""
    if schema_version >= 9:
        return f"{prefix}{column}"
    return f"legacy_result({prefix}card_after, {RESULT_COLUMNS.index(column)})"


# --- the tables' columns -------------------------------------------------------------------

# Column names are the dataclasses' field names: rows map to values by name, never by position;
# a log row's ``after`` is its ``RESULT_COLUMNS``.
MEMORY_COLUMNS = tuple(f.name for f in fields(Memory))
CARD_SOURCE_COLUMNS = tuple(f.name for f in fields(CardRow) if f.name != "memory")
CARD_COLUMNS = (*CARD_SOURCE_COLUMNS, *MEMORY_COLUMNS)


def _with_results(names: Sequence[str]) -> tuple[str, ...]:
    at = list(names).index("after")
    return (*names[:at], *RESULT_COLUMNS, *names[at + 1:])


LOG_COLUMNS = _with_results([f.name for f in fields(LogEntry)])
_NEW_ANSWER_FIELDS = tuple(f.name for f in fields(NewAnswer))
ANSWER_COLUMNS = _with_results(["kind", *_NEW_ANSWER_FIELDS])
_LOG_RESULTS = slice(LOG_COLUMNS.index(RESULT_COLUMNS[0]),
                     LOG_COLUMNS.index(RESULT_COLUMNS[-1]) + 1)
_ANSWER_RESULTS = slice(ANSWER_COLUMNS.index(RESULT_COLUMNS[0]),
                        ANSWER_COLUMNS.index(RESULT_COLUMNS[-1]) + 1)

SELECT_CARDS = f"SELECT {', '.join(CARD_COLUMNS)} FROM cards"
INSERT_CARD = insert_sql("cards", CARD_COLUMNS)
INSERT_ANSWER = insert_sql("log", ANSWER_COLUMNS)
# Before schema 9 (tests stand in older releases) the result went in as ``card_after`` text.
INSERT_ANSWER_LEGACY = insert_sql("log", (*ANSWER_COLUMNS[:_ANSWER_RESULTS.start],
                                          "card_after", *ANSWER_COLUMNS[_ANSWER_RESULTS.stop:]))


def select_log(schema_version: int) -> str:
    """The SELECT of ``LOG_COLUMNS``. Older databases (tests stand in older releases) lack
    columns: before 9 the results are read from ``card_after``, before 5 there are no device
    columns, before 4 no origin."""
    columns = list(LOG_COLUMNS)
    columns[_LOG_RESULTS] = [result_sql(name, schema_version) for name in RESULT_COLUMNS]
    if schema_version < 5:
        columns[columns.index("device")] = "'' AS device"
        columns[columns.index("seq")] = "NULL AS seq"
    if schema_version < 4:
        columns[columns.index("origin")] = "'' AS origin"
    return f"SELECT {', '.join(columns)} FROM log"

SET_MEMORY = (
    f"UPDATE cards SET {', '.join(f'{name} = ?' for name in MEMORY_COLUMNS)}"
    " WHERE deck_id = ? AND question_id = ?"
)


# Where the values needing conversion sit in a card row, found by name. Cards are built from
# positional slices (the SELECT lists the fields in their dataclass order): a session start
# reads thousands of cards, and keyword construction would cost a third more.
_SOURCE_COUNT = len(CARD_SOURCE_COLUMNS)
_RETIRED = CARD_SOURCE_COLUMNS.index("retired")
_MEMORY_TIMES = (MEMORY_COLUMNS.index("due"), MEMORY_COLUMNS.index("last_review"))


def card_from_row(row: Sequence[Any]) -> CardRow:
    source = list(row[:_SOURCE_COUNT])
    source[_RETIRED] = bool(source[_RETIRED])
    memory = list(row[_SOURCE_COUNT:])
    for index in _MEMORY_TIMES:
        memory[index] = maybe_time(memory[index])
    # mypy cannot see that ``source`` stops before ``memory``.
    return CardRow(*source, memory=Memory(*memory))  # type: ignore[misc]


_RESULT_NAMES = frozenset(RESULT_COLUMNS)


def entry_from_row(row: Sequence[Any]) -> LogEntry:
    record = {name: value for name, value in zip(LOG_COLUMNS, row, strict=True)
              if name not in _RESULT_NAMES}
    at = from_text(record["at"])
    record.update(
        at=at,
        hint_used=bool(record["hint_used"]),
        rescheduled=bool(record["rescheduled"]),
        undone_at=maybe_time(record["undone_at"]),
        after=result_memory(row[_LOG_RESULTS], at, record["rating"]),
    )
    return LogEntry(**record)


def memory_values(memory: Memory) -> tuple[Any, ...]:
    """The ``MEMORY_COLUMNS`` of ``memory`` as stored (``Memory.to_dict``'s values, times as
    text), without the dict: a replay stores 100,000 cards' memories."""
    due, last = memory.due, memory.last_review
    return (memory.state, memory.step, memory.stability, memory.difficulty,
            to_text(due) if due else None, to_text(last) if last else None,
            memory.last_rating, memory.reps, memory.lapses)


def card_values(card: CardRow) -> tuple[Any, ...]:
    return (*(getattr(card, name) for name in CARD_SOURCE_COLUMNS), *memory_values(card.memory))


def answer_values(answer: NewAnswer, *, legacy: bool = False) -> tuple[Any, ...]:
    """The values of ``INSERT_ANSWER`` (``legacy``: of ``INSERT_ANSWER_LEGACY``)."""
    values: list[Any] = [ANSWER]
    for name in _NEW_ANSWER_FIELDS:
        if name == "at":
            values.append(to_text(answer.at))
        elif name != "after":
            values.append(getattr(answer, name))
        elif legacy:
            values.append(None if answer.after is None else memory_json(answer.after))
        else:
            values.extend(result_values(answer.after))
    return tuple(values)
