"""The FSRS parameters `srs optimize` fitted, kept per deck preset in the data folder.

``fsrs-parameters.json`` holds, per preset, the parameters with the date of the fit, how many
reviews it used and its scores. The preset ``*`` serves every deck without one of its own (one
set for all decks fits better than one per deck on the published benchmark). The file only
says which parameters the next reviews use: every log row records the scheduler it was
answered with, so replays stay exact whatever the file says later.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .settings import Settings

FILE_NAME = "fsrs-parameters.json"
ALL_DECKS = "*"
_FORMAT = 1


@dataclass(frozen=True)
class FittedPreset:
    parameters: tuple[float, ...]
    fitted_at: datetime
    reviews: int
    log_loss: float
    rmse_bins: float

    def to_dict(self) -> dict[str, Any]:
        return {"parameters": list(self.parameters), "fitted_at": self.fitted_at.isoformat(),
                "reviews": self.reviews, "log_loss": self.log_loss, "rmse_bins": self.rmse_bins}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FittedPreset:
        return cls(tuple(float(w) for w in data["parameters"]),
                   datetime.fromisoformat(data["fitted_at"]), int(data["reviews"]),
                   float(data["log_loss"]), float(data["rmse_bins"]))


class FittedParamsError(Exception):
    pass


def read(home: Path) -> dict[str, FittedPreset]:
    path = home / FILE_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        return {name: FittedPreset.from_dict(preset) for name, preset in data["presets"].items()}
    except (ValueError, KeyError, TypeError) as error:
        raise FittedParamsError(
            f"{path}: not a parameters file srs-trainer wrote ({error}); delete it or run"
            " `srs optimize --reset`") from None


def write(home: Path, presets: dict[str, FittedPreset]) -> None:
    """Replace the file atomically (a crash leaves the old file or the new one)."""
    path = home / FILE_NAME
    if not presets:
        path.unlink(missing_ok=True)
        return
    text = json.dumps({"format": _FORMAT, "presets": {
        name: preset.to_dict() for name, preset in sorted(presets.items())}}, indent=2)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text + "\n", "utf-8")
    os.replace(temporary, path)


def apply(settings: Settings, presets: dict[str, FittedPreset], deck_ids: list[str]) -> Settings:
    """The settings with fitted parameters for the decks they were fitted for."""
    if not presets:
        return settings
    shared = presets.get(ALL_DECKS)
    defaults = (replace(settings.defaults, parameters=shared.parameters) if shared
                else settings.defaults)
    decks = dict(settings.decks)
    for deck_id in deck_ids:
        own = presets.get(deck_id, shared)
        if own is not None:
            decks[deck_id] = replace(settings.for_deck(deck_id), parameters=own.parameters)
    return replace(settings, defaults=defaults, decks=decks)
