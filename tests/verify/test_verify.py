"""`srs verify`: checks run real code (real Django, real subprocesses) to prove answer keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from srs_trainer.cli import main
from srs_trainer.deck.model import Expectation, Harness, Verify, ViewClient
from srs_trainer.deck.sources import load_deck
from srs_trainer.verify.runner import Status, verify_decks

SYNC_ONLY = (
    "django.core.exceptions.SynchronousOnlyOperation: "
    "You cannot call this from an async context - use a thread or sync_to_async."
)

# The page's debug question, with its options as the bundled deck corrected them.
DEBUG_QUESTION = """\
  - id: sync-orm-call
    section: challenge
    kind: debug
    prompt: What error will this Django async view raise?
    code:
      source: |
        async def my_view(request):
            data = MyModel.objects.filter(active=True).first()
            return JsonResponse({'id': data.id if data else None})
    choices:
      - "AttributeError: 'NoneType' object has no attribute 'id'"
      - "TypeError: 'QuerySet' object is not awaitable"
      - "SynchronousOnlyOperation: You cannot call this from an async context"
      - No error, returns JSON response with data id
    answer: ANSWER
    verify:
      harness: django
      expect:
        raises: RAISES
"""


def debug_question(answer: str, raises: str) -> str:
    return DEBUG_QUESTION.replace("ANSWER", answer).replace("RAISES", raises)


def write_deck(folder: Path, questions: str, name: str = "deck.yaml") -> Path:
    path = folder / name
    path.write_text(
        "format: 1\nid: " + path.stem + "\ntitle: Checks\nquestions:\n" + questions, "utf-8"
    )
    return path


def question(qid: str, verify: str, *, code: str = "", choices: str = "") -> str:
    """A question whose check is ``verify`` (YAML, unindented)."""
    text = f"  - id: {qid}\n    section: practice\n    prompt: What happens?\n"
    if code:
        text += "    code:\n      source: |\n" + textwrap.indent(code, " " * 8)
    text += choices or "    choices: [It works, It fails]\n"
    verify = textwrap.dedent(verify).rstrip("\n") + "\n"
    text += "    answer: A\n    verify:\n" + textwrap.indent(verify, " " * 6)
    return text


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["verify", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# --- the issue's example: a wrong answer key about Django ------------------------------------


def test_wrong_key_is_refuted_with_the_real_exception(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, debug_question("A", "AttributeError"))

    status, out, _ = run_cli(str(deck))

    assert status == 1
    assert out.splitlines()[:3] == [
        f"{deck}:5: sync-orm-call: refuted",  # the line where the question starts
        f"    expect: refuted: expected AttributeError, got {SYNC_ONLY}",
        "    answer: refuted: the code raises SynchronousOnlyOperation, as choice C says, "
        "but the answer key is A",
    ]
    assert "0 confirmed, 1 refuted, 0 not verified" in out


def test_key_moved_away_from_what_the_check_proves_is_refuted(tmp_path: Path) -> None:
    # The check still expects what choice C says, but someone keyed B.
    deck = write_deck(tmp_path, debug_question("B", "SynchronousOnlyOperation"))

    status, out, _ = run_cli(str(deck))

    assert status == 1
    assert f"    expect: confirmed - {SYNC_ONLY}" in out
    assert "    answer: refuted: the code raises SynchronousOnlyOperation, as choice C says" in out


def test_right_key_is_confirmed(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, debug_question("C", "SynchronousOnlyOperation"))

    status, out, _ = run_cli(str(deck))

    assert status == 0, out
    assert f"sync-orm-call: confirmed - {SYNC_ONLY}" in out
    assert "1 confirmed, 0 refuted, 0 not verified" in out


def test_the_sync_test_client_gives_the_same_answer(tmp_path: Path) -> None:
    text = debug_question("C", "SynchronousOnlyOperation")
    deck = write_deck(tmp_path, text + "      client: sync\n")

    assert load_deck(deck).questions[0].verify.client is ViewClient.SYNC  # type: ignore[union-attr]
    status, out, _ = run_cli(str(deck))
    assert status == 0, out


def test_async_unsafe_escape_hatch_in_the_environment_does_not_change_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With DJANGO_ALLOW_ASYNC_UNSAFE the sync call would "work"; checks must see real Django.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    deck = write_deck(tmp_path, debug_question("C", "SynchronousOnlyOperation"))

    status, out, _ = run_cli(str(deck))

    assert status == 0, out


def test_check_of_each_choice_and_a_never_awaited_warning(tmp_path: Path) -> None:
    choices = """\
    choices:
      - code: |
          def my_view(request):
              data = await MyModel.objects.afirst()
              return JsonResponse({'data': data.id})
      - code: |
          async def my_view(request):
              data = MyModel.objects.afirst()
              return JsonResponse({'data': data.id})
      - code: |
          async def my_view(request):
              data = await MyModel.objects.afirst()
              return JsonResponse({'data': data.id})
"""
    verify = """\
harness: django
choices:
  A: {syntax_error: true, message: "'await' outside async function", line: 2}
  B: {raises: AttributeError, warns: "coroutine 'QuerySet.afirst' was never awaited"}
  C: {status: 200, json: {data: 2}}
"""
    deck = write_deck(tmp_path, question("which-view-works", verify, choices=choices))

    status, out, _ = run_cli(str(deck))

    assert status == 1
    lines = out.splitlines()
    assert lines[0].endswith("which-view-works: refuted")
    assert lines[1] == (
        "    choice A: confirmed - SyntaxError: 'await' outside async function (line 2)"
    )
    assert lines[2] == (
        "    choice B: confirmed - AttributeError: 'coroutine' object has no attribute 'id' "
        "(RuntimeWarning: coroutine 'QuerySet.afirst' was never awaited)"
    )
    # The one row has id 1, so the check's claim {"data": 2} is refuted with the real body.
    assert lines[3] == (
        '    choice C: refuted: expected status 200, JSON {"data": 2}, got status 200, {"data": 1}'
    )


def test_simultaneous_requests_show_whether_a_view_blocks(tmp_path: Path) -> None:
    def view_question(qid: str, wait: str, client: str = "async") -> str:
        code = f"async def my_view(request):\n    {wait}\n    return JsonResponse({{}})\n"
        verify = f"harness: django\nclient: {client}\nrequests: 5\nexpect: {{within: 0.7}}\n"
        return question(qid, verify, code=code)

    deck = write_deck(
        tmp_path,
        view_question("awaits", "await asyncio.sleep(0.2)")
        + view_question("blocks-the-loop", "time.sleep(0.2)")
        + view_question("under-wsgi", "await asyncio.sleep(0.2)", client="sync"),
    )

    status, out, _ = run_cli(str(deck))

    assert status == 1
    lines = out.splitlines()
    assert ": awaits: confirmed - 5 requests: status 200, {} in 0." in lines[0]
    # Five requests one after another take five times 0.2 s.
    refuted = "refuted: expected within 0.7 s, got 5 requests: status 200, {} in "
    assert f": blocks-the-loop: {refuted}" in lines[1]
    assert f": under-wsgi: {refuted}" in lines[2]
    assert "1 confirmed, 2 refuted, 0 not verified" in out


# --- plain Python checks ---------------------------------------------------------------------


def test_plain_python_checks(tmp_path: Path) -> None:
    questions = (
        question("prints", "expect: {output: \"3\\n\"}", code="print(1 + 2)\n")
        + question("raises", "expect: {raises: ZeroDivisionError, message: by zero}",
                   code="x = 1\nx / 0\n")
        + question("subclass-matches", "expect: {raises: LookupError}", code="{}['key']\n")
        + question("does-not-compile", "expect: {syntax_error: true, line: 2}",
                   code="def f():\n    return await g()\n")
        + question("returns", "run: sorted({3, 1, 2})\nexpect: {returns: [1, 2, 3]}")
        + question("returns-repr", "run: \"'a' * 2\"\nexpect: {returns: \"'aa'\"}")
        + question("setup-and-requires", """\
            requires: [json]
            setup: |
              def double(n):
                  return 2 * n
            run: 'print(json.dumps({"n": double(21)}))'  # json: imported by requires
            expect: {output: '{"n": 42}'}
            """)
        + question("leaves-a-thread-running", """\
            run: |
              import threading, time
              threading.Thread(target=time.sleep, args=(60,)).start()
              print("started")
            expect: {output: started}
            timeout: 10
            """)
    )
    deck = write_deck(tmp_path, questions)

    status, out, _ = run_cli(str(deck))

    assert status == 0, out
    assert "8 confirmed, 0 refuted, 0 not verified" in out
    assert (
        "does-not-compile: confirmed - SyntaxError: 'await' outside async function (line 2)"
    ) in out
    assert "raises: confirmed - ZeroDivisionError: division by zero" in out


def test_plain_python_refutations_show_what_really_happened(tmp_path: Path) -> None:
    questions = (
        question("wrong-output", "expect: {output: \"4\"}", code="print(1 + 2)\n")
        + question("wrong-exception", "expect: {raises: KeyError}", code="[][0]\n")
        + question("no-exception", "expect: {raises: ValueError}", code="print('fine')\n")
        + question("unexpected-exception", "expect: {output: ok}", code="int('x')\n")
        + question("compiles-after-all", "expect: {syntax_error: true}", code="x = 1\n")
        + question("true-is-not-one", "run: 1 == 1\nexpect: {returns: 1}")
    )
    deck = write_deck(tmp_path, questions)

    status, out, _ = run_cli(str(deck))

    assert status == 1
    assert "wrong-output: refuted: expected output '4', got no error, output '3'" in out
    assert (
        "wrong-exception: refuted: expected KeyError, got IndexError: list index out of range"
    ) in out
    assert "no-exception: refuted: expected ValueError, got no error, output 'fine'" in out
    assert (
        "unexpected-exception: refuted: expected output 'ok', got ValueError: "
        "invalid literal for int() with base 10: 'x', no output"
    ) in out
    assert "compiles-after-all: refuted: expected SyntaxError, got no error, no output" in out
    assert "true-is-not-one: refuted: expected return value 1, got returned True" in out
    assert "0 confirmed, 6 refuted, 0 not verified" in out


# --- what cannot be verified -----------------------------------------------------------------


def test_missing_requirement_is_not_verified_and_exits_zero(tmp_path: Path) -> None:
    verify = "requires: [no_such_module_for_srs]\nrun: import no_such_module_for_srs\n"
    deck = write_deck(tmp_path, question("needs-a-module", verify + "expect: {output: ''}"))

    status, out, _ = run_cli(str(deck))

    assert status == 0, out
    assert (
        "needs-a-module: not verified: requires no_such_module_for_srs, which cannot be imported "
        "(ModuleNotFoundError: No module named 'no_such_module_for_srs')"
    ) in out
    assert "0 confirmed, 0 refuted, 1 not verified" in out
    assert run_cli("--strict", str(deck))[0] == 1


def test_question_without_a_check_is_reported(tmp_path: Path) -> None:
    plain = "  - id: no-check\n    section: practice\n    prompt: Why?\n"
    plain += "    choices: [Because, Why not]\n    answer: A\n"
    deck = write_deck(tmp_path, plain)

    status, out, _ = run_cli("--strict", str(deck))

    assert status == 0  # nothing to prove is not a failure, even with --strict
    assert f"{deck}:5: no-check: not verified: no check" in out
    assert "0 confirmed, 0 refuted, 1 not verified (1 without a check)" in out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of an exited parent may linger as a zombie until init reaps it.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _hanging_deck(tmp_path: Path) -> tuple[Path, Path]:
    pid_file = tmp_path / "child.pid"
    verify = f"""\
        run: |
          import subprocess, sys, time
          child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
          open({str(pid_file)!r}, "w").write(str(child.pid))
          time.sleep(60)
        expect: {{output: ""}}
        """
    return write_deck(tmp_path, question("hangs", verify)), pid_file


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_hanging_check_is_stopped_at_the_timeout_with_its_children(tmp_path: Path) -> None:
    deck, pid_file = _hanging_deck(tmp_path)

    started = time.monotonic()
    status, out, _ = run_cli("--timeout", "1.5", str(deck))
    elapsed = time.monotonic() - started

    assert status == 0, out
    assert "hangs: not verified: timed out after 1.5 s (stopped)" in out
    assert "0 confirmed, 0 refuted, 1 not verified" in out
    assert elapsed < 15
    child = int(pid_file.read_text())
    if not _wait_for(lambda: not _alive(child), 5):
        os.kill(child, signal.SIGKILL)  # don't leave it behind, but fail
        pytest.fail("the check's child process survived the timeout")


@pytest.mark.skipif(os.name != "posix", reason="process groups and signals are POSIX")
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_stopping_srs_verify_stops_the_checks_it_started(tmp_path: Path, how: int) -> None:
    deck, pid_file = _hanging_deck(tmp_path)
    command = [sys.executable, "-c", "from srs_trainer.cli import main; main()", "verify"]
    srs = subprocess.Popen([*command, str(deck)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _wait_for(pid_file.exists, 20), "the check never started"
        child = int(pid_file.read_text())
        srs.send_signal(how)
        srs.wait(timeout=10)
        assert srs.returncode != 0
        if how == signal.SIGINT:
            assert b"Traceback" not in srs.stderr.read()  # type: ignore[union-attr]
        assert _wait_for(lambda: not _alive(child), 5), "the check's child outlived srs verify"
    finally:
        srs.kill()
        srs.wait()
        if pid_file.exists() and _alive(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_check_that_kills_its_own_process_is_not_verified(tmp_path: Path) -> None:
    verify = "run: |\n  import os\n  os._exit(3)\nexpect: {output: ''}\n"
    deck = write_deck(tmp_path, question("exits", verify))

    status, out, _ = run_cli(str(deck))

    assert status == 0
    assert "exits: not verified: the check's process exited with status 3 before reporting" in out


def test_broken_setup_is_not_verified_with_the_reason(tmp_path: Path) -> None:
    verify = """\
        setup: |
          import json
          raise RuntimeError('bad helper')
        run: print(1)
        expect: {output: '1'}
        """
    deck = write_deck(tmp_path, question("broken-setup", verify))

    status, out, _ = run_cli(str(deck))

    assert status == 0
    assert (
        "broken-setup: not verified: broken check: "
        "the check's setup raised RuntimeError: bad helper"
    ) in out


def test_django_check_without_the_named_view_is_a_broken_check(tmp_path: Path) -> None:
    verify = "harness: django\nview: other_view\nexpect: {status: 200}\n"
    code = "async def my_view(request):\n    return JsonResponse({})\n"
    deck = write_deck(tmp_path, question("wrong-view", verify, code=code))

    _, out, _ = run_cli(str(deck))

    assert "wrong-view: not verified: broken check: the code defines no view function named " in out


# --- bad verify blocks -----------------------------------------------------------------------


def test_bad_verify_blocks_are_reported_with_file_and_line(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path,
        question("typo", "expect: {raise: TypeError}", code="1/0\n")  # 'raise' for 'raises'
        + question("no-code", "expect: {raises: TypeError}")
        + question("bad-harness", "harness: flask\nrun: x\nexpect: {output: ''}"),
    )

    status, out, err = run_cli(str(deck))

    assert status == 1
    assert out == ""  # nothing ran
    assert f"{deck}:14:16: error: questions[0].verify.expect.raise: unknown field" in err
    assert f"{deck}:28:16: error: questions[2].verify.harness: must be one of python, django" in err


def test_checks_that_the_schema_cannot_see_are_reported_with_file_and_line(tmp_path: Path) -> None:
    choices = "    choices:\n      - code: x = 1\n      - Just text\n"
    sql_choices = "    choices:\n      - {code: SELECT 1, language: sql}\n      - Other\n"
    deck = write_deck(
        tmp_path,
        question("no-code", "expect: {raises: TypeError}")
        + question("bad-letters", "choices:\n  B: {output: ''}\n  E: {output: ''}\n",
                   choices=choices)
        + question("no-expectation", "run: print(1)\n")
        + question("response-in-python", "run: print(1)\nexpect: {status: 200}\n")
        + question("not-python", "choices:\n  A: {output: ''}\n", choices=sql_choices),
    )

    status, out, err = run_cli(str(deck))

    assert status == 1
    assert out == ""
    assert f"{deck}:11: error: no-code: verify.expect: there is no code to run" in err
    assert f"{deck}:21: error: bad-letters: verify.choices.B: choice B has no code to run" in err
    assert f"{deck}:22: error: bad-letters: verify.choices.E: the question has no choice E" in err
    assert (
        f"{deck}:21: warning: bad-letters: verify.choices: the keyed answer A has no expectation"
    ) in err
    assert f"{deck}:29: error: no-expectation: verify: give 'expect' or 'choices'" in err
    assert f"{deck}:37: error: response-in-python: verify.expect: 'status' and 'json' need" in err
    assert f"{deck}:47: error: not-python: verify.choices.A: choice A's code is sql, not" in err


def test_unreadable_source_and_unknown_question(tmp_path: Path) -> None:
    status, _, err = run_cli(str(tmp_path / "missing.yaml"))
    assert status == 1
    assert f"{tmp_path / 'missing.yaml'}: error: no such file" in err

    deck = write_deck(tmp_path, debug_question("C", "SynchronousOnlyOperation"))
    status, _, err = run_cli("-k", "nope", str(deck))
    assert status == 1
    assert "no question id contains 'nope'" in err


def test_k_selects_questions(tmp_path: Path) -> None:
    deck = write_deck(
        tmp_path,
        question("first", "expect: {output: '1'}", code="print(1)\n")
        + question("second", "expect: {output: 'not 2'}", code="print(2)\n"),
    )

    status, out, _ = run_cli("-k", "first", str(deck))

    assert status == 0
    assert "first: confirmed" in out
    assert "second" not in out
    assert run_cli("-k", "second", str(deck))[0] == 1
    status, out, _ = run_cli("-k", "fir", "-k", "sec", str(deck))  # parts of ids, as pytest -k
    assert "first: confirmed" in out and "second: refuted" in out


# --- the library and the model ---------------------------------------------------------------


def test_loading_a_deck_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    verify = f"run: open({str(marker)!r}, 'w').close()\nexpect: {{output: ''}}\n"
    deck_path = write_deck(tmp_path, question("writes-a-file", verify))

    deck = load_deck(deck_path)
    assert deck.questions[0].verify is not None
    assert not marker.exists()  # loading (as build and import do) never runs a check

    report = verify_decks([deck], jobs=1)
    assert [result.status for result in report.results] == [Status.CONFIRMED]
    assert marker.exists()


def test_verify_block_round_trips_through_the_model() -> None:
    check = Verify(
        run="print(1)",
        expect=Expectation(
            raises="TypeError", message="bad", line=2, warns="never awaited", within=1.5
        ),
        choices={"B": Expectation(status=200, json={"id": 1}), "C": Expectation(syntax_error=True)},
        harness=Harness.DJANGO,
        requires=("django",),
        setup="import os",
        view="fetch_data",
        client=ViewClient.SYNC,
        requests=3,
        timeout=5.0,
    )
    assert Verify.from_dict(check.to_dict()) == check
    assert Verify.from_dict({"expect": {"output": ""}}).to_dict() == {"expect": {"output": ""}}


# --- the bundled deck ------------------------------------------------------------------------

MUST_BE_CHECKED = {
    "await-in-orm-calls",
    "correct-async-view-syntax",
    "sync-orm-call-in-async-view",
    "mixed-sync-and-async-calls",
    "missing-await-error",
}


@pytest.mark.slow
def test_bundled_deck_verifies(bundled_deck_source: Path) -> None:
    status, out, err = run_cli(str(bundled_deck_source))

    assert status == 0, out + err
    assert err == ""
    deck = load_deck(bundled_deck_source)
    checked = {q.id for q in deck.questions if q.verify is not None}
    assert checked >= MUST_BE_CHECKED
    for qid in checked:
        assert f": {qid}: confirmed" in out, out
    assert f"{len(checked)} confirmed, 0 refuted" in out


def typed_question(qid: str, accept: str, output: str) -> str:
    return (
        f"  - id: {qid}\n    section: practice\n    type: typed\n    prompt: What does it print?\n"
        "    code:\n      source: |\n        print(sum(range(4)))\n"
        f"    accept: {accept}\n"
        f"    verify:\n      expect: {{output: \"{output}\"}}\n"
    )


def test_a_typed_answer_about_code_is_proven_by_running_the_code(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, typed_question("sums", '["6", {regex: "six"}]', "6")
                      + "  - id: recalls\n    section: practice\n    type: recall\n"
                      "    prompt: What does print(6) print?\n    answer: '6'\n"
                      "    verify:\n      run: print(6)\n      expect: {output: \"6\"}\n")
    status, out, _ = run_cli(str(deck))
    assert status == 0, out
    assert "2 confirmed, 0 refuted, 0 not verified" in out
    wrong = write_deck(tmp_path, typed_question("sums", '["7"]', "7"), "wrong.yaml")
    status, out, _ = run_cli(str(wrong))
    assert status == 1
    assert "sums: refuted" in out


def test_a_typed_check_whose_output_is_not_accepted_proves_nothing(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, typed_question("sums", '["six"]', "6")
                      + "  - id: cloze-letters\n    section: practice\n    type: cloze\n"
                      "    prompt: 'It prints {{c1::6}}.'\n"
                      "    code:\n      source: print(6)\n"
                      "    verify:\n      choices:\n        A: {output: '6'}\n")
    status, out, err = run_cli(str(deck))
    assert status == 1 and out == ""
    assert (f"{deck}:14: error: sums: verify.expect.output: '6' is not an accepted answer: "
            "the check does not prove the key") in err
    assert "error: cloze-letters: verify.choices: a cloze question has no choices" in err
