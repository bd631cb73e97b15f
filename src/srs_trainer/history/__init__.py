"""The learner's one review history: Anki's reviews joined with the trainer's.

Reads Anki collections with SQLite alone (never the ``anki`` library, never writing Anki's
file) and hands the trainer plain review rows; may import ``deck`` and ``trainer``, never
``anki`` (the export), genanki or the terminal screens.
"""
