"""The tree as plain text, for line mode and logs: the words without their markers.

`code` and **bold** print as their words, a fenced block as its code indented four spaces,
list items with their markers (nested ones under their parent's text), paragraphs apart by
a blank line. Code blocks sit next to the text around them (their indent sets them off).
"""

from __future__ import annotations

from .subset import parse_subset
from .tree import (
    Block,
    BlockQuote,
    BulletList,
    Fence,
    Heading,
    HtmlBlock,
    IndentedCode,
    Inline,
    Paragraph,
    ThematicBreak,
    html_paragraph,
    html_words,
    plain_text,
)

CODE_INDENT = "    "


def plain_markdown(text: str) -> str:
    """Author Markdown as plain text (parsed by the pure-Python subset parser)."""
    return blocks_text(parse_subset(text).document.children)


def blocks_text(blocks: tuple[Block, ...]) -> str:
    out = ""
    previous: Block | None = None
    for block in blocks:
        if previous is not None:
            code_next_to = isinstance(block, (Fence, IndentedCode)) or isinstance(
                previous, (Fence, IndentedCode)
            )
            out += "\n" if code_next_to else "\n\n"
        out += _block(block)
        previous = block
    return out


def _block(block: Block) -> str:
    if isinstance(block, (Paragraph, Heading)):
        words = html_paragraph(block.children)
        return inline_text(block.children) if words is None else words
    if isinstance(block, (Fence, IndentedCode)):
        return _indented(block.source.rstrip("\n"), CODE_INDENT)
    if isinstance(block, ThematicBreak):
        return "---"
    if isinstance(block, HtmlBlock):
        return html_words(block.html).strip("\n")
    if isinstance(block, BlockQuote):
        return _indented(blocks_text(block.children), "> ")
    lines = []
    for number, item in enumerate(block.items):
        if isinstance(block, BulletList):
            lead = f"{block.marker} "
        else:
            lead = f"{block.start + number}{block.delimiter} "
        body = blocks_text(item.children)
        first, _, rest = body.partition("\n")
        lines.append(lead + first + ("\n" + _indented(rest, " " * len(lead)) if rest else ""))
    return ("\n" if block.tight else "\n\n").join(lines)


def _indented(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def inline_text(nodes: tuple[Inline, ...]) -> str:
    """Inline nodes as their words; links keep their address (the reader may need it)."""
    return plain_text(nodes, targets=True)
