"""The tree as HTML, byte for byte what markdown-it's CommonMark renderer writes, except raw
HTML, which goes through ``sanitize`` (allowed elements kept, the rest shown as text).

Fenced code with a language goes through ``highlight(source, language)``; an empty result
means "not highlighted" and the code is escaped. The Anki export passes Pygments in.
"""

from __future__ import annotations

from collections.abc import Callable

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
    OrderedList,
    Paragraph,
    RawHtml,
    SoftBreak,
    Strong,
    Text,
    ThematicBreak,
    plain_text,
)

Highlight = Callable[[str, str], str]


def escape(text: str) -> str:
    """HTML-escape as markdown-it does (&, <, >, ")."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _no_highlight(source: str, language: str) -> str:
    return ""


def to_html(document: Document, highlight: Highlight = _no_highlight) -> str:
    out: list[str] = []
    _blocks(document.children, False, highlight, out)
    return "".join(out)


def _blocks(blocks: tuple[Block, ...], tight: bool, highlight: Highlight, out: list[str]) -> None:
    # markdown-it puts a line break before a block's opening tag right after a paragraph whose
    # tags a tight list hides (fenced and indented code render without that rule).
    after_hidden = False
    for block in blocks:
        if isinstance(block, Paragraph) and tight:
            inline(block.children, out)
            after_hidden = True
            continue
        if after_hidden and not isinstance(block, (Fence, IndentedCode)):
            out.append("\n")
        after_hidden = False
        if isinstance(block, Paragraph):
            out.append("<p>")
            inline(block.children, out)
            out.append("</p>\n")
        elif isinstance(block, Heading):
            out.append(f"<h{block.level}>")
            inline(block.children, out)
            out.append(f"</h{block.level}>\n")
        elif isinstance(block, Fence):
            out.append(_fence(block, highlight))
        elif isinstance(block, IndentedCode):
            out.append(f"<pre><code>{escape(block.source)}</code></pre>\n")
        elif isinstance(block, HtmlBlock):
            out.append(_sanitise(block.html))
        elif isinstance(block, ThematicBreak):
            out.append("<hr />\n")
        elif isinstance(block, BlockQuote):
            out.append("<blockquote>\n" if block.children else "<blockquote>")
            _blocks(block.children, False, highlight, out)
            out.append("</blockquote>\n")
        elif isinstance(block, (BulletList, OrderedList)):
            if isinstance(block, BulletList):
                tag = "ul"
                out.append("<ul>\n")
            else:
                tag = "ol"
                out.append(f'<ol start="{block.start}">\n' if block.start != 1 else "<ol>\n")
            for item in block.items:
                first = item.children[0] if item.children else None
                opens_inline = first is None or (block.tight and isinstance(first, Paragraph))
                out.append("<li>" if opens_inline else "<li>\n")
                _blocks(item.children, block.tight, highlight, out)
                out.append("</li>\n")
            out.append(f"</{tag}>\n")


def _fence(fence: Fence, highlight: Highlight) -> str:
    code = (highlight(fence.source, fence.language) if fence.language else "") or escape(
        fence.source
    )
    if code.startswith("<pre"):
        return code + "\n"
    attributes = f' class="language-{escape(fence.language)}"' if fence.info else ""
    return f"<pre><code{attributes}>{code}</code></pre>\n"


def inline(nodes: tuple[Inline, ...], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(escape(node.text))
        elif isinstance(node, CodeSpan):
            out.append(f"<code>{escape(node.code)}</code>")
        elif isinstance(node, Strong):
            out.append("<strong>")
            inline(node.children, out)
            out.append("</strong>")
        elif isinstance(node, Emphasis):
            out.append("<em>")
            inline(node.children, out)
            out.append("</em>")
        elif isinstance(node, SoftBreak):
            out.append("\n")
        elif isinstance(node, HardBreak):
            out.append("<br />\n")
        elif isinstance(node, RawHtml):
            out.append(_sanitise(node.html))
        elif isinstance(node, Link):
            title = f' title="{escape(node.title)}"' if node.title else ""
            out.append(f'<a href="{escape(node.href)}"{title}>')
            inline(node.children, out)
            out.append("</a>")
        elif isinstance(node, Image):
            title = f' title="{escape(node.title)}"' if node.title else ""
            alt = escape(plain_text(node.children))
            out.append(f'<img src="{escape(node.src)}" alt="{alt}"{title} />')


def _sanitise(html: str) -> str:
    from .sanitize import sanitise

    return sanitise(html)
