"""Benchmark `srs anki pull` of a big Anki history against reading it plus one replay.

    .venv/bin/python bench/bench_pull.py                  # 1,000,000 revlog rows, 100,000 notes
    .venv/bin/python bench/bench_pull.py --notes 5000     # a quick run
    .venv/bin/python bench/bench_pull.py --before /tmp/old/src   # also time another srs_trainer

The data, generated once and cached under bench/out/: 100 decks of two-choice questions
(``synthetic_decks``), built by ``srs build`` into packages that the real ``anki`` library
imports into a fresh collection (real notes, cards, note type and schema), then 10 revlog rows
per card inserted with plain ``sqlite3`` in Anki's revlog schema (learn, review and relearn
rows with Anki's ease, interval, factor and time; one card in 50 has a manual reschedule,
one in 200 a Forget); and a trainer home whose cards are synced from those sources, with no
reviews. Figures are CPU time (user + system), measured in this run:

- baseline: the plain ``sqlite3`` read of every revlog row (``SELECT ... FROM revlog``) plus
  one full replay of the trainer's log after the pull (``log_merge.replay_cards`` over every
  card, as ``srs doctor --rebuild`` and the merge replay it);
- ``srs anki pull`` as a whole process (start-up and loading the sources included), on a copy
  of the fresh home (its sources cache warm, as after the learner's first `srs review`): target
  within 2x the baseline;
- the same pull again with nothing new in Anki: target under 1 s.

Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))
OUT = BENCH / "out"
GENERATOR_VERSION = 2
NOW = "2027-01-01T12:00:00Z"
FIRST_DAY_MS = int(datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
DAY_MS, HOUR_MS = 86_400_000, 3_600_000
ROWS_PER_CARD = 10
RATIO_TARGET = 2.0
REPEAT_TARGET_S = 1.0
SRS = [sys.executable, str(BENCH.parent / "tests" / "clocked_srs.py"), NOW]


def _cpu() -> float:
    return time.process_time()


# --- the generated data ----------------------------------------------------------------------


def data_folder(notes: int, out: Path) -> Path:
    """The cached folder (cards/, collection.anki2, home/) for ``notes`` notes."""
    from srs_trainer.trainer.migrations import SCHEMA_VERSION

    folder = out / f"pull-s{SCHEMA_VERSION}-g{GENERATOR_VERSION}-{notes}n"
    if (folder / "ready").is_file():
        return folder
    partial = out / f"{folder.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.perf_counter()
    _write_sources(partial / "cards", notes)
    _make_collection(partial)
    _insert_revlog(partial / "collection.anki2")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    # In its final place: the sources cache names the sources where they are.
    _sync_home(folder)
    (folder / "ready").write_text(f"generated in {time.perf_counter() - started:.1f} s\n")
    print(f"generated {folder.name} in {time.perf_counter() - started:.1f} s")
    return folder


def _write_sources(cards: Path, notes: int) -> None:
    import yaml

    from synthetic import synthetic_decks

    decks = max(1, notes // 1000)
    cards.mkdir()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for deck in synthetic_decks(decks, notes // decks):
        text = yaml.dump(deck.to_dict(), Dumper=dumper, sort_keys=False, allow_unicode=True)
        (cards / f"{deck.id}.yaml").write_text(text, encoding="utf-8")


def _make_collection(folder: Path) -> None:
    """Build the packages and import them with the real anki library (its own process)."""
    from srs_trainer.anki.build import build

    build([folder / "cards"], folder / "decks", use_cache=False, jobs=1)
    script = (
        "import sys; from pathlib import Path\n"
        "from anki.collection import Collection\n"
        "from anki import import_export_pb2 as ie\n"
        "col = Collection(sys.argv[1])\n"
        "for package in sorted(Path(sys.argv[2]).glob('*.apkg')):\n"
        "    col.import_anki_package(ie.ImportAnkiPackageRequest(package_path=str(package),"
        " options=ie.ImportAnkiPackageOptions(with_scheduling=False)))\n"
        "col.close()\n")
    subprocess.run([sys.executable, "-c", script, str(folder / "collection.anki2"),
                    str(folder / "decks")], check=True)


def _insert_revlog(collection: Path) -> None:
    """10 revlog rows per card in Anki's schema; ids unique (review time in ms)."""
    db = sqlite3.connect(collection)
    card_ids = [row[0] for row in db.execute(
        "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid ORDER BY n.id, c.ord")]
    rng = random.Random(5)
    rows = []
    for index, card_id in enumerate(card_ids):
        day = rng.randrange(0, 200)
        hour = index % 12  # spread over the day; index keeps ids unique (see below)
        interval = 0
        for number in range(ROWS_PER_CARD):
            # day * DAY_MS + hour * HOUR_MS is a multiple of HOUR_MS and index < HOUR_MS:
            # two rows share an id only if they share card and day.
            revlog_id = FIRST_DAY_MS + day * DAY_MS + hour * HOUR_MS + index
            if number == ROWS_PER_CARD - 1 and index % 200 == 0:
                rows.append((revlog_id, card_id, -1, 0, 0, interval, 0, 0, 4))  # Forget
            elif number == 5 and index % 50 == 0:
                rows.append((revlog_id, card_id, -1, 0, 30, interval, 0, 0, 4))  # set due
            else:
                roll = rng.random()
                ease = 1 if roll < 0.08 else 2 if roll < 0.15 else 4 if roll > 0.95 else 3
                kind = 0 if number == 0 else (2 if ease == 1 else 1)
                new_interval = 1 if ease == 1 else max(1, int(interval * 2.3) + 1)
                rows.append((revlog_id, card_id, -1, ease, new_interval, interval,
                             100 + rng.randrange(900), rng.randrange(2000, 20000), kind))
                interval = new_interval
            day += max(1, interval)
    db.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()


def _sync_home(folder: Path) -> None:
    """A trainer home with every question as a card and no reviews (`srs progress` syncs)."""
    subprocess.run([*SRS, "progress", "--home", str(folder / "home"), "--no-bundled",
                    "--cards", str(folder / "cards")], check=True, stdout=subprocess.DEVNULL)


# --- measuring -------------------------------------------------------------------------------


def measure_read(collection: Path) -> float:
    db = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
    started = _cpu()
    db.execute("SELECT id, cid, ease, ivl, factor, time, type FROM revlog ORDER BY id").fetchall()
    return _cpu() - started


def measure_replay(database: Path) -> float:
    from srs_trainer.history import log_merge
    from srs_trainer.trainer.store import Store

    with Store.open(database) as store:
        keys = [card.key for card in store.cards(include_retired=True)]
        started = _cpu()
        with store.transaction():
            log_merge.replay_cards(store, keys)
        return _cpu() - started


MEASURES = {"read": measure_read, "replay": measure_replay}


def child(part: str, path: Path, env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, __file__, "--measure", part, str(path)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(json.loads(out.splitlines()[-1])["cpu_s"])


def process_cpu(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """(CPU seconds of the whole process, its output); fails on a non-zero exit."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        output.seek(0)
        text = output.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args!r} failed:\n{text}")
    return usage.ru_utime + usage.ru_stime, text


def pulls(folder: Path, home: Path, env: dict[str, str], show: bool = False
          ) -> tuple[float, float, Path]:
    """(CPU of a first pull into a fresh copy of the home, of a second one, that home)."""
    shutil.copytree(folder / "home", home)
    pull = [*SRS, "anki", "pull", str(folder / "collection.anki2"), "--home", str(home),
            "--no-bundled", "--cards", str(folder / "cards")]
    first, text = process_cpu(pull, env)
    if show:
        print(text.rstrip())
    again, text_again = process_cpu(pull, env)
    if "Reviews added: 0" not in text_again:
        raise RuntimeError(f"the repeated pull added reviews:\n{text_again}")
    return first, again, home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000,
                        help=f"notes of ours in Anki ({ROWS_PER_CARD} revlog rows each)")
    parser.add_argument("--out", type=Path, default=OUT, help="cache folder")
    parser.add_argument("--before", type=Path, action="append", default=[],
                        help="another srs_trainer source folder (its src/) to time the pulls of")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        part, path = args.measure
        print(json.dumps({"cpu_s": MEASURES[part](Path(path))}))
        return 0

    import bench_review

    folder = data_folder(args.notes, args.out)
    env = bench_review.environment(args.out)
    collection = folder / "collection.anki2"
    (revlog_rows,) = sqlite3.connect(collection).execute("SELECT count(*) FROM revlog").fetchone()
    print(f"Anki collection: {args.notes:,} notes, {revlog_rows:,} revlog rows ({collection})")
    with tempfile.TemporaryDirectory(prefix="srs-pull-") as scratch:
        read = child("read", collection, env)
        first, again, home = pulls(folder, Path(scratch) / "now", env, show=True)
        replay = child("replay", home / "progress.sqlite3", env)
        before = {src: pulls(folder, Path(scratch) / f"before{index}",
                             {**env, "PYTHONPATH": str(src.resolve()),
                              "PYTHONPYCACHEPREFIX": str(Path(scratch) / f"pycache{index}")})[:2]
                  for index, src in enumerate(args.before)}
    baseline = read + replay
    ratio = first / baseline
    print(f"\nCPU seconds, {revlog_rows:,} revlog rows; ratios against the baseline")
    print(f"  plain sqlite3 read of the revlog rows           {read:8.2f} s")
    print(f"  one full replay (log_merge.replay_cards)        {replay:8.2f} s")
    print(f"  baseline: read + replay                         {baseline:8.2f} s   1.00x")
    print(f"  {'ok  ' if ratio <= RATIO_TARGET else 'SLOW'} srs anki pull (whole process)"
          f"        {first:8.2f} s   {ratio:5.2f}x   target <= {RATIO_TARGET:.1f}x")
    print(f"  {'ok  ' if again < REPEAT_TARGET_S else 'SLOW'} pull again, nothing new"
          f"              {again:8.2f} s   {again / baseline:5.2f}x   target < "
          f"{REPEAT_TARGET_S:.1f} s")
    for src, (first_before, again_before) in before.items():
        print(f"  before ({src}): pull {first_before:.2f} s ({first_before / baseline:.2f}x),"
              f" again {again_before:.2f} s")
    print("\n" + json.dumps({"revlog_rows": revlog_rows, "read_s": read, "replay_s": replay,
                             "pull_s": first, "pull_again_s": again,
                             "before": {str(k): v for k, v in before.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
