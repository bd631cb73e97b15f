"""Real processes: `srs sync` killed with SIGKILL again and again loses no event."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from clocked_srs import SCRIPT
from srs_trainer.history.sync_folder import sync
from srs_trainer.trainer.doctor import doctor
from srs_trainer.trainer.store import Store
from synthetic import seed_history, synthetic_decks

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _home(root: Path, name: str, days: int) -> tuple[Path, str, int]:
    home = root / name
    home.mkdir()
    with Store.open(home / "progress.sqlite3") as store:
        # About 35,000 reviews: a sync takes long enough to be killed at every stage.
        _, rows = seed_history(store, decks=synthetic_decks(10, 1000), start=T0, days=days)
        return home, store.device_id, rows


def _sync_process(home: Path, share: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SRS_HOME": str(home)}
    return subprocess.Popen([sys.executable, SCRIPT, "2026-03-02T09:00:00Z", "sync", str(share)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _unkilled_seconds(home: Path, share: Path, scratch: Path) -> float:
    """How long this very sync takes when left alone: run on copies of the home and the share.

    A fixed delay stops testing anything as syncs get faster (every sync would end before the
    kill); a delay scaled to the sync at hand lands inside it.
    """
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(home, scratch / "home")
    shutil.copytree(share, scratch / "share")
    started = time.perf_counter()
    assert _sync_process(scratch / "home", scratch / "share").wait(timeout=120) == 0
    return time.perf_counter() - started


def _kill_during_sync(home: Path, share: Path, delay: float) -> bool:
    """Whether the sync was killed (rather than done before the delay)."""
    process = _sync_process(home, share)
    try:
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        return process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()


def test_sigkill_during_sync_loses_no_event(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    homes = [_home(tmp_path, "a", 60), _home(tmp_path, "b", 50)]
    rng = random.Random(9)
    killed_with_work_left = 0
    for round_number in range(10):
        home, _, _ = homes[round_number % 2]
        seconds = _unkilled_seconds(home, share, tmp_path / "scratch")
        killed = _kill_during_sync(home, share, seconds * rng.uniform(0.2, 0.8))
        # A sync with nothing left to do is mostly interpreter start-up: not a kill mid-sync.
        killed_with_work_left += killed and seconds > 0.2
    assert killed_with_work_left >= 6
    for home, _, _ in (*homes, homes[0]):
        with Store.open(home / "progress.sqlite3") as store:
            sync(store, share)
    for (home, device, rows), (_, other, other_rows) in (homes, homes[::-1]):
        with Store.open(home / "progress.sqlite3") as store:
            assert store.integrity_check() == []
            counts = dict(store.db.execute("SELECT device, count(*) FROM log GROUP BY device"))
            assert counts == {"": rows, other: other_rows}
            assert doctor(store).ok
        lines = (share / f"srs-{device}.jsonl").read_bytes().split(b"\n")
        assert lines[-1] == b""  # no half-written line left at its end
        seqs = {event["seq"] for event in map(json.loads, lines[:-1])
                if event["kind"] == "answer"}
        assert seqs == set(range(1, rows + 1))


def test_two_syncs_of_one_home_at_once_write_its_file_whole(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    home, device, rows = _home(tmp_path, "a", 40)
    env = {**os.environ, "SRS_HOME": str(home)}
    command = [sys.executable, SCRIPT, "2026-03-02T09:00:00Z", "sync", str(share)]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for _ in range(2)]
    for process in processes:
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
    lines = (share / f"srs-{device}.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""
    events = [json.loads(line) for line in lines[:-1]]
    assert sorted(e["seq"] for e in events if e["kind"] == "answer") == list(range(1, rows + 1))
