"""Deck sources written as readable YAML: keys in the documented order, block scalars for
multi-line text and code, and comments (``TODO(srs): ...``) where a person must decide something.

PyYAML's emitter cannot write comments and picks scalar styles for machines, so this module
emits the small subset of YAML that sources use itself. Every string is written in the most
readable style that reads back as exactly the same string (checked by parsing it back), so the
output is deterministic and round-trips through ``sources.parse_deck`` unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .files import write_atomic
from .model import Deck

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INDENT = 2

# Key order of each kind of mapping, as in docs/format.md and model.to_dict. Keys not listed
# (an author's own additions) follow in the order they came in.
DECK_KEYS = (
    "format",
    "id",
    "title",
    "anki_deck",
    "description",
    "topic",
    "estimated_minutes",
    "badge",
    "time_limit",
    "attempts",
    "tags",
    "anki_note_types",
    "questions",
)
QUESTION_KEYS = (
    "id",
    "section",
    "type",
    "guid",
    "anki_note_type",
    "kind",
    "level",
    "title",
    "time_limit",
    "attempts",
    "prompt",
    "code",
    "choices",
    "answer",
    "accept",
    "case_sensitive",
    "hint",
    "explanation",
    "solution",
    "common_mistakes",
    "tags",
    "verify",
)
_KEY_ORDERS: dict[str, tuple[str, ...]] = {
    "deck": DECK_KEYS,
    "question": QUESTION_KEYS,
    "badge": ("name", "rule"),
    "code": ("language", "source"),
    "choice": ("text", "code", "language"),
    "step": ("title", "text"),
    "anki_note_type": ("id", "name", "cloze", "fields", "templates", "sort_field", "css"),
    "anki_field": ("name", "holds"),
    "anki_template": ("name", "front", "back"),
    "verify": ("harness", "requires", "setup", "run", "view", "client", "requests", "expect",
               "choices", "timeout"),
    "expect": ("raises", "message", "syntax_error", "line", "output", "returns", "status",
               "json", "within", "warns"),
}
# What each key's value is, so that nested mappings get their own key order.
_CHILD_KIND: dict[tuple[str, str], str] = {
    ("deck", "badge"): "badge",
    ("deck", "questions"): "question",
    ("deck", "anki_note_types"): "anki_note_type",
    ("anki_note_type", "fields"): "anki_field",
    ("anki_note_type", "templates"): "anki_template",
    ("question", "code"): "code",
    ("question", "choices"): "choice",
    ("question", "solution"): "step",
    ("question", "verify"): "verify",
    ("verify", "expect"): "expect",
    ("verify", "choices"): "expect by letter",
}
# Where comments for a question go: just before the answer (or where it would be).
_COMMENT_BEFORE = QUESTION_KEYS[QUESTION_KEYS.index("answer") :]


def dump_source(
    data: Mapping[str, Any],
    *,
    header: Sequence[str] = (),
    question_comments: Mapping[int, Sequence[str]] | None = None,
) -> str:
    """The text of a source file holding ``data`` (source-format dicts, e.g. ``Deck.to_dict()``).

    ``header`` lines become comments at the top; ``question_comments`` maps a question's index
    to comment lines written inside that question, just before its ``answer``.
    """
    out: list[str] = [_comment(line, 0) for line in header]
    if header:
        out.append("")
    _Emitter(out, question_comments or {}).mapping(data, "deck", 0)
    return "\n".join(out) + "\n"


def deck_source(deck: Deck, *, header: Sequence[str] = ()) -> str:
    """The source text of a model deck."""
    return dump_source(deck.to_dict(), header=header)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` at once: readers see the old file or the new, never half."""
    write_atomic(Path(path), text.encode("utf-8"))


def _comment(text: str, indent: int) -> str:
    return " " * indent + ("# " + text if text else "#")


def _ordered(mapping: Mapping[str, Any], kind: str) -> list[str]:
    order = _KEY_ORDERS.get(kind, ())
    known = [key for key in order if key in mapping]
    return known + [key for key in mapping if key not in order]


class _Emitter:
    def __init__(self, out: list[str], question_comments: Mapping[int, Sequence[str]]) -> None:
        self.out = out
        self.question_comments = question_comments

    def mapping(
        self,
        data: Mapping[str, Any],
        kind: str,
        indent: int,
        first_prefix: str | None = None,
        question_index: int | None = None,
    ) -> None:
        """Emit ``data``'s keys at ``indent``; the first line starts with ``first_prefix``."""
        pending_comments = (
            list(self.question_comments.get(question_index, ()))
            if (kind == "question" and question_index is not None)
            else []
        )
        keys = _ordered(data, kind)
        for position, key in enumerate(keys):
            if pending_comments and key in _COMMENT_BEFORE:
                self.comments(pending_comments, indent)
                pending_comments = []
            prefix = " " * indent
            if position == 0 and first_prefix is not None:
                prefix = " " * (indent - len(first_prefix)) + first_prefix
            child = "expect" if kind == "expect by letter" else _CHILD_KIND.get((kind, key), "")
            self.value(f"{prefix}{_key(key)}:", data[key], child, indent)
        if pending_comments:
            self.comments(pending_comments, indent)

    def comments(self, lines: Iterable[str], indent: int) -> None:
        for text in lines:
            for part in text.split("\n"):
                self.out.append(_comment(part, indent))

    def value(self, lead: str, value: Any, kind: str, indent: int) -> None:
        """Emit ``lead`` (e.g. '  title:') followed by ``value`` nested at ``indent`` + 2."""
        if isinstance(value, Mapping):
            if not value:
                self.out.append(f"{lead} {{}}")
                return
            self.out.append(lead)
            self.mapping(value, kind, indent + INDENT)
        elif isinstance(value, (list, tuple)):
            if not value:
                self.out.append(f"{lead} []")
                return
            if (
                all(_is_short_scalar(item) for item in value)
                and kind in ("", "tags")
                and (lead.strip().startswith(("tags:", "requires:")))
            ):
                self.out.append(f"{lead} [{', '.join(_flow_scalar(item) for item in value)}]")
                return
            self.out.append(lead)
            self.sequence(value, kind, indent + INDENT)
        else:
            self.scalar(lead, value, indent)

    def sequence(self, items: Sequence[Any], kind: str, indent: int) -> None:
        for index, item in enumerate(items):
            if kind == "question" and index:
                self.out.append("")  # a blank line between questions, for the eye
            if isinstance(item, Mapping) and item:
                self.mapping(
                    item,
                    kind,
                    indent + INDENT,
                    first_prefix="- ",
                    question_index=index if kind == "question" else None,
                )
            elif isinstance(item, (list, tuple)) and item:
                self.out.append(" " * indent + "-")
                self.sequence(item, kind, indent + INDENT)
            else:
                self.value(" " * indent + "-", item, kind, indent)

    def scalar(self, lead: str, value: Any, indent: int) -> None:
        if not isinstance(value, str):
            self.out.append(f"{lead} {_non_string(value)}")
            return
        block = _block_scalar(value, indent)
        if block is not None:
            self.out.append(f"{lead} {block[0]}")
            self.out.extend(block[1:])
            return
        self.out.append(f"{lead} {_inline_string(value)}")


def _key(key: str) -> str:
    return key if _plain_ok(key) else _inline_string(key)


def _non_string(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__} to a source")


def _is_short_scalar(value: Any) -> bool:
    return isinstance(value, str) and "\n" not in value and len(value) < 40


def _flow_scalar(value: str) -> str:
    if _plain_ok(value) and not any(mark in value for mark in ",[]{}"):
        return value
    return _inline_string(value)


def _reads_back(text: str, value: Any) -> bool:
    try:
        return yaml.load(text, Loader=_Loader) == {"k": value}
    except yaml.YAMLError:
        return False


def _plain_ok(value: str) -> bool:
    """Whether ``value`` can be written unquoted and read back as the same string."""
    if not value or value != value.strip() or "\n" in value or "\t" in value:
        return False
    if value[0] in "-?:,[]{}#&*!|>'\"%@`" or ": " in value or " #" in value or value.endswith(":"):
        return False
    if not value.isprintable():
        return False
    return _reads_back(f"k: {value}", value)


def _inline_string(value: str) -> str:
    """One line: plain if possible, else quoted in the style that needs the fewest escapes."""
    if _plain_ok(value):
        return value
    if "\n" not in value and value.isprintable():
        if "'" in value and '"' not in value and "\\" not in value:
            quoted = json.dumps(value, ensure_ascii=False)
        else:
            quoted = "'" + value.replace("'", "''") + "'"
        if _reads_back(f"k: {quoted}", value):
            return quoted
    return _double_quoted(value)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _double_quoted(value: str) -> str:
    """A double-quoted scalar that escapes everything YAML readers may refuse or fold."""
    parts = []
    for char in value:
        if char in _ESCAPES:
            parts.append(_ESCAPES[char])
        elif char.isprintable():
            parts.append(char)
        elif ord(char) < 0x100:
            parts.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            parts.append(f"\\u{ord(char):04x}")
        else:
            parts.append(f"\\U{ord(char):08x}")
    return '"' + "".join(parts) + '"'


def _block_scalar(value: str, indent: int) -> list[str] | None:
    """``value`` as a literal block (header then lines), or None if it must stay inline."""
    if ("\n" not in value.rstrip("\n") and not value.endswith("\n")) or not value.strip():
        return None
    if value.endswith("\n\n"):
        chomp, body = "+", value[:-1]
    elif value.endswith("\n"):
        chomp, body = "", value[:-1]
    else:
        chomp, body = "-", value
    lines = body.split("\n")
    first_content = next((line for line in lines if line.strip()), "")
    needs_indicator = first_content[:1] in (" ", "\t") or not lines[0].strip()
    header = "|" + (str(INDENT) if needs_indicator else "") + chomp
    pad = " " * (indent + INDENT)
    rendered = [header] + [pad + line if line else "" for line in lines]
    check = "k: " + "\n".join([rendered[0]] + [line[indent:] for line in rendered[1:]]) + "\n"
    return rendered if _reads_back(check, value) else None
