"""Author Markdown as rich text: the Markdown tree (``srs_trainer.markdown``) on screen.

Paragraphs, list items, `code`, **bold**, *em* and fences are styled; everything else the
subset parser leaves as written (``<div>``, links, headings), never dropped, so no word of a
question goes missing on screen. The allowed HTML elements (``markdown.sanitize``) read as
their words: a table as rows of cells apart by " | ". Lines of a paragraph are joined, so
hard-wrapped YAML text re-wraps to the terminal's width.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..deck.model import Code
from ..markdown.subset import parse_inline, parse_subset
from ..markdown.tree import (
    Block,
    BlockQuote,
    BulletList,
    CodeSpan,
    Emphasis,
    Fence,
    HardBreak,
    Heading,
    HtmlBlock,
    Image,
    IndentedCode,
    Inline,
    Link,
    OrderedList,
    Paragraph,
    RawHtml,
    SoftBreak,
    Strong,
    ThematicBreak,
    html_paragraph,
    html_words,
    text_words,
)
from ..markdown.tree import (
    Text as TextNode,
)
from .code import code_block
from .widgets import Hanging

STYLE_CODE = "bold cyan"


def markdown(text: str) -> RenderableType:
    """Author Markdown for the terminal: paragraphs, lists, `code`, **bold**, *em*, fences."""
    rows = _blocks(parse_subset(text).document.children)
    return rows[0] if len(rows) == 1 else Group(*rows)


def _blocks(blocks: tuple[Block, ...]) -> list[RenderableType]:
    rows: list[RenderableType] = []
    for block in blocks:
        if rows:
            rows.append(Text(""))
        rows.extend(_block(block))
    return rows


def _block(block: Block) -> list[RenderableType]:
    if isinstance(block, Paragraph):
        words = html_paragraph(block.children)  # a table: its rows as lines, unstyled
        return [rich_inline(block.children) if words is None else Text(words)]
    if isinstance(block, Heading):
        heading = rich_inline(block.children)
        heading.stylize("bold")
        return [heading]
    if isinstance(block, Fence):
        return [code_block(Code(block.source, block.language or "text"))]
    if isinstance(block, IndentedCode):
        return [code_block(Code(block.source, "text"))]
    if isinstance(block, ThematicBreak):
        return [Text("---")]
    if isinstance(block, HtmlBlock):
        return [Text(html_words(block.html).strip("\n"))]
    if isinstance(block, BlockQuote):
        return [Padding(Group(*_blocks(block.children)), (0, 0, 0, 2))]
    return _list(block)


def _list(block: BulletList | OrderedList) -> list[RenderableType]:
    rows: list[RenderableType] = []
    for number, item in enumerate(block.items):
        if isinstance(block, BulletList):
            lead = f"{block.marker} "
        else:
            lead = f"{block.start + number}{block.delimiter} "
        if rows and not block.tight:
            rows.append(Text(""))
        children = item.children
        # A list item's wrapped rows hang under its text, never back at the marker.
        if children and isinstance(children[0], Paragraph):
            rows.append(Hanging(Text(lead), rich_inline(children[0].children)))
            children = children[1:]
        else:
            rows.append(Text(lead.rstrip()))
        for row in _blocks(children) if block.tight is False else _tight(children):
            rows.append(Padding(row, (0, 0, 0, len(lead))))
    return rows


def _tight(blocks: tuple[Block, ...]) -> list[RenderableType]:
    return [row for block in blocks for row in _block(block)]


def inline_markdown(text: str) -> Text:
    """``code``, **bold** and *em* as styles; the markers themselves are not shown."""
    return rich_inline(parse_inline(text), soft_break="\n")


def rich_inline(nodes: tuple[Inline, ...], soft_break: str = " ") -> Text:
    """Inline nodes as one rich Text; a paragraph's line breaks become ``soft_break``."""
    result = Text()
    for node in nodes:
        if isinstance(node, TextNode):
            result.append(text_words(node.text))
        elif isinstance(node, RawHtml):
            result.append(html_words(node.html))
        elif isinstance(node, CodeSpan):
            result.append(node.code, style=STYLE_CODE)
        elif isinstance(node, SoftBreak):
            result.append(soft_break)
        elif isinstance(node, HardBreak):
            result.append("\n")
        elif isinstance(node, (Strong, Emphasis)):  # may hold code: style what is inside
            inner = rich_inline(node.children, soft_break)
            inner.stylize("bold" if isinstance(node, Strong) else "italic")
            result.append_text(inner)
        elif isinstance(node, (Link, Image)):  # shown as written, the address kept
            address = node.href if isinstance(node, Link) else node.src
            result.append("![" if isinstance(node, Image) else "[")
            result.append_text(rich_inline(node.children, soft_break))
            result.append(f"]({address})")
    return result


def _bulleted(text: str, bullet: str) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(Text(f" {bullet}"), inline_markdown(" ".join(text.split())))
    return grid
