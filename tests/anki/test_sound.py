"""Sound in a source (``[sound:PATH]``, Anki's own tag): bundled into the built deck and played
by the real Anki library; a tag inside code is words, neither bundled nor played."""

from __future__ import annotations

import json
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from srs_trainer.anki.build import build
from srs_trainer.cli import main

pytest.importorskip("anki.collection")

BARK = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"woof" * 8

SOURCE = textwrap.dedent(
    """\
    format: 1
    id: sounds
    title: Sounds
    questions:
      - id: bark
        section: practice
        type: recall
        prompt: |
          Which animal makes this sound? [sound:sounds.media/bark.mp3]
        answer: A dog
        explanation: |
          Listen again: [sound:sounds.media/bark.mp3]
      - id: syntax
        section: practice
        type: recall
        prompt: How does an Anki field play a file?
        answer: |
          With the tag `[sound:name.mp3]`, as in

          ```text
          [sound:other.mp3]
          ```
    """
)


def project(tmp_path: Path, text: str = SOURCE) -> Path:
    cards = tmp_path / "cards"
    (cards / "sounds.media").mkdir(parents=True, exist_ok=True)
    (cards / "sounds.media" / "bark.mp3").write_bytes(BARK)
    (cards / "sounds.yaml").write_text(text, encoding="utf-8")
    return cards


def card_of(col: Any, question_id: str) -> Any:
    (note_id,) = col.find_notes(f'"Id:sounds/{question_id}"')
    return col.get_note(note_id).cards()[0]


def test_sound_is_bundled_once_and_anki_plays_it(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from anki.collection import Collection

    from anki import import_export_pb2 as ie

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build([project(tmp_path)], tmp_path / "decks", jobs=1)
    package = tmp_path / "decks" / "sounds.apkg"
    with zipfile.ZipFile(package) as archive:
        names = json.loads(archive.read("media"))
        assert [archive.read(index) for index in names] == [BARK]  # shown twice, bundled once
    (bundled,) = names.values()
    assert bundled.startswith("bark-") and bundled.endswith(".mp3")
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        col.import_anki_package(ie.ImportAnkiPackageRequest(
            package_path=str(package), options=ie.ImportAnkiPackageOptions(
                update_notes=condition, update_notetypes=condition, with_scheduling=False)))
        assert (Path(col.media.dir()) / bundled).read_bytes() == BARK
        bark = card_of(col, "bark")
        assert [tag.filename for tag in bark.question_av_tags()] == [bundled]
        assert [tag.filename for tag in bark.answer_av_tags()] == [bundled, bundled]
        # In code the tag is shown as written and Anki plays nothing.
        syntax = card_of(col, "syntax")
        assert syntax.answer_av_tags() == []
        assert "<code>&#91;sound:name.mp3]</code>" in syntax.answer()
    finally:
        col.close()


def test_a_missing_sound_file_fails_the_build_at_its_line_and_lint_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = SOURCE.replace("? [sound:sounds.media/bark.mp3]", "? [sound:sounds.media/meow.mp3]")
    project(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "meow.mp3" in row)
    assert (f"cards/sounds.yaml:{line}:" in result.output
            and "'sounds.media/meow.mp3' cannot be read (no such file)" in result.output)
    assert "Traceback" not in result.output
    assert not (tmp_path / "decks" / "sounds.apkg").exists()
    lint = CliRunner().invoke(main, ["lint"])
    # The missing file is named at its line; the tags written in code are not files.
    assert (f"cards/sounds.yaml:{line}: warning: bark: the media file 'sounds.media/meow.mp3' "
            "does not exist" in lint.output)
    assert "name.mp3" not in lint.output and "other.mp3" not in lint.output
    assert "1 warning" in lint.output, lint.output
