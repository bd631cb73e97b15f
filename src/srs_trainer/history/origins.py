"""Where a log row came from, as ``log.origin`` stores it ('' for the trainer's own answers).

A module of its own so that `srs progress` can count pulled rows without importing the puller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..trainer.store import Store

ANKI_ORIGIN = "anki"  # pulled from an Anki collection (``srs anki pull``); origin_id: revlog id


def pulled_from_anki(store: Store) -> int:
    """How many live answers in the log were pulled from Anki."""
    # Every pulled row keeps its revlog id, so the partial index log_origin holds exactly the
    # pulled rows: `srs progress` counts them without scanning a million-row log.
    return int(store.db.execute(
        "SELECT count(*) FROM log WHERE origin = ?"
        " AND origin_id IS NOT NULL AND kind = 'answer' AND undone_at IS NULL",
        (ANKI_ORIGIN,)).fetchone()[0])
