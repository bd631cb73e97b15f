"""Where a log row came from, as ``log.origin`` stores it ('' for the trainer's own answers).

A module of its own so that `srs progress` can count pulled rows without importing the puller.
"""

from __future__ import annotations

ANKI_ORIGIN = "anki"  # pulled from an Anki collection (``srs anki pull``); origin_id: revlog id
