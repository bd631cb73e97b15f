"""The call counter the "must not parse again" tests rely on sees every call."""

from __future__ import annotations

from call_counting import calls_to
from srs_trainer.deck import sources
from srs_trainer.deck.sources import parse_deck as bound_at_import
from trainer_helpers import DECK_YAML


def test_a_call_through_a_name_bound_at_import_time_is_counted() -> None:
    with calls_to(sources.parse_deck) as calls:
        bound_at_import(DECK_YAML, "demo.yaml")
    assert [call["path"] for call in calls] == ["demo.yaml"]


def test_nothing_is_counted_outside_the_block() -> None:
    with calls_to(sources.parse_deck) as calls:
        pass
    bound_at_import(DECK_YAML, "demo.yaml")
    assert calls == []
