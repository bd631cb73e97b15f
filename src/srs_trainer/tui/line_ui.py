"""LineUI: the plain-text SessionUI, reading one answer per line (scripts, pipes and tests).

Input lines: ``A``-``F`` or ``1``-``6`` answer, ``h`` hint, ``u`` undo, ``q`` quit, an empty
line continues after feedback. End of input quits; everything answered is already saved.
Output is plain text without colour or cursor movement, so it reads well in a log.

Other card types (docs/trainer.md): a ``typed`` card takes the line as the answer; a
``recall`` or ``cloze`` card shows its answer on an empty line and takes a rating line (1-4,
or again/hard/good/easy), which may also come first: the answer is shown before the rating.

Piped input (stdin not a terminal): the feedback does not wait for Enter. Every line read is
an answer (or h/u/q) to the card on screen, so ``printf 'A\nB\n' | srs review`` answers two
cards; ``u`` at the next card takes back the answer just given.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

from ..deck.model import LETTERS, Choice, Question, QuestionType
from ..markdown.plain import plain_markdown
from ..trainer.views import (
    FeedbackView,
    InputKind,
    Mode,
    QuestionView,
    SessionSummary,
    UserInput,
)
from . import card_types

HELP = "Type a letter (A-F) or number (1-6), h for the hint, u to undo, q to quit."

_STEP_NUMBER = re.compile(r"^\s*(?:step\s*)?\d+\s*(?:[:.)](?!\d)|[-–—](?=\s)|$)\s*", re.I)


def step_title(title: str) -> str:
    """A solution step's title without the number it may give itself ("Step 1: Read" ->
    "Read"): every step is numbered by its place, so the numbers line up and never repeat."""
    return _STEP_NUMBER.sub("", title, count=1).strip()


GRADES = {"1": 1, "2": 2, "3": 3, "4": 4, "a": 1, "again": 1, "hard": 2, "good": 3, "easy": 4}


def choices_help(count: int, *, undo: bool = True) -> str:
    """HELP for a question of ``count`` choices: 'Type a letter (A-D) or number (1-4), ...';
    without ``undo`` (a challenge answer stands), no 'u to undo'."""
    text = HELP.replace("A-F", f"A-{LETTERS[count - 1]}").replace("1-6", f"1-{count}")
    return text if undo else text.replace(" u to undo,", "")


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def choice_text(choice: Choice) -> str:
    """'A) text'; later lines (code) indented under it. Code is shown as written, the text's
    Markdown as plain text."""
    shown = "\n".join(
        part
        for part in (plain_markdown(choice.text), choice.code.source if choice.code else "")
        if part
    )
    first, *rest = shown.rstrip().splitlines() or [""]
    return f"{choice.letter}) {first}" + ("\n" + _indent("\n".join(rest)) if rest else "")


def question_text(question: Question) -> str:
    parts = [plain_markdown(question.prompt.strip())]
    if question.code is not None:
        parts.append(_indent(question.code.source.rstrip()))
    parts.extend(choice_text(choice) for choice in question.choices)
    return "\n".join(parts)


def card_text(view: QuestionView) -> str:
    """The card as asked: a cloze's text blanked, a revealed recall card with its answer."""
    question = card_types.displayed(view.question, view.cloze, revealed=view.revealed,
                                    hint_shown=view.hint_shown)
    text = question_text(question)
    if view.revealed and question.type is QuestionType.RECALL:
        text += "\nAnswer:\n" + _indent(plain_markdown(question.answer.strip()), "  ")
    return text


def typed_verdict(question: Question, typed: str | None, correct: bool) -> list[str]:
    """The lines after a typed answer: the verdict, the answer and the diff against it."""
    if typed is None:
        return [f"Time is up. The answer is: {card_types.answer_text(question)}"]
    expected = card_types.nearest_answer(question, typed)
    lines = [f"Correct: {typed}" if correct else f"Not quite. The answer is: {expected}"]
    if typed != expected:
        lines += [f"  You typed: {typed}", f"  Expected:  {expected}",
                  f"  Diff:      {card_types.diff_text(card_types.char_diff(typed, expected))}",
                  f"  ({card_types.DIFF_LEGEND})"]
    return lines


class LineUI:
    """A SessionUI over text streams (stdin/stdout by default).

    ``echo`` writes each line read after its prompt, so the output of piped answers reads
    like a transcript ("Your answer: b"); by default only when stdin is not a terminal (a
    terminal echoes typing itself). ``pause``: wait for Enter after each feedback; by default
    only when stdin is a terminal.
    """

    def __init__(
        self, stdin: TextIO | None = None, stdout: TextIO | None = None, echo: bool | None = None,
        pause: bool | None = None,
    ) -> None:
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        isatty = getattr(self.stdin, "isatty", None)
        at_terminal = callable(isatty) and bool(isatty())
        self.echo = not at_terminal if echo is None else echo
        # Piped answers: no "press Enter" after feedback (docs/trainer.md), so that a script's
        # lines answer one card each.
        self.pause = at_terminal if pause is None else pause
        self._answer_shown = False  # a recall or cloze card's answer was printed already
        # A blank answer gets the keys once; after that it only asks again (an Enter too many).
        self._blank_helped = False

    def _say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _read(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self._say()
            return None
        if self.echo:
            self._say(line.rstrip("\r\n"))
        return line.strip()

    # --- SessionUI ------------------------------------------------------------------------------

    def show_question(self, view: QuestionView) -> None:
        question = view.question
        header = f"[{view.position}/{view.total}] {view.deck_title}"
        if question.title:
            header += f" - {question.title}"
        details = [] if view.self_rated else [
            f"{view.attempts_left} attempt{'s' if view.attempts_left != 1 else ''} left"]
        if view.time_limit is not None:
            details.append(f"time limit {view.time_limit}s")
        self._say()
        self._say(f"{header} ({', '.join(details)})" if details else header)
        if view.message:
            self._say(f"! {view.message}")
        self._say(card_text(view))
        self._answer_shown = view.revealed
        if view.wrong_letters:
            self._say(f"Already tried: {', '.join(view.wrong_letters)}")
        if view.wrong_texts:
            self._say(f"Already tried: {', '.join(view.wrong_texts)}")
        if view.hint_shown and question.type is QuestionType.CLOZE and not question.hint.strip():
            pass  # the deletion's hint stands in its blank
        elif view.hint_shown:
            hint = plain_markdown(question.hint.strip()) or "(no hint for this question)"
            self._say(f"Hint: {hint}")

    def read_input(self, view: QuestionView) -> UserInput:
        if view.question.type is QuestionType.TYPED:
            return self._read_typed()
        if view.self_rated:
            return self._read_rating(view)
        letters = LETTERS[: len(view.question.choices)]
        help_text = choices_help(len(letters), undo=view.mode is not Mode.CHALLENGE)
        while True:
            line = self._read("Your answer: ")
            if line is None:
                return UserInput(InputKind.QUIT)
            word = line.lower()
            if word in ("q", "quit"):
                return UserInput(InputKind.QUIT)
            if word in ("h", "hint", "?"):
                return UserInput(InputKind.HINT)
            if word in ("u", "undo"):
                return UserInput(InputKind.UNDO)
            if len(word) == 1 and word.upper() in letters:
                return UserInput(InputKind.ANSWER, word.upper())
            if word.isdigit() and 1 <= int(word) <= len(letters):
                return UserInput(InputKind.ANSWER, letters[int(word) - 1])
            if word:
                self._say(f"'{line}' is not a choice. {help_text}")
            elif not self._blank_helped:
                self._blank_helped = True
                self._say(help_text)

    def _read_typed(self) -> UserInput:
        while True:
            line = self._read("Your answer: ")
            if line is None:
                return UserInput(InputKind.QUIT)
            user = card_types.typed_input(line)
            if user.kind is not InputKind.TEXT or user.text:
                return user
            if not self._blank_helped:
                self._blank_helped = True
                self._say("Type your answer, h for the hint, u to undo, q to quit"
                          f" ({card_types.ESCAPE}q answers 'q').")

    def _read_rating(self, view: QuestionView) -> UserInput:
        undo = "" if view.mode is Mode.CHALLENGE else ", u undo"
        prompt = (f"How well did you know it? {card_types.RATE_HELP}: " if view.revealed else
                  f"[Enter] show the answer, 1-4 rate, h hint{undo}, q quit: ")
        while True:
            line = self._read(prompt)
            if line is None:
                return UserInput(InputKind.QUIT)
            word = line.lower()
            if rating := card_types.rating_of(word):
                return UserInput(InputKind.RATE, rating=rating)
            if word in ("q", "quit"):
                return UserInput(InputKind.QUIT)
            if word in ("h", "hint", "?"):
                return UserInput(InputKind.HINT)
            if word in ("u", "undo"):
                return UserInput(InputKind.UNDO)
            if word == "" and not view.revealed:
                return UserInput(InputKind.REVEAL)
            self._say(f"Rate it: {card_types.RATE_HELP}.")

    def _verdict(self, view: FeedbackView) -> None:
        question = view.question
        if question.type is QuestionType.TYPED:
            for line in typed_verdict(question, view.typed, view.correct):
                self._say(line)
            return
        if view.self_rated:
            if not self._answer_shown:  # rated before the reveal (piped): show it now
                shown = card_types.displayed(question, view.cloze, revealed=True,
                                             hint_shown=view.hint_shown)
                self._say("Answer:")
                text = shown.answer if question.type is QuestionType.RECALL else shown.prompt
                self._say(_indent(plain_markdown(text.strip()), "  "))
            self._answer_shown = False
            return
        if view.correct:
            self._say(f"Correct: {question.answer}.")
        elif view.chosen is None:
            self._say(f"Time is up. The answer is {question.answer}.")
        else:
            self._say(f"Not quite. The answer is {question.answer}.")
        self._say(_indent(choice_text(question.correct_choice), "  "))

    def show_feedback(self, view: FeedbackView) -> UserInput:
        question = view.question
        self._verdict(view)
        if question.explanation.strip():
            self._say(_indent(plain_markdown(question.explanation.strip()), "  "))
        if view.show_solution and question.solution:
            self._say("Solution:")
            for number, step in enumerate(question.solution, 1):
                title = plain_markdown(step_title(step.title))
                text = plain_markdown(step.text.strip())
                if not title:  # the title was only its number: the text goes on that line
                    title, _, text = text.partition("\n")
                self._say(f"  {number}. {title}".rstrip())
                if text.strip():
                    self._say(_indent(text.strip("\n"), "     "))
        if question.common_mistakes:  # after every answer, as on the terminal screen
            self._say("Common mistakes:")
            for mistake in question.common_mistakes:
                self._say(f"  - {plain_markdown(mistake.strip())}")
        rating = f"Rated {view.rating}"
        # No next review: the answer was logged without moving the schedule (practice).
        rating += f"; next review {view.next_due_text}" if view.next_due_text else (
            "; the schedule is unchanged")
        self._say(rating + ".")
        if not self.pause:  # piped: the next line answers the next card
            return UserInput(InputKind.CONTINUE)
        undo = "" if view.mode is Mode.CHALLENGE else ", u undo"  # a challenge answer stands
        while True:
            line = self._read(f"[Enter] continue{undo}, q quit: ")
            if line is None:
                return UserInput(InputKind.QUIT)
            word = line.lower()
            if word == "":
                return UserInput(InputKind.CONTINUE)
            if word in ("u", "undo"):
                return UserInput(InputKind.UNDO)
            if word in ("q", "quit"):
                return UserInput(InputKind.QUIT)
            self._say(f"Press Enter to continue{undo.replace(', u', ', u to')}, q to quit.")

    def ask_self_grade(self, view: FeedbackView) -> int:
        verdict = "right" if view.correct else "wrong"
        self._say(f"You were {verdict}; the answer is"
                  f" {card_types.answer_text(view.question, view.cloze)}.")
        while True:
            line = self._read("How well did you know it? 1 Again, 2 Hard, 3 Good, 4 Easy: ")
            if line is None:
                return 1 if not view.correct else 3
            if line.lower() in GRADES:
                return GRADES[line.lower()]
            self._say("Type 1, 2, 3 or 4.")

    def show_message(self, text: str) -> None:
        self._say(text)

    def show_summary(self, summary: SessionSummary) -> None:
        minutes, seconds = divmod(round(summary.elapsed), 60)
        self._say()
        if summary.mode is Mode.CHALLENGE and summary.score_text:
            self._say(f"Challenge result: {summary.score_text}")
        self._say(
            f"{summary.heading}: {summary.reviewed} {summary.count_label.lower()},"
            f" {summary.correct} right, {minutes}:{seconds:02d} spent."
        )
        for name in summary.badges_earned:
            self._say(f"*** Badge earned: {name}! Congratulations! ***")
        for note in summary.notes:
            self._say(note)
        if summary.next_due_text:
            self._say(f"Next review: {summary.next_due_text}")
