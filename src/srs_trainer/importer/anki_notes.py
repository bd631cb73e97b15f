"""Anki notes into questions: which note types map to which question type, and how.

A note type is mapped by what its card templates show, not by its name, so renamed and
home-made copies of the stock types map too:

- a cloze note type (Anki's "Cloze" kind): the field its template shows as ``{{cloze:Field}}``
  is the ``cloze`` question's prompt; the other fields its back shows ("Back Extra") are the
  explanation;
- a standard note type whose first template's front asks ``{{type:Field}}``: a ``typed``
  question; the other front fields are the prompt, that field the accepted answer;
- any other standard note type: ``recall``; the first template's front fields are the prompt,
  the fields only its back shows the answer. "Basic (and reversed card)" maps too, but the
  question is front to back: its reverse card is reported, not kept.

A note type whose cards show no field on the front (or nothing more on the back), Image
Occlusion and a cloze note without deletions map to nothing: such notes are listed by id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..deck.cloze import DELETION
from ..deck.model import (
    Accepted,
    AnkiNoteType,
    AnkiTemplate,
    FieldRole,
    Question,
    QuestionType,
    Section,
)
from ..deck.sound import SOUND_TAG
from .apkg import Note, NoteType
from .html_markdown import Converted, html_to_markdown, html_to_text

# {{Field}}, {{text:Field}}, {{type:Field}}, {{cloze:Field}}, {{#Field}}...{{/Field}}
_REFERENCE = re.compile(r"\{\{\s*([#^/]?)\s*([^}]+?)\s*\}\}")
_SPECIAL = frozenset(("FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type"))
_TAG_PART = re.compile(r"[^A-Za-z0-9_.+-]+")


@dataclass(frozen=True)
class References:
    """The fields a template shows, in order, and the field it types or clozes."""

    shown: tuple[str, ...]
    typed: str = ""
    cloze: str = ""


def references(template: str) -> References:
    shown: list[str] = []
    typed = cloze = ""
    for mark, body in _REFERENCE.findall(template):
        if mark in "/^" and mark:
            continue
        *filters, name = (part.strip() for part in body.split(":"))
        if name in _SPECIAL or not name:
            continue
        if mark == "#":
            continue  # a condition shows nothing itself
        if "type" in filters and not typed:
            typed = name
        if "cloze" in filters and not cloze:
            cloze = name
        if name not in shown:
            shown.append(name)
    return References(tuple(shown), typed, cloze)


@dataclass(frozen=True)
class Mapping:
    """How one note type's notes become questions, or why they cannot."""

    type: QuestionType | None
    prompt_fields: tuple[str, ...] = ()
    answer_fields: tuple[str, ...] = ()  # recall: the answer; typed: the typed field; cloze: extra
    cloze_field: str = ""
    reason: str = ""  # why the note type maps to nothing
    dropped_cards: str = ""  # templates beyond the first, which the question does not keep


def map_note_type(note_type: NoteType) -> Mapping:
    if not note_type.templates:
        return Mapping(None, reason=f"note type '{note_type.name}' has no card template")
    first = note_type.templates[0]
    front, back = references(first.front), references(first.back)
    if note_type.cloze:
        if not front.cloze or "occlusion" in note_type.name.lower():
            return Mapping(None, reason=f"note type '{note_type.name}' is not a text cloze")
        prompt = tuple(name for name in front.shown if name != front.cloze)
        extra = tuple(name for name in back.shown if name != front.cloze and name not in prompt)
        return Mapping(QuestionType.CLOZE, prompt, extra, front.cloze)
    dropped = ", ".join(t.name for t in note_type.templates[1:])
    if front.typed:
        prompt = tuple(name for name in front.shown if name != front.typed)
        if not prompt:
            return Mapping(None, reason=f"note type '{note_type.name}' shows only the typed field")
        return Mapping(QuestionType.TYPED, prompt, (front.typed,), dropped_cards=dropped)
    answer = tuple(name for name in back.shown if name not in front.shown)
    if not front.shown or not answer:
        side = "front" if not front.shown else "back"
        return Mapping(
            None, reason=f"note type '{note_type.name}': its first card shows no field on the "
            f"{side} (beyond the front)"
        )
    return Mapping(QuestionType.RECALL, front.shown, answer, dropped_cards=dropped)


def kept_note_type(note_type: NoteType, mapping: Mapping) -> AnkiNoteType | None:
    """The note type to keep for the built notes (deck/model.AnkiNoteType), when each of its
    fields holds one part of the question, so rebuilding it loses nothing of the learner's
    notes; None when a field would have nothing to hold (its notes then build as
    srs-trainer's note type, which Anki updates only with "Merge note types")."""
    if mapping.type is None:
        return None
    if mapping.type is QuestionType.CLOZE:
        if mapping.prompt_fields or len(mapping.answer_fields) > 1:
            return None
        roles = {mapping.cloze_field: FieldRole.CLOZE,
                 **{name: FieldRole.EXTRA for name in mapping.answer_fields}}
    else:
        if len(mapping.prompt_fields) != 1 or len(mapping.answer_fields) != 1:
            return None
        roles = {mapping.prompt_fields[0]: FieldRole.PROMPT,
                 mapping.answer_fields[0]: FieldRole.ANSWER}
    if set(roles) != set(note_type.fields):
        return None
    return AnkiNoteType(
        id=note_type.id, name=note_type.name,
        fields=tuple((name, roles[name]) for name in note_type.fields),
        templates=tuple(AnkiTemplate(t.name, t.front, t.back) for t in note_type.templates),
        css=note_type.css, cloze=note_type.cloze, sort_field=note_type.sort_field,
    )


@dataclass
class Mapped:
    """A note as a question (``question`` is None when it maps to nothing, with ``reason``)."""

    note: Note
    question: Question | None
    reason: str = ""
    kept_html: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    tags_changed: bool = False
    conversions: list[Converted] = field(default_factory=list)


def _joined(parts: list[Converted]) -> str:
    return "\n\n".join(part.markdown for part in parts if part.markdown.strip())


def question_tags(tags: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """Anki tags as source tags (``[A-Za-z0-9_.+-]`` parts joined by ``::``), and if any changed."""
    kept: list[str] = []
    for tag in tags:
        parts = [_TAG_PART.sub("-", part).strip("-") for part in tag.split("::")]
        cleaned = "::".join(part for part in parts if part)
        if cleaned and cleaned not in kept:
            kept.append(cleaned)
    return tuple(kept), tuple(kept) != tags


def map_note(
    note: Note, note_type: NoteType, mapping: Mapping, question_id: Callable[[str], str],
    media_link: Callable[[str], str],
) -> Mapped:
    """``note`` as a practice question; ``question_id`` makes a unique id from its words."""
    if mapping.type is None:
        return Mapped(note, None, mapping.reason)

    def value(name: str) -> str:
        return note.field(note_type, name)

    def unsounded(name: str) -> str:
        # Anki compares a typed answer without its sound; ids are words, not file names.
        return SOUND_TAG.sub("", note.field(note_type, name))

    def convert(names: tuple[str, ...]) -> list[Converted]:
        return [html_to_markdown(value(name), media_link) for name in names]

    prompt_parts = convert(mapping.prompt_fields)
    answer_parts = convert(mapping.answer_fields)
    accept: tuple[Accepted, ...] = ()
    answer = _joined(answer_parts)
    explanation = ""
    if mapping.type is QuestionType.CLOZE:
        cloze = html_to_markdown(value(mapping.cloze_field), media_link)
        prompt_parts.append(cloze)
        if not DELETION.search(cloze.markdown):
            return Mapped(note, None, "a cloze note without any {{c1::...}} deletion")
        explanation, answer = answer, ""
    elif mapping.type is QuestionType.TYPED:
        # Anki compares what was typed with the field's text, tags stripped.
        typed = html_to_text(unsounded(mapping.answer_fields[0]))
        if not typed:
            return Mapped(note, None, f"its typed field '{mapping.answer_fields[0]}' is empty")
        accept = (Accepted(typed),)
        # The answer is what was typed; the field's sound plays with the explanation.
        answer = _joined([html_to_markdown(unsounded(name), media_link)
                          for name in mapping.answer_fields])
        explanation = " ".join(f"[sound:{media_link(match.group(1).strip())}]"
                               for name in mapping.answer_fields
                               for match in SOUND_TAG.finditer(value(name)))
    prompt = _joined(prompt_parts)
    if not prompt.strip():
        return Mapped(note, None, "its front is empty")
    if mapping.type is QuestionType.RECALL and not answer.strip():
        return Mapped(note, None, "its back is empty")
    words = DELETION.sub(lambda m: m.group(2), html_to_text(
        " ".join(unsounded(n) for n in (*mapping.prompt_fields, mapping.cloze_field)
                 if n)))
    tags, tags_changed = question_tags(note.tags)
    conversions = [*prompt_parts, *answer_parts]
    question = Question(
        id=question_id(words),
        section=Section.PRACTICE,
        prompt=prompt,
        choices=(),
        answer=answer,
        explanation=explanation,
        tags=tags,
        type=mapping.type,
        accept=accept,
        guid=note.guid,
    )
    return Mapped(
        note,
        question,
        kept_html=tuple(dict.fromkeys(t for c in conversions for t in c.kept_html)),
        removed=tuple(dict.fromkeys(t for c in conversions for t in c.removed)),
        media=tuple(dict.fromkeys(m for c in conversions for m in c.media)),
        tags_changed=tags_changed,
        conversions=conversions,
    )
