"""`recover`: a progress database with a damaged page gives back every row that can be read.

Real files: a store filled with a realistic history, one page overwritten with random bytes
at a time (every page of the file, the schema page included), then recovered.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from srs_trainer.trainer import scheduling
from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.doctor import doctor
from srs_trainer.trainer.page_scan import scan_rows
from srs_trainer.trainer.recovery import recover
from srs_trainer.trainer.settings import DeckSettings
from srs_trainer.trainer.store import Store
from synthetic import seed_history, synthetic_decks
from trainer_helpers import EXACT, NOW

PAGE = 4096
FALLBACK = scheduling.scheduler_json(DeckSettings())


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "progress.sqlite3"
    with Store.open(path) as store:
        seed_history(store, decks=2, questions_per_deck=60, start=NOW - timedelta(days=60),
                     days=60)
    return path


def _rows(path: Path, table: str) -> dict[int, tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return {row[0]: row for row in db.execute(f"SELECT rowid, * FROM {table}")}
    finally:
        db.close()


def _damage(source: Path, target: Path, page: int) -> bytes:
    shutil.copy(source, target)
    data = bytearray(target.read_bytes())
    start = page * PAGE + (100 if page == 0 else 0)  # keep the file's magic header
    data[start:start + 300] = random.Random(page).randbytes(300)
    target.write_bytes(bytes(data))
    return bytes(data)


def test_every_page_damaged_in_turn_loses_only_the_rows_on_that_page(
    history: Path, tmp_path: Path
) -> None:
    original = _rows(history, "log")
    good = history.read_bytes()
    log_width = len(next(iter(original.values()))) - 1
    per_page = Counter(row.page for row in scan_rows(good) if len(row.values) == log_width)
    pages = len(good) // PAGE
    assert pages > 20 and max(per_page.values()) < len(original) / 10
    for page in range(pages):
        path = tmp_path / f"page-{page}.sqlite3"
        damaged = _damage(history, path, page)
        report = recover(path, NOW, FALLBACK)
        # The damaged file is kept aside, untouched; the new one is sound.
        assert report.damaged_copy.read_bytes() == damaged
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()
        recovered = _rows(path, "log")
        log = report.table("log")
        assert log.recovered == len(recovered)
        assert log.recovered + log.lost == len(original), page
        # Nothing is made up: each recovered row is the row that was written.
        assert all(original[rowid] == row for rowid, row in recovered.items()), page
        assert log.lost <= per_page.get(page + 1, 0), (page, log.lost)


def test_replay_after_recovery_is_exact(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    width = len(next(iter(_rows(history, "log").values()))) - 1
    log_page = next(row.page for row in scan_rows(history.read_bytes())
                    if len(row.values) == width)
    _damage(history, path, log_page - 1)
    report = recover(path, NOW, FALLBACK)
    assert report.table("log").lost > 0
    with Store.open(path) as store:
        trainer = Trainer(store, synthetic_decks(2, 60), EXACT)
        trainer.sync(NOW)
        doctor(store, rebuild=True)
        after = doctor(store)
        assert after.integrity == [] and after.mismatched == []
        assert after.cards_checked == 120
        assert store.log_count() == report.table("log").recovered


def test_lost_scheduler_rows_fall_back_to_the_current_settings(
    history: Path, tmp_path: Path
) -> None:
    path = tmp_path / "progress.sqlite3"
    scheduler_page = next(row.page for row in scan_rows(history.read_bytes())
                          if len(row.values) == 2 and row.values[0] is None)
    _damage(history, path, scheduler_page - 1)
    report = recover(path, NOW, FALLBACK)
    assert report.table("schedulers").lost == 1
    assert report.rescheduled == report.table("log").recovered == len(_rows(history, "log"))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()
