"""`srs import DECK.apkg`: a real Anki deck (made with Anki's own library) into a source, built
and imported back into the very collection it came from."""

from __future__ import annotations

import html
import os
import re
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs_trainer.cli import main
from srs_trainer.deck.problems import InputError
from srs_trainer.deck.sources import parse_deck
from srs_trainer.importer.apkg import read_package
from srs_trainer.importer.apkg_source import import_package
from srs_trainer.importer.html_markdown import html_to_markdown, html_to_text

anki_collection = pytest.importorskip("anki.collection")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16  # enough for a file type, never shown
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 16  # never played
DECK = "Languages::Spanish"


def _note(col: Any, model: str, **fields: str) -> Any:
    note = col.new_note(col.models.by_name(model))
    for name, value in fields.items():
        note[name] = value
    note.tags = ["spanish", "vocab::basic"]
    return note


def _add(col: Any, deck_id: int, model: str, **fields: str) -> Any:
    note = _note(col, model, **fields)
    col.add_note(note, deck_id)
    return note


def _note_type_with_a_hidden_field(col: Any) -> Any:
    """A Basic copy with a field no card shows: its notes cannot be rebuilt as it, whole."""
    models = col.models
    model = models.copy(models.by_name("Basic"), add=False)
    model["name"] = "Basic with source"
    models.add_field(model, models.new_field("Source"))
    models.add(model)
    return model


def _front_only_note_type(col: Any) -> Any:
    """A home-made note type whose cards show nothing beyond the front: nothing to map to."""
    models = col.models
    model = models.new("Front only")
    models.add_field(model, models.new_field("Front"))
    template = models.new_template("Card 1")
    template["qfmt"] = "{{Front}}"
    template["afmt"] = "{{FrontSide}}"
    models.add_template(model, template)
    models.add(model)
    return model


@pytest.fixture
def collection(tmp_path: Path) -> Any:
    """A learner's collection: the stock note types, an image and a table, one unmappable note."""
    (tmp_path / "learner").mkdir()
    col = anki_collection.Collection(str(tmp_path / "learner" / "collection.anki2"))
    deck_id = col.decks.id(DECK)
    picture = tmp_path / "house.png"
    picture.write_bytes(PNG)
    name = col.media.add_file(str(picture))
    bark = tmp_path / "dog.mp3"
    bark.write_bytes(MP3)
    assert col.media.add_file(str(bark)) == "dog.mp3"
    _add(col, deck_id, "Basic", Front="<b>hola</b>", Back="hello<br>hi")
    _add(col, deck_id, "Basic (and reversed card)", Front="gato", Back="<i>cat</i>")
    _add(col, deck_id, "Cloze", Text="{{c1::Madrid}} is the capital of {{c2::Spain::country}}",
         **{"Back Extra": "Since <u>1561</u>"})
    _add(col, deck_id, "Basic (type in the answer)", Front="perro = ?", Back="dog[sound:dog.mp3]")
    _add(col, deck_id, "Basic", Front=f'¿Qué es? <img src="{name}">', Back="una casa")
    _add(col, deck_id, "Basic", Front="ladrar [sound:dog.mp3]", Back="to bark")
    _add(col, deck_id, "Basic", Front="Verb endings",
         Back="<table><tr><td onclick='steal()'>-ar</td><td>-er</td></tr></table>"
              "<script>alert(1)</script>")
    _note_type_with_a_hidden_field(col)
    _add(col, deck_id, "Basic with source", Front="adiós", Back="goodbye", Source="book 1")
    _front_only_note_type(col)
    _add(col, deck_id, "Front only", Front="only a front")
    yield col
    col.close()


def _export(col: Any, path: Path, *, legacy: bool = True) -> Path:
    from anki.collection import ExportAnkiPackageOptions

    col.export_anki_package(
        out_path=str(path),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_media=True, legacy=legacy, with_deck_configs=False),
        limit=None,
    )
    return path


def _questions(path: Path) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {q["id"]: q for q in data["questions"]}


def test_a_real_anki_deck_becomes_a_source_with_its_guids_and_media(
    collection: Any, tmp_path: Path
) -> None:
    package = _export(collection, tmp_path / "spanish.apkg")
    out = tmp_path / "cards" / "spanish.yaml"
    result = CliRunner().invoke(main, ["import", str(package), "--out", str(out)])
    assert result.exit_code == 0, result.output
    questions = _questions(out)
    guids = {collection.get_note(nid).guid for nid in collection.find_notes("")}
    front_only = collection.find_notes('"note:Front only"')[0]
    assert {q["guid"] for q in questions.values()} == guids - {
        collection.get_note(front_only).guid}
    assert {k: (q["type"], q["prompt"], q.get("answer"), q.get("accept"))
            for k, q in questions.items()} == {
        "hola": ("recall", "**hola**", "hello\\\nhi", None),
        "gato": ("recall", "gato", "*cat*", None),
        "madrid-is-the-capital-of-spain": (
            "cloze", "{{c1::Madrid}} is the capital of {{c2::Spain::country}}", None, None),
        "perro": ("typed", "perro = ?", "dog", ["dog"]),
        "ladrar": ("recall", "ladrar [sound:spanish.media/dog.mp3]", "to bark", None),
        "adios": ("recall", "adiós", "goodbye", None),
        "que-es": ("recall", "¿Qué es? ![](spanish.media/house.png)", "una casa", None),
        "verb-endings": ("recall", "Verb endings",
                         "<table><tr><td>-ar</td><td>-er</td></tr></table>", None),
    }
    assert questions["madrid-is-the-capital-of-spain"]["explanation"] == "Since 1561"
    assert questions["hola"]["tags"] == ["spanish", "vocab::basic"]
    assert (tmp_path / "cards" / "spanish.media" / "house.png").read_bytes() == PNG
    # Sound is kept: the typed field's plays with the explanation, the file beside the source.
    assert questions["perro"]["explanation"] == "[sound:spanish.media/dog.mp3]"
    assert (tmp_path / "cards" / "spanish.media" / "dog.mp3").read_bytes() == MP3
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (data["id"], data["title"], data["anki_deck"]) == ("spanish", "Spanish", DECK)
    # The unmappable note is named by id, in the report and in the source's header.
    reason = (f"note {front_only}: note type 'Front only': its first card shows no field on "
              "the back (beyond the front)")
    assert f"not imported: {reason}" in result.stdout.splitlines()
    assert f"#   {reason}" in out.read_text(encoding="utf-8")
    assert ("the trainer asks only the first card of each 'Basic (and reversed card)' note "
            "(front to back; the built note keeps all its cards)") in result.stdout
    assert ("note types kept (their notes update in place in Anki): Basic, Basic (and reversed"
            " card), Basic (type in the answer), Cloze") in result.stdout
    assert ("built as srs-trainer's note types (a field would be lost; Anki updates those "
            'notes only with "Merge note types"): Basic with source') in result.stdout
    # Each note type whose fields all hold a part of the question is kept, with its id; the
    # one with a field no question part fills is not, and its question builds as ours.
    kept = {kind["name"]: kind for kind in data["anki_note_types"]}
    assert sorted(kept) == ["Basic", "Basic (and reversed card)", "Basic (type in the answer)",
                            "Cloze"]
    assert kept["Basic"]["id"] == collection.models.by_name("Basic")["id"]
    assert kept["Basic"]["fields"] == [{"name": "Front", "holds": "prompt"},
                                       {"name": "Back", "holds": "answer"}]
    assert kept["Cloze"]["fields"] == [{"name": "Text", "holds": "cloze"},
                                       {"name": "Back Extra", "holds": "extra"}]
    assert [t["name"] for t in kept["Basic (and reversed card)"]["templates"]] == [
        "Card 1", "Card 2"]
    assert {k: q.get("anki_note_type") for k, q in questions.items()} == {
        "hola": kept["Basic"]["id"], "gato": kept["Basic (and reversed card)"]["id"],
        "madrid-is-the-capital-of-spain": kept["Cloze"]["id"],
        "perro": kept["Basic (type in the answer)"]["id"], "que-es": kept["Basic"]["id"],
        "ladrar": kept["Basic"]["id"], "verb-endings": kept["Basic"]["id"], "adios": None}
    assert "sanitised (removed onclick, script)" in result.stdout
    assert "sound" not in result.stdout and "lacks" not in result.stdout
    # The source is valid as written.
    deck = parse_deck(out.read_text(encoding="utf-8"), str(out))
    assert len(deck.questions) == 8


def _build(collection: Any, tmp_path: Path) -> Path:
    """Import the package into a source, edit one answer, build; the built package."""
    package = _export(collection, tmp_path / "spanish.apkg")
    out = tmp_path / "cards" / "spanish.yaml"
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(package), "--out", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8").replace("answer: '*cat*'", "answer: '*cat*, a pet'")
    out.write_text(text, encoding="utf-8")
    # Edited a minute after the learner's notes were made: notes of the same second as the
    # collection's copy count as the same version, whatever the update condition.
    later = time.time() + 60
    os.utime(out, (later, later))
    built = runner.invoke(main, ["build", str(out), "--out", str(tmp_path / "decks")])
    assert built.exit_code == 0, built.output
    return tmp_path / "decks" / "spanish.apkg"


def _import(collection: Any, package: Path, *, merge: bool = False) -> Any:
    """Import as Anki's dialog does by default ("if newer"), merging note types or not."""
    from anki import import_export_pb2 as ie

    condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    return collection.import_anki_package(ie.ImportAnkiPackageRequest(
        package_path=str(package),
        options=ie.ImportAnkiPackageOptions(
            update_notes=condition, update_notetypes=condition, with_scheduling=False,
            merge_notetypes=merge),
    )).log


def _review(collection: Any, search: str) -> None:
    card = collection.get_card(collection.find_cards(search)[0])
    card.start_timer()
    collection.sched.answerCard(card, 3)


def _schedule(collection: Any) -> dict[int, tuple[int, int, int]]:
    return {cid: (c.nid, c.ivl, c.due) for cid in collection.find_cards("")
            if (c := collection.get_card(cid))}


def test_the_rebuilt_deck_updates_the_learner_s_notes_in_place(
    collection: Any, tmp_path: Path
) -> None:
    """Anki's import dialog as it opens: the kept note types' notes are updated in place, with
    their cards and history; the one note built as srs-trainer's note type is skipped."""
    for search in ("gato", "hola", "Madrid"):
        _review(collection, search)
    notes_before, schedule_before = collection.note_count(), _schedule(collection)
    revlog_before = collection.db.all("SELECT * FROM revlog ORDER BY id")
    gato = collection.find_notes("gato")[0]
    note_type_before = collection.get_note(gato).mid
    log = _import(collection, _build(collection, tmp_path))
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 7, 1)
    assert collection.note_count() == notes_before
    # Exactly the learner's cards, each where it was in its schedule; the history untouched.
    assert _schedule(collection) == schedule_before
    assert collection.db.all("SELECT * FROM revlog ORDER BY id") == revlog_before
    note = collection.get_note(gato)
    assert note.mid == note_type_before and "a pet" in note["Back"]
    assert collection.get_note(collection.find_notes("adiós")[0])["Back"] == "goodbye"
    assert collection.fix_integrity()[1]  # Check Database: ok


def test_merging_note_types_updates_the_rest_too(collection: Any, tmp_path: Path) -> None:
    """With "Merge note types" (Anki 23.10+) the note built as srs-trainer's type is updated
    as well; it gains srs-trainer's card beside its own, which keeps its history."""
    notes_before, cards_before = collection.note_count(), set(collection.find_cards(""))
    adios = collection.find_notes("adiós")[0]
    log = _import(collection, _build(collection, tmp_path), merge=True)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 8, 0)
    assert collection.note_count() == notes_before
    added = set(collection.find_cards("")) - cards_before
    assert cards_before <= set(collection.find_cards(""))
    assert {collection.get_card(card).nid for card in added} == {adios}
    fields = " ".join(" ".join(collection.get_note(nid).fields)
                      for nid in collection.find_notes(""))
    assert "a pet" in fields
    # The sound came back bundled: the rebuilt note plays a file now in the learner's media.
    played = re.findall(r"\[sound:([^\]]+)\]", " ".join(collection.get_note(
        collection.find_notes("ladrar")[0]).fields))
    assert len(played) == 1 and played[0].startswith("dog-") and played[0].endswith(".mp3")
    assert (Path(collection.media.dir()) / played[0]).read_bytes() == MP3


def test_a_new_learner_gets_the_original_note_types_and_all_their_cards(
    collection: Any, tmp_path: Path
) -> None:
    package = _build(collection, tmp_path)
    (tmp_path / "new").mkdir()
    fresh = anki_collection.Collection(str(tmp_path / "new" / "collection.anki2"))
    try:
        log = _import(fresh, package)
        assert (len(log.new), len(log.updated)) == (8, 0)

        def cards(search: str) -> list[Any]:
            (nid,) = fresh.find_notes(search)
            return sorted(fresh.get_note(nid).cards(), key=lambda card: card.ord)

        front, back = cards("gato")  # both cards of the reversed note
        assert "gato" in front.question() and "<em>cat</em>, a pet" in back.question()
        assert [c.ord for c in cards("Madrid")] == [0, 1]
        assert "[...]" in cards("Madrid")[0].question()
        assert "[[type:Back]]" in cards("perro")[0].question()  # Anki's typing box
        # The deck's own note type, beside the collection's stock one of that name (which
        # Anki tells apart with a "+").
        kind = fresh.get_note(fresh.find_notes("perro")[0]).note_type()
        assert kind["name"].startswith("Basic (type in the answer)")
        assert kind["id"] == collection.models.by_name("Basic (type in the answer)")["id"]
    finally:
        fresh.close()


def test_the_newer_package_format_is_read_through_anki(collection: Any, tmp_path: Path) -> None:
    legacy = import_package(_export(collection, tmp_path / "old.apkg"), tmp_path / "old.yaml")
    new = import_package(_export(collection, tmp_path / "new.apkg", legacy=False),
                         tmp_path / "new.yaml")
    assert new.package.collection == "collection.anki21b"
    assert [m.question.guid for m in new.imported if m.question] == [
        m.question.guid for m in legacy.imported if m.question]
    assert (tmp_path / "new.media" / "house.png").read_bytes() == PNG


def test_reimport_keeps_ids_and_what_the_author_added(collection: Any, tmp_path: Path) -> None:
    package = _export(collection, tmp_path / "spanish.apkg")
    out = tmp_path / "spanish.yaml"
    import_package(package, out)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    data["questions"][0]["id"] = "greeting"
    data["questions"][0]["hint"] = "a greeting"
    from srs_trainer.deck.writer import dump_source

    out.write_text(dump_source(data), encoding="utf-8")
    again = import_package(package, out)
    assert not again.created
    questions = _questions(out)
    assert questions["greeting"]["hint"] == "a greeting" and "hola" not in questions
    # A new note whose id an author's renamed question already has gets another.
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    data["questions"][1]["id"] = "casa"  # gato, renamed
    out.write_text(dump_source(data), encoding="utf-8")
    collection.add_note(_note(collection, "Basic", Front="casa", Back="house"),
                        collection.decks.id(DECK))
    import_package(_export(collection, tmp_path / "more.apkg"), out)
    ids = [q["id"] for q in yaml.safe_load(out.read_text(encoding="utf-8"))["questions"]]
    assert ids[:2] == ["greeting", "casa"] and ids[-1] == "casa-2" and len(set(ids)) == len(ids)
    # A note gone from the package takes its question along, and the report says so.
    collection.remove_notes(collection.find_notes("gato"))
    last = import_package(_export(collection, tmp_path / "fewer.apkg"), out)
    assert last.removed == ("casa",) and "removed casa: its note is no longer in the package" in (
        last.report())


def test_not_a_package_and_nothing_to_import_are_clear_errors(tmp_path: Path) -> None:
    fake = tmp_path / "notes.apkg"
    fake.write_text("just text", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(fake), "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{fake}: error: is not an Anki package (.apkg files are zip archives)",
        "nothing written",
    ]
    empty_zip = tmp_path / "empty.apkg"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(InputError, match=r"holds no collection\.anki2"):
        read_package(empty_zip)
    assert not (tmp_path / "x.yaml").exists()


def test_a_package_with_only_unmappable_notes_fails_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    col = anki_collection.Collection(str(tmp_path / "c" / "collection.anki2"))
    try:
        _front_only_note_type(col)
        _add(col, col.decks.id("Odd"), "Front only", Front="alone")
        package = _export(col, tmp_path / "odd.apkg")
    finally:
        col.close()
    out = tmp_path / "odd.yaml"
    result = CliRunner().invoke(main, ["import", str(package), "--out", str(out)])
    assert result.exit_code == 1
    assert "no note could be imported: note type 'Front only'" in result.stderr
    assert not out.exists()
    shutil.rmtree(tmp_path / "c")


def test_html_that_markdown_can_say_becomes_markdown() -> None:
    cases = {
        "<b>bold</b> and <i>it</i>": "**bold** and *it*",
        "<div>one</div><div>two</div>": "one\n\ntwo",
        "<ul><li>a</li><li><code>b_c</code></li></ul>": "- a\n- `b_c`",
        "<ol><li>x</li><li>y</li></ol>": "1. x\n2. y",
        "<pre>def f():\n    return 1</pre>": "```\ndef f():\n    return 1\n```",
        '<a href="https://example.org">site</a>': "[site](https://example.org)",
        '<a href="javascript:alert(1)">x</a>': "x",
        "2 * 3 &lt; 7&nbsp;!": "2 \\* 3 \\< 7 !",
        "- not a list": "\\- not a list",
        "a<br>b": "a\\\nb",
        "x<pre>a = 1\n\n  b = 2</pre>y": "x\n\n```\na = 1\n\n  b = 2\n```\n\ny",
        "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>": "- a\n\n  - b\n- c",
    }
    assert {html: html_to_markdown(html).markdown for html in cases} == cases
    table = html_to_markdown('<table style="x"><tr><td onmouseover="y()">1</td></tr></table>')
    assert table.markdown == '<table style="x"><tr><td>1</td></tr></table>'
    assert table.kept_html == ("table",) and table.removed == ("onmouseover",)
    pictured = html_to_markdown('<table><tr><td><img src="a b.png"></td></tr></table>',
                                lambda name: f"deck.media/{name}")
    assert pictured.markdown == '<table><tr><td><img src="deck.media/a b.png"></td></tr></table>'
    assert pictured.media == ("a b.png",)


@settings(max_examples=300, deadline=None)
@example("1. a").via("an ordered list")
@example("2026) x").via("an ordered list")
@example("~~~").via("a fence")
@example("---").via("a thematic break")
@example("&copy; <b>").via("an entity and a tag")
@given(st.text(alphabet=st.one_of(
    st.sampled_from(list("*_`#>+-=~[]()<>!&;:.1) \\|a")),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
), max_size=40))
def test_plain_text_in_a_field_never_turns_into_markup(text: str) -> None:
    """Whatever an Anki field's text holds (*, _, #, <, [...]), its Markdown shows that text."""
    from markdown_it import MarkdownIt

    markdown = html_to_markdown(html.escape(text)).markdown
    rendered = MarkdownIt("commonmark", {"html": False}).render(markdown)
    assert html_to_text(rendered) == " ".join(text.replace("\xa0", " ").split())
    assert "<" not in rendered.replace("<p>", "").replace("</p>", "")


def test_an_imported_image_and_table_reach_anki_again_after_the_build(
    collection: Any, tmp_path: Path
) -> None:
    """Import a deck with an image and a table, build it, import the build into a fresh
    collection: the image is in its media folder and the card shows it; the table is a table."""
    from anki import import_export_pb2 as ie

    package = _export(collection, tmp_path / "spanish.apkg")
    out = tmp_path / "cards" / "spanish.yaml"
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(package), "--out", str(out)]).exit_code == 0
    built = runner.invoke(main, ["build", str(out), "--out", str(tmp_path / "decks")])
    assert built.exit_code == 0, built.output
    (tmp_path / "fresh").mkdir()
    fresh = anki_collection.Collection(str(tmp_path / "fresh" / "collection.anki2"))
    try:
        condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        fresh.import_anki_package(ie.ImportAnkiPackageRequest(
            package_path=str(tmp_path / "decks" / "spanish.apkg"),
            options=ie.ImportAnkiPackageOptions(update_notes=condition,
                                                update_notetypes=condition)))
        (house,) = fresh.find_notes('"Qué es*"')
        question = fresh.get_note(house).cards()[0].question()
        name = html.unescape(question.split('<img src="')[1].split('"')[0])
        assert name.startswith("house-") and name.endswith(".png")
        assert (Path(fresh.media.dir()) / name).read_bytes() == PNG
        (verbs,) = fresh.find_notes('"Verb endings"')
        answer = fresh.get_note(verbs).cards()[0].answer()
        assert "<table><tr><td>-ar</td><td>-er</td></tr></table>" in answer
        assert "steal" not in answer and "alert(1)" not in answer
    finally:
        fresh.close()
