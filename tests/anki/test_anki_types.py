"""Recall, typed and cloze questions built into a deck and imported by the real Anki library:
one note type each (stable ids; the multiple-choice one unchanged), the cards each makes, what
each side renders, updates in place after an edit, and a GUID kept from an imported deck."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from srs_trainer.anki.build import build
from srs_trainer.anki.card_types import CLOZE_FIELDS, RECALL_FIELDS, TYPED_FIELDS
from srs_trainer.deck.ids import NOTE_TYPE_ID, NOTE_TYPE_IDS, note_guid, stable_id

SOURCE = textwrap.dedent(
    """\
    format: 1
    id: mixed
    title: Mixed deck
    tags: [django]
    questions:
      - id: pick
        section: challenge
        prompt: Which keyword waits?
        choices: [await, wait]
        answer: A
        explanation: '`await` suspends the coroutine.'
      - id: why-async
        section: challenge
        type: recall
        title: Why async?
        prompt: Why would a view be **async**?
        code:
          source: |
            async def view(request):
                return await thing()
        answer: |
          To wait on I/O without holding a worker: `await` gives the loop back.
        hint: Think of waiting.
        explanation: A sync view holds its worker while it waits.
        common_mistakes: [Thinking async makes queries faster.]
        tags: [views]
      - id: loop-module
        section: practice
        type: typed
        prompt: Which module runs the event loop?
        answer: asyncio
        accept: [asyncio, Async IO, {regex: "async[ _]io"}]
        hint: It ships with Python.
        solution:
          - title: Final Answer
            text: "`asyncio`"
      - id: keywords
        section: practice
        type: cloze
        guid: "Kept#Guid1"
        prompt: |
          Define with {{c1::async def::two words}}, wait with {{c2::await}},
          run with {{c3::asyncio.run}}.
        explanation: All three are the everyday words of asyncio.
    """
)


def new_collection(folder: Path) -> Any:
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_deck(col: Any, package: Path) -> Any:
    """Import as Anki's import dialog does by default: update notes and note types if newer."""
    from anki import import_export_pb2 as ie

    condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    request = ie.ImportAnkiPackageRequest(
        package_path=str(package),
        options=ie.ImportAnkiPackageOptions(
            update_notes=condition, update_notetypes=condition, with_scheduling=False
        ),
    )
    return col.import_anki_package(request).log


def build_source(tmp_path: Path, text: str = SOURCE) -> Path:
    cards = tmp_path / "cards"
    cards.mkdir(exist_ok=True)
    (cards / "mixed.yaml").write_text(text, encoding="utf-8")
    build([cards], tmp_path / "decks", jobs=1)
    return tmp_path / "decks" / "mixed.apkg"


@pytest.fixture
def col(tmp_path: Path) -> Any:
    collection = new_collection(tmp_path / "anki")
    yield collection
    collection.close()


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> int:
    time = 1_700_000_000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(time))
    return time


def note_of(col: Any, question_id: str) -> Any:
    (note_id,) = col.find_notes(f'"Id:mixed/{question_id}"')
    return col.get_note(note_id)


def text_of(html: str) -> str:
    """The words of a rendered side: no style, scripts or tags; spaces collapsed."""
    html = re.sub(r"<(style|script)>.*?</\1>", "", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_one_note_type_per_type_with_stable_ids_and_the_choice_one_unchanged(
    tmp_path: Path, col: Any, epoch: int
) -> None:
    log = import_deck(col, build_source(tmp_path))
    assert len(log.new) == 4 and not log.missing_notetype
    assert {
        "choice": NOTE_TYPE_ID,
        "recall": stable_id("note-type", "recall"),
        "typed": stable_id("note-type", "typed"),
        "cloze": stable_id("note-type", "cloze"),
    } == NOTE_TYPE_IDS
    assert NOTE_TYPE_ID == 1546585550  # the id every deck built so far carries
    expected = {"choice": None, "recall": RECALL_FIELDS, "typed": TYPED_FIELDS,
                "cloze": CLOZE_FIELDS}
    for kind, fields in expected.items():
        model = col.models.get(NOTE_TYPE_IDS[kind])
        assert model is not None, kind
        assert model["type"] == (1 if kind == "cloze" else 0)
        if fields is not None:
            assert [field["name"] for field in model["flds"]] == list(fields)
        assert ".nightMode" in model["css"] and ".srs-hl" in model["css"]
    for question_id, kind in (("pick", "choice"), ("why-async", "recall"),
                              ("loop-module", "typed"), ("keywords", "cloze")):
        assert note_of(col, question_id).mid == NOTE_TYPE_IDS[kind]


def test_card_counts_a_three_deletion_cloze_makes_three_cards(
    tmp_path: Path, col: Any, epoch: int
) -> None:
    import_deck(col, build_source(tmp_path))
    assert col.note_count() == 4 and col.card_count() == 6
    cloze = note_of(col, "keywords")
    assert sorted(card.ord for card in cloze.cards()) == [0, 1, 2]
    for question_id in ("pick", "why-async", "loop-module"):
        assert len(note_of(col, question_id).cards()) == 1


def test_a_recall_card_shows_the_prompt_then_the_answer(
    tmp_path: Path, col: Any, epoch: int
) -> None:
    import_deck(col, build_source(tmp_path))
    note = note_of(col, "why-async")
    (card,) = note.cards()
    front, back = card.question(), card.answer()
    assert "Why would a view be <strong>async</strong>?" in front
    assert '<span class="k">async</span>' in front  # highlighted code
    assert "Think of waiting." in front and "To wait on I/O" not in front
    answer = "To wait on I/O without holding a worker: <code>await</code> gives the loop back."
    assert answer in back
    assert "A sync view holds its worker while it waits." in back
    assert "Thinking async makes queries faster." in back
    assert {"section::challenge", "django", "views"} <= set(note.tags)


def test_a_typed_card_uses_ankis_type_in_comparison_on_the_answer_field(
    tmp_path: Path, col: Any, epoch: int
) -> None:
    import_deck(col, build_source(tmp_path))
    note = note_of(col, "loop-module")
    assert note["Answer"] == "asyncio"
    assert "Async IO" in note["Accepted"] and "async[ _]io" in note["Accepted"]
    (card,) = note.cards()
    front, back = card.question(), card.answer()
    # Anki's reviewer puts its input box (front) and comparison (back) where these stand.
    assert "[[type:Answer]]" in front and "[[type:Answer]]" in back
    assert "Which module runs the event loop?" in front and "It ships with Python." in front
    assert "Also accepted" not in front
    assert "Also accepted: Async IO, async[ _]io" in text_of(back)
    assert "Final Answer" in back
    model = col.models.get(NOTE_TYPE_IDS["typed"])
    assert "{{type:Answer}}" in model["tmpls"][0]["qfmt"]
    assert "{{type:Answer}}" in model["tmpls"][0]["afmt"]


def test_each_cloze_card_blanks_its_own_deletion_and_shows_the_others(
    tmp_path: Path, col: Any, epoch: int
) -> None:
    import_deck(col, build_source(tmp_path))
    cards = sorted(note_of(col, "keywords").cards(), key=lambda card: card.ord)
    fronts = [text_of(card.question()) for card in cards]
    backs = [text_of(card.answer()) for card in cards]
    assert "Define with [two words], wait with await, run with asyncio.run." in fronts[0]
    assert "Define with async def, wait with [...], run with asyncio.run." in fronts[1]
    assert "Define with async def, wait with await, run with [...]." in fronts[2]
    for back in backs:
        assert "Define with async def, wait with await, run with asyncio.run." in back
        assert "All three are the everyday words of asyncio." in back
    assert all("everyday words" not in front for front in fronts)
    assert '<span class="cloze" data-ordinal="2">await</span>' in cards[1].answer()


def test_a_guid_override_is_the_notes_guid_and_others_keep_the_derived_one(
    tmp_path: Path, col: Any, epoch: int
) -> None:
    import_deck(col, build_source(tmp_path))
    assert note_of(col, "keywords").guid == "Kept#Guid1"
    assert note_of(col, "why-async").guid == note_guid("mixed", "why-async")


def test_an_edit_of_every_type_updates_in_place_with_no_duplicates(
    tmp_path: Path, col: Any, epoch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = build_source(tmp_path)
    import_deck(col, package)
    ids = {q: note_of(col, q).id for q in ("pick", "why-async", "loop-module", "keywords")}
    cards = {card.ord: card.id for card in note_of(col, "keywords").cards()}

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch + 60))
    edited = (
        SOURCE.replace("Why would a view be **async**?", "Why would a Django view be async?")
        .replace("answer: asyncio\n", "answer: Async IO\n")
        .replace("run with {{c3::asyncio.run}}.", "run with {{c3::asyncio.run}}, "
                 "sleep with {{c4::asyncio.sleep}}.")
    )
    build_source(tmp_path, edited)
    log = import_deck(col, package)

    assert len(log.updated) == 3 and not log.new
    assert [entry.fields[0] for entry in log.duplicate] == ["mixed/pick"]  # unchanged: kept
    assert col.note_count() == 4 and col.card_count() == 7
    assert {q: note_of(col, q).id for q in ids} == ids
    assert "Django view" in note_of(col, "why-async")["Prompt"]
    assert note_of(col, "loop-module")["Answer"] == "Async IO"
    after = {card.ord: card.id for card in note_of(col, "keywords").cards()}
    assert {ord_: after[ord_] for ord_ in cards} == cards  # the old cards are the same cards
    assert sorted(after) == [0, 1, 2, 3]
    assert "sleep with [...]" in text_of(col.get_card(after[3]).question())


def test_rebuilding_unchanged_sources_gives_the_same_bytes(
    tmp_path: Path, epoch: int
) -> None:
    package = build_source(tmp_path)
    first = package.read_bytes()
    package.unlink()
    build([tmp_path / "cards"], tmp_path / "decks", jobs=1, use_cache=False)
    assert package.read_bytes() == first
    build([tmp_path / "cards"], tmp_path / "decks", jobs=1)
    assert package.read_bytes() == first


def test_the_docs_example_of_every_type_builds_and_imports(tmp_path: Path, col: Any,
                                                          epoch: int) -> None:
    example = Path(__file__).parents[2] / "docs" / "examples" / "question-types.yaml"
    build([example], tmp_path / "decks", jobs=1)
    log = import_deck(col, tmp_path / "decks" / "asyncio-words.apkg")
    assert len(log.new) == 4
    assert col.card_count() == 6  # choice, recall, typed, and a cloze of three deletions


def test_an_edit_that_repeats_a_guid_fails_even_when_the_rest_is_cached(
    tmp_path: Path, epoch: int
) -> None:
    from srs_trainer.deck.problems import InputError

    package = build_source(tmp_path)
    before = package.read_bytes()
    # Only the recall question changes; the cloze that holds the GUID is cached by key.
    repeated = SOURCE.replace("    type: recall\n", '    type: recall\n    guid: "Kept#Guid1"\n')
    with pytest.raises(InputError) as caught:
        build_source(tmp_path, repeated)
    assert "duplicate question guid 'Kept#Guid1'" in str(caught.value)
    derived = SOURCE.replace('guid: "Kept#Guid1"', f'guid: "{note_guid("mixed", "pick")}"')
    with pytest.raises(InputError) as caught:
        build_source(tmp_path, derived)
    (problem,) = caught.value.problems
    assert problem.message.startswith("keywords: its Anki GUID ")
    assert "is also the GUID of question 'pick'" in problem.message
    assert package.read_bytes() == before  # nothing half-written
