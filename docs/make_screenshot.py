"""Export docs/review.svg: the review screen of the bundled deck, drawn by the program itself.

Usage: python docs/make_screenshot.py [--output docs/review.svg] [--width 100]

The screen is rendered by ``srs_trainer.tui.screens``, the code ``TerminalUI`` draws with,
into a recording rich console: the screen after a right answer on the second attempt, with the
hint shown. As at the terminal, the question stays on screen with the right choice marked and
the tried one crossed out (its countdown and keys are gone), and the feedback follows.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from srs_trainer.deck.sources import load_deck
from srs_trainer.trainer.views import FeedbackView, Mode, QuestionView
from srs_trainer.tui import feedback as feedback_screens
from srs_trainer.tui import widgets

DOCS = Path(__file__).resolve().parent
DECK = DOCS.parent / "cards" / "django-async.yaml"
QUESTION_ID = "await-in-orm-calls"


def render_svg(width: int = 100) -> str:
    deck = load_deck(DECK)
    question = deck.question(QUESTION_ID)
    if question is None:
        raise SystemExit(f"{DECK}: no question {QUESTION_ID!r}")
    wrong = next(c.letter for c in question.choices if c.letter != question.answer)
    console = widgets.make_console(
        no_color=False, file=io.StringIO(), width=width, record=True, force_terminal=True
    )
    symbols = widgets.UNICODE_SYMBOLS
    view = QuestionView(
        deck_title=deck.title,
        question=question,
        mode=Mode.REVIEW,
        position=4,
        total=12,
        attempts_left=question.attempts - 1,
        time_limit=question.time_limit,
        elapsed=37.0,
        hint_shown=True,
        wrong_letters=(wrong,),
        message="Not quite: 1 attempt left.",
    )
    feedback = FeedbackView(
        question=question,
        mode=Mode.REVIEW,
        chosen=question.answer,
        correct=True,
        rating="Hard",
        next_due_text="in 2 days",
        show_solution=False,
        elapsed=52.0,
    )
    # As TerminalUI draws it, at full length: a screenshot has no window height to fit.
    console.print(feedback_screens.AnsweredScreen(feedback, symbols, shown=view))
    return console.export_svg(title="srs review", unique_id="srs-review")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DOCS / "review.svg")
    parser.add_argument("--width", type=int, default=100)
    args = parser.parse_args()
    args.output.write_text(render_svg(args.width), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
