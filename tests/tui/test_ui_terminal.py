"""The review screen: what ``TerminalUI`` draws, and which keys mean what.

Views are drawn to a rich console writing into a StringIO; keys travel through a real
pseudo-terminal (``os.openpty``), so the raw-mode switching and key reading are the real ones.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import termios
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from srs_trainer.deck.model import Choice, Code, Question, Section, SolutionStep
from srs_trainer.trainer.views import (
    FeedbackView,
    InputKind,
    Mode,
    QuestionView,
    SessionSummary,
    UserInput,
)
from srs_trainer.tui import code, markup, widgets
from srs_trainer.tui import feedback as feedback_screens
from srs_trainer.tui import screens as terminal_text
from srs_trainer.tui.terminal_ui import KeyReader, TerminalUI, single_keys

ANY_ESCAPE = re.compile(r"\x1b")
UNICODE = widgets.UNICODE_SYMBOLS
STYLE_CODE = re.compile(r"\x1b\[[0-9;]*m")
ANY_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

QUESTION = Question(
    id="async-orm-await",
    section=Section.CHALLENGE,
    title="Async behavior in Django ORM calls",
    kind="component_behavior",
    level="intermediate",
    prompt="Consider this Django async view snippet. What does the await keyword do here?",
    code=Code(
        "async def my_view(request):\n"
        "    data = await MyModel.objects.filter(active=True).afirst()\n"
        "    return JsonResponse({'id': data.id if data else None})\n"
    ),
    choices=(
        Choice("A", "It pauses the view until the query finishes, letting other requests run."),
        Choice("B", "It runs the database query in a separate thread automatically."),
        Choice("C", "It makes the database query synchronous to avoid [errors]."),
        Choice("D", "It caches the query result for faster future access."),
    ),
    answer="A",
    hint="Think about what await does in async Python functions.",
    explanation="await suspends the coroutine so the event loop can serve other requests.",
    common_mistakes=("Believing await starts a new thread.",),
    solution=(
        SolutionStep("Read the view", "It is declared with async def."),
        SolutionStep("Follow the await", "The coroutine yields until afirst() completes."),
    ),
)

CODE_CHOICES = Question(
    id="async-syntax",
    section=Section.CHALLENGE,
    prompt="Which of the following Django views is correctly written as an async view?",
    choices=(
        Choice("A", code=Code("def my_view(request):\n    data = await MyModel.objects.afirst()")),
        Choice("B", code=Code("async def my_view(request):\n    return await fetch()")),
        Choice("C", "Neither one of the views above compiles at all", Code("pass")),
    ),
    answer="B",
)


def question_view(question: Question = QUESTION, **changes: object) -> QuestionView:
    view = QuestionView(
        deck_title="Why async matters in Django",
        question=question,
        mode=Mode.REVIEW,
        position=3,
        total=10,
        attempts_left=2,
        time_limit=5,  # a broken key test fails by timing out after 5 s rather than hanging
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def feedback_view(**changes: object) -> FeedbackView:
    view = FeedbackView(
        question=QUESTION,
        mode=Mode.REVIEW,
        chosen="B",
        correct=False,
        rating="Again",
        next_due_text="again in 10 minutes",
        show_solution=False,
        elapsed=14.0,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def render(renderable: object, *, width: int = 100, no_color: bool = True) -> str:
    out = io.StringIO()
    console = widgets.make_console(
        no_color=no_color, file=out, width=width, force_terminal=True
    )
    console.print(renderable)
    return out.getvalue()


def words(text: str) -> list[str]:
    return text.split()


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """A real pseudo-terminal: keys written to ``master`` are read by the UI from ``slave``."""
    master, slave = os.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def press(master: int, keys: bytes) -> None:
    """Type ``keys`` once the UI is waiting for them (in raw mode, as a learner would)."""
    threading.Timer(0.05, os.write, (master, keys)).start()


def make_ui(
    slave: int, *, width: int = 100, no_color: bool = True, clock: Callable[[], float] | None = None
) -> tuple[TerminalUI, io.StringIO]:
    out = io.StringIO()
    console = widgets.make_console(no_color=no_color, file=out, width=width)
    if clock is None:
        return TerminalUI(console=console, input_fd=slave), out
    return TerminalUI(console=console, input_fd=slave, clock=clock), out


# --- what the question screen shows ----------------------------------------------------------


def test_question_screen_shows_prompt_code_and_every_choice() -> None:
    text = render(
        terminal_text.question_screen(question_view(), widgets.UNICODE_SYMBOLS, 100)
    )
    assert "Consider this Django async view snippet." in text
    assert "data = await MyModel.objects.filter(active=True).afirst()" in text
    assert "Async behavior in Django ORM calls" in text
    assert "Why async matters in Django" in text
    for choice in QUESTION.choices:
        assert re.search(rf"^\s*{choice.letter} {re.escape(choice.text)}", text, re.M), choice
    assert "3/10" in text
    assert "Hint" not in text  # not until asked for
    assert "component behavior · intermediate" in text and "component_behavior" not in text


def test_question_screen_shows_hint_tried_letters_and_message() -> None:
    view = question_view(hint_shown=True, wrong_letters=("B",), message="Not quite: 1 attempt left")
    text = render(terminal_text.question_screen(view, widgets.UNICODE_SYMBOLS, 100))
    assert "Hint: Think about what await does in async Python functions." in text
    assert "Not quite: 1 attempt left" in text
    tried = next(line for line in text.splitlines() if "separate thread" in line)
    assert "✗ B" in tried and "(tried)" in tried
    untried = next(line for line in text.splitlines() if "caches the query" in line)
    assert "✗" not in untried and "(tried)" not in untried


def test_code_choices_are_blocks_under_their_letters() -> None:
    text = render(
        terminal_text.question_screen(
            question_view(CODE_CHOICES), widgets.UNICODE_SYMBOLS, 100
        )
    )
    lines = text.splitlines()
    b_line = next(index for index, line in enumerate(lines) if "B async def my_view" in line)
    assert "return await fetch()" in lines[b_line + 1]
    assert "C Neither one of the views above compiles at all" in text
    assert "def my_view(request):" in text


def test_status_line_counts_down_and_shows_attempts() -> None:
    symbols = widgets.UNICODE_SYMBOLS
    assert render(terminal_text.status_line(question_view(), 95.2, symbols)).startswith(
        "1:36 left · 2 attempts left"
    )
    one_left = question_view(attempts_left=1)
    assert "0:00 left · 1 attempt left" in render(terminal_text.status_line(one_left, 0, symbols))
    untimed = question_view(time_limit=None)
    assert render(terminal_text.status_line(untimed, None, symbols)).strip() == "2 attempts left"


@pytest.mark.parametrize("question", [QUESTION, CODE_CHOICES], ids=["text", "code"])
def test_forty_columns_keep_every_word_of_every_choice(question: Question) -> None:
    text = render(
        terminal_text.question_screen(question_view(question), widgets.UNICODE_SYMBOLS, 40),
        width=40,
    )
    assert max(len(line) for line in text.splitlines()) <= 40
    shown = words(text)
    for choice in question.choices:
        for word in words(choice.display()):
            assert word in shown, f"{word!r} of choice {choice.letter} missing at 40 columns"
    for word in words(question.prompt):
        assert word in shown


def test_no_color_renders_no_escape_codes_while_colour_does() -> None:
    screen = terminal_text.question_screen(
        question_view(hint_shown=True, wrong_letters=("B",)), widgets.UNICODE_SYMBOLS, 100
    )
    assert STYLE_CODE.search(render(screen, no_color=False))  # the check below can fail
    for renderable in (
        screen,
        feedback_screens.feedback_screen(
            feedback_view(show_solution=True), widgets.UNICODE_SYMBOLS
        ),
        terminal_text.summary_screen(
            SessionSummary(Mode.REVIEW, 3, 2, 61, "tomorrow", ("Async Django Mastery",)),
            widgets.UNICODE_SYMBOLS,
        ),
    ):
        assert not ANY_ESCAPE.search(render(renderable, no_color=True))


def test_ascii_terminal_gets_ascii_marks() -> None:
    ascii_console = widgets.Console(file=io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert widgets.symbols_for(ascii_console) is widgets.ASCII_SYMBOLS
    text = render(
        terminal_text.question_screen(
            question_view(wrong_letters=("B",)), widgets.ASCII_SYMBOLS, 80
        )
    )
    assert "X B" in text


# --- feedback and summary -------------------------------------------------------------------


def test_feedback_shows_verdict_correct_choice_explanation_and_next_due() -> None:
    text = render(feedback_screens.feedback_screen(feedback_view(), widgets.UNICODE_SYMBOLS))
    assert "Not quite: you chose B" in text
    assert "Answer: A" in text
    assert "It pauses the view until the query finishes" in text
    assert "await suspends the coroutine" in text
    assert "Believing await starts a new thread." in text
    assert "again in 10 minutes" in text
    assert "Follow the await" not in text  # solution steps only when the view asks for them


def test_feedback_shows_solution_steps_when_asked_and_timeouts() -> None:
    view = feedback_view(chosen=None, show_solution=True)
    text = render(feedback_screens.feedback_screen(view, widgets.UNICODE_SYMBOLS))
    assert "Time is up" in text
    assert "1. Read the view: It is declared with async def." in text
    assert "2. Follow the await: The coroutine yields until afirst() completes." in text
    right = render(
        feedback_screens.feedback_screen(
            feedback_view(chosen="A", correct=True, rating="Good", next_due_text="again in 4 days"),
            widgets.UNICODE_SYMBOLS,
        )
    )
    assert "✓ Correct" in right and "again in 4 days" in right and "rated Good" in right
    assert "schedule unchanged" not in right
    practice = render(feedback_screens.feedback_screen(
        feedback_view(chosen="A", correct=True, rating="Good", next_due_text=""),
        widgets.UNICODE_SYMBOLS))
    assert "rated Good · schedule unchanged" in practice


def test_summary_shows_figures_and_celebrates_badges() -> None:
    summary = SessionSummary(
        mode=Mode.CHALLENGE,
        reviewed=5,
        correct=4,
        elapsed=372,
        next_due_text="tomorrow (12 due today)",
        badges_earned=("Async Django Mastery",),
        score_text="4/5 in 6:12",
        notes=("2 questions come back today",),
    )
    text = render(terminal_text.summary_screen(summary, widgets.UNICODE_SYMBOLS))
    assert re.search(r"Answered\s+5", text) and "Reviewed" not in text
    assert re.search(r"Score\s+4/5 in 6:12", text)
    assert "Next review: tomorrow (12 due today)" in text
    assert "Badge earned: Async Django Mastery" in text
    assert "2 questions come back today" in text
    plain = render(
        terminal_text.summary_screen(
            SessionSummary(Mode.REVIEW, 0, 0, 0, ""), widgets.UNICODE_SYMBOLS
        )
    )
    assert "Badge" not in plain and re.search(r"Reviewed\s+0", plain)


def test_summary_labels_the_next_review_and_tells_a_finished_session_from_a_stopped_one() -> None:
    done = render(
        terminal_text.summary_screen(
            SessionSummary(Mode.REVIEW, 2, 1, 30, "in 1 minute (2 due today)"), UNICODE
        )
    )
    assert "Session complete" in done and re.search(r"Reviewed\s+2", done)
    assert re.search(r"Correct\s+1 \(50%\)", done) and re.search(r"Time\s+0:30", done)
    assert "Next review: in 1 minute (2 due today)" in done
    assert not re.search(r"^│\s+in 1 minute", done, re.M)  # never a bare sentence
    stopped = render(
        terminal_text.summary_screen(
            SessionSummary(Mode.REVIEW, 1, 1, 9, "now (3 due today)", finished=False), UNICODE
        )
    )
    assert "Session ended early" in stopped and "Session complete" not in stopped
    assert "Next review: now (3 due today)" in stopped


def test_practice_summary_counts_answers_and_may_have_no_schedule_line() -> None:
    note = "Practice answers are saved; they do not move your review schedule."
    text = render(
        terminal_text.summary_screen(
            SessionSummary(Mode.PRACTICE, 1, 1, 20, "", notes=(note,)), UNICODE
        )
    )
    assert re.search(r"Answered\s+1", text) and "Reviewed" not in text
    assert "Next review" not in text and "do not move your review schedule" in text


# --- keys, through a real pseudo-terminal -----------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (b"b", UserInput(InputKind.ANSWER, "B")),
        (b"D", UserInput(InputKind.ANSWER, "D")),
        (b"3", UserInput(InputKind.ANSWER, "C")),
        (b"h", UserInput(InputKind.HINT)),
        (b"u", UserInput(InputKind.UNDO)),
        (b"q", UserInput(InputKind.QUIT)),
        (b"\x03", UserInput(InputKind.QUIT)),  # Ctrl-C
        (b"\x1b[A\x1b[Bxz9a", UserInput(InputKind.ANSWER, "A")),  # arrows, junk, no 9th choice
    ],
)
def test_question_keys(terminal: tuple[int, int], keys: bytes, expected: UserInput) -> None:
    master, slave = terminal
    ui, _ = make_ui(slave)
    view = question_view()
    ui.show_question(view)
    press(master, keys)
    assert ui.read_input(view) == expected


def test_tried_letters_and_missing_hint_are_refused_with_a_message(
    terminal: tuple[int, int],
) -> None:
    master, slave = terminal
    ui, out = make_ui(slave)
    view = question_view(replace(QUESTION, hint=""), wrong_letters=("B",))
    ui.show_question(view)
    press(master, b"bhc")
    assert ui.read_input(view) == UserInput(InputKind.ANSWER, "C")
    assert "B was already tried: pick another choice." in out.getvalue()
    assert "No hint for this question" in out.getvalue()


def test_terminal_is_restored_after_reading_keys(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    before = termios.tcgetattr(slave)
    ui, _ = make_ui(slave)
    view = question_view()
    press(master, b"a")
    ui.read_input(view)
    press(master, b"\x03")
    ui.read_input(view)
    assert termios.tcgetattr(slave) == before
    with pytest.raises(ValueError), single_keys(slave):
        assert not termios.tcgetattr(slave)[3] & termios.ECHO  # keys are not echoed meanwhile
        raise ValueError("a crash while waiting for a key")
    assert termios.tcgetattr(slave) == before


def test_time_limit_counts_down_in_place_then_times_out(terminal: tuple[int, int]) -> None:
    _, slave = terminal
    ui, out = make_ui(slave)
    view = question_view(time_limit=2, elapsed=0.6)  # 1.4 s left: shown as 0:02
    ui.show_question(view)
    assert ui.read_input(view) == UserInput(InputKind.TIMEOUT)
    countdown = re.findall(r"(\d:\d\d) left", out.getvalue())
    assert countdown == ["0:02", "0:01", "0:00"]


def test_redrawing_a_question_does_not_restart_its_clock(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    now = [1000.0]
    ui, out = make_ui(slave, clock=lambda: now[0])
    view = question_view(time_limit=120)
    ui.show_question(view)
    now[0] += 30  # the learner thinks, asks for the hint...
    press(master, b"a")
    ui.show_question(replace(view, hint_shown=True))  # ...and the session redraws without elapsed
    ui.read_input(replace(view, hint_shown=True))
    assert "1:30 left" in out.getvalue()


def test_feedback_keys(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    ui, out = make_ui(slave)
    for keys, kind in [
        (b"x\r", InputKind.CONTINUE),  # other keys wait for a real choice
        (b" ", InputKind.CONTINUE),
        (b"u", InputKind.UNDO),
        (b"q", InputKind.QUIT),
        (b"\x03", InputKind.QUIT),
    ]:
        press(master, keys)
        assert ui.show_feedback(feedback_view()).kind is kind
    assert "It pauses the view until the query finishes" in out.getvalue()
    assert "Enter or space continue" in out.getvalue()


def test_self_grade_keys(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    ui, out = make_ui(slave)
    press(master, b"x3")
    assert ui.ask_self_grade(feedback_view(rating="Good")) == 3
    press(master, b"\r")
    assert ui.ask_self_grade(feedback_view(rating="Hard")) == 2
    assert "1 Again" in out.getvalue() and "4 Easy" in out.getvalue()


def test_closed_terminal_quits(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    press(master, b"\x04")  # Ctrl-D
    ui, _ = make_ui(slave)
    assert ui.read_input(question_view()) == UserInput(InputKind.QUIT)
    assert KeyReader(slave).read(0.01) is None  # nothing left over to misread later


def test_whole_flow_honours_no_color_environment(
    terminal: tuple[int, int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    master, slave = terminal
    monkeypatch.setenv("FORCE_COLOR", "1")  # would colour even a captured stdout
    for no_color, coloured in (("", True), ("1", False)):
        monkeypatch.setenv("NO_COLOR", no_color)
        ui = TerminalUI(input_fd=slave)
        view = question_view()
        ui.show_question(view)
        press(master, b"a ")
        ui.read_input(view)
        ui.show_feedback(feedback_view(chosen="A", correct=True))
        ui.show_summary(SessionSummary(Mode.REVIEW, 1, 1, 9, "tomorrow", ("Badge",)))
        out = capsys.readouterr().out
        assert "Consider this Django async view snippet." in out
        assert bool(STYLE_CODE.search(out)) is coloured


def test_importing_the_screen_module_loads_neither_rich_nor_genanki() -> None:
    code = (
        "import sys, srs_trainer.tui.terminal_ui\n"
        "print(sorted(m for m in ('rich', 'pygments', 'genanki', 'termios') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert result.stdout.strip() == "[]"


def test_time_already_up_waits_for_a_late_answer_instead_of_timing_out_again(
    terminal: tuple[int, int],
) -> None:
    master, slave = terminal
    ui, out = make_ui(slave)
    view = question_view(time_limit=2, elapsed=2.5, message="Time is up: you can still answer")
    ui.show_question(view)
    press(master, b"a")
    assert ui.read_input(view) == UserInput(InputKind.ANSWER, "A")
    assert "Time is up" in out.getvalue()


def test_messages_survive_the_next_screen_clear(terminal: tuple[int, int]) -> None:
    _, slave = terminal
    out = io.StringIO()
    console = widgets.make_console(no_color=True, file=out, width=80, force_terminal=True)
    ui = TerminalUI(console=console, input_fd=slave)
    ui.show_message("Undone: that answer is taken back")
    ui.show_question(question_view())
    after_clear = out.getvalue().rsplit("\x1b[2J", 1)[1]
    assert "Undone: that answer is taken back" in after_clear
    ui.show_question(question_view())
    assert "Undone" not in out.getvalue().rsplit("\x1b[2J", 1)[1]  # shown once, not forever


def test_self_grade_shows_the_outcome_first(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    ui, out = make_ui(slave)
    press(master, b"1")
    assert ui.ask_self_grade(feedback_view(next_due_text="")) == 1
    assert "Not quite: the answer is A" in out.getvalue()


def test_author_markdown_is_styled_and_nothing_is_dropped() -> None:
    question = replace(
        QUESTION,
        prompt="What does **`await`** do in\nthis *view*? Keep <div> and [links](x).\n",
        choices=(Choice("A", "It `yields` to the loop"), Choice("B", "It **blocks**")),
        explanation="First line\njoined.\n\n```python\nx = await y\n```\n",
    )
    text = render(terminal_text.question_screen(question_view(question), UNICODE, 100))
    assert "What does await do in this view? Keep <div> and [links](x)." in text
    assert "A It yields to the loop" in text and "B It blocks" in text
    coloured = render(markup.markdown("a `b` **c**"), no_color=False)
    assert "`" not in coloured and "**" not in coloured and STYLE_CODE.search(coloured)
    feedback = render(feedback_screens.feedback_screen(feedback_view(question=question), UNICODE))
    assert "First line joined." in feedback and "x = await y" in feedback
    assert "```" not in feedback


def test_screenshot_script_exports_the_review_screen(
    tmp_path: Path, bundled_deck_source: Path
) -> None:
    script = bundled_deck_source.parent.parent / "docs" / "make_screenshot.py"
    output = tmp_path / "review.svg"
    subprocess.run(
        [sys.executable, str(script), "--output", str(output)], check=True, capture_output=True
    )
    svg = output.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "srs&#160;review" in svg
    for word in ("Async", "ORM", "Hint:", "Correct", "Comes&#160;back"):
        assert word in svg


def test_solution_steps_are_numbered_alike_whether_or_not_their_titles_number_themselves() -> None:
    question = replace(
        QUESTION,
        solution=(
            SolutionStep("Step 1: Read the view", "It is async."),
            SolutionStep("Step 2: Follow the await", "It yields."),
            SolutionStep("Final Answer", "A"),
            SolutionStep("Quick Check", "await = A"),
        ),
    )
    view = feedback_view(question=question, show_solution=True)
    text = render(feedback_screens.feedback_screen(view, UNICODE), width=60)
    rows = [line.strip("│ ") for line in text.splitlines()]
    steps = rows[rows.index("Solution") + 1 :][:4]
    assert steps == [
        "1. Read the view: It is async.",
        "2. Follow the await: It yields.",
        "3. Final Answer: A",
        "4. Quick Check: await = A",
    ]
    assert "Step 1" not in text


@pytest.mark.parametrize("ended_by", ["feedback", "undo"])
def test_a_question_asked_again_gets_its_full_time(
    terminal: tuple[int, int], ended_by: str
) -> None:
    master, slave = terminal
    now = [1000.0]
    ui, out = make_ui(slave, clock=lambda: now[0])
    view = question_view(time_limit=120)
    ui.show_question(view)
    now[0] += 100
    press(master, b"a" if ended_by == "feedback" else b"u")
    ui.read_input(view)
    if ended_by == "feedback":
        press(master, b"u")
        assert ui.show_feedback(feedback_view()).kind is InputKind.UNDO
    now[0] += 5
    ui.show_question(view)  # the same question at the same place: the session re-asks it
    press(master, b"a")
    ui.read_input(view)
    assert re.findall(r"(\d:\d\d) left", out.getvalue())[-1] == "2:00"


def _terminal_ui(slave: int, width: int, height: int = 35) -> tuple[TerminalUI, io.StringIO]:
    """A UI whose console believes it is a terminal, so it clears and redraws the screen."""
    out = io.StringIO()
    console = widgets.make_console(
        no_color=True, file=out, width=width, height=height, force_terminal=True
    )
    return TerminalUI(console=console, input_fd=slave), out


def _last_screen(out: io.StringIO) -> str:
    """What is on screen since the last clear, carriage-return redraws resolved."""
    screen = ANY_CONTROL.sub("", out.getvalue().rsplit("\x1b[2J", 1)[1])
    # Split at line breaks only: "\r" starts a redraw of the row it is on, not a new row.
    rows = screen.rstrip("\n").split("\n")
    return "\n".join(line.rsplit("\r", 1)[-1] for line in rows)


def test_feedback_keeps_the_question_but_not_its_keys_and_countdown(
    terminal: tuple[int, int],
) -> None:
    master, slave = terminal
    ui, out = _terminal_ui(slave, 100)
    view = question_view(wrong_letters=("B",), attempts_left=1, message="Not quite: 1 attempt left")
    ui.show_question(view)
    assert "1 attempt left" in _last_screen(out)  # the check below can fail
    press(master, b"a")
    ui.read_input(view)
    press(master, b" ")
    ui.show_feedback(feedback_view(chosen="A", correct=True, rating="Good"))
    screen = _last_screen(out)
    assert "Consider this Django async view snippet." in screen  # the question stays...
    assert "✓ A It pauses the view" in screen and "✗ B It runs the database" in screen
    assert "attempt" not in screen and " left" not in screen  # ...its countdown does not
    assert "A-D or 1-4 answer" not in screen and "Not quite" not in screen
    assert screen.rstrip().endswith("Enter or space continue   u undo   q quit")


def test_an_unknown_key_gets_a_line_of_its_own_that_fits_a_narrow_terminal(
    terminal: tuple[int, int],
) -> None:
    master, slave = terminal
    ui, out = _terminal_ui(slave, 50)
    view = question_view()
    ui.show_question(view)
    press(master, b"xa")
    assert ui.read_input(view) == UserInput(InputKind.ANSWER, "A")
    screen = _last_screen(out)
    lines = screen.splitlines()
    assert max(len(line) for line in lines) <= 50
    status = next(line for line in lines if "attempts left" in line)
    assert status.strip() == "0:05 left · 2 attempts left"  # nothing appended, nothing cut
    assert "…" not in screen
    message = next(index for index, line in enumerate(lines) if "not a key" in line)
    assert lines[message].strip() == "'x' is not a key here: use the keys below."
    keys = [line.strip() for line in lines[message + 1 :] if line.strip()][:2]
    # The keys listed under it, broken between keys, never inside one ("h" / "hint").
    assert keys == ["A-D or 1-4 answer   h hint   u undo   q quit", "0:05 left · 2 attempts left"]
    narrow = render(terminal_text.question_screen(view, UNICODE, 30), width=30)
    assert re.search(r"^A-D or 1-4 answer   h hint\s*\nu undo   q quit\s*$", narrow, re.M)


LONG_CODE = Question(
    id="mixed-calls",
    section=Section.CHALLENGE,
    title="Output of mixed sync and async calls in Django view",
    prompt="What will this view return?",
    code=Code(
        "async def my_view(request):\n"
        "    sync_data = MyModel.objects.filter(active=True).first()\n"
        "    return JsonResponse({'sync_id': sync_data.id if sync_data else None,"
        " 'async_id': async_data.id if async_data else None})\n"
    ),
    choices=(Choice("A", "An error"), Choice("B", "JSON")),
    answer="A",
)


def _panel_rows(text: str) -> list[str]:
    """The inside of the question panel, without its borders and padding."""
    inside = text.split("╮", 1)[1].split("╰", 1)[0]
    return [line[2:-2].rstrip() for line in inside.strip("\n").splitlines()]


def test_wrapped_code_keeps_its_indentation_and_marks_continuations() -> None:
    source = LONG_CODE.code.source  # type: ignore[union-attr]
    text = render(
        terminal_text.question_screen(question_view(LONG_CODE), UNICODE, 50), width=50
    )
    assert max(len(line) for line in text.splitlines()) <= 50
    rows = _panel_rows(text)
    code = rows[rows.index("async def my_view(request):") :]
    assert len(code) > 3  # wrapped: the check below can fail
    for row in code[1:]:  # never at column 0, where it would read as a new statement
        assert row.startswith("    "), f"a code row back at column 0: {row!r}\n{text}"
    assert code[1] == "    sync_data = MyModel.objects.filter("
    assert code[2] == "    ↪ active=True).first()"
    assert all(row.startswith("    ↪ ") for row in code[4:])
    # Nothing lost: the rows joined again are the source (breaks fall at spaces or after marks).
    assert "".join("".join(code).replace("↪", "").split()) == "".join(source.split())


def test_ascii_terminals_mark_continued_code_with_dots() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    console = widgets.make_console(no_color=True, file=out, width=50)
    console.print(code.code_block(LONG_CODE.code))  # type: ignore[arg-type]
    out.flush()
    wrapped = b"    sync_data = MyModel.objects.filter(\n    ... active=True).first()"
    assert wrapped in raw.getvalue()


def test_a_title_too_long_for_the_border_ends_with_an_ellipsis() -> None:
    text = render(
        terminal_text.question_screen(question_view(LONG_CODE), UNICODE, 50), width=50
    )
    top = next(line for line in text.splitlines() if line.startswith("╭"))
    assert top == "╭─ Output of mixed sync and async calls in Dja… ─╮"
    wide = render(terminal_text.question_screen(question_view(LONG_CODE), UNICODE, 100))
    assert "╭─ Output of mixed sync and async calls in Django view ─" in wide


# --- the screen after an answer fits the window ---------------------------------------------

LONG_EXPLANATION = Question(
    id="why-async",
    section=Section.CHALLENGE,
    title="Why use async views in Django?",
    kind="conceptual",
    level="intermediate",
    prompt="What is the main benefit of using async views in Django compared to traditional\n"
    "synchronous views?",
    code=Code("async def my_view(request):\n    await asyncio.sleep(0.5)\n    return None"),
    choices=(
        Choice("A", "Async views let Django handle many requests at once without waiting for slow "
               "operations to finish."),
        Choice("B", "Async views replace the need for caching in Django applications."),
        Choice("C", "Async views make Django use less memory by storing data asynchronously."),
        Choice("D", "Async views speed up database queries by running them in parallel."),
    ),
    answer="A",
    hint="Think about how waiting for slow tasks affects handling other users' requests.",
    explanation=(
        "**A.** While an async view awaits a slow operation (an HTTP call, `asyncio.sleep`, an\n"
        "awaited query), its coroutine is suspended and the event loop serves other requests.\n\n"
        "This needs an ASGI server (uvicorn, Daphne, Hypercorn). Under WSGI an async view gets no\n"
        "concurrency benefit: Django runs it in an event loop of its own per request, with a\n"
        "small performance penalty. Async does not replace caching (B), does not save memory by\n"
        '"storing data asynchronously" (C), and does not make a single query faster (D): each\n'
        "query takes as long as before; the server just doesn't sit idle while it runs.\n"
    ),
    common_mistakes=(
        "Expecting a single request to get faster because its view is `async def`.",
        "Forgetting that the benefit needs an ASGI server; under WSGI async views run slower.",
    ),
)


def _answer_twice_wrong(
    terminal: tuple[int, int], width: int, height: int, *, self_grade: bool = False
) -> str:
    """The window after answering C, then B, to LONG_EXPLANATION: what a terminal of that size
    shows (its last ``height`` rows: anything above scrolled away)."""
    master, slave = terminal
    ui, out = _terminal_ui(slave, width, height)
    view = question_view(LONG_EXPLANATION, hint_shown=True, wrong_letters=("C",), attempts_left=1)
    ui.show_question(view)
    press(master, b"b")
    ui.read_input(view)
    answered = feedback_view(question=LONG_EXPLANATION, chosen="B")
    if self_grade:
        press(master, b"1")
        ui.ask_self_grade(answered)
    else:
        press(master, b" ")
        ui.show_feedback(answered)
    lines = _last_screen(out).splitlines()
    assert max(len(line) for line in lines) <= width
    return "\n".join(lines[-height:])


@pytest.mark.parametrize(("width", "height"), [(50, 30), (80, 24), (60, 16)])
def test_feedback_on_a_short_window_keeps_verdict_answer_and_explanation_in_view(
    terminal: tuple[int, int], width: int, height: int
) -> None:
    window = _answer_twice_wrong(terminal, width, height)
    rows = window.splitlines()
    assert len(rows) <= height
    verdict = next((n for n, row in enumerate(rows) if "✗ Not quite: you chose B" in row), None)
    assert verdict is not None, f"the verdict scrolled away at {width}x{height}:\n{window}"
    if height >= 24:  # room for the marked choices above the feedback
        assert rows[0] == "Why use async views in Django?", window
        assert rows[1].startswith("✓ A Async views let Django")
        assert "✗ B Async views replace the need" in window
        assert "✗ C Async views make Django use less" in window
    assert rows[verdict + 1].startswith("│ Answer: A  Async views let Django")
    assert "While an async view awaits" in window  # the start of the explanation
    assert "more lines" in window  # cut, and saying so...
    assert rows[-3].startswith("│ Comes back again in 10 minutes")  # ...above when it comes back
    assert rows[-1].rstrip() == "Enter or space continue   u undo   q quit"  # the keys at the end
    # The question gave way, the code and the choices neither chosen nor right first.
    assert "async def my_view" not in window and "  D Async" not in window


def test_feedback_that_fits_keeps_the_full_layout(terminal: tuple[int, int]) -> None:
    window = _answer_twice_wrong(terminal, 100, 40)
    for shown in (
        "Why async matters in Django",  # the header
        "What is the main benefit of using async views",
        "async def my_view(request):",
        "  D Async views speed up database queries",
        "» Hint: Think about how waiting",
        "✗ Not quite: you chose B",
        "Common mistakes",
        "under WSGI async views run slower.",
    ):
        assert shown in window
    assert "more lines" not in window


def test_a_window_too_small_for_the_explanation_still_starts_with_the_verdict(
    terminal: tuple[int, int],
) -> None:
    window = _answer_twice_wrong(terminal, 40, 8)
    rows = window.splitlines()
    assert len(rows) <= 8
    assert "Not quite: you chose B" in rows[0] and rows[1].startswith("│ Answer: A  Async")
    assert "more lines" in window and rows[-2:] == ["Enter or space continue   u undo", "q quit"]


def test_self_grading_on_a_short_window_keeps_the_verdict_and_the_grades_in_view(
    terminal: tuple[int, int],
) -> None:
    # 13 rows: the verdict's 4 (its choice text hanging under it), the grades' 2, the choices' 7.
    window = _answer_twice_wrong(terminal, 50, 13, self_grade=True)
    rows = window.splitlines()
    assert rows[0].startswith("✓ A Async views let Django")  # the marked choices first
    assert "✗ B Async views" in window and "✗ C Async views" in window
    assert "  D Async" not in window  # neither right nor chosen: it gave way
    assert "✗ Not quite: the answer is A" in window
    assert rows[-2].startswith("How well did you know it?  1 Again") and "4 Easy" in rows[-1]


def test_a_message_after_a_full_window_of_feedback_gets_a_row_of_its_own(
    terminal: tuple[int, int],
) -> None:
    master, slave = terminal
    ui, out = _terminal_ui(slave, 50, 30)
    press(master, b" ")
    ui.show_feedback(feedback_view(question=LONG_EXPLANATION, chosen="B"))
    ui.show_message("A challenge answer stands: there is no undo.")
    assert _last_screen(out).splitlines()[-2:] == [
        "Enter or space continue   u undo   q quit",
        "A challenge answer stands: there is no undo.",
    ]


def test_wrapped_list_items_hang_under_their_text() -> None:
    explanation = (
        "**B** declares the view with `async def`.\n\n"
        "- A does not even compile.\n"
        "- C forgets `await`: `data` is a coroutine, so `data.id` raises\n"
        "  `AttributeError: 'coroutine' object has no attribute 'id'`, and Python warns\n"
        "  `RuntimeWarning: coroutine 'QuerySet.afirst' was never awaited`.\n"
        "  1. a numbered item long enough to wrap at fifty columns, under its text\n"
    )
    question = replace(QUESTION, explanation=explanation)
    screen = feedback_screens.feedback_screen(feedback_view(question=question), UNICODE)
    text = render(screen, width=50)
    rows = [line[2:-2].rstrip() for line in text.splitlines()]
    item = rows.index("- C forgets await: data is a coroutine, so")
    assert rows[item + 1 : item + 5] == [
        "  data.id raises AttributeError: 'coroutine'",
        "  object has no attribute 'id', and Python",
        "  warns RuntimeWarning: coroutine",
        "  'QuerySet.afirst' was never awaited.",
    ]
    assert rows[item + 5] == "  1. a numbered item long enough to wrap at"
    assert rows[item + 6] == "     fifty columns, under its text"


def test_a_wrapped_hint_hangs_under_its_first_row() -> None:
    view = question_view(
        replace(QUESTION, hint="Django guards its synchronous database methods against being "
                "called from a running event loop."),
        hint_shown=True,
    )
    text = render(terminal_text.question_screen(view, UNICODE, 50), width=50)
    rows = text.splitlines()
    hint = next(n for n, row in enumerate(rows) if row.startswith("» Hint:"))
    assert rows[hint].rstrip() == "» Hint: Django guards its synchronous database"
    assert rows[hint + 1].rstrip() == "        methods against being called from a"
    assert rows[hint + 2].rstrip() == "        running event loop."


def test_a_wrapped_answer_and_self_grade_verdict_hang_under_the_choice_text() -> None:
    view = feedback_view(question=LONG_EXPLANATION)
    text = render(feedback_screens.feedback_screen(view, UNICODE), width=50)
    rows = [line[2:-2].rstrip() for line in text.splitlines()]
    answer = rows.index("Answer: A  Async views let Django handle many")
    assert rows[answer + 1 : answer + 3] == [
        "           requests at once without waiting",
        "           for slow operations to finish.",
    ]
    verdict = render(feedback_screens.self_grade_verdict(view, UNICODE), width=70).splitlines()
    assert [row.rstrip() for row in verdict] == [
        "✗ Not quite: the answer is A  Async views let Django handle many",
        "                              requests at once without waiting for",
        "                              slow operations to finish.",
    ]
    # Too narrow to hang 30 columns in: the text starts a row below, under the verdict's words.
    verdict = render(feedback_screens.self_grade_verdict(view, UNICODE), width=50).splitlines()
    assert [row.rstrip() for row in verdict] == [
        "✗ Not quite: the answer is A",
        "  Async views let Django handle many requests at",
        "  once without waiting for slow operations to",
        "  finish.",
    ]
    # A choice without text: the answer alone, its code under it.
    code_only = feedback_view(question=CODE_CHOICES, chosen="A")
    text = render(feedback_screens.feedback_screen(code_only, UNICODE), width=50)
    assert re.search(r"│ Answer: B\s+│\n│ async def my_view\(request\):", text)


# --- the question being answered fits the window --------------------------------------------

TALL_CODE = replace(
    LONG_EXPLANATION,
    code=Code(
        "import asyncio\n"
        "from django.http import JsonResponse\n\n\n"
        "async def fetch_rates(client):\n"
        "    response = await client.get('https://rates.example/api/latest')  # slow\n"
        "    return response.json()\n\n\n"
        "async def my_view(request):\n"
        "    async with httpx.AsyncClient() as client:\n"
        "        rates = await fetch_rates(client)\n"
        "    await asyncio.sleep(0.5)\n"
        "    return JsonResponse({'ok': True, 'rates': rates})\n"
    ),
)


def _asking(
    terminal: tuple[int, int], width: int, height: int, view: QuestionView, keys: bytes = b"a"
) -> tuple[str, TerminalUI]:
    """The window while ``view`` waits for a key (its last ``height`` rows), then ``keys``."""
    master, slave = terminal
    ui, out = _terminal_ui(slave, width, height)
    ui.show_question(view)
    press(master, keys)
    ui.read_input(view)
    lines = _last_screen(out).splitlines()
    assert max(len(line) for line in lines) <= width
    return "\n".join(lines[-height:]), ui


@pytest.mark.parametrize(("width", "height"), [(50, 30), (80, 24)])
def test_a_question_on_a_short_window_keeps_its_prompt_choices_keys_and_countdown(
    terminal: tuple[int, int], width: int, height: int
) -> None:
    view = question_view(TALL_CODE, hint_shown=True, message="Not quite: 1 attempt left")
    window, _ = _asking(terminal, width, height, view, b"xa")
    rows = window.splitlines()
    assert len(rows) <= height
    # The top: the panel with the question's title, the prompt's start under it.
    assert rows[0].startswith("╭─ Why use async views in Django?"), window
    assert rows[1].startswith("│ What is the main benefit of using async views")
    for choice in TALL_CODE.choices:  # every choice, whole
        assert " ".join(choice.text.split()[:6]) in " ".join(window.split())
        assert choice.text.split()[-1] in window
    assert "import asyncio" in window  # the code's start...
    assert re.search(r"^│ … \d+ more lines", window, re.M)  # ...cut, and saying so
    assert "JsonResponse({'ok': True" not in window
    assert "Not quite: 1 attempt left" in window and "not a key here" in window
    assert rows[-2].rstrip() == "A-D or 1-4 answer   u undo   q quit"
    assert rows[-1].strip() == "0:05 left · 2 attempts left"
    # What matters least gave way first: the deck line, the blank rows, the hint but a row.
    assert "Why async matters in Django" not in window
    hint = next(row for row in rows if row.startswith("» Hint:"))
    assert hint.rstrip().endswith("…") or "requests." in hint


def test_a_window_too_small_for_every_choice_says_that_some_are_cut_off(
    terminal: tuple[int, int]
) -> None:
    without_code = replace(QUESTION, code=None)
    window, _ = _asking(terminal, 80, 7, question_view(without_code))
    rows = window.splitlines()
    assert len(rows) <= 7
    assert re.fullmatch(r"… \d+ more lines: a taller window shows them", rows[-3]), window
    assert QUESTION.choices[-1].text not in " ".join(window.split())  # D is what gave way
    assert rows[-2].startswith("A-D or 1-4 answer")


def test_a_question_that_fits_keeps_the_full_layout(terminal: tuple[int, int]) -> None:
    view = question_view(TALL_CODE, hint_shown=True)
    window, _ = _asking(terminal, 100, 35, view)
    full = render(terminal_text.question_screen(view, UNICODE, 100))
    assert window.startswith(full.rstrip("\n")[:200])
    assert "more lines" not in window and "Why async matters in Django" in window
    assert "JsonResponse({'ok': True, 'rates': rates})" in window
    assert "» Hint: Think about how waiting" in window


def test_a_question_too_tall_even_without_its_code_keeps_the_keys(
    terminal: tuple[int, int],
) -> None:
    view = question_view(TALL_CODE, message="'x' is not a key here: use the keys below.")
    window, _ = _asking(terminal, 50, 12, view)
    rows = window.splitlines()
    assert len(rows) <= 12
    assert rows[0].startswith("╭─ Why use async views") and "What is the main" in rows[1]
    assert "more lines" in rows[2] and "A Async views let Django" in window
    assert [row.rstrip() for row in rows[-3:-1]] == [
        "'x' is not a key here: use the keys below.",
        "A-D or 1-4 answer   h hint   u undo   q quit",
    ]
    assert rows[-1].strip() == "0:05 left · 2 attempts left"


def test_a_resized_window_fits_the_question_again(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    ui, out = _terminal_ui(slave, 100, 40)
    view = question_view(TALL_CODE)
    ui.show_question(view)
    assert "JsonResponse({'ok': True" in _last_screen(out)  # the check below can fail
    threading.Timer(0.05, setattr, (ui.console, "size", (50, 24))).start()
    press(master, b"")  # nothing typed: the resize is seen while waiting
    threading.Timer(0.6, os.write, (master, b"a")).start()
    ui.read_input(view)
    rows = _last_screen(out).splitlines()[-24:]
    assert rows[0].startswith("╭─ Why use async views in Django?") and len(rows) <= 24
    assert "more lines" in "\n".join(rows) and "JsonResponse({'ok': True" not in "\n".join(rows)
    assert rows[-1].strip() == "0:05 left · 2 attempts left"
