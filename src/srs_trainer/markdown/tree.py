"""The Markdown tree: block and inline nodes as small frozen dataclasses.

It holds what CommonMark (with raw HTML off) can produce, so the Anki export loses nothing;
the author subset (docs/format.md, "Markdown") is paragraphs, `code`, *emphasis*, **strong**,
fenced code with a language and lists. Adjacent text is always merged into one ``Text``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class CodeSpan:
    code: str


@dataclass(frozen=True, slots=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    title: str
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    title: str
    children: tuple[Inline, ...]  # the alt text, as Markdown


@dataclass(frozen=True, slots=True)
class SoftBreak:
    """A line break inside a paragraph: a space on screen, a new line in plain text."""


@dataclass(frozen=True, slots=True)
class HardBreak:
    """Two trailing spaces or a backslash before a line break."""


Inline = Text | CodeSpan | Emphasis | Strong | Link | Image | SoftBreak | HardBreak


@dataclass(frozen=True, slots=True)
class Paragraph:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Fence:
    """Fenced code: ``info`` is the text after the opening fence (unescaped, trimmed) and
    ``language`` its first word."""

    info: str
    language: str
    source: str


@dataclass(frozen=True, slots=True)
class IndentedCode:
    source: str


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    pass


@dataclass(frozen=True, slots=True)
class BlockQuote:
    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ListItem:
    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    """``tight``: no blank line between items or their blocks (HTML drops their ``<p>``)."""

    marker: str  # -, * or +
    tight: bool
    items: tuple[ListItem, ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    start: int
    delimiter: str  # . or )
    tight: bool
    items: tuple[ListItem, ...]


Block = (
    Paragraph | Heading | Fence | IndentedCode | ThematicBreak | BlockQuote | BulletList
    | OrderedList
)


@dataclass(frozen=True, slots=True)
class Document:
    children: tuple[Block, ...]


def merge_text(nodes: list[Inline]) -> tuple[Inline, ...]:
    """``nodes`` with adjacent ``Text`` joined and empty ones dropped (the tree's one form)."""
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            if not node.text:
                continue
            if merged and isinstance(merged[-1], Text):
                merged[-1] = Text(merged[-1].text + node.text)
                continue
        merged.append(node)
    return tuple(merged)


def plain_text(nodes: tuple[Inline, ...]) -> str:
    """The words of inline nodes without markup (code as written, breaks as new lines)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, CodeSpan):
            out.append(node.code)
        elif isinstance(node, (SoftBreak, HardBreak)):
            out.append("\n")
        elif isinstance(node, (Emphasis, Strong, Link, Image)):
            out.append(plain_text(node.children))
    return "".join(out)
