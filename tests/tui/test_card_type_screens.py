"""The terminal screen for recall, typed and cloze cards: what is drawn, and which keys do
what (keys through a real pseudo-terminal, as in test_ui_terminal)."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from srs_trainer.deck.sources import parse_deck
from srs_trainer.trainer.asked_question import AskedQuestion
from srs_trainer.trainer.views import FeedbackView, InputKind, Mode, QuestionView, UserInput
from srs_trainer.tui import card_types, screens, widgets
from srs_trainer.tui import feedback as feedback_screens
from srs_trainer.tui.line_ui import LineUI
from srs_trainer.tui.terminal_ui import TerminalUI
from trainer_helpers import MIXED_YAML, NOW

DECK = parse_deck(MIXED_YAML, "mixed.yaml")
PICK, RECALL, TYPED, CLOZE = DECK.questions
SYMBOLS = widgets.UNICODE_SYMBOLS


def view(question, cloze: int | None = None,  # type: ignore[no-untyped-def]
         **changes: object) -> QuestionView:
    """The view a session shows (``AskedQuestion.view``), with ``changes``."""
    asked = AskedQuestion.show(question, Mode.REVIEW, NOW, cloze)
    base = replace(asked.view("Mixed deck", 1, 6, NOW), time_limit=5)
    return replace(base, **changes)  # type: ignore[arg-type]


def answered(question, **changes: object) -> FeedbackView:  # type: ignore[no-untyped-def]
    base = FeedbackView(question, Mode.REVIEW, None, False, "Again", "in 1 minute", False, 4.0)
    return replace(base, **changes)  # type: ignore[arg-type]


def render(renderable: object, *, no_color: bool = True) -> str:
    out = io.StringIO()
    console = widgets.make_console(no_color=no_color, file=out, width=90, force_terminal=True)
    console.print(renderable)
    return out.getvalue()


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def ui_on(slave: int) -> tuple[TerminalUI, io.StringIO]:
    out = io.StringIO()
    return TerminalUI(console=widgets.make_console(no_color=True, file=out, width=90),
                      input_fd=slave), out


def press(master: int, keys: bytes) -> None:
    threading.Timer(0.05, os.write, (master, keys)).start()


# --- drawn ---------------------------------------------------------------------------------


def test_cloze_blanks_the_asked_deletion_and_shows_its_hint_after_h() -> None:
    text = render(screens.QuestionScreen(view(CLOZE, cloze=2), SYMBOLS))
    assert "The event loop runs [...] and callbacks." in text
    assert "h hint" in text and "space or Enter show the answer" in text
    text = render(screens.QuestionScreen(view(CLOZE, cloze=2, hint_shown=True), SYMBOLS))
    assert "The event loop runs [what async def makes] and callbacks." in text
    text = render(screens.QuestionScreen(view(CLOZE, cloze=3, revealed=True), SYMBOLS))
    assert "The event loop runs coroutines and [callbacks]." in text
    assert "1-4 rate" in text


def test_recall_shows_its_answer_once_revealed() -> None:
    hidden = render(screens.QuestionScreen(view(RECALL), SYMBOLS))
    assert "What does await do?" in hidden and "It suspends" not in hidden
    shown = render(screens.QuestionScreen(view(RECALL, revealed=True), SYMBOLS))
    assert "It suspends the coroutine until the awaitable is done." in shown


def test_typed_feedback_shows_a_character_diff_readable_without_colour() -> None:
    feedback = answered(TYPED, typed="asyncio.gahter")
    plain = render(feedback_screens.feedback_screen(feedback, SYMBOLS))
    assert "Not quite" in plain and "asyncio.gather" in plain
    assert "asyncio.ga{+t+}h[-t-]er" in plain  # the marks say it without colour
    coloured = render(feedback_screens.feedback_screen(feedback, SYMBOLS), no_color=False)
    assert "\x1b[" in coloured  # ... and colour marks it too
    right = render(feedback_screens.feedback_screen(
        answered(TYPED, typed="asyncio.gather", correct=True, rating="Good"), SYMBOLS))
    assert "Correct" in right and "Diff" not in right


def test_the_status_line_shows_the_answer_being_typed() -> None:
    line = screens.status_line(view(TYPED), 3.0, SYMBOLS, typed="asyn")
    assert line.plain.startswith("Your answer: asyn_")
    assert "2 attempts left" in line.plain
    assert "attempt" not in screens.status_line(view(RECALL), 3.0, SYMBOLS).plain


def test_nearest_accepted_answer_and_typed_commands() -> None:
    assert card_types.nearest_answer(TYPED, "gahter") == "gather"
    assert card_types.nearest_answer(TYPED, "asyncio.gahter") == "asyncio.gather"
    assert card_types.typed_input("q") == UserInput(InputKind.QUIT)
    assert card_types.typed_input(" h ") == UserInput(InputKind.HINT)
    assert card_types.typed_input("=q") == UserInput(InputKind.TEXT, text="q")


# --- keys -----------------------------------------------------------------------------------


def test_typed_card_keys_edit_an_answer_line(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    ui, out = ui_on(slave)
    question = view(TYPED)
    ui.show_question(question)
    press(master, b"\rgathx\x7fer\r")  # Enter on an empty line, a typo and Backspace
    assert ui.read_input(question) == UserInput(InputKind.TEXT, text="gather")
    assert "Type your answer, then Enter." in out.getvalue()
    press(master, b"\t")
    assert ui.read_input(question) == UserInput(InputKind.HINT)
    press(master, b"q\r")
    assert ui.read_input(question) == UserInput(InputKind.QUIT)


def test_recall_and_cloze_keys_reveal_then_rate(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    ui, out = ui_on(slave)
    question = view(CLOZE, cloze=2)
    ui.show_question(question)
    press(master, b"3 ")
    assert ui.read_input(question) == UserInput(InputKind.REVEAL)
    assert "Recall it first" in out.getvalue()
    press(master, b"h")
    assert ui.read_input(question) == UserInput(InputKind.HINT)
    shown = view(RECALL, revealed=True)
    ui.show_question(shown)
    press(master, b"x4")
    assert ui.read_input(shown) == UserInput(InputKind.RATE, rating=4)
    no_hint = view(CLOZE, cloze=1)
    press(master, b"h\r")
    assert ui.read_input(no_hint) == UserInput(InputKind.REVEAL)
    assert "No hint for this question." in out.getvalue()


def test_line_mode_at_a_terminal_still_pauses_after_feedback() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = io.StringIO()
    ui = LineUI(Terminal("\n"), out)
    assert ui.pause and not ui.echo
    assert ui.show_feedback(answered(TYPED, typed="x")).kind is InputKind.CONTINUE
    assert "[Enter] continue" in out.getvalue()
    piped = LineUI(io.StringIO(""), io.StringIO())
    assert not piped.pause and piped.echo
