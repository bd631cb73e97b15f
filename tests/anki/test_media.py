"""Images a question shows, bundled into the built deck and imported by the real Anki library;
the sanitised HTML subset (tables, sub/sup) reaching the cards and nothing else."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from srs_trainer.anki.build import Status, build
from srs_trainer.cli import main
from srs_trainer.markdown import sanitize, tree
from srs_trainer.markdown.plain import plain_markdown
from srs_trainer.tui.markup import markdown as terminal_markdown

pytest.importorskip("anki.collection")

DOT = b"\x89PNG\r\n\x1a\n" + b"red dot" * 4
CELL = b"\x89PNG\r\n\x1a\n" + b"green cell" * 4

SOURCE = textwrap.dedent(
    """\
    format: 1
    id: pics
    title: Pictures
    questions:
      - id: dot
        section: practice
        type: recall
        prompt: |
          What colour is this? ![a dot](pics.media/dot.png)
        answer: Red
      - id: table
        section: practice
        type: recall
        prompt: |
          Which cell is green?

          <table onclick="steal()"><tr><th>A</th><th>B</th></tr>
          <tr><td><img onerror="x()" width="20" src="pics.media/cell.png"></td>
          <td>H<sub>2</sub>O</td></tr></table>

          <script>alert(1)</script> <a href="javascript:steal()">link</a>
        answer: A, as in x<sup>2</sup>
    """
)


def project(tmp_path: Path, text: str = SOURCE) -> Path:
    cards = tmp_path / "cards"
    (cards / "pics.media").mkdir(parents=True, exist_ok=True)
    (cards / "pics.media" / "dot.png").write_bytes(DOT)
    (cards / "pics.media" / "cell.png").write_bytes(CELL)
    (cards / "pics.yaml").write_text(text, encoding="utf-8")
    return cards


@pytest.fixture(autouse=True)
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def new_collection(folder: Path) -> Any:
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_deck(col: Any, package: Path) -> None:
    """Import as Anki's import dialog does by default: update notes and note types if newer."""
    from anki import import_export_pb2 as ie

    condition = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    col.import_anki_package(ie.ImportAnkiPackageRequest(
        package_path=str(package),
        options=ie.ImportAnkiPackageOptions(
            update_notes=condition, update_notetypes=condition, with_scheduling=False),
    ))


def card_of(col: Any, question_id: str) -> Any:
    (note_id,) = col.find_notes(f'"Id:pics/{question_id}"')
    return col.get_note(note_id).cards()[0]


def test_images_are_bundled_and_shown_by_anki_and_tables_render(tmp_path: Path) -> None:
    cards = project(tmp_path)
    build([cards], tmp_path / "decks", jobs=1)
    package = tmp_path / "decks" / "pics.apkg"
    with zipfile.ZipFile(package) as archive:
        names = json.loads(archive.read("media"))
        assert sorted(archive.read(index) for index in names) == sorted([DOT, CELL])
    col = new_collection(tmp_path / "anki")
    try:
        import_deck(col, package)
        media = Path(col.media.dir())
        dot, table = card_of(col, "dot"), card_of(col, "table")
        (dot_name,) = [n for n in names.values() if n.startswith("dot-")]
        (cell_name,) = [n for n in names.values() if n.startswith("cell-")]
        assert (media / dot_name).read_bytes() == DOT
        assert (media / cell_name).read_bytes() == CELL
        assert f'<img src="{dot_name}" alt="a dot" />' in dot.question()
        question = table.question()
        assert "<table><tr><th>A</th><th>B</th></tr>" in question
        assert (f'<td><img src="{cell_name}" width="20" /></td>\n<td>H<sub>2</sub>O</td>'
                in question)
        assert "<sup>2</sup>" in table.answer()
        for side in (question, table.answer()):
            assert "steal()" not in side.replace("&lt;a href=\"javascript:steal()\"&gt;", "")
            assert "onclick" not in side and "onerror" not in side
            assert "<script>alert" not in side and "&lt;script&gt;alert(1)" in side
            assert "<a href" not in side
    finally:
        col.close()


def test_builds_with_media_are_byte_identical(tmp_path: Path) -> None:
    one = project(tmp_path / "one")
    two = project(tmp_path / "two")
    build([one], tmp_path / "one" / "decks", jobs=1)
    build([two], tmp_path / "two" / "decks", jobs=1)
    assert ((tmp_path / "one" / "decks" / "pics.apkg").read_bytes()
            == (tmp_path / "two" / "decks" / "pics.apkg").read_bytes())


def test_a_changed_image_rebuilds_the_deck_and_anki_gets_the_new_one(tmp_path: Path) -> None:
    cards = project(tmp_path)
    out = tmp_path / "decks"
    build([cards], out, jobs=1)
    assert build([cards], out, jobs=1).outcomes[0].status is Status.UNCHANGED
    (cards / "pics.media" / "dot.png").touch()  # metadata only: still unchanged
    assert build([cards], out, jobs=1).outcomes[0].status is Status.UNCHANGED
    col = new_collection(tmp_path / "anki")
    try:
        import_deck(col, out / "pics.apkg")
        (cards / "pics.media" / "dot.png").write_bytes(DOT + b"bigger")
        assert build([cards], out, jobs=1, check=True).outcomes[0].status is Status.STALE
        report = build([cards], out, jobs=1)
        assert report.outcomes[0].status is Status.WRITTEN
        assert "1 changed question(s): dot" in report.outcomes[0].reasons[0]
        import_deck(col, out / "pics.apkg")
        question = card_of(col, "dot").question()
        name = question.split('<img src="')[1].split('"')[0]
        assert (Path(col.media.dir()) / name).read_bytes() == DOT + b"bigger"
    finally:
        col.close()


@pytest.mark.parametrize(("src", "says"), [
    ("pics.media/missing.png", "cannot be read (no such file)"),
    ("../outside.png", "is outside the source's folder"),
    ("pics.media/../../outside.png", "is outside the source's folder"),
    ("/etc/hostname", "is an absolute path"),
])
def test_a_missing_or_escaping_image_is_an_error_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, src: str, says: str
) -> None:
    (tmp_path / "outside.png").write_bytes(DOT)
    text = SOURCE.replace("pics.media/cell.png", src)
    project(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if src in row)
    assert f"cards/pics.yaml:{line}:" in result.output
    assert says in result.output and repr(src) in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "decks" / "pics.apkg").exists()


def test_a_markdown_image_outside_the_folder_is_refused(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, SOURCE.replace("pics.media/dot.png", "../../x.png"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "cards/pics.yaml:9:" in result.output and "outside the source's folder" in result.output


def test_sanitise_keeps_the_allowed_subset_only() -> None:
    assert sanitize.sanitise(
        '<td colspan="2" style="x" class="c">a</td><img src="x.png" alt="A" onerror="e()">'
        '<img src="javascript:alert(1)"><b onclick="x">b</b><div>d</div><!-- c -->'
    ) == ('<td colspan="2" class="c">a</td><img src="x.png" alt="A" /><img /><b>b</b>'
          "&lt;div&gt;d&lt;/div&gt;&lt;!-- c --&gt;")
    assert sanitize.sanitise('<img alt="A" width=3 SRC="x.png" src="y.png" height="x">') == (
        '<img src="x.png" alt="A" width="3" />')  # src first, as the build looks for it
    assert sanitize.sanitise("<script>alert('<b>')</script>") == (
        "&lt;script&gt;alert('&lt;b&gt;')&lt;/script&gt;")


def test_the_terminal_words_know_the_allowed_tags() -> None:
    # tree.html_words reads the elements sanitize allows (the two lists must agree), and
    # leaves every other tag as written, as the screens always showed raw HTML.
    for tag in sanitize.ALLOWED:
        words = tree.html_words(f"x<{tag} class='c'>y</{tag}>")
        assert "<" not in words and "x" in words and "y" in words
    assert tree.html_words("<div>a</div><script>b</script>") == "<div>a</div><script>b</script>"


def test_line_mode_and_terminal_show_a_table_as_rows() -> None:
    text = ("Endings:\n\n<table><tr><th>A</th><th>B</th></tr><tr><td>-ar</td><td>x<sup>2</sup>"
            "</td></tr></table>\n\nH<sub>2</sub>O")
    assert plain_markdown(text) == "Endings:\n\nA | B\n-ar | x^2\n\nH2O"
    from rich.console import Console

    console = Console(width=60, record=True, color_system=None)
    console.print(terminal_markdown(text))
    shown = console.export_text()
    assert "A | B\n-ar | x^2" in shown and "H2O" in shown and "<" not in shown
    # A table over several lines (as a source writes it by hand) reads the same.
    lines = ("<table><tr><th>A</th><th>B</th></tr>\n<tr><td><img src='x.png' alt='a cell'></td>"
             "\n<td>H<sub>2</sub>O</td></tr></table>\n\nx<sup>2</sup>, <b>bold</b>")
    assert plain_markdown(lines) == "A | B\n[image: a cell] | H2O\n\nx^2, bold"
    console = Console(width=60, record=True, color_system=None)
    console.print(terminal_markdown(lines))
    assert console.export_text() == "A | B\n[image: a cell] | H2O\n\nx^2, bold\n"


def test_lint_warns_about_an_image_the_build_would_refuse(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = SOURCE.replace("pics.media/dot.png", "pics.media/nope.png").replace(
        "pics.media/cell.png", "../cell.png")
    project(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint"])
    assert "cards/pics.yaml:9: warning: dot: the media file 'pics.media/nope.png' does not" \
        in result.output
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "../cell.png" in row)
    assert (f"cards/pics.yaml:{line}: warning: table: the media file '../cell.png' is outside"
            in result.output)
    assert CliRunner().invoke(main, ["lint", "--strict"]).exit_code == 1
    project(tmp_path)
    clean = CliRunner().invoke(main, ["lint"])
    assert "0 warnings" in clean.output, clean.output


def test_an_image_in_the_deck_description_is_bundled_too(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    text = SOURCE.replace("title: Pictures\n",
                          "title: Pictures\ndescription: |\n  Colours. ![](pics.media/dot.png)\n")
    cards = project(tmp_path, text)
    build([cards], tmp_path / "decks", jobs=1)
    col = new_collection(tmp_path / "anki")
    try:
        import_deck(col, tmp_path / "decks" / "pics.apkg")
        description = col.decks.by_name("Pictures")["desc"]
        name = description.split('<img src="')[1].split('"')[0]
        assert name.startswith("dot-") and (Path(col.media.dir()) / name).read_bytes() == DOT
    finally:
        col.close()
    project(tmp_path, text.replace("  Colours. ![](pics.media/dot.png)",
                                   "  Colours. ![](../dot.png)"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1 and "cards/pics.yaml:5: error: the media file '../dot.png'" \
        in result.output, result.output


def test_an_edit_elsewhere_keeps_the_bundled_images_of_cached_questions(tmp_path: Path) -> None:
    cards = project(tmp_path)
    out = tmp_path / "decks"
    build([cards], out, jobs=1)
    first = (out / "pics.apkg").read_bytes()
    source = cards / "pics.yaml"
    source.write_text(source.read_text("utf-8").replace("answer: Red", "answer: Red, bright"),
                      "utf-8")
    report = build([cards], out, jobs=1)  # the table question comes from the caches
    assert report.outcomes[0].reasons == ("1 changed question(s): dot",)
    with zipfile.ZipFile(out / "pics.apkg") as new, zipfile.ZipFile(io.BytesIO(first)) as old:
        assert new.read("media") == old.read("media")
