"""`srs import PAGE1 PAGE2 ...` and `srs import DIR/`: one source per page, a summary table."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from srs_trainer.cli import main
from srs_trainer.importer.batch import Status, import_pages

PAGES = Path(__file__).parents[1] / "pages"
GIT = PAGES / "git-branching.txt"
HTTP = PAGES / "http-status-codes.txt"
GENERATORS = PAGES / "python-generators.txt"
SQL = PAGES / "sql-joins.txt"
SOURCES = {
    GIT: "branching-in-git.yaml",
    HTTP: "http-status-codes.yaml",
    GENERATORS: "generators-and-lazy-iteration.yaml",
    SQL: "joining-tables-in-sql.yaml",
}


def files(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["import", *args])


def test_several_pages_make_one_source_each_and_a_table(tmp_path: Path) -> None:
    out = tmp_path / "cards"
    result = run(str(GIT), str(HTTP), str(GENERATORS), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(files(out)) == sorted([SOURCES[GIT], SOURCES[HTTP], SOURCES[GENERATORS]])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["page", "source", "questions", "warnings"]
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert rows[str(GIT)].split()[1:] == [f"{out / SOURCES[GIT]}", "(wrote)", "4", "0"]
    assert rows[str(HTTP)].endswith("2  1 (1 quick-check-disagrees)")
    assert rows[str(GENERATORS)].endswith("5  3 (3 no-answer-key)")
    assert lines[-1] == "3 page(s): 3 imported, 0 failed, 4 TODO(srs) to resolve"
    # The warnings still name each page's lines, on stderr.
    assert f"{HTTP}:50: warning: practice 2" in result.stderr
    # Each source is exactly what importing its page alone writes.
    single = tmp_path / "single.yaml"
    assert run(str(HTTP), "--out", str(single)).exit_code == 0
    alone = single.read_text(encoding="utf-8").replace(str(single), str(out / SOURCES[HTTP]))
    assert (out / SOURCES[HTTP]).read_text(encoding="utf-8") == alone


def test_a_folder_imports_every_page_in_it_and_reimport_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "cards"
    first = run(str(PAGES), "-o", str(out))
    assert first.exit_code == 0, first.output
    assert sorted(files(out)) == sorted(SOURCES.values())
    before = files(out)
    again = run(f"{PAGES}/", "-o", str(out))
    assert again.exit_code == 0
    assert files(out) == before
    assert again.stdout.count("(unchanged)") == 4


def test_a_page_that_fails_exits_1_and_leaves_no_file_of_its_own(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(GIT.read_text(encoding="utf-8").replace("(1/4)\n", "(1/4)\nstray words\n"),
                   encoding="utf-8")
    out = tmp_path / "cards"
    result = run(str(HTTP), str(bad), "--out", str(out))
    assert result.exit_code == 1
    assert f"{bad}:12: error: cannot place this line" in result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(str(bad)) and "failed: 1 error, nothing written" in line
               for line in lines)
    assert lines[-1] == "2 page(s): 1 imported, 1 failed, 1 TODO(srs) to resolve"
    # The good page is written whole; the failed one writes nothing (no temp files either).
    assert list(files(out)) == [SOURCES[HTTP]]
    assert "Traceback" not in result.output


def test_two_pages_with_one_deck_id_are_both_reported_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "copy-of-git.txt"
    shutil.copy(GIT, copy)
    out = tmp_path / "cards"
    result = run(str(HTTP), str(GIT), str(copy), "--out", str(out))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f"{GIT}: error: gives deck id 'branching-in-git' ({out / SOURCES[GIT]}), as {copy} "
        "does: rename one deck's title, or import it alone with --out",
        f"{copy}: error: gives deck id 'branching-in-git' ({out / SOURCES[GIT]}), as {GIT} "
        "does: rename one deck's title, or import it alone with --out",
    ]
    assert result.stdout.splitlines()[-1] == (
        "3 page(s): nothing written, 2 give the same deck id")
    assert not out.exists()


def test_an_existing_source_that_cannot_be_read_fails_its_page_only(tmp_path: Path) -> None:
    out = tmp_path / "cards"
    out.mkdir()
    broken = out / SOURCES[GIT]
    broken.write_text("questions: [\n", encoding="utf-8")
    batch = import_pages([GIT, HTTP], out)
    assert [r.status for r in batch.results] == [Status.FAILED, Status.WROTE]
    assert not batch.ok
    assert broken.read_text(encoding="utf-8") == "questions: [\n"


def test_the_same_page_named_twice_is_imported_once(tmp_path: Path) -> None:
    batch = import_pages([HTTP, PAGES / "." / HTTP.name], tmp_path)
    assert [r.page for r in batch.results] == [HTTP] and batch.ok


def test_a_folder_without_pages_and_a_yaml_out_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(str(empty))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{empty}: error: no quiz pages (*.txt) here", "nothing written"]
    wrong = run(str(GIT), str(HTTP), "--out", str(tmp_path / "one.yaml"))
    assert wrong.exit_code == 2
    assert "--out names the folder" in wrong.stderr
    assert not (tmp_path / "one.yaml").exists()


def test_one_page_keeps_the_single_page_output(tmp_path: Path) -> None:
    out = tmp_path / "git.yaml"
    result = run(str(GIT), "--out", str(out))
    assert result.exit_code == 0
    assert result.stdout == (
        f"wrote {out}: 0 challenge(s), 4 practice question(s)\n")


def test_one_page_with_a_folder_as_out_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(GIT), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "for one page or package, --out names the source file" in result.stderr
    assert list(tmp_path.iterdir()) == []
