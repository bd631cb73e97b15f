"""Anki field HTML into Markdown (``srs import DECK.apkg``).

What Markdown can say is said in Markdown: bold, italic, code, preformatted blocks, lists, line
breaks, links and images; ``div``/``p`` become paragraphs and ``span``/``font`` wrappers fall
away. What it cannot (tables, sub/superscript...) is kept as HTML, sanitised: ``script`` and
``style`` elements, ``on*`` attributes and ``javascript:`` addresses are removed, since a deck
source is shared and its HTML would run in every reader's Anki. ``Converted.kept_html`` and
``Converted.removed`` say when either happened, so the import can tell the author.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from ..deck.sound import SOUND_TAG

# Elements with no content and no closing tag.
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())  # noqa: SIM905
_DROPPED = frozenset(("script", "style", "head", "title"))
_UNWRAPPED = frozenset(("span", "font", "body", "html", "u", "small", "big", "label"))
_BLOCKS = frozenset(("div", "p", "section", "article", "header", "footer", "blockquote"))
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)
# Markdown that plain text must not turn into: escaped with a backslash.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<])")
# At a line's start: headings, quotes, list markers, thematic breaks, fences, setext lines.
_LINE_START_SPECIAL = re.compile(r"^(\s*)(\d{1,9}(?=[.)](?:\s|$)))?([#>+\-=~.)])")
_NEWLINE = "\x01"  # a line break inside code, kept from _tidy
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


@dataclass
class Node:
    tag: str  # "" for a text node
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def attr(self, name: str) -> str:
        return next((value or "" for key, value in self.attrs if key == name), "")


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unclosed elements close with their parent, stray end tags are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node("", text=data))


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class Converted:
    """A field as Markdown, and what the conversion could not say in Markdown or removed."""

    markdown: str
    kept_html: tuple[str, ...] = ()  # tags kept as (sanitised) HTML
    removed: tuple[str, ...] = ()  # what sanitising took out ("script", "onclick", ...)
    media: tuple[str, ...] = ()  # media file names the field refers to


MediaLink = Callable[[str], str]


class _Converter:
    def __init__(self, media_link: MediaLink) -> None:
        self.media_link = media_link
        self.kept: list[str] = []
        self.removed: list[str] = []
        self.media: list[str] = []

    # --- inline ---------------------------------------------------------------------------

    def inline(self, nodes: list[Node]) -> str:
        return "".join(self.inline_node(node) for node in nodes)

    def inline_node(self, node: Node) -> str:
        tag = node.tag
        if not tag:
            text = re.sub(r"\s+", " ", node.text.replace("\xa0", " "))
            return self.sounds(text) if "[sound:" in text else _escape_text(text)
        if tag in _DROPPED:
            self.removed.append(tag)
            return ""
        if tag == "br":
            return "\n"
        if tag in ("b", "strong"):
            return _wrap(self.inline(node.children), "**")
        if tag in ("i", "em"):
            return _wrap(self.inline(node.children), "*")
        if tag in ("code", "kbd", "tt"):
            return _code_span(_text_of(node))
        if tag == "a":
            words = self.inline(node.children).strip()
            href = node.attr("href")
            if not href or _UNSAFE_URL.match(href):
                if href:
                    self.removed.append("javascript: link")
                return words
            return f"[{words or _escape_text(href)}]({_link_target(href)})"
        if tag == "img":
            return self.image(node)
        if tag in _UNWRAPPED:
            return self.inline(node.children)
        if tag in _BLOCKS or tag in ("ul", "ol", "pre", "table", "hr") or tag in _HEADINGS:
            return "\n" + self.block(node) + "\n"
        return self.kept_as_html(node)

    def image(self, node: Node) -> str:
        src = node.attr("src")
        if not src or _UNSAFE_URL.match(src):
            return ""
        src = self.media_file(src)
        alt = node.attr("alt").replace("]", "").replace("[", "")
        return f"![{alt}]({_link_target(src)})"

    def sounds(self, text: str) -> str:
        """Text with Anki's sound tags kept as tags (deck/sound.py), their files re-addressed."""
        out: list[str] = []
        last = 0
        for match in SOUND_TAG.finditer(text):
            out.append(_escape_text(text[last:match.start()]))
            out.append(f"[sound:{self.media_file(match.group(1).strip())}]")
            last = match.end()
        out.append(_escape_text(text[last:]))
        return "".join(out)

    def media_file(self, src: str) -> str:
        """A local file's new address (recorded, to be copied); a web address as it is."""
        if "://" in src or src.startswith("data:"):
            return src
        self.media.append(src)
        return self.media_link(src)

    def kept_as_html(self, node: Node) -> str:
        self.kept.append(node.tag)
        return _sanitised(node, self.removed, self.media_file)

    # --- blocks ---------------------------------------------------------------------------

    def block(self, node: Node) -> str:
        tag = node.tag
        if tag == "pre":
            source = _text_of(node).strip("\n")
            fence = "```" if "```" not in source else "~~~~"
            # One line until the end, so that tidying the paragraphs leaves the code alone.
            return f"\n{fence}{_NEWLINE}{source.replace(chr(10), _NEWLINE)}{_NEWLINE}{fence}\n"
        if tag in ("ul", "ol"):
            items = [child for child in node.children if child.tag == "li"]
            lines = []
            for number, item in enumerate(items, start=1):
                marker = f"{number}. " if tag == "ol" else "- "
                body = _tidy(self.blocks(item.children)).strip()
                lines.append(marker + body.replace("\n", "\n" + " " * len(marker)))
            return "\n" + "\n".join(lines) + "\n"
        if tag == "hr":
            return "\n---\n"
        if tag in _HEADINGS:
            return "\n" + "#" * _HEADINGS[tag] + " " + self.inline(node.children).strip() + "\n"
        if tag == "table":
            return "\n" + self.kept_as_html(node) + "\n"
        if tag == "blockquote":
            inner = _tidy(self.blocks(node.children)).strip()
            return "\n" + "\n".join("> " + line if line else ">" for line in
                                   inner.split("\n")) + "\n"
        return "\n" + self.blocks(node.children) + "\n"

    def blocks(self, nodes: list[Node]) -> str:
        # Block elements come back from inline_node wrapped in line breaks; _tidy sorts them.
        return self.inline(nodes)


def _wrap(text: str, mark: str) -> str:
    # Markdown emphasis may not start or end with a space: move the spaces outside.
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _code_span(text: str) -> str:
    text = text.replace("\n", " ")
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _text_of(node: Node) -> str:
    if not node.tag:
        return node.text.replace("\xa0", " ")
    if node.tag == "br":
        return "\n"
    if node.tag in _DROPPED:
        return ""
    return "".join(_text_of(child) for child in node.children)


def _link_target(href: str) -> str:
    return f"<{href}>" if any(c in href for c in " ()<>") else href


def _escape_text(text: str) -> str:
    # A text node may start a line, where "- " or "# " would start a list or a heading; a
    # backslash before punctuation is harmless anywhere else.
    escaped = _INLINE_SPECIAL.sub(r"\\\1", text)
    # "1. x" is escaped after its digits: a backslash before a digit would show as itself.
    escaped = _LINE_START_SPECIAL.sub(lambda m: f"{m[1]}{m[2] or ''}\\{m[3]}", escaped)
    return _ENTITY_LIKE.sub("&amp;", escaped)


def _sanitised(node: Node, removed: list[str], media_file: MediaLink) -> str:
    """``node`` as HTML without scripts, styles, event handlers or javascript: addresses;
    an image's file gets its new address from ``media_file``."""
    if not node.tag:
        return escape(node.text, quote=False)
    if node.tag in _DROPPED:
        removed.append(node.tag)
        return ""
    attrs = []
    for name, value in node.attrs:
        if name.startswith("on"):
            removed.append(name)
        elif name in ("href", "src") and value and _UNSAFE_URL.match(value):
            removed.append(f"{name}=javascript:")
        elif node.tag == "img" and name == "src" and value:
            attrs.append(f' src="{escape(media_file(value))}"')
        else:
            attrs.append(f' {name}="{escape(value or "")}"' if value is not None else f" {name}")
    opening = f"<{node.tag}{''.join(attrs)}>"
    if node.tag in _VOID:
        return opening
    inner = "".join(_sanitised(child, removed, media_file) for child in node.children)
    return f"{opening}{inner}</{node.tag}>"


def _tidy(text: str) -> str:
    """Paragraphs separated by one blank line; hard breaks inside them; no trailing space."""
    paragraphs = re.split(r"\n\s*\n", text)
    tidied = []
    for paragraph in paragraphs:
        # A nested list item keeps its indentation; other lines lose theirs (four spaces
        # would make them code).
        lines = [line.rstrip() if _is_markup_line(line.strip()) else line.strip()
                 for line in paragraph.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        # A line break inside a paragraph is a hard break (a backslash at the line's end).
        tidied.append("\\\n".join(lines) if not any(map(_is_markup_line, lines))
                      else "\n".join(lines))
    return "\n\n".join(tidied)


def _is_markup_line(line: str) -> bool:
    """A line the converter itself wrote as Markdown block syntax (a list item, a heading...)."""
    return bool(re.match(r"^(- |\d+\. |#{1,6} |> ?|---$|<table|```|~~~~)", line))


def html_to_markdown(html: str, media_link: MediaLink = lambda name: name) -> Converted:
    """The Markdown for an Anki field's HTML; ``media_link`` maps a media file to its address."""
    converter = _Converter(media_link)
    root = parse_html(html)
    text = converter.blocks(root.children)
    return Converted(
        markdown=_tidy(text).replace(_NEWLINE, "\n"),
        kept_html=tuple(dict.fromkeys(converter.kept)),
        removed=tuple(dict.fromkeys(converter.removed)),
        media=tuple(dict.fromkeys(converter.media)),
    )


def html_to_text(html: str) -> str:
    """The plain text of a field, as Anki compares a typed answer (tags out, entities decoded)."""
    return re.sub(r"\s+", " ", _text_of(parse_html(html))).strip()
