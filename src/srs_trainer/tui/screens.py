"""Rich renderables for the review screen: question, feedback, summary and the status line.

Everything here is pure: a view goes in, a renderable comes out. ``ui_terminal.TerminalUI``
prints them to the terminal, tests print them to a recording console, and
``docs/make_screenshot.py`` exports them as SVG, so all three show exactly the same screen.

This module imports rich (and, through ``Syntax``, Pygments) at the top: import it only from
code that is about to draw, never from the trainer's start-up path.

Learner content (prompts, choices, explanations) is always wrapped in ``Text`` objects and
never parsed as console markup, since quiz text is full of ``[brackets]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from copy import copy
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from ..deck.model import LETTERS, Code, Question
from ..trainer.views import FeedbackView, Mode, QuestionView, SessionSummary
from .line_ui import MARKDOWN_FENCE as _FENCE
from .line_ui import MARKDOWN_INLINE as _INLINE
from .line_ui import step_title

# Styles are semantic so that a colourless console still shows the meaning through words and
# symbols: colour only ever repeats what the text already says.
STYLE_TITLE = "bold"
STYLE_DIM = "dim"
STYLE_RIGHT = "bold green"
STYLE_WRONG = "bold red"
STYLE_TRIED = "red strike"
STYLE_HINT = "yellow"
STYLE_WARN = "bold yellow"
STYLE_BADGE = "bold magenta"
SYNTAX_THEME = "ansi_dark"  # ANSI colours follow the terminal's palette, light or dark


@dataclass(frozen=True)
class Symbols:
    """Marks drawn on screen; plain ASCII when the terminal cannot encode Unicode."""

    right: str = "✓"
    wrong: str = "✗"
    bar_done: str = "█"
    bar_todo: str = "░"
    bullet: str = "•"
    hint: str = "»"
    badge: str = "★"
    sep: str = "·"
    more: str = "…"  # text cut off here


UNICODE_SYMBOLS = Symbols()
ASCII_SYMBOLS = Symbols(
    right="OK",
    wrong="X",
    bar_done="#",
    bar_todo="-",
    bullet="-",
    hint=">",
    badge="*",
    sep="|",
    more="...",
)


def symbols_for(console: Console) -> Symbols:
    return UNICODE_SYMBOLS if console.encoding.lower().startswith("utf") else ASCII_SYMBOLS


def format_seconds(seconds: float) -> str:
    """``125`` -> ``"2:05"``; hours appear only when needed (``"1:02:05"``)."""
    whole = max(0, int(seconds + 0.999)) if seconds > 0 else 0
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_bar(position: int, total: int, width: int, symbols: Symbols) -> Text:
    """``3/10 ███░░░░░░░``: a bar readable without colour (done and to-do differ in shape)."""
    total = max(total, position, 1)
    done = round(width * (position - 1) / total) if width > 0 else 0
    bar = Text(f"{position}/{total} ")
    bar.append(symbols.bar_done * done, style="green")
    bar.append(symbols.bar_todo * max(0, width - done), style=STYLE_DIM)
    return bar


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
STYLE_CODE = "bold cyan"


def markdown(text: str) -> RenderableType:
    """Author Markdown for the terminal: paragraphs, lists, `code`, **bold**, *em*, fences.

    A deliberately small subset: everything else (``<div>``, links, tables) is shown exactly
    as written, never dropped, so no word of a question goes missing on screen. Lines of a
    paragraph are joined, so hard-wrapped YAML text re-wraps to the terminal's width.
    """
    parts: list[RenderableType] = []
    position = 0
    for fence in _FENCE.finditer(text):
        if prose := text[position : fence.start()].strip():
            parts.append(_prose(prose))
        parts.append(code_block(Code(fence.group(2), fence.group(1) or "text")))
        position = fence.end()
    if prose := text[position:].strip():
        parts.append(_prose(prose))
    if len(parts) == 1:
        return parts[0]
    spaced: list[RenderableType] = []
    for part in parts:
        spaced += [part, Text("")]
    return Group(*spaced[:-1])


def _prose(text: str) -> RenderableType:
    rows: list[RenderableType] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines: list[str] = []
        for raw in block.splitlines():
            if lines and not _LIST_ITEM.match(raw) and not raw.startswith("    "):
                lines[-1] = f"{lines[-1].rstrip()} {raw.strip()}"
            else:
                lines.append(raw.rstrip())
        if rows:
            rows.append(Text(""))
        for line in lines:
            # A list item's wrapped rows hang under its text, never back at the marker.
            if item := _LIST_ITEM.match(line):
                lead = item.group(0)
                rows.append(Hanging(Text(lead), inline_markdown(line[len(lead) :].lstrip())))
            else:
                rows.append(inline_markdown(line))
    return rows[0] if len(rows) == 1 else Group(*rows)


class Hanging:
    """``lead`` followed by ``body``, the body's wrapped rows indented to start under its
    first row (a list item under its text, not its marker; a hint under "Hint:")."""

    MIN_ROOM = 12  # columns the body keeps; narrower, it wraps under the lead instead

    def __init__(
        self, lead: Text, body: Text, *, min_room: int = MIN_ROOM, narrow: int | None = None
    ) -> None:
        """``min_room``: the fewest columns the body hangs in. With less, the whole wraps from
        column 0 or, given ``narrow``, the lead stands on a row of its own and the body hangs
        ``narrow`` columns in under it."""
        self.lead = lead
        self.body = body
        self.min_room = min_room
        self.narrow = narrow

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        indent = self.lead.cell_len
        body = Measurement.get(console, options, self.body)
        return Measurement(body.minimum + indent, body.maximum + indent).clamp(
            max_width=options.max_width
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        lead = self.lead
        indent = lead.cell_len
        room = options.max_width - indent
        if room < self.min_room and self.narrow is not None and self.narrow < indent:
            lead = lead.copy()
            lead.rstrip()
            lead.no_wrap = True
            lead.overflow = "fold"
            lead.end = "\n"
            yield lead
            lead = Text(" " * self.narrow)
            indent = self.narrow
            room = options.max_width - indent
        elif room < self.min_room:
            whole = self.lead.copy()
            whole.append_text(self.body)
            yield whole
            return
        if room < 1:
            yield self.body
            return
        for number, line in enumerate(self.body.wrap(console, room, overflow="fold")):
            row = lead.copy() if number == 0 else Text(" " * indent)
            row.append_text(line)
            row.rstrip()
            row.no_wrap = True
            row.end = "\n"
            yield row


def inline_markdown(text: str) -> Text:
    """``code``, **bold** and *em* as styles; the markers themselves are not shown."""
    result = Text()
    position = 0
    for match in _INLINE.finditer(text):
        result.append(text[position : match.start()])
        if match.group(2) is not None:
            result.append(match.group(2).strip(" ") or match.group(2), style=STYLE_CODE)
        else:  # bold or em may hold code: style what the inner markup produced
            bold = match.group(3) is not None
            inner = inline_markdown(match.group(3) if bold else match.group(4))
            inner.stylize("bold" if bold else "italic")
            result.append_text(inner)
        position = match.end()
    result.append(text[position:])
    return result


def code_block(code: Code) -> CodeBlock:
    return CodeBlock(code)


CONTINUATION = "↪ "  # starts a row that continues the code line above it
ASCII_CONTINUATION = "... "  # the Python prompt's own mark for a continued line
MIN_CODE_ROOM = 16  # columns of code a continuation row keeps, however deep the indentation


class CodeBlock:
    """Highlighted code whose long lines wrap under their own indentation, marked ``↪``.

    A wrapped row starting at column 0 would read as a new statement (in Python, as leaving
    the block): a continuation row starts at its line's indentation with the mark instead.
    Rows break between words, like prose; a word too long for a row of its own breaks after
    one of ``,.([{``, else anywhere.
    """

    def __init__(self, code: Code) -> None:
        self.language = code.language or "text"
        self.source = code.source.rstrip("\n").expandtabs(4)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in self.source.splitlines()), default=0)
        return Measurement(min(widest, MIN_CODE_ROOM), widest).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        syntax = Syntax(
            self.source, self.language, theme=SYNTAX_THEME, background_color="default"
        )
        highlighted = syntax.highlight(self.source)
        highlighted.rstrip()  # the lexer's closing newline
        mark = CONTINUATION if options.encoding.lower().startswith("utf") else ASCII_CONTINUATION
        for line in highlighted.split("\n", allow_blank=True):
            for row in wrap_code_line(line, options.max_width, mark):
                row.no_wrap = True
                row.end = "\n"
                yield row


def wrap_code_line(line: Text, width: int, mark: str = CONTINUATION) -> list[Text]:
    """``line`` in rows of at most ``width`` cells; rows after the first are indented like
    the line and start with ``mark``."""
    plain = line.plain
    if cell_len(plain) <= width:
        return [line]
    indent = len(plain) - len(plain.lstrip(" "))
    # A deep indentation gives way rather than leave no room for the code itself.
    prefix = " " * min(indent, max(0, width - len(mark) - MIN_CODE_ROOM)) + mark
    if len(prefix) >= width:  # absurdly narrow: no room for the mark either
        prefix = ""
    rows: list[Text] = []
    start = 0
    while start < len(plain):
        room = width - (len(prefix) if rows else 0)
        end = _row_end(plain, start, room, width - len(prefix))
        piece = line[start:end]
        piece.rstrip()
        if rows:
            row = Text(prefix[: -len(mark)] if prefix else "")
            row.append(prefix[-len(mark) :] if prefix else "", style=STYLE_DIM)
            row.append_text(piece)
            piece = row
        rows.append(piece)
        start = end
        while start < len(plain) and plain[start] == " ":
            start += 1
    return rows


def _row_end(plain: str, start: int, room: int, next_room: int) -> int:
    """Where the row starting at ``start`` ends, to take at most ``room`` cells (the rows
    after it have ``next_room``)."""
    end = start
    used = 0
    while end < len(plain) and used + cell_len(plain[end]) <= room:
        used += cell_len(plain[end])
        end += 1
    if end >= len(plain):
        return len(plain)
    end = max(end, start + 1)  # always progress, even by one wide character
    text = plain[start:end]
    least = max(1, len(text) // 3)  # a break this early would waste the row
    space = text.rfind(" ")
    if not text[:space].strip():  # a break inside the indentation is no break
        space = -1
    if space >= least:
        following = plain[start + space + 1 :].split(" ", 1)[0]
        # Between words when the next word then fits whole, or the row is mostly full.
        if cell_len(following) <= next_room or space >= 2 * len(text) // 3:
            return start + space
    after = max(text.rfind(mark) for mark in ",.([{") + 1  # a row may end with the mark
    best = max(space, after)
    return start + best if best >= least else end


class FittedPanel(Panel):
    """A Panel whose title and subtitle, when too long for its top border, end with ``…``
    (rich would cut them off mid-word without a sign)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions):  # type: ignore[override]
        width = options.max_width if self.width is None else min(options.max_width, self.width)
        room = width - 6  # two corners, a border dash each side, a space each side
        panel = self
        for name in ("title", "subtitle"):
            label = getattr(self, name)
            if isinstance(label, Text) and label.cell_len > room > 0:
                fitted = label.copy()
                fitted.truncate(room, overflow="ellipsis")
                if panel is self:
                    panel = copy(self)
                setattr(panel, name, fitted)
        yield from Panel.__rich_console__(panel, console, options)


def _header(deck_title: str, mode: Mode, right: Text, width: int) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_column(justify="right", no_wrap=True)
    left = Text(deck_title, style=STYLE_TITLE)
    left.append(f" {mode.value}", style=STYLE_DIM)
    if width < 60:  # too narrow for both on one line: stack them
        return _stack(left, right)
    grid.add_row(left, right)
    return grid


def _stack(*rows: RenderableType) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(overflow="fold")
    for row in rows:
        grid.add_row(row)
    return grid


def choices_table(
    question: Question,
    symbols: Symbols,
    *,
    tried: tuple[str, ...] = (),
    correct: str = "",
    chosen: str = "",
    only: Collection[str] | None = None,
) -> Table:
    """Lettered choices, text wrapped and code highlighted, with tried/right/wrong marks.

    ``only``: the letters to list (each keeps its letter); all of them when None.
    """
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)  # mark + letter
    table.add_column(ratio=1, overflow="fold")  # the choice itself, wrapped, never truncated
    tried_upper = {letter.upper() for letter in tried}
    listed = [c for c in question.choices if only is None or c.letter in only]
    for choice in listed:
        letter = choice.letter
        label = Text()
        if correct and letter == correct:
            label.append(f"{symbols.right} ", style=STYLE_RIGHT)
            label.append(letter, style=STYLE_RIGHT)
        elif letter in tried_upper or (chosen and letter == chosen):
            label.append(f"{symbols.wrong} ", style=STYLE_WRONG)
            label.append(letter, style=STYLE_WRONG)
        else:
            label.append("  ")
            label.append(letter, style="bold cyan")
        parts: list[RenderableType] = []
        if choice.text:
            text_style = STYLE_TRIED if letter in tried_upper and not correct else ""
            body = inline_markdown(choice.text.strip())
            body.stylize(text_style)
            if letter in tried_upper and not correct:
                body.append(" (tried)", style=STYLE_DIM)
            parts.append(body)
        elif letter in tried_upper and not correct:
            parts.append(Text("(tried)", style=STYLE_DIM))
        if choice.code is not None:
            parts.append(code_block(choice.code))
        table.add_row(label, Group(*parts) if len(parts) != 1 else parts[0])
        if choice.code is not None and choice is not listed[-1]:
            table.add_row("", "")  # code blocks need air between them
    return table


@dataclass(frozen=True)
class Keep:
    """Which parts of a question stay on screen, asked or above its feedback."""

    hint: bool = True
    hint_line: bool = False  # the hint cut to one row, ending with "…"
    spacing: bool = True  # the blank rows above the hint, the message and the keys
    header: bool = True  # deck title and progress
    code: bool = True  # the code in the prompt's panel
    prompt: bool = True  # the prompt's panel; without it, the question's title on a line
    title: bool = True  # that line
    choices: str = "all"  # "all", "marked" (the right one and those chosen) or "none"


FULL = Keep()
# Taller than the window, the answered question gives way, what matters least first, so that
# the feedback under it stays in view: the verdict, the answer and the explanation.
COMPACTER = (
    FULL,
    Keep(hint=False),
    Keep(hint=False, header=False),
    Keep(hint=False, header=False, code=False),
    Keep(hint=False, header=False, code=False, prompt=False),
    Keep(hint=False, header=False, code=False, prompt=False, choices="marked"),
)
# Still too tall: the feedback is cut short under the question above (as much as leaves it
# MIN_EXPLANATION_ROWS of explanation), and the question gives way further.
CUT_WITH = (
    COMPACTER[-1],
    Keep(hint=False, header=False, code=False, prompt=False, title=False, choices="marked"),
    Keep(hint=False, header=False, code=False, prompt=False, title=False, choices="none"),
)


# Taller than the window, the question being answered gives way, what matters least first, so
# that its prompt's start, its choices, the keys and the countdown stay in view.
ASKING = (
    FULL,
    Keep(spacing=False),
    Keep(spacing=False, header=False),
    Keep(spacing=False, header=False, hint_line=True),
)
# Still too tall: the prompt's panel is cut short, its code first, marked "… N more lines"
# (keeping MIN_CODE_ROWS of code while the hint keeps its row; then the hint goes too).
ASKING_CUT = (ASKING[-1], Keep(spacing=False, header=False, hint=False))
MIN_CODE_ROWS = 3


def question_screen(
    view: QuestionView,
    symbols: Symbols,
    width: int,
    answered: FeedbackView | None = None,
    keep: Keep = FULL,
    body: RenderableType | None = None,
) -> Group:
    """Everything of a question except the live status line (see ``status_line``).

    ``answered``: the question above its feedback, the right choice and the wrong one marked,
    without the keys and messages that were for answering it. ``keep`` and ``body`` (what
    the prompt's panel holds instead of the prompt and code): see ``question_parts``.
    """
    parts = question_parts(view, symbols, width, answered, keep, body)
    if answered is not None:
        return Group(*parts)
    space = (1, 0, 0, 0) if keep.spacing else (0, 0, 0, 0)
    if view.message:
        parts.append(Padding(Text(view.message, style=STYLE_WARN), space))
    parts.append(Padding(key_help(view, width), space))
    return Group(*parts)


def prompt_body(question: Question) -> Group:
    """What the question's panel holds: the prompt, then its code after a blank row."""
    body: list[RenderableType] = [markdown(question.prompt)]
    if question.code is not None:
        body += [Text(""), code_block(question.code)]
    return Group(*body)


class QuestionScreen:
    """The question being answered (``question_screen``), fitted to ``height`` rows, the row
    of the status line drawn under it left free (None: the full layout, however tall).

    When the full layout is taller, what matters least gives way first (``ASKING``: the blank
    rows above the keys, the deck and progress line, the hint but its first row); then the
    panel's code is cut, then its prompt, marked ``… N more lines`` (``ASKING_CUT``: the hint
    goes when MIN_CODE_ROWS of code would not fit beside it). The prompt's start, the choices,
    the message and the keys stay; in a window too small even for those, the rows at the
    bottom of the choices give way, never the keys.
    """

    def __init__(self, view: QuestionView, symbols: Symbols, *, height: int | None = None):
        self.view = view
        self.symbols = symbols
        self.height = height

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        options = options.update(height=None)
        width = options.max_width
        view, symbols = self.view, self.symbols

        rows = _row_renderer(console, options)

        if self.height is None:
            yield question_screen(view, symbols, width)
            return
        room = self.height - 1  # the status line's row
        for keep in ASKING:
            screen = question_screen(view, symbols, width, keep=keep)
            if len(rows(screen)) <= room:
                yield screen
                return
        inner = width - 4  # inside the panel's borders and padding
        body = rows(prompt_body(view.question), width=inner)
        prompt = len(rows(markdown(view.question.prompt), width=inner))
        code = len(body) - prompt
        for keep in ASKING_CUT:
            empty = question_screen(view, symbols, width, keep=keep, body=_Rows([]))
            space = room - len(rows(empty))
            # Rows for the prompt, and for some code unless the hint is gone too.
            needed = prompt + min(code, 1 + MIN_CODE_ROWS) if keep.hint else 1
            if len(body) <= space or space - 1 >= needed or keep is ASKING_CUT[-1]:
                head = cut_rows(body, max(space, 2), needed, inner, rows, symbols)
                screen = question_screen(view, symbols, width, keep=keep, body=_Rows(head))
                break
        lines = rows(screen)
        if len(lines) > room:  # a window too small for it all: the message and keys stay
            message = [Text(view.message, style=STYLE_WARN)] if view.message else []
            keys = len(rows(*message, key_help(view, width)))
            lines = lines[: max(0, room - keys)] + lines[-keys:]
        yield _Rows(lines[-max(1, room) :])


def question_parts(
    view: QuestionView,
    symbols: Symbols,
    width: int,
    answered: FeedbackView | None = None,
    keep: Keep = FULL,
    body: RenderableType | None = None,
) -> list[RenderableType]:
    """The question's header, panel, choices and hint, those that ``keep`` keeps; ``body``:
    what the panel holds instead of the prompt and its code (rows cut to fit a window)."""
    question = view.question
    parts: list[RenderableType] = []
    if keep.header:
        bar_width = max(5, min(20, width // 5))
        parts.append(
            _header(
                view.deck_title,
                view.mode,
                progress_bar(view.position, view.total, bar_width, symbols),
                width,
            )
        )
    if keep.prompt:
        if body is None:
            body = prompt_body(question) if keep.code else markdown(question.prompt)
        details = [part for part in (question.kind, question.level) if part]
        parts.append(
            FittedPanel(
                body,
                title=Text(question.title or "Question", style=STYLE_TITLE),
                title_align="left",
                subtitle=(
                    Text(f" {symbols.sep} ".join(details), style=STYLE_DIM) if details else None
                ),
                subtitle_align="right",
                box=box.ROUNDED,
                padding=(0, 1),
            )
        )
    elif keep.title and question.title:
        parts.append(Text(question.title, style=STYLE_TITLE, no_wrap=True, overflow="ellipsis"))
    if answered is None:
        parts.append(choices_table(question, symbols, tried=view.wrong_letters))
    elif keep.choices != "none":
        chosen = answered.chosen or ""
        marked = {question.answer, chosen, *view.wrong_letters}
        parts.append(
            choices_table(
                question,
                symbols,
                tried=view.wrong_letters,
                correct=question.answer,
                chosen=chosen,
                only=None if keep.choices == "all" else marked,
            )
        )
    if view.hint_shown and question.hint and keep.hint:
        words = inline_markdown(question.hint.strip())
        words.style = STYLE_HINT  # the whole hint in its colour, its `code` styled on top
        lead = Text(f"{symbols.hint} Hint: ", style=STYLE_HINT)
        if keep.hint_line:
            line = lead + words
            line.no_wrap, line.overflow = True, "ellipsis"
            parts.append(line)
        else:
            hint = Hanging(lead, words)
            parts.append(Padding(hint, (1, 0, 0, 0) if keep.spacing else (0, 0, 0, 0)))
    return parts


def key_help(view: QuestionView, width: int | None = None) -> Text:
    """'A-D or 1-4 answer   h hint   u undo   q quit', broken between keys (never inside
    one) when ``width`` is too narrow for one line."""
    count = len(view.question.choices)
    letters = LETTERS[:count]
    keys = [f"{letters[0]}-{letters[-1]} or 1-{count} answer"]
    if view.question.hint and not view.hint_shown:
        keys.append("h hint")
    if view.mode is not Mode.CHALLENGE:  # a challenge answer stands
        keys.append("u undo")
    keys.append("q quit")
    return Text(_key_lines(keys, width), style=STYLE_DIM)


def status_line(
    view: QuestionView, remaining: float | None, symbols: Symbols, *, time_up: bool = False
) -> Text:
    """The line redrawn in place while waiting for a key: countdown and attempts left.

    ``time_up``: the countdown already ran out and a late answer is awaited.
    """
    line = Text()
    if time_up:
        line.append("Time is up", style=STYLE_WRONG)
        line.append(f" {symbols.sep} ", style=STYLE_DIM)
    elif remaining is not None:
        style = STYLE_WRONG if remaining <= 10 else STYLE_TITLE
        line.append(f"{format_seconds(remaining)} left", style=style)
        line.append(f" {symbols.sep} ", style=STYLE_DIM)
    attempts = view.attempts_left
    line.append(f"{attempts} attempt{'s' if attempts != 1 else ''} left")
    return line


def flash_line(text: str) -> Text:
    """A short note on a key that does nothing here ("B was already tried")."""
    return Text(text, style=STYLE_WARN)


def feedback_screen(view: FeedbackView, symbols: Symbols) -> Group:
    verdict, answer, rest, when = feedback_parts(view, symbols)
    body = [*answer, *rest]
    if when is not None:
        body += [Text(""), when]
    return Group(feedback_panel(view, verdict, Group(*body)))


def feedback_parts(
    view: FeedbackView, symbols: Symbols
) -> tuple[Text, list[RenderableType], list[RenderableType], Text | None]:
    """The feedback's verdict (its title), the answer, the rest of its body (explanation,
    common mistakes, solution) and when the question comes back (None: nothing to say)."""
    question = view.question
    correct = question.correct_choice
    if view.correct:
        verdict = Text(f"{symbols.right} Correct", style=STYLE_RIGHT)
    elif view.chosen is None:
        verdict = Text(f"{symbols.wrong} Time is up", style=STYLE_WRONG)
    else:
        verdict = Text(f"{symbols.wrong} Not quite: you chose {view.chosen}", style=STYLE_WRONG)
    if view.elapsed:
        verdict.append(f"  ({format_seconds(view.elapsed)})", style=STYLE_DIM)

    answer = _hanging_choice(Text(f"Answer: {correct.letter}", style=STYLE_RIGHT), correct.text)
    answered: list[RenderableType] = [answer]
    if correct.code is not None:
        answered.append(code_block(correct.code))
    body: list[RenderableType] = []
    if question.explanation:
        body += [Text(""), markdown(question.explanation)]
    if question.common_mistakes:
        body += [Text(""), Text("Common mistakes", style=STYLE_TITLE)]
        body += [_bulleted(mistake, symbols.bullet) for mistake in question.common_mistakes]
    if view.show_solution and question.solution:
        body += [Text(""), Text("Solution", style=STYLE_TITLE)]
        steps = Table.grid(padding=(0, 1))
        steps.add_column(no_wrap=True, justify="right")
        steps.add_column(ratio=1, overflow="fold")
        for number, step in enumerate(question.solution, start=1):
            # Every step numbered by its place; a title's own "Step 1:" is dropped for it.
            line = inline_markdown(step_title(step.title))
            line.stylize("bold")
            if step.text:
                if line.plain:
                    line.append(": ")
                line.append_text(inline_markdown(" ".join(step.text.split())))
            steps.add_row(Text(f"{number}."), line)
        body.append(steps)
    when = None
    if view.next_due_text or view.rating:
        when = Text("")
        if view.next_due_text:
            when.append("Comes back ", style=STYLE_DIM)
            when.append(view.next_due_text, style=STYLE_TITLE)
        if view.rating:
            when.append(f"{'   ' if view.next_due_text else ''}rated ", style=STYLE_DIM)
            when.append(view.rating)
            if not view.next_due_text:  # logged, but the schedule did not move (practice)
                when.append(" · schedule unchanged", style=STYLE_DIM)
    return verdict, answered, body, when


def feedback_panel(view: FeedbackView, verdict: Text, body: RenderableType) -> FittedPanel:
    return FittedPanel(
        body,
        title=verdict,
        title_align="left",
        box=box.ROUNDED,
        border_style="green" if view.correct else "red",
        padding=(0, 1),
    )


def _bulleted(text: str, bullet: str) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(Text(f" {bullet}"), inline_markdown(" ".join(text.split())))
    return grid


def feedback_keys(view: FeedbackView, width: int | None = None) -> Text:
    """'Enter or space continue   u undo   q quit', broken between keys (never inside one)
    when ``width`` is too narrow for one line."""
    keys = ["Enter or space continue", *(() if view.mode is Mode.CHALLENGE else ("u undo",))]
    return Text(_key_lines([*keys, "q quit"], width), style=STYLE_DIM)


def _key_lines(keys: list[str], width: int | None) -> str:
    lines = [keys[0]]
    for key in keys[1:]:
        if width is not None and len(lines[-1]) + 3 + len(key) > width:
            lines.append(key)
        else:
            lines[-1] += f"   {key}"
    return "\n".join(lines)


MIN_EXPLANATION_ROWS = 3  # rows of explanation a cut feedback shows, the question giving way


class AnsweredScreen:
    """The screen after an answer: the question with its marks, the feedback (or, with
    ``self_grade``, the verdict in a line) and the keys on the last row.

    ``shown``: the question as it was answered (None: the feedback alone). ``height``: the
    window's rows, which the screen fits (None: the full layout, however tall). When the full
    layout is taller, the question gives way first (``COMPACTER``: hint, header, code, prompt,
    then only the right and chosen choices); then the feedback's body is cut, marked ``… N
    more lines``, keeping at least the answer and the start of the explanation (``CUT_WITH``:
    the question's title and choices give way when they would not leave that much). The
    verdict and the answer stay at the top and the keys at the bottom, never the other way
    round. With a ``height`` the keys end without a line break, so that a full window does not
    scroll by a row.
    """

    def __init__(
        self,
        view: FeedbackView,
        symbols: Symbols,
        *,
        shown: QuestionView | None = None,
        height: int | None = None,
        self_grade: bool = False,
    ) -> None:
        self.view = view
        self.symbols = symbols
        self.shown = shown
        self.height = height
        self.self_grade = self_grade

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        options = options.update(height=None)
        width = options.max_width
        view = self.view

        rows = _row_renderer(console, options)

        verdict, answer, rest, when = feedback_parts(view, self.symbols)
        if self.self_grade:
            block: list[RenderableType] = [self_grade_verdict(view, self.symbols)]
            keys = self_grade_prompt(view)
        else:
            body = [*answer, *rest, *([Text(""), when] if when is not None else [])]
            block = [feedback_panel(view, verdict, Group(*body))]
            keys = feedback_keys(view, width)
        if self.height is None:
            yield from (*self._question(FULL, width), *block, keys)
            return
        keys.end = ""
        keys_rows = len(rows(keys))
        spare = self.height - keys_rows - len(rows(*block))
        # A verdict in a line has nothing to cut: its question gives way entirely instead.
        for keep in (*COMPACTER, *CUT_WITH[1:]) if self.self_grade else COMPACTER:
            question = self._question(keep, width)
            if len(rows(*question)) <= spare:
                yield from (*question, *block, keys)
                return
            if not question:
                break
        if not self.self_grade:
            inner = width - 4  # inside the panel's borders and padding
            body_rows = rows(*answer, *rest, width=inner)
            when_rows = rows(when, width=inner) if when is not None else []
            needed = min(len(body_rows), len(rows(*answer, width=inner)) + 1 + MIN_EXPLANATION_ROWS)
            for keep in CUT_WITH:
                question = self._question(keep, width)
                # Rows inside the panel for the body's start and the mark where it is cut.
                room = self.height - keys_rows - len(rows(*question)) - 2 - len(when_rows)
                if room - 1 >= needed or keep is CUT_WITH[-1] or not question:
                    head = cut_rows(body_rows, room, needed, inner, rows, self.symbols)
                    block = [feedback_panel(view, verdict, _Rows(head + when_rows))]
                    break
        else:
            question = []
        lines = rows(*question, *block)
        yield _Rows(lines[: max(1, self.height - keys_rows)])  # a window too small for it all
        yield keys

    def _question(self, keep: Keep, width: int) -> list[RenderableType]:
        if self.shown is None:
            return []
        return question_parts(self.shown, self.symbols, width, self.view, keep)


def _row_renderer(
    console: Console, options: ConsoleOptions
) -> Callable[..., list[list[Segment]]]:
    """``rows(*renderables, width=...)``: what they draw, as rows, at the options' width or
    the width given; how a fitted screen measures its parts."""

    def rows(*renderables: RenderableType, width: int = options.max_width) -> list[list[Segment]]:
        return console.render_lines(
            Group(*renderables), options.update_width(max(1, width)), pad=False
        )

    return rows


def cut_rows(
    body: list[list[Segment]],
    room: int,
    needed: int,
    width: int,
    rows: Callable[..., list[list[Segment]]],
    symbols: Symbols,
) -> list[list[Segment]]:
    """``body``'s first rows and a mark saying how many more there are, in ``room`` rows
    (a cut may fall earlier, at a paragraph's end, but keeps ``needed`` rows)."""
    if len(body) <= room:
        return body
    head = body[: max(1, room - 1)]
    while len(head) > 1 and not _plain(head[-1]).strip():  # no blank row above the mark
        head.pop()
    # A heading (or a paragraph's first row) alone above the mark: cut before it.
    blanks = [n for n, row in enumerate(head) if n and not _plain(row).strip()]
    if blanks and blanks[-1] >= max(needed, len(head) - 2):
        del head[blanks[-1] :]
    more = sum(1 for row in body[len(head) :] if _plain(row).strip())
    lines = f"{more} more line{'s' if more != 1 else ''}"
    mark = Text(f"{symbols.more} {lines}: a taller window shows them", style=STYLE_DIM)
    if mark.cell_len > width:
        mark = Text(f"{symbols.more} {lines}", style=STYLE_DIM)
    mark.truncate(max(1, width), overflow="ellipsis")
    mark.no_wrap = True
    return head + rows(mark, width=width)


class _Rows:
    """Rows already rendered (by ``Console.render_lines``), drawn as they are."""

    def __init__(self, rows: list[list[Segment]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for row in self.rows:
            yield from row
            yield Segment.line()


def _plain(row: list[Segment]) -> str:
    return "".join(segment.text for segment in row)


SELF_GRADES = ("Again", "Hard", "Good", "Easy")


def self_grade_verdict(view: FeedbackView, symbols: Symbols) -> RenderableType:
    """The outcome in one line (the choice's text wrapped under itself), shown before the
    learner rates themselves."""
    correct = view.question.correct_choice
    if view.correct:
        line = Text(f"{symbols.right} Correct: ", style=STYLE_RIGHT)
    else:
        line = Text(f"{symbols.wrong} Not quite: ", style=STYLE_WRONG)
    line.append(f"the answer is {correct.letter}")
    # Hanging 30 columns in would leave a thin column: narrower, the text starts a row below.
    return _hanging_choice(line, correct.text, min_room=VERDICT_MIN_ROOM, narrow=2)


VERDICT_MIN_ROOM = 36  # columns for the choice text beside a self-grade verdict


def _hanging_choice(
    lead: Text, text: str, *, min_room: int = Hanging.MIN_ROOM, narrow: int | None = None
) -> RenderableType:
    """``lead``, two spaces and a choice's text, whose wrapped rows hang under that text
    (not back at column 0, under the lead); ``lead`` alone for a choice without text."""
    if not text:
        return lead
    lead = lead.copy()
    lead.append("  ")
    return Hanging(lead, inline_markdown(text.strip()), min_room=min_room, narrow=narrow)


def self_grade_prompt(view: FeedbackView) -> Text:
    line = Text("How well did you know it?  ", style=STYLE_TITLE)
    for number, name in enumerate(SELF_GRADES, start=1):
        line.append(f"{number}", style="bold cyan")
        line.append(f" {name}  ")
    if view.rating in SELF_GRADES:
        line.append(f"(Enter: {view.rating})", style=STYLE_DIM)
    return line


def summary_screen(summary: SessionSummary, symbols: Symbols) -> Group:
    table = Table.grid(padding=(0, 2))
    table.add_column(style=STYLE_DIM, no_wrap=True)
    table.add_column(overflow="fold")
    percent = f" ({round(100 * summary.correct / summary.reviewed)}%)" if summary.reviewed else ""
    table.add_row(summary.count_label, Text(str(summary.reviewed)))
    if summary.score_text:  # a finished challenge: the score says right answers and time
        table.add_row("Score", Text(summary.score_text, style=STYLE_TITLE))
    else:
        table.add_row("Correct", Text(f"{summary.correct}{percent}"))
        table.add_row("Time", Text(format_seconds(summary.elapsed)))
    parts: list[RenderableType] = [table]
    if summary.next_due_text:  # a sentence of its own, labelled as in line mode
        next_review = Text("Next review: ", style=STYLE_DIM)
        next_review.append(summary.next_due_text, style=STYLE_TITLE)
        parts += [Text(""), next_review]
    for badge in summary.badges_earned:
        cheer = Text(f"{symbols.badge} Badge earned: ", style=STYLE_BADGE)
        cheer.append(badge, style="bold")
        cheer.append(f" {symbols.badge}  Well done!", style=STYLE_BADGE)
        parts += [Text(""), cheer]
    if summary.notes:
        parts.append(Text(""))
        parts += [_bulleted(note, symbols.bullet) for note in summary.notes]
    if summary.badges_earned:
        title = Text(f"{symbols.badge} {summary.heading}: badge earned! {symbols.badge}")
        title.stylize(STYLE_BADGE)
    else:
        title = Text(summary.heading, style=STYLE_TITLE)
    return Group(
        FittedPanel(
            Group(*parts),
            title=title,
            title_align="left",
            box=box.ROUNDED,
            border_style="magenta" if summary.badges_earned else "",
            padding=(0, 1),
        )
    )


def make_console(
    *,
    no_color: bool,
    file: object = None,
    width: int | None = None,
    height: int | None = None,
    record: bool = False,
    force_terminal: bool | None = None,
) -> Console:
    """A console for the review screen; ``no_color`` means no colour or style codes at all."""
    return Console(
        file=file,  # type: ignore[arg-type]
        width=width,
        height=height,
        record=record,
        force_terminal=force_terminal,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        emoji=False,
        markup=False,
    )
