"""Where the trainer keeps its data, and the learner's settings.

The data folder is ``--home DIR``, else ``$SRS_HOME``, else platformdirs'
``user_data_dir("srs-trainer")``. It holds the progress database, a cache of parsed sources
(``cache/``, safe to delete) and an optional ``config.yaml``::

    day_start_hour: 4          # a "day" starts at 4 am local time, like Anki
    timezone: Europe/Paris     # optional IANA name; default: the machine's local time
    learn_ahead_minutes: 20
    defaults:
      desired_retention: 0.9
      new_per_day: 20
      reviews_per_day: 200
      learning_steps: [1, 10]  # minutes
      relearning_steps: [10]   # minutes
      maximum_interval: 36500  # days
      enable_fuzzing: true
      mastery_days: 21         # stability (days) a question needs to count as mastered
    decks:
      django-async:
        new_per_day: 5

"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timezone, tzinfo
from pathlib import Path
from typing import Any

from ..deck.problems import InputError, Problem

APP_NAME = "srs-trainer"
ENV_HOME = "SRS_HOME"
CONFIG_NAME = "config.yaml"
DATABASE_NAME = "progress.sqlite3"
SOURCES_CACHE = Path("cache") / "sources"  # parsed deck sources (see ``library``)


class HomeError(Exception):
    """The data folder cannot be used (not a folder, not writable)."""


@dataclass(frozen=True)
class DeckSettings:
    """Scheduling settings of one deck (FSRS settings, daily limits, mastery threshold)."""

    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[float, ...] = (1.0, 10.0)  # minutes
    relearning_steps: tuple[float, ...] = (10.0,)  # minutes
    maximum_interval: int = 36500  # days
    enable_fuzzing: bool = True
    mastery_days: float = 21.0
    #: FSRS parameters fitted by `srs optimize`; empty means fsrs's defaults
    parameters: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in fields(self)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: DeckSettings | None = None) -> DeckSettings:
        values: dict[str, Any] = {}
        for name, value in data.items():
            values[name] = tuple(float(v) for v in value) if name.endswith("_steps") else value
        return replace(base or cls(), **values)


@dataclass(frozen=True)
class Settings:
    """Every setting of the trainer: global ones and per-deck scheduling settings."""

    defaults: DeckSettings = field(default_factory=DeckSettings)
    decks: Mapping[str, DeckSettings] = field(default_factory=dict)
    day_start_hour: int = 4
    timezone: str = ""  # IANA name; "" means the machine's local time
    learn_ahead_minutes: float = 20.0

    def for_deck(self, deck_id: str) -> DeckSettings:
        return self.decks.get(deck_id, self.defaults)

    def tz(self) -> tzinfo | None:
        if not self.timezone:
            return None
        if self.timezone.upper() in ("UTC", "Z"):
            return timezone.utc  # no time zone database needed
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def with_overrides(
        self,
        *,
        desired_retention: float | None = None,
        new_per_day: int | None = None,
        reviews_per_day: int | None = None,
    ) -> Settings:
        """The settings with command-line flags applied to every deck."""
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("desired_retention", desired_retention),
                ("new_per_day", new_per_day),
                ("reviews_per_day", reviews_per_day),
            )
            if value is not None
        }
        if not changes:
            return self
        return replace(
            self,
            defaults=replace(self.defaults, **changes),
            decks={deck: replace(s, **changes) for deck, s in self.decks.items()},
        )


# --- the data folder -------------------------------------------------------------------------


def resolve_home(home: str | Path | None = None) -> Path:
    """The data folder: ``home`` if given, else $SRS_HOME, else the platform's user data dir."""
    if home:
        return Path(home).expanduser()
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def ensure_home(home: Path) -> Path:
    """Create the data folder if needed; raise HomeError with a readable reason otherwise."""
    if home.exists() and not home.is_dir():
        raise HomeError(f"{home}: exists and is not a folder")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HomeError(f"{home}: cannot create the data folder ({error.strerror})") from None
    if not os.access(home, os.W_OK):
        raise HomeError(f"{home}: the data folder is not writable")
    return home


# --- the settings file -----------------------------------------------------------------------

_GLOBAL_KEYS: dict[str, type | tuple[type, ...]] = {
    "day_start_hour": int, "timezone": str, "learn_ahead_minutes": (int, float)}
_DECK_KEYS: dict[str, Any] = {
    "desired_retention": (int, float),
    "new_per_day": int,
    "reviews_per_day": int,
    "learning_steps": list,
    "relearning_steps": list,
    "maximum_interval": int,
    "enable_fuzzing": bool,
    "mastery_days": (int, float),
}


def load_settings(home: Path) -> Settings:
    """Read ``<home>/config.yaml`` (absent: defaults). Raise InputError naming file and line."""
    path = home / CONFIG_NAME
    if not path.is_file():
        return Settings()
    from ..deck.files import read_source
    from ..deck.sources import compose

    text = read_source(path)
    located = compose(text, str(path))
    if located.problems:
        raise InputError(located.problems)
    data = located.data
    problems: list[Problem] = []

    def problem(where: str, message: str) -> None:
        line, column = located.marks.get(where + "#key", located.marks.get(where, (0, 0)))
        problems.append(Problem(str(path), line, column, f"{where or 'config'}: {message}"))

    if not isinstance(data, dict):
        problem("", "must be a mapping")
        raise InputError(problems)

    def deck_settings(where: str, raw: Any, base: DeckSettings) -> DeckSettings:
        if not isinstance(raw, dict):
            problem(where, "must be a mapping")
            return base
        good: dict[str, Any] = {}
        for key, value in raw.items():
            child = f"{where}.{key}"
            if key not in _DECK_KEYS:
                problem(child, f"unknown setting (expected one of: {', '.join(_DECK_KEYS)})")
            elif error := _check_deck_value(key, value):
                problem(child, error)
            else:
                good[key] = value
        return DeckSettings.from_dict(good, base)

    settings = Settings()
    defaults = settings.defaults
    decks: dict[str, DeckSettings] = {}
    globals_: dict[str, Any] = {}
    for key, value in data.items():
        if key == "defaults":
            defaults = deck_settings("defaults", value, defaults)
        elif key == "decks":
            continue
        elif key in _GLOBAL_KEYS:
            if not isinstance(value, _GLOBAL_KEYS[key]) or isinstance(value, bool):
                problem(key, f"has the wrong type ({type(value).__name__})")
            elif key == "day_start_hour" and isinstance(value, int) and not 0 <= value <= 23:
                problem(key, "must be an hour from 0 to 23")
            elif key == "timezone" and isinstance(value, str) and not _valid_timezone(value):
                problem(key, f"unknown time zone {value!r}")
            else:
                globals_[key] = value
        else:
            known = ", ".join([*_GLOBAL_KEYS, "defaults", "decks"])
            problem(key, f"unknown setting (expected one of: {known})")
    raw_decks = data.get("decks", {}) or {}
    if not isinstance(raw_decks, dict):
        problem("decks", "must be a mapping of deck id to settings")
    else:
        for deck_id, raw in raw_decks.items():
            decks[deck_id] = deck_settings(f"decks.{deck_id}", raw, defaults)
    if problems:
        raise InputError(problems)
    return Settings(defaults=defaults, decks=decks, **globals_)


def _check_deck_value(key: str, value: Any) -> str:
    expected = _DECK_KEYS[key]
    if isinstance(value, bool) and expected is not bool:
        return "must be a number, not true/false"
    if not isinstance(value, expected):
        return f"has the wrong type ({type(value).__name__})"
    if key == "desired_retention" and not 0.7 <= value <= 0.99:
        return "must be between 0.7 and 0.99"
    if key.endswith("_steps") and not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in value
    ):
        return "must be a list of positive numbers of minutes"
    if key in ("new_per_day", "reviews_per_day") and value < 0:
        return "must not be negative"
    if key == "maximum_interval" and value < 1:
        return "must be at least 1 day"
    if key == "mastery_days" and value <= 0:
        return "must be positive"
    return ""


def _valid_timezone(name: str) -> bool:
    if name.upper() in ("UTC", "Z"):
        return True
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


