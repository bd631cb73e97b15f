"""`srs build`: the command, incremental and reproducible rebuilds, --check, failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from call_counting import calls_to
from srs_trainer.anki import build as build_module
from srs_trainer.anki import build_cache, render
from srs_trainer.anki.build import Status, build
from srs_trainer.anki.compile import source_time
from srs_trainer.cli import main
from srs_trainer.deck import sources
from srs_trainer.deck.problems import InputError

SOURCE = textwrap.dedent(
    """\
    format: 1
    id: {deck}
    title: Deck {deck}
    questions:
      - id: first
        section: challenge
        prompt: What does `await` do?
        code:
          source: "x = await f()"
        choices: [It waits., It spins.]
        answer: A
      - id: second
        section: practice
        prompt: Pick B.
        choices: [Not this., This.]
        answer: B
    """
)

BROKEN = textwrap.dedent(
    """\
    format: 1
    id: broken
    title: Broken
    questions:
      - id: only
        section: challenge
        prompt: Which?
        choices: [One]
        answer: Z
    """
)


@pytest.fixture(autouse=True)
def fixed_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out like the repository: cards/ with one source, decks/ empty."""
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "alpha.yaml").write_text(SOURCE.format(deck="alpha"), "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["build", *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# --- the command ------------------------------------------------------------------------------


def test_build_defaults_to_cards_into_decks(project: Path) -> None:
    result = run()

    assert result.exit_code == 0, result.output
    assert "decks/alpha.apkg: written (2 new question(s): first, second)" in result.output
    assert (project / "decks" / "alpha.apkg").is_file()
    assert os.stat(project / "decks" / "alpha.apkg").st_mode & 0o044  # readable by others


def test_rebuild_without_edits_reports_unchanged_and_keeps_the_file(project: Path) -> None:
    run()
    deck = project / "decks" / "alpha.apkg"
    before = deck.stat().st_mtime_ns

    result = run()

    assert result.exit_code == 0
    assert "decks/alpha.apkg: unchanged" in result.output
    assert deck.stat().st_mtime_ns == before


def test_explicit_sources_and_out_folder(project: Path) -> None:
    other = project / "elsewhere" / "beta.yaml"
    other.parent.mkdir()
    other.write_text(SOURCE.format(deck="beta"), "utf-8")

    result = run(str(other), "--out", "built")

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "built").iterdir()) == [".srs-cache", "beta.apkg"]
    assert not (project / "decks").exists()


def test_invalid_source_prints_every_problem_and_writes_nothing(project: Path) -> None:
    run()
    before = snapshot(project / "decks")
    (project / "cards" / "broken.yaml").write_text(BROKEN, "utf-8")
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("Pick B.", "Pick B, edited."), "utf-8"
    )

    result = CliRunner().invoke(main, ["build"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith("cards/broken.yaml:8:14: error: ") and "choices" in line
               for line in lines)
    assert any(line.startswith("cards/broken.yaml:9:13: error: ") and "answer" in line
               for line in lines)
    # The valid, edited source was not written either: a failing build writes nothing.
    assert snapshot(project / "decks") == before


def test_yaml_syntax_error_is_located(project: Path) -> None:
    (project / "cards" / "alpha.yaml").write_text("format: 1\nid: [unclosed\n", "utf-8")

    result = run()

    assert result.exit_code == 1
    assert result.stderr.startswith("cards/alpha.yaml:3:1: error: YAML syntax")
    assert not (project / "decks" / "alpha.apkg").exists()


def test_duplicate_deck_ids_across_sources_are_an_error(project: Path) -> None:
    run()  # alpha is now known from the cache only; the clash must still be found
    (project / "cards" / "copy.yaml").write_text(SOURCE.format(deck="alpha"), "utf-8")

    result = run()

    assert result.exit_code == 1
    assert "cards/copy.yaml:2: error: deck id 'alpha' is already used by cards/alpha.yaml" in (
        result.stderr
    )


def test_no_sources_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cards").mkdir()

    result = run()

    assert result.exit_code == 1
    assert "no YAML sources (*.yaml, *.yml) in cards" in result.output
    assert "Traceback" not in result.output

    (tmp_path / "cards").rmdir()
    result = run()
    assert result.exit_code == 1
    assert "Error: no cards/ folder here; name the sources to build" in result.output


def test_unreadable_previous_deck_is_a_clear_error(project: Path) -> None:
    (project / "decks").mkdir()
    (project / "decks" / "alpha.apkg").write_bytes(b"not a zip")

    result = run()

    assert result.exit_code == 1
    assert "decks/alpha.apkg: cannot read the previous deck" in result.output
    assert (project / "decks" / "alpha.apkg").read_bytes() == b"not a zip"


# --- --check ----------------------------------------------------------------------------------


def test_check_passes_on_fresh_output(project: Path) -> None:
    run()
    result = run("--check")
    assert result.exit_code == 0, result.output
    assert "1 deck(s) up to date." in result.output


def test_check_fails_on_a_stale_deck_names_it_and_writes_nothing(project: Path) -> None:
    run()
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("It spins.", "It spins fast."), "utf-8"
    )
    before = snapshot(project / "decks")

    result = run("--check")

    assert result.exit_code == 1
    assert "decks/alpha.apkg: stale: 1 changed question(s): first; run `srs build`" in (
        result.stderr
    )
    assert snapshot(project / "decks") == before
    assert run("--check", "--no-cache").exit_code == 1


def test_check_fails_when_the_deck_is_missing(project: Path) -> None:
    result = run("--check")
    assert result.exit_code == 1
    assert "decks/alpha.apkg: stale: the deck file is missing" in result.stderr
    assert not (project / "decks").exists()


def test_check_ignores_the_cache_when_the_deck_was_replaced(project: Path) -> None:
    run()
    deck = project / "decks" / "alpha.apkg"
    good = deck.read_bytes()
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("Pick B.", "Pick B!"), "utf-8"
    )
    run()
    deck.write_bytes(good)  # e.g. `git checkout decks/` after building an edit
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("Pick B.", "Pick B!"), "utf-8"
    )
    assert run("--check").exit_code == 1


# --- reproducible bytes -----------------------------------------------------------------------


def test_rebuilds_are_byte_identical_across_time_and_working_directory(tmp_path: Path) -> None:
    source = tmp_path / "src" / "alpha.yaml"
    source.parent.mkdir()
    source.write_text(SOURCE.format(deck="alpha"), "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    command = [sys.executable, "-m", "srs_trainer.cli", "build", "--no-cache"]
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()

    subprocess.run([*command, str(source), "--out", str(tmp_path / "a")], cwd=tmp_path / "one",
                   env=env, check=True, capture_output=True)
    time.sleep(2.1)  # zip dates have two-second resolution
    subprocess.run([*command, "../src", "--out", "out"], cwd=tmp_path / "two", env=env,
                   check=True, capture_output=True)
    subprocess.run([*command, str(source), "--out", str(tmp_path / "a")], cwd=tmp_path,
                   env=env, check=True, capture_output=True)

    first = (tmp_path / "a" / "alpha.apkg").read_bytes()
    assert first == (tmp_path / "two" / "out" / "alpha.apkg").read_bytes()


def test_parallel_and_sequential_builds_write_the_same_bytes(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.mkdir()
    for name in ("a", "b", "c", "d", "e"):
        (cards / f"{name}.yaml").write_text(SOURCE.format(deck=name), "utf-8")

    build([cards], tmp_path / "seq", jobs=1)
    build([cards], tmp_path / "par", jobs=2)

    for name in ("a", "b", "c", "d", "e"):
        assert (tmp_path / "seq" / f"{name}.apkg").read_bytes() == (
            tmp_path / "par" / f"{name}.apkg"
        ).read_bytes()


# --- incremental ------------------------------------------------------------------------------


def test_unchanged_sources_are_not_parsed_again(project: Path) -> None:
    run()

    # Counted on the real function (in this process: jobs=1), whatever name build calls it by.
    with calls_to(sources.parse_deck) as parsed_again:
        report = build([project / "cards"], project / "decks", jobs=1)
    assert [o.status for o in report.outcomes] == [Status.UNCHANGED]
    assert parsed_again == [], "parsed an unchanged source"


def test_a_source_edited_behind_a_restored_mtime_is_still_rebuilt(project: Path) -> None:
    run()
    source = project / "cards" / "alpha.yaml"
    info = source.stat()
    # Same size, modification time set back: only the inode change time tells.
    source.write_text(SOURCE.format(deck="alpha").replace("Pick B.", "Pick b."), "utf-8")
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))

    report = build([project / "cards"], project / "decks")

    assert report.outcomes[0].status is Status.WRITTEN
    assert report.outcomes[0].reasons == ("1 changed question(s): second",)


def test_a_touched_but_unchanged_source_is_reported_unchanged(project: Path) -> None:
    run()
    deck = project / "decks" / "alpha.apkg"
    before = deck.read_bytes()
    os.utime(project / "cards" / "alpha.yaml", ns=(1, 1))

    report = build([project / "cards"], project / "decks")

    assert [o.status for o in report.outcomes] == [Status.UNCHANGED]
    assert deck.read_bytes() == before


def test_the_kept_deck_state_is_what_the_deck_file_holds(project: Path) -> None:
    """An edit rebuild takes the previous deck's ids and times from the cache, not the file."""
    from srs_trainer.anki.package import read_package
    from srs_trainer.deck.ids import deck_id

    run()
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("Pick B.", "Pick B, please."), "utf-8")
    run()
    deck_file = (project / "decks" / "alpha.apkg").read_bytes()
    cache = build_cache.RenderCache.load(project / "decks" / ".srs-cache", "alpha",
                                         build_cache.build_version())

    kept = cache.package_state(deck_file)

    assert kept is not None
    assert kept == read_package(project / "decks" / "alpha.apkg", deck_id("alpha"))
    assert cache.package_state(deck_file + b"x") is None  # another file: read it instead


def test_editing_one_question_renders_only_that_question(project: Path) -> None:
    run()
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("Pick B.", "Pick B, please."), "utf-8"
    )

    with calls_to(render.render_question) as calls:
        report = build([project / "cards"], project / "decks", jobs=1)

    rendered = [call["question"].id for call in calls]
    assert rendered == ["second"]
    assert report.outcomes[0].reasons == ("1 changed question(s): second",)


def test_editing_a_prompt_does_not_highlight_the_code_again(project: Path) -> None:
    run()
    source = project / "cards" / "alpha.yaml"
    source.write_text(SOURCE.format(deck="alpha").replace("What does", "What really does"))
    with calls_to(render.highlight) as calls:
        build([source], project / "decks", jobs=1)
    assert [call["code"].source for call in calls] == []

    source.write_text(SOURCE.format(deck="alpha").replace("x = await f()", "y = await f()"))
    with calls_to(render.highlight) as calls:
        build([source], project / "decks", jobs=1)
    assert [call["code"].source for call in calls] == ["y = await f()"]


def test_a_damaged_cache_only_costs_time(project: Path) -> None:
    run()
    first = (project / "decks" / "alpha.apkg").read_bytes()
    for file in (project / "decks" / ".srs-cache").rglob("*"):
        if file.is_file():
            file.write_text("{not a cache", "utf-8")
    (project / "decks" / "alpha.apkg").unlink()

    result = run()

    assert result.exit_code == 0, result.output
    assert (project / "decks" / "alpha.apkg").read_bytes() == first


def test_failed_write_leaves_the_old_deck_and_no_temporary_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run()
    before = snapshot(project / "decks")
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("It waits.", "It yields."), "utf-8"
    )

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module.os, "replace", disk_full)
    result = run()

    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert snapshot(project / "decks") == before


# --- source time ------------------------------------------------------------------------------


def git(folder: Path, *args: str, when: str = "") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def test_source_time_prefers_epoch_then_commit_then_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "alpha.yaml"
    source.write_text(SOURCE.format(deck="alpha"), "utf-8")
    os.utime(source, (1_600_000_000, 1_600_000_000))
    assert source_time(source) == 1700000000  # SOURCE_DATE_EPOCH from the fixture

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert source_time(source) == 1_600_000_000  # not in git: the file's mtime

    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "alpha.yaml")
    git(tmp_path, "commit", "-qm", "add", when="@1650000000 +0000")
    assert source_time(source) == 1_650_000_000  # committed and unmodified

    source.write_text(SOURCE.format(deck="alpha") + "# edited\n", "utf-8")
    os.utime(source, (1_660_000_000, 1_660_000_000))
    assert source_time(source) == 1_660_000_000  # modified since the commit


def test_bad_source_date_epoch_is_a_clear_error(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run()
    assert result.exit_code == 1
    assert "SOURCE_DATE_EPOCH must be whole seconds, not 'yesterday'" in result.output


# --- incremental parsing ----------------------------------------------------------------------

LONG_SOURCE = SOURCE.format(deck="long") + (
    "  - id: third\n"
    "    section: practice\n"
    "    title: The third\n"
    "    prompt: |\n"
    "      A multi-line prompt\n"
    "      about `await`.\n"
    "    choices:\n"
    "      - Yes.\n"
    "      - text: Code\n"
    "        code: |\n"
    "          x = 1\n"
    "    answer: B\n"
    "    # a comment inside the question\n"
    "  - id: fourth\n"
    "    section: challenge\n"
    "    prompt: Last?\n"
    "    choices: [Yes., No.]\n"
    "    answer: A\n"
)


def test_editing_one_question_parses_only_that_question(tmp_path: Path) -> None:
    source = tmp_path / "cards" / "long.yaml"
    source.parent.mkdir()
    source.write_text(LONG_SOURCE, "utf-8")
    build([source], tmp_path / "decks", jobs=1)
    source.write_text(LONG_SOURCE.replace("about `await`.", "about `await`, edited."), "utf-8")

    with calls_to(sources.parse_deck) as calls:
        report = build([source], tmp_path / "decks", jobs=1)

    assert report.outcomes[0].reasons == ("1 changed question(s): third",)
    (text,) = [call["text"] for call in calls]
    assert "edited" in text and "Pick B." not in text and "Last?" not in text
    assert text.count("\n") == LONG_SOURCE.count("\n") - 5  # line numbers are kept
    full = tmp_path / "full"
    build([source], full, jobs=1, use_cache=False)
    assert (full / "long.apkg").read_bytes() != b""


BENIGN = [
    "    answer: A\n", "    answer: B\n", "    hint: A hint.\n", "\n", "# comment\n",
    "  # indented comment\n", "    level: hard\n",
    "  - id: q-new\n    section: challenge\n    prompt: New?\n    choices: [A., B.]\n"
    "    answer: B\n",
]
HOSTILE = [
    "  - id: extra\n", "    prompt: Added?\n", "      - Another choice.\n",
    "    title: &anchor Title\n", "    kind: *anchor\n", '    prompt: "unclosed\n', "...\n",
    "---\n", "tags: [late]\n", "    prompt: |\n", "      block text\n", "  - id: first\n",
    "   misindented: 1\n", "- id: outdented\n",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from(["insert", "replace", "delete", "append"]),
              st.sampled_from(BENIGN) | st.sampled_from(HOSTILE)),
    min_size=1, max_size=3,
))
def test_incremental_parse_builds_exactly_what_a_full_parse_builds(
    edits: list[tuple[int, str, str]]
) -> None:
    lines = LONG_SOURCE.splitlines(keepends=True)
    for position, operation, text in edits:
        index = position % (len(lines) + 1)
        if operation == "insert" or index == len(lines):
            lines.insert(index, text)
        elif operation == "append":  # the common edit: more words on a line
            lines[index] = lines[index].rstrip("\n") + " more\n"
        elif operation == "replace":
            lines[index] = text
        else:
            del lines[index]
    edited = "".join(lines)
    cached, fresh = build_after_edit(edited)
    assert cached == fresh


def build_after_edit(*versions: str) -> list[tuple[str, object]]:
    """Build LONG_SOURCE, then each version in turn, with the cache and without.

    Before each build the uncached output folder gets the cached one's deck, so both start from
    the same previous deck. Returns the first pair of outcomes that differ, else the last pair.
    """
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = root / "cards" / "long.yaml"
        source.parent.mkdir()
        source.write_text(LONG_SOURCE, "utf-8")
        build([source], root / "cached", jobs=1)
        (root / "fresh").mkdir()
        outcomes: list[tuple[str, object]] = []
        for text in versions:
            shutil.copy(root / "cached" / "long.apkg", root / "fresh" / "long.apkg")
            source.write_text(text, "utf-8")
            outcomes = []
            for out, use_cache in ((root / "cached", True), (root / "fresh", False)):
                try:
                    report = build([source], out, jobs=1, use_cache=use_cache)
                except InputError as error:
                    outcomes.append(("error", [str(p) for p in error.problems]))
                else:
                    (outcome,) = report.outcomes
                    outcomes.append(("built", outcome.output.read_bytes()))
            if outcomes[0] != outcomes[1]:
                break
        return outcomes


def _realistic_edit(text: str, question: int, kind: str) -> str:
    lines = text.splitlines(keepends=True)
    if kind == "deck":  # a deck default changes every question's content
        index = next(i for i, line in enumerate(lines) if line.startswith("title: "))
        extra = "time_limit: 60\n" if question % 2 else "tags: [extra]\n"
        return "".join([*lines[: index + 1], extra, *lines[index + 1 :]])
    starts = [i for i, line in enumerate(lines) if line.startswith("  - id: ")]
    start = starts[question % len(starts)]
    end = next((s for s in starts if s > start), len(lines))
    body = lines[start:end]
    if kind == "reword":
        index = next(i for i, line in enumerate(body) if "prompt:" in line)
        if body[index].rstrip().endswith("|"):
            index += 1
        body[index] = body[index].rstrip("\n") + " Reworded.\n"
    elif kind == "answer":
        index = next(i for i, line in enumerate(body) if line.startswith("    answer: "))
        body[index] = "    answer: B\n" if body[index].endswith("A\n") else "    answer: A\n"
    elif kind == "hint":
        body.insert(1, "    hint: Think twice.\n")
    elif kind == "insert":
        body = [f"  - id: added-{len(lines)}\n", "    section: practice\n", "    prompt: Added?\n",
                "    choices: [A., B.]\n", "    answer: A\n", *body]
    elif kind == "delete":
        body = []
    elif kind == "comment":
        body.append("    # note to self\n")
    return "".join([*lines[:start], *body, *lines[end:]])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(
    ["reword", "answer", "hint", "insert", "delete", "comment", "deck"])), min_size=1, max_size=4))
def test_incremental_parse_of_realistic_edits(edits: list[tuple[int, str]]) -> None:
    versions = [LONG_SOURCE]
    for question, kind in edits:
        versions.append(_realistic_edit(versions[-1], question, kind))
    cached, fresh = build_after_edit(*versions[1:])
    assert cached == fresh


def test_a_deck_built_with_another_zlib_or_sqlite_is_not_stale(project: Path) -> None:
    import zipfile

    run()
    deck = project / "decks" / "alpha.apkg"
    with zipfile.ZipFile(deck) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    database = bytearray(entries[0][1])
    database[96:100] = (3_999_999).to_bytes(4, "big")  # another SQLite library wrote it
    with zipfile.ZipFile(deck, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(entries[0][0], bytes(database))
        archive.writestr(entries[1][0], entries[1][1])
    elsewhere = deck.read_bytes()

    assert run("--check", "--no-cache").exit_code == 0
    result = run("--no-cache")
    assert "decks/alpha.apkg: unchanged" in result.output
    assert deck.read_bytes() == elsewhere
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("Pick B.", "Pick B, now."), "utf-8"
    )
    assert run("--check", "--no-cache").exit_code == 1


def test_a_deck_file_without_a_source_is_reported(project: Path) -> None:
    run()
    (project / "cards" / "alpha.yaml").write_text(
        SOURCE.format(deck="alpha").replace("id: alpha", "id: alpha-renamed"), "utf-8"
    )

    result = run()

    assert result.exit_code == 0
    assert "decks/alpha-renamed.apkg: written" in result.output
    assert "decks/alpha.apkg: warning: no source builds this deck" in result.stderr
    assert (project / "decks" / "alpha.apkg").exists()  # not ours to delete


def test_a_build_with_nothing_to_do_loads_neither_compiler_nor_packager(tmp_path: Path) -> None:
    # A fresh process, so that nothing imported by other tests hides an eager import.
    shutil.copytree(Path(__file__).parents[2] / "cards", tmp_path / "cards")
    script = textwrap.dedent(
        """
        import sys
        from srs_trainer.cli import main
        try:
            main(["build", "cards", "--out", "decks", "--quiet"])
        except SystemExit:
            pass
        print(" ".join(sorted(m for m in sys.modules if m.startswith("srs_trainer."))))
        """)

    def loaded() -> set[str]:
        done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True,
                              capture_output=True, text=True)
        return set(done.stdout.split())

    assert "srs_trainer.anki.package" in loaded()  # the first build compiles and packages
    second = loaded()
    assert "srs_trainer.anki.build" in second
    assert not second & {"srs_trainer.anki.compile", "srs_trainer.anki.package",
                         "srs_trainer.anki.render", "srs_trainer.deck.sources"}


def test_render_keys_follow_content_and_fall_back_to_json_for_dates() -> None:
    from srs_trainer.anki.compile import _render_key

    text = SOURCE.format(deck="keys").replace(
        "    answer: B\n",
        "    answer: B\n    verify:\n      run: x = 1\n"
        "      expect:\n        returns: 2024-01-02\n")
    deck = sources.parse_deck(text)
    first, second = deck.questions
    assert _render_key(["keys"], first) == _render_key(["keys"], first)
    assert _render_key(["keys"], first) != _render_key(["other"], first)
    assert _render_key(["keys"], first) != _render_key(["keys"], second)
    changed = sources.parse_deck(text.replace("2024-01-02", "2024-01-03")).questions[1]
    assert _render_key(["keys"], changed) != _render_key(["keys"], second)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["  - a\n", "    x: 1\n", "\n", "  \t \n", "  # c\n", "x\n",
                                 "   y\n", " - z\n", "  -b\n", "#\n", "  - q", "\t\n", "  ",
                                 "\r\n", " \x85"]), max_size=8),
       st.integers(0, 2), st.sampled_from(["", "head: 1\n", "a\nb\n"]))
def test_block_lines_check_reads_each_line_as_multiline_start_anchors_would(
    pieces: list[str], indent: int, header: str
) -> None:
    import re

    from srs_trainer.anki.incremental import _block_lines_ok

    text = "".join(pieces)
    outside = re.compile(rf"^(?![ \t]*$| *#| {{{indent + 1}}}| {{{indent}}}- )", re.MULTILINE)
    expected = not any(m in text for m in "\r\x85\u2028\u2029") and not outside.search(text)
    assert _block_lines_ok(header + text, indent, len(header)) is expected
