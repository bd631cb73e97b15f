"""Every trainer command through click's CliRunner, with a real data folder and a set clock."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from click.testing import CliRunner, Result

from clocked_srs import clocked
from srs_trainer.cli import main
from srs_trainer.trainer.scheduling import fuzz_seed
from srs_trainer.trainer.store import Store
from trainer_helpers import DECK_YAML, NOW, write_deck

NOW_TEXT = "2026-01-01T09:00:00Z"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    write_deck(tmp_path / "cards")
    return {"SRS_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}


def srs(env: dict[str, str], *args: str, input: str = "", now: str | None = None) -> Result:
    cards = str(Path(env["SRS_HOME"]).parent / "cards")
    command, *rest = args
    extra = ["--cards", cards, "--no-bundled"] if command not in ("doctor",) else []
    return CliRunner().invoke(main, [command, *extra, *rest], input=input, env=env,
                              obj=clocked(now or NOW_TEXT))


def _failed_cleanly(result: Result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for needle in needles:
        assert needle in result.output


def _store(env: dict[str, str]) -> Store:
    return Store.open(Path(env["SRS_HOME"]) / "progress.sqlite3")


def test_review_saves_exact_fsrs_state_with_fuzz_on(env: dict[str, str]) -> None:
    result = srs(env, "review", input="a\n\nc\nb\n\nb\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "[1/3] Demo deck" in result.output
    # Quit when c2 (Hard) came back from its learning step: the session ended early.
    assert "Session ended early: 3 reviewed, 3 right" in result.output
    with _store(env) as store:
        ratings = [(e.question_id, e.rating) for e in store.log()]
        # The clock is frozen: no time passes, so a first-attempt answer is Easy.
        assert ratings == [("c1", 4), ("c2", 2), ("p1", 4)]
        scheduler = fsrs.Scheduler()  # the default settings, fuzz on
        for qid, rating in ratings:
            random.seed(fuzz_seed(("demo", qid), NOW))
            card, _ = scheduler.review_card(fsrs.Card(card_id=1, due=NOW), fsrs.Rating(rating), NOW)
            memory = store.card("demo", qid).memory  # type: ignore[union-attr]
            assert (memory.state, memory.stability, memory.difficulty, memory.due) == (
                int(card.state), card.stability, card.difficulty, card.due)
    # Tomorrow only c2 (Hard: still in its learning steps) is due; Easy cards wait days.
    tomorrow = srs(env, "review", now="2026-01-02T09:00:00Z", input="q\n")
    assert tomorrow.exit_code == 0 and "[1/1]" in tomorrow.output
    assert "Second challenge?" in tomorrow.output
    assert "Next review: now (1 due today)" in tomorrow.output


def test_review_honours_limit_and_new_limit(env: dict[str, str]) -> None:
    result = srs(env, "review", "--limit", "1", input="a\n\n")
    assert "[1/1]" in result.output and "Session complete: 1 reviewed" in result.output


def test_config_settings_for_a_deck_not_loaded_are_warned_of(env: dict[str, str]) -> None:
    home = Path(env["SRS_HOME"])
    home.mkdir()
    (home / "config.yaml").write_text(
        "timezone: UTC\ndecks:\n  demo:\n    new_per_day: 1\n  dmeo:\n    new_per_day: 9\n")
    result = srs(env, "review", input="a\n\n")
    assert result.exit_code == 0, result.output
    assert (f"{home / 'config.yaml'}:5:3: warning: decks: 'dmeo' is no deck loaded, so its "
            "settings apply to nothing (loaded: demo)") in result.output
    assert "[1/1]" in result.output  # the settings of the deck that is loaded still apply
    result = srs(env, "review", "--new-limit", "2", input="b\n\nb\n\nq\n")
    assert "[1/1]" in result.output  # one new question left today under a limit of 2
    with _store(env) as store:
        assert [e.question_id for e in store.log()] == ["c1", "c2"]


def test_review_self_grade_and_deck_filter(env: dict[str, str]) -> None:
    result = srs(env, "review", "--deck", "demo", "--self-grade", input="a\n3\n\nq\n")
    assert result.exit_code == 0, result.output
    with _store(env) as store:
        assert [(e.question_id, e.rating) for e in store.log()] == [("c1", 3)]


def test_practice_and_challenge_commands(env: dict[str, str]) -> None:
    result = srs(env, "practice", "demo", input="b\n\n")
    assert result.exit_code == 0, result.output
    assert "Solution:" in result.output and "Pick two" in result.output
    assert "Session complete: 1 answered, 1 right" in result.output
    assert "Next review" not in result.output  # practice moved no schedule
    result = srs(env, "challenge", "demo", input="a\n\nc\nb\n\n")
    assert result.exit_code == 0, result.output
    assert "Challenge result: 2/2 in 0:00" in result.output
    with _store(env) as store:
        assert [(e.mode, e.rescheduled) for e in store.log()] == [
            ("practice", False), ("challenge", True), ("challenge", True)]
        assert store.challenge_results("demo")[0]["score"] == 2
        assert store.card("demo", "p1").memory.is_new  # type: ignore[union-attr]
    shown = srs(env, "progress")
    assert "Last challenge (demo): 2/2 in 0:00 on 2026-01-01" in shown.output
    (deck,) = json.loads(srs(env, "progress", "--json").output)["decks"]
    assert (deck["last_challenge"]["score"], deck["last_challenge"]["total"]) == (2, 2)
    result = srs(env, "practice", "demo", "--reschedule", input="b\n\n")
    with _store(env) as store:
        assert not store.card("demo", "p1").memory.is_new  # type: ignore[union-attr]


def test_practice_and_challenge_need_a_deck_only_when_several_are_loaded(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = srs(env, "practice", input="b\n\n")  # one deck loaded: that one
    assert result.exit_code == 0, result.output
    assert "Pick two" in result.output
    write_deck(tmp_path / "cards", DECK_YAML.replace("id: demo\n", "id: other\n"), "other.yaml")
    result = srs(env, "challenge", input="a\n\n")
    assert result.exit_code == 2
    assert "Error: name a deck: demo, other" in result.output


def test_practice_and_challenge_take_retention_like_review(env: dict[str, str]) -> None:
    result = srs(env, "challenge", "demo", "--retention", "0.8", input="a\n\nb\n\n")
    assert result.exit_code == 0, result.output
    result = srs(env, "practice", "demo", "--reschedule", "--retention", "0.95", input="b\n\n")
    assert result.exit_code == 0, result.output
    with _store(env) as store:
        used = [json.loads(store.scheduler_json(e.scheduler_id))["desired_retention"]
                for e in store.log()]  # type: ignore[arg-type]
        assert used == [0.8, 0.8, 0.95]
        # A lower retention target schedules the same Easy answer further out.
        c1, p1 = store.card("demo", "c1"), store.card("demo", "p1")
        assert c1 and p1 and c1.memory.due and p1.memory.due and c1.memory.due > p1.memory.due
    # Without --reschedule practice moves no schedule, so a retention would be ignored: refused.
    refused = srs(env, "practice", "demo", "--retention", "0.8")
    assert refused.exit_code == 2 and "--retention needs --reschedule" in refused.output
    assert srs(env, "challenge", "demo", "--retention", "0.5").exit_code == 2


def test_progress_dates_are_the_learners_local_dates(env: dict[str, str]) -> None:
    pytest.importorskip("zoneinfo").ZoneInfo("Pacific/Auckland")  # needs the tz database
    home = Path(env["SRS_HOME"])
    home.mkdir()
    (home / "config.yaml").write_text("timezone: Pacific/Auckland\n")  # UTC+13 in January
    srs(env, "challenge", "demo", input="a\n\nb\n\n", now="2026-01-01T12:00:00Z")
    shown = srs(env, "progress", now="2026-01-01T12:05:00Z")
    assert "Last challenge (demo): 2/2 in 0:00 on 2026-01-02" in shown.output


def test_progress_shows_mastery_and_json(env: dict[str, str]) -> None:
    srs(env, "review", input="a\n\nb\n\nb\n\n")
    result = srs(env, "progress")
    assert result.exit_code == 0, result.output
    assert "Demo deck" in result.output and "0/3" in result.output
    assert "Badge 'Demo Master' (demo): not yet (0/2 challenges mastered)" in result.output
    assert "\x1b[" not in result.output  # NO_COLOR and a pipe: plain text
    data = json.loads(srs(env, "progress", "demo", "--json").output)
    (deck,) = data["decks"]
    assert (deck["deck_id"], deck["total"], deck["reviewed"], deck["mastered"],
            deck["challenge_total"], data["streak"], deck["badge_earned_at"]) == (
        "demo", 3, 3, 0, 2, 1, None)
    assert "Streak: 1 day in a row with reviews" in result.output
    later = srs(env, "progress", "--json", now="2026-03-01T09:00:00Z")
    assert json.loads(later.output)["decks"][0]["due_today"] == 3


def test_stats_charts_and_json(env: dict[str, str]) -> None:
    srs(env, "review", input="a\n\nb\n\nb\n\n")
    result = srs({**env, "COLUMNS": "80"}, "stats", "--days", "7")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:8] == [
        "Reviews per day, last 7 days",
        "  3 ┤            █",
        "    │            █",
        "    │            █",
        "    │            █",
        "  0 └─────────────",
        "     2025-12-26 2026-01-01",
        "  Reviews: 3 in 7 days, 0.43 a day on average.",
    ]
    assert "Reviews due per day, next 30 days" in lines
    assert "  Due: 3 in 30 days, 0.10 a day on average." in lines
    assert "\x1b[" not in result.output
    narrow = srs({**env, "COLUMNS": "40"}, "stats", "--days", "180")
    assert "Reviews per week, last 180 days" in narrow.output
    assert max(len(line) for line in narrow.output.splitlines()) <= 40
    data = json.loads(srs(env, "stats", "--json").output)
    assert len(data["days"]) == 30 and data["days"][-1] == {"date": "2026-01-01", "reviews": 3}
    assert sum(day["due"] for day in data["forecast"]) == 3
    assert (data["reviews_total"], data["forecast_total"], data["overdue"]) == (3, 3, 0)


def test_doctor_checks_and_rebuilds(env: dict[str, str]) -> None:
    srs(env, "review", input="a\n\nb\n\nb\n\n")
    result = srs(env, "doctor")
    assert result.exit_code == 0 and "Integrity check: ok" in result.output
    assert "Card state matches the log." in result.output
    with _store(env) as store, store.transaction():
        store.db.execute("UPDATE cards SET stability = 1000 WHERE question_id = 'c2'")
    _failed_cleanly(srs(env, "doctor"), "demo/c2", "srs doctor --rebuild")
    rebuilt = srs(env, "doctor", "--rebuild")
    assert rebuilt.exit_code == 0 and "Rebuilt 1 card(s)" in rebuilt.output
    assert "Card state matches the log." in srs(env, "doctor").output


def test_doctor_names_a_screenful_of_differing_cards_and_counts_the_rest(
    env: dict[str, str],
) -> None:
    srs(env, "review", input="a\n\nb\n\nb\n\n")
    with _store(env) as store, store.transaction():
        # 25 cards with a stability no replay of their (empty) logs gives
        store.db.execute("CREATE TEMP TABLE copy AS SELECT * FROM cards WHERE question_id = 'c2'")
        for number in range(25):
            store.db.execute("UPDATE copy SET question_id = ?, stability = 1000", (f"x{number}",))
            store.db.execute("INSERT INTO cards SELECT * FROM copy")
    result = srs(env, "doctor", "--rebuild")
    assert result.exit_code == 0, result.output
    assert result.output.count("differs from the log:") == 20
    assert "... and 5 more" in result.output and "Rebuilt 25 card(s)" in result.output


# --- bad input: a clear message, exit 1, no traceback, nothing written ----------------------------


def test_unknown_deck(env: dict[str, str]) -> None:
    for args in (("review", "--deck", "nope"), ("practice", "nope"), ("challenge", "nope"),
                 ("progress", "nope"), ("stats", "--deck", "nope")):
        _failed_cleanly(srs(env, *args), "unknown deck 'nope'", "demo")


def test_bad_home(env: dict[str, str], tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    for command in ("review", "progress", "doctor", "stats"):
        result = srs({**env, "SRS_HOME": str(not_a_folder)}, command)
        _failed_cleanly(result, "not a folder")
    result = srs(env, "doctor", "--home", str(not_a_folder))
    _failed_cleanly(result, "not a folder")


def test_a_corrupt_database(env: dict[str, str]) -> None:
    home = Path(env["SRS_HOME"])
    home.mkdir()
    (home / "progress.sqlite3").write_bytes(b"garbage" * 1000)
    _failed_cleanly(srs(env, "doctor"), "progress.sqlite3")
    _failed_cleanly(srs(env, "review"), "progress.sqlite3")


def test_a_broken_source_is_reported_with_file_and_line(env: dict[str, str]) -> None:
    cards = Path(env["SRS_HOME"]).parent / "cards"
    write_deck(cards, DECK_YAML.replace("    answer: B\n", "    answer: Z\n", 1), "demo.yaml")
    for command in (("review",), ("practice", "demo"), ("progress",)):
        result = srs(env, *command)
        _failed_cleanly(result, f"{cards / 'demo.yaml'}:18:13: error: questions[1].answer")
    assert not (Path(env["SRS_HOME"]) / "progress.sqlite3").exists()


def test_a_missing_cards_folder(env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["review", "--no-bundled", "--cards",
                                       str(tmp_path / "missing")], env=env,
                                 obj=clocked(NOW_TEXT))
    _failed_cleanly(result, "missing", "no such file")


def test_a_bad_config_file_names_its_line(env: dict[str, str]) -> None:
    home = Path(env["SRS_HOME"])
    home.mkdir()
    (home / "config.yaml").write_text("defaults:\n  new_per_day: 5\n  desired_retention: 2\n")
    result = srs(env, "review")
    _failed_cleanly(result, "config.yaml:3:", "desired_retention", "between 0.7 and 0.99")
    (home / "config.yaml").write_text("decks:\n  demo:\n    new_per_dya: 1\n")
    _failed_cleanly(srs(env, "review"), "config.yaml:3:", "unknown setting")


def test_config_file_settings_apply(env: dict[str, str]) -> None:
    home = Path(env["SRS_HOME"])
    home.mkdir()
    (home / "config.yaml").write_text("timezone: UTC\ndecks:\n  demo:\n    new_per_day: 1\n")
    result = srs(env, "review", input="a\n\n")
    assert "[1/1]" in result.output and "Session complete: 1 reviewed" in result.output


def test_bad_options(env: dict[str, str]) -> None:
    result = srs(env, "review", "--retention", "1.5")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_bundled_decks_are_found_from_a_checkout(env: dict[str, str]) -> None:
    # No skip: a checkout always has its bundled decks, so "no decks" here is the bug to catch.
    result = CliRunner().invoke(main, ["progress", "--json"], env=env, obj=clocked(NOW_TEXT))
    assert result.exit_code == 0, result.output
    bundled = json.loads(result.output)["decks"]
    assert "django-async" in [deck["deck_id"] for deck in bundled], bundled


def test_learning_card_returns_within_a_cli_session(env: dict[str, str]) -> None:
    # With the clock stepping 30 s per read, a failed question comes back in-session.
    result = srs(env, "review", "--limit", "1", input="b\nc\n\na\n\nq\n",
                 now=NOW_TEXT + "+30")
    assert result.exit_code == 0, result.output
    assert result.output.count("First challenge?") >= 3
    with _store(env) as store:
        entries = store.log()
        # Failed (Again: back in 1 minute), then asked again once due and answered Good.
        assert [e.rating for e in entries] == [1, 3]
        assert entries[1].at - entries[0].at >= timedelta(minutes=1)


def test_a_changed_answer_is_announced_once(env: dict[str, str]) -> None:
    srs(env, "review", input="a\n\nq\n")
    cards = Path(env["SRS_HOME"]).parent / "cards"
    write_deck(cards, DECK_YAML.replace("[alpha, beta, gamma]\n    answer: A",
                                        "[alpha, beta, gamma]\n    answer: C"))
    first = srs(env, "review", input="q\n", now="2026-01-02T09:00:00Z")
    assert "1 question changed its choices or answer; it starts over." in first.output
    assert "First challenge?" in first.output  # new again, so asked today
    second = srs(env, "review", input="q\n", now="2026-01-02T10:00:00Z")
    assert "changed its choices" not in second.output
    with _store(env) as store:
        assert [e.kind for e in store.log(kind=None)] == ["answer", "reset"]


def test_python_dash_m_runs_the_cli(env: dict[str, str]) -> None:
    import subprocess
    import sys

    for module in ("srs_trainer", "srs_trainer.cli"):
        result = subprocess.run([sys.executable, "-m", module, "review", "--help"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "--self-grade" in result.stdout


ALL_A_DECK = DECK_YAML.replace("answer: B", "answer: A")


def test_ninety_days_of_srs_review_earn_the_badge_on_the_predicted_day(
    env: dict[str, str],
) -> None:
    """Daily `srs review` at 09:00 (a set clock), every answer right; default settings, fuzz on."""
    cards = Path(env["SRS_HOME"]).parent / "cards"
    write_deck(cards, ALL_A_DECK)
    home = Path(env["SRS_HOME"])
    home.mkdir()
    (home / "config.yaml").write_text("timezone: UTC\n")
    # Independent prediction with plain fsrs: the frozen clock makes every right answer Easy;
    # a card is reviewed on each day it falls due before the next 04:00 boundary.
    scheduler = fsrs.Scheduler()
    state: dict[str, fsrs.Card] = {}
    predicted = None
    for day in range(92):
        morning = NOW + timedelta(days=day)
        for qid in ("c1", "c2", "p1"):
            card = state.get(qid) or fsrs.Card(card_id=1, due=morning)
            if qid not in state or card.due < morning + timedelta(hours=19):
                random.seed(fuzz_seed(("demo", qid), morning))
                state[qid], _ = scheduler.review_card(card, fsrs.Rating.Easy, morning)
        if predicted is None and all(state[q].stability >= 21 for q in ("c1", "c2")):
            predicted = day
    assert predicted is not None and 0 < predicted < 92

    celebrated_on = []
    for day in range(92):
        moment = (NOW + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")
        result = srs(env, "review", input="a\n\n" * 3, now=moment)
        assert result.exit_code == 0, result.output
        if "Badge earned: Demo Master" in result.output:
            celebrated_on.append(day)
    assert celebrated_on == [predicted]
    with _store(env) as store:
        badge = store.badge("demo")
        assert badge is not None and badge[1] == NOW + timedelta(days=predicted)
        for qid, card in state.items():
            memory = store.card("demo", qid).memory  # type: ignore[union-attr]
            assert (memory.stability, memory.due) == (card.stability, card.due)


def test_data_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from platformdirs import user_data_dir

    from srs_trainer.trainer.settings import resolve_home

    monkeypatch.delenv("SRS_HOME", raising=False)
    assert resolve_home(None) == Path(user_data_dir("srs-trainer", appauthor=False))
    monkeypatch.setenv("SRS_HOME", str(tmp_path / "env"))
    assert resolve_home(None) == tmp_path / "env"
    assert resolve_home(tmp_path / "flag") == tmp_path / "flag"


def test_without_a_set_clock_answers_are_logged_at_the_real_time(env: dict[str, str]) -> None:
    before = datetime.now(timezone.utc)
    cards = str(Path(env["SRS_HOME"]).parent / "cards")
    result = CliRunner().invoke(main, ["review", "--cards", cards, "--no-bundled"],
                                input="a\n\nq\n", env=env)
    assert result.exit_code == 0, result.output
    with _store(env) as store:
        [entry] = store.log()
    assert before <= entry.at <= datetime.now(timezone.utc)


LONG_TITLE_DECK = """\
format: 1
id: long-titles
title: Django REST framework serializers, viewsets and routers in depth
questions:
  - id: q1
    section: challenge
    prompt: A question?
    choices: [one, two]
    answer: A
"""


def _progress_lines(env: dict[str, str], columns: int) -> list[str]:
    result = srs({**env, "COLUMNS": str(columns)}, "progress")
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.output.splitlines()]
    assert max(len(line) for line in result.output.splitlines()) <= columns, result.output
    assert "…" not in result.output, result.output  # nothing is ever cut off
    return lines


def test_progress_fits_80_columns_and_falls_back_to_blocks_when_narrow(
    env: dict[str, str],
) -> None:
    write_deck(Path(env["SRS_HOME"]).parent / "cards", LONG_TITLE_DECK, "long-titles.yaml")
    srs(env, "review", input="a\n\nb\n\nb\n\na\n\n")
    lines = _progress_lines(env, 80)
    text = "\n".join(lines)
    header = next(line for line in lines if line.startswith("Deck"))
    assert header.split() == ["Deck", "Mastered", "Badge", "Recall", "Due", "today/tmrw/week"]
    assert re.search(r"^Demo deck\s+░+ 0/3\s+░+ 0/2\s+\d+%\s+\d+ / \d+ / \d+\s*$", text, re.M)
    # A long name wraps in its column, never to a blank or to "…"; a deck with no badge: "-".
    assert re.search(r"^Django REST framework +░+ 0/1  -  +\d+%", text, re.M), text
    names = " ".join(line[: header.index("Mastered")] for line in lines)
    assert "Django REST framework serializers, viewsets and routers in depth" in " ".join(
        names.split())
    assert "Streak: 1 day in a row with reviews" in text

    narrow = _progress_lines(env, 50)
    blocks = "\n".join(narrow)
    for deck in ("Demo deck", "Django REST framework serializers, viewsets and"):
        assert deck in blocks, blocks
    assert re.search(r"^  Mastered +░+ 0/3$", blocks, re.M), blocks
    assert re.search(r"^  Badge +░+ 0/2$", blocks, re.M) and "- (no badge)" in blocks
    assert re.search(r"^  Recall +\d+%$", blocks, re.M)
    assert re.search(r"^  Due +\d+ today, \d+ tomorrow, \d+ this week$", blocks, re.M)


def test_piped_progress_is_100_columns_when_columns_is_unset(env: dict[str, str]) -> None:
    write_deck(Path(env["SRS_HOME"]).parent / "cards", LONG_TITLE_DECK, "long-titles.yaml")
    environment = {key: value for key, value in env.items() if key != "COLUMNS"}
    result = CliRunner().invoke(
        main,
        ["progress", "--no-bundled", "--cards", str(Path(env["SRS_HOME"]).parent / "cards")],
        env={**environment, "COLUMNS": ""}, obj=clocked(NOW_TEXT),
    )
    assert result.exit_code == 0, result.output
    assert max(len(line.rstrip()) for line in result.output.splitlines()) == 100


def test_stats_json_carries_every_figure_and_survives_a_rebuild(env: dict[str, str]) -> None:
    srs(env, "review", input="a\n\nb\n\nb\n\n")
    # Two months later, each card is due again: judged reviews for the calibration.
    srs(env, "review", input="a\n\nb\n\nb\n\n", now="2026-03-01T09:00:00Z")
    later = "2026-03-01T10:00:00Z"
    data = json.loads(srs(env, "stats", "--json", now=later).output)
    assert {"days", "reviews_total", "reviews_per_day", "true_retention", "retention_reviews",
            "forecast", "forecast_total", "overdue", "heatmap", "calibration",
            "calibration_reviews", "calibration_predicted", "calibration_actual",
            "retention_by_interval", "reviews_from_anki"} <= set(data)
    assert [b["bin"] for b in data["calibration"]] == [
        "0-50%", "50-60%", "60-70%", "70-80%", "80-90%", "90-95%", "95-100%"]
    assert data["calibration_reviews"] == sum(b["reviews"] for b in data["calibration"]) > 0
    assert sum(b["reviews"] for b in data["retention_by_interval"]) == data["calibration_reviews"]
    assert data["heatmap"][-1]["date"] == "2026-03-01" and data["heatmap"][-1]["reviews"] > 0
    assert {"date": "2026-01-01", "reviews": 3} in data["heatmap"]
    text = srs({**env, "COLUMNS": "80"}, "stats", now=later).output
    assert "Predicted recall against actual (reviews a day or more apart" in text
    assert "True retention by interval" in text and "  Mon " in text
    assert max(len(line) for line in text.splitlines()) <= 80
    with _store(env) as store, store.transaction():
        store.db.execute("UPDATE cards SET stability = 1000 WHERE question_id = 'c2'")
    assert srs(env, "doctor", "--rebuild").exit_code == 0
    again = json.loads(srs(env, "stats", "--json", now=later).output)
    assert again == data
    with _store(env) as store:
        from srs_trainer.trainer import stats_cache

        stats_cache.clear(store)
    assert json.loads(srs(env, "stats", "--json", now=later).output) == data
