"""Recall, typed and cloze cards in the trainer: one card per cloze deletion with its own
FSRS history, grading per type, and mastery and the badge over mixed types (real SQLite,
real fsrs, the injected clock)."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from srs_trainer.deck.sources import parse_deck
from srs_trainer.trainer.api import Trainer, answer_key
from srs_trainer.trainer.asked_question import AskedQuestion, Step
from srs_trainer.trainer.grading import Rating
from srs_trainer.trainer.session import SessionOptions, run_session
from srs_trainer.trainer.settings import DeckSettings, Settings
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Answer
from srs_trainer.trainer.views import InputKind, Mode, UserInput
from srs_trainer.tui.line_ui import LineUI
from trainer_helpers import EXACT, MIXED_YAML, NOW

CLOZE_KEYS = ["cloze-loop::c1", "cloze-loop::c2", "cloze-loop::c3"]
ALL_KEYS = ["pick", "recall-await", "typed-gather", *CLOZE_KEYS]


def mixed_trainer(tmp_path: Path, text: str = MIXED_YAML, settings: Settings = EXACT) -> Trainer:
    trainer = Trainer(Store.open(tmp_path / "progress.sqlite3"), [parse_deck(text, "mixed.yaml")],
                      settings)
    trainer.sync(NOW)
    return trainer


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


class Lines:
    """stdin for LineUI: each line typed ``step`` seconds after the previous one (piped)."""

    def __init__(self, clock: Clock, lines: list[str], step: float = 5.0) -> None:
        self.clock, self.lines, self.step = clock, list(lines), step

    def readline(self) -> str:
        if not self.lines:
            return ""
        self.clock.now += timedelta(seconds=self.step)
        return self.lines.pop(0) + "\n"


def session(trainer: Trainer, lines: list[str], *, mode: Mode = Mode.REVIEW, queue=None,
            clock: Clock | None = None):  # type: ignore[no-untyped-def]
    clock = clock or Clock()
    out = io.StringIO()
    ui = LineUI(Lines(clock, lines), out)  # type: ignore[arg-type]
    queue = queue if queue is not None else trainer.queue(clock())
    options = SessionOptions(mode, deck_ids=["mixed"], reschedule=mode is not Mode.PRACTICE)
    summary = run_session(trainer, ui, queue, clock, options)
    return summary, out.getvalue()


def ratings(trainer: Trainer) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for entry in trainer.store.log():
        found.setdefault(entry.question_id, []).append(entry.rating)
    return found


def test_sync_makes_one_card_per_cloze_deletion(tmp_path: Path) -> None:
    trainer = mixed_trainer(tmp_path)
    cards = trainer.store.cards(["mixed"])
    assert [c.question_id for c in cards] == ALL_KEYS
    assert [c.position for c in cards] == [1, 2, 3, 4, 5, 6]
    question, number = trainer.card(("mixed", "cloze-loop::c2"))
    assert (question.id, number) == ("cloze-loop", 2)
    assert trainer.card(("mixed", "pick"))[1] is None
    assert [k for _, k in trainer.section_queue("mixed", "challenge").new] == ALL_KEYS


def test_each_cloze_deletion_keeps_its_own_history(tmp_path: Path) -> None:
    trainer = mixed_trainer(tmp_path)
    for key, rating in zip(CLOZE_KEYS, (Rating.AGAIN, Rating.GOOD, Rating.EASY), strict=True):
        trainer.record_answer(Answer(("mixed", key), int(rating), NOW, 3000, 1))
    memories = [trainer.memory(("mixed", key)) for key in CLOZE_KEYS]
    assert [m.last_rating for m in memories] == [1, 3, 4]
    assert len({m.due for m in memories}) == 3  # three schedules, not one
    assert all(len(trainer.store.card_log("mixed", key)) == 1 for key in CLOZE_KEYS)
    report = trainer.doctor()  # each card's state is the replay of its own log
    assert report.ok and report.cards_checked == 6 and not report.mismatched


def test_editing_one_deletion_resets_that_card_only_and_a_removed_one_retires(
    tmp_path: Path,
) -> None:
    trainer = mixed_trainer(tmp_path)
    for key in CLOZE_KEYS:
        trainer.record_answer(Answer(("mixed", key), 3, NOW, 3000, 1))
    edited = MIXED_YAML.replace("{{c2::coroutines::", "{{c2::tasks::").replace(
        "and {{c3::callbacks}}", "and callbacks")
    assert edited.count("{{c") == 2
    trainer = Trainer(trainer.store, [parse_deck(edited, "mixed.yaml")], EXACT)
    report = trainer.sync(NOW + timedelta(hours=1))
    assert report.reset == [("mixed", "cloze-loop::c2")]
    assert report.retired == [("mixed", "cloze-loop::c3")]
    assert not trainer.memory(("mixed", "cloze-loop::c1")).is_new
    assert trainer.memory(("mixed", "cloze-loop::c2")).is_new


def test_choice_answer_keys_are_unchanged_by_the_types() -> None:
    # Learners' existing cards must not reset: the choice fingerprint is what it was.
    deck = parse_deck(MIXED_YAML, "mixed.yaml")
    before = {"answer": "B", "choices": ["def", "async def"]}  # the fingerprint's old input
    digest = hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:16]
    assert answer_key(deck.questions[0]) == digest
    recall = deck.questions[1]
    assert answer_key(recall) == answer_key(replace(recall, answer="Reworded."))
    typed = deck.questions[2]
    assert answer_key(typed) != answer_key(replace(typed, accept=typed.accept[:1]))


def test_a_mixed_deck_reviews_end_to_end_from_piped_lines(tmp_path: Path) -> None:
    trainer = mixed_trainer(tmp_path)
    # choice, recall (reveal, rate), typed wrong twice, cloze c1 (rate before reveal), c2, c3.
    summary, out = session(trainer, ["B", "", "3", "asyncio.gahter", "asyncio.map",
                                     "4", "h", "", "2", "1", "q"])
    assert ratings(trainer)["pick"] == [4]
    assert ratings(trainer)["recall-await"] == [3]
    assert ratings(trainer)["typed-gather"] == [1]  # wrong: Again
    assert [ratings(trainer)[key] for key in CLOZE_KEYS] == [[4], [2], [1]]
    # The typed answer's diff against the nearest accepted one, readable without colour.
    assert "Diff:      asyncio.[-m-]{+g+}a[-p-]{+ther+}" in out
    assert "Expected:  asyncio.gather" in out
    # The cloze deletion's hint only after h; the other deletions shown.
    assert "The event loop runs [...] and callbacks." in out
    assert "The event loop runs [what async def makes] and callbacks." in out
    assert "The [event loop] runs coroutines and callbacks." in out
    assert "Press Enter" not in out and "[Enter] continue" not in out  # piped: no pause
    assert summary.reviewed == 6


def test_typed_answers_grade_like_choices_but_never_easy(tmp_path: Path) -> None:
    deck = parse_deck(MIXED_YAML, "mixed.yaml")
    typed = deck.questions[2]
    asked = AskedQuestion.show(typed, Mode.REVIEW, NOW)
    assert asked.take(UserInput(InputKind.TEXT, text="  GATHER "), lambda: NOW,
                      can_undo=False) is Step.ANSWERED
    assert asked.rating(NOW + timedelta(seconds=2)) is Rating.GOOD  # fast, yet not Easy
    asked = AskedQuestion.show(typed, Mode.REVIEW, NOW)
    asked.take(UserInput(InputKind.TEXT, text="map"), lambda: NOW, can_undo=False)
    assert asked.take(UserInput(InputKind.TEXT, text="MAP"), lambda: NOW,
                      can_undo=False) is Step.ASK_AGAIN  # a repeat costs no attempt
    assert asked.attempts_left == 1
    asked.take(UserInput(InputKind.HINT), lambda: NOW, can_undo=False)
    asked.take(UserInput(InputKind.TEXT, text="asyncio.gather"), lambda: NOW, can_undo=False)
    assert asked.correct and asked.rating(NOW) is Rating.HARD  # second attempt, hint


def test_self_rated_cards_time_out_in_a_challenge(tmp_path: Path) -> None:
    deck = parse_deck(MIXED_YAML, "mixed.yaml")
    asked = AskedQuestion.show(deck.questions[1], Mode.CHALLENGE, NOW)
    assert asked.take(UserInput(InputKind.TIMEOUT), lambda: NOW, can_undo=False) is Step.ANSWERED
    assert asked.rating(NOW) is Rating.AGAIN and not asked.correct
    asked = AskedQuestion.show(deck.questions[1], Mode.REVIEW, NOW)
    asked.take(UserInput(InputKind.TIMEOUT), lambda: NOW, can_undo=False)
    asked.take(UserInput(InputKind.RATE, rating=4), lambda: NOW, can_undo=False)
    assert asked.rating(NOW) is Rating.HARD  # late: Hard at best


def test_mastery_and_badge_count_a_cloze_question_once_all_its_cards_are_mastered(
    tmp_path: Path,
) -> None:
    settings = Settings(defaults=DeckSettings(enable_fuzzing=False, mastery_days=1.0),
                        timezone="UTC")
    trainer = mixed_trainer(tmp_path, settings=settings)
    for key in ALL_KEYS[:-1]:  # every card but the last deletion
        recorded = trainer.record_answer(Answer(("mixed", key), 4, NOW, 3000, 1))
        assert recorded.badges_earned == ()
    (row,) = trainer.progress(NOW)
    assert (row.total, row.cards, row.mastered, row.challenge_mastered) == (4, 6, 3, 3)
    recorded = trainer.record_answer(Answer(("mixed", ALL_KEYS[-1]), 4, NOW, 3000, 1))
    assert recorded.badges_earned == ("Mixed Master",)
    (row,) = trainer.progress(NOW)
    assert (row.mastered, row.challenge_mastered, row.reviewed) == (4, 4, 6)


def test_a_challenge_scores_every_card(tmp_path: Path) -> None:
    trainer = mixed_trainer(tmp_path)
    summary, out = session(trainer, ["B", "3", "gather", "4", "1", "3"], mode=Mode.CHALLENGE,
                           queue=trainer.section_queue("mixed", "challenge"))
    assert summary.score_text.startswith("5/6")
    assert "Challenge result: 5/6" in out
