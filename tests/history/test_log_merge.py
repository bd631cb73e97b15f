"""Reviews pulled from elsewhere merge into a card's history by time, without reordering the
trainer's own rows; the card's state is then the replay of the merged history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from srs_trainer.history.anki_pull import PulledRow
from srs_trainer.history.log_merge import foreign_scheduler_json, merge_rows
from srs_trainer.history.origins import pulled_from_anki
from srs_trainer.trainer import scheduling
from srs_trainer.trainer.settings import DeckSettings
from srs_trainer.trainer.types import Answer, Memory
from trainer_helpers import NOW, make_trainer

KEY = ("demo", "p1")


def test_a_pulled_review_between_two_own_reviews_replays_between_them(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    store = trainer.store
    day5 = NOW + timedelta(days=5)
    trainer.record_answer(Answer(KEY, 3, NOW, 1000, 1, chosen="B"))
    trainer.record_answer(Answer(KEY, 3, day5, 1000, 1, chosen="B"))
    pulled_at = (NOW + timedelta(days=2)).replace(hour=4)
    foreign = foreign_scheduler_json(DeckSettings())
    rows = [PulledRow(KEY, 1_767_000_000_000, pulled_at, 1, 4000)]
    result = merge_rows(store, "anki", rows, {"demo": foreign}, {KEY})
    assert (result.added, result.cards_replayed) == (1, 1)
    assert pulled_from_anki(store) == 1

    own_json = store.scheduler_json(store.card_log(*KEY)[0].scheduler_id or 0)
    memory = Memory()
    for json_text, rating, at in ((own_json, 3, NOW), (foreign, 1, pulled_at), (own_json, 3, day5)):
        memory = scheduling.review(scheduling.scheduler_from_json(json_text), KEY, memory,
                                   rating, at, None)
    assert store.card(*KEY).memory == memory  # type: ignore[union-attr]
    assert trainer.doctor().mismatched == [] and trainer.doctor().stale_rows == []
    # Pulling the same review again adds nothing and leaves the state alone.
    again = merge_rows(store, "anki", rows, {"demo": foreign}, {KEY})
    assert (again.added, again.already_there) == (0, 1)
    assert store.card(*KEY).memory == memory  # type: ignore[union-attr]


def test_own_rows_keep_their_written_order_whatever_their_clock(tmp_path: Path) -> None:
    trainer = make_trainer(tmp_path)
    early = NOW - timedelta(minutes=5)  # a clock set back between two answers
    trainer.record_answer(Answer(KEY, 1, NOW, 1000, 1, chosen="A"))
    trainer.record_answer(Answer(KEY, 3, early, 1000, 1, chosen="B"))
    log = trainer.store.card_log(*KEY)
    assert [entry.rating for entry in scheduling.replay_order(log)] == [1, 3]
    assert trainer.doctor().mismatched == []
