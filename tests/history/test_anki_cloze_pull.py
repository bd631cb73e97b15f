"""Pull and push for notes with several cards: each cloze deletion is its own card in Anki
(ord N - 1) and in the trainer (``QID::cN``), and a question's own GUID (a note imported from
an existing deck) is the one matched."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clocked_srs import clocked
from srs_trainer.anki.build import build
from srs_trainer.cli import main
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Answer
from trainer_helpers import make_trainer, write_deck

collection = pytest.importorskip("anki.collection")
from anki.import_export_pb2 import ImportAnkiPackageOptions  # noqa: E402

IMPORTED_GUID = "kept:Guid1"
DECK = textwrap.dedent(
    f"""\
    format: 1
    id: demo
    title: Demo deck
    questions:
      - id: z1
        section: practice
        type: cloze
        prompt: "{{{{c1::async def}}}} defines a coroutine; {{{{c2::await}}}} waits;
          {{{{c3::asyncio.run}}}} starts the loop."
      - id: r1
        section: practice
        type: recall
        guid: "{IMPORTED_GUID}"
        prompt: What does `await` need?
        answer: An awaitable.
    """
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_deck(tmp_path / "cards", DECK)
    build([tmp_path / "cards"], tmp_path / "decks", use_cache=False, jobs=1)
    (package,) = (tmp_path / "decks").glob("*.apkg")
    col = collection.Collection(str(tmp_path / "collection.anki2"))
    col.import_anki_package(collection.ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions()))
    # Good on the cloze's second deletion and on the recall note; nothing else.
    for guid, ord_ in ((None, 1), (IMPORTED_GUID, 0)):
        where = "n.guid = ?" if guid else "n.flds LIKE '%c1::async def%'"
        card_id = col.db.scalar(
            f"SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE {where} AND c.ord = ?",
            *((guid,) if guid else ()), ord_)
        card = col.get_card(card_id)
        card.start_timer()
        states = col._backend.get_scheduling_states(card_id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=2))
    col.close()
    return tmp_path


def srs(folder: Path, *args: str) -> Result:
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = {"SRS_HOME": str(folder / "home"), "NO_COLOR": "1", "TZ": "UTC"}
    sources = ["--cards", str(folder / "cards"), "--no-bundled"]
    return CliRunner().invoke(main, [*args, *sources], env=env, obj=clocked(later))


def _reviews(folder: Path) -> dict[str, int]:
    with Store.open(folder / "home" / "progress.sqlite3") as store:
        return {card.key[1]: len(store.card_log(*card.key)) for card in store.cards()}


def test_each_cloze_deletion_and_an_imported_guid_pull_into_their_own_cards(
    folder: Path,
) -> None:
    result = srs(folder, "anki", "pull", str(folder / "collection.anki2"))
    assert result.exit_code == 0, result.output
    assert "Notes matched: 2" in result.output and "Reviews added: 2" in result.output
    assert _reviews(folder) == {"z1::c1": 0, "z1::c2": 1, "z1::c3": 0, "r1": 1}
    again = srs(folder, "anki", "pull", str(folder / "collection.anki2"))
    assert "Reviews added: 0" in again.output
    assert "Card state matches the log." in srs(folder, "doctor").output


def test_a_deletion_removed_from_the_source_is_counted_not_pulled(folder: Path) -> None:
    write_deck(folder / "cards", DECK.replace("{{c2::await}}", "await"))
    result = srs(folder, "anki", "pull", str(folder / "collection.anki2"))
    assert result.exit_code == 0, result.output
    assert "Skipped: 1 reviews of cards the sources no longer have" in result.output
    assert "z1::c2" not in _reviews(folder)


def test_push_writes_a_deletions_review_to_its_own_anki_card(folder: Path) -> None:
    srs(folder, "anki", "pull", str(folder / "collection.anki2"))
    now = datetime.now(timezone.utc) + timedelta(minutes=30)
    trainer = make_trainer(folder / "home", DECK, now=now)
    trainer.record_answer(Answer(("demo", "z1::c3"), 3, now, 3000, 1))
    trainer.store.close()
    result = srs(folder, "anki", "push", str(folder / "collection.anki2"))
    assert result.exit_code == 0, result.output
    col = collection.Collection(str(folder / "collection.anki2"))
    try:
        reviews_by_ord = dict(col.db.all(
            "SELECT c.ord, count(r.id) FROM cards c JOIN notes n ON n.id = c.nid"
            " LEFT JOIN revlog r ON r.cid = c.id WHERE n.flds LIKE '%c1::async def%'"
            " GROUP BY c.ord"))
    finally:
        col.close()
    assert reviews_by_ord == {0: 0, 1: 1, 2: 1}


def test_a_note_of_any_of_our_note_types_whose_question_is_gone_is_reported(
    folder: Path,
) -> None:
    write_deck(folder / "cards", DECK[:DECK.index("  - id: r1")])
    result = srs(folder, "anki", "pull", str(folder / "collection.anki2"))
    assert result.exit_code == 0, result.output
    assert "Notes matched: 1" in result.output
    assert IMPORTED_GUID in result.output  # the recall note, listed by GUID
