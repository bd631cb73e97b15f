"""Markdown to the tree by markdown-it-py (CommonMark; raw HTML shown as text, unless the text
holds an element ``sanitize`` allows: then raw HTML becomes ``RawHtml``/``HtmlBlock`` nodes,
which renderers sanitise).

The reference parser: ``subset`` must give the same tree wherever it says it is sure.
markdown-it is imported on first use, never by ``srs review``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from .tree import (
    Block,
    BlockQuote,
    BulletList,
    CodeSpan,
    Document,
    Emphasis,
    Fence,
    HardBreak,
    Heading,
    HtmlBlock,
    Image,
    IndentedCode,
    Inline,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    RawHtml,
    SoftBreak,
    Strong,
    Text,
    ThematicBreak,
    merge_text,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@cache
def _parser(html: bool = False) -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": html})


def parse(text: str) -> Document:
    """Author Markdown as a tree, exactly as CommonMark reads it."""
    from .sanitize import ALLOWED_TAG

    tokens = _parser("<" in text and ALLOWED_TAG.search(text) is not None).parse(text)
    blocks, _ = _blocks(tokens, 0)
    return Document(tuple(blocks))


def _blocks(tokens: Sequence[Token], index: int) -> tuple[list[Block], int]:
    """Blocks from ``index`` up to the closing token of the enclosing container."""
    blocks: list[Block] = []
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if token.nesting == -1:
            return blocks, index
        if kind == "paragraph_open":
            blocks.append(Paragraph(_inlines(tokens[index + 1].children or ())))
            index += 3
        elif kind == "heading_open":
            children = _inlines(tokens[index + 1].children or ())
            blocks.append(Heading(int(token.tag[1:]), children))
            index += 3
        elif kind == "fence":
            info = _fence_info(token.info)
            blocks.append(Fence(info, _language(info), token.content))
            index += 1
        elif kind == "code_block":
            blocks.append(IndentedCode(token.content))
            index += 1
        elif kind == "hr":
            blocks.append(ThematicBreak())
            index += 1
        elif kind == "blockquote_open":
            inner, index = _blocks(tokens, index + 1)
            blocks.append(BlockQuote(tuple(inner)))
            index += 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            opened = index
            items: list[ListItem] = []
            index += 1
            while tokens[index].type == "list_item_open":
                inner, index = _blocks(tokens, index + 1)
                items.append(ListItem(tuple(inner)))
                index += 1
            # Tight unless one of the items' own paragraphs is shown (not hidden).
            tight = not any(
                t.type == "paragraph_open" and t.level == token.level + 2 and not t.hidden
                for t in tokens[opened:index]
            )
            index += 1  # the list's closing token
            if kind == "bullet_list_open":
                blocks.append(BulletList(token.markup, tight, tuple(items)))
            else:
                start = int(token.attrs.get("start", 1))
                blocks.append(OrderedList(start, token.markup[-1:], tight, tuple(items)))
        elif kind == "html_block":
            blocks.append(HtmlBlock(token.content))
            index += 1
        else:  # skip anything unknown
            index += 1
    return blocks, index


def _fence_info(info: str) -> str:
    from markdown_it.common import utils

    # markdown-it 4 trims with CommonMark's whitespace set, 3 with Python's.
    trim = getattr(utils, "mdTrim", str.strip)
    return str(trim(utils.unescapeAll(info))) if info else ""


def _language(info: str) -> str:
    from markdown_it.common import utils

    pattern = getattr(utils, "MD_TRIM_RE", None)  # how the renderer splits (as in _fence_info)
    words = pattern.split(info, maxsplit=1) if pattern is not None else info.split(maxsplit=1)
    return str(words[0]) if info else ""


def _inlines(tokens: Sequence[Token]) -> tuple[Inline, ...]:
    nodes, _ = _inline_run(tokens, 0)
    return nodes


def _inline_run(tokens: Sequence[Token], index: int) -> tuple[tuple[Inline, ...], int]:
    nodes: list[Inline] = []
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if token.nesting == -1:
            break
        if kind in ("text", "text_special"):
            nodes.append(Text(token.content))
        elif kind == "html_inline":
            nodes.append(RawHtml(token.content))
        elif kind == "code_inline":
            nodes.append(CodeSpan(token.content))
        elif kind == "softbreak":
            nodes.append(SoftBreak())
        elif kind == "hardbreak":
            nodes.append(HardBreak())
        elif kind == "image":
            children = _inlines(token.children or ())
            nodes.append(Image(str(token.attrs.get("src", "")), str(token.attrs.get("title", "")),
                               children))
        elif kind in ("em_open", "strong_open", "link_open"):
            children, index = _inline_run(tokens, index + 1)
            if kind == "em_open":
                nodes.append(Emphasis(children))
            elif kind == "strong_open":
                nodes.append(Strong(children))
            else:
                nodes.append(Link(str(token.attrs.get("href", "")),
                                  str(token.attrs.get("title", "")), children))
        index += 1
    return merge_text(nodes), index
