"""The real ``srs review`` in a real terminal: tmux runs it, keys are typed, the screen is read.

Each test starts its own tmux server (``-L`` with a unique name) and stops only that server.
The progress database is checked through the store's own API afterwards. The last test runs
bench/bench_review.py on a tiny learner, so the benchmark keeps working as the trainer changes.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from itertools import count
from pathlib import Path

import pytest

from clocked_srs import SCRIPT
from srs_trainer.trainer.settings import DATABASE_NAME
from srs_trainer.trainer.store import Store

needs_tmux = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: no real terminal to drive"
)

BENCH_REVIEW = Path(__file__).resolve().parents[2] / "bench" / "bench_review.py"
NOW = "2026-01-05T09:00:00Z"
SRS = [sys.executable, SCRIPT, NOW]  # `srs` with its clock set to NOW
DECK = """\
format: 1
id: tty-deck
title: Terminal test deck
badge:
  name: Terminal Hero
questions:
  - id: await-meaning
    section: challenge
    title: What await does
    time_limit: 90
    prompt: What does the `await` keyword do in an async view?
    code:
      source: |
        async def my_view(request):
            data = await MyModel.objects.afirst()
    choices:
      - It pauses the view until the query finishes, letting other requests run meanwhile.
      - It runs the database query in a separate thread automatically.
      - It makes the query synchronous.
    answer: A
    hint: Think about the event loop.
    explanation: The coroutine is suspended and the event loop serves other requests.
  - id: async-def
    section: challenge
    title: Async view syntax
    prompt: Which keyword makes a Django view asynchronous?
    choices:
      - async def
      - await def
    answer: A
    explanation: An async view is declared with async def.
"""
_servers = count()


class Terminal:
    """One tmux server with one window running a shell command."""

    def __init__(self, command: str, *, width: int, height: int) -> None:
        self.server = f"srs-tty-{os.getpid()}-{next(_servers)}"
        self._tmux("new-session", "-d", "-s", "srs", "-x", str(width), "-y", str(height), command)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.server, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "srs", *keys)

    def resize(self, width: int, height: int) -> None:
        self._tmux("resize-window", "-t", "srs", "-x", str(width), "-y", str(height))

    def screen(self, *, escapes: bool = False) -> str:
        return self._tmux("capture-pane", "-p", "-t", "srs", *(["-e"] if escapes else []))

    def wait_for(self, pattern: str, timeout: float = 15.0) -> str:
        """The screen once ``pattern`` (a regex) appears on it and the screen has settled (two
        captures alike: a screen is drawn in parts); fail with the screen if not."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if re.search(pattern, screen, re.M):
                time.sleep(0.05)
                if self.screen() == screen:
                    return screen
                continue
            if time.monotonic() > deadline or "<- modes" in screen:  # timed out, or srs ended
                pytest.fail(f"{pattern!r} never appeared; the screen was:\n{screen}")
            time.sleep(0.1)

    def wait_for_all(self, *patterns: str, timeout: float = 15.0) -> str:
        """The screen once every one of ``patterns`` is on it (a screen is drawn in parts)."""
        return self.wait_for("".join(f"(?=[\\s\\S]*{p})" for p in patterns), timeout)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.server, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "cards" / "tty-deck.yaml"
    path.parent.mkdir()
    path.write_text(DECK, encoding="utf-8")
    return path


@pytest.fixture
def run_review(tmp_path: Path, deck: Path) -> Iterator:
    terminals: list[Terminal] = []

    def start(
        *args: str,
        width: int = 100,
        height: int = 40,
        python: Sequence[str] = (),
        stderr: Path | None = None,
        **env: str,
    ) -> Terminal:
        variables = {
            "SRS_HOME": str(tmp_path / "home"),
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
            "NO_COLOR": "",
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            **env,
        }
        review = shlex.join(
            # pytest exports COLUMNS and LINES, which would override the terminal's real size.
            ["env", "-u", "COLUMNS", "-u", "LINES"]
            + [f"{k}={v}" for k, v in variables.items()]
            + [SRS[0], *python, *SRS[1:], "review", *args]
        )
        review += f" --no-bundled --cards {shlex.quote(str(deck))}"
        if stderr is not None:
            review += f" 2> {shlex.quote(str(stderr))}"
        # After srs exits: its status, and whether the terminal got its line editing back.
        after = (
            'echo "EXIT=$?"; stty -a | tr " ;" "\\n\\n" | grep -x -e icanon -e echo'
            ' | tr "\\n" " "; echo "<- modes"; sleep 600'
        )
        terminal = Terminal(f"{review}; {after}", width=width, height=height)
        terminals.append(terminal)
        return terminal

    yield start
    for terminal in terminals:
        terminal.close()


def answers(tmp_path: Path) -> list[tuple[str, str | None, int | None]]:
    with Store.open(tmp_path / "home" / DATABASE_NAME) as store:
        return [(entry.question_id, entry.chosen, entry.rating) for entry in store.log()]


@needs_tmux
def test_answer_with_a_key_see_feedback_quit_and_find_the_review_saved(
    run_review, tmp_path: Path
) -> None:
    terminal = run_review()
    screen = terminal.wait_for(r"What does the await keyword do")
    assert "async def my_view(request):" in screen
    assert re.search(r"A It pauses the view until the query finishes", screen)
    assert "B It runs the database query in a separate thread automatically." in screen
    assert re.search(r"1:[23]\d left · 2 attempts left", screen)

    terminal.keys("h")
    terminal.wait_for(r"Hint: Think about the event loop\.")
    terminal.keys("b")  # wrong: marked, one attempt left
    screen = terminal.wait_for(r"1 attempt left")
    assert re.search(r"✗ B It runs the database query .*\(tried\)", screen)

    terminal.keys("a")
    screen = terminal.wait_for(r"Comes back")
    assert "Correct" in screen
    assert "Answer: A" in screen
    assert "The coroutine is suspended and the event loop serves other requests." in screen
    assert re.search(r"Comes back in \d+ minutes", screen)

    terminal.keys("Enter")
    terminal.wait_for(r"Which keyword makes a Django view asynchronous\?")
    terminal.keys("q")
    screen = terminal.wait_for(r"EXIT=\d+")
    # Quit with a question left: not "complete"; the next review is a labelled sentence.
    assert "Session ended early" in screen and "Session complete" not in screen
    assert re.search(r"Reviewed\s+1\b", screen) and re.search(r"Correct\s+1 \(100%\)", screen)
    assert re.search(r"│ Next review: in \d+ minutes \(1 due today\)", screen)
    # The summary replaces the question left: its keys and countdown are gone.
    assert not re.search(r"\d:\d\d left", screen) and "A-B or 1-2 answer" not in screen
    assert "EXIT=0" in screen
    assert "icanon echo <- modes" in screen  # the terminal is back in line mode, echoing

    assert answers(tmp_path) == [("await-meaning", "A", 2)]  # right after a miss and a hint


@needs_tmux
def test_countdown_updates_in_place_and_ctrl_c_quits_cleanly(run_review, tmp_path: Path) -> None:
    terminal = run_review()
    first = terminal.wait_for(r"\d:\d\d left")
    shown = re.findall(r"(\d:\d\d) left", first)
    later = terminal.wait_for(rf"(?!{shown[0]})\d:\d\d left", timeout=5)
    assert len(re.findall(r"\d:\d\d left", later)) == 1  # redrawn, not a new line per second

    terminal.keys("C-c")
    screen = terminal.wait_for(r"EXIT=\d+")
    assert "Session ended early" in screen and re.search(r"Reviewed\s+0\b", screen)
    assert "Session complete" not in screen and "│ Next review: nothing scheduled yet" in screen
    assert not re.search(r"\d:\d\d left", screen)
    assert "EXIT=0" in screen and "icanon echo <- modes" in screen
    assert "Traceback" not in screen
    assert answers(tmp_path) == []


@needs_tmux
def test_narrow_terminal_without_colour(run_review) -> None:
    terminal = run_review(width=40, height=50, NO_COLOR="1")
    screen = terminal.wait_for(r"attempts? left")
    on_screen = screen.split()
    for choice in (
        "It pauses the view until the query finishes, letting other requests run meanwhile.",
        "It runs the database query in a separate thread automatically.",
    ):
        for word in choice.split():
            assert word in on_screen, f"{word!r} is missing at 40 columns:\n{screen}"
    assert max(len(line) for line in screen.splitlines()) <= 40
    coded = terminal.screen(escapes=True)
    assert not re.search(r"\x1b\[[0-9;]*m", coded), "colour or style codes despite NO_COLOR"

    coloured = run_review()
    coloured.wait_for(r"attempts? left")
    assert re.search(r"\x1b\[[0-9;]*m", coloured.screen(escapes=True))  # the check can fail


@needs_tmux
def test_a_resized_terminal_gets_the_question_wrapped_again(run_review) -> None:
    terminal = run_review()
    terminal.wait_for(r"attempts? left")
    terminal.resize(50, 40)
    screen = terminal.wait_for(r"^1/2 ", timeout=5)  # the header stacks below 60 columns
    screen = terminal.wait_for(r"attempts? left")
    assert max(len(line) for line in screen.splitlines()) <= 50
    choice = "It runs the database query in a separate thread automatically."
    words = screen.split()
    for word in choice.split():
        assert word in words


@needs_tmux
def test_feedback_and_unknown_keys_leave_no_stale_or_cut_lines_at_50_columns(run_review) -> None:
    terminal = run_review(width=50, height=60)
    terminal.wait_for(r"attempts? left")
    terminal.keys("x")
    screen = terminal.wait_for_all(r"^'x' is not a key here: use the keys below\.\s*$",
                                   r"^\d:\d\d left · 2 attempts left\s*$")  # nothing appended
    assert "…" not in screen and max(len(line) for line in screen.splitlines()) <= 50
    terminal.keys("a")
    screen = terminal.wait_for_all(r"Comes back", r"✓ A It pauses the view",
                                   r"^Enter or space continue   u undo   q quit\s*$")
    assert "What does the await keyword do" in screen  # the question stays above its feedback
    assert " left" not in screen and "not a key" not in screen  # ...but not its countdown
    assert "A-C or 1-3 answer" not in screen


LONG_DECK = """\
format: 1
id: tty-deck
title: Terminal test deck
questions:
  - id: why-async
    section: challenge
    title: Why use async views in Django?
    time_limit: 120
    prompt: |
      What is the main benefit of using async views in Django compared to traditional
      synchronous views?
    code:
      source: |
        async def my_view(request):
            await asyncio.sleep(0.5)  # a slow API call, awaited
            return JsonResponse({'ok': True})
    choices:
      - Async views let Django handle many requests at once without waiting for slow operations.
      - Async views replace the need for caching in Django applications.
      - Async views make Django use less memory by storing data asynchronously.
      - Async views speed up database queries by running them in parallel.
    answer: A
    hint: Think about how waiting for slow tasks affects handling other users' requests.
    explanation: |
      **A.** While an async view awaits a slow operation (an HTTP call, `asyncio.sleep`, an
      awaited query), its coroutine is suspended and the event loop serves other requests.

      - B: async does not replace caching; a cached page is still faster than any query,
        awaited or not.
      - C: nothing is "stored asynchronously"; memory use is about the same.
      - D: each query takes as long as before; the server just doesn't sit idle while it runs.

      This needs an ASGI server (uvicorn, Daphne, Hypercorn). Under WSGI an async view gets no
      concurrency benefit: Django runs it in an event loop of its own per request.
    common_mistakes:
      - Expecting a single request to get faster because its view is `async def`.
      - Forgetting that the benefit needs an ASGI server.
  - id: async-def
    section: challenge
    title: Async view syntax
    prompt: Which keyword makes a Django view asynchronous?
    choices:
      - async def
      - await def
    answer: A
    explanation: An async view is declared with async def.
"""


def _last_rows(screen: str) -> list[str]:
    """The window's rows, down to the last one written."""
    return screen.rstrip("\n").splitlines()


@needs_tmux
def test_feedback_fits_a_short_window_with_the_verdict_on_top_and_the_keys_below(
    run_review, deck: Path
) -> None:
    deck.write_text(LONG_DECK, encoding="utf-8")
    terminal = run_review(width=50, height=30)
    terminal.wait_for(r"attempts? left")
    terminal.keys("h")
    terminal.wait_for(r"Hint:")
    terminal.keys("c")
    terminal.wait_for(r"1 attempt left")
    terminal.keys("b")  # wrong twice: the feedback, far taller than 30 rows
    screen = terminal.wait_for(r"Comes back")
    rows = _last_rows(screen)
    assert rows[0] == "Why use async views in Django?"  # the question's title...
    assert rows[1].startswith("✓ A Async views let Django handle many")  # ...its marked choices
    assert "✗ B Async views replace" in screen and "✗ C Async views make" in screen
    assert "D Async views speed up" not in screen and "await asyncio.sleep" not in screen
    verdict = next(n for n, row in enumerate(rows) if "✗ Not quite: you chose B" in row)
    assert rows[verdict].startswith("╭─")  # the feedback's top border, in view
    assert rows[verdict + 1].startswith("│ Answer: A  Async views let Django")
    assert "While an async view awaits a slow operation" in screen
    assert re.search(r"│ … \d+ more lines", screen)  # cut where the window ends, and marked
    assert re.search(r"^│ Comes back in \d+ minutes?\s+rated Again", rows[-3])
    assert rows[-1].rstrip() == "Enter or space continue   u undo   q quit"
    assert len(rows) <= 30 and max(len(row) for row in rows) <= 50

    terminal.keys("Enter")
    terminal.wait_for(r"Which keyword makes a Django view")
    terminal.keys("a")  # right: a short feedback keeps the whole question above it
    screen = terminal.wait_for(r"Comes back")
    assert "✓ Correct" in screen and "Which keyword makes a Django view" in screen
    assert "more lines" not in screen


@needs_tmux
def test_feedback_is_fitted_again_when_the_window_is_resized(run_review, deck: Path) -> None:
    deck.write_text(LONG_DECK, encoding="utf-8")
    terminal = run_review(width=80, height=24)
    terminal.wait_for(r"attempts? left")
    terminal.keys("a")
    screen = terminal.wait_for(r"Comes back")
    rows = _last_rows(screen)
    assert rows[0] == "Why use async views in Django?" and "✓ Correct" in rows[3]
    assert "more lines" in screen and rows[-1].startswith("Enter or space continue")
    # The explanation's list items wrap under their text, not back at the marker.
    assert re.search(r"^│ - B: async does not replace caching; .*│\n│   \S", screen, re.M)

    terminal.resize(100, 40)
    screen = terminal.wait_for(r"What is the main benefit", timeout=5)  # the full layout again
    assert "await asyncio.sleep(0.5)" in screen and "  D Async views speed up" in screen
    assert "Common mistakes" in screen and "more lines" not in screen

    terminal.resize(50, 12)
    screen = terminal.wait_for(r"^╭─ ✓ Correct", timeout=5)
    rows = _last_rows(screen)
    assert rows[0].startswith("╭─ ✓ Correct") and rows[1].startswith("│ Answer: A  Async")
    assert "more lines" in screen
    assert rows[-1].rstrip() == "Enter or space continue   u undo   q quit"
    terminal.keys("q")
    assert "EXIT=0" in terminal.wait_for(r"EXIT=\d+")


TALL_CODE_DECK = LONG_DECK.replace(
    """\
        async def my_view(request):
            await asyncio.sleep(0.5)  # a slow API call, awaited
            return JsonResponse({'ok': True})
""",
    """\
        import asyncio
        from django.http import JsonResponse


        async def fetch_rates(client):
            response = await client.get('https://rates.example/api/latest')
            return response.json()


        async def my_view(request):
            async with httpx.AsyncClient() as client:
                rates = await fetch_rates(client)
            await asyncio.sleep(0.5)  # a slow API call, awaited
            return JsonResponse({'ok': True, 'rates': rates})
""",
)


@needs_tmux
def test_a_question_fits_a_short_window_and_again_when_resized(run_review, deck: Path) -> None:
    assert TALL_CODE_DECK != LONG_DECK
    deck.write_text(TALL_CODE_DECK, encoding="utf-8")
    terminal = run_review(width=50, height=30)
    terminal.wait_for(r"attempts? left")
    terminal.keys("h")
    screen = terminal.wait_for(r"Hint:")
    rows = _last_rows(screen)
    assert len(rows) <= 30 and max(len(row) for row in rows) <= 50
    assert rows[0].startswith("╭─ Why use async views in Django?")  # nothing scrolled away
    assert rows[1].startswith("│ What is the main benefit of using async views")
    assert "import asyncio" in screen and re.search(r"^│ … \d+ more lines", screen, re.M)
    for start in ("A Async views let Django", "B Async views replace", "C Async views make",
                  "D Async views speed up"):
        assert start in screen
    assert rows[-2].rstrip() == "A-D or 1-4 answer   u undo   q quit"
    assert re.fullmatch(r"\d:\d\d left · 2 attempts left", rows[-1].strip())

    terminal.resize(80, 24)
    screen = terminal.wait_for(r"^╭─ Why use async views in Django\? ─{40}", timeout=5)
    rows = _last_rows(screen)
    assert len(rows) <= 24 and "more lines" in screen and "D Async views speed up" in screen
    assert re.fullmatch(r"\d:\d\d left · 2 attempts left", rows[-1].strip())

    terminal.resize(100, 40)  # room for it all: the full layout again
    screen = terminal.wait_for(r"^Terminal test deck review", timeout=5)
    assert "'ok': True, 'rates': rates" in screen and "more lines" not in screen
    assert re.search(r"^» Hint: Think about how waiting for slow tasks affects", screen, re.M)
    terminal.keys("q")
    assert "EXIT=0" in terminal.wait_for(r"EXIT=\d+")


@needs_tmux
def test_the_terminal_review_path_imports_no_genanki(run_review, tmp_path: Path) -> None:
    imports = tmp_path / "imports.txt"
    terminal = run_review(python=("-X", "importtime"), stderr=imports)
    terminal.wait_for(r"attempts? left")
    terminal.keys("a")
    terminal.wait_for(r"Comes back")
    terminal.keys("q")
    terminal.wait_for(r"EXIT=0")
    imported = re.findall(r"^import time:.*\|\s*(\S+)$", imports.read_text(), re.M)
    assert "rich.console" in imported and "srs_trainer.tui.terminal_ui" in imported
    assert not [name for name in imported if name.split(".")[0] == "genanki"]


def test_review_benchmark_runs_on_a_tiny_learner(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            *(sys.executable, str(BENCH_REVIEW), "--cards", "40", "--decks", "2"),
            *("--repeat", "1", "--answers", "3", "--out", str(tmp_path / "out")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["genanki_imported"] is False
    # Figures only, no comparison: one round on a shared machine proves nothing about speed.
    assert figures["first_card_s"] > 0 and figures["baseline_s"] > 0
    assert figures["answer_median_s"] is not None and figures["progress_s"] > 0


@needs_tmux
def test_closing_the_terminal_mid_session_keeps_every_answer(
    run_review, deck: Path, tmp_path: Path
) -> None:
    terminal = run_review()
    terminal.wait_for(r"attempts? left")
    terminal.keys("a")
    terminal.wait_for(r"Comes back")
    terminal.keys("Enter")
    terminal.wait_for(r"Which keyword makes a Django view asynchronous\?")
    terminal.keys("b")  # a wrong first try on the question on screen: not an answer yet
    assert _processes_mentioning(str(deck))  # srs review, still running

    terminal.close()  # the window goes: srs gets SIGHUP, as when a terminal emulator closes

    deadline = time.monotonic() + 10
    while _processes_mentioning(str(deck)):
        assert time.monotonic() < deadline, "srs review outlived its terminal"
        time.sleep(0.1)
    with Store.open(tmp_path / "home" / DATABASE_NAME) as store:
        assert store.integrity_check() == []
        assert [(e.question_id, e.rating) for e in store.log()] == [("await-meaning", 4)]


def _processes_mentioning(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (Linux /proc; no procps needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@needs_tmux
def test_a_source_left_out_is_said_again_on_the_full_screen(run_review, tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    draft.write_text(DECK.replace("    answer: A\n", "", 1), encoding="utf-8")
    terminal = run_review("--cards", str(draft))
    screen = terminal.wait_for(r"What does the await keyword do")
    # The warning printed before the screen took over is hidden by it: the screen says it.
    assert f"Left out: {draft} (1 problem; `srs lint {draft}` lists them)." in " ".join(
        screen.split())
