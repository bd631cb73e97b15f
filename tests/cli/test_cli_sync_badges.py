"""`srs sync`: a badge that neither machine completed alone is earned once their reviews meet."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from clocked_srs import clocked
from srs_trainer.cli import main
from srs_trainer.deck.sources import parse_deck
from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.settings import load_settings
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Answer
from trainer_helpers import DECK_YAML, NOW, write_deck

CONFIG = "timezone: UTC\ndefaults:\n  mastery_days: 2\n  enable_fuzzing: false\n"


def srs(home: Path, *args: str, cards: Path) -> Result:
    return CliRunner().invoke(
        main, [*args, "--cards", str(cards), "--no-bundled"],
        obj=clocked("2026-01-01T12:00:00Z"), env={"SRS_HOME": str(home), "NO_COLOR": "1"})


def answer(home: Path, question_id: str) -> None:
    """One right answer, recorded through the trainer as a session would."""
    with Store.open(home / "progress.sqlite3") as store:
        trainer = Trainer(store, [parse_deck(DECK_YAML, "demo.yaml")], load_settings(home))
        trainer.sync(NOW)
        trainer.record_answer(Answer(("demo", question_id), rating=3, duration_ms=1000,
                                     attempts=1, at=NOW + timedelta(minutes=1)))
        assert store.badge("demo") is None


def test_sync_earns_the_badge_two_machines_completed_together(tmp_path: Path) -> None:
    cards, share = tmp_path / "cards", tmp_path / "share"
    write_deck(cards)
    share.mkdir()
    for name, question in (("a", "c1"), ("b", "c2")):  # each masters one challenge offline
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.yaml").write_text(CONFIG, encoding="utf-8")
        answer(tmp_path / name, question)
    first = srs(tmp_path / "a", "sync", str(share), cards=cards)
    assert first.exit_code == 0 and "Badge" not in first.output  # nothing came in
    second = srs(tmp_path / "b", "sync", str(share), cards=cards)
    assert second.exit_code == 0, second.output
    assert "Badge earned: Demo Master (celebrated at your next srs review)" in second.output
    with Store.open(tmp_path / "b" / "progress.sqlite3") as store:
        assert store.badge("demo") is not None
    # The earn event travels: the other machine holds the badge after its next sync.
    third = srs(tmp_path / "a", "sync", str(share), cards=cards)
    assert third.exit_code == 0, third.output
    with Store.open(tmp_path / "a" / "progress.sqlite3") as store:
        assert store.badge("demo") is not None
