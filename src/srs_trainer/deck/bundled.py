"""The decks that ship with srs-trainer (the project's cards/ folder, as package data)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_cards_dir() -> Path:
    """The folder of bundled YAML sources, in a checkout and in an installed wheel alike.

    In the source tree ``srs_trainer/bundled_cards`` is a link to the top-level ``cards/``;
    building a wheel copies the files, so an installed package carries them too.
    """
    return Path(str(resources.files("srs_trainer").joinpath("bundled_cards")))
