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
from .validator import Validator, describe, valid

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR = yaml.constructor.SafeConstructor()
_MAX_DEPTH = 64
# Aliases let a few lines expand into billions of values ("billion laughs"). Values written
# out in the file are never limited; values repeated through aliases are, long before the
# expansion costs noticeable time or memory.
_MAX_REPEATS = 100_000
_CORE_TAG = "tag:yaml.org,2002:"
_STR_TAG = _CORE_TAG + "str"
_ScalarNode = yaml.ScalarNode
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


class _MarkedLoader(_Loader):  # type: ignore[misc,valid-type]
    """The safe loader, resolving plain scalars' tags with less work per value (most are text).

    The C parser asks the Python resolver for the tag of every node: the generic resolver
    concatenates two lists per scalar and walks path resolvers that the safe loader never
    has. This one gives the same tags (tests/deck/test_sources.py compares them).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        if not self.yaml_path_resolvers:  # the safe loader's case: nothing to track per level
            nothing: dict[Any, Any] = {}
            self.descend_resolver = nothing.get
            self.ascend_resolver = tuple

    def resolve(self, kind: type, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if implicit[0]:
            table = self.yaml_implicit_resolvers
            if None in table:  # wildcard resolvers: the generic order applies
                return super().resolve(kind, value, implicit)
            for tag, regexp in table.get(value[:1], ()):  # value[:1] is "" for ""
                if regexp.match(value):
                    return tag
        return self.DEFAULT_SCALAR_TAG


Mark = tuple[int, int]


@dataclass
class Located:
    """Plain data from a YAML document plus the ``(line, column)`` of every dotted path.

    A deck's questions keep their marks apart, one table per question relative to it ("" is
    the question, "choices.1" its second choice), as ``Question.lines`` wants them: ``marks``
    holds the rest ("#key" after a path: where its key is written). ``mark`` finds either.
    """

    data: Any
    marks: dict[str, Mark] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seen: set[int] = field(default_factory=set, repr=False)  # ids of the nodes visited
    repeats: int = 0  # visits of nodes already seen, i.e. values repeated through aliases
    # Per question of a deck's ``questions`` list: lines and columns by relative path, and
    # where each field's key is written.
    question_lines: list[dict[str, int]] = field(default_factory=list, repr=False)
    question_columns: list[dict[str, int]] = field(default_factory=list, repr=False)
    question_keys: list[dict[str, Mark]] = field(default_factory=list, repr=False)
    aliases: bool = True  # whether the text may hold anchors (else no node repeats)

    @property
    def too_many_repeats(self) -> bool:
        return self.repeats > _MAX_REPEATS

    def mark(self, where: str, key: bool = False) -> Mark | None:
        """Where the value at dotted path ``where`` (or, with ``key``, its key) is written."""
        found = self.marks.get(where + "#key" if key else where)
        if found is not None or not where.startswith("questions."):
            return found
        index, _, rest = where[10:].partition(".")
        if not index.isdigit() or int(index) >= len(self.question_lines):
            return None
        number = int(index)
        if key:
            return self.question_keys[number].get(rest)
        line = self.question_lines[number].get(rest)
        return None if line is None else (line, self.question_columns[number][rest])

    def line(self, path: str) -> int:
        found = self.mark(path)
        return found[0] if found else 0


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
        root = yaml.compose(text, Loader=_MarkedLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        context, started = error.context, error.context_mark
        if context and started and mark is error.problem_mark and started.line + 1 != line:
            # An unclosed quote or bracket is found only at the end: say where it was opened.
            context += f" (line {started.line + 1}, column {started.column + 1})"
        message = " ".join(part for part in (context, error.problem) if part)
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
    # Without an anchor ("&") no node is visited twice: no repeats or cycles to look out for.
    located.aliases = "&" in text
    lines: dict[str, int] = {}
    columns: dict[str, int] = {}
    keys: dict[str, Mark] = {}
    located.data = _plain(root, "", _Walk(located, path, lines, columns, keys, True), ())
    located.marks = {where: (line, columns[where]) for where, line in lines.items()}
    located.marks.update((where + "#key", mark) for where, mark in keys.items())
    return located


@dataclass
class _Walk:
    """Where one walk writes: the document's Located, and the mark tables of the part walked
    (the whole document, or one question)."""

    out: Located
    path: str
    lines: dict[str, int]
    columns: dict[str, int]
    keys: dict[str, Mark]
    document: bool = False  # the walk of the whole document, whose "questions" are a deck's

    def problem(self, node: yaml.Node, message: str) -> None:
        self.out.problems.append(Problem(self.path, *_mark(node), message))


def _plain(node: yaml.Node, where: str, walk: _Walk, ancestors: tuple[int, ...]) -> Any:
    start = node.start_mark
    walk.lines[where] = start.line + 1
    walk.columns[where] = start.column + 1
    out = walk.out
    if out.aliases and id(node) in out.seen:
        if _repeated_too_often(node, walk):
            return None
    else:
        if out.aliases:
            out.seen.add(id(node))
        if node.tag == _STR_TAG and type(node) is _ScalarNode and node.style != "|":
            return node.value  # most values: text, nothing more to note (see _plain_scalar)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in ancestors or len(ancestors) > _MAX_DEPTH:
            walk.problem(node, "recursive or too deeply nested data")
            return None
        if node.tag != _COLLECTION_TAGS[type(node)]:
            walk.problem(node, _tag_message(node.tag))
            return None
        inner = (*ancestors, id(node))
        if isinstance(node, yaml.MappingNode):
            return _plain_mapping(node, where, walk, inner)
        return [
            _plain(item, f"{where}.{index}" if where else str(index), walk, inner)
            for index, item in enumerate(node.value)
        ]
    return _plain_scalar(node, where, walk)


def _repeated_too_often(node: yaml.Node, walk: _Walk) -> bool:
    """Whether aliases have already repeated more values than a deck may hold (a YAML bomb)."""
    out = walk.out
    if id(node) not in out.seen:
        out.seen.add(id(node))
        return False
    out.repeats += 1
    if out.repeats == _MAX_REPEATS + 1:
        walk.problem(node, f"too much data: aliases repeat more than {_MAX_REPEATS} values")
    return out.too_many_repeats


def _plain_mapping(
    node: yaml.MappingNode, where: str, walk: _Walk, inner: tuple[int, ...]
) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    out = walk.out
    keys = walk.keys
    for key_node, value_node in node.value:
        if (key_node.tag == _STR_TAG and not out.aliases and type(key_node) is _ScalarNode
                and key_node.style != "|"):
            key = key_node.value  # most keys: plain text, as _plain would return it
        else:
            if key_node.tag == _CORE_TAG + "merge":
                walk.problem(key_node, "YAML merge keys (<<) are not supported; write the "
                             "fields out")
                continue
            key = _plain(key_node, where, walk, inner)
            if key is None and out.too_many_repeats:
                continue
            if not isinstance(key, str):
                walk.problem(key_node, f"keys must be text, not {describe(key)}")
                continue
        child = f"{where}.{key}" if where else key
        if key in result:
            walk.problem(key_node, f"duplicate key '{key}'")
        start = key_node.start_mark
        keys[child] = (start.line + 1, start.column + 1)
        if child == "questions" and walk.document and type(value_node) is yaml.SequenceNode:
            result[key] = _plain_questions(value_node, walk, inner)
        else:
            result[key] = _plain(value_node, child, walk, inner)
    start = node.start_mark
    walk.lines[where] = start.line + 1  # a key's walk wrote its own mark here
    walk.columns[where] = start.column + 1
    return result


def _plain_questions(
    node: yaml.SequenceNode, walk: _Walk, ancestors: tuple[int, ...]
) -> Any:
    """A deck's questions list, each question's marks in tables of its own."""
    out = walk.out
    if (out.aliases and id(node) in out.seen) or node.tag != _COLLECTION_TAGS[yaml.SequenceNode]:
        return _plain(node, "questions", walk, ancestors)  # the generic walk's problems
    walk.lines["questions"], walk.columns["questions"] = _mark(node)
    for tables in (out.question_lines, out.question_columns, out.question_keys):
        tables.clear()  # a repeated "questions" key: the last one's marks, as for any key
    if out.aliases:
        out.seen.add(id(node))
    inner = (*ancestors, id(node))
    items = []
    for item in node.value:
        lines: dict[str, int] = {}
        columns: dict[str, int] = {}
        keys: dict[str, Mark] = {}
        out.question_lines.append(lines)
        out.question_columns.append(columns)
        out.question_keys.append(keys)
        items.append(_plain(item, "", _Walk(out, walk.path, lines, columns, keys), inner))
    return items


def _plain_scalar(node: yaml.Node, where: str, walk: _Walk) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.style == "|":
        # A literal block's text starts on the next line, line for line: "#text" lets problems
        # inside the text (e.g. in code) name their own line of the file.
        walk.lines[where + "#text"] = node.start_mark.line + 2
        walk.columns[where + "#text"] = 1
    if node.tag == _STR_TAG:  # most values; the constructor would return node.value too
        return node.value
    constructor = _SCALAR.yaml_constructors.get(node.tag)
    if constructor is None or not node.tag.startswith(_CORE_TAG):
        walk.problem(node, _tag_message(node.tag))
        return None
    try:
        return constructor(_SCALAR, node)
    except Exception:  # PyYAML's scalar constructors fail in many ways on bad input
        walk.problem(node, f"{shorten(repr(node.value), 60)} is not a valid "
                           f"!!{_tag_name(node.tag)}")
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
    if valid(located.data, rules):  # the usual case, without the walk that words problems
        return []
    return list(Validator(rules, located, path, member).check(located.data, rules, ""))


# --- loading ---------------------------------------------------------------------------------


def validate(located: Located, path: str) -> list[Problem]:
    """Schema problems, plus the rules a schema cannot express (unique ids and GUIDs, answer in
    range)."""
    problems = schema_problems(located, path, schema())
    questions = located.data.get("questions") if isinstance(located.data, dict) else None
    if isinstance(questions, list):
        out_of_range = list(_answers_out_of_range(located, path, questions))
        # Ours names the letters this question has; the schema's would list A-F.
        placed = {(problem.line, problem.column) for problem in out_of_range}
        problems = [problem for problem in problems if (problem.line, problem.column) not in placed
                    or ".answer: must be one of" not in problem.message]
        problems += out_of_range
        problems += _bad_regexes(located, path, questions)
        problems += _clozes_without_cards(located, path, questions)
        for name in ("id", "guid"):
            problems += _repeated(located, path, questions, name)
        problems += _kept_note_type_misfits(located, path, questions)
    return problems


# What the fields of a kept note type must hold for each question type (deck/model.FieldRole).
_ROLES_NEEDED = {"recall": {"prompt", "answer"}, "typed": {"prompt", "answer"},
                 "cloze": {"cloze"}}
_ROLES_ALLOWED = {"recall": {"prompt", "answer"}, "typed": {"prompt", "answer"},
                  "cloze": {"cloze", "extra"}}


def _kept_note_type_misfits(located: Located, path: str, questions: list[Any]
                            ) -> Iterator[Problem]:
    """A question's ``anki_note_type`` that the deck does not keep, or whose fields cannot
    hold a question of its type; a kept note type whose id is used twice."""
    kinds: dict[int, dict[str, Any]] = {}
    listed = located.data.get("anki_note_types")
    for index, kind in enumerate(listed if isinstance(listed, list) else ()):
        if not isinstance(kind, dict) or not isinstance(kind.get("id"), int):
            continue
        if kind["id"] in kinds:
            line, column = located.mark(f"anki_note_types.{index}.id") or (0, 0)
            yield Problem(path, line, column, f"anki_note_types[{index}].id: note type "
                          f"{kind['id']} is listed twice")
        kinds[kind["id"]] = kind
    for index, question in enumerate(questions):
        wanted = question.get("anki_note_type") if isinstance(question, dict) else None
        if not isinstance(wanted, int):
            continue
        where = f"questions.{index}.anki_note_type"
        line, column = located.mark(where) or (0, 0)
        kind = kinds.get(wanted)
        question_type = question.get("type", "choice")
        if kind is None:
            yield Problem(path, line, column, f"questions[{index}].anki_note_type: the deck "
                          f"keeps no note type {wanted} (anki_note_types)")
            continue
        fields = kind.get("fields")
        roles = [item.get("holds") for item in (fields if isinstance(fields, list) else ())
                 if isinstance(item, dict)]
        needed = _ROLES_NEEDED.get(question_type)
        if needed is None or bool(kind.get("cloze")) != (question_type == "cloze"):
            yield Problem(path, line, column, f"questions[{index}].anki_note_type: note type "
                          f"'{kind.get('name')}' cannot hold a {question_type} question")
        elif not needed <= set(roles) or not set(roles) <= _ROLES_ALLOWED[question_type] or (
                len(set(roles)) != len(roles)):
            what = ", ".join(sorted(_ROLES_ALLOWED[question_type]))
            yield Problem(path, line, column, f"questions[{index}].anki_note_type: a "
                          f"{question_type} question needs fields holding {what} (each once; "
                          f"{', '.join(sorted(needed))} required), not "
                          f"{', '.join(map(str, roles)) or 'none'}")


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
            and answer not in LETTERS[:len(choices)]
        ):
            line, column = located.mark(f"questions.{index}.answer") or (0, 0)
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
                line, column = located.mark(where) or (0, 0)
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
            line, column = located.mark(f"questions.{index}.prompt") or (0, 0)
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
            line, column = located.mark(f"questions.{index}.{name}") or (0, 0)
            first = located.line(f"questions.{first_seen[value]}.{name}")
            message = f"duplicate question {name} '{value}' (first used on line {first})"
            yield Problem(path, line, column, message)
        else:
            first_seen[value] = index


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
        question_lines=located.question_lines,
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
