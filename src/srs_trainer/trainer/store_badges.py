"""The progress database's badges and challenge results: a part of ``Store`` (its methods,
kept here to keep the store's module to one size), on the same connection."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .store_rows import insert_sql
from .types import from_text, maybe_time, to_text


class BadgeStore:
    """``Store``'s badge and challenge result methods (``Store`` is the class to use)."""

    db: sqlite3.Connection

    if TYPE_CHECKING:
        @property
        def schema_version(self) -> int: ...

    def badge(self, deck_id: str) -> tuple[str, datetime, datetime | None] | None:
        """(name, earned at, celebrated at) of the deck's badge; None if not held."""
        row = self.db.execute(
            "SELECT name, earned_at, celebrated_at FROM badges"
            " WHERE deck_id = ? AND taken_back_at IS NULL",
            (deck_id,),
        ).fetchone()
        return (row[0], from_text(row[1]), maybe_time(row[2])) if row else None

    def earn_badge(self, deck_id: str, name: str, at: datetime) -> bool:
        """Earn the badge (or earn back one taken back); False if it is already held.

        Earning back keeps ``celebrated_at``: a badge is celebrated once, however often
        undo takes it back and an answer earns it again.
        """
        cursor = self.db.execute(
            insert_sql("badges", ("deck_id", "name", "earned_at"))
            + " ON CONFLICT (deck_id) DO UPDATE SET name = excluded.name,"
            " earned_at = excluded.earned_at, taken_back_at = NULL"
            " WHERE badges.taken_back_at IS NOT NULL",
            (deck_id, name, to_text(at)),
        )
        return self._badge_event(cursor.rowcount, deck_id, "earn", at, name)

    def _badge_event(self, changed: int, deck_id: str, action: str, at: datetime,
                     name: str = "") -> bool:
        """Record a change of the badges table as an event (``srs sync`` carries it)."""
        if changed != 1:
            return False
        if self.schema_version < 5:  # tests build older databases
            return True
        self.db.execute(insert_sql("badge_events", ("deck_id", "action", "name", "at")),
                        (deck_id, action, name, to_text(at)))
        return True

    def take_back_badge(self, deck_id: str, at: datetime) -> bool:
        cursor = self.db.execute(
            "UPDATE badges SET taken_back_at = ? WHERE deck_id = ? AND taken_back_at IS NULL",
            (to_text(at), deck_id),
        )
        return self._badge_event(cursor.rowcount, deck_id, "take_back", at)

    def uncelebrated_badges(self) -> list[tuple[str, str, datetime]]:
        rows = self.db.execute(
            "SELECT deck_id, name, earned_at FROM badges"
            " WHERE celebrated_at IS NULL AND taken_back_at IS NULL ORDER BY earned_at"
        )
        return [(deck_id, name, from_text(at)) for deck_id, name, at in rows]

    def mark_celebrated(self, deck_id: str, at: datetime) -> bool:
        cursor = self.db.execute(
            "UPDATE badges SET celebrated_at = ?"
            " WHERE deck_id = ? AND celebrated_at IS NULL AND taken_back_at IS NULL",
            (to_text(at), deck_id),
        )
        return self._badge_event(cursor.rowcount, deck_id, "celebrate", at)

    def add_challenge_result(
        self,
        deck_id: str,
        started_at: datetime,
        finished_at: datetime,
        score: int,
        total: int,
        elapsed_seconds: float,
    ) -> int:
        cursor = self.db.execute(
            insert_sql("challenge_results", ("deck_id", "started_at", "finished_at", "score",
                                              "total", "elapsed_seconds")),
            (deck_id, to_text(started_at), to_text(finished_at), score, total, elapsed_seconds),
        )
        return int(cursor.lastrowid or 0)

    def challenge_results(self, deck_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT started_at, finished_at, score, total, elapsed_seconds FROM challenge_results"
            # By time, not id: results synced from other devices arrive in any order.
            " WHERE deck_id = ? ORDER BY finished_at, started_at"
            + (", device, coalesce(seq, id)" if self.schema_version >= 5 else ", id"),
            (deck_id,),
        )
        return [
            {
                "started_at": s,
                "finished_at": f,
                "score": score,
                "total": total,
                "elapsed_seconds": elapsed,
            }
            for s, f, score, total, elapsed in rows
        ]
