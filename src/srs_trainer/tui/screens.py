"""Rich renderables for the review screen: the question, its status line and the summary
(the screens after an answer are in ``feedback``; their parts in ``widgets``, ``markup``,
``code`` and ``fitting``).

Everything here is pure: a view goes in, a renderable comes out. ``ui_terminal.TerminalUI``
prints them to the terminal, tests print them to a recording console, and
``docs/make_screenshot.py`` exports them as SVG, so all three show exactly the same screen.

This module imports rich (and, through ``Syntax``, Pygments) at the top: import it only from
code that is about to draw, never from the trainer's start-up path.

Learner content (prompts, choices, explanations) is always wrapped in ``Text`` objects and
never parsed as console markup, since quiz text is full of ``[brackets]``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import replace

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..deck.model import LETTERS, Question, QuestionType
from ..trainer.views import FeedbackView, Mode, QuestionView, SessionSummary
from . import card_types
from .code import code_block
from .fitting import (
    ASKING,
    ASKING_CUT,
    FULL,
    MIN_CODE_ROWS,
    Keep,
    _row_renderer,
    _Rows,
    cut_rows,
    more_mark,
)
from .markup import _bulleted, inline_markdown, markdown
from .widgets import (
    STYLE_BADGE,
    STYLE_DIM,
    STYLE_HINT,
    STYLE_RIGHT,
    STYLE_TITLE,
    STYLE_TRIED,
    STYLE_WARN,
    STYLE_WRONG,
    FittedPanel,
    Hanging,
    Symbols,
    _header,
    _key_lines,
    format_seconds,
    progress_bar,
)


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
        self.view = shown_view(view)
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
            shown = max(0, room - keys)
            if shown > 1:  # a row says that choices are cut off, and how many rows
                lines = (lines[: shown - 1] + more_mark(lines[shown - 1 : -keys], width, rows,
                                                        symbols) + lines[-keys:])
            else:
                lines = lines[:shown] + lines[-keys:]
        yield _Rows(lines[-max(1, room) :])


def shown_view(view: QuestionView) -> QuestionView:
    """The view with its card's text as asked: a cloze's deletion blanked (or answered), in
    bold. Drawing it again changes nothing (the deletions are gone from its prompt)."""
    if view.question.type is not QuestionType.CLOZE:
        return view
    question = card_types.displayed(view.question, view.cloze, revealed=view.revealed,
                                    hint_shown=view.hint_shown, mark=lambda s: f"**{s}**")
    return replace(view, question=question)


def answer_part(question: Question, symbols: Symbols) -> list[RenderableType]:
    """A revealed recall card's answer, under the question."""
    lead = Text(f"{symbols.right} Answer", style=STYLE_RIGHT)
    return [lead, markdown(question.answer)] if question.answer.strip() else [lead]


def card_part(view: QuestionView, symbols: Symbols,
              answered: FeedbackView | None) -> list[RenderableType]:
    """What stands where a choice question's choices are, for the other card types."""
    question = view.question
    if answered is not None:
        return []  # the feedback below says it all
    if question.type is QuestionType.TYPED and view.wrong_texts:
        return [Text("Tried: " + ", ".join(view.wrong_texts), style=STYLE_TRIED)]
    if question.type is QuestionType.RECALL and view.revealed:
        return answer_part(question, symbols)
    return []


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
    view = shown_view(view)
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
        details = [part for part in (question.kind_label, question.level) if part]
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
    if question.type is not QuestionType.CHOICE:
        parts.extend(card_part(view, symbols, answered))
    elif answered is None:
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
    question = view.question
    if question.type is QuestionType.TYPED:
        keys = ["type the answer, Enter"]
        if view.has_hint and not view.hint_shown:
            keys.append("Tab or h+Enter hint")
        if view.mode is not Mode.CHALLENGE:
            keys.append("u+Enter undo")
        return Text(_key_lines([*keys, "Ctrl-C quit"], width), style=STYLE_DIM)
    if view.self_rated:
        keys = [f"1-4 rate: {card_types.RATE_HELP}" if view.revealed
                else "space or Enter show the answer"]
    else:
        count = len(question.choices)
        letters = LETTERS[:count]
        keys = [f"{letters[0]}-{letters[-1]} or 1-{count} answer"]
    if view.has_hint and not view.hint_shown and not view.revealed:
        keys.append("h hint")
    if view.mode is not Mode.CHALLENGE:  # a challenge answer stands
        keys.append("u undo")
    keys.append("q quit")
    return Text(_key_lines(keys, width), style=STYLE_DIM)


def status_line(
    view: QuestionView, remaining: float | None, symbols: Symbols, *, time_up: bool = False,
    typed: str | None = None,
) -> Text:
    """The line redrawn in place while waiting for a key: countdown and attempts left (and
    ``typed``: what the learner typed so far at a typed card, after a prompt).

    ``time_up``: the countdown already ran out and a late answer is awaited.
    """
    line = Text()
    if typed is not None:
        line.append("Your answer: ", style=STYLE_TITLE)
        line.append(typed)
        line.append("_", style="blink")
        line.append(f"  {symbols.sep} ", style=STYLE_DIM)
    if time_up:
        line.append("Time is up", style=STYLE_WRONG)
        line.append(f" {symbols.sep} ", style=STYLE_DIM)
    elif remaining is not None:
        style = STYLE_WRONG if remaining <= 10 else STYLE_TITLE
        line.append(f"{format_seconds(remaining)} left", style=style)
        line.append(f" {symbols.sep} ", style=STYLE_DIM)
    if view.self_rated:
        line.append("rate it yourself" if view.revealed else "recall it, then show the answer")
        return line
    attempts = view.attempts_left
    line.append(f"{attempts} attempt{'s' if attempts != 1 else ''} left")
    return line


def flash_line(text: str) -> Text:
    """A short note on a key that does nothing here ("B was already tried")."""
    return Text(text, style=STYLE_WARN)


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
