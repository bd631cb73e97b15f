"""The interactive review screen: single keys, a live countdown, colours (``SessionUI``).

``TerminalUI`` draws the views of ``session_ui`` with rich (see ``screens`` and
``feedback``) and reads single key presses from the terminal in non-canonical mode. The
terminal is switched only while a key is awaited and always switched back (on return, on
Ctrl-C, on exceptions), so a crash never leaves the learner's shell without echo.

Importing this module is cheap: rich, Pygments, termios and select are imported when a
``TerminalUI`` is built or used, never at import time.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from ..deck.model import LETTERS, QuestionType
from ..trainer.views import FeedbackView, InputKind, QuestionView, SessionSummary, UserInput
from . import card_types

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

CTRL_C = "\x03"
CTRL_D = "\x04"
ENTER_KEYS = ("\r", "\n", " ")
LINE_END_KEYS = ("\r", "\n")
BACKSPACE_KEYS = ("\x7f", "\x08")
TAB = "\t"
QUIT_KEYS = ("q", "Q", CTRL_C, CTRL_D)
EOF = CTRL_D  # what a closed terminal reads as: the learner is gone, so quit


@contextmanager
def single_keys(fd: int) -> Iterator[None]:
    """Deliver key presses one by one, unechoed, with Ctrl-C as a key instead of a signal.

    Output processing is left on, so printing while keys are awaited still works. When ``fd``
    is not a terminal there is nothing to switch and keys are read as they come.
    """
    import termios

    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        yield
        return
    mode = termios.tcgetattr(fd)
    mode[0] &= ~(termios.ICRNL | termios.IXON)  # Enter reads as "\r"; Ctrl-S must not freeze
    mode[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN)
    mode[6][termios.VMIN] = 1
    mode[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, mode)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class KeyReader:
    """Reads single keys from a file descriptor, with a timeout, skipping escape sequences."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._pending = ""

    def read(self, timeout: float | None) -> str | None:
        """The next key, or None when ``timeout`` seconds pass without one."""
        import select

        while not self._pending:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.fd, 256)
            if not chunk:
                return EOF
            self._pending = _drop_escape_sequences(chunk.decode("utf-8", errors="ignore"))
        key, self._pending = self._pending[0], self._pending[1:]
        return key


def _drop_escape_sequences(text: str) -> str:
    """Remove arrow keys, function keys and the like (``ESC [ ... final``) from typed text."""
    kept: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "\x1b":
            kept.append(char)
            index += 1
            continue
        index += 1
        if index < len(text) and text[index] in "[O":
            index += 1
            while index < len(text) and not (text[index].isalpha() or text[index] == "~"):
                index += 1
            index += 1  # the final byte
    return "".join(kept)


class TerminalUI:
    """A ``SessionUI`` for a learner at a terminal."""

    def __init__(
        self,
        *,
        no_color: bool | None = None,
        console: Console | None = None,
        input_fd: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from . import feedback, screens, widgets

        self._text = screens
        self._feedback = feedback
        if no_color is None:
            no_color = bool(os.environ.get("NO_COLOR"))
        self.console = console or widgets.make_console(no_color=no_color)
        self.symbols = widgets.symbols_for(self.console)
        self._fd = sys.stdin.fileno() if input_fd is None else input_fd
        self._keys = KeyReader(self._fd)
        self._clock = clock
        # The question on screen and when it was first drawn, so that redrawing it (hint, wrong
        # attempt) never restarts its clock even if the session passes no elapsed time. Reset
        # when the question is over (feedback, undo, quit): asked again, it starts afresh.
        self._asking: tuple[tuple[str, int], float] | None = None
        self._messages: list[str] = []
        # The question last drawn, redrawn above its feedback (without the keys and countdown
        # that were for answering it).
        self._view: QuestionView | None = None
        # The last row drawn ends without a line break (a feedback filling the window).
        self._line_open = False
        self._typing: str | None = None

    # --- SessionUI ---------------------------------------------------------------------------

    def show_question(self, view: QuestionView) -> None:
        self._started(view)
        self._view = view
        reserved = self._message_rows()  # repeated above the question by the clear
        self._clear()
        self._messages.clear()
        self._print_question(view, reserved=reserved)

    def read_input(self, view: QuestionView) -> UserInput:
        spent = max(view.elapsed, self._clock() - self._started(view))
        ends_at = None if view.time_limit is None else self._clock() + view.time_limit - spent
        time_up = False
        if ends_at is not None and ends_at <= self._clock():
            # TIMEOUT is reported once, when the countdown reaches zero. A session that lets
            # the learner answer late asks again: wait for that answer without a countdown.
            ends_at = None
            time_up = True
        size = self.console.size
        drawn = flash = ""
        # A typed card's answer as typed so far, shown on the status line; kept when the
        # time runs out (a review still takes the late answer), dropped after each answer.
        if view.question.type is not QuestionType.TYPED:
            self._typing = None
        elif self._typing is None:
            self._typing = ""
        try:
            with single_keys(self._fd):
                while True:
                    remaining = None if ends_at is None else ends_at - self._clock()
                    drawn = self._draw_status(view, remaining, time_up, unless=drawn)
                    if remaining is not None and remaining <= 0:
                        self.console.line()
                        return UserInput(InputKind.TIMEOUT)
                    key = self._keys.read(_next_wait(remaining))
                    if self.console.is_terminal and self.console.size != size:
                        # Resized: wrap everything again for the new width.
                        size, drawn = self.console.size, ""
                        self._redraw_question(view, flash)
                    if key is None:
                        continue
                    result = self._question_key(key, view)
                    if result is None:  # a key typed into the answer: the status line shows it
                        continue
                    if isinstance(result, UserInput):
                        self.console.line()
                        if result.kind in (InputKind.UNDO, InputKind.QUIT):
                            self._asking = None
                            self._typing = None
                        return result
                    if result != flash:
                        # A line of its own, wrapped like the question, never cut off at the
                        # end of the countdown line.
                        flash, drawn = result, ""
                        if self.console.is_terminal:
                            self._redraw_question(view, flash)
                        else:  # a recording: no screen to redraw
                            self.console.print(self._text.flash_line(flash))
        except KeyboardInterrupt:
            self.console.line()
            self._asking = None
            return UserInput(InputKind.QUIT)

    def show_feedback(self, view: FeedbackView) -> UserInput:
        self._asking = None
        self._typing = None
        self._answered(view)
        size = self.console.size
        try:
            with single_keys(self._fd):
                while True:
                    key = self._keys.read(RESIZE_CHECK if self.console.is_terminal else None)
                    if self.console.is_terminal and self.console.size != size:
                        size = self.console.size  # resized: fit the new window
                        self._answered(view)
                    if key in ENTER_KEYS:
                        return UserInput(InputKind.CONTINUE)
                    if key in ("u", "U"):
                        return UserInput(InputKind.UNDO)
                    if key in QUIT_KEYS:
                        return UserInput(InputKind.QUIT)
        except KeyboardInterrupt:
            return UserInput(InputKind.QUIT)

    def ask_self_grade(self, view: FeedbackView) -> int:
        """1-4 pick the rating; Enter takes the rating the answer earned.

        The protocol has no way to quit here, so Ctrl-C raises ``KeyboardInterrupt`` (with the
        terminal already restored) for the session to handle like any interrupt.
        """
        grades = self._feedback.SELF_GRADES
        self._answered(view, self_grade=True)
        with single_keys(self._fd):
            while True:
                key = self._keys.read(None)
                if key is not None and key in ("1", "2", "3", "4"):
                    return int(key)
                if key in ("\r", "\n") and view.rating in grades:
                    return grades.index(view.rating) + 1
                if key in (CTRL_C, CTRL_D):
                    raise KeyboardInterrupt

    def show_message(self, text: str) -> None:
        self._messages.append(text)
        self._print_message(text)

    def _print_message(self, text: str) -> None:
        from rich.text import Text

        if self._line_open:  # below the keys of a feedback, not after them on their row
            self.console.line()
            self._line_open = False
        self.console.print(Text(text, style=self._text.STYLE_WARN))

    def show_summary(self, summary: SessionSummary) -> None:
        # The last question's keys and countdown would stand above the summary: clear them.
        self._clear()
        self._messages.clear()
        self.console.print(self._text.summary_screen(summary, self.symbols))

    # --- helpers -----------------------------------------------------------------------------

    def _clear(self) -> None:
        """Clear the screen (at a terminal), repeating the messages shown since the last clear.

        Messages ("Undone: ...", start-up notes) would be wiped with the screen otherwise.
        """
        if self.console.is_terminal:
            self._wipe()
            for text in self._messages:
                self._print_message(text)

    def _redraw_question(self, view: QuestionView, flash: str) -> None:
        """The question again, wrapped for the current width, with ``flash`` as a message."""
        self._wipe()
        message = "\n".join(part for part in (view.message, flash) if part)
        self._print_question(replace(view, message=message))

    def _print_question(self, view: QuestionView, *, reserved: int = 0) -> None:
        """The question and its keys; at a terminal, fitted to the window's height less
        ``reserved`` rows (messages above it), with a row left for the status line."""
        height = self.console.height - reserved if self.console.is_terminal else None
        if height is not None:
            height = max(2, height)
        self.console.print(self._text.QuestionScreen(view, self.symbols, height=height))

    def _message_rows(self) -> int:
        """The rows the messages repeated at the top of the screen take."""
        if not self._messages or not self.console.is_terminal:
            return 0
        from rich.text import Text

        return sum(
            len(self.console.render_lines(Text(text), pad=False)) for text in self._messages
        )

    def _answered(self, view: FeedbackView, *, self_grade: bool = False) -> None:
        """The feedback (or the verdict to grade oneself by) and its keys.

        At a terminal, on a cleared screen under the question just answered with its marks,
        without the keys, messages and countdown that were for answering it; all of it fitted
        to the window's height, so that the verdict never scrolls away. Elsewhere (a pipe, a
        recording) printed after what is there already, in full.
        """
        text = self._feedback
        if not self.console.is_terminal:
            if self_grade:
                self.console.print(text.self_grade_verdict(view, self.symbols))
                self.console.print(text.self_grade_prompt(view))
            else:
                self.console.print(text.feedback_screen(view, self.symbols))
                self.console.print(text.feedback_keys(view))
            return
        shown = self._view
        if shown is not None and shown.question != view.question:
            shown = None
        self._wipe()
        screen = text.AnsweredScreen(
            view, self.symbols, shown=shown, height=self.console.height, self_grade=self_grade
        )
        self.console.print(screen)
        self._line_open = True

    def _wipe(self) -> None:
        self.console.clear()
        self._line_open = False

    def _started(self, view: QuestionView) -> float:
        """When the question of ``view`` was first drawn (now, if it is a new question)."""
        key = (view.question.id, view.position)
        if self._asking is None or self._asking[0] != key:
            self._asking = (key, self._clock())
        return self._asking[1]

    def _typed_key(self, key: str) -> UserInput | str | None:
        """A key at a typed card: edits the answer line (None), or ends it (docs/trainer.md:
        ``h``, ``u``, ``q`` alone are commands, as in line mode)."""
        typing = self._typing or ""
        if key in (CTRL_C, CTRL_D):
            return UserInput(InputKind.QUIT)
        if key == TAB:
            return UserInput(InputKind.HINT)
        if key in BACKSPACE_KEYS:
            self._typing = typing[:-1]
            return None
        if key in LINE_END_KEYS:
            if not typing.strip():
                return "Type your answer, then Enter."
            self._typing = ""
            return card_types.typed_input(typing)
        if key.isprintable():
            self._typing = typing + key
        return None

    def _rating_key(self, key: str, view: QuestionView) -> UserInput | str:
        """A key at a recall or cloze card: reveal, then rate 1-4."""
        if key in ENTER_KEYS and not view.revealed:
            return UserInput(InputKind.REVEAL)
        if key in ("1", "2", "3", "4"):
            if not view.revealed:
                return "Recall it first, then show the answer (space or Enter)."
            return UserInput(InputKind.RATE, rating=int(key))
        if key in ("h", "H") and view.revealed:
            return _not_a_key(key)
        return _hint_undo_quit(key, view)

    def _question_key(self, key: str, view: QuestionView) -> UserInput | str | None:
        """The input a key stands for, or a short message when the key does nothing here
        (None: a key typed into a typed card's answer)."""
        if view.question.type is QuestionType.TYPED:
            return self._typed_key(key)
        if view.self_rated:
            return self._rating_key(key, view)
        count = len(view.question.choices)
        letter = ""
        if key.upper() in LETTERS[:count]:
            letter = key.upper()
        elif key.isdigit() and 1 <= int(key) <= count:
            letter = LETTERS[int(key) - 1]
        if letter:
            if letter in view.wrong_letters:
                return f"{letter} was already tried: pick another choice."
            return UserInput(InputKind.ANSWER, letter)
        return _hint_undo_quit(key, view)

    def _draw_status(
        self, view: QuestionView, remaining: float | None, time_up: bool, *, unless: str = ""
    ) -> str:
        """Redraw the countdown line in place (carriage return, no cursor movement codes).

        Nothing is drawn when the line would read ``unless`` (what is already on screen).
        Returns the line's text.
        """
        from rich.control import Control, ControlType

        line: Text = self._text.status_line(view, remaining, self.symbols, time_up=time_up,
                                            typed=self._typing)
        if line.plain == unless:
            return unless
        text = line.plain
        # One character short of the width, so the line never wraps and "\r" reaches its start.
        width = max(1, self.console.width - 1)
        line.truncate(width, overflow="ellipsis")
        line.pad_right(width - line.cell_len)
        self.console.control(Control(ControlType.CARRIAGE_RETURN))
        self.console.print(line, end="", no_wrap=True, overflow="ellipsis")
        if not self.console.is_terminal:
            self.console.line()  # a recording or a pipe: one status line per redraw
        return text


RESIZE_CHECK = 0.25  # seconds between looks at the terminal's size while waiting for a key


def _next_wait(remaining: float | None) -> float:
    """Seconds until the shown countdown (whole seconds, rounded up) changes, or a resize look."""
    if remaining is None:
        return RESIZE_CHECK
    return min(RESIZE_CHECK, max(0.01, remaining - math.ceil(remaining) + 1 + 0.005))


def _hint_undo_quit(key: str, view: QuestionView) -> UserInput | str:
    """The keys every card takes besides its answer: hint, undo, quit; else a short message."""
    if key in ("h", "H"):
        if not view.has_hint:
            return "No hint for this question."
        if view.hint_shown:
            return "The hint is shown above"
        return UserInput(InputKind.HINT)
    if key in ("u", "U"):
        return UserInput(InputKind.UNDO)
    if key in QUIT_KEYS:
        return UserInput(InputKind.QUIT)
    return _not_a_key(key)


def _not_a_key(key: str) -> str:
    # The keys are listed right below the message: point there rather than repeat them.
    named = f"'{key}' is" if key.isprintable() and key.strip() else "That"
    return f"{named} not a key here: use the keys below."
