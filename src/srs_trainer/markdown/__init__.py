"""Author Markdown, parsed once into a small tree of our own (``tree``) that renderers read.

Two parsers give the same tree: ``parse`` (markdown-it-py, CommonMark, raw HTML off unless the
text holds an element ``sanitize`` allows; used by
``srs build``) and ``subset`` (pure Python, for the documented author subset; used where
markdown-it must not be imported, i.e. ``srs review`` and the other trainer screens, and by the
build as a fast path when it is sure). Renderers: ``html`` (Anki fields, highlighting passed
in), ``plain`` (line mode) and ``tui.markup`` (rich text on the terminal screen).

This package imports only the standard library at import time; ``parse`` imports markdown-it
when first called.
"""
