"""The trainer's library API: what ``srs review/practice/challenge/progress/stats/doctor`` call.

Data flows one way: sources -> model -> here, which keeps state through ``store``. Sessions
(``session``) ask this module what to show next and record each answer here; every answer is
committed before the next question appears.

Source changes are matched by identity (deck id + question id) on every ``sync``:
- a new question becomes a new card;
- an edited question (prompt, explanation, hint, ...) keeps its card and history;
- a removed question is retired: not shown, history kept; it returns if the question returns;
- a question whose answer key or choices changed starts over: a ``reset`` row is appended to
  the log (the old answers stay in it) and its card becomes new, since memory of the old
  answer would mislead. The learner is told once: "N questions changed their choices or
  answer; ...".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..deck import cloze
from ..deck.bundled import bundled_cards_dir
from ..deck.model import Deck, Question, QuestionType
from . import calendar, scheduling
from .library import DeckEntry, DeckLibrary
from .mastery import (
    DeckProgress,
    Stats,
    assemble_stats,
    badge_complete,
    deck_progress,
    heatmap_first_day,
    streak,
)
from .scheduling import CardKey, DoneToday, SessionQueue
from .settings import DeckSettings, Settings
from .store import Store
from .types import Answer, CardRow, Memory, NewAnswer

if TYPE_CHECKING:
    from .doctor import DoctorReport

# Bump when what sync derives from a question (answer_key, sections, order) changes meaning.
SYNC_VERSION = "2"  # 2: one card per cloze deletion, keys per card type


def _synced_digest(entry: DeckEntry) -> str:
    return f"{SYNC_VERSION}/{__version__}:{entry.digest}"


def answer_key(question: Question, number: int | None = None) -> str:
    """Fingerprint of what makes an answer right, per card type (a change resets the card).

    choice: the choices and the keyed letter (as before types existed, so no card resets);
    typed: the accepted answers and case rule; cloze: the answers of deletion ``number``;
    recall: nothing but the type (its answer is prose: fixing a typo must not reset).
    """
    data: dict[str, object]
    if question.type is QuestionType.CHOICE:
        data = {"answer": question.answer, "choices": [c.display() for c in question.choices]}
    elif question.type is QuestionType.TYPED:
        data = {"type": "typed", "case_sensitive": question.case_sensitive,
                "accept": [[a.value, a.regex] for a in question.accept]}
    elif question.type is QuestionType.CLOZE:
        data = {"type": "cloze", "answers": [d.answer for d in cloze.deletions(question.prompt)
                                             if d.number == number]}
    else:
        data = {"type": question.type.value}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def question_cards(question: Question) -> list[tuple[str, int | None]]:
    """(card key, cloze deletion number or None) of each card the question makes."""
    if question.type is not QuestionType.CLOZE:
        return [(question.id, None)]
    return [(key, cloze.split_card_key(key)[1]) for key in cloze.card_keys(question)]


def source_paths(card_dirs: Sequence[str | Path], *, bundled: bool = True) -> list[Path]:
    """The source files to train on: the bundled decks (if any) plus ``card_dirs``."""
    from ..deck.files import discover

    roots: list[Path] = []
    if bundled and (folder := bundled_cards_dir()) is not None:
        roots.append(folder)
    roots.extend(Path(p) for p in card_dirs)
    seen: set[Path] = set()
    paths: list[Path] = []
    for path in discover(roots):
        if path.resolve() not in seen:
            seen.add(path.resolve())
            paths.append(path)
    return paths


@dataclass
class SyncReport:
    added: list[CardKey] = field(default_factory=list)
    retired: list[CardKey] = field(default_factory=list)
    restored: list[CardKey] = field(default_factory=list)
    reset: list[CardKey] = field(default_factory=list)

    def notes(self) -> list[str]:
        """Messages for the learner (each change is reported by the sync that makes it)."""
        notes: list[str] = []
        if self.reset:
            if len(self.reset) == 1:
                notes.append("1 question changed its choices or answer; it starts over.")
            else:
                notes.append(f"{len(self.reset)} questions changed their choices or answer;"
                             " they start over.")
        if self.retired:
            notes.append(f"{len(self.retired)} removed question(s) retired (history kept).")
        if self.restored:
            notes.append(f"{len(self.restored)} question(s) came back with their history.")
        return notes


@dataclass(frozen=True)
class Recorded:
    """An answer as saved: its log row and the card's memory before and after."""

    entry_id: int
    key: CardKey
    before: Memory
    after: Memory
    rescheduled: bool
    badges_earned: tuple[str, ...] = ()


@dataclass(frozen=True)
class Undone:
    """An answer taken back: the card's restored memory, and badges that went with it."""

    key: CardKey
    memory: Memory
    badges_taken_back: tuple[str, ...] = ()


class TrainerError(Exception):
    """A user error the CLI reports as a message (unknown deck, no questions, ...)."""


class Trainer:
    """Decks loaded from sources plus the learner's progress database."""

    def __init__(
        self, store: Store, decks: Sequence[Deck] | DeckLibrary, settings: Settings | None = None
    ) -> None:
        self.store = store
        self.decks = decks if isinstance(decks, DeckLibrary) else DeckLibrary.of(decks)
        self.settings = settings or Settings()

    # --- lookups -------------------------------------------------------------------------------

    def deck(self, deck_id: str) -> Deck:
        self.require_deck(deck_id)
        return self.decks[deck_id]

    def deck_title(self, deck_id: str) -> str:
        self.require_deck(deck_id)
        return self.decks.entry(deck_id).title

    def require_deck(self, deck_id: str) -> None:
        if deck_id not in self.decks:
            known = ", ".join(sorted(self.decks)) or "none loaded"
            raise TrainerError(f"unknown deck '{deck_id}' (known decks: {known})")

    def question(self, key: CardKey) -> Question:
        """The question of a card (a cloze deletion's key ``QID::cN`` names its question)."""
        return self.card(key)[0]

    def card(self, key: CardKey) -> tuple[Question, int | None]:
        """(the question of a card, the cloze deletion it asks or None)."""
        self.require_deck(key[0])
        question = self.decks.question(*key)
        if question is not None:
            return question, None
        question_id, number = cloze.split_card_key(key[1])
        question = self.decks.question(key[0], question_id) if number is not None else None
        if question is None or question.type is not QuestionType.CLOZE:
            raise TrainerError(f"deck '{key[0]}' has no question '{key[1]}'")
        return question, number

    def deck_settings(self, deck_id: str) -> DeckSettings:
        return self.settings.for_deck(deck_id)

    def memory(self, key: CardKey) -> Memory:
        card = self.store.card(*key)
        return card.memory if card else Memory()

    def today_start(self, now: datetime) -> datetime:
        return calendar.day_start(now, self.settings.day_start_hour, self.settings.tz())

    def tomorrow(self, now: datetime) -> datetime:
        return calendar.next_day_start(now, self.settings.day_start_hour, self.settings.tz())

    # --- sources -> cards ------------------------------------------------------------------------

    def sync(self, now: datetime) -> SyncReport:
        """Match the loaded sources with the cards in the database (see the module doc).

        A deck synced before from the same source content, at the same place in the load
        order, is skipped without being built: most starts write nothing at all.
        """
        report = SyncReport()
        if not self._decks_to_sync(self.store.deck_sync_states()):
            return report
        with self.store.transaction():
            # Again under the write lock: another trainer may have synced meanwhile.
            for entry, first, moved_only in self._decks_to_sync(self.store.deck_sync_states()):
                if moved_only:
                    self.store.move_deck(entry.deck_id, first)
                else:
                    self._sync_deck(self.decks[entry.deck_id], first, now, report)
                    self.store.upsert_deck(entry.deck_id, entry.title, entry.source_path, now,
                                           digest=_synced_digest(entry), first_position=first)
            if report.added:
                self._replay_new_with_history(report.added)
        return report

    def _replay_new_with_history(self, added: Sequence[CardKey]) -> None:
        """New cards whose reviews are already in the log (synced from another machine
        before this one had the question) take the state those reviews give."""
        from . import replay

        wanted = set(added)
        keys: set[CardKey] = set()
        if len(wanted) < 1000:  # a question or a few added: one indexed probe each
            keys.update(key for key in wanted if self.store.db.execute(
                "SELECT 1 FROM log WHERE deck_id = ? AND question_id = ? LIMIT 1", key
            ).fetchone())
            wanted = set()
        for deck_id in {key[0] for key in wanted}:
            keys.update(key for key in self.store.db.execute(
                "SELECT DISTINCT deck_id, question_id FROM log WHERE deck_id = ?", (deck_id,))
                if key in wanted)
        if not keys:
            return
        db = self.store.db
        logs = replay.read_card_rows(db, self.store.schema_version, keys)
        own = self.store.device_id if self.store.schema_version >= 5 else ""
        replayer = replay.Replayer(self.store.scheduler_json, own_device=own)
        version = self.store.schema_version
        for key in sorted(keys):
            self.store.set_memory(*key, replay.rewrite(db, version, replayer, key,
                                                       logs.get(key, ())))

    def _decks_to_sync(
        self, states: Mapping[str, tuple[str, int]]
    ) -> list[tuple[DeckEntry, int, bool]]:
        """(deck, its first position, whether only its position changed) of each stale deck."""
        stale: list[tuple[DeckEntry, int, bool]] = []
        first = 1
        for entry in self.decks.entries():
            digest, old_first = states.get(entry.deck_id, ("", 0))
            if digest != _synced_digest(entry):
                stale.append((entry, first, False))
            elif old_first != first:
                stale.append((entry, first, True))
            first += entry.cards
        return stale

    def _sync_deck(self, deck: Deck, first: int, now: datetime, report: SyncReport) -> None:
        existing = {c.question_id: c for c in self.store.cards([deck.id], include_retired=True)}
        cards = [(question, card_id, number) for question in deck.questions
                 for card_id, number in question_cards(question)]
        for position, (question, card_id, number) in enumerate(cards, start=first):
            key = answer_key(question, number)
            card = existing.get(card_id)
            if card is None:
                self.store.insert_card(
                    CardRow(deck.id, card_id, position, question.section.value, key)
                )
                report.added.append((deck.id, card_id))
                continue
            if card.retired:
                report.restored.append(card.key)
            if card.answer_key != key:
                if not card.memory.is_new or self.store.card_log(*card.key):
                    report.reset.append(card.key)
                self.store.append_reset(deck.id, card_id, now, "answer key changed")
                self.store.set_memory(deck.id, card_id, Memory())
            if (card.position, card.section, card.answer_key, card.retired) != (
                position, question.section.value, key, False,
            ):
                self.store.update_card_source(
                    deck.id,
                    card_id,
                    position=position,
                    section=question.section.value,
                    answer_key=key,
                    retired=False,
                )
        gone = self.store.retire_missing(deck.id, (card_id for _, card_id, _ in cards))
        report.retired.extend((deck.id, qid) for qid in gone)

    # --- what to ask -----------------------------------------------------------------------------

    def queue(
        self, now: datetime, deck_ids: Iterable[str] | None = None, *, limit: int | None = None
    ) -> SessionQueue:
        """Today's review session: due learning cards, due reviews, new cards (daily limits)."""
        ids = list(deck_ids) if deck_ids is not None else list(self.decks)
        for deck_id in ids:
            self.require_deck(deck_id)
        done_today = self.done_today(now, ids)
        # Only the cards the queue can take are read: all due ones, and per deck as many new
        # ones as its daily limit still allows.
        new_limits = {
            deck_id: self.deck_settings(deck_id).new_per_day
            - done_today.get(deck_id, DoneToday()).new
            for deck_id in ids
        }
        return scheduling.build_queue(
            self.store.session_cards(ids, self.tomorrow(now), new_limits),
            now,
            settings_for=self.deck_settings,
            done_today=done_today,
            tomorrow=self.tomorrow(now),
            learn_ahead=timedelta(minutes=self.settings.learn_ahead_minutes),
            limit=limit,
        )

    def done_today(self, now: datetime, deck_ids: Sequence[str]) -> dict[str, DoneToday]:
        """Per deck: new cards introduced and review cards reviewed today."""
        done = self.store.done_since(self.today_start(now), deck_ids)
        return {deck_id: DoneToday(new, reviews) for deck_id, (new, reviews) in done.items()}

    def section_queue(self, deck_id: str, section: str) -> SessionQueue:
        """Every question of one section of a deck, in source order (practice, challenge)."""
        questions = [q for q in self.deck(deck_id).questions if q.section.value == section]
        if not questions:
            raise TrainerError(f"deck '{deck_id}' has no {section} questions")
        return SessionQueue(new=[(deck_id, card_id) for q in questions
                                 for card_id, _ in question_cards(q)])

    def due_counts(
        self, now: datetime, deck_ids: Iterable[str] | None = None
    ) -> tuple[int, datetime | None]:
        """(cards due before the next day boundary, the earliest due time, maybe past)."""
        ids = list(deck_ids) if deck_ids is not None else list(self.decks)
        return self.store.due_summary(ids, self.tomorrow(now))

    # --- answers ---------------------------------------------------------------------------------

    def record_answer(self, answer: Answer, *, reschedule: bool = True) -> Recorded:
        """Append the answer to the log and update the card, in one committed transaction.

        ``reschedule`` False (practice) logs the answer without moving the card's schedule.
        """
        key = answer.key
        settings = self.deck_settings(key[0])
        scheduler_text = scheduling.scheduler_json(settings)
        with self.store.transaction():
            card = self.store.card(*key)
            if card is None:
                raise TrainerError(f"no card for {key[0]}/{key[1]}: sync the sources first")
            before = card.memory
            after = before
            scheduler_id = None
            if reschedule:
                scheduler_id = self.store.scheduler_id(scheduler_text)
                after = scheduling.review(
                    scheduling.scheduler_from_json(scheduler_text),
                    key,
                    before,
                    answer.rating,
                    answer.at,
                    answer.duration_ms,
                )
            entry_id = self.store.append_answer(
                NewAnswer(
                    deck_id=key[0],
                    question_id=key[1],
                    at=answer.at,
                    rating=answer.rating,
                    duration_ms=answer.duration_ms,
                    attempts=answer.attempts,
                    hint_used=answer.hint_used,
                    chosen=answer.chosen,
                    mode=answer.mode,
                    rescheduled=reschedule,
                    state_before=before.state,
                    scheduler_id=scheduler_id,
                    after=after if reschedule else None,
                )
            )
            earned: tuple[str, ...] = ()
            if reschedule:
                self.store.set_memory(*key, after)
                earned = self._check_badge(key[0], answer.at)
        return Recorded(entry_id, key, before, after, reschedule, earned)

    def undo(self, entry_id: int, now: datetime) -> Undone:
        """Take back an answer: mark its log row undone and restore the card by replay.

        A badge earned at or after that answer is taken back too when the deck no longer
        qualifies without it (it was that answer that earned it). A badge earned before the
        answer stays, like after any later lapse.
        """
        with self.store.transaction():
            entry = self.store.entry(entry_id)
            if entry is None or not self.store.mark_undone(entry_id, now):
                raise TrainerError("nothing to undo")
            key = (entry.deck_id, entry.question_id)
            memory = self._replay(key)
            self.store.set_memory(*key, memory)
            taken_back: tuple[str, ...] = ()
            badge = self.store.badge(entry.deck_id)
            if (
                badge is not None
                and badge[1] >= entry.at
                and not self._badge_complete(entry.deck_id)
                and self.store.take_back_badge(entry.deck_id, now)
            ):
                taken_back = (badge[0],)
        return Undone(key, memory, taken_back)

    def _replay(self, key: CardKey) -> Memory:
        own = self.store.device_id if self.store.schema_version >= 5 else ""
        return scheduling.replay(self.store.card_log(*key), self.store.scheduler_json, own)

    # --- badges and challenge results -------------------------------------------------------------

    def check_badges(self, now: datetime) -> tuple[str, ...]:
        """Earn every badge the cards now qualify for (reviews synced from another machine
        can complete a deck)."""
        with self.store.transaction():
            return tuple(name for deck_id in self.decks
                         for name in self._check_badge(deck_id, now))

    def _check_badge(self, deck_id: str, now: datetime) -> tuple[str, ...]:
        if deck_id not in self.decks:
            return ()
        badge_name = self.decks.entry(deck_id).badge_name
        if not badge_name or self.store.badge(deck_id) is not None:
            return ()
        if self._badge_complete(deck_id):
            self.store.earn_badge(deck_id, badge_name, now)
            return (badge_name,)
        return ()

    def _badge_complete(self, deck_id: str) -> bool:
        challenge = [c for c in self.store.cards([deck_id]) if c.section == "challenge"]
        return badge_complete(challenge, self.deck_settings(deck_id).mastery_days)

    def celebrate(self, now: datetime) -> list[str]:
        """Badges earned but not yet celebrated; each is returned once, ever."""
        names: list[str] = []
        with self.store.transaction():
            for deck_id, name, _earned_at in self.store.uncelebrated_badges():
                if self.store.mark_celebrated(deck_id, now):
                    names.append(name)
        return names

    def save_challenge_result(
        self, deck_id: str, *, started_at: datetime, finished_at: datetime, score: int, total: int
    ) -> int:
        with self.store.transaction():
            return self.store.add_challenge_result(
                deck_id,
                started_at,
                finished_at,
                score,
                total,
                (finished_at - started_at).total_seconds(),
            )

    # --- figures --------------------------------------------------------------------------------

    def progress(self, now: datetime, deck_ids: Iterable[str] | None = None) -> list[DeckProgress]:
        ids = list(deck_ids) if deck_ids is not None else list(self.decks)
        for deck_id in ids:
            self.require_deck(deck_id)
        today_start = self.today_start(now)
        results: list[DeckProgress] = []
        for deck_id in ids:
            entry = self.decks.entry(deck_id)
            settings = self.deck_settings(deck_id)
            badge = self.store.badge(deck_id)
            results.append(
                deck_progress(
                    deck_id=deck_id,
                    title=entry.title,
                    badge_name=entry.badge_name,
                    cards=self.store.card_figures(deck_id, now),
                    settings=settings,
                    retrievability_of=scheduling.forgetting_curve(
                        scheduling.make_scheduler(settings)),
                    today_start=today_start,
                    badge_earned_at=badge[1] if badge else None,
                    last_challenge=next(reversed(self.store.challenge_results(deck_id)), None),
                )
            )
        return results

    def streak(self, now: datetime, deck_ids: Iterable[str] | None = None) -> int:
        """Consecutive learner days with answers in these decks (all by default), up to today.

        Days are probed in growing batches, each batch one statement, so a streak of years
        over many decks stays fast.
        """
        ids = list(deck_ids) if deck_ids is not None else list(self.decks)
        spans = [(self.today_start(now), self.tomorrow(now))]
        answered: list[bool] = []

        def reviewed(days_ago: int) -> bool:
            while len(answered) <= days_ago:
                batch = min(max(8, len(answered)), 128)  # 2 SQL variables a day
                while len(spans) < len(answered) + batch:
                    end = spans[-1][0]
                    spans.append((self.today_start(end - timedelta(seconds=1)), end))
                answered.extend(self.store.answered_in(ids, spans[len(answered):]))
            return answered[days_ago]

        return streak(reviewed)

    def stats(self, now: datetime, days: int = 30, deck_ids: Iterable[str] | None = None,
              *, forecast_days: int = 30) -> Stats:
        """The figures of `srs stats`, from the folded log (``stats_cache``, brought up to
        date first) and the cards' due dates."""
        from . import stats_cache
        from .calibration import calibration_of

        ids = list(deck_ids) if deck_ids is not None else list(self.decks)
        hour, tz = self.settings.day_start_hour, self.settings.tz()
        today = calendar.learner_day(now, hour, tz)
        first = min(today - timedelta(days=days - 1), heatmap_first_day(today))
        folded = stats_cache.figures(
            self.store, stats_cache.calendar_key(hour, self.settings.timezone), hour, tz, now,
            ids, first)
        starts = [self.today_start(now)]
        for _ in range(forecast_days):
            starts.append(calendar.next_day_start(starts[-1], hour, tz))
        due, overdue = stats_cache.due_per_day(self.store, ids, starts)
        per_day = {today + timedelta(days=i): n for i, n in enumerate(due)}
        return assemble_stats(folded.days, calibration_of(folded.by_r, folded.by_interval),
                              per_day, overdue, today, days=days, forecast_days=forecast_days)

    # --- doctor ---------------------------------------------------------------------------------

    def doctor(self, *, rebuild: bool = False) -> DoctorReport:
        from .doctor import doctor  # replays the log: not paid for by review or progress

        return doctor(self.store, rebuild=rebuild)


__all__ = [
    "Recorded",
    "SyncReport",
    "Trainer",
    "TrainerError",
    "Undone",
    "answer_key",
    "question_cards",
    "source_paths",
]
