"""Recall, typed and cloze cards on the real terminal screen (tmux drives a real terminal;
``test_tty`` has the harness)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tty import needs_tmux, run_review  # noqa: F401  (run_review is a fixture)

from srs_trainer.trainer.settings import DATABASE_NAME
from srs_trainer.trainer.store import Store
from trainer_helpers import MIXED_YAML


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "cards" / "mixed.yaml"
    path.parent.mkdir()
    path.write_text(MIXED_YAML, encoding="utf-8")
    return path


@needs_tmux
def test_every_card_type_on_the_terminal_screen(run_review, tmp_path: Path) -> None:  # noqa: F811
    terminal = run_review()
    terminal.wait_for(r"Which keyword defines a coroutine\?")
    terminal.keys("b")
    terminal.wait_for(r"Comes back")
    terminal.keys("Enter")
    terminal.wait_for(r"space or Enter show the answer")
    terminal.keys("Space")
    terminal.wait_for(r"It suspends the coroutine")
    terminal.keys("3")
    terminal.wait_for(r"You rated it Good")
    terminal.keys("Enter")
    terminal.wait_for(r"Your answer: _")
    terminal.keys("asyncio.gahter", "Enter")
    terminal.wait_for(r"Not quite: 1 attempt left")
    terminal.keys("gathx", "BSpace", "r", "Enter")
    screen = terminal.wait_for(r"Comes back")
    assert "gath{+e+}r" in screen and "You typed" in screen
    terminal.keys("Enter")
    screen = terminal.wait_for(r"runs coroutines and callbacks")
    assert "The [...] runs coroutines and callbacks." in screen
    terminal.keys("Space")
    terminal.wait_for(r"The \[event loop\] runs")
    terminal.keys("4")
    terminal.wait_for(r"You rated it Easy")
    terminal.keys("q")
    assert "EXIT=0" in terminal.wait_for(r"EXIT=\d+")
    with Store.open(tmp_path / "home" / DATABASE_NAME) as store:
        assert [(e.question_id, e.rating, e.chosen) for e in store.log()] == [
            ("pick", 4, "B"), ("recall-await", 3, None), ("typed-gather", 1, "gathr"),
            ("cloze-loop::c1", 4, None)]
