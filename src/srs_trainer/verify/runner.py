"""Proving answer keys by running code: the library behind ``srs verify``.

A question's ``verify`` block (model.Verify) says what running some code does: the question's
code block (``expect``) and/or the code of its choices (``choices``). Each such run is a
``Case``. Every case runs in a subprocess of its own (``verify_harness.run``), in a fresh
temporary folder, under a time limit; on timeout its whole process group is killed. What really
happened comes back as an ``Outcome``, which is judged against the case's ``Expectation``:
the question is *confirmed*, *refuted* (with the real outcome), or *not verified* (with why).

Code runs only here, on the explicit ``srs verify`` command; never during build or import.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from ..deck.model import Deck, Expectation, Harness, Question, Verify
from ..deck.problems import InputError, Problem
from ..wording import shorten
from .checks import check_problems

DEFAULT_TIMEOUT = 30.0
RUNNER_MODULE = "srs_trainer.verify.harness.run"
# Variables that would change what the checked code does: a settings module of the user's
# project, or DJANGO_ALLOW_ASYNC_UNSAFE, which switches off the very check some questions are about.
_SCRUBBED_ENV = (
    "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTHONSTARTUP", "PYTHONWARNINGS",
)
_MAX_SHOWN = 300


class Status(str, Enum):
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    NOT_VERIFIED = "not verified"


@dataclass(frozen=True)
class Case:
    """One run of a question's check: code, and what running it must do."""

    question: Question
    check: Verify
    code: str
    expect: Expectation
    label: str = ""  # "" for the check's `expect`, "choice B" for `choices: {B: ...}`


@dataclass(frozen=True)
class Outcome:
    """What really happened when a case's code ran (the subprocess's outcome.json)."""

    syntax_error: bool = False
    error_type: str = ""  # dotted name of the exception raised ("" if none)
    error_types: tuple[str, ...] = ()  # its class and base classes, dotted
    error_message: str = ""
    error_line: int | None = None
    output: str = ""
    returns_repr: str | None = None
    returns: Any = None
    returns_plain: bool = False  # `returns` holds the value itself (it is JSON-like)
    status: int | None = None
    body: str | None = None
    json: Any = None
    has_json: bool = False
    warnings: tuple[str, ...] = ()
    elapsed: float | None = None  # seconds the code under test ran (all requests, for django)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        error = data.get("error") or {}
        returns = data.get("returns") or {}
        response = data.get("response") or {}
        return cls(
            syntax_error=bool(data.get("syntax_error")),
            error_type=error.get("type", ""),
            error_types=tuple(error.get("types", ())),
            error_message=error.get("message", ""),
            error_line=error.get("line"),
            output=data.get("output", ""),
            returns_repr=returns.get("repr"),
            returns=returns.get("value"),
            returns_plain="value" in returns,
            status=response.get("status"),
            body=response.get("body"),
            json=response.get("json"),
            has_json="json" in response,
            warnings=tuple(data.get("warnings", ())),
            elapsed=data.get("elapsed"),
        )

    @property
    def raised(self) -> bool:
        return bool(self.error_type)

    def raised_a(self, name: str) -> bool:
        """Whether the exception is a ``name`` (dotted or short), as ``except name`` would say."""
        return any(kind == name or kind.rsplit(".", 1)[-1] == name for kind in self.error_types)

    def describe(
        self, *, with_output: bool = False, with_line: bool = False, with_time: bool = False
    ) -> str:
        if self.syntax_error:
            text = f"SyntaxError: {self.error_message}"
            if self.error_line:
                text += f" (line {self.error_line})"
        elif self.raised:
            text = self.error_type
            if self.error_message:
                text += f": {self.error_message}"
            if with_line and self.error_line:
                text += f" (line {self.error_line})"
        elif self.status is not None:
            text = f"status {self.status}, {_shorten(self.body or '(empty body)')}"
        elif self.returns_repr is not None:
            text = f"returned {_shorten(self.returns_repr)}"
        else:
            text = "no error"
            with_output = True
        if with_output:
            text += f", output {_shorten(self.output)!r}" if self.output else ", no output"
        if self.warnings:
            text += " (" + "; ".join(self.warnings) + ")"
        if with_time and self.elapsed is not None:
            text += f" in {self.elapsed:.2f} s"
        return text


@dataclass(frozen=True)
class CaseResult:
    case: Case
    status: Status
    detail: str  # confirmed: the outcome; refuted: "expected ..., got ..."; not verified: why
    outcome: Outcome | None = None


@dataclass(frozen=True)
class QuestionResult:
    deck: Deck
    question: Question
    status: Status
    cases: tuple[CaseResult, ...] = ()
    reason: str = ""  # why there is nothing to run, e.g. "no check"

    @property
    def location(self) -> str:
        line = self.question.line
        return f"{self.deck.source_path}:{line}" if line else self.deck.source_path


@dataclass
class Report:
    results: list[QuestionResult] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status is status)

    @property
    def without_check(self) -> int:
        return sum(1 for result in self.results if result.question.verify is None)

    @property
    def refuted(self) -> bool:
        return self.count(Status.REFUTED) > 0

    def summary(self) -> str:
        counts = Counter(result.status for result in self.results)
        text = ", ".join(f"{counts[status]} {status.value}" for status in Status)
        if self.without_check:
            text += f" ({self.without_check} without a check)"
        return text


# --- from questions to cases, and what is wrong with a check ----------------------------------


def cases(question: Question) -> list[Case]:
    """The runs that a question's check asks for (none without a check)."""
    check = question.verify
    if check is None:
        return []
    found: list[Case] = []
    if check.expect is not None:
        code = check.run or (question.code.source if question.code else "")
        found.append(Case(question, check, code, check.expect))
    for letter, expect in check.choices.items():
        choice = question.choice(letter)
        code = choice.code.source if choice is not None and choice.code is not None else ""
        found.append(Case(question, check, code, expect, f"choice {letter}"))
    return found


# --- judging ---------------------------------------------------------------------------------


def describe_expectation(expect: Expectation) -> str:
    parts: list[str] = []
    containing = f" containing {expect.message!r}" if expect.message else ""
    on_line = f" on line {expect.line}" if expect.line is not None else ""
    if expect.syntax_error:
        parts.append("SyntaxError" + containing + on_line)
    elif expect.raises:
        parts.append(expect.raises + containing + on_line)
    elif expect.message or on_line:
        parts.append("an exception" + containing + on_line)
    if expect.status is not None:
        parts.append(f"status {expect.status}")
    if expect.json is not None:
        parts.append(f"JSON {json.dumps(expect.json)}")
    if expect.output is not None:
        parts.append(f"output {expect.output!r}" if expect.output else "no output")
    if expect.returns is not None:
        parts.append(f"return value {expect.returns!r}")
    if expect.warns:
        parts.append(f"a warning containing {expect.warns!r}")
    if expect.within is not None:
        parts.append(f"within {expect.within:g} s")
    return ", ".join(parts) if parts else "no error"


def _returns_match(expected: Any, outcome: Outcome) -> bool:
    if outcome.returns_repr is None:
        return False
    same_type = type(outcome.returns) is type(expected)  # True is not 1 here
    if outcome.returns_plain and same_type and outcome.returns == expected:
        return True
    return isinstance(expected, str) and expected == outcome.returns_repr


def holds(expect: Expectation, outcome: Outcome) -> bool:
    """Whether everything the expectation says is what happened."""
    wants_error = any(
        (expect.syntax_error, expect.raises, expect.message, expect.line is not None)
    )
    checks = [
        outcome.raised == wants_error,
        not expect.syntax_error or outcome.syntax_error,
        not expect.raises or outcome.raised_a(expect.raises),
        not expect.message or expect.message in outcome.error_message,
        expect.line is None or outcome.error_line == expect.line,
        expect.status is None or outcome.status == expect.status,
        expect.json is None or (outcome.has_json and outcome.json == expect.json),
        expect.output is None or outcome.output.rstrip() == expect.output.rstrip(),
        expect.returns is None or _returns_match(expect.returns, outcome),
        not expect.warns or any(expect.warns in warning for warning in outcome.warnings),
        expect.within is None or (outcome.elapsed is not None and outcome.elapsed <= expect.within),
    ]
    return all(checks)


def judge(case: Case, outcome: Outcome) -> CaseResult:
    shown = outcome.describe(
        with_output=case.expect.output is not None,
        with_line=case.expect.line is not None,
        with_time=case.expect.within is not None,
    )
    if case.check.requests > 1:
        shown = f"{case.check.requests} requests: {shown}"
    if holds(case.expect, outcome):
        return CaseResult(case, Status.CONFIRMED, shown, outcome)
    wanted = describe_expectation(case.expect)
    return CaseResult(case, Status.REFUTED, f"expected {wanted}, got {shown}", outcome)


# --- running ---------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in _SCRUBBED_ENV}
    # The runner must import srs_trainer even when it is not installed (a bare checkout).
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill the process and everything it started (its process group, on POSIX)."""
    if os.name == "posix":
        # Even after the runner exits, processes the checked code left behind keep its group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    elif process.poll() is None:
        process.kill()
    process.wait()


class Runner:
    """Runs cases in subprocesses and can stop every one still running (on Ctrl-C)."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._stopped = False

    def limit(self, case: Case) -> float:
        return self.timeout or case.check.timeout or DEFAULT_TIMEOUT

    def run(self, case: Case) -> CaseResult:
        limit = self.limit(case)
        check = case.check
        requires = list(check.requires)
        if check.harness is Harness.DJANGO and "django" not in requires:
            requires.insert(0, "django")
        spec = {
            "harness": check.harness.value,
            "requires": requires,
            "setup": check.setup,
            "run": case.code,
            "view": check.view,
            "client": check.client.value,
            "requests": check.requests,
            "timeout": limit,
        }
        temporary = tempfile.TemporaryDirectory(prefix="srs-verify-", ignore_cleanup_errors=True)
        with temporary as folder:
            spec_path = Path(folder, "spec.json")
            spec_path.write_text(json.dumps(spec), "utf-8")
            stderr_path = Path(folder, "stderr.txt")
            with stderr_path.open("wb") as stderr:
                returncode = self._spawn(folder, stderr, limit)
            if returncode is None:
                why = f"timed out after {limit:g} s (stopped)"
                return CaseResult(case, Status.NOT_VERIFIED, why)
            outcome_path = Path(folder, "outcome.json")
            if not outcome_path.is_file():
                last = stderr_path.read_text("utf-8", "replace").strip().splitlines()[-1:]
                why = f": {_shorten(last[0])}" if last else ""
                return CaseResult(
                    case, Status.NOT_VERIFIED,
                    f"the check's process exited with status {returncode} before reporting{why}",
                )
            data = json.loads(outcome_path.read_text("utf-8"))
        if "missing" in data:
            return CaseResult(
                case, Status.NOT_VERIFIED,
                f"requires {data['missing']}, which cannot be imported ({data['missing_reason']})",
            )
        if "check_error" in data:
            return CaseResult(case, Status.NOT_VERIFIED, f"broken check: {data['check_error']}")
        return judge(case, Outcome.from_dict(data))

    def _spawn(self, folder: str, stderr: Any, limit: float) -> int | None:
        """Run the harness in ``folder``; its exit status, or None when it was stopped."""
        with self._lock:
            if self._stopped:
                raise KeyboardInterrupt
            process = subprocess.Popen(
                [sys.executable, "-m", RUNNER_MODULE, "spec.json"],
                cwd=folder,
                env=_child_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the runner captures the code's output itself
                stderr=stderr,
                start_new_session=os.name == "posix",  # its own process group, killed as a whole
            )
            self._running.add(process)
        try:
            return process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            return None
        finally:
            _kill_tree(process)  # also reaps anything the code left running in its group
            with self._lock:
                self._running.discard(process)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            running = list(self._running)
        for process in running:
            _kill_tree(process)


def key_disagreement(question: Question, result: CaseResult) -> CaseResult | None:
    """A refutation when the code raises what one choice names, and that is not the key.

    This ties ``expect`` to the answer letter: a key moved to another choice, with the check
    left as it was, is caught. Only the exception's class name is looked for, as a word.
    """
    outcome = result.outcome
    if result.case.label or outcome is None or not outcome.raised:
        return None
    name = outcome.error_type.rsplit(".", 1)[-1]
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    naming = [choice.letter for choice in question.choices if pattern.search(choice.text)]
    if not naming or question.answer in naming:
        return None
    named_by = f"choice{'s' if len(naming) > 1 else ''} {' and '.join(naming)}"
    detail = f"the code raises {name}, as {named_by} says, but the answer key is {question.answer}"
    return CaseResult(replace(result.case, label="answer"), Status.REFUTED, detail, outcome)


def _question_result(
    deck: Deck, question: Question, results: Sequence[CaseResult]
) -> QuestionResult:
    if not results:
        return QuestionResult(deck, question, Status.NOT_VERIFIED, reason="no check")
    disagreement = key_disagreement(question, results[0])
    if disagreement is not None:
        results = [*results, disagreement]
    statuses = {result.status for result in results}
    for status in (Status.REFUTED, Status.NOT_VERIFIED):
        if status in statuses:
            return QuestionResult(deck, question, status, tuple(results))
    return QuestionResult(deck, question, Status.CONFIRMED, tuple(results))


def select(decks: Iterable[Deck], question_ids: Sequence[str] = ()) -> list[tuple[Deck, Question]]:
    """The questions to verify: all, or those whose id contains one of ``question_ids``
    (an exact id, or a part of ids, as pytest's ``-k`` selects by part of a name)."""
    return [
        (deck, question)
        for deck in decks
        for question in deck.questions
        if not question_ids or any(part in question.id for part in question_ids)
    ]


def verify_questions(
    selected: Sequence[tuple[Deck, Question]],
    *,
    timeout: float | None = None,
    jobs: int = 2,
    on_result: Callable[[QuestionResult], None] | None = None,
) -> Report:
    """Run every case of the selected questions, ``jobs`` at a time; results in source order.

    ``timeout`` (seconds) overrides each check's own. ``on_result`` sees each question's result
    as soon as it and every question before it are done.
    """
    runner = Runner(timeout)
    report = Report()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        pending: list[tuple[Deck, Question, list[Future[CaseResult]]]] = [
            (deck, question, [pool.submit(runner.run, case) for case in cases(question)])
            for deck, question in selected
        ]
        try:
            for deck, question, futures in pending:
                result = _question_result(deck, question, [future.result() for future in futures])
                report.results.append(result)
                if on_result is not None:
                    on_result(result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            runner.stop()
            raise
    return report


def verify_decks(decks: Iterable[Deck], question_ids: Sequence[str] = (), **options: Any) -> Report:
    return verify_questions(select(decks, question_ids), **options)


# --- text ------------------------------------------------------------------------------------


def format_result(result: QuestionResult) -> Iterator[str]:
    """The lines that report one question: ``path:line: id: status...``, then one per case."""
    head = f"{result.location}: {result.question.id}: {result.status.value}"
    if not result.cases:
        yield f"{head}: {result.reason}"
        return
    if len(result.cases) == 1 and not result.cases[0].case.label:
        yield f"{head}{_detail(result.cases[0])}"
        return
    yield head
    for case_result in result.cases:
        label = case_result.case.label or "expect"
        yield f"    {label}: {case_result.status.value}{_detail(case_result)}"


def _detail(result: CaseResult) -> str:
    return f" - {result.detail}" if result.status is Status.CONFIRMED else f": {result.detail}"


def _shorten(text: str) -> str:
    return shorten(" ".join(text.split()), _MAX_SHOWN)


# --- loading ---------------------------------------------------------------------------------


def load(paths: Sequence[str | Path]) -> tuple[list[Deck], list[Problem]]:
    """Load the sources (files or folders) and look over their checks.

    Raises InputError with every error (schema and check problems alike); returns the decks
    and any warnings.
    """
    from ..deck.files import discover
    from ..deck.sources import load_decks

    decks = load_decks(discover(paths))
    problems = [problem for deck in decks for problem in check_problems(deck)]
    if any(problem.is_error for problem in problems):
        raise InputError(problems)
    return decks, problems
