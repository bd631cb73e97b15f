"""`srs` on a clock the caller sets: how tests and benchmarks make the trainer's time exact.

In process, pass a clock to ``main`` through click's context object::

    CliRunner().invoke(main, args, obj=clocked("2026-01-01T09:00:00Z"))

In a subprocess, run this file in place of ``srs``::

    python tests/clocked_srs.py 2026-01-01T09:00:00Z+30 review --cards ...

``+STEP`` after the time lets STEP seconds pass each time the trainer reads the clock, so a
scripted session sees time move (a failed card comes back within the session).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

SCRIPT = str(Path(__file__).resolve())


def parse_time(text: str) -> datetime:
    """An ISO date-time (``Z`` allowed; naive means UTC) as an aware UTC datetime."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@dataclass
class SteppingClock:
    """Frozen at ``start``; each read after the first is ``step`` seconds later."""

    start: datetime
    step: float = 0.0
    reads: int = field(default=0, init=False)

    @classmethod
    def parse(cls, text: str) -> SteppingClock:
        head, sep, tail = text.strip().rpartition("Z+")
        return cls(parse_time(head + "Z"), float(tail)) if sep else cls(parse_time(text))

    def __call__(self) -> datetime:
        value = self.start + timedelta(seconds=self.step * self.reads)
        self.reads += 1
        return value


def clocked(now: str | datetime, step: float = 0.0) -> dict[str, SteppingClock]:
    """The ``obj`` for ``main``/``CliRunner.invoke`` that sets the trainer's clock."""
    clock = SteppingClock(now, step) if isinstance(now, datetime) else SteppingClock.parse(now)
    if step and not isinstance(now, datetime):
        clock.step = step
    return {"clock": clock}


def command(now: str, *args: str) -> list[str]:
    """The argv of a subprocess running ``srs ARGS`` at ``now``."""
    return [sys.executable, SCRIPT, now, *args]


if __name__ == "__main__":
    from srs_trainer.cli import main

    if len(sys.argv) < 2:
        sys.exit("usage: clocked_srs.py ISO-TIME[+STEP] SRS-ARGS...")
    main(sys.argv[2:], prog_name="srs", obj=clocked(sys.argv[1]))
