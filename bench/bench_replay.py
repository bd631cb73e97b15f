"""Benchmark the replay of the review log (`srs doctor`, `--rebuild`, the merge of pulled reviews)
against its floor: fsrs's own ``Scheduler.review_card`` over the same rows.

    .venv/bin/python bench/bench_replay.py                    # 1,000,000 rows, 100,000 cards
    .venv/bin/python bench/bench_replay.py --rows 50000       # a quick run
    .venv/bin/python bench/bench_replay.py --before /tmp/old/src   # also time another srs_trainer

The learner is bench_review.py's (cached under bench/out/): 10 log rows per card, real FSRS
reviews with fuzzing off. Each figure is CPU time (user + system) of a fresh process, or of the
measured part inside one, measured in this run:

- floor: ``review_card`` over every row, cards and rows already in memory (plain Python lists,
  datetimes parsed, ratings as ``fsrs.Rating``, one scheduler), nothing else;
- read: the plain ``sqlite3`` read of the rows the replay reads (``replay.select_rows``);
- ``srs doctor`` and ``srs doctor --rebuild`` as whole processes (start-up included), the
  rebuild on a copy whose every card's state was wiped (so it rewrites 100,000 cards);
- merge replay: ``log_merge.replay_cards`` over every card, in one transaction (what
  ``srs anki pull`` runs over the cards it touched).

Target: doctor --rebuild and the merge replay under 10 s for 1,000,000 rows. Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
TARGET_S = 10.0
TARGET_ROWS = 1_000_000


def _cpu() -> float:
    return time.process_time()


def measure_floor(database: Path) -> float:
    """CPU seconds of review_card over every counted row, all in memory beforehand."""
    import sqlite3

    import fsrs

    from srs_trainer.trainer import scheduling
    from srs_trainer.trainer.types import from_text

    db = sqlite3.connect(database)
    (text,) = db.execute("SELECT json FROM schedulers ORDER BY id LIMIT 1").fetchone()
    scheduler = scheduling.scheduler_from_json(text)
    ratings = {int(r): r for r in fsrs.Rating}
    cards: dict[tuple[str, str], list[tuple[fsrs.Rating, object, int | None]]] = {}
    for deck, question, rating, at, duration in db.execute(
            "SELECT deck_id, question_id, rating, at, duration_ms FROM log WHERE kind = 'answer'"
            " AND rescheduled = 1 AND undone_at IS NULL ORDER BY id"):
        cards.setdefault((deck, question), []).append((ratings[rating], from_text(at), duration))
    histories = [(scheduling.card_id(key), rows) for key, rows in cards.items()]
    review_card, card_type = scheduler.review_card, fsrs.Card
    started = _cpu()
    for card_id, rows in histories:
        card = card_type(card_id=card_id, due=rows[0][1])  # type: ignore[arg-type]
        for rating, at, duration in rows:
            card, _ = review_card(card, rating, at, duration)  # type: ignore[arg-type]
    return _cpu() - started


def measure_read(database: Path) -> float:
    import sqlite3

    from srs_trainer.trainer.replay import select_rows

    db = sqlite3.connect(database)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    started = _cpu()
    db.execute(select_rows(version)).fetchall()
    return _cpu() - started


def measure_merge(database: Path) -> float:
    from srs_trainer.history import log_merge
    from srs_trainer.trainer.store import Store

    with Store.open(database) as store:
        keys = [card.key for card in store.cards(include_retired=True)]
        started = _cpu()
        with store.transaction():
            if hasattr(log_merge, "replay_cards"):
                log_merge.replay_cards(store, keys)
            else:  # an srs-trainer from before replay_cards: one card at a time
                for key in sorted(keys):
                    log_merge._replay_card(store, key)  # type: ignore[attr-defined]
        return _cpu() - started


MEASURES = {"floor": measure_floor, "read": measure_read, "merge": measure_merge}


def child(part: str, database: Path, env: dict[str, str]) -> float:
    """CPU seconds of ``part`` measured inside a fresh process."""
    out = subprocess.run([sys.executable, __file__, "--measure", part, str(database)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(json.loads(out.splitlines()[-1])["cpu_s"])


def process_cpu(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """(CPU seconds of the whole process, its stdout)."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        output.seek(0)
        text = output.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{args!r} exited with status {code}:\n{text}")
    return usage.ru_utime + usage.ru_stime, text


def wipe_card_state(database: Path) -> None:
    import sqlite3

    db = sqlite3.connect(database)
    db.execute("UPDATE cards SET state = 0, step = NULL, stability = NULL, difficulty = NULL,"
               " due = NULL, last_review = NULL, last_rating = NULL, reps = 0, lapses = 0")
    db.commit()
    db.close()


def run_version(label: str, src: Path, data_home: Path, scratch: Path,
                env: dict[str, str]) -> dict[str, float]:
    """doctor, doctor --rebuild and the merge replay with the srs_trainer under ``src``."""
    from srs_trainer.trainer.settings import DATABASE_NAME

    env = {**env, "PYTHONPATH": str(src)}
    srs = [sys.executable, "-m", "srs_trainer"]
    figures: dict[str, float] = {}
    home = scratch / label
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(data_home, home)
    figures["doctor"], text = process_cpu([*srs, "doctor", "--home", str(home)], env)
    if "Card state matches the log." not in text:
        raise RuntimeError(f"{label}: srs doctor found differences:\n{text}")
    wipe_card_state(home / DATABASE_NAME)
    figures["doctor --rebuild"], text = process_cpu(
        [*srs, "doctor", "--rebuild", "--home", str(home)], env)
    _, text = process_cpu([*srs, "doctor", "--home", str(home)], env)
    if "Card state matches the log." not in text:
        raise RuntimeError(f"{label}: srs doctor --rebuild left differences:\n{text}")
    figures["merge replay"] = child("merge", home / DATABASE_NAME, env)
    shutil.rmtree(home)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS, help="log rows (10 per card)")
    parser.add_argument("--before", type=Path, action="append", default=[],
                        help="another srs_trainer source folder (its src/) to time too")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="cache folder")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        part, database = args.measure
        print(json.dumps({"cpu_s": MEASURES[part](Path(database))}))
        return 0

    import bench_review

    import srs_trainer

    cards = max(1, args.rows // 10)
    data = bench_review.learner(cards, max(1, cards // 1000), args.rows, args.out)
    env = bench_review.environment(args.out)
    ours = Path(srs_trainer.__file__).resolve().parent.parent
    print(f"learner: {data.cards:,} cards, {data.reviews:,} log rows ({data.database})")
    with tempfile.TemporaryDirectory(prefix="srs-replay-") as scratch_dir:
        scratch = Path(scratch_dir)
        floor = child("floor", data.database, env)
        read = child("read", data.database, env)
        versions = {"now": run_version("now", ours, data.database.parent, scratch, env)}
        for index, src in enumerate(args.before):
            env_before = {**env, "PYTHONPYCACHEPREFIX": str(scratch / f"pycache{index}")}
            versions[f"before{index}"] = run_version(
                f"before{index}", src.resolve(), data.database.parent, scratch, env_before)
    target = TARGET_S * args.rows / TARGET_ROWS
    print(f"\nCPU seconds over {args.rows:,} rows; ratios against the floor")
    print(f"  floor: fsrs review_card over the rows, in memory  {floor:8.2f} s   1.00x")
    print(f"  plain sqlite3 read of the rows                    {read:8.2f} s"
          f"   {read / floor:5.2f}x")
    for label, figures in versions.items():
        source = ours if label == "now" else args.before[int(label[6:])]
        print(f"  {label} ({source}):")
        for name, seconds in figures.items():
            verdict = "" if name == "doctor" else ("ok  " if seconds < target else "SLOW")
            print(f"    {verdict:<5}{name:<42}{seconds:8.2f} s   {seconds / floor:5.2f}x"
                  f"{f'   target < {target:.1f} s' if verdict else ''}")
    print("\n" + json.dumps({"rows": args.rows, "floor_s": floor, "read_s": read,
                             "versions": versions}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
