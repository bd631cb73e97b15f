"""Loading and validating YAML deck sources into the model.

Sources are parsed safely (``yaml.compose`` builds nodes; nothing is ever constructed from a
tag) with PyYAML's C parser where present. Every node keeps its line and column, so each problem
is reported as ``path:line:column``, and all problems of a file are reported in one run.
The rules come from the one schema file, ``schema/deck.schema.json``, which editors use too;
``validator`` applies them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..wording import shorten
from .cloze import numbers
from .files import read_source as read_source  # its home is files; callers import it here too
from .model import LETTERS, MAX_CHOICES, MIN_CHOICES, Deck
from .problems import InputError, Problem
from .problems import duplicate_deck_ids as duplicate_owners
from .validator import Validator, describe

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR = yaml.constructor.SafeConstructor()
_MAX_DEPTH = 64
# Aliases let a few lines expand into billions of values ("billion laughs"). Values written
# out in the file are never limited; values repeated through aliases are, long before the
# expansion costs noticeable time or memory.
_MAX_REPEATS = 100_000
_CORE_TAG = "tag:yaml.org,2002:"
_STR_TAG = _CORE_TAG + "str"
_COLLECTION_TAGS = {yaml.MappingNode: _CORE_TAG + "map", yaml.SequenceNode: _CORE_TAG + "seq"}


_SCHEMA_FILE = "deck/schema/deck.schema.json"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the source format, as shipped in the package."""
    text = resources.files("srs_trainer").joinpath(_SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def schema_path() -> Path:
    return Path(str(resources.files("srs_trainer").joinpath(_SCHEMA_FILE)))


# --- YAML nodes to plain data, remembering where every value came from ---------------------


@dataclass
class Located:
    """Plain data from a YAML document plus the ``(line, column)`` of every dotted path."""

    data: Any
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seen: set[int] = field(default_factory=set, repr=False)  # ids of the nodes visited
    repeats: int = 0  # visits of nodes already seen, i.e. values repeated through aliases

    @property
    def too_many_repeats(self) -> bool:
        return self.repeats > _MAX_REPEATS

    def line(self, path: str) -> int:
        return self.marks.get(path, (0, 0))[0]


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _line_of(text: str, number: int) -> str:
    """Line ``number`` (1-based) of ``text``, or "" past its end."""
    lines = text.split("\n", number)
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _position(text: str, index: int) -> tuple[int, int]:
    """The 1-based (line, column) of character ``index`` of ``text``."""
    index = max(0, min(index, len(text)))
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def compose(text: str, path: str) -> Located:
    """Parse ``text`` into plain data with marks; syntax errors become problems."""
    located = Located(data=None)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (error.context, error.problem) if part)
        if "'\\t'" in message or "\t" in _line_of(text, line)[:column]:
            message += " (a tab: YAML indents with spaces only)"
        located.problems.append(Problem(path, line, column, f"YAML syntax: {message}"))
        return located
    except yaml.reader.ReaderError as error:  # a character YAML does not allow; no mark
        character = error.character
        code = ord(character) if isinstance(character, (str, bytes)) else int(character)
        located.problems.append(
            Problem(path, *_position(text, error.position),
                    f"character U+{code:04X} is not allowed in YAML ({error.reason})")
        )
        return located
    except yaml.YAMLError as error:
        located.problems.append(Problem(path, 1, 1, f"YAML: {error}"))
        return located
    except UnicodeError as error:  # lone surrogates in a str that did not come from a file
        start = getattr(error, "start", 0)
        located.problems.append(
            Problem(path, *_position(text, start), "text is not valid Unicode (lone surrogate)")
        )
        return located
    if root is None:
        located.problems.append(Problem(path, 1, 1, "the file is empty"))
        return located
    located.data = _plain(root, "", located, path, ())
    return located


def _plain(
    node: yaml.Node, where: str, out: Located, path: str, ancestors: tuple[int, ...]
) -> Any:
    start = node.start_mark
    out.marks[where] = (start.line + 1, start.column + 1)
    if id(node) in out.seen:
        if _repeated_too_often(node, out, path):
            return None
    else:
        out.seen.add(id(node))
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode and node.style != "|":
            return node.value  # most values: text, nothing more to note (see _plain_scalar)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in ancestors or len(ancestors) > _MAX_DEPTH:
            out.problems.append(Problem(path, *_mark(node), "recursive or too deeply nested data"))
            return None
        if node.tag != _COLLECTION_TAGS[type(node)]:
            out.problems.append(Problem(path, *_mark(node), _tag_message(node.tag)))
            return None
        inner = (*ancestors, id(node))
        if isinstance(node, yaml.MappingNode):
            return _plain_mapping(node, where, out, path, inner)
        return [
            _plain(item, f"{where}.{index}" if where else str(index), out, path, inner)
            for index, item in enumerate(node.value)
        ]
    return _plain_scalar(node, where, out, path)


def _repeated_too_often(node: yaml.Node, out: Located, path: str) -> bool:
    """Whether aliases have already repeated more values than a deck may hold (a YAML bomb)."""
    if id(node) not in out.seen:
        out.seen.add(id(node))
        return False
    out.repeats += 1
    if out.repeats == _MAX_REPEATS + 1:
        message = f"too much data: aliases repeat more than {_MAX_REPEATS} values"
        out.problems.append(Problem(path, *_mark(node), message))
    return out.too_many_repeats


def _plain_mapping(
    node: yaml.MappingNode, where: str, out: Located, path: str, inner: tuple[int, ...]
) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _CORE_TAG + "merge":
            message = "YAML merge keys (<<) are not supported; write the fields out"
            out.problems.append(Problem(path, *_mark(key_node), message))
            continue
        key = _plain(key_node, where, out, path, inner)
        if key is None and out.too_many_repeats:
            continue
        if not isinstance(key, str):
            out.problems.append(
                Problem(path, *_mark(key_node), f"keys must be text, not {describe(key)}")
            )
            continue
        child = f"{where}.{key}" if where else key
        if key in result:
            out.problems.append(Problem(path, *_mark(key_node), f"duplicate key '{key}'"))
        out.marks[child + "#key"] = _mark(key_node)
        result[key] = _plain(value_node, child, out, path, inner)
    out.marks[where] = _mark(node)
    return result


def _plain_scalar(node: yaml.Node, where: str, out: Located, path: str) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.style == "|":
        # A literal block's text starts on the next line, line for line: "#text" lets problems
        # inside the text (e.g. in code) name their own line of the file.
        out.marks[where + "#text"] = (node.start_mark.line + 2, 1)
    if node.tag == _STR_TAG:  # most values; the constructor would return node.value too
        return node.value
    constructor = _SCALAR.yaml_constructors.get(node.tag)
    if constructor is None or not node.tag.startswith(_CORE_TAG):
        out.problems.append(Problem(path, *_mark(node), _tag_message(node.tag)))
        return None
    try:
        return constructor(_SCALAR, node)
    except Exception:  # PyYAML's scalar constructors fail in many ways on bad input
        out.problems.append(Problem(
            path, *_mark(node),
            f"{shorten(repr(node.value), 60)} is not a valid !!{_tag_name(node.tag)}",
        ))
        return None


def _tag_name(tag: str) -> str:
    return tag.removeprefix(_CORE_TAG)


def _tag_message(tag: str) -> str:
    shown = "!!" + _tag_name(tag) if tag.startswith(_CORE_TAG) else tag
    return f"unsupported YAML tag {shown}: sources hold plain text, numbers, lists and mappings"


# --- other files checked by the same rules (config.yaml) -------------------------------------


@cache
def schema_named(name: str) -> dict[str, Any]:
    """A schema shipped beside the deck's, ``schema/<name>.schema.json`` (e.g. "config")."""
    return json.loads((Path(__file__).parent / "schema" / f"{name}.schema.json").read_text("utf-8"))


def schema_problems(
    located: Located, path: str, rules: dict[str, Any], *, member: str = "field"
) -> list[Problem]:
    """Every way ``located``'s data breaks ``rules``, located like a deck's problems."""
    return list(Validator(rules, located, path, member).check(located.data, rules, ""))


# --- loading ---------------------------------------------------------------------------------


def validate(located: Located, path: str) -> list[Problem]:
    """Schema problems, plus the rules a schema cannot express (unique ids and GUIDs, answer in
    range)."""
    problems = list(Validator(schema(), located, path).check(located.data, schema(), ""))
    questions = located.data.get("questions") if isinstance(located.data, dict) else None
    if isinstance(questions, list):
        problems += _answers_out_of_range(located, path, questions)
        problems += _bad_regexes(located, path, questions)
        problems += _clozes_without_cards(located, path, questions)
        for name in ("id", "guid"):
            problems += _repeated(located, path, questions, name)
    return problems


def _answers_out_of_range(
    located: Located, path: str, questions: list[Any]
) -> Iterator[Problem]:
    for index, question in enumerate(questions):
        if not isinstance(question, dict) or question.get("type", "choice") != "choice":
            continue
        answer, choices = question.get("answer"), question.get("choices")
        if (
            isinstance(answer, str)
            and isinstance(choices, list)
            and MIN_CHOICES <= len(choices) <= MAX_CHOICES
            and answer in LETTERS[len(choices):]
        ):
            line, column = located.marks.get(f"questions.{index}.answer", (0, 0))
            yield Problem(
                path, line, column,
                f"questions[{index}].answer: {answer} names no choice; there are only "
                f"{len(choices)} (A-{LETTERS[len(choices) - 1]})",
            )


def _bad_regexes(located: Located, path: str, questions: list[Any]) -> Iterator[Problem]:
    """An accepted ``regex`` that Python cannot compile: the question could not be graded."""
    for index, question in enumerate(questions):
        accept = question.get("accept") if isinstance(question, dict) else None
        for number, item in enumerate(accept if isinstance(accept, list) else ()):
            pattern = item.get("regex") if isinstance(item, dict) else None
            if not isinstance(pattern, str) or not pattern:
                continue
            try:
                re.compile(pattern)
            except re.error as error:
                where = f"questions.{index}.accept.{number}.regex"
                line, column = located.marks.get(where, (0, 0))
                yield Problem(
                    path, line, column,
                    f"questions[{index}].accept[{number}].regex: not a valid regular "
                    f"expression ({error})",
                )


def _clozes_without_cards(
    located: Located, path: str, questions: list[Any]
) -> Iterator[Problem]:
    """A cloze question whose prompt has no deletion numbered c1 or more makes no card."""
    for index, question in enumerate(questions):
        if not isinstance(question, dict) or question.get("type") != "cloze":
            continue
        prompt = question.get("prompt")
        if isinstance(prompt, str) and not any(number > 0 for number in numbers(prompt)):
            line, column = located.marks.get(f"questions.{index}.prompt", (0, 0))
            yield Problem(
                path, line, column,
                f"questions[{index}].prompt: a cloze needs a deletion, {{{{c1::answer}}}} or "
                "{{c1::answer::hint}}: it makes one card per number",
            )


def _repeated(located: Located, path: str, questions: list[Any], name: str) -> Iterator[Problem]:
    """A question id (or GUID: Anki would merge the two notes) used twice in one deck."""
    first_seen: dict[str, int] = {}
    for index, question in enumerate(questions):
        if not isinstance(question, dict) or not isinstance(question.get(name), str):
            continue
        value = question[name]
        if value in first_seen:
            line, column = located.marks.get(f"questions.{index}.{name}", (0, 0))
            first = located.line(f"questions.{first_seen[value]}.{name}")
            message = f"duplicate question {name} '{value}' (first used on line {first})"
            yield Problem(path, line, column, message)
        else:
            first_seen[value] = index


def _question_lines(marks: dict[str, tuple[int, int]]) -> list[dict[str, int]]:
    grouped: dict[int, dict[str, int]] = {}
    by_index: dict[str, dict[str, int]] = {}  # a question's lines by its index as written
    for key, (line, _column) in marks.items():
        if not key.startswith("questions.") or key.endswith("#key"):
            continue
        index, _, rest = key[10:].partition(".")
        lines = by_index.get(index)
        if lines is None:
            if not index.isdigit():
                continue
            lines = by_index[index] = grouped.setdefault(int(index), {})
        lines[rest] = line
    return [grouped.get(index, {}) for index in range(max(grouped, default=-1) + 1)]


def parse_deck(text: str, path: str = "<string>") -> Deck:
    """Parse and validate one source's text. Raises InputError listing every problem."""
    located = compose(text, path)
    problems = list(located.problems)
    if not problems or located.data is not None:
        # Report schema problems too, except where a value was already rejected while parsing.
        seen = {(problem.line, problem.column) for problem in problems}
        problems += [p for p in validate(located, path) if (p.line, p.column) not in seen]
    if problems:
        raise InputError(problems)
    deck_lines = {
        key: line for key, (line, _) in located.marks.items() if not key.startswith("questions.")
    }
    return Deck.from_dict(
        located.data,
        source_path=path,
        lines=deck_lines,
        question_lines=_question_lines(located.marks),
    )


def load_deck(path: str | Path) -> Deck:
    """Load one source file. Raises InputError listing every problem in it."""
    return parse_deck(read_source(path), str(path))


def load_decks(paths: Sequence[str | Path]) -> list[Deck]:
    """Load every source; raise one InputError with the problems of all of them.

    Deck ids must be unique across the sources, since they name Anki decks and trainer state.
    """
    decks: list[Deck] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            decks.append(load_deck(path))
        except InputError as error:
            problems.extend(error.problems)
    problems.extend(duplicate_deck_ids(decks))
    if problems:
        raise InputError(problems)
    return decks


def duplicate_deck_ids(decks: Iterable[Deck]) -> list[Problem]:
    """A problem for each deck whose id an earlier deck already uses."""
    return duplicate_owners((d.id, d.source_path, d.lines.get("id", 0)) for d in decks)
