"""Building questions as kept Anki note types: the package holds the deck's own note types,
with every template; rebuilds are byte-identical, and edits are reported like any other."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from kept_sources import KEPT_YAML as SOURCE
from srs_trainer.anki.build import Status, build


@pytest.fixture(autouse=True)
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def collection_of(package: Path, folder: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(package) as archive:
        (folder / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(folder / "collection.anki2")


def test_kept_note_types_are_written_with_their_ids_templates_and_cards(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "spanish.yaml").write_text(SOURCE, encoding="utf-8")
    build([cards], tmp_path / "decks", jobs=1)
    db = collection_of(tmp_path / "decks" / "spanish.apkg", tmp_path)
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    assert sorted(models) == ["1712345678901", "1712345678902", "1712345678903"]
    reversed_type = models["1712345678903"]
    assert [t["name"] for t in reversed_type["tmpls"]] == ["Card 1", "Card 2"]
    assert [f["name"] for f in reversed_type["flds"]] == ["Front", "Back"]
    assert models["1712345678902"]["type"] == 1  # Anki's cloze kind
    notes = {mid: flds.split("\x1f") for mid, flds in db.execute("SELECT mid, flds FROM notes")}
    assert notes[1712345678901] == ["<p>hola</p>\n", "<p>hello</p>\n"]
    assert notes[1712345678903] == ["<p>gato</p>\n", "<p><em>cat</em></p>\n<p>A pet.</p>\n"]
    assert notes[1712345678902] == ["<p>{{c1::Madrid}} is the capital of Spain</p>\n", ""]
    ords = sorted(db.execute("SELECT n.mid, c.ord FROM cards c JOIN notes n ON n.id = c.nid"))
    assert ords == [(1712345678901, 0), (1712345678902, 0), (1712345678903, 0),
                    (1712345678903, 1)]
    tags = {tags.strip() for (tags,) in db.execute("SELECT tags FROM notes")}
    assert tags == {""}  # no section:: tags added to the learner's notes
    db.close()


def test_rebuilds_are_byte_identical_and_report_what_changed(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    source = cards / "spanish.yaml"
    source.write_text(SOURCE, encoding="utf-8")
    out = tmp_path / "decks"
    build([cards], out, jobs=1)
    first = (out / "spanish.apkg").read_bytes()
    assert build([cards], out, jobs=1, use_cache=False).outcomes[0].status is Status.UNCHANGED
    assert (out / "spanish.apkg").read_bytes() == first
    source.write_text(SOURCE.replace("answer: hello", "answer: hello, hi"),
                      encoding="utf-8")
    outcome = build([cards], out, jobs=1).outcomes[0]
    assert outcome.status is Status.WRITTEN
    assert outcome.reasons == ("1 changed question(s): hola",)
    text = SOURCE
    gone = text[:text.index("  - id: madrid")] + text[text.index("  - id: gato"):]
    source.write_text(gone.replace("answer: hello", "answer: hello, hi"), encoding="utf-8")
    outcome = build([cards], out, jobs=1).outcomes[0]
    assert outcome.status is Status.WRITTEN
    assert len(outcome.reasons) == 1 and outcome.reasons[0].startswith(
        "1 removed question(s): note ")
