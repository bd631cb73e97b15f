"""Benchmark `srs optimize`'s fit against fsrs-rs-python fitting the same reviews directly.

    .venv/bin/python bench/bench_optimize.py                     # 100,000 and 1,000,000 reviews
    .venv/bin/python bench/bench_optimize.py --reviews 20000     # a quick run
    .venv/bin/python bench/bench_optimize.py --compare-src ../main/src   # before/after, one run

For each size, a progress database with that many log rows (synthetic decks, every card
answered when FSRS says it is due, its rating drawn with a fixed seed, the rows written in
time order as a learner's are) is generated once and cached under bench/out/. Then, each in
a fresh process so that peak memory is its own, the rounds interleaved so that load on the
shared machine hits each alike:

- ours: ``optimize.fit(store_columns(store), defaults)``: read the log from SQLite, make the
  items, fit on the earlier 80% by time, score both parameter sets on the later 20%;
- direct (the issue's baseline): ``FSRS(DEFAULT_PARAMETERS).compute_parameters(items)`` on
  every item, built in the process from each card's plain list of (rating, days) pairs (each
  review made once and shared by the card's items);
- same calls: fsrs-rs-python doing directly the fsrs-rs work ours does (fit the same earlier
  80%, evaluate two parameter sets on the later 20%), the time order given: ours against it is
  what reading the log and splitting it cost;
- ours step by step (one run), to say where the time goes.

Figures are CPU time (all threads of the process) around the measured part, freeing the
items included on every side (ours frees them before ``fit`` returns), best of
--repeat rounds, and the peak resident memory (VmHWM) of each process; the target is ours
within 1.3x of direct. Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

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
    from srs_trainer.trainer.types import CardRow, Memory, NewAnswer
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
                        scheduler_id=scheduler_id, after=after))
                    memory = after
                    assert memory.due is not None
                    at = max(memory.due, at + timedelta(days=1))
                rows.append(CardRow(deck.id, question.id, position, question.section.value,
                                    answer_key(question), memory=memory))
        # A learner's log is written as they answer: in time order, so each card's rows are
        # spread over the table (the read's index pass looks each one up on another page).
        answers.sort(key=lambda answer: answer.at)
        store.bulk_load(rows, answers)


def _database(reviews: int) -> Path:
    from srs_trainer.trainer.migrations import SCHEMA_VERSION

    OUT.mkdir(exist_ok=True)
    path = OUT / f"optimize-{reviews}-v{SCHEMA_VERSION}-timed.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        print(f"generating {reviews:,} reviews (once) ...", file=sys.stderr)
        _generate(partial, reviews)
        partial.rename(path)
    return path


def _measure_ours(database: Path) -> dict[str, float]:
    from srs_trainer.trainer import optimize
    from srs_trainer.trainer.store import Store

    # An older checkout (--compare-src) read the log as per-card histories.
    read = getattr(optimize, "store_histories", None)
    if read is None:
        from srs_trainer.trainer.review_columns import store_columns as read
    with Store.open(database) as store:
        start = time.process_time()
        result = optimize.fit(read(store), optimize.default_parameters())
        cpu = time.process_time() - start
    return {"cpu": cpu, "items": result.reviews}


def _measure_phases(database: Path) -> dict[str, float]:
    """The steps of ``optimize.fit`` one by one, to say where ours spends its time."""
    from srs_trainer.trainer import optimize
    from srs_trainer.trainer.review_columns import store_columns
    from srs_trainer.trainer.store import Store

    clock = time.process_time
    with Store.open(database) as store:
        start = clock()
        columns = store_columns(store)
        read = clock()
    train, test = optimize.split_items(columns)
    built = clock()
    fitted = optimize.fit_parameters(train)
    fitted_at = clock()
    optimize.score(optimize.default_parameters(), test)
    optimize.score(fitted, test)
    scored = clock()
    return {"read": read - start, "items": built - read, "fit": fitted_at - built,
            "score": scored - fitted_at, "cpu": scored - start}


def _direct_items(cards_file: Path) -> tuple[list[Any], float]:
    """Items from each card's plain list of (rating, days) pairs, each review made once and
    shared by the items of its card: how a caller of fsrs-rs-python would make them."""
    import fsrs_rs_python as fsrs_rs

    cards = json.loads(cards_file.read_text())
    start = time.process_time()
    items = []
    for card in cards:
        reviews = [fsrs_rs.FSRSReview(rating, delta) for rating, delta in card]
        items.extend(fsrs_rs.FSRSItem(reviews[:n]) for n in range(2, len(reviews) + 1))
    return items, start


def _measure_direct(cards_file: Path) -> dict[str, float]:
    """The issue's baseline: fsrs-rs-python fitting every item."""
    import fsrs_rs_python as fsrs_rs

    items, start = _direct_items(cards_file)
    fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS).compute_parameters(items)
    count = len(items)
    del items  # freed inside the timed part, as ours frees its items before fit returns
    cpu = time.process_time() - start
    return {"cpu": cpu, "items": count}


def _measure_same_calls(cards_file: Path) -> dict[str, float]:
    """fsrs-rs-python doing exactly the fsrs-rs work ours does: fit the earlier 80% of the
    items (in time order, read from a file: not timed) and evaluate the default and the fitted
    parameters on the later 20%. Ours against this is the cost of reading and splitting."""
    import fsrs_rs_python as fsrs_rs

    order = json.loads(cards_file.with_suffix(".order.json").read_text())
    items, start = _direct_items(cards_file)
    ordered = [items[i] for i in order]
    cut = int(len(ordered) * 0.8)
    fitted = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS).compute_parameters(ordered[:cut])
    fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS).evaluate(ordered[cut:])
    fsrs_rs.FSRS(fitted).evaluate(ordered[cut:])
    count = len(items)
    del items, ordered  # freed inside the timed part, as ours does
    cpu = time.process_time() - start
    return {"cpu": cpu, "items": count}


_MEASURES = {"ours": _measure_ours, "phases": _measure_phases, "direct": _measure_direct,
             "same-calls": _measure_same_calls}


def _peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, unlike
    ru_maxrss, which a child started by vfork/exec inherits from its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, path: Path, src: Path | None = None) -> dict[str, float]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = f"{src}{os.pathsep}{env.get('PYTHONPATH', '')}"
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _items_file(database: Path) -> Path:
    """Each card's (rating, days) pairs, and the time order of the items they make."""
    from srs_trainer.trainer.review_columns import store_columns
    from srs_trainer.trainer.store import Store

    path = database.with_suffix(".v2.cards.json")
    if not path.exists():
        with Store.open(database) as store:
            columns = store_columns(store)
        cards, times = [], []
        for start, length in zip(columns.starts, columns.lengths, strict=True):
            end = start + length
            cards.append(list(zip(columns.ratings[start:end], columns.days[start:end],
                                  strict=True)))
            times.extend(columns.times[start + 1:end])
        order = sorted(range(len(times)), key=times.__getitem__)
        path.with_suffix(".order.json").write_text(json.dumps(order))
        path.write_text(json.dumps(cards))
    return path


def _best(figures: list[dict[str, float]]) -> float:
    return min(f["cpu"] for f in figures)


def _peak(figures: list[dict[str, float]]) -> float:
    return max(f["maxrss_mb"] for f in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare-src", type=Path, metavar="SRC",
                        help="also time the fit of another checkout's src/ (e.g. main's)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        figures = _MEASURES[kind](Path(path))
        figures["maxrss_mb"] = _peak_memory_mb()
        print(json.dumps(figures))
        return
    for reviews in args.reviews:
        database = _database(reviews)
        items = _items_file(database)
        runs: dict[str, list[dict[str, float]]] = {"ours": [], "direct": [], "same-calls": []}
        if args.compare_src:
            runs["compared"] = []
        for _ in range(args.repeat):  # interleaved, so that load on the machine hits all alike
            runs["ours"].append(_child("ours", database))
            runs["direct"].append(_child("direct", items))
            runs["same-calls"].append(_child("same-calls", items))
            if args.compare_src:
                runs["compared"].append(_child("ours", database, args.compare_src.resolve()))
        phases = _child("phases", database)
        ours, direct, same = _best(runs["ours"]), _best(runs["direct"]), _best(runs["same-calls"])
        ratio = ours / direct
        print(f"{reviews:>9,} log rows, {int(runs['ours'][0]['items']):,} items:"
              f" ours {ours:.2f} s CPU, direct fsrs-rs fit {direct:.2f} s CPU,"
              f" ratio {ratio:.2f}x (target <= {TARGET}x) {'ok' if ratio <= TARGET else 'MISSED'};"
              f" peak memory ours {_peak(runs['ours']):.0f} MB,"
              f" direct {_peak(runs['direct']):.0f} MB")
        print(f"{'':10}same fsrs-rs calls as ours done directly (fit 80%, evaluate 20% twice):"
              f" {same:.2f} s CPU, ours {ours / same:.2f}x that;"
              f" peak memory {_peak(runs['same-calls']):.0f} MB")
        print(f"{'':10}ours step by step: read {phases['read']:.2f} s, items and split"
              f" {phases['items']:.2f} s, fit {phases['fit']:.2f} s, score {phases['score']:.2f} s")
        if args.compare_src:
            compared = _best(runs["compared"])
            print(f"{'':10}{args.compare_src}: {compared:.2f} s CPU, ratio"
                  f" {compared / direct:.2f}x; peak memory {_peak(runs['compared']):.0f} MB")


if __name__ == "__main__":
    main()
