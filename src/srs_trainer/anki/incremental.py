"""Incremental parsing: an edit to one question re-parses only the questions it touched."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..deck.files import read_cache
from ..deck.model import Deck, Question
from ..deck.problems import InputError

if TYPE_CHECKING:
    from .compile import Job


# # Parsing and validating a 500-question source costs more than writing its deck, so an edit to
# one question re-parses only the lines of the questions it touched. The memo of a source
# remembers its text and where each question starts; the edited lines (the new text minus the
# common prefix and suffix with the old) are widened to whole questions, and those are parsed
# behind the unchanged header, blank lines keeping their line numbers. Whenever that could
# differ from parsing the whole file (the header or anything after the list changed, anchors,
# odd indentation, document markers, any problem found), the whole file is parsed instead.


@dataclass(frozen=True)
class Chunk:
    start: int  # index of the question's first line; it runs to the next question's start
    question_id: str
    render_key: str


@dataclass(frozen=True)
class SourceMemo:
    text: str
    deck_id: str
    indent: int  # column of the dashes of the questions list
    chunks: tuple[Chunk, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "deck": self.deck_id, "indent": self.indent,
                "chunks": [[c.start, c.question_id, c.render_key] for c in self.chunks]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceMemo:
        return cls(data["text"], data["deck"], int(data["indent"]),
                   tuple(Chunk(int(start), qid, key) for start, qid, key in data["chunks"]))


_DASH = re.compile(r"( *)- ")


def memo_path(cache_dir: Path, source: Path) -> Path:
    name = hashlib.sha256(str(source.resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir / "sources" / f"{name}.bin"


def load_memo(job: Job) -> SourceMemo | None:
    if job.cache_dir is None:
        return None
    data = read_cache(memo_path(job.cache_dir, job.source), job.version)
    try:
        return SourceMemo.from_dict(data) if data is not None else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _not_in_list(indent: int) -> str:
    # What follows the start of a line that is not inside an item, does not start an item,
    # is not blank and not a comment (the commonest first: a fifth of the time).
    return rf"(?! {{{indent + 1}}}| {{{indent}}}- |[ \t]*(?:\n|\Z)| *#)"


@cache
def _first_line_outside(indent: int) -> re.Pattern[str]:
    return re.compile(_not_in_list(indent))


@cache
def _line_outside(indent: int) -> re.Pattern[str]:
    # Found after its line break: a literal the regex engine scans for fast, where `^` with
    # re.MULTILINE is tried at every character.
    return re.compile(r"\n" + _not_in_list(indent))


def _block_lines_ok(text: str, indent: int, start: int = 0) -> bool:
    """Every line of ``text[start:]`` is blank, a comment, inside a list item, or starts an
    item of the list (``start``: where a line begins)."""
    if any(text.find(mark, start) >= 0 for mark in "\r\x85\u2028\u2029"):
        return False  # line breaks that `\n` does not stand for
    return (_first_line_outside(indent).match(text, start) is None
            and _line_outside(indent).search(text, start) is None)


def memo_for(text: str, deck_id: str, starts: Sequence[int], ids: Sequence[str],
              keys: Sequence[str]) -> SourceMemo | None:
    """The memo of a parsed source, or None if its list is not one block item per question."""
    lines = text.splitlines(keepends=True)
    if not starts or list(starts) != sorted(set(starts)) or starts[-1] >= len(lines):
        return None
    dashes = [_DASH.match(lines[start]) for start in starts]
    if not all(dashes):
        return None
    indent = len(dashes[0].group(1))  # type: ignore[union-attr]
    if any(len(d.group(1)) != indent for d in dashes):  # type: ignore[union-attr]
        return None
    if not _block_lines_ok(text, indent, sum(map(len, lines[:starts[0]]))):
        return None
    chunks = tuple(Chunk(s, q, k) for s, q, k in zip(starts, ids, keys, strict=True))
    return SourceMemo(text, deck_id, indent, chunks)


def _common_prefix(one: Sequence[str], two: Sequence[str]) -> int:
    limit = min(len(one), len(two))
    index = 0
    while index < limit and one[index] == two[index]:
        index += 1
    return index


@dataclass(frozen=True)
class Partial:
    """A source parsed incrementally: its deck header and its questions, some only by key."""

    deck: Deck  # holds the header and the questions that were parsed
    items: tuple[Question | Chunk, ...]  # in source order


def parse_incrementally(job: Job, memo: SourceMemo) -> Partial | None:
    from ..deck.sources import parse_deck

    old = memo.text.splitlines(keepends=True)
    new = job.text.splitlines(keepends=True)
    chunks = memo.chunks
    first = chunks[0].start
    prefix = _common_prefix(old, new)
    if prefix < first or prefix == len(old) == len(new):
        return None
    suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
    changed_end = len(old) - suffix  # old lines [prefix, changed_end) were replaced
    ends = [c.start for c in chunks[1:]] + [len(old)]
    lo = next((i for i, end in enumerate(ends) if end > prefix), len(chunks) - 1)
    hi = max((i for i, c in enumerate(chunks) if c.start < changed_end), default=lo)
    hi = max(hi, lo)
    delta = len(new) - len(old)
    start, stop = chunks[lo].start, ends[hi] + delta
    region = new[start:stop]
    dash = _DASH.match(region[0]) if region else None
    if dash is None or len(dash.group(1)) != memo.indent:
        return None
    old_region = "".join(old[start:ends[hi]])
    new_region = "".join(region)
    if "&" in old_region or "&" in new_region or not _block_lines_ok(new_region, memo.indent):
        return None
    synthetic = "".join(new[:first]) + "\n" * (start - first) + new_region
    try:
        deck = parse_deck(synthetic, str(job.source))
    except InputError:
        return None  # the whole file's parse reports it, exactly
    if deck.id != memo.deck_id or deck.questions[0].line != start + 1:
        return None
    items: list[Question | Chunk] = [*chunks[:lo], *deck.questions]
    items += [Chunk(c.start + delta, c.question_id, c.render_key) for c in chunks[hi + 1:]]
    ids = [item.id if isinstance(item, Question) else item.question_id for item in items]
    if len(set(ids)) != len(ids):
        return None
    return Partial(deck, tuple(items))
