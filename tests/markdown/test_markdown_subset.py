"""The pure-Python subset parser gives markdown-it's tree wherever it says it is sure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from srs_trainer.markdown.parse import parse
from srs_trainer.markdown.subset import parse_exact, parse_subset
from srs_trainer.markdown.tree import BulletList, CodeSpan, Fence, Paragraph, Strong, Text

# --- author Markdown, as deck sources write it ------------------------------------------------

WORD = st.from_regex(r"[A-Za-z][a-z0-9']{0,7}[.,;:!?)]?", fullmatch=True)
CODE = st.from_regex(r"[A-Za-z_(][A-Za-z0-9_.()=<>\[\]\\ *-]{0,12}[A-Za-z0-9_)\]]", fullmatch=True)
SPAN = st.one_of(
    WORD,
    WORD,
    CODE.map(lambda code: f"`{code}`"),
    st.lists(WORD, min_size=1, max_size=3).map(lambda words: f"**{' '.join(words)}**"),
    st.lists(WORD, min_size=1, max_size=3).map(lambda words: f"*{' '.join(words)}*"),
    CODE.map(lambda code: f"**`{code}`**"),
)
LINE = st.lists(SPAN, min_size=1, max_size=6).map(" ".join)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
FENCE = st.tuples(
    st.sampled_from(["", "python", "text", "sql", "pycon"]),
    st.lists(st.from_regex(r"[ -~\t]{0,20}", fullmatch=True).filter(
        lambda line: not line.lstrip(" ").startswith("```")), max_size=4),
).map(lambda fence: f"```{fence[0]}\n" + "".join(line + "\n" for line in fence[1]) + "```")


@st.composite
def author_list(draw: st.DrawFn, depth: int = 0) -> str:
    ordered = draw(st.booleans())
    marker = draw(st.sampled_from(["-", "*", "+"]))
    items = []
    for number in range(draw(st.integers(1, 4))):
        lead = f"{number + 1}. " if ordered else f"{marker} "
        pad = " " * len(lead)
        lines = draw(st.lists(LINE, min_size=1, max_size=2))
        item = lead + lines[0] + "".join(f"\n{pad}{line}" for line in lines[1:])
        if depth < 1 and draw(st.integers(0, 3)) == 0:
            nested = draw(author_list(depth + 1))
            item += "\n" + "\n".join(pad + line for line in nested.split("\n"))
        items.append(item)
    return "\n".join(items)


@st.composite
def author_markdown(draw: st.DrawFn) -> str:
    """Blocks apart by blank lines; two lists never in a row (that is one loose list)."""
    blocks: list[str] = []
    for kind in draw(st.lists(st.sampled_from("ppfl"), min_size=1, max_size=4)):
        if kind == "l" and blocks and blocks[-1][0] in "-*+1":
            blocks.append(draw(PARAGRAPH))
        blocks.append(draw({"p": PARAGRAPH, "f": FENCE, "l": author_list()}[kind]))
    return "\n\n".join(blocks)


AUTHOR_MARKDOWN = author_markdown()


@settings(max_examples=600, deadline=None)
@given(AUTHOR_MARKDOWN, st.sampled_from(["", "\n"]))
@example("What does **`await`** do in *this* view?", "")
@example("**B** declares the view with `async def`.\n\n- A does not compile.\n"
         "- C forgets `await`: `data` is a coroutine, so\n  `data.id` raises.\n"
         "  1. a numbered item\n", "")
@example("Use the *async* one:\n\n```python\ndata = await x.afirst()\n```\nThen it works.", "")
def test_author_markdown_parses_as_markdown_it_does(text: str, end: str) -> None:
    parsed = parse_subset(text + end)
    assert parsed.exact, text
    assert parsed.document == parse(text + end)


MARKDOWNISH = "ab `*_<>&\\\n\t-+1.)#!x[]()=~ \u00a0"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=MARKDOWNISH, max_size=30) | st.text(max_size=30)
       | st.from_regex(r"[-*+1. a`*\n]{0,30}", fullmatch=True))
@example("` \n`")
@example("- a\n  - b\n- c")
@example("- a\n\n- b")
@example("a\n2. b")
@example("```0")
def test_a_parse_that_says_it_is_exact_is_markdown_it_s(text: str) -> None:
    parsed = parse_subset(text)
    if parsed.exact:
        assert parsed.document == parse(text)


def test_outside_the_subset_the_words_stay_as_written() -> None:
    for text in ("# Title", "> quoted", "see [the docs](x)", "a <div> b", "__init__", "a\\*b"):
        parsed = parse_subset(text)
        assert not parsed.exact
        assert parsed.document.children == (Paragraph((Text(text),)),)
    assert parse_exact("a\n\n- loose\n\n- list") is None


def test_the_subset_tree() -> None:
    document = parse_subset("Run **`x`**:\n\n```python\nawait x\n```\n- one\n- two\n").document
    assert document.children[0] == Paragraph((Text("Run "), Strong((CodeSpan("x"),)), Text(":")))
    assert document.children[1] == Fence("python", "python", "await x\n")
    assert isinstance(document.children[2], BulletList) and document.children[2].tight


def test_the_trainer_s_markdown_imports_no_markdown_it() -> None:
    """srs review renders Markdown on screen and in line mode without markdown-it."""
    code = (
        "import sys\n"
        "from rich.console import Console\n"
        "from srs_trainer.tui import markup, line_ui\n"
        "text = 'A **b** `c`\\n\\n```python\\nx = 1\\n```\\n- [link](x)\\n'\n"
        "Console(file=open('/dev/null', 'w')).print(markup.markdown(text))\n"
        "line_ui.plain_markdown(text)\n"
        "print('markdown_it' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path.cwd())
    assert result.stdout.strip() == "False"
