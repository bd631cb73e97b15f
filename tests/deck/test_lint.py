"""`srs lint`: one failing source per check, with the line it must name, through the CLI."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from srs_trainer.cli import main
from srs_trainer.deck.lint import compile_error, lint_deck, lint_paths
from srs_trainer.deck.model import Choice, Deck, Question, Section

CLEAN = textwrap.dedent(
    """\
    format: 1
    id: lint-deck
    title: Lint deck
    questions:
      - id: adds
        section: challenge
        kind: state_output
        prompt: What does this print?
        code:
          language: python
          source: |
            total = 1 + 1
            print(total)
        choices:
          - "2"
          - "11"
          - code: print(2)
            language: python
        answer: A
        hint: Numbers add.
        explanation: |
          **A.** The correct answer is A: `1 + 1` is 2.
      - id: signature
        section: practice
        kind: syntax
        prompt: Which line starts a coroutine function?
        choices:
          - code: "async view def(request):"
            language: python
          - code: "async def view(request):"
            language: python
        answer: B
        solution:
          - title: Final Answer
            text: "async def view(request): -> Option B"
    """
)


def line_of(text: str, needle: str | tuple[str, int]) -> int:
    """The 1-based line of the first line containing ``needle`` (or its n-th: (needle, n))."""
    needle, occurrence = needle if isinstance(needle, tuple) else (needle, 1)
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run in an empty folder, so that the default cards/ is the test's own."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def lint(*args: str) -> Result:
    return CliRunner().invoke(main, ["lint", *args])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_source_passes_even_with_strict(tmp_path: Path) -> None:
    source = write(tmp_path, "clean.yaml", CLEAN)
    result = lint("--strict", str(source))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "0 errors, 0 warnings in 1 file\n"


def test_the_default_is_the_cards_folder(in_tmp: Path) -> None:
    (in_tmp / "cards").mkdir()
    write(in_tmp / "cards", "one.yaml", CLEAN)
    write(in_tmp / "cards", "two.yaml", CLEAN.replace("title: Lint deck", "title: Other deck")
          .replace("id: lint-deck", "id: other-deck"))
    result = lint()
    assert result.exit_code == 0, result.output
    assert result.stderr == "0 errors, 0 warnings in 2 files\n"


def test_no_cards_folder_and_no_sources_are_user_errors(in_tmp: Path) -> None:
    result = lint()
    assert result.exit_code == 1
    assert "no cards/ folder here" in result.stderr
    (in_tmp / "empty").mkdir()
    result = lint("empty")
    assert result.exit_code == 1
    assert "no YAML sources (*.yaml, *.yml) in empty" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        pytest.param(
            "    choices:\n      - \"2\"\n      - \"11\"",
            "    choices:\n      - \"2\"\n      - '2'",
            "- '2'", "adds: choice B repeats choice A",
            id="duplicate-choice",
        ),
        pytest.param(
            '      - "11"', '      - "2 "', '- "2 "',
            "adds: choice B differs from choice A only in whitespace",
            id="whitespace-only-choice",
        ),
        pytest.param(
            "    explanation: |\n      **A.** The correct answer is A: `1 + 1` is 2.\n",
            "", "  - id: adds", "adds: challenge has no explanation",
            id="challenge-without-explanation",
        ),
        pytest.param(
            "print(total)", "print(total", "print(total",
            "adds: code does not compile: SyntaxError: '(' was never closed (code line 2)",
            id="question-code-does-not-compile",
        ),
        pytest.param(
            "    hint: Numbers add.\n", "    hint: Numbers add.\n    # TODO(srs): check the key\n",
            "# TODO(srs)", "unresolved import TODO: check the key",
            id="todo-in-a-comment",
        ),
        pytest.param(
            "    hint: Numbers add.", "    hint: 'TODO(srs): write a hint'",
            "hint: 'TODO(srs)", "unresolved import TODO: write a hint",
            id="todo-in-a-value",
        ),
        pytest.param(
            "  - id: signature", "  - id: adds", ("  - id: adds", 2),
            "duplicate question id 'adds' (first used on line 5)",
            id="duplicate-question-id",
        ),
        pytest.param(
            "    answer: B", "    answer: D", "answer: D",
            "questions[1].answer: D names no choice; there are only 2 (A-B)",
            id="answer-names-no-choice",
        ),
    ],
)
def test_each_error_names_its_line_and_fails(
    tmp_path: Path, old: str, new: str, needle: str | tuple[str, int], message: str
) -> None:
    assert old in CLEAN
    text = CLEAN.replace(old, new, 1)
    source = write(tmp_path, "deck.yaml", text)
    result = lint(str(source))
    assert result.exit_code == 1, result.output
    (reported,) = result.stdout.splitlines()
    location, severity, said = reported.split(": ", 2)
    assert severity == "error"
    assert said == message
    assert location.split(":")[:2] == [str(source), str(line_of(text, needle))]
    assert result.stderr == "1 error, 0 warnings in 1 file\n"


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        pytest.param(
            "    hint: Numbers add.\n", "", "  - id: adds",
            "adds: challenge has no hint",
            id="challenge-without-hint",
        ),
        pytest.param(
            "      - code: print(2)", "      - code: print(2", "- code: print(2",
            "adds: choice C's code does not compile: SyntaxError: '(' was never closed"
            " (code line 1)",
            id="code-choice-does-not-compile",
        ),
        pytest.param(
            "      language: python\n      source: |",
            "      language: pyhton\n      source: |",
            "language: pyhton",
            "adds: code has unknown language 'pyhton' (not a Pygments lexer name);"
            " it will be shown without highlighting",
            id="unknown-code-language",
        ),
        pytest.param(
            "The correct answer is A", "The correct answer is B", "answer is B",
            "adds: explanation names option B as the answer, but the key is A",
            id="explanation-names-another-letter",
        ),
        pytest.param(
            "-> Option B", "-> Option A", "text: \"async def",
            "signature: solution step 1 names option A as the answer, but the key is B",
            id="solution-names-another-letter",
        ),
    ],
)
def test_each_warning_names_its_line_and_fails_only_with_strict(
    tmp_path: Path, old: str, new: str, needle: str | tuple[str, int], message: str
) -> None:
    assert old in CLEAN
    text = CLEAN.replace(old, new, 1)
    source = write(tmp_path, "deck.yaml", text)
    result = lint(str(source))
    assert result.exit_code == 0, result.output
    expected = f"{source}:{line_of(text, needle)}: warning: {message}"
    assert result.stdout.splitlines() == [expected]
    assert result.stderr == "0 errors, 1 warning in 1 file\n"
    strict = lint("--strict", str(source))
    assert strict.exit_code == 1
    assert strict.stdout.splitlines() == [expected]


def test_code_that_does_not_compile_is_fine_where_that_is_the_point(tmp_path: Path) -> None:
    # In a syntax question neither the code block nor the choices need to compile; in a debug
    # question whose keyed answer is a SyntaxError, the code block need not compile either.
    syntax = CLEAN.replace("kind: state_output", "kind: syntax").replace(
        "print(total)", "print(total"
    ).replace("- code: print(2)", "- code: print(2")
    debug = CLEAN.replace("kind: state_output", "kind: debug").replace(
        "print(total)", "print(total"
    ).replace('- "2"\n', '- "SyntaxError: \'(\' was never closed"\n')
    for name, text in {"syntax.yaml": syntax, "debug.yaml": debug}.items():
        result = lint("--strict", str(write(tmp_path, name, text)))
        assert result.exit_code == 0, (name, result.output)


def test_compile_error_allows_top_level_await_and_lone_headers_but_not_misplaced_await() -> None:
    assert compile_error("data = await MyModel.objects.afirst()\n") is None
    assert compile_error("async def view(request):") is None
    assert compile_error("    def method(self):\n") is not None  # unexpected indent
    error = compile_error("def view(request):\n    data = await MyModel.objects.afirst()\n")
    assert error is not None and error.msg == "'await' outside async function"
    assert compile_error("pattern = '\\d'\nif pattern is 1:\n    pass\n") is None  # warnings only
    assert compile_error("x = 1\0") is not None


def test_a_source_that_does_not_load_reports_every_problem_and_its_todos(tmp_path: Path) -> None:
    text = "# TODO(srs): review\n" + CLEAN.replace("section: practice", "section: homework")
    source = write(tmp_path, "broken.yaml", text)
    result = lint(str(source))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{source}:1:3: error: unresolved import TODO: review",
        f"{source}:{line_of(text, 'homework')}:14: error: questions[1].section: "
        "must be one of challenge, practice, not 'homework'",
    ]


def test_problems_of_several_files_and_reused_deck_ids_are_all_reported(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", CLEAN)
    second = write(tmp_path, "b.yaml", CLEAN.replace("    hint: Numbers add.\n", ""))
    bad = tmp_path / "c.yaml"
    bad.write_bytes(b"title: caf\xe9\n")  # Latin-1, not UTF-8
    result = lint(str(tmp_path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{second}:2: error: deck id 'lint-deck' is already used by {first}" in lines
    assert any(line.startswith(f"{second}:") and "no hint" in line for line in lines)
    assert any(line.startswith(f"{bad}:1:11: error: not UTF-8 text") for line in lines)
    assert result.stderr == "2 errors, 1 warning in 3 files\n"


def test_two_sources_filing_into_one_anki_deck_get_a_warning(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", CLEAN)
    second = write(tmp_path, "b.yaml", CLEAN.replace("id: lint-deck", "id: other-deck"))
    result = lint(str(first), str(second))
    assert result.exit_code == 0
    assert result.stdout == (
        f"{second}:3: warning: Anki deck 'Lint deck' is also the deck of {first}; "
        "their notes would be mixed in one deck\n"
    )
    named = write(tmp_path, "b.yaml", CLEAN.replace(
        "id: lint-deck", "id: other-deck\nanki_deck: Lint::Other"
    ))
    assert lint("--strict", str(first), str(named)).exit_code == 0


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = lint(str(missing))
    assert result.exit_code == 1
    assert result.stdout == f"{missing}: error: no such file\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_bundled_deck_is_clean(bundled_deck_source: Path) -> None:
    report = lint_paths([bundled_deck_source])
    assert [str(problem) for problem in report.problems] == []


def test_problems_inside_literal_blocks_name_their_own_line(tmp_path: Path) -> None:
    text = CLEAN.replace(
        "      - code: print(2)\n",
        "      - code: |\n          x = 2\n          print(x\n",
    ).replace("**A.** The correct answer is A", "**A.**\n      Some words.\n      The answer is B")
    source = write(tmp_path, "deck.yaml", text)
    result = lint(str(source))
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [
        f"{source}:{line_of(text, 'print(x')}",
        f"{source}:{line_of(text, 'The answer is B')}",
    ]


def test_lint_deck_checks_decks_built_in_code_too() -> None:
    # The importer builds decks without the loader; lint_deck must not trust them.
    question = Question(
        id="made", section=Section.PRACTICE, prompt="Pick one.",
        choices=(Choice("A", "yes"), Choice("B", "yes")), answer="D", lines={"answer": 9},
    )
    deck = Deck(id="built", title="Built", questions=(question,), source_path="built.yaml")
    assert [str(problem) for problem in lint_deck(deck)] == [
        "built.yaml: error: made: choice B repeats choice A",
        "built.yaml:9: error: made: answer D names no choice (choices are A-B)",
    ]
