"""`srs lint` on recall, typed and cloze questions: one failing source per check, through the
CLI, with the file:line it must name; and a clean source of every type passes --strict."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from srs_trainer.cli import main

CLEAN = textwrap.dedent(
    """\
    format: 1
    id: types-deck
    title: Types deck
    questions:
      - id: why-async
        section: challenge
        type: recall
        prompt: Why would a view be async?
        answer: |
          To wait on **I/O** without holding a worker.
        hint: Think of waiting.
        explanation: A sync view holds its worker while it waits.
      - id: loop-module
        section: practice
        type: typed
        prompt: Which module runs the event loop?
        answer: asyncio
        accept:
          - asyncio
          - "Async IO"
          - regex: "async[ _]io lib(rary)?"
      - id: keywords
        section: challenge
        type: cloze
        prompt: |
          Define with {{c1::async def::two words}},
          wait with {{c2::await}}.
        explanation: Both are keywords.
    """
)


def lint_text(tmp_path: Path, text: str, *args: str) -> tuple[int, list[str]]:
    source = tmp_path / "types.yaml"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", *args, str(source)])
    prefix = f"{source}:"
    return result.exit_code, [line.removeprefix(prefix) for line in result.stdout.splitlines()]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_clean_source_of_every_type_passes_strict(tmp_path: Path) -> None:
    code, lines = lint_text(tmp_path, CLEAN, "--strict")
    assert (code, lines) == (0, [])


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        pytest.param(
            "Define with {{c1::async def::two words}},\n      wait with {{c2::await}}.",
            "Define with async def and wait with await.", "prompt: |",
            "error: questions[2].prompt: a cloze needs a deletion, {{c1::answer}} or "
            "{{c1::answer::hint}}: it makes one card per number",
            id="cloze-without-deletion",
        ),
        pytest.param(
            "{{c2::await}}", "{{c3::await}}", "  prompt: |",
            "warning: keywords: deletion numbers skip c2 (found c1, c3); number them c1, c2, "
            "... so that each card is where Anki and the trainer expect it",
            id="cloze-numbering-gap",
        ),
        pytest.param(
            "{{c2::await}}", "{{c2:await}}", "wait with",
            "error: keywords: '{{c2:await}}' is not a deletion; write {{c1::answer}} or "
            "{{c1::answer::hint}}",
            id="cloze-malformed-deletion",
        ),
        pytest.param(
            "{{c2::await}}", "{{c2::}}", "wait with", "error: keywords: deletion c2 has no answer",
            id="cloze-empty-deletion",
        ),
        pytest.param(
            "{{c2::await}}", "{{c0::await}}", "wait with",
            "error: keywords: deletion c0: numbers start at c1",
            id="cloze-c0",
        ),
        pytest.param(
            "      - \"Async IO\"", "      - \"  \"", '- "  "',
            "error: loop-module: accepted answer 2 is empty",
            id="typed-empty-accepted",
        ),
        pytest.param(
            "      - \"Async IO\"", "      - \"  AsyncIO \"", "AsyncIO",
            "error: loop-module: accepted answer '  AsyncIO ' is the same as 'asyncio' once "
            "normalised (case is folded unless case_sensitive: true)",
            id="typed-same-once-normalised",
        ),
        pytest.param(
            'regex: "async[ _]io lib(rary)?"', 'regex: "(async)?"', "regex:",
            "error: loop-module: accepted regex '(async)?' matches an empty answer",
            id="typed-regex-matches-empty",
        ),
        pytest.param(
            'regex: "async[ _]io lib(rary)?"', 'regex: "async[ _io"', "regex:",
            "error: questions[1].accept[2].regex: not a valid regular expression "
            "(unterminated character set at position 5)",
            id="typed-invalid-regex",
        ),
        pytest.param(
            "    answer: asyncio\n", "    answer: trio\n", "answer: trio",
            "error: loop-module: the shown answer 'trio' is not one of the accepted answers",
            id="typed-shown-answer-refused",
        ),
        pytest.param(
            "    answer: asyncio\n    accept:\n      - asyncio\n      - \"Async IO\"\n",
            "    accept:\n", "regex:",
            "error: loop-module: every accepted answer is a regex: add `answer`, the answer "
            "shown after grading",
            id="typed-only-regexes-and-no-answer",
        ),
        pytest.param(
            "    answer: |\n      To wait on **I/O** without holding a worker.\n",
            "    answer: |\n      ```\n      ```\n", "    answer: |",
            "error: why-async: recall answer shows no text",
            id="recall-answer-without-text",
        ),
        pytest.param(
            "    answer: |\n      To wait on **I/O** without holding a worker.\n", "",
            "- id: why-async", "error: questions[0]: missing required field 'answer'",
            id="recall-without-answer",
        ),
        pytest.param(
            "    explanation: A sync view holds its worker while it waits.\n", "",
            "- id: why-async",
            "warning: why-async: challenge has no explanation",
            id="recall-challenge-without-explanation-only-warns",
        ),
    ],
)
def test_each_mistake_is_named_at_its_line(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    assert old in CLEAN
    text = CLEAN.replace(old, new, 1)
    code, lines = lint_text(tmp_path, text, "--strict")
    assert code == 1
    expected_line = line_of(text, needle)
    found = {line.split(":", 1)[0]: line for line in lines}
    assert any(line.endswith(message) for line in lines), lines
    hit = next(line for line in lines if line.endswith(message))
    assert hit.split(":", 1)[0] == str(expected_line), (hit, expected_line, found)


def test_a_case_sensitive_question_may_accept_two_cases(tmp_path: Path) -> None:
    text = CLEAN.replace("      - \"Async IO\"", "      - ASYNCIO").replace(
        "    accept:\n", "    case_sensitive: true\n    accept:\n"
    )
    assert lint_text(tmp_path, text, "--strict") == (0, [])
