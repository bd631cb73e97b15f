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
    sync_dir: ~/Dropbox/srs   # optional: the folder `srs sync` shares progress through

Its schema is ``deck/schema/config.schema.json``; docs/trainer.md describes every key.

"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..deck.problems import InputError, Problem, Severity

if TYPE_CHECKING:
    from ..deck.sources import Located

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
    sync_dir: Path | None = None  # the folder `srs sync` shares progress through ("~" expanded)
    # Where config.yaml names each deck of ``decks`` (path, line, column), to warn of a deck
    # that is not loaded: a mistyped id would otherwise leave its settings silently unused.
    deck_marks: Mapping[str, tuple[str, int, int]] = field(default_factory=dict, compare=False)

    def unknown_decks(self, loaded: Iterable[str]) -> list[Problem]:
        """A warning for each deck of ``decks`` that is not among ``loaded``."""
        known = set(loaded)
        return [
            Problem(*self.deck_marks.get(deck, (CONFIG_NAME, 0, 0)),
                    f"decks: {deck!r} is no deck loaded, so its settings apply to nothing "
                    f"(loaded: {', '.join(sorted(known)) or 'none'})", Severity.WARNING)
            for deck in self.decks if deck not in known
        ]

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

_CONFIG_SCHEMA = "config"  # deck/schema/config.schema.json: every key, with its rules
_GLOBAL_KEYS = ("day_start_hour", "timezone", "learn_ahead_minutes")


def load_settings(home: Path) -> Settings:
    """Read ``<home>/config.yaml`` (absent: defaults). Raise InputError naming file and line.

    The file is checked against ``config.schema.json`` by the validator decks use, so every
    problem is reported at once as ``path:line:column``. A key left empty keeps its default.
    """
    path = home / CONFIG_NAME
    if not path.is_file():
        return Settings()
    located = _read_config(path)
    data: dict[str, Any] = located.data if isinstance(located.data, dict) else {}
    defaults = DeckSettings.from_dict(data.get("defaults", {}))
    sync_dir = data.get("sync_dir")
    decks = data.get("decks", {})
    return Settings(
        defaults=defaults,
        decks={deck: DeckSettings.from_dict(raw, defaults) for deck, raw in decks.items()},
        sync_dir=Path(sync_dir).expanduser() if sync_dir else None,
        deck_marks={deck: (str(path), *located.marks.get(f"decks.{deck}#key", (0, 0)))
                    for deck in decks},
        **{key: data[key] for key in _GLOBAL_KEYS if key in data},
    )


def _read_config(path: Path) -> Located:
    """The settings file's data and marks, valid by its schema; InputError with every problem
    otherwise."""
    from ..deck.files import read_source
    from ..deck.sources import Located, compose, schema_named, schema_problems

    text = read_source(path)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.split("\n")):
        return Located({})  # empty, or every line commented out
    located = compose(text, str(path))
    if located.problems:
        raise InputError(located.problems)
    located.data = _without_empty(located.data)
    problems = schema_problems(located, str(path), schema_named(_CONFIG_SCHEMA), member="setting")
    timezone_name = located.data.get("timezone") if isinstance(located.data, dict) else None
    if isinstance(timezone_name, str) and timezone_name and not _valid_timezone(timezone_name):
        line, column = located.marks.get("timezone", (0, 0))
        problems.append(Problem(str(path), line, column,
                                f"timezone: unknown time zone {timezone_name!r}"))
    if problems:
        raise InputError(problems)
    return located


def _without_empty(data: Any, depth: int = 3) -> Any:
    """``data`` without mapping keys left empty (``timezone:``), down to deck settings."""
    if not isinstance(data, dict) or depth == 0:
        return data
    return {key: _without_empty(value, depth - 1)
            for key, value in data.items() if value is not None}


def _valid_timezone(name: str) -> bool:
    if name.upper() in ("UTC", "Z"):
        return True
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


