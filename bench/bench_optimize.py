"""Benchmark `srs optimize`'s fit against fsrs-rs-python fitting the same reviews directly.

    .venv/bin/python bench/bench_optimize.py                     # 100,000 and 1,000,000 reviews
    .venv/bin/python bench/bench_optimize.py --reviews 20000     # a quick run

For each size, a progress database with that many log rows (synthetic decks, every card
answered when FSRS says it is due, its rating drawn with a fixed seed) is generated once and
cached under bench/out/. Then, each in a fresh process so that peak memory is its own:

- ours: ``optimize.fit(store.log(...), defaults)``: read the log from SQLite, build each card's
  history and the items, fit on the earlier 80%, score both parameter sets on the later 20%;
- direct: ``FSRS(DEFAULT_PARAMETERS).compute_parameters(items)`` on every item, built in the
  process from each card's plain list of (rating, days) pairs (each review made once and
  shared by the card's items, as ours does).

Figures are CPU time (all threads of the process) around the measured part, best of
--repeat rounds, and the peak resident memory of each process; the target is ours within 1.3x
of direct. Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
START = datetime(2025, 1, 1, 9, tzinfo=timezone.utc)
TARGET = 1.3
# The synthetic decks are test support shared with the tests.
sys.path.insert(0, str(BENCH.parent / "tests"))


def _generate(path: Path, reviews: int, seed: int = 1) -> None:
    """A log of about ``reviews`` answers: cards answered when due over a year."""
    from srs_trainer.trainer import scheduling
    from srs_trainer.trainer.api import answer_key
    from srs_trainer.trainer.settings import DeckSettings
    from srs_trainer.trainer.store import Store
    from srs_trainer.trainer.types import CardRow, Memory, NewAnswer, memory_json
    from synthetic import synthetic_decks

    per_card = 9
    cards = max(1, reviews // per_card)
    decks = synthetic_decks(max(1, cards // 1000), min(cards, 1000))
    settings = DeckSettings(enable_fuzzing=False, learning_steps=(), relearning_steps=())
    text = scheduling.scheduler_json(settings)
    scheduler = scheduling.scheduler_from_json(text)
    chance = random.Random(seed)
    rows: list[CardRow] = []
    answers: list[NewAnswer] = []
    with Store.open(path) as store:
        with store.transaction():
            scheduler_id = store.scheduler_id(text)
        position = 0
        for deck in decks:
            for question in deck.questions:
                position += 1
                key = (deck.id, question.id)
                memory = Memory()
                at = START + timedelta(days=position % 60)
                for _ in range(per_card):
                    rating = 1 if chance.random() < 0.12 else chance.choice((2, 3, 3, 3, 4))
                    after = scheduling.review(scheduler, key, memory, rating, at, 5000)
                    answers.append(NewAnswer(
                        deck_id=key[0], question_id=key[1], at=at, rating=rating,
                        duration_ms=5000, attempts=1, hint_used=False, chosen=None,
                        mode="review", rescheduled=True, state_before=memory.state,
                        scheduler_id=scheduler_id, card_after=memory_json(after)))
                    memory = after
                    assert memory.due is not None
                    at = max(memory.due, at + timedelta(days=1))
                rows.append(CardRow(deck.id, question.id, position, question.section.value,
                                    answer_key(question), memory=memory))
        store.bulk_load(rows, answers)


def _database(reviews: int) -> Path:
    from srs_trainer.trainer.migrations import SCHEMA_VERSION

    OUT.mkdir(exist_ok=True)
    path = OUT / f"optimize-{reviews}-v{SCHEMA_VERSION}.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        print(f"generating {reviews:,} reviews (once) ...", file=sys.stderr)
        _generate(partial, reviews)
        partial.rename(path)
    return path


def _measure_ours(database: Path) -> dict[str, float]:
    from srs_trainer.trainer.optimize import default_parameters, fit, store_histories
    from srs_trainer.trainer.store import Store

    with Store.open(database) as store:
        start = time.process_time()
        result = fit(store_histories(store), default_parameters())
        cpu = time.process_time() - start
    return {"cpu": cpu, "items": result.reviews}


def _measure_direct(items_file: Path) -> dict[str, float]:
    import fsrs_rs_python as fsrs_rs

    cards = json.loads(items_file.read_text())
    start = time.process_time()
    items = []
    for card in cards:  # each review made once, shared by the items of its card
        reviews = [fsrs_rs.FSRSReview(rating, delta) for rating, delta in card]
        items.extend(fsrs_rs.FSRSItem(reviews[:n]) for n in range(2, len(reviews) + 1))
    fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS).compute_parameters(items)
    cpu = time.process_time() - start
    return {"cpu": cpu, "items": len(items)}


def _child(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _items_file(database: Path) -> Path:
    from srs_trainer.trainer.optimize import store_histories
    from srs_trainer.trainer.store import Store

    path = database.with_suffix(".cards.json")
    if not path.exists():
        with Store.open(database) as store:
            cards = store_histories(store).values()
        path.write_text(json.dumps([
            [(rating, days or 0) for _, rating, days in history] for history in cards]))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        figures = _measure_ours(Path(path)) if kind == "ours" else _measure_direct(Path(path))
        figures["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return
    for reviews in args.reviews:
        database = _database(reviews)
        items = _items_file(database)
        ours = [_child("ours", database) for _ in range(args.repeat)]
        direct = [_child("direct", items) for _ in range(args.repeat)]
        best_ours = min(f["cpu"] for f in ours)
        best_direct = min(f["cpu"] for f in direct)
        ratio = best_ours / best_direct
        print(f"{reviews:>9,} log rows, {int(ours[0]['items']):,} items:"
              f" ours {best_ours:.2f} s CPU, direct fsrs-rs {best_direct:.2f} s CPU,"
              f" ratio {ratio:.2f}x (target <= {TARGET}x) {'ok' if ratio <= TARGET else 'MISSED'};"
              f" peak memory ours {max(f['maxrss_mb'] for f in ours):.0f} MB,"
              f" direct {max(f['maxrss_mb'] for f in direct):.0f} MB")


if __name__ == "__main__":
    main()
