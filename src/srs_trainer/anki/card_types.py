"""The note types of recall, typed and cloze questions, and their notes' fields.

Each question type has its own Anki note type (ids in ``deck.ids.NOTE_TYPE_IDS``); the
multiple-choice one lives in ``render`` and does not change. They share the card's header
(meta line, title, prompt, code), the hint, the back's explanation, solution and common
mistakes, and the CSS, with a few rules of their own added (Anki's typed-answer comparison and
cloze marks, in a light and a night-mode palette).

- recall: front and back; the back shows the Markdown answer.
- typed: Anki's ``{{type:Answer}}`` box on the front and its comparison on the back. Anki
  compares the typed text with the Answer field exactly; the trainer normalises (docs/format.md),
  so the back lists the other accepted answers too.
- cloze: Anki's cloze kind, ``{{cloze:Text}}``; Anki makes one card per deletion number.
"""

from __future__ import annotations

from ..deck import typed_answer
from ..deck.ids import NOTE_TYPE_NAMES
from ..deck.model import Deck, Question, QuestionType
from . import render
from .render import (
    BACK_SECTIONS,
    HEADER,
    HINT,
    Fragments,
    NoteType,
    RenderedNote,
    common_fields,
    escape,
    field_values,
    question_tags,
)

RECALL_FIELDS = (
    "Id", "Title", "Prompt", "Code", "Answer", "Hint", "Explanation", "Solution", "Mistakes",
    "Meta",
)
TYPED_FIELDS = (
    "Id", "Title", "Prompt", "Code", "Answer", "Accepted", "Hint", "Explanation", "Solution",
    "Mistakes", "Meta",
)
# Anki's cloze kind needs the field with the deletions; "Text" as in Anki's own Cloze.
CLOZE_FIELDS = (
    "Id", "Title", "Text", "Code", "Hint", "Explanation", "Solution", "Mistakes", "Meta",
)
_FIELDS = {"recall": RECALL_FIELDS, "typed": TYPED_FIELDS, "cloze": CLOZE_FIELDS}


def fields_of(kind: str) -> tuple[str, ...]:
    """The field names of the note type of question type ``kind`` (not ``choice``)."""
    return _FIELDS[kind]


def _card(kind: str, side: str, body: str) -> str:
    return f'<div class="srs-card srs-{side} srs-{kind}">\n{body}</div>\n'


_CLOZE_HEADER = HEADER.replace("{{Prompt}}", "{{cloze:Text}}")
_TYPED_BOX = '<div class="srs-typed">{{type:Answer}}</div>\n'

_TEMPLATES = {
    "recall": (
        _card("recall", "front", HEADER + HINT),
        _card("recall", "back", HEADER + '<hr id="answer">\n'
              + '<div class="srs-answer-text">{{Answer}}</div>\n' + BACK_SECTIONS),
    ),
    "typed": (
        _card("typed", "front", HEADER + _TYPED_BOX + HINT),
        _card("typed", "back", HEADER + '<hr id="answer">\n' + _TYPED_BOX
              + '{{#Accepted}}<p class="srs-accepted">Also accepted: {{Accepted}}</p>'
              + "{{/Accepted}}\n" + BACK_SECTIONS),
    ),
    "cloze": (
        _card("cloze", "front", _CLOZE_HEADER + HINT),
        _card("cloze", "back", _CLOZE_HEADER + '<hr id="answer">\n' + BACK_SECTIONS),
    ),
}
_TEMPLATE_NAMES = {"recall": "Recall", "typed": "Typed answer", "cloze": "Cloze"}
_SORT_FIELDS = {"recall": "Prompt", "typed": "Prompt", "cloze": "Text"}

_TYPES_CSS = """\
.srs-answer-text { font-size: 1.05em; }
.srs-typed { margin: 0.8em 0; }
#typeans { width: 100%; box-sizing: border-box; font-family: ui-monospace, Menlo, Consolas,
  monospace; font-size: 1em; padding: 0.3em 0.5em; }
code#typeans { display: block; white-space: pre-wrap; background: transparent; }
.typeGood { background: #c8e6c9; color: #1b5e20; }
.typeBad { background: #ffcdd2; color: #b71c1c; }
.typeMissed { background: #e0e0e0; color: #424242; }
.srs-accepted { font-size: 0.9em; color: #6b6b73; }
.cloze { font-weight: 700; color: #1f5fbf; }
.nightMode .typeGood, .night_mode .typeGood { background: #1b5e20; color: #e8f5e9; }
.nightMode .typeBad, .night_mode .typeBad { background: #8e1c1c; color: #ffebee; }
.nightMode .typeMissed, .night_mode .typeMissed { background: #424242; color: #eeeeee; }
.nightMode .srs-accepted, .night_mode .srs-accepted { color: #a8a8b3; }
.nightMode .cloze, .night_mode .cloze { color: #8ab4f8; }
"""


def note_type_of(kind: str) -> NoteType:
    """The note type of question type ``kind`` (``choice`` included)."""
    if kind == QuestionType.CHOICE.value:
        return render.note_type(NOTE_TYPE_NAMES[kind])
    front, back = _TEMPLATES[kind]
    fields = _FIELDS[kind]
    return NoteType(
        name=NOTE_TYPE_NAMES[kind],
        fields=fields,
        front=front,
        back=back,
        css=render.note_type_css() + _TYPES_CSS,
        sort_field=fields.index(_SORT_FIELDS[kind]),
        type=kind,
        template=_TEMPLATE_NAMES[kind],
        cloze=kind == QuestionType.CLOZE.value,
    )


def render_other(deck: Deck, question: Question, parts: Fragments) -> RenderedNote:
    """The note of a recall, typed or cloze question."""
    kind = question.type.value
    fields = common_fields(deck, question, parts)
    if question.type is QuestionType.CLOZE:
        # The deletions stay in the HTML as written; Anki's {{cloze:Text}} finds them there.
        fields["Text"] = parts.markdown(question.prompt)
    else:
        fields["Prompt"] = parts.markdown(question.prompt)
    if question.type is QuestionType.RECALL:
        fields["Answer"] = parts.markdown(question.answer)
    elif question.type is QuestionType.TYPED:
        # Anki compares what is typed with this field's text: plain, never Markdown.
        shown = typed_answer.shown_answer(question)
        fields["Answer"] = escape(shown)
        fields["Accepted"] = accepted_html(question, shown)
    return RenderedNote(field_values(fields, _FIELDS[kind]), question_tags(deck, question), kind)


def accepted_html(question: Question, shown: str) -> str:
    """The accepted answers other than the shown one: texts, then patterns as code."""
    others = [
        f'<span class="srs-accept">{escape(accepted.value)}</span>'
        for accepted in question.accept
        if not accepted.regex and accepted.value != shown
    ]
    others += [
        f'<code class="srs-accept-pattern">{escape(accepted.value)}</code>'
        for accepted in question.accept
        if accepted.regex
    ]
    return ", ".join(others)


def cloze_ords(question: Question) -> tuple[int, ...]:
    """Anki's card ords of a cloze question: deletion number - 1, ascending (c0 makes none)."""
    from ..deck.cloze import numbers

    return tuple(number - 1 for number in numbers(question.prompt) if number > 0)
