"""Small decks and settings shared by the trainer's tests (real files, real SQLite, real fsrs)."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from pathlib import Path

from srs_trainer.deck.sources import parse_deck
from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.settings import DeckSettings, Settings
from srs_trainer.trainer.store import Store

NOW = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)

DECK_YAML = textwrap.dedent(
    """\
    format: 1
    id: demo
    title: Demo deck
    badge:
      name: Demo Master
    time_limit: 60
    questions:
      - id: c1
        section: challenge
        prompt: First challenge?
        hint: Think of the first letter.
        choices: [alpha, beta, gamma]
        answer: A
      - id: c2
        section: challenge
        prompt: Second challenge?
        choices: [alpha, beta, gamma]
        answer: B
      - id: p1
        section: practice
        prompt: A practice question?
        choices: [one, two]
        answer: B
        solution:
          - Read the question.
          - title: Pick two
            text: Because two is right.
    """
)

#: Exact settings for tests: no fuzz, UTC days starting at 04:00.
#: How many columns a log row has (schema 9): page scans find the log's pages by the count.
LOG_FIELDS = 27
EXACT = Settings(defaults=DeckSettings(enable_fuzzing=False), timezone="UTC")


def write_deck(folder: Path, text: str = DECK_YAML, name: str = "demo.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def make_trainer(
    tmp_path: Path, text: str = DECK_YAML, settings: Settings = EXACT, now: datetime = NOW
) -> Trainer:
    store = Store.open(tmp_path / "progress.sqlite3")
    trainer = Trainer(store, [parse_deck(text, "demo.yaml")], settings)
    trainer.sync(now)
    return trainer

#: Every card type in one deck: a choice, a recall, a typed and a 3-deletion cloze question.
MIXED_YAML = textwrap.dedent(
    """\
    format: 1
    id: mixed
    title: Mixed deck
    badge:
      name: Mixed Master
    time_limit: 60
    questions:
      - id: pick
        section: challenge
        prompt: Which keyword defines a coroutine?
        choices: [def, async def]
        answer: B
        explanation: async def makes a coroutine function.
      - id: recall-await
        section: challenge
        type: recall
        prompt: What does `await` do?
        answer: It suspends the coroutine until the awaitable is done.
        explanation: The event loop runs other tasks meanwhile.
      - id: typed-gather
        section: challenge
        type: typed
        prompt: Which asyncio function runs awaitables concurrently?
        accept: [asyncio.gather, gather]
        hint: It gathers them.
        explanation: gather awaits them all at once.
      - id: cloze-loop
        section: challenge
        type: cloze
        prompt: >-
          The {{c1::event loop}} runs {{c2::coroutines::what async def makes}}
          and {{c3::callbacks}}.
        explanation: One loop per thread.
    """
)
