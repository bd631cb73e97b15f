"""Benchmark `srs sync DIR`: two devices with 500,000 events each.

    .venv/bin/python bench/bench_sync.py                  # 500,000 events per device
    .venv/bin/python bench/bench_sync.py --events 50000   # a quick run

Two data folders share 50,000 cards (10 events per card per device: ratings 1-4, times
spread over a year, each device's own card state and saved results replayed beforehand, as
after real reviews). Each figure is CPU time (user + system) of a fresh ``srs sync``
process (start-up included), wall time beside it, measured in this run:

- first sync of device A: writes its 500,000 events to the folder (nothing to read yet);
- first sync of device B: writes its own, reads A's 500,000, adds them and replays every
  card over both devices' rows (1,000,000 log rows): target < 15 s;
- repeat sync of B with nothing new: target < 0.5 s;

and the baselines, in fresh processes too: the replay of the same 1,000,000 rows alone
(``log_merge.replay_cards`` over every card of B's merged database, what `srs doctor
--rebuild` and pull stand on), the plain ``sqlite3`` read of those rows, and their plain
``sqlite3`` write: B's merged log rows (read beforehand) inserted into an empty log table of
the same schema in a fresh WAL database, its indexes built after the insert, committed.
Ratios are against them; replay + write is the floor of any first sync that keeps every
row's result, as the log does. Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CLOCKED = ROOT / "tests" / "clocked_srs.py"
CARDS = 50_000
FIRST_TARGET_S = 15.0
REPEAT_TARGET_S = 0.5


def build_home(home: Path, events: int, seed: int) -> None:
    """A data folder whose log holds ``events`` answers over ``CARDS`` cards, replayed."""
    from srs_trainer.history import log_merge
    from srs_trainer.trainer import scheduling
    from srs_trainer.trainer.settings import DATABASE_NAME, DeckSettings
    from srs_trainer.trainer.store import Store
    from srs_trainer.trainer.types import CardRow, NewAnswer

    home.mkdir(parents=True)
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, 9, tzinfo=timezone.utc)
    per_card = max(1, events // CARDS)
    with Store.open(home / DATABASE_NAME) as store:
        with store.transaction():
            scheduler_id = store.scheduler_id(scheduling.scheduler_json(
                DeckSettings(enable_fuzzing=False)))
        cards = [CardRow("bench", f"q{n:06d}", n, "practice", "k") for n in range(CARDS)]

        def answers() -> list[NewAnswer]:
            made: list[NewAnswer] = []
            for n in range(events):
                card = n % CARDS
                at = start + timedelta(days=36 * (n // CARDS) + rng.random() * 30,
                                       seconds=card)
                made.append(NewAnswer("bench", f"q{card:06d}", at, rng.choice((1, 3, 3, 3, 4)),
                                      5000, 1, False, "A", "review", True, 0, scheduler_id,
                                      None))
            return made

        store.bulk_load(cards, answers())
        del per_card
        with store.transaction():
            log_merge.replay_cards(store, [card.key for card in cards])


def process_cpu(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(CPU seconds of the whole process, wall seconds, its stdout)."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args!r} failed:\n{text}")
    return usage.ru_utime + usage.ru_stime, wall, text


def measure(part: str, database: Path) -> float:
    """CPU seconds of a baseline, inside this (fresh) process."""
    import sqlite3

    from srs_trainer.history import log_merge
    from srs_trainer.trainer.replay import select_rows
    from srs_trainer.trainer.store import Store

    if part == "read":
        db = sqlite3.connect(database)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        started = time.process_time()
        db.execute(select_rows(version)).fetchall()
        return time.process_time() - started
    if part == "write":
        return measure_write(database)
    with Store.open(database) as store:
        keys = [card.key for card in store.cards(include_retired=True)]
        started = time.process_time()
        with store.transaction():
            log_merge.replay_cards(store, keys)
        return time.process_time() - started


def measure_write(database: Path) -> float:
    """CPU seconds (user + system) of writing the log rows of ``database`` into a fresh one."""
    import resource
    import sqlite3

    source = sqlite3.connect(database)
    rows = source.execute("SELECT * FROM log ORDER BY id").fetchall()
    table, *indexes = [sql for (sql,) in source.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'log' AND sql IS NOT NULL"
        " ORDER BY type = 'index'")]
    source.close()
    target = database.with_name("written.sqlite3")
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(table)

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    started = cpu()
    db.execute("BEGIN")
    db.executemany(f"INSERT INTO log VALUES ({', '.join('?' * len(rows[0]))})", rows)
    for sql in indexes:
        db.execute(sql)
    db.execute("COMMIT")
    db.close()
    return cpu() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=500_000, help="events per device")
    parser.add_argument("--measure", nargs=2, metavar=("PART", "DATABASE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps({"cpu_s": measure(args.measure[0], Path(args.measure[1]))}))
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    sys.path.insert(0, str(ROOT / "src"))
    scratch = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        print(f"Building two devices with {args.events:,} events each over {CARDS:,} cards...",
              flush=True)
        for name, seed in (("a", 1), ("b", 2)):
            build_home(scratch / name, args.events, seed)
        share = scratch / "share"
        share.mkdir()

        def srs_sync(name: str) -> tuple[float, float, str]:
            return process_cpu([sys.executable, str(CLOCKED), "2026-01-01T09:00:00Z", "sync",
                                str(share)], {**env, "SRS_HOME": str(scratch / name)})

        first_a = srs_sync("a")
        first_b = srs_sync("b")
        repeat_b = srs_sync("b")
        database = scratch / "b" / "progress.sqlite3"
        baselines = {}
        for part in ("replay", "read", "write"):
            copy = scratch / f"{part}.sqlite3"
            shutil.copy(database, copy)
            out = subprocess.run([sys.executable, __file__, "--measure", part, str(copy)],
                                 env=env, check=True, capture_output=True, text=True).stdout
            baselines[part] = float(json.loads(out.splitlines()[-1])["cpu_s"])
        rows = (share / os.listdir(share)[0]).read_bytes().count(b"\n")
        print(f"Events in one device file: {rows:,} lines;"
              f" log rows in B after sync: {2 * args.events:,}")
        print(first_b[2].strip().splitlines()[-1])
        replay, read, write = baselines["replay"], baselines["read"], baselines["write"]
        print(f"baseline: replay of the merged log alone   {replay:7.2f} s CPU")
        print(f"baseline: sqlite3 read of those rows       {read:7.2f} s CPU")
        print(f"baseline: sqlite3 write of those rows      {write:7.2f} s CPU"
              f"  (replay + write: {replay + write:.2f} s)")
        for label, (cpu, wall, _), target in (
                ("first sync of A (writes only)", first_a, None),
                ("first sync of B (writes, reads, replays)", first_b, FIRST_TARGET_S),
                ("repeat sync of B, nothing new", repeat_b, REPEAT_TARGET_S)):
            verdict = "" if target is None else (
                f"  target < {target} s: {'met' if cpu < target else 'MISSED'}")
            print(f"{label:42s} {cpu:7.2f} s CPU {wall:7.2f} s wall  "
                  f"{cpu / replay:5.2f}x replay  {cpu / (replay + write):5.2f}x replay+write"
                  f"{verdict}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
