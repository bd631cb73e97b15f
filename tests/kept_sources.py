"""A source whose questions build as kept Anki note types (deck/model.AnkiNoteType): a Basic,
a Cloze and a Basic (and reversed card), one question each."""

from __future__ import annotations

import textwrap

KEPT_YAML = textwrap.dedent(
    """\
    format: 1
    id: spanish
    title: Spanish
    anki_note_types:
      - id: 1712345678901
        name: Basic
        fields:
          - {name: Front, holds: prompt}
          - {name: Back, holds: answer}
        templates:
          - {name: Card 1, front: '{{Front}}', back: '{{FrontSide}}<hr id=answer>{{Back}}'}
      - id: 1712345678902
        name: Cloze
        cloze: true
        fields:
          - {name: Text, holds: cloze}
          - {name: Back Extra, holds: extra}
        templates:
          - {name: Cloze, front: '{{cloze:Text}}', back: '{{cloze:Text}}<br>{{Back Extra}}'}
      - id: 1712345678903
        name: Basic (and reversed card)
        fields:
          - {name: Front, holds: prompt}
          - {name: Back, holds: answer}
        templates:
          - {name: Card 1, front: '{{Front}}', back: '{{Back}}'}
          - {name: Card 2, front: '{{Back}}', back: '{{Front}}'}
    questions:
      - id: hola
        section: practice
        type: recall
        anki_note_type: 1712345678901
        prompt: hola
        answer: hello
      - id: madrid
        section: practice
        type: cloze
        anki_note_type: 1712345678902
        prompt: '{{c1::Madrid}} is the capital of Spain'
      - id: gato
        section: practice
        type: recall
        anki_note_type: 1712345678903
        prompt: gato
        answer: '*cat*'
        explanation: A pet.
    """
)
