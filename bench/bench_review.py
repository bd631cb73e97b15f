"""Benchmark `srs review` and `srs progress` on a big learner: figures against their targets.

    /work/venv/bin/python bench/bench_review.py                 # 100,000 cards, 1,000,000 reviews
    /work/venv/bin/python bench/bench_review.py --cards 2000    # a quick run
    /work/venv/bin/python bench/bench_review.py --profile       # also: where start-up goes

The learner: ``--decks`` YAML sources (``synthetic_decks`` of tests/synthetic.py: two-choice
questions) and a progress database holding every question as a card with ``--reviews`` log rows
in all (10 per card by default), generated once and cached under bench/out/ (keyed by the
store's schema version and the sizes). Histories are real FSRS reviews (a pool of rating
sequences, answered when due, scheduled by ``scheduling.review`` with fuzzing off and so
shift-invariant), each shifted in time so that its last answer is in the past and its due date
spread around "now": about one card in ten is due, far more than the daily limits let into a
session. The log replays to the cards' state exactly (``srs doctor`` agrees).

Figures, each measured next to its baseline in every round, best of ``--repeat`` rounds:

- first card on screen: ``srs review`` started as a process with stdin a pipe, until the
  first question's text is on its stdout; target within 0.3 s of ``python -c "import click"``
  started the same way;
- answer to next card: writing an answer line (and Enter past the feedback) until the next
  question appears, median and worst of ``--answers``; target under 20 ms. Also measured in
  the process (``Trainer.record_answer`` then ``SessionQueue.next``), without pipes;
- ``srs progress`` (a whole process): target under 0.5 s;
- peak memory of those processes (``getrusage`` children maxrss): target under 150 MB;
- the review path imports no genanki (``python -X importtime``).

Each round copies the cached database, so answers given by one run never change the next.
Not a unit test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# The synthetic learner (decks, histories) is test support shared with the tests.
sys.path.insert(0, str(BENCH.parent / "tests"))
OUT = BENCH / "out"
GENERATOR_VERSION = 3  # bump when the generated data changes shape
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
YESTERDAY = datetime(2026, 1, 4, 20, 0, tzinfo=timezone.utc)  # before today's 04:00 start
# `srs` with its clock set to NOW, through the tests' launcher
SRS = [sys.executable, str(BENCH.parent / "tests" / "clocked_srs.py"),
       NOW.isoformat().replace("+00:00", "Z")]
QUESTION_TEXT = re.compile(rb"Question \d+ of deck \d+\?")
TEMPLATES = 2000  # distinct rating sequences replayed with real FSRS

FIRST_CARD_MARGIN = 0.3  # s over `python -c "import click"`
ANSWER_TARGET = 0.020  # s
PROGRESS_TARGET = 0.5  # s
MEMORY_TARGET_MB = 150


# --- the generated learner -------------------------------------------------------------------


@dataclass(frozen=True)
class Learner:
    cards_dir: Path
    database: Path
    decks: int
    cards: int
    reviews: int


def learner(cards: int, decks: int, reviews: int, out: Path = OUT) -> Learner:
    """The cached learner of this shape (under ``out``), generated first if missing."""
    from srs_trainer.trainer.api import SYNC_VERSION
    from srs_trainer.trainer.library import LIBRARY_VERSION
    from srs_trainer.trainer.migrations import SCHEMA_VERSION
    from srs_trainer.trainer.settings import DATABASE_NAME

    decks = max(1, min(decks, cards))
    # The learner's sources cache and sync marks are only valid for this srs-trainer.
    primed = hashlib.sha256(f"{LIBRARY_VERSION}/{SYNC_VERSION}".encode()).hexdigest()[:8]
    name = (f"review-s{SCHEMA_VERSION}-g{GENERATOR_VERSION}-p{primed}-{cards}c-{decks}d-"
            f"{reviews}r")
    folder = out / name
    found = Learner(folder / "cards", folder / "home" / DATABASE_NAME, decks, cards, reviews)
    if (folder / "ready").is_file():
        return found
    partial = out / f"{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    started = time.perf_counter()
    _generate(partial, cards, decks, reviews)
    (partial / "ready").write_text(f"generated in {time.perf_counter() - started:.1f} s\n")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    _first_session_start(found)
    print(f"generated {name} in {time.perf_counter() - started:.1f} s (cached in {folder})")
    return found


def _first_session_start(data: Learner) -> None:
    """What the learner's first `srs review` did once: parse and cache the sources, sync.

    The figures are about a learner's daily start, with sources unchanged since yesterday.
    """
    from srs_trainer.trainer.api import Trainer, source_paths
    from srs_trainer.trainer.library import load_library
    from srs_trainer.trainer.settings import SOURCES_CACHE, Settings
    from srs_trainer.trainer.store import Store

    home = data.database.parent
    library = load_library(source_paths([data.cards_dir], bundled=False), home / SOURCES_CACHE)
    with Store.open(data.database) as store:
        Trainer(store, library, Settings()).sync(NOW)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _templates(
    count: int, length: int, seed: int = 7
) -> list[list[tuple[datetime, int, int, object]]]:
    """``count`` histories of ``length`` answers: (answered at, rating, state before, memory).

    Ratings follow a plausible learner (mostly Good, some Again/Hard/Easy); each answer comes
    when the card is due, a little late. Fuzzing is off, so a history shifted in time replays
    to the same intervals, shifted.
    """
    from srs_trainer.trainer import scheduling
    from srs_trainer.trainer.settings import DeckSettings
    from srs_trainer.trainer.types import REVIEW, Memory

    scheduler = scheduling.make_scheduler(DeckSettings(enable_fuzzing=False))
    rng = random.Random(seed)
    epoch = datetime(2000, 1, 3, 9, 0, tzinfo=timezone.utc)
    key = ("template", "card")
    histories = []
    for _ in range(count):
        memory, at, history = Memory(), epoch, []
        for _ in range(length):
            roll = rng.random()
            if memory.state == REVIEW:
                rating = 1 if roll < 0.08 else 2 if roll < 0.18 else 4 if roll > 0.93 else 3
            else:
                rating = 1 if roll < 0.05 else 4 if roll > 0.97 else 3
            after = scheduling.review(scheduler, key, memory, rating, at, 8000)
            history.append((at, rating, memory.state, after))
            memory = after
            assert after.due is not None
            late = timedelta(minutes=rng.uniform(0, 30 if after.state != REVIEW else 20 * 60))
            at = max(after.due, at + timedelta(seconds=1)) + late
        histories.append(history)
    return histories


def _generate(folder: Path, cards: int, decks: int, reviews: int) -> None:
    import yaml

    from srs_trainer.trainer import scheduling
    from srs_trainer.trainer.api import answer_key
    from srs_trainer.trainer.settings import DeckSettings
    from srs_trainer.trainer.store import Store
    from srs_trainer.trainer.types import CardRow, NewAnswer
    from synthetic import synthetic_decks

    per_deck, extra_questions = divmod(cards, decks)
    all_decks = synthetic_decks(decks, per_deck + (1 if extra_questions else 0))
    all_decks = [
        replace(deck, questions=deck.questions[: per_deck + (1 if index < extra_questions else 0)])
        for index, deck in enumerate(all_decks)
    ]
    (folder / "cards").mkdir(parents=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for deck in all_decks:
        text = yaml.dump(deck.to_dict(), Dumper=dumper, sort_keys=False, allow_unicode=True)
        (folder / "cards" / f"{deck.id}.yaml").write_text(text, encoding="utf-8")

    per_card, extra_reviews = divmod(reviews, cards)
    pool = _templates(min(TEMPLATES, cards), per_card + (1 if extra_reviews else 0))
    rng = random.Random(11)
    (folder / "home").mkdir()
    with Store.open(folder / "home" / "progress.sqlite3") as store:
        text = scheduling.scheduler_json(DeckSettings(enable_fuzzing=False))
        with store.transaction():
            scheduler_id = store.scheduler_id(text)
            for deck in all_decks:
                store.upsert_deck(deck.id, deck.title, "", NOW)
        card_rows: list[CardRow] = []
        answers: list[NewAnswer] = []
        position = 0
        for deck in all_decks:
            for question in deck.questions:
                position += 1
                length = per_card + (1 if position <= extra_reviews else 0)
                history = pool[rng.randrange(len(pool))][:length]
                last = history[-1][3]
                # Due from 3 weeks ago to 8 months ahead; the last answer before today, as
                # the daily limits keep a real learner's day to a few hundred answers.
                target_due = NOW + timedelta(days=rng.uniform(-21, 240))
                shift = min(target_due - last.due, YESTERDAY - last.last_review)
                memory = None
                for at, rating, state_before, after in history:
                    memory = replace(
                        after, due=after.due + shift, last_review=after.last_review + shift
                    )
                    answers.append(
                        NewAnswer(
                            deck_id=deck.id,
                            question_id=question.id,
                            at=at + shift,
                            rating=rating,
                            duration_ms=8000,
                            attempts=1 if rating > 1 else 2,
                            hint_used=False,
                            chosen="A" if rating > 1 else "B",
                            mode="review",
                            rescheduled=True,
                            state_before=state_before,
                            scheduler_id=scheduler_id,
                            after=memory,
                        )
                    )
                card_rows.append(
                    CardRow(
                        deck.id,
                        question.id,
                        position,
                        question.section.value,
                        answer_key(question),
                        memory=memory,  # type: ignore[arg-type]
                    )
                )
                if len(answers) >= 100_000:
                    store.bulk_load(card_rows, answers)
                    card_rows, answers = [], []
        store.bulk_load(card_rows, answers)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- measuring processes ---------------------------------------------------------------------


def environment(out: Path = OUT) -> dict[str, str]:
    """The children's environment: bytecode cached as an install has it, no colour.

    With PYTHONDONTWRITEBYTECODE set (as in some sandboxes) every start would compile our
    modules again, a cost no installed copy pays; their bytecode goes to bench/out instead.
    """
    drop = ("COLUMNS", "LINES", "SRS_HOME", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(NO_COLOR="1")
    env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
    import srs_trainer

    package = str(Path(srs_trainer.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], env=env, check=True)
    return env


def copy_home(data: Learner, home: Path) -> None:
    """A fresh copy of the learner's data folder (database and source cache) in ``home``."""
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(data.database.parent, home)


def reap(process: subprocess.Popen[bytes]) -> float:
    """Wait for ``process``; its own peak memory in MB (``wait4``: this child's rusage only)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{process.args!r} exited with status {process.returncode}")
    return usage.ru_maxrss / 1024


def process_run(args: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak MB) of a whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    peak = reap(process)
    return time.perf_counter() - started, peak


class Reader:
    """Reads a child's stdout as it comes and waits for a pattern in what is new."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self.fd = process.stdout.fileno()
        self.buffer = b""
        self.seen = 0

    def wait_for(self, pattern: re.Pattern[bytes], timeout: float = 600) -> float | None:
        """perf_counter() when ``pattern`` appeared after the last match; None at end of output."""
        deadline = time.perf_counter() + timeout
        while True:
            match = pattern.search(self.buffer, self.seen)
            if match:
                self.seen = match.end()
                return self.arrived
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.perf_counter()))
            if not ready:
                raise TimeoutError(f"no {pattern.pattern!r} within {timeout} s")
            chunk = os.read(self.fd, 1 << 16)
            self.arrived = time.perf_counter()
            if not chunk:
                return None
            self.buffer += chunk


@dataclass
class ReviewRun:
    first_card: float
    answers: list[float]
    peak_mb: float


def run_review(data: Learner, home: Path, answers: int, env: dict[str, str]) -> ReviewRun:
    args = [*SRS, "review", "--home", str(home), "--no-bundled", "--cards", str(data.cards_dir)]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin is not None
    reader = Reader(process)
    try:
        shown = reader.wait_for(QUESTION_TEXT)
        if shown is None:
            raise RuntimeError(f"srs review showed no question:\n{reader.buffer.decode()}")
        timings: list[float] = []
        for _ in range(answers):
            written = time.perf_counter()
            process.stdin.write(b"A\n\n")  # the answer, then Enter past the feedback
            process.stdin.flush()
            next_shown = reader.wait_for(QUESTION_TEXT)
            if next_shown is None:
                break
            timings.append(next_shown - written)
        process.stdin.write(b"q\n")
        process.stdin.close()
        peak = reap(process)
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
    return ReviewRun(shown - started, timings, peak)


def in_process_answer_times(data: Learner, home: Path, answers: int) -> list[float]:
    """Trainer.record_answer + SessionQueue.next, in this process, on a copy of the database."""
    from srs_trainer.trainer.api import Trainer
    from srs_trainer.trainer.settings import DATABASE_NAME, Settings
    from srs_trainer.trainer.store import Store
    from srs_trainer.trainer.types import Answer
    from synthetic import synthetic_decks

    per_deck = -(-data.cards // data.decks)
    decks = synthetic_decks(data.decks, per_deck)
    with Store.open(home / DATABASE_NAME) as store:
        trainer = Trainer(store, decks, Settings())
        queue = trainer.queue(NOW)
        now = NOW
        pick = queue.next(now)
        timings = []
        for _ in range(answers):
            if pick is None:
                break
            now += timedelta(seconds=5)
            started = time.perf_counter()
            trainer.record_answer(Answer(pick.key, rating=3, at=now, duration_ms=5000, attempts=1,
                                         chosen="A"))
            pick = queue.next(now)
            timings.append(time.perf_counter() - started)
    return timings


def review_imports(data: Learner, home: Path, env: dict[str, str]) -> list[str]:
    """Top-level packages `srs review` imports (stdin at end: it shows a card, then quits)."""
    args = [*SRS, "review", "--home", str(home), "--no-bundled", "--cards", str(data.cards_dir)]
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args[1:]],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=True,
    )
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", result.stderr, re.M)
    return sorted({name.split(".")[0] for name in names})


def profile_start_up(data: Learner, home: Path, env: dict[str, str], top: int = 25) -> None:
    import pstats

    stats_file = home / "review.prof"
    args = [*SRS, "review", "--home", str(home), "--no-bundled", "--cards", str(data.cards_dir)]
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats_file), *args[1:]],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    print(f"\ncProfile of `srs review` start-up (first card, then end of input), top {top}:")
    pstats.Stats(str(stats_file)).sort_stats("cumulative").print_stats(top)


def start_up_phases(data: Learner, home: Path) -> None:
    """Where `srs review` and `srs progress` spend their start-up, phase by phase, in process."""
    from srs_trainer.deck.files import discover
    from srs_trainer.trainer.api import Trainer
    from srs_trainer.trainer.library import load_library
    from srs_trainer.trainer.settings import DATABASE_NAME, SOURCES_CACHE, Settings
    from srs_trainer.trainer.store import Store

    def rss_mb() -> float:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]

    print("\nstart-up phases in process (seconds, resident memory after):")
    started, phase_start = time.perf_counter(), rss_mb()
    print(f"  {'before':<34}{'':>8}   {phase_start:6.0f} MB")

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        print(f"  {name:<34}{now - since:8.2f} s {rss_mb():6.0f} MB")
        return now

    decks = load_library(discover([data.cards_dir]), home / SOURCES_CACHE)
    mark = phase(f"library.load_library ({len(decks)} files)", started)
    with Store.open(home / DATABASE_NAME) as store:
        trainer = Trainer(store, decks, Settings())
        trainer.sync(NOW)
        mark = phase("Trainer.sync", mark)
        queue = trainer.queue(NOW)
        mark = phase(f"Trainer.queue ({len(queue)} cards)", mark)
        trainer.due_counts(NOW)
        mark = phase("Trainer.due_counts (summary)", mark)
        trainer.progress(NOW)
        phase("Trainer.progress (srs progress)", mark)


# --- the report ------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok  " if ok else "SLOW"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000, help="questions (= cards)")
    parser.add_argument("--decks", type=int, default=100, help="YAML source files")
    parser.add_argument("--reviews", type=int, default=None, help="log rows (default 10/card)")
    parser.add_argument("--answers", type=int, default=20, help="answers timed per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each figure's best")
    parser.add_argument("--profile", action="store_true", help="cProfile the review start-up")
    parser.add_argument("--out", type=Path, default=OUT, help="cache folder (default bench/out)")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    reviews = args.reviews if args.reviews is not None else 10 * args.cards

    if args.generate_only:
        learner(args.cards, args.decks, reviews, args.out)
        return 0
    # Generate in a child process: the data it holds would otherwise count in the memory
    # figures of every process this one starts (a forked child inherits its size).
    subprocess.run(
        [
            *(sys.executable, __file__, "--generate-only"),
            *("--cards", str(args.cards), "--decks", str(args.decks), "--reviews", str(reviews)),
            *("--out", str(args.out)),
        ],
        check=True,
    )
    data = learner(args.cards, args.decks, reviews, args.out)
    size_mb = data.database.stat().st_size / 1e6
    print(
        f"learner: {data.cards:,} cards in {data.decks} YAML decks, {data.reviews:,} log rows,"
        f" database {size_mb:.0f} MB, now = {NOW.isoformat()}"
    )
    env = environment(args.out)
    baseline_args = [sys.executable, "-c", "import click"]
    best_baseline = best_first = best_progress = float("inf")
    answer_times: list[float] = []
    peaks: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="srs-bench-") as scratch:
        home = Path(scratch)
        for _ in range(args.repeat):
            copy_home(data, home)
            seconds, peak = process_run(baseline_args, env)
            best_baseline = min(best_baseline, seconds)
            peaks["python -c 'import click'"] = peak
            run = run_review(data, home, args.answers, env)
            best_first = min(best_first, run.first_card)
            answer_times += run.answers
            peaks["srs review"] = max(peaks.get("srs review", 0), run.peak_mb)
            progress_args = [*SRS, "progress", "--home", str(home), "--no-bundled"]
            progress_args += ["--cards", str(data.cards_dir)]
            seconds, peak = process_run(progress_args, env)
            best_progress = min(best_progress, seconds)
            peaks["srs progress"] = max(peaks.get("srs progress", 0), peak)
        copy_home(data, home)
        in_process = in_process_answer_times(data, home, args.answers * args.repeat)
        imported = review_imports(data, home, env)
        if args.profile:
            profile_start_up(data, home, env)
            copy_home(data, home)
            start_up_phases(data, home)

    over = best_first - best_baseline
    print(f"\nbaseline  python -c 'import click' (process)   {best_baseline * 1000:8.0f} ms")
    print(
        f"{verdict(over <= FIRST_CARD_MARGIN)}first card on screen (srs review)  "
        f"{best_first * 1000:8.0f} ms = baseline + {over * 1000:.0f} ms"
        f" ({best_first / best_baseline:.1f}x)"
        f"   target: baseline + {FIRST_CARD_MARGIN * 1000:.0f} ms"
    )
    if answer_times:
        median, worst = statistics.median(answer_times), max(answer_times)
        print(
            f"{verdict(median < ANSWER_TARGET)}answer -> next card (pipe)        "
            f"{median * 1000:8.1f} ms median, {worst * 1000:.1f} ms worst of"
            f" {len(answer_times)}   target: < {ANSWER_TARGET * 1000:.0f} ms"
        )
    if in_process:
        median, worst = statistics.median(in_process), max(in_process)
        print(
            f"{verdict(median < ANSWER_TARGET)}record_answer + next (in process)"
            f" {median * 1000:8.1f} ms median, {worst * 1000:.1f} ms worst of {len(in_process)}"
            f"   target: < {ANSWER_TARGET * 1000:.0f} ms"
        )
    print(
        f"{verdict(best_progress < PROGRESS_TARGET)}srs progress (process)            "
        f"{best_progress * 1000:8.0f} ms ({best_progress / best_baseline:.1f}x baseline)"
        f"   target: < {PROGRESS_TARGET * 1000:.0f} ms"
    )
    base_mb = peaks.pop("python -c 'import click'")
    for name, peak in peaks.items():
        print(
            f"{verdict(peak < MEMORY_TARGET_MB)}peak memory of {name:<18}"
            f"{peak:8.0f} MB ({peak / base_mb:.1f}x baseline {base_mb:.0f} MB)"
            f"   target: < {MEMORY_TARGET_MB} MB"
        )
    peak = max(peaks.values())
    heavy = [name for name in ("genanki", "anki", "markdown_it", "pygments") if name in imported]
    print(
        f"{verdict('genanki' not in imported)}review path imports genanki: "
        f"{'yes' if 'genanki' in imported else 'no'}"
        f"   (of genanki, anki, markdown_it, pygments it imports: {', '.join(heavy) or 'none'})"
    )
    summary = {
        "baseline_s": best_baseline,
        "first_card_s": best_first,
        "answer_median_s": statistics.median(answer_times) if answer_times else None,
        "record_next_median_s": statistics.median(in_process) if in_process else None,
        "progress_s": best_progress,
        "peak_mb": peak,
        "genanki_imported": "genanki" in imported,
    }
    print("\n" + json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
