"""The decks that ship with srs-trainer (the project's cards/ folder, as package data)."""

from __future__ import annotations

from pathlib import Path


def bundled_cards_dir() -> Path | None:
    """The folder of bundled YAML sources (resolved), or None if this installation has none.

    In the source tree ``srs_trainer/bundled_cards`` is a link to the top-level ``cards/``, so a
    checkout trains on the very files it builds; building a wheel copies the files, so an
    installed package carries them too. The folder is found beside the package's files rather
    than through ``importlib.resources``, whose import alone adds about 25 ms to every
    ``srs review`` start; wheels install as plain files, so the two agree.
    """
    folder = (Path(__file__).resolve().parents[1] / "bundled_cards").resolve()
    return folder if folder.is_dir() else None
