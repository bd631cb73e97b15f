"""Questions built as a note type kept from the Anki deck they were imported from.

``srs import DECK.apkg`` keeps a note type whose every field holds one part of a question
(deck/model.AnkiNoteType: Basic, Basic (and reversed card), Basic (type in the answer),
Cloze and copies of them). Its questions then build into notes of that very note type, its
id, field names and templates: Anki's importer, seeing a known note with its own note type,
updates the learner's note in place and keeps its cards, with no "Merge note types" needed.
(With srs-trainer's note type instead, Anki calls the note "conflicting" and skips it.)

Each field gets what its role says, rendered like srs-trainer's own fields: the prompt (and
the question's code), the answer (a recall's with its explanation after it; a typed one's as
plain text, which Anki's ``{{type:...}}`` compares), a cloze's text with its deletions, or its
explanation. The tags are the deck's and the question's own, as the imported note had them.
"""

from __future__ import annotations

from ..deck import typed_answer
from ..deck.model import AnkiNoteType, Deck, FieldRole, Question, QuestionType
from .render import KEPT, Fragments, NoteType, RenderedNote, escape


def kept_type_name(kind: AnkiNoteType) -> str:
    """The ``type`` naming the note type of notes built as ``kind``."""
    return f"{KEPT}{kind.id}"


def note_type_of_kept(kind: AnkiNoteType) -> NoteType:
    first, *more = kind.templates
    return NoteType(
        name=kind.name,
        fields=tuple(name for name, _ in kind.fields),
        front=first.front,
        back=first.back,
        css=kind.css,
        sort_field=kind.sort_field,
        type=kept_type_name(kind),
        template=first.name,
        cloze=kind.cloze,
        id=kind.id,
        more_templates=tuple((t.name, t.front, t.back) for t in more),
    )


def kept_note_types(deck: Deck) -> dict[str, NoteType]:
    return {kept_type_name(kind): note_type_of_kept(kind) for kind in deck.anki_note_types}


def kept_ords(deck: Deck, question: Question) -> tuple[int, ...] | None:
    """The card ords of a question built as a kept standard note type: one card per template
    (a reversed note's two, as the learner has them); None for the others."""
    kind = deck.anki_note_type(question.anki_note_type) if question.anki_note_type else None
    if kind is None or kind.cloze:
        return None
    return tuple(range(len(kind.templates)))


def render_kept(deck: Deck, question: Question, parts: Fragments) -> RenderedNote:
    kind = deck.anki_note_type(question.anki_note_type)
    if kind is None:  # the loader refuses such a source; a deck built in code may not be
        raise ValueError(f"{deck.id}/{question.id}: the deck keeps no note type "
                         f"{question.anki_note_type}")
    markdown = parts.markdown

    def prompt() -> str:
        code = parts.highlight(question.code) if question.code else ""
        return markdown(question.prompt) + code

    def answer() -> str:
        if question.type is QuestionType.TYPED:
            return escape(typed_answer.shown_answer(question))
        return markdown(question.answer) + markdown(question.explanation)

    held = {
        FieldRole.PROMPT: prompt,
        FieldRole.CLOZE: prompt,
        FieldRole.ANSWER: answer,
        FieldRole.EXTRA: lambda: markdown(question.explanation),
    }
    fields = tuple(held[role]().replace("\x1f", "\ufffd") for _, role in kind.fields)
    tags = tuple(dict.fromkeys((*deck.tags, *question.tags)))
    return RenderedNote(fields, tags, kept_type_name(kind))
