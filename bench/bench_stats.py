"""Benchmark `srs stats` on a big learner: CPU time of the whole process, against baselines.

    /work/venv/bin/python bench/bench_stats.py                 # 100,000 cards, 1,000,000 reviews
    /work/venv/bin/python bench/bench_stats.py --cards 2000    # a quick run

The learner is bench_review's (generated once and cached under bench/out/). Each figure is the
CPU time (user + sys, ``wait4`` of that child alone) of one `srs stats` process, best of
``--repeat`` rounds, each round on a fresh copy of the data folder:

- cold: no stats cache yet (the first `srs stats` ever folds the whole log);
- warm: the cache up to date (nothing new since the last run);
- after N answers: ``--answers`` answers recorded (by ``Trainer.record_answer``) since the
  last run, which folds only them;
- after an undo: one folded answer undone, which drops the cache (folded again in full).

Baselines, measured in the same rounds: `srs --help` (the start-up every command pays) and a
bare ``python -c`` that opens the database with sqlite3 and counts the log
(``SELECT count(*)``). Target: warm and after-N under 0.3 s. Not a unit test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import bench_review  # noqa: E402  (the shared learner and process helpers)

TARGET = 0.3  # s of CPU, warm and after a day's answers


def cpu_run(args: Sequence[str], env: dict[str, str]) -> float:
    """CPU seconds (user + sys) of one process running ``args``."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args!r} failed")
    return usage.ru_utime + usage.ru_stime


def answer(home: Path, data: bench_review.Learner, count: int) -> None:
    """Record ``count`` answers to the most overdue review cards, at the bench's now."""
    from srs_trainer.trainer.api import Trainer, source_paths
    from srs_trainer.trainer.library import load_library
    from srs_trainer.trainer.settings import DATABASE_NAME, SOURCES_CACHE, Settings
    from srs_trainer.trainer.store import Store
    from srs_trainer.trainer.types import Answer

    library = load_library(source_paths([data.cards_dir], bundled=False), home / SOURCES_CACHE)
    with Store.open(home / DATABASE_NAME) as store:
        trainer = Trainer(store, library, Settings())
        keys = store.db.execute(
            "SELECT deck_id, question_id FROM cards WHERE state = 2 ORDER BY due LIMIT ?",
            (count,)).fetchall()
        for index, key in enumerate(keys):
            trainer.record_answer(Answer(tuple(key), rating=3 if index % 10 else 1,
                                         at=bench_review.NOW + timedelta(seconds=index),
                                         duration_ms=5000, attempts=1))


def undo_one(home: Path) -> None:
    from srs_trainer.trainer.api import Trainer
    from srs_trainer.trainer.settings import DATABASE_NAME, Settings
    from srs_trainer.trainer.store import Store

    with Store.open(home / DATABASE_NAME) as store:
        (entry_id,) = store.db.execute("SELECT max(id) FROM log").fetchone()
        Trainer(store, [], Settings()).undo(entry_id, bench_review.NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--decks", type=int, default=10)
    parser.add_argument("--reviews", type=int, default=None, help="default: 10 per card")
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    data = bench_review.learner(options.cards, options.decks, options.reviews or 10 * options.cards)
    env = bench_review.environment()
    stats = [*bench_review.SRS, "stats", "--no-bundled", "--cards", str(data.cards_dir)]
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        count = [sys.executable, "-c", "import sqlite3, sys; sqlite3.connect(sys.argv[1])"
                 ".execute('SELECT count(*) FROM log').fetchone()",
                 str(home / data.database.name)]
        args = [*stats, "--home", str(home)]
        for _ in range(options.repeat):
            bench_review.copy_home(data, home)
            keep("srs --help", cpu_run([*bench_review.SRS, "--help"], env))
            keep("sqlite count(*)", cpu_run(count, env))
            keep("cold", cpu_run(args, env))
            keep("warm", cpu_run(args, env))
            answer(home, data, options.answers)
            keep(f"after {options.answers} answers", cpu_run(args, env))
            keep("warm again", cpu_run(args, env))
            undo_one(home)
            keep("after an undo", cpu_run(args, env))
        shutil.rmtree(home, ignore_errors=True)
    startup, count_time = best["srs --help"], best["sqlite count(*)"]
    print(f"srs stats, {data.cards} cards, {data.reviews} log rows; CPU s (user+sys), best of"
          f" {options.repeat}")
    print(f"  {'':24}{'CPU s':>8}{'/ --help':>10}{'/ count':>9}")
    for name, seconds in best.items():
        target = ""
        if name.startswith(("warm", "after") ) and name != "after an undo":
            target = "  ok" if seconds < TARGET else f"  over the {TARGET} s target"
        print(f"  {name:<24}{seconds:8.3f}{seconds / startup:10.2f}{seconds / count_time:9.2f}"
              f"{target}")


if __name__ == "__main__":
    main()
