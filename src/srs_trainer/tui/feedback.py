"""The screens after an answer: the feedback, the question above it (AnsweredScreen) and the
self-grade verdict and prompt."""

from __future__ import annotations

from collections.abc import Iterator

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..deck.model import QuestionType
from ..trainer.views import FeedbackView, Mode, QuestionView
from . import card_types
from .code import code_block
from .fitting import (
    COMPACTER,
    CUT_WITH,
    FULL,
    MIN_EXPLANATION_ROWS,
    Keep,
    _row_renderer,
    _Rows,
    cut_rows,
)
from .line_ui import step_title
from .markup import _bulleted, inline_markdown, markdown
from .screens import question_parts
from .widgets import (
    STYLE_DIM,
    STYLE_RIGHT,
    STYLE_TITLE,
    STYLE_WRONG,
    FittedPanel,
    Hanging,
    Symbols,
    _key_lines,
    format_seconds,
)


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
    verdict = _verdict(view, symbols)
    if view.elapsed:
        verdict.append(f"  ({format_seconds(view.elapsed)})", style=STYLE_DIM)
    answered = _answer_parts(view, symbols)
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


def _verdict(view: FeedbackView, symbols: Symbols) -> Text:
    if view.self_rated:
        style = STYLE_RIGHT if view.correct else STYLE_WRONG
        mark = symbols.right if view.correct else symbols.wrong
        return Text(f"{mark} You rated it {view.rating}", style=style)
    if view.correct:
        return Text(f"{symbols.right} Correct", style=STYLE_RIGHT)
    if view.chosen is None and view.typed is None:
        return Text(f"{symbols.wrong} Time is up", style=STYLE_WRONG)
    if view.question.type is QuestionType.TYPED:
        return Text(f"{symbols.wrong} Not quite", style=STYLE_WRONG)
    return Text(f"{symbols.wrong} Not quite: you chose {view.chosen}", style=STYLE_WRONG)


DIFF_STYLES = {card_types.EXTRA: "bold red strike", card_types.MISSING: "bold green underline"}


def diff_line(typed: str, expected: str) -> Text:
    """The character diff, coloured, its ``[-x-]`` / ``{+x+}`` marks kept for no colour."""
    line = Text()
    for kind, text in card_types.char_diff(typed, expected):
        if kind == card_types.SAME:
            line.append(text)
        elif kind == card_types.EXTRA:
            line.append(f"[-{text}-]", style=DIFF_STYLES[kind])
        else:
            line.append(f"{{+{text}+}}", style=DIFF_STYLES[kind])
    return line


def typed_parts(view: FeedbackView) -> list[RenderableType]:
    """The accepted answer and, when the learner typed something else, the diff to it."""
    question = view.question
    expected = (card_types.nearest_answer(question, view.typed) if view.typed is not None
                else card_types.answer_text(question))
    parts: list[RenderableType] = [
        Hanging(Text("Answer:  ", style=STYLE_RIGHT), Text(expected))]
    if view.typed is not None and view.typed != expected:
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, style=STYLE_DIM)
        table.add_column(ratio=1, overflow="fold")
        table.add_row("You typed", Text(view.typed))
        table.add_row("Diff", diff_line(view.typed, expected))
        parts += [table, Text(card_types.DIFF_LEGEND, style=STYLE_DIM)]
    return parts


def _answer_parts(view: FeedbackView, symbols: Symbols) -> list[RenderableType]:
    question = view.question
    if question.type is QuestionType.TYPED:
        return typed_parts(view)
    if question.type is QuestionType.RECALL:
        lead = Text("Answer", style=STYLE_RIGHT)
        return [lead, markdown(question.answer)] if question.answer.strip() else [lead]
    if question.type is QuestionType.CLOZE:
        return [Hanging(Text("Answer:  ", style=STYLE_RIGHT),
                        Text(card_types.answer_text(question, view.cloze)))]
    correct = question.correct_choice
    answer = _hanging_choice(Text(f"Answer: {correct.letter}", style=STYLE_RIGHT), correct.text)
    answered: list[RenderableType] = [answer]
    if correct.code is not None:
        answered.append(code_block(correct.code))
    return answered


def feedback_panel(view: FeedbackView, verdict: Text, body: RenderableType) -> FittedPanel:
    return FittedPanel(
        body,
        title=verdict,
        title_align="left",
        box=box.ROUNDED,
        border_style="green" if view.correct else "red",
        padding=(0, 1),
    )


def feedback_keys(view: FeedbackView, width: int | None = None) -> Text:
    """'Enter or space continue   u undo   q quit', broken between keys (never inside one)
    when ``width`` is too narrow for one line."""
    keys = ["Enter or space continue", *(() if view.mode is Mode.CHALLENGE else ("u undo",))]
    return Text(_key_lines([*keys, "q quit"], width), style=STYLE_DIM)


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


SELF_GRADES = ("Again", "Hard", "Good", "Easy")


def self_grade_verdict(view: FeedbackView, symbols: Symbols) -> RenderableType:
    """The outcome in one line (the choice's text wrapped under itself), shown before the
    learner rates themselves."""
    if view.correct:
        line = Text(f"{symbols.right} Correct: ", style=STYLE_RIGHT)
    else:
        line = Text(f"{symbols.wrong} Not quite: ", style=STYLE_WRONG)
    if view.question.type is not QuestionType.CHOICE:
        line.append(f"the answer is {card_types.answer_text(view.question, view.cloze)}")
        return line
    correct = view.question.correct_choice
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
