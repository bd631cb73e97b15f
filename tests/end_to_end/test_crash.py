"""Real processes: a trainer killed with SIGKILL mid-session, and two trainers writing at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import fsrs
import pytest

from clocked_srs import SCRIPT
from srs_trainer.trainer.doctor import doctor
from srs_trainer.trainer.scheduling import fuzz_seed
from srs_trainer.trainer.store import Store
from trainer_helpers import NOW, write_deck

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float = 20) -> bytes:
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {marker!r}; got {seen[-500:]!r}")
        chunk = os.read(process.stdout.fileno(), 4096)
        if not chunk:
            raise AssertionError(f"process ended before {marker!r}; got {seen[-500:]!r}")
        seen += chunk
    return seen


def test_sigkill_mid_session_keeps_every_answer(tmp_path: Path) -> None:
    write_deck(tmp_path / "cards")
    home = tmp_path / "home"
    env = {**os.environ, "SRS_HOME": str(home),
           "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, SCRIPT, "2026-01-01T09:00:00Z", "review",
         "--cards", str(tmp_path / "cards"), "--no-bundled"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
    )
    assert process.stdin is not None
    try:
        _read_until(process, b"Your answer: ")
        process.stdin.write(b"a\n\n")  # c1 right
        process.stdin.flush()
        _read_until(process, b"Second challenge?")
        process.stdin.write(b"c\nb\n\n")  # c2 wrong, then right
        process.stdin.flush()
        _read_until(process, b"A practice question?")
        time.sleep(0.2)  # the third question is on screen, waiting for an answer
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    with Store.open(home / "progress.sqlite3") as store:
        assert store.integrity_check() == []
        entries = store.log()
        assert [(e.question_id, e.rating, e.attempts) for e in entries] == [
            ("c1", 4, 1), ("c2", 2, 2)]
        assert store.card("demo", "p1").memory.is_new  # type: ignore[union-attr]
        scheduler = fsrs.Scheduler()
        for entry in entries:
            random.seed(fuzz_seed(("demo", entry.question_id), NOW))
            card, _ = scheduler.review_card(fsrs.Card(card_id=1, due=NOW),
                                            fsrs.Rating(entry.rating or 0), NOW)
            memory = store.card("demo", entry.question_id).memory  # type: ignore[union-attr]
            assert (memory.stability, memory.due) == (card.stability, card.due)
        assert doctor(store).ok


WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from srs_trainer.trainer.settings import DeckSettings, Settings
    from srs_trainer.deck.sources import load_deck
    from srs_trainer.trainer.store import Store
    from srs_trainer.trainer.api import Trainer
    from srs_trainer.trainer.types import Answer

    db, deck_path, barrier, name, count = sys.argv[1:6]
    while not Path(barrier).exists():
        time.sleep(0.005)
    settings = Settings(defaults=DeckSettings(enable_fuzzing=True), timezone="UTC")
    store = Store.open(db)
    trainer = Trainer(store, [load_deck(deck_path)], settings)
    start = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    trainer.sync(start)
    offset = 0 if name == "a" else 1
    for i in range(int(count)):
        qid = ("c1", "c2", "p1")[i % 3]
        at = start + timedelta(seconds=2 * i + offset)
        trainer.record_answer(Answer(("demo", qid), rating=1 + (i + offset) % 4, at=at,
                                     duration_ms=1000 + i, attempts=1, chosen=name))
    print("done", name)
    """
)


def test_two_trainers_writing_at_once_both_succeed(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "cards")
    db = tmp_path / "progress.sqlite3"
    barrier = tmp_path / "go"
    count = 60
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(deck), str(barrier), name,
                          str(count)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name in ("a", "b")
    ]
    time.sleep(0.3)  # both interpreters up and waiting
    barrier.write_text("go")
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err.decode()
        assert out.startswith(b"done")
    with Store.open(db) as store:
        assert store.integrity_check() == []
        entries = store.log()
        assert len(entries) == 2 * count
        for name in ("a", "b"):
            mine = [e for e in entries if e.chosen == name]
            assert [e.duration_ms for e in mine] == [1000 + i for i in range(count)]
        assert len(store.cards()) == 3  # both synced; no duplicate cards
        # Each answer read the card inside its own write transaction: the state is the replay.
        assert doctor(store).mismatched == []


def test_ctrl_c_stops_cleanly_and_keeps_the_answers(tmp_path: Path) -> None:
    write_deck(tmp_path / "cards")
    home = tmp_path / "home"
    env = {**os.environ, "SRS_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, SCRIPT, "2026-01-01T09:00:00Z", "review",
         "--cards", str(tmp_path / "cards"), "--no-bundled"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
    )
    assert process.stdin is not None
    try:
        _read_until(process, b"Your answer: ")
        process.stdin.write(b"a\n\n")
        process.stdin.flush()
        _read_until(process, b"Second challenge?")
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert b"Every answer you gave is saved." in out and b"Traceback" not in out
    with Store.open(home / "progress.sqlite3") as store:
        assert [e.question_id for e in store.log()] == ["c1"]
        assert store.integrity_check() == []
