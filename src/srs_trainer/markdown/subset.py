"""The author subset of Markdown to the tree, in pure Python (no markdown-it, no regex engine
beyond ``re``): the parser of the trainer's screens and the build's fast path.

It reads any text. For the documented subset (paragraphs, `code`, *em*, **strong**, fenced
code, ``-``/``*``/``+`` and ``1.``/``1)`` lists without blank lines inside them) it gives
exactly the tree ``parse.parse`` (markdown-it, CommonMark) gives, and says so (``exact``).
What lies outside (headings, quotes, links, HTML, escapes, entities, loose lists, ...) it
keeps as the words written and reports ``exact=False``; the build then asks markdown-it.
tests/markdown/test_subset.py checks with Hypothesis that an exact parse equals markdown-it's.
"""

from __future__ import annotations

import re

from .tree import (
    Block,
    BulletList,
    CodeSpan,
    Document,
    Emphasis,
    Fence,
    Inline,
    ListItem,
    OrderedList,
    Paragraph,
    SoftBreak,
    Strong,
    Text,
    merge_text,
)


class SubsetParse:
    """A tree and whether it is exactly CommonMark's (markdown-it's)."""

    __slots__ = ("document", "exact")

    def __init__(self, document: Document, exact: bool) -> None:
        self.document = document
        self.exact = exact


def parse_subset(text: str) -> SubsetParse:
    """Any text as a tree; ``exact`` when it stays inside the subset."""
    state = _State()
    body = text[:-1] if text[-1:] == "\n" else text
    if body[:1].isalpha() and body[:1].isascii() and "\n" not in body:
        # One line of prose (most author text): one paragraph, whatever its inlines hold.
        if _ODD_SPACE.search(body) or "\x00" in body:
            return _parse_lines(text, state)
        paragraph = Paragraph(_inline(body.rstrip(" "), state))
        return SubsetParse(Document((paragraph,)), state.exact)
    return _parse_lines(text, state)


def _parse_lines(text: str, state: _State) -> SubsetParse:
    if "\r" in text or "\x00" in text:
        state.exact = False
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    blocks = _blocks(text.split("\n"), state, top=True)
    return SubsetParse(Document(tuple(blocks)), state.exact)


def parse_exact(text: str) -> Document | None:
    """The tree when the text is inside the subset, else None (ask markdown-it)."""
    parsed = parse_subset(text)
    return parsed.document if parsed.exact else None


def parse_inline(text: str) -> tuple[Inline, ...]:
    """One line's worth of Markdown (a choice, a hint, a title): `code`, *em* and **strong**
    only; list markers, fences and the like stay as written."""
    return _inline(text.replace("\x00", "\ufffd"), _State())


class _State:
    __slots__ = ("exact",)

    def __init__(self) -> None:
        self.exact = True


# --- blocks ---------------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)")
_ITEM = re.compile(r"([-*+]|(\d{1,9})([.)]))( +)(.*)")
_THEMATIC = re.compile(r"([-*_])(?: *\1){2,} *")
_SETEXT = re.compile(r"(?:=+|-+) *")
_HEADING_OR_QUOTE = re.compile(r"#{1,6}(?: |$)|>")
_ODD_SPACE = re.compile(r"[^\S \n]")  # tabs and other whitespace: CommonMark treats them apart


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blocks(lines: list[str], state: _State, top: bool = False) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Paragraph(_inline(_join(paragraph, state), state)))
            paragraph.clear()

    index = 0
    count = len(lines)
    while index < count:
        line = lines[index]
        if line[:1].isalpha() and line[:1].isascii():  # a letter starts no block: prose
            if _ODD_SPACE.search(line):
                state.exact = False
            paragraph.append(line)
            index += 1
            continue
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped:
            flush()
            index += 1
            continue
        if indent <= 3 and (fence := _FENCE_OPEN.fullmatch(stripped)):
            marker, info = fence.group(1), fence.group(2)
            if not (marker[0] == "`" and "`" in info):  # else it is inline code
                flush()
                index = _fence(lines, index, indent, marker, info, state, top, blocks)
                continue
        if _ODD_SPACE.search(line):
            state.exact = False
        if indent >= 4:
            if not paragraph:
                state.exact = False  # an indented code block: shown as words here
            paragraph.append(line if paragraph else stripped)
            index += 1
            continue
        if _THEMATIC.fullmatch(stripped) or _HEADING_OR_QUOTE.match(stripped) or (
            paragraph and _SETEXT.fullmatch(stripped)
        ):
            state.exact = False  # a rule, heading, quote or underline: kept as words
            paragraph.append(line if paragraph else stripped)
            index += 1
            continue
        item = _ITEM.fullmatch(stripped)
        if item and item.group(5).strip(" ") and not (
            paragraph and item.group(2) is not None and int(item.group(2)) != 1
        ):
            flush()
            index = _list(lines, index, state, blocks)
            continue
        if item or stripped in ("-", "*", "+") or re.fullmatch(r"\d{1,9}[.)] *", stripped):
            state.exact = False  # an empty list item
        paragraph.append(line if paragraph else stripped)
        index += 1
    flush()
    return blocks


def _join(lines: list[str], state: _State) -> str:
    """A paragraph's lines as its inline content (each line's spaces stay for code spans)."""
    return "\n".join(lines).strip(" ")


def _fence(
    lines: list[str],
    index: int,
    indent: int,
    marker: str,
    info: str,
    state: _State,
    top: bool,
    blocks: list[Block],
) -> int:
    """Adds the fenced block opening at ``index``; returns the index after it."""
    if indent or not top or "\\" in info or "&" in info or _ODD_SPACE.search(info):
        state.exact = False  # indented content, escapes or odd spaces in the info string
    closer = re.compile(re.escape(marker[0]) + "{" + str(len(marker)) + ",} *")
    end = index + 1
    while end < len(lines):
        if _indent(lines[end]) <= 3 and closer.fullmatch(lines[end].lstrip(" ")):
            break
        end += 1
    body = [line[min(indent, _indent(line)) :] for line in lines[index + 1 : end]]
    if end < len(lines):
        source = "".join(line + "\n" for line in body)
    elif body and not body[-1].strip(" "):  # unclosed, to the end; a last blank line is no line
        source = "".join(line + "\n" for line in body[:-1])
    else:
        source = "\n".join(body)
    info = info.strip()
    blocks.append(Fence(info, info.split(" ", 1)[0] if info else "", source))
    return end + 1


def _item_rest(
    lines: list[str], start: int, width: int, state: _State, content: list[str]
) -> int:
    """Adds to ``content`` the lines after a list item's first that belong to it; returns the
    index after the item (its trailing blank lines left out)."""
    end = start
    count = len(lines)
    while end < count:
        following = lines[end]
        if not following.strip(" "):
            content.append("")
        elif _indent(following) >= width:
            content.append(following[width:])
        elif not lines[end - 1].strip(" ") or _starts_block(following):
            break
        else:  # a lazy continuation line
            state.exact = False
            content.append(following.lstrip(" "))
        end += 1
    while content and not content[-1].strip(" "):
        content.pop()
        end -= 1
    return end


def _list(lines: list[str], index: int, state: _State, blocks: list[Block]) -> int:
    """Adds the list whose first item is at ``index``; returns the index after it."""
    first = _ITEM.fullmatch(lines[index].lstrip(" "))
    assert first is not None
    kind = first.group(3) or first.group(1)  # the delimiter of ordered lists, else the bullet
    ordered = first.group(2) is not None
    items: list[ListItem] = []
    tight = True
    count = len(lines)
    while True:
        line = lines[index]
        stripped = line.lstrip(" ")
        item = _ITEM.fullmatch(stripped)
        assert item is not None
        spaces = len(item.group(4))
        width = _indent(line) + len(item.group(1)) + spaces
        content = [item.group(5)]
        if spaces > 4:  # the content is indented code; read as words
            state.exact = False
            width -= spaces - 1
        end = _item_rest(lines, index + 1, width, state, content)
        if "" in content or any(not part.strip(" ") for part in content):
            state.exact = False  # a blank line inside an item makes a loose list
            tight = False
        items.append(ListItem(tuple(_blocks(content, state))))
        index = end
        blank = False
        while index < count and not lines[index].strip(" "):
            index += 1
            blank = True
        if index < count and _indent(lines[index]) <= 3:
            next_item = _ITEM.fullmatch(lines[index].lstrip(" "))
            if next_item and (next_item.group(3) or next_item.group(1)) == kind and (
                next_item.group(2) is not None) == ordered and next_item.group(5).strip(" "):
                if blank:
                    state.exact = False  # blank lines between items: a loose list
                    tight = False
                continue
            if blank and next_item:
                state.exact = False  # another list after blank lines: left to markdown-it
        if index < count and blank:
            index -= 1  # leave one blank line to end the list
        break
    if ordered:
        assert first.group(2) is not None
        blocks.append(OrderedList(int(first.group(2)), kind, tight, tuple(items)))
    else:
        blocks.append(BulletList(kind, tight, tuple(items)))
    return index


def _starts_block(line: str) -> bool:
    """Whether a line interrupts a paragraph (list items, fences, rules, headings, quotes)."""
    if _indent(line) > 3:
        return False
    stripped = line.lstrip(" ")
    return bool(
        _ITEM.fullmatch(stripped)
        or _FENCE_OPEN.fullmatch(stripped)
        or _THEMATIC.fullmatch(stripped)
        or _HEADING_OR_QUOTE.match(stripped)
    )


# --- inlines --------------------------------------------------------------------------------

# Outside code spans: what starts a link, autolink, escape or entity, and underscores that
# could open or close emphasis (between two letters or digits they cannot).
_NOT_SUBSET = re.compile(r"[\\\[<]|&[#A-Za-z0-9]+;|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BACKTICKS = re.compile(r"`+")
_STARS = re.compile(r"\*+")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


class _Delimiter:
    """A run of stars: whether it may (later: does) open or close emphasis."""

    __slots__ = ("closes", "opens", "run")

    def __init__(self, run: str, opens: bool, closes: bool) -> None:
        self.run = run
        self.opens = opens
        self.closes = closes


def _inline(text: str, state: _State) -> tuple[Inline, ...]:
    if _NOT_SUBSET.search(text) is None:  # then no piece outside code spans has one either
        if "`" not in text and "*" not in text and "\n" not in text:
            return (Text(text),) if text else ()
        check = False
    else:
        check = True
    parts: list[Inline | _Delimiter] = []
    position = 0
    for start, end, code in _code_spans(text):
        _text_and_delimiters(text, position, start, parts, state, check)
        parts.append(CodeSpan(code))
        position = end
    _text_and_delimiters(text, position, len(text), parts, state, check)
    if not any(isinstance(part, _Delimiter) for part in parts):
        return merge_text(parts)  # type: ignore[arg-type]  # no delimiters: only inlines
    _match_emphasis(parts, state)
    return _nest(parts)


def _code_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    position = 0
    while (opener := _BACKTICKS.search(text, position)) is not None:
        size = len(opener.group())
        closer = _BACKTICKS.search(text, opener.end())
        while closer is not None and len(closer.group()) != size:
            closer = _BACKTICKS.search(text, closer.end())
        if closer is None:
            position = opener.end()  # no closing run of the same length: literal backticks
            continue
        code = text[opener.end() : closer.start()].replace("\n", " ")
        if code[:1] == " " and code[-1:] == " " and code.strip(" "):
            code = code[1:-1]  # one space each side is padding
        spans.append((opener.start(), closer.end(), code))
        position = closer.end()
    return spans


def _text_and_delimiters(
    text: str, start: int, end: int, parts: list[Inline | _Delimiter], state: _State,
    check: bool,
) -> None:
    piece = text[start:end]
    if not piece:
        return
    if check and _NOT_SUBSET.search(piece):
        state.exact = False
    if "*" not in piece:
        _words(piece, parts, state)
        return
    position = start
    for run in _STARS.finditer(text, start, end):
        _words(text[position : run.start()], parts, state)
        before = text[run.start() - 1] if run.start() > 0 else " "
        after = text[run.end()] if run.end() < len(text) else " "
        if not (before.isascii() and after.isascii()):
            state.exact = False  # Unicode punctuation and spaces: CommonMark's own classes
        space_before, space_after = before.isspace(), after.isspace()
        punct_before, punct_after = before in _PUNCTUATION, after in _PUNCTUATION
        left = not space_after and (not punct_after or space_before or punct_before)
        right = not space_before and (not punct_before or space_after or punct_after)
        delimiter = _Delimiter(run.group(), opens=left, closes=right)
        if len(run.group()) > 2 and (left or right):
            state.exact = False  # long runs split by rules left out here: kept as written
            delimiter.opens = delimiter.closes = False
        parts.append(delimiter)
        position = run.end()
    _words(text[position:end], parts, state)


def _words(text: str, parts: list[Inline | _Delimiter], state: _State) -> None:
    if "\n" not in text:
        if text:
            parts.append(Text(text))
        return
    lines = text.split("\n")
    last = len(lines) - 1
    for number, line in enumerate(lines):
        if number:
            parts.append(SoftBreak())
            line = line.lstrip(" ")
        if number < last:
            if line.endswith("  "):
                state.exact = False  # a hard line break: shown as a soft one
            line = line.rstrip(" ")
        if line:
            parts.append(Text(line))


def _match_emphasis(parts: list[Inline | _Delimiter], state: _State) -> None:
    """Pairs each closing run with the nearest open one of the same length (its opener).

    With runs of one or two stars that pair only with their own length, CommonMark's "rule of
    three" never applies; runs of unequal length are left to markdown-it."""
    openers: list[_Delimiter] = []
    for part in parts:
        if not isinstance(part, _Delimiter):
            continue
        if part.closes and openers:
            if openers[-1].run == part.run:
                openers.pop().opens = True  # stays an opener: matched
                part.opens = False  # a closer now, even if it could have opened
                continue
            state.exact = False  # CommonMark would split a run here
        part.closes = False
        if part.opens:
            openers.append(part)
    for unmatched in openers:
        unmatched.opens = False


def _nest(parts: list[Inline | _Delimiter]) -> tuple[Inline, ...]:
    stack: list[list[Inline]] = [[]]
    runs: list[str] = []
    for part in parts:
        if not isinstance(part, _Delimiter):
            stack[-1].append(part)
        elif part.opens:
            stack.append([])
            runs.append(part.run)
        elif part.closes:
            children = merge_text(stack.pop())
            node = Strong(children) if runs.pop() == "**" else Emphasis(children)
            stack[-1].append(node)
        else:
            stack[-1].append(Text(part.run))
    while len(stack) > 1:  # cannot happen: every opener left has a closer
        inner = stack.pop()
        stack[-1].extend([Text(runs.pop()), *inner])
    return merge_text(stack[0])
