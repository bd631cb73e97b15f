"""Rows of the progress database as the store writes and reads them: the column lists, taken
by name from the dataclasses, the SQL built from them, and the conversions of rows to and from
``types``' dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from .types import ANSWER, CardRow, LogEntry, Memory, NewAnswer, from_text, maybe_time, to_text


def placeholders(count: int) -> str:
    """``?, ?, ?``: one placeholder per value, for ``VALUES (...)`` and ``IN (...)``."""
    return ", ".join("?" * count)


def insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders(len(columns))})"


# Column names are the dataclasses' field names: rows map to values by name, never by position.
MEMORY_COLUMNS = tuple(f.name for f in fields(Memory))
CARD_SOURCE_COLUMNS = tuple(f.name for f in fields(CardRow) if f.name != "memory")
CARD_COLUMNS = (*CARD_SOURCE_COLUMNS, *MEMORY_COLUMNS)
LOG_COLUMNS = tuple(f.name for f in fields(LogEntry))
ANSWER_COLUMNS = ("kind", *(f.name for f in fields(NewAnswer)))

SELECT_CARDS = f"SELECT {', '.join(CARD_COLUMNS)} FROM cards"
SELECT_LOG = f"SELECT {', '.join(LOG_COLUMNS)} FROM log"
# A database migrated only up to version 4 (tests build them) has no device columns yet,
# one of version 3 no origin column either.
SELECT_LOG_V4 = SELECT_LOG.replace(", device, seq FROM", ", '' AS device, NULL AS seq FROM")
SELECT_LOG_V3 = SELECT_LOG_V4.replace(", origin,", ", '' AS origin,")
INSERT_CARD = insert_sql("cards", CARD_COLUMNS)
INSERT_ANSWER = insert_sql("log", ANSWER_COLUMNS)
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


def entry_from_row(row: Sequence[Any]) -> LogEntry:
    record = dict(zip(LOG_COLUMNS, row, strict=True))
    record.update(
        at=from_text(record["at"]),
        hint_used=bool(record["hint_used"]),
        rescheduled=bool(record["rescheduled"]),
        undone_at=maybe_time(record["undone_at"]),
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


def answer_values(answer: NewAnswer) -> tuple[Any, ...]:
    values = {name: getattr(answer, name) for name in ANSWER_COLUMNS[1:]}
    values["at"] = to_text(answer.at)
    return (ANSWER, *values.values())
