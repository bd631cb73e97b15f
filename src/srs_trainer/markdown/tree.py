"""The Markdown tree: block and inline nodes as small frozen classes.

It holds what CommonMark can produce (raw HTML only as ``RawHtml`` and ``HtmlBlock``, which
only ``parse`` makes, for text holding an allowed tag), so the Anki export loses nothing;
the author subset (docs/format.md, "Markdown") is paragraphs, `code`, *emphasis*, **strong**,
fenced code with a language and lists. Adjacent text is always merged into one ``Text``.
"""

from __future__ import annotations

import re


class _Node:
    """A frozen node compared by type and fields (hand-written: dataclasses cost the trainer's
    start-up several milliseconds to create)."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Node) and type(self) is type(other) and (
            self._values() == other._values()
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")


class Text(_Node):
    __slots__ = ("text",)
    text: str

    def __init__(self, text: str) -> None:
        object.__setattr__(self, "text", text)


class CodeSpan(_Node):
    __slots__ = ("code",)
    code: str

    def __init__(self, code: str) -> None:
        object.__setattr__(self, "code", code)


class Emphasis(_Node):
    __slots__ = ("children",)
    children: tuple[Inline, ...]

    def __init__(self, children: tuple[Inline, ...]) -> None:
        object.__setattr__(self, "children", children)


class Strong(_Node):
    __slots__ = ("children",)
    children: tuple[Inline, ...]

    def __init__(self, children: tuple[Inline, ...]) -> None:
        object.__setattr__(self, "children", children)


class Link(_Node):
    __slots__ = ("children", "href", "title")
    href: str
    title: str
    children: tuple[Inline, ...]

    def __init__(self, href: str, title: str, children: tuple[Inline, ...]) -> None:
        object.__setattr__(self, "href", href)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "children", children)


class Image(_Node):
    __slots__ = ("children", "src", "title")
    src: str
    title: str
    children: tuple[Inline, ...]

    def __init__(self, src: str, title: str, children: tuple[Inline, ...]) -> None:
        object.__setattr__(self, "src", src)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "children", children)


class SoftBreak(_Node):
    """A line break inside a paragraph: a space on screen, a new line in plain text."""

    __slots__ = ()


class HardBreak(_Node):
    """Two trailing spaces or a backslash before a line break."""

    __slots__ = ()


class RawHtml(_Node):
    """Raw HTML inside a paragraph, as written; renderers sanitise it (``sanitize``)."""

    __slots__ = ("html",)
    html: str

    def __init__(self, html: str) -> None:
        object.__setattr__(self, "html", html)


Inline = Text | CodeSpan | Emphasis | Strong | Link | Image | SoftBreak | HardBreak | RawHtml


class Paragraph(_Node):
    __slots__ = ("children",)
    children: tuple[Inline, ...]

    def __init__(self, children: tuple[Inline, ...]) -> None:
        object.__setattr__(self, "children", children)


class Heading(_Node):
    __slots__ = ("children", "level")
    level: int
    children: tuple[Inline, ...]

    def __init__(self, level: int, children: tuple[Inline, ...]) -> None:
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "children", children)


class Fence(_Node):
    """Fenced code: ``info`` is the text after the opening fence (unescaped, trimmed) and
    ``language`` its first word."""

    __slots__ = ("info", "language", "source")
    info: str
    language: str
    source: str

    def __init__(self, info: str, language: str, source: str) -> None:
        object.__setattr__(self, "info", info)
        object.__setattr__(self, "language", language)
        object.__setattr__(self, "source", source)


class IndentedCode(_Node):
    __slots__ = ("source",)
    source: str

    def __init__(self, source: str) -> None:
        object.__setattr__(self, "source", source)


class ThematicBreak(_Node):
    __slots__ = ()


class BlockQuote(_Node):
    __slots__ = ("children",)
    children: tuple[Block, ...]

    def __init__(self, children: tuple[Block, ...]) -> None:
        object.__setattr__(self, "children", children)


class ListItem(_Node):
    __slots__ = ("children",)
    children: tuple[Block, ...]

    def __init__(self, children: tuple[Block, ...]) -> None:
        object.__setattr__(self, "children", children)


class BulletList(_Node):
    """``tight``: no blank line between items or their blocks (HTML drops their ``<p>``)."""

    __slots__ = ("items", "marker", "tight")
    marker: str
    tight: bool
    items: tuple[ListItem, ...]

    def __init__(self, marker: str, tight: bool, items: tuple[ListItem, ...]) -> None:
        object.__setattr__(self, "marker", marker)
        object.__setattr__(self, "tight", tight)
        object.__setattr__(self, "items", items)


class OrderedList(_Node):
    __slots__ = ("delimiter", "items", "start", "tight")
    start: int
    delimiter: str
    tight: bool
    items: tuple[ListItem, ...]

    def __init__(
        self, start: int, delimiter: str, tight: bool, items: tuple[ListItem, ...]
    ) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "delimiter", delimiter)
        object.__setattr__(self, "tight", tight)
        object.__setattr__(self, "items", items)


class HtmlBlock(_Node):
    """A block of raw HTML (a table), as written; renderers sanitise it (``sanitize``)."""

    __slots__ = ("html",)
    html: str

    def __init__(self, html: str) -> None:
        object.__setattr__(self, "html", html)


Block = (
    Paragraph | Heading | Fence | IndentedCode | ThematicBreak | BlockQuote | BulletList
    | OrderedList | HtmlBlock
)


class Document(_Node):
    __slots__ = ("children",)
    children: tuple[Block, ...]

    def __init__(self, children: tuple[Block, ...]) -> None:
        object.__setattr__(self, "children", children)


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


def plain_text(nodes: tuple[Inline, ...], *, targets: bool = False) -> str:
    """The words of inline nodes without markup (code as written, breaks as new lines).

    With ``targets``, links and images keep their address as ``[words](href)``: a reader of
    plain text may need it; an image's alt text must not carry it.
    """
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(text_words(node.text))
        elif isinstance(node, CodeSpan):
            out.append(node.code)
        elif isinstance(node, (SoftBreak, HardBreak)):
            out.append("\n")
        elif isinstance(node, (Emphasis, Strong)):
            out.append(plain_text(node.children, targets=targets))
        elif isinstance(node, RawHtml):
            out.append(html_words(node.html))
        elif isinstance(node, (Link, Image)):
            words = plain_text(node.children, targets=targets)
            if not targets:
                out.append(words)
            elif isinstance(node, Link):
                out.append(f"[{words}]({node.href})")
            else:
                out.append(f"![{words}]({node.src})")
    return "".join(out)


# The elements srs_trainer.markdown.sanitize allows (kept in step by a test); others stay as
# written.
_TABLE = re.compile(r"<t(?:able|r)\b", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_TAG = re.compile(r"<(/?)(table|thead|tbody|tfoot|tr|th|td|caption|sub|sup|br|img|b|i|em|strong"
                  r"|code|pre|span)(?=[\s/>])[^>]*>", re.IGNORECASE)


def html_words(html: str) -> str:
    """Raw HTML as text: tags out (a line break a new line, a table row a line of cells
    apart by " | ", a superscript after "^"), the common entities decoded. Pure ``re``: the
    trainer's screens use it and must start fast."""
    def tag(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if name == "br" or (closing and name in ("tr", "caption", "table")):
            return "\n"
        if closing and name in ("td", "th"):
            return " | "
        if name == "sup" and not closing:
            return "^"
        if name == "img":
            alt = _ALT.search(match.group(0))
            words = (alt.group(1) or alt.group(2) or "").strip() if alt else ""
            return f"[image: {words}]" if words else "[image]"
        return ""

    if _TABLE.search(html):  # in a table only its rows (and <br>) start lines, as in a browser
        html = re.sub(r"[ \t]*\n\s*", " ", html)
    text = _TAG.sub(tag, html)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", " "),
                         ("&#39;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    if "\n" not in text.strip("\n"):
        return text
    lines = (re.sub(" {2,}", " ", line).strip().removesuffix(" |").strip()
             for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_words(text: str) -> str:
    """A text node's words; an allowed HTML element the subset parser left in it (a table
    on one line, as imported decks write them) reads as ``html_words`` says."""
    return html_words(text) if "<" in text and _TAG.search(text) else text


def html_paragraph(nodes: tuple[Inline, ...]) -> str | None:
    """The words of a paragraph the subset parser read with a table in it (over several
    lines, perhaps), the HTML read as a whole (``html_words``); None if it holds none."""
    if not any(isinstance(node, Text) and "<" in node.text and _TABLE.search(node.text)
               for node in nodes):
        return None  # inline elements only: each text node reads as text_words says
    raw: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            raw.append(node.text)
        elif isinstance(node, (SoftBreak, HardBreak)):
            raw.append("\n")
        elif isinstance(node, RawHtml):
            raw.append(node.html)
        else:
            raw.append(plain_text((node,), targets=True))
    return html_words("".join(raw))
