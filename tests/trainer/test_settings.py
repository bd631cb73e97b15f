"""config.yaml: checked by the decks' validator against its own schema, read into Settings."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from srs_trainer.cli import main
from srs_trainer.deck.problems import InputError
from srs_trainer.deck.sources import schema_named
from srs_trainer.trainer.settings import DeckSettings, Settings, load_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "trainer.md"
FULL = """\
day_start_hour: 5
timezone: UTC
learn_ahead_minutes: 15
sync_dir: ~/srs-sync
defaults:
  desired_retention: 0.85
  new_per_day: 10
  reviews_per_day: 100
  learning_steps: [2, 20]
  relearning_steps: [5]
  maximum_interval: 365
  enable_fuzzing: false
  mastery_days: 30
decks:
  demo:
    new_per_day: 3
"""


def config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "config.yaml").write_text(textwrap.dedent(text), "utf-8")
    return tmp_path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InputError) as raised:
        load_settings(config(tmp_path, text))
    return [str(problem) for problem in raised.value.problems]


def test_the_config_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema_named("config"))


def test_every_key_is_read(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, FULL))

    assert (settings.day_start_hour, settings.timezone, settings.learn_ahead_minutes) == (
        5, "UTC", 15)
    assert settings.sync_dir == Path("~/srs-sync").expanduser()
    assert settings.defaults == DeckSettings(
        desired_retention=0.85, new_per_day=10, reviews_per_day=100, learning_steps=(2.0, 20.0),
        relearning_steps=(5.0,), maximum_interval=365, enable_fuzzing=False, mastery_days=30)
    # A deck's settings start from the defaults.
    assert settings.for_deck("demo") == DeckSettings(
        desired_retention=0.85, new_per_day=3, reviews_per_day=100, learning_steps=(2.0, 20.0),
        relearning_steps=(5.0,), maximum_interval=365, enable_fuzzing=False, mastery_days=30)
    assert settings.for_deck("other") == settings.defaults


def test_no_file_an_empty_file_and_comments_only_are_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()
    assert load_settings(config(tmp_path, "")) == Settings()
    assert load_settings(config(tmp_path, "# day_start_hour: 5\n\n  # more\n")) == Settings()


def test_a_key_left_empty_keeps_its_default(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "timezone:\nsync_dir:\ndefaults:\n  new_per_day:\n"
                                              "decks:\n"))
    assert settings == Settings()
    assert settings.sync_dir is None


def test_every_problem_is_named_at_its_line_and_column(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
        day_start_hour: 24
        timezone: Mars/Olympus
        colour: blue
        defaults:
          desired_retention: 2
          learning_steps: [1, -5]
          enable_fuzzing: 1
        decks:
          demo:
            new_per_dya: 1
            reviews_per_day: -1
          other: 5
        """)
    path = tmp_path / "config.yaml"
    assert found == [
        f"{path}:1:17: error: day_start_hour: must be between 0 and 23, not 24",
        f"{path}:2:11: error: timezone: unknown time zone 'Mars/Olympus'",
        f"{path}:3:1: error: colour: unknown setting (expected one of: day_start_hour, decks, "
        "defaults, learn_ahead_minutes, sync_dir, timezone)",
        f"{path}:5:22: error: defaults.desired_retention: must be between 0.7 and 0.99, not 2",
        f"{path}:6:23: error: defaults.learning_steps[1]: must be more than 0, not -5",
        f"{path}:7:19: error: defaults.enable_fuzzing: must be boolean, not an integer",
        f"{path}:10:5: error: decks.demo.new_per_dya: unknown setting (expected one of: "
        "desired_retention, enable_fuzzing, learning_steps, mastery_days, maximum_interval, "
        "new_per_day, relearning_steps, reviews_per_day)",
        f"{path}:11:22: error: decks.demo.reviews_per_day: must be at least 0, not -1",
        f"{path}:12:10: error: decks.other: must be a mapping, not an integer",
    ]


def test_yaml_mistakes_and_a_file_that_is_not_a_mapping_are_problems_too(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    assert problems(tmp_path, "timezone: [UTC\n")[0].startswith(f"{path}:2:1: error: YAML syntax")
    assert problems(tmp_path, "- 1\n- 2\n") == [
        f"{path}:1:1: error: must be a mapping, not a list"]
    assert problems(tmp_path, "timezone: 3\n") == [
        f"{path}:1:11: error: timezone: must be text, not an integer"]


@pytest.mark.parametrize("command", ["review", "progress", "stats"])
def test_a_bad_config_fails_each_command_in_one_line_without_a_traceback(
    tmp_path: Path, command: str
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.yaml").write_text("defaults:\n  new_per_day: many\n", "utf-8")

    result = CliRunner().invoke(main, [command, "--home", str(home)])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{home / 'config.yaml'}:2:16: error: defaults.new_per_day: must be integer" in (
        result.stderr)
    assert not (home / "progress.sqlite3").exists()


def test_jsonschema_agrees_with_the_validator_on_the_full_example_and_the_mistakes(
    tmp_path: Path,
) -> None:
    validator = Draft202012Validator(schema_named("config"))
    assert list(validator.iter_errors(yaml.safe_load(FULL))) == []
    for bad in ("day_start_hour: -1\n", "colour: blue\n", "decks:\n  demo:\n    x: 1\n",
                "defaults:\n  mastery_days: 0\n", "learn_ahead_minutes: -1\n"):
        assert list(validator.iter_errors(yaml.safe_load(bad))), bad
        assert problems(tmp_path, bad), bad


def test_the_docs_describe_every_key() -> None:
    text = DOCS.read_text("utf-8")
    rules = schema_named("config")
    keys = [*rules["properties"], *rules["$defs"]["deck_settings"]["properties"]]
    for key in keys:
        row = re.search(rf"^\| `{key}` \|", text, re.MULTILINE)
        assert row, f"docs/trainer.md: no row for {key}"
