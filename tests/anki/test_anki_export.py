"""Built decks imported into a fresh collection with the real Anki library.

Golden files: tests/golden/*.json hold the note fields rendered from the sources below.
After an intended change to the rendering, regenerate them with

    SRS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/anki/test_anki_export.py -k golden

and review the diff.
"""

from __future__ import annotations

import json
import os
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs_trainer.anki import render
from srs_trainer.anki.build import build
from srs_trainer.anki.package import ExportNote, PackageState, build_package, read_package
from srs_trainer.deck.ids import NOTE_TYPE_ID, deck_id, note_guid
from srs_trainer.deck.sources import parse_deck

GOLDEN_DIR = Path(__file__).parents[1] / "golden"
UPDATE_GOLDEN = os.environ.get("SRS_UPDATE_GOLDEN") == "1"

DEMO_SOURCE = textwrap.dedent(
    """\
    format: 1
    id: demo
    title: Demo deck
    anki_deck: "Courses::Demo"
    description: A *small* deck.
    badge: {name: Demo Master, rule: Get all challenges right.}
    tags: [django]
    questions:
      - id: why-async
        section: challenge
        kind: conceptual
        level: intermediate
        title: Why async?
        prompt: What is the main benefit of `async` views?
        code:
          source: |
            async def view(request):
                return await thing()
        choices:
          - Handle other requests while waiting.
          - Use less memory.
          - text: Run this
            code: "print('x')"
        answer: A
        hint: Think about waiting.
        explanation: Because **waiting** is cheap.
        solution:
          - title: Step 1
            text: Understand the event loop.
          - Step 2 without text
        common_mistakes: [Thinking async makes queries faster.]
        tags: [orm]
      - id: hostile
        section: practice
        kind: debug
        level: advanced
        time_limit: 90
        prompt: "Does <script>alert(1)</script> run? </div> {{Front}} &amp;"
        choices: ["<b onclick='steal()'>bold?</b>", "{{Back}} </li></ol>"]
        answer: B
    """
)


def write_source(folder: Path, text: str, name: str = "demo.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def new_collection(folder: Path) -> Any:
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_deck(col: Any, package: Path) -> Any:
    from anki import import_export_pb2 as ie

    condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    request = ie.ImportAnkiPackageRequest(
        package_path=str(package),
        options=ie.ImportAnkiPackageOptions(
            update_notes=condition, update_notetypes=condition, with_scheduling=False
        ),
    )
    return col.import_anki_package(request).log


@pytest.fixture
def anki_col(tmp_path: Path) -> Any:
    col = new_collection(tmp_path / "anki")
    yield col
    col.close()


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> int:
    time = 1_700_000_000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(time))
    return time


def build_demo(tmp_path: Path, text: str = DEMO_SOURCE) -> Path:
    write_source(tmp_path / "cards", text)
    build([tmp_path / "cards"], tmp_path / "decks", jobs=1)
    return tmp_path / "decks" / "demo.apkg"


def note_by_question(col: Any, question_id: str) -> Any:
    (note_id,) = col.find_notes(f'"Id:demo/{question_id}"')
    return col.get_note(note_id)


# --- what a learner gets in Anki -------------------------------------------------------------


def test_import_gives_one_card_per_question_in_the_named_nested_deck(
    tmp_path: Path, anki_col: Any, epoch: int
) -> None:
    log = import_deck(anki_col, build_demo(tmp_path))

    assert len(log.new) == 2 and not log.updated and not log.duplicate
    assert anki_col.note_count() == 2
    assert anki_col.card_count() == 2
    assert "Courses::Demo" in [d.name for d in anki_col.decks.all_names_and_ids()]
    deck = anki_col.decks.by_name("Courses::Demo")
    assert len(anki_col.find_cards(f"did:{deck['id']}")) == 2
    assert "Demo Master" in deck["desc"]
    notetype = anki_col.models.get(NOTE_TYPE_ID)
    assert notetype["name"] == "srs-trainer multiple choice"
    assert [field["name"] for field in notetype["flds"]] == list(render.FIELDS)


def test_fields_and_tags_of_an_imported_note(tmp_path: Path, anki_col: Any, epoch: int) -> None:
    import_deck(anki_col, build_demo(tmp_path))
    note = note_by_question(anki_col, "why-async")

    assert note["Id"] == "demo/why-async"
    assert note["Answer"] == "A"
    assert note["TimeLimit"] == "2:00"
    assert "<code>async</code>" in note["Prompt"]
    assert 'class="srs-hl"' in note["Code"] and '<span class="k">async</span>' in note["Code"]
    assert note["Choices"].count('class="srs-choice"') == 3
    assert "<strong>waiting</strong>" in note["Explanation"]
    assert "Understand the event loop." in note["Solution"]
    assert "Thinking async makes queries faster." in note["Mistakes"]
    assert sorted(note.tags) == sorted(
        ["section::challenge", "kind::conceptual", "level::intermediate", "django", "orm"]
    )
    assert note.guid == note_guid("demo", "why-async")
    hostile = note_by_question(anki_col, "hostile")
    assert {"section::practice", "kind::debug", "level::advanced"} <= set(hostile.tags)
    assert hostile["TimeLimit"] == "1:30"


def test_every_card_renders_its_prompt_and_choices_without_template_errors(
    tmp_path: Path, anki_col: Any, epoch: int
) -> None:
    import_deck(anki_col, build_demo(tmp_path))
    expectations = {
        "demo/why-async": ["What is the main benefit of", "Handle other requests while waiting.",
                           "Use less memory.", "Run this"],
        "demo/hostile": ["Does &lt;script&gt;alert(1)&lt;/script&gt; run?",
                         "<b>bold?</b>"],  # allowed HTML, its onclick dropped
    }
    for card_id in anki_col.find_cards(""):
        card = anki_col.get_card(card_id)
        question, answer = card.question(), card.answer()
        for side in (question, answer):
            for text in expectations[card.note()["Id"]]:
                assert text in side
            assert "template" not in side.lower().replace("srs-", "")
            assert side.count('class="srs-choice"') == len(card.note()["Choices"].split("<li")) - 1
        assert 'class="srs-hint"' in question or card.note()["Hint"] == ""
        assert 'class="srs-answer"' in answer and 'class="srs-answer"' not in question


def test_hostile_author_text_renders_as_text_in_anki(
    tmp_path: Path, anki_col: Any, epoch: int
) -> None:
    import_deck(anki_col, build_demo(tmp_path))
    card = note_by_question(anki_col, "hostile").cards()[0]
    for side in (card.question(), card.answer()):
        assert "<script>alert(1)" not in side
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in side
        assert "&lt;/div&gt;" in side
        assert "steal" not in side and "onclick" not in side
        assert "{{Front}}" in side  # shown literally, not substituted by Anki
        assert "{{Back}} &lt;/li&gt;&lt;/ol&gt;" in side
        assert "{{Front}} &amp;</p>" in side  # Markdown: a typed entity is its character
        # The author's closing tags did not close ours: both choices stay inside the list.
        assert side.count('<li class="srs-choice"') == 2


def test_reimport_without_edits_changes_nothing(tmp_path: Path, anki_col: Any, epoch: int) -> None:
    package = build_demo(tmp_path)
    import_deck(anki_col, package)
    build([tmp_path / "cards"], tmp_path / "decks", use_cache=False, jobs=1)

    log = import_deck(anki_col, package)

    assert not log.new and not log.updated
    assert len(log.duplicate) == 2
    assert anki_col.note_count() == 2


@pytest.mark.parametrize("later", [0, 3600], ids=["same-source-time", "later-source-time"])
def test_edit_updates_the_note_and_keeps_review_history(
    tmp_path: Path, anki_col: Any, epoch: int, monkeypatch: pytest.MonkeyPatch, later: int
) -> None:
    package = build_demo(tmp_path)
    import_deck(anki_col, package)
    anki_col.decks.select(anki_col.decks.id_for_name("Courses::Demo"))
    card = anki_col.sched.getCard()
    anki_col.sched.answerCard(card, 3)
    reviewed = anki_col.get_card(card.id)
    assert reviewed.reps == 1

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch + later))
    edited = DEMO_SOURCE.replace("Use less memory.", "Use less memory, always.")
    edited = edited.replace("Does <script>", "Really, does <script>")
    build_demo(tmp_path, edited)
    log = import_deck(anki_col, package)

    assert len(log.updated) == 2 and not log.new
    assert anki_col.note_count() == 2 and anki_col.card_count() == 2
    assert "Use less memory, always." in note_by_question(anki_col, "why-async")["Choices"]
    assert "Really, does" in note_by_question(anki_col, "hostile")["Prompt"]
    after = anki_col.get_card(card.id)
    assert (after.reps, after.type, after.due, after.ivl) == (
        reviewed.reps, reviewed.type, reviewed.due, reviewed.ivl,
    )
    assert anki_col.db.scalar("select count() from revlog where cid = ?", card.id) == 1


def test_changed_note_type_is_updated_in_anki(tmp_path: Path, anki_col: Any, epoch: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    package = build_demo(tmp_path)
    import_deck(anki_col, package)
    changed_css = render.note_type_css() + "\n.srs-card { letter-spacing: 0.01em; }\n"
    monkeypatch.setattr(render, "note_type_css", lambda: changed_css)
    build([tmp_path / "cards"], tmp_path / "decks", use_cache=False, jobs=1)

    import_deck(anki_col, package)

    assert "letter-spacing: 0.01em" in anki_col.models.get(NOTE_TYPE_ID)["css"]
    assert read_package(package, deck_id("demo")).note_type_mod == epoch + 1


def test_two_decks_with_the_same_question_ids_do_not_collide(
    tmp_path: Path, anki_col: Any, epoch: int
) -> None:
    other = DEMO_SOURCE.replace("id: demo", "id: other-demo").replace("Courses::Demo", "Other")
    write_source(tmp_path / "cards", DEMO_SOURCE, "demo.yaml")
    write_source(tmp_path / "cards", other, "other.yaml")
    build([tmp_path / "cards"], tmp_path / "decks", jobs=1)

    first = import_deck(anki_col, tmp_path / "decks" / "demo.apkg")
    second = import_deck(anki_col, tmp_path / "decks" / "other-demo.apkg")

    assert len(first.new) == 2 and len(second.new) == 2
    assert not second.duplicate and not second.updated
    assert anki_col.note_count() == 4
    assert note_guid("demo", "hostile") != note_guid("other-demo", "hostile")


def test_bundled_deck_imports_completely(
    tmp_path: Path, anki_col: Any, bundled_deck_source: Path
) -> None:
    deck = parse_deck(bundled_deck_source.read_text("utf-8"), str(bundled_deck_source))
    build([bundled_deck_source], tmp_path / "decks", use_cache=False, jobs=1)

    log = import_deck(anki_col, tmp_path / "decks" / f"{deck.id}.apkg")

    assert len(log.new) == len(deck.questions)
    assert anki_col.card_count() == len(deck.questions)
    assert deck.anki_name in [d.name for d in anki_col.decks.all_names_and_ids()]
    for question in deck.questions:
        (note_id,) = anki_col.find_notes(f'"Id:{deck.id}/{question.id}"')
        note = anki_col.get_note(note_id)
        card = note.cards()[0]
        for side in (card.question(), card.answer()):
            assert side.count('<li class="srs-choice"') == len(question.choices)
            assert "template" not in side.lower().replace("srs-", "")
        assert f"section::{question.section.value}" in note.tags
        assert note["Answer"] == question.answer


# --- the package itself ----------------------------------------------------------------------


def export_notes(names: list[str], text: str = "x") -> list[ExportNote]:
    fields = tuple(["" for _ in render.FIELDS])
    return [
        ExportNote(note_guid("d", name), name, (f"d/{name}", *fields[1:-1], text), ("t",))
        for name in names
    ]


def test_mod_times_grow_only_with_content_and_ids_are_kept(tmp_path: Path) -> None:
    first = build_package("d", "D", "", export_notes(["a", "b"]), PackageState(), 1000)
    path = tmp_path / "d.apkg"
    path.write_bytes(first.data)
    state = read_package(path, deck_id("d"))
    assert {n.mod for n in state.notes.values()} == {1000}

    notes = export_notes(["a", "b"])
    notes[1] = ExportNote(notes[1].guid, "b", (*notes[1].fields[:-1], "edited"), ("t",))
    second = build_package("d", "D", "", [*notes, *export_notes(["c"])], state, 900)
    path.write_bytes(second.data)
    after = read_package(path, deck_id("d"))

    a, b, c = (after.notes[note_guid("d", name)] for name in "abc")
    assert a.mod == 1000 and a.note_id == state.notes[note_guid("d", "a")].note_id
    assert b.mod == 1001  # the source time went backwards; the edit must still win in Anki
    assert c.mod == 900 and c.note_id > state.max_id
    assert second.new == ("c",) and second.changed == ("b",) and not second.removed
    assert after.note_type_mod == 1000 and after.deck_mod == 1000

    third = build_package("d", "D", "", export_notes(["a"]), after, lambda: 1 / 0)  # type: ignore
    assert third.removed == ("b", "c")  # and the source time was never needed


def test_package_is_a_fixed_zip(tmp_path: Path) -> None:
    result = build_package("d", "D", "", export_notes(["a"]), PackageState(), 1000)
    path = tmp_path / "d.apkg"
    path.write_bytes(result.data)
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [info.filename for info in infos] == ["collection.anki2", "media"]
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("media") == b"{}"
    again = build_package("d", "D", "", export_notes(["a"]), PackageState(), 1000)
    assert again.data == result.data


def test_ids_are_stable_and_in_genankis_range() -> None:
    import genanki

    assert note_guid("django-async", "why-async") == genanki.guid_for(
        "srs-trainer", "django-async", "why-async"
    )
    assert deck_id("django-async") == deck_id("django-async") != deck_id("django-asyn")
    for value in (NOTE_TYPE_ID, deck_id("a"), deck_id("django-async")):
        assert 1 << 30 <= value < 1 << 31


# --- golden files: YAML -> note fields -------------------------------------------------------


@pytest.mark.parametrize("name", ["demo"])
def test_golden_note_fields(name: str) -> None:
    sources = {"demo": DEMO_SOURCE}
    deck = parse_deck(sources[name], f"{name}.yaml")
    actual = {q.id: render.render_question(deck, q).to_dict() for q in deck.questions}
    golden = GOLDEN_DIR / f"{name}.json"
    if UPDATE_GOLDEN:
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", "utf-8")
    expected = json.loads(golden.read_text("utf-8"))
    assert actual == expected, f"rendering changed; see the module docstring to regenerate {golden}"


# --- Markdown ---------------------------------------------------------------------------------


MARKDOWNISH = "ab `*_<>&\\\n\t-1.#!x[]()=\u00a0\u2003é"


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"[A-Za-z][ -~]{0,30}", fullmatch=True)
       | st.text(alphabet=MARKDOWNISH, max_size=25)
       | st.from_regex(r"[A-Za-z`][a-z `]{0,20}", fullmatch=True)
       | st.from_regex(r"[A-Za-z`*][a-z `*\n.,!-]{0,24}\n?", fullmatch=True))
@example("Plain words, with 'quotes' and \"double quotes\".")
@example("Ends with a tab\t")
@example("A\u00a0non-breaking space at the end\u00a0")
@example("Looks like 1. a list")
@example("x # not a heading")
@example("What does `await` do in `async def`?")
@example("`a``b`")
@example("` a `")
@example("`a` ")
@example("a `` b")
@example("**A.** is right\nbecause `await` waits.\n")
@example("Why **async** views?\n")
@example("a **b**`c`")
@example("a\n- b")
@example("a\n===")
@example("```0")
def test_plain_text_shortcut_matches_markdown_it(text: str) -> None:
    # The reference is the same markdown-it set-up (fences highlighted), minus the shortcut;
    # a text holding an allowed HTML element is parsed with raw HTML on (tested apart).
    from srs_trainer.markdown.sanitize import ALLOWED_TAG

    reference = render._markdown()
    if ALLOWED_TAG.search(text) is None:
        assert render.markdown(text) == (reference.render(text) if text else "")


def test_markdown_fences_are_highlighted_and_raw_html_is_text() -> None:
    html = render.markdown("Look:\n\n```python\nawait x\n```\n\n<div>hi</div>")
    assert '<span class="k">await</span>' in html
    assert "&lt;div&gt;hi&lt;/div&gt;" in html
    # The allowed subset is HTML, without the attributes it does not allow; the rest is text.
    assert render.markdown('<em onclick="x()">hi</em> <div>no</div>') == (
        "<p><em>hi</em> &lt;div&gt;no&lt;/div&gt;</p>\n")
    assert render.markdown("`<em>code</em>` <sub>2</sub>") == (
        "<p><code>&lt;em&gt;code&lt;/em&gt;</code> <sub>2</sub></p>\n")
    assert render.markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"


def test_night_mode_css_covers_code_tokens() -> None:
    css = render.note_type_css()
    assert ".nightMode .srs-hl .k" in css and ".night_mode .srs-hl .k" in css
    assert ".nightMode .srs-hl span" in css
