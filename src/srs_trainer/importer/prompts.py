"""A question's wording and code: the lines between its title (or number) and its choices."""

from __future__ import annotations

from collections.abc import Sequence

from ..deck.model import Code
from .draft import Draft
from .heuristics import guess_language, looks_like_code
from .lines import LineKind, PageLine
from .page import WarningKind
from .reading import PageReading
from .text import code_text, markdown_paragraph


def read_prompt_and_code(
    reading: PageReading, draft: Draft, lines: Sequence[PageLine], lead: str | None
) -> None:
    """Split a question's wording from its code: prose is the prompt, code goes to ``code``."""
    paragraphs: list[str] = [markdown_paragraph(lead)] if lead else []
    blocks = _code_blocks(lines, paragraphs)
    for position, (index, block) in enumerate(blocks):
        source = code_text(block)
        if position == 0:
            draft.code = Code(source, guess_language(source))
            continue
        # The model has one code block per question; later ones stay visible in the prompt.
        paragraphs.append(f"```{guess_language(source)}\n{source}```")
        reading.warn(
            WarningKind.EXTRA_CODE,
            index,
            f"{draft.label} has more than one code block; the extra one is in the prompt as a "
            "fenced block: check where it belongs",
            draft,
        )
    if not paragraphs:
        reading.error(draft.line - 1, f"{draft.label} has no wording (prompt) before its choices")
    draft.prompt = "\n\n".join(paragraphs) + ("\n" if len(paragraphs) > 1 else "")


def _code_blocks(lines: Sequence[PageLine], paragraphs: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of code lines (with the blank lines inside them), each with its first line's index;
    the prose lines between them are added to ``paragraphs``."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    blanks: list[str] = []
    for line in lines:
        if line.kind is LineKind.BLANK:
            if current is not None:
                blanks.append("")
            continue
        if looks_like_code(line.text, inside_code=current is not None):
            if current is None:
                current = []
                blocks.append((line.index, current))
            current.extend(blanks)
            current.append(line.text)
            blanks = []
        else:
            current, blanks = None, []
            paragraphs.append(markdown_paragraph(line.stripped))
    return blocks
