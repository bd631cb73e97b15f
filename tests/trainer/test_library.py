"""The trainer's decks, loaded through the cache of parsed sources (real files, real YAML)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from call_counting import calls_to
from clocked_srs import SCRIPT, clocked
from srs_trainer.cli import main
from srs_trainer.deck import sources
from srs_trainer.deck.problems import InputError
from srs_trainer.deck.sources import load_decks
from srs_trainer.trainer.library import load_library
from srs_trainer.trainer.store import Store
from trainer_helpers import DECK_YAML, NOW, write_deck

OTHER_YAML = DECK_YAML.replace("id: demo\n", "id: other\n").replace("Demo deck", "Other deck")


@pytest.fixture
def cards(tmp_path: Path) -> list[Path]:
    return [write_deck(tmp_path / "cards"),
            write_deck(tmp_path / "cards", OTHER_YAML, "other.yaml")]


def test_a_cached_load_gives_the_decks_a_parse_gives(cards: list[Path], tmp_path: Path) -> None:
    parsed = load_decks(cards)
    load_library(cards, tmp_path / "cache")

    # Counted on the real function: a caller importing parse_deck by name is seen too.
    with calls_to(sources.parse_deck) as parsed_again:
        library = load_library(cards, tmp_path / "cache")

        assert list(library) == ["demo", "other"]
        assert [library[deck.id] for deck in parsed] == parsed
        assert library.entry("demo").title == "Demo deck"
        assert library.entry("demo").badge_name == "Demo Master"
        assert library.entry("demo").questions == 3
    assert parsed_again == [], "parsed a source that did not change"


def test_a_question_built_alone_equals_the_deck_s(cards: list[Path], tmp_path: Path) -> None:
    load_library(cards, tmp_path / "cache")
    alone = load_library(cards, tmp_path / "cache")
    whole = load_library(cards, tmp_path / "cache")

    assert alone.question("demo", "p1") == whole["demo"].question("p1")
    assert alone.question("demo", "p1").time_limit == 60  # the deck's default applies
    assert alone.question("demo", "nope") is None


def test_an_edited_source_is_parsed_again_and_gets_a_new_digest(
    cards: list[Path], tmp_path: Path
) -> None:
    before = load_library(cards, tmp_path / "cache")
    cards[0].write_text(DECK_YAML.replace("First challenge?", "First, reworded?"), "utf-8")

    after = load_library(cards, tmp_path / "cache")

    assert after["demo"].question("c1").prompt == "First, reworded?"
    assert after.entry("demo").digest != before.entry("demo").digest
    assert after.entry("other").digest == before.entry("other").digest


def test_a_touched_source_with_the_same_bytes_is_not_parsed(
    cards: list[Path], tmp_path: Path
) -> None:
    before = load_library(cards, tmp_path / "cache")
    os.utime(cards[0], ns=(1, 1))

    with calls_to(sources.parse_deck) as parsed_again:
        assert load_library(cards, tmp_path / "cache").entry("demo") == before.entry("demo")
    assert parsed_again == [], "parsed a source that did not change"


def test_an_edit_behind_a_restored_mtime_is_still_seen(cards: list[Path], tmp_path: Path) -> None:
    load_library(cards, tmp_path / "cache")
    info = cards[0].stat()
    cards[0].write_text(DECK_YAML.replace("alpha", "ALPHA"), "utf-8")  # same size
    os.utime(cards[0], ns=(info.st_atime_ns, info.st_mtime_ns))

    assert load_library(cards, tmp_path / "cache")["demo"].question("c1").choices[0].text == (
        "ALPHA")


def test_every_problem_of_every_source_is_reported_with_its_line(
    cards: list[Path], tmp_path: Path
) -> None:
    load_library(cards, tmp_path / "cache")
    cards[0].write_text(DECK_YAML.replace("answer: B\n", "answer: Z\n", 1), "utf-8")
    cards[1].write_text(OTHER_YAML.replace("answer: A\n", "answer: Y\n", 1), "utf-8")
    twin = write_deck(tmp_path / "cards", OTHER_YAML, "twin.yaml")

    with pytest.raises(InputError) as raised:
        load_library([*cards, twin, tmp_path / "cards" / "missing.yaml"], tmp_path / "cache")

    assert sorted(str(problem).split(": error: ")[0] for problem in raised.value.problems) == [
        f"{cards[0]}:18:13", f"{tmp_path / 'cards' / 'missing.yaml'}", f"{cards[1]}:13:13"]


def test_a_deck_id_used_twice_names_both_files(cards: list[Path], tmp_path: Path) -> None:
    load_library(cards, tmp_path / "cache")  # both cached: the check needs no parse
    twin = write_deck(tmp_path / "cards", OTHER_YAML, "twin.yaml")

    with pytest.raises(InputError) as raised:
        load_library([*cards, twin], tmp_path / "cache")

    assert [str(problem) for problem in raised.value.problems] == [
        f"{twin}:2: error: deck id 'other' is already used by {cards[1]}"]


def test_damaged_or_missing_cache_files_only_cost_time(cards: list[Path], tmp_path: Path) -> None:
    expected = load_decks(cards)
    load_library(cards, tmp_path / "cache")
    for file in (tmp_path / "cache").iterdir():
        file.write_bytes(b"\x00not a cache")
    assert [load_library(cards, tmp_path / "cache")[d.id] for d in expected] == expected

    library = load_library(cards, tmp_path / "cache")
    for file in (tmp_path / "cache").iterdir():
        if file.name != "index.bin":
            file.unlink()  # deleted while the trainer runs: the source is parsed again
    assert [library[d.id] for d in expected] == expected


def test_only_the_current_sources_stay_cached(cards: list[Path], tmp_path: Path) -> None:
    load_library(cards, tmp_path / "cache")
    for n in range(3):
        cards[0].write_text(DECK_YAML.replace("First challenge?", f"Edit {n}?"), "utf-8")
        load_library(cards, tmp_path / "cache")

    assert len(list((tmp_path / "cache").glob("*.bin"))) == 3  # the index and two decks


def test_review_uses_the_cache_in_its_home(tmp_path: Path) -> None:
    write_deck(tmp_path / "cards")
    home = tmp_path / "home"
    args = ["review", "--home", str(home), "--no-bundled", "--cards", str(tmp_path / "cards")]
    first = CliRunner().invoke(main, args, input="q\n", obj=clocked(NOW))
    second = CliRunner().invoke(main, args, input="q\n", obj=clocked(NOW))

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert (home / "cache" / "sources" / "index.bin").is_file()
    assert "First challenge?" in second.output


def test_a_draft_source_beside_good_ones_does_not_stop_a_review(tmp_path: Path) -> None:
    write_deck(tmp_path / "cards")
    draft = write_deck(tmp_path / "cards", OTHER_YAML.replace("    answer: A\n", "", 1)
                       .replace("answer: B\n", "answer: Q\n", 1), "draft.yaml")
    args = ["review", "--home", str(tmp_path / "home"), "--no-bundled",
            "--cards", str(tmp_path / "cards")]

    result = CliRunner().invoke(main, args, input="q\n", obj=clocked(NOW))

    assert result.exit_code == 0, result.output
    assert "First challenge?" in result.output  # the good deck is trained on
    assert f"{draft}:8:5: error: questions[0]: missing required field 'answer'" in result.output
    assert f"{draft}: warning: left out (it does not load); 1 more: `srs lint {draft}`" in (
        result.output)
    # Plain lines keep the warning in view: not said again (the full screen says it again,
    # tests/end_to_end/test_tty.py).
    assert "Left out:" not in result.output


def test_a_review_with_only_invalid_sources_fails_and_says_why(tmp_path: Path) -> None:
    draft = write_deck(tmp_path / "cards", DECK_YAML.replace("answer: A\n", "answer: Q\n", 1))
    args = ["review", "--home", str(tmp_path / "home"), "--no-bundled",
            "--cards", str(tmp_path / "cards")]

    result = CliRunner().invoke(main, args, input="q\n")

    assert result.exit_code == 1
    assert f"{draft}:" in result.output
    assert "no decks to train on: every source was left out (above)" in result.output
    assert "Traceback" not in result.output


def test_a_copy_of_a_deck_left_out_for_its_id_does_not_replace_the_deck(tmp_path: Path) -> None:
    """Copying a deck to start a new one (its id not changed yet) must not touch the old."""
    write_deck(tmp_path / "cards")
    args = ["review", "--home", str(tmp_path / "home"), "--no-bundled",
            "--cards", str(tmp_path / "cards")]
    assert CliRunner().invoke(main, args, input="q\n", obj=clocked(NOW)).exit_code == 0
    copy = write_deck(tmp_path / "cards", DECK_YAML.replace("id: c1", "id: new1")
                      .replace("First challenge?", "A new question?"), "zcopy.yaml")

    result = CliRunner().invoke(main, args, input="q\n", obj=clocked(NOW))

    assert result.exit_code == 0, result.output
    assert "First challenge?" in result.output and "A new question?" not in result.output
    assert f"{copy}:2: error: deck id 'demo' is already used by" in result.output
    home_db = Store.open(tmp_path / "home" / "progress.sqlite3")
    assert [c.question_id for c in home_db.cards()] == ["c1", "c2", "p1"]


def test_a_cached_deck_is_named_by_the_path_given_now(
    cards: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    load_library([Path("cards/demo.yaml")], tmp_path / "cache")
    monkeypatch.chdir(tmp_path / "cards")
    for file in (tmp_path / "cache").glob("*.bin"):
        if file.name != "index.bin":
            file.unlink()  # the parsed deck is gone: it must be parsed again from its path

    library = load_library([cards[0]], tmp_path / "cache")

    assert library.entry("demo").source_path == str(cards[0])
    assert library["demo"].question("c1").prompt == "First challenge?"


def test_a_changed_source_removes_only_its_own_old_cache_file(
    cards: list[Path], tmp_path: Path
) -> None:
    load_library(cards, tmp_path / "cache")
    stranger = tmp_path / "cache" / "f00d.bin"  # e.g. written by another trainer just now
    stranger.write_bytes(b"")
    before = {f.name for f in (tmp_path / "cache").glob("*.bin")}
    cards[0].write_text(DECK_YAML.replace("First challenge?", "Edited?"), "utf-8")

    load_library(cards, tmp_path / "cache")

    after = {f.name for f in (tmp_path / "cache").glob("*.bin")}
    assert stranger.exists()
    assert len(before - after) == 1 and len(after - before) == 1


def test_a_start_with_unchanged_sources_does_not_load_the_yaml_parser(tmp_path: Path) -> None:
    import subprocess
    import sys

    write_deck(tmp_path / "cards")
    command = [sys.executable, "-X", "importtime", SCRIPT, "2026-01-01T09:00:00Z", "review",
               "--home", str(tmp_path / "home"), "--no-bundled", "--cards", str(tmp_path / "cards")]
    env = dict(os.environ)
    for run in ("first: parses and caches", "second: from the cache"):
        result = subprocess.run(command, input="q\n", capture_output=True, text=True, env=env,
                                timeout=60)
        assert result.returncode == 0, (run, result.stderr)
    assert "First challenge?" in result.stdout
    assert not [line for line in result.stderr.splitlines() if line.rstrip().endswith("| yaml")]


def test_progress_imports_no_replay_of_the_log(tmp_path: Path) -> None:
    """`srs progress` reads saved state: replaying the log (doctor, merge) is not its cost."""
    import subprocess
    import sys

    write_deck(tmp_path / "cards")
    base = [sys.executable, "-X", "importtime", SCRIPT, "2026-01-01T09:00:00Z"]
    where = ["--home", str(tmp_path / "home"), "--no-bundled", "--cards", str(tmp_path / "cards")]
    answered = subprocess.run([*base, "review", *where], input="A\nq\n", capture_output=True,
                              text=True, timeout=60)
    assert answered.returncode == 0, answered.stderr
    result = subprocess.run([*base, "progress", *where], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert not imported & {"srs_trainer.trainer.replay", "srs_trainer.trainer.doctor",
                           "srs_trainer.history.log_merge", "fsrs_rs_python"}
    assert "srs_trainer.trainer.mastery" in imported  # the check sees what progress imports


MIXED_YAML = """\
format: 1
id: mixed
title: Mixed deck
questions:
  - id: z1
    section: practice
    type: cloze
    prompt: "{{c1::async def}} defines a coroutine; {{c3::await}} waits."
  - id: r1
    section: practice
    type: recall
    guid: "kept:Guid1"
    prompt: What does `await` need?
    answer: An awaitable.
  - id: c1
    section: practice
    prompt: Pick one.
    choices:
      - text: this
      - text: that
    answer: A
"""


def test_notes_read_from_the_cache_are_the_built_questions_notes(tmp_path: Path) -> None:
    from srs_trainer.history.anki_collection import our_note_cards
    from srs_trainer.trainer.library import DeckLibrary

    paths = [write_deck(tmp_path / "cards", MIXED_YAML, "mixed.yaml")]
    load_library(paths, tmp_path / "cache")
    cached = load_library(paths, tmp_path / "cache")  # nothing parsed: the cached data
    built = DeckLibrary.of(load_decks(paths))

    assert list(cached.question_notes("mixed")) == list(built.question_notes("mixed"))
    notes = our_note_cards(cached)
    assert notes == our_note_cards(built)
    assert notes["kept:Guid1"] == {0: ("mixed", "r1")}
    cloze = next(cards for cards in notes.values() if len(cards) == 2)
    assert cloze == {0: ("mixed", "z1::c1"), 2: ("mixed", "z1::c3")}
