"""JSON Schema applied to YAML data with every problem located as ``path:line:column``.

The subset of JSON Schema that the shipped schemas use (types, const, enum, patterns, ranges,
required and additional properties, oneOf/anyOf, allOf with if/then/else, false), with messages
written for authors rather than for schema experts. ``sources`` walks a YAML document into
plain data with marks (``Located``); this module judges that data against a schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from ..wording import shorten
from .problems import Problem

if TYPE_CHECKING:
    from .sources import Located

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a true/false value"
    for name, types in _TYPES.items():
        if isinstance(value, types):
            return {"object": "a mapping", "array": "a list", "integer": "an integer"}.get(
                name, f"a {name}"
            )
    return {"date": "a date", "datetime": "a date and time", "bytes": "binary data"}.get(
        type(value).__name__, type(value).__name__
    )


def _hint(value: Any) -> str:
    if isinstance(value, bool):
        return " (YAML reads unquoted yes/no/on/off/true/false as true/false; quote text)"
    return ""


def _equal(value: Any, expected: Any) -> bool:
    """Equality as JSON Schema sees it: true is not 1 (but 1.0 is 1)."""
    return isinstance(value, bool) == isinstance(expected, bool) and value == expected


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[name])


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class Validator:
    """Applies the subset of JSON Schema that deck.schema.json uses, with friendly messages.

    ``member`` is what a mapping's keys are called in messages ("unknown field"): config.yaml
    says "setting".
    """

    def __init__(
        self, root_schema: dict[str, Any], located: Located, path: str, member: str = "field"
    ) -> None:
        self.root = root_schema
        self.located = located
        self.path = path
        self.member = member
        self.resolved: dict[int, dict[str, Any]] = {}
        self.context = ""  # the condition of the if/then branch being applied, for messages

    def resolve(self, rule: dict[str, Any]) -> dict[str, Any]:
        if "$ref" not in rule:
            return rule
        # Rules are parts of the schema, alive as long as this validator: ids are stable keys.
        cached = self.resolved.get(id(rule))
        if cached is None:
            cached = self.resolved[id(rule)] = self._resolve(rule)
        return cached

    def _resolve(self, rule: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in rule:
            ref = rule["$ref"]
            merged = {k: v for k, v in rule.items() if k != "$ref"}
            target = self.root
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            rule = {**target, **merged}
        return rule

    def problem(self, where: str, message: str, *, key: bool = False) -> Problem:
        found = self.located.mark(where, key=True) if key else None
        line, column = found or self.located.mark(where) or (0, 0)
        label = _label(where)
        return Problem(self.path, line, column, f"{label}: {message}" if label else message)

    def check(self, value: Any, rule: dict[str, Any] | bool, where: str) -> Iterator[Problem]:
        if rule is False:  # a field that the enclosing if/then rules out
            yield self.problem(where, f"not used {self.context or 'here'}", key=True)
            return
        if rule is True:
            return
        rule = self.resolve(rule)
        if "oneOf" in rule:
            yield from self.check_one_of(value, rule["oneOf"], where)
            return
        if "const" in rule and not _equal(value, rule["const"]):
            yield self.problem(where, f"must be {rule['const']!r}, not {value!r}")
            return
        if "enum" in rule and not any(_equal(value, option) for option in rule["enum"]):
            options = ", ".join(str(option) for option in rule["enum"])
            yield self.problem(where, f"must be one of {options}, not {_short(value)}")
            return
        kind = rule.get("type")
        if kind and not _is_type(value, kind):
            wanted = {"object": "a mapping", "array": "a list", "string": "text"}.get(kind, kind)
            yield self.problem(where, f"must be {wanted}, not {describe(value)}{_hint(value)}")
            return
        if isinstance(value, str):
            yield from self.check_string(value, rule, where)
        elif isinstance(value, bool):
            pass
        elif isinstance(value, (int, float)):
            yield from self.check_number(value, rule, where)
        elif isinstance(value, list):
            yield from self.check_array(value, rule, where)
        elif isinstance(value, dict):
            yield from self.check_object(value, rule, where)
        if "anyOf" in rule:
            yield from self.check_any_of(value, rule["anyOf"], where)
        if "allOf" in rule or "if" in rule:
            yield from self.check_all_of(value, rule, where)

    def check_all_of(self, value: Any, rule: dict[str, Any], where: str) -> Iterator[Problem]:
        for part in rule.get("allOf", ()):
            if "if" in part and set(part) <= _BRANCHES:  # the usual case, without the walk
                yield from self.check_if(value, part, where)
            else:
                yield from self.check(value, part, where)
        if "if" in rule:
            yield from self.check_if(value, rule, where)

    def check_if(self, value: Any, rule: dict[str, Any], where: str) -> Iterator[Problem]:
        """JSON Schema's if/then/else; problems of the branch name its condition."""
        holds = _simple_condition(rule["if"], value)
        if holds is None:
            holds = not any(True for _ in self.check(value, rule["if"], where))
        branch = rule.get("then" if holds else "else")
        if branch is None:
            return
        outer, self.context = self.context, _condition(rule["if"]) if holds else ""
        try:
            problems = list(self.check(value, branch, where))
        finally:
            self.context = outer
        yield from problems

    def check_any_of(
        self, value: Any, options: list[dict[str, Any]], where: str
    ) -> Iterator[Problem]:
        outcomes = [list(self.check(value, option, where)) for option in options]
        if all(outcomes):
            resolved = [self.resolve(option) for option in options]
            if all(set(option) == {"required"} for option in resolved):
                names = " or ".join(f"'{name}'" for o in resolved for name in o["required"])
                yield self.problem(where, f"needs {names}")
            else:
                yield from outcomes[0]

    def check_one_of(
        self, value: Any, options: list[dict[str, Any]], where: str
    ) -> Iterator[Problem]:
        resolved = [self.resolve(option) for option in options]
        for option in resolved:
            if "type" not in option or _is_type(value, option["type"]):
                yield from self.check(value, option, where)
                return
        kinds = " or ".join(
            {"object": "a mapping", "string": "text", "array": "a list"}.get(o.get("type", ""), "?")
            for o in resolved
        )
        yield self.problem(where, f"must be {kinds}, not {describe(value)}{_hint(value)}")

    def check_string(self, value: str, rule: dict[str, Any], where: str) -> Iterator[Problem]:
        if len(value) < rule.get("minLength", 0):
            yield self.problem(where, "must not be empty")
        elif "maxLength" in rule and len(value) > rule["maxLength"]:
            yield self.problem(where, f"is longer than {rule['maxLength']} characters")
        elif "pattern" in rule and not _regex(rule["pattern"]).search(value):
            yield self.problem(where, f"{_short(value)} {_pattern_hint(rule['pattern'])}")

    def check_number(self, value: float, rule: dict[str, Any], where: str) -> Iterator[Problem]:
        if "minimum" in rule and "maximum" in rule:
            low, high = rule["minimum"], rule["maximum"]
            if not low <= value <= high:
                yield self.problem(where, f"must be between {low} and {high}, not {value}")
            return
        if "minimum" in rule and value < rule["minimum"]:
            yield self.problem(where, f"must be at least {rule['minimum']}, not {value}")
        if "exclusiveMinimum" in rule and value <= rule["exclusiveMinimum"]:
            yield self.problem(where, f"must be more than {rule['exclusiveMinimum']}, not {value}")
        if "maximum" in rule and value > rule["maximum"]:
            yield self.problem(where, f"must be at most {rule['maximum']}, not {value}")

    def check_array(self, value: list[Any], rule: dict[str, Any], where: str) -> Iterator[Problem]:
        if len(value) < rule.get("minItems", 0):
            minimum = rule["minItems"]
            yield self.problem(where, f"needs at least {minimum} item(s), has {len(value)}")
        if "maxItems" in rule and len(value) > rule["maxItems"]:
            yield self.problem(where, f"has {len(value)} items; at most {rule['maxItems']} allowed")
        if rule.get("uniqueItems"):
            seen: set[str] = set()
            for index, item in enumerate(value):
                token = json.dumps(item, sort_keys=True, default=str)
                if token in seen:
                    yield self.problem(_join(where, index), f"{_short(item)} is listed twice")
                seen.add(token)
        if "items" in rule:
            for index, item in enumerate(value):
                yield from self.check(item, rule["items"], _join(where, index))

    def check_object(
        self, value: dict[str, Any], rule: dict[str, Any], where: str
    ) -> Iterator[Problem]:
        properties = rule.get("properties", {})
        for name in rule.get("required", ()):
            if name not in value:
                yield self.problem(where, f"missing required field '{name}'")
        if len(value) < rule.get("minProperties", 0):
            yield self.problem(where, "must not be empty")
        if "additionalProperties" not in rule:  # e.g. a then-branch: only its own fields matter
            for name, part in properties.items():
                if name in value:
                    yield from self.check(value[name], part, _join(where, name))
            return
        for name, item in value.items():
            child = _join(where, name)
            if name in properties:
                yield from self.check(item, properties[name], child)
            elif isinstance(extra := rule.get("additionalProperties"), dict):
                yield from self.check(item, extra, child)
            elif extra is False:
                known = ", ".join(sorted(properties))
                yield self.problem(
                    child, f"unknown {self.member} (expected one of: {known})", key=True)


_BRANCHES = frozenset({"if", "then", "else"})


def _simple_condition(rule: dict[str, Any], value: Any) -> bool | None:
    """Whether a mapping meets an ``if`` of only required names and ``const`` properties (the
    question types' conditions), without the generic walk; None for any other condition."""
    if not isinstance(value, dict) or not set(rule) <= {"properties", "required"}:
        return None
    if not all(name in value for name in rule.get("required", ())):
        return False
    for name, part in rule.get("properties", {}).items():
        if not isinstance(part, dict) or set(part) != {"const"}:
            return None
        if name in value and not _equal(value[name], part["const"]):
            return False
    return True


def _condition(rule: dict[str, Any]) -> str:
    """'in a recall question' for an ``if`` of ``{"properties": {"type": {"const": "recall"}}}``."""
    for name, part in rule.get("properties", {}).items():
        if isinstance(part, dict) and "const" in part:
            if name == "type":
                return f"in a {part['const']} question"
            return f"when {name} is {part['const']!r}"
    return ""


def _join(where: str, part: str | int) -> str:
    return f"{where}.{part}" if where else str(part)


def _label(where: str) -> str:
    """'questions.3.choices.1' -> 'questions[3].choices[1]'."""
    out = ""
    for part in where.split(".") if where else ():
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def _short(value: Any) -> str:
    return shorten(repr(value), 60)


_PATTERN_HINTS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "is not a slug (lowercase letters, digits and single hyphens)",
    "^[^\\n]*\\S[^\\n]*$": "must be one non-blank line",
    "\\S": "must not be blank",
    "^\\S+$": "must be one word, without spaces",
}


def _pattern_hint(pattern: str) -> str:
    return _PATTERN_HINTS.get(pattern, f"does not match the pattern {pattern}")


# --- the same rules as one predicate per schema node, compiled once ---------------------------
#
# Almost every value a build reads is valid, and the walk above (a generator per value, the
# rule's keywords looked up for each) costs a third of parsing. ``valid`` answers only "would
# the walk find nothing?", with one closure per schema node that holds its keywords already
# looked up; when it says no, the walk runs and words the problems. It is the walk's logic,
# keyword for keyword (tests/deck/test_schema.py compares the two on random values).

Predicate = Callable[[Any], bool]
_COMPILED: dict[int, tuple[dict[str, Any], Predicate]] = {}


def valid(value: Any, root: dict[str, Any]) -> bool:
    """Whether ``Validator(root, ...).check(value, root, "")`` would find no problem."""
    entry = _COMPILED.get(id(root))
    if entry is None or entry[0] is not root:
        entry = _COMPILED[id(root)] = (root, _Compiler(root).compile(root))
    return entry[1](value)


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.walker = Validator(root, None, "")  # type: ignore[arg-type]  # resolves, no marks
        self.done: dict[int, Predicate] = {}

    def compile(self, rule: dict[str, Any] | bool) -> Predicate:
        if rule is True:
            return _always
        if rule is False:
            return _never
        known = self.done.get(id(rule))
        if known is None:
            known = self.done[id(rule)] = self._compile(self.walker.resolve(rule))
        return known

    def _compile(self, rule: dict[str, Any]) -> Predicate:
        if "oneOf" in rule:
            return self._one_of(rule["oneOf"])
        if not _COMPOSITE & set(rule):
            lean = self._lean(rule)
            if lean is not None:
                return lean
        has_const, const = "const" in rule, rule.get("const")
        enum = rule.get("enum")
        kind = rule.get("type")
        of_type = self._by_type(rule)
        any_of = [self.compile(option) for option in rule.get("anyOf", ())]
        branches = self._all_of(rule)

        def check(value: Any) -> bool:
            if has_const and not _equal(value, const):
                return False
            if enum is not None and not any(_equal(value, option) for option in enum):
                return False
            if kind and not _is_type(value, kind):
                return False
            if not of_type(value):
                return False
            if any_of and not any(option(value) for option in any_of):
                return False
            return all(branch(value) for branch in branches) if branches else True

        return check

    def _lean(self, rule: dict[str, Any]) -> Predicate | None:
        """The check of a rule of one type and that type's keywords (most rules), without
        the generic steps that cannot apply."""
        kind = rule.get("type")
        if kind == "string":
            text = _string_check(rule)
            return lambda value: isinstance(value, str) and text(value)
        if kind == "integer":
            number = _number_check(rule)
            return lambda value: (isinstance(value, int) and not isinstance(value, bool)
                                  and number(value))
        if kind == "array":
            array = self._array(rule)
            return lambda value: isinstance(value, list) and array(value)
        if kind == "object":
            mapping = self._object(rule)
            return lambda value: isinstance(value, dict) and mapping(value)
        return None

    def _one_of(self, options: list[dict[str, Any]]) -> Predicate:
        resolved = [self.walker.resolve(option) for option in options]
        compiled = [(option.get("type"), self.compile(option)) for option in resolved]

        def check(value: Any) -> bool:
            for kind, option in compiled:
                if not kind or _is_type(value, kind):
                    return option(value)
            return False

        return check

    def _all_of(self, rule: dict[str, Any]) -> list[Predicate]:
        parts = [
            self._if(part) if "if" in part and set(part) <= _BRANCHES else self.compile(part)
            for part in rule.get("allOf", ())
        ]
        return [*parts, self._if(rule)] if "if" in rule else parts

    def _if(self, rule: dict[str, Any]) -> Predicate:
        condition = self.compile(rule["if"])
        then, otherwise = (self.compile(rule[name]) if name in rule else _always
                           for name in ("then", "else"))
        simple = _simple_parts(rule["if"])
        if simple is None:
            return lambda value: (then if condition(value) else otherwise)(value)
        required, consts = simple

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                holds = condition(value)
            else:
                holds = all(name in value for name in required) and all(
                    name not in value or _equal(value[name], const) for name, const in consts)
            return (then if holds else otherwise)(value)

        return check

    def _by_type(self, rule: dict[str, Any]) -> Predicate:
        text, number = _string_check(rule), _number_check(rule)
        array, mapping = self._array(rule), self._object(rule)

        def check(value: Any) -> bool:
            if isinstance(value, str):
                return text(value)
            if isinstance(value, bool):
                return True
            if isinstance(value, (int, float)):
                return number(value)
            if isinstance(value, list):
                return array(value)
            if isinstance(value, dict):
                return mapping(value)
            return True

        return check

    def _array(self, rule: dict[str, Any]) -> Predicate:
        low, high = rule.get("minItems", 0), rule.get("maxItems")
        unique = bool(rule.get("uniqueItems"))
        items = self.compile(rule["items"]) if "items" in rule else None

        def check(value: list[Any]) -> bool:
            if len(value) < low or (high is not None and len(value) > high):
                return False
            if unique and not _all_different(value):
                return False
            return items is None or all(items(item) for item in value)

        return check

    def _object(self, rule: dict[str, Any]) -> Predicate:
        properties = {name: self.compile(part)
                      for name, part in rule.get("properties", {}).items()}
        required = tuple(rule.get("required", ()))
        fewest = rule.get("minProperties", 0)
        closed = "additionalProperties" in rule
        extra = rule.get("additionalProperties")
        others = self.compile(extra) if isinstance(extra, dict) else (
            _never if extra is False else _always)

        def check(value: dict[str, Any]) -> bool:
            if len(value) < fewest or not all(name in value for name in required):
                return False
            if not closed:  # e.g. a then-branch: only its own fields matter
                return all(part(value[name]) for name, part in properties.items()
                           if name in value)
            for name, item in value.items():  # noqa: SIM110 (a loop: no generator per value)
                if not properties.get(name, others)(item):
                    return False
            return True

        return check


_COMPOSITE = frozenset({"oneOf", "const", "enum", "anyOf", "allOf", "if"})


def _always(_value: Any) -> bool:
    return True


def _never(_value: Any) -> bool:
    return False


def _all_different(items: list[Any]) -> bool:
    """uniqueItems as the walk judges it (by JSON text)."""
    if all(type(item) is str for item in items):
        return len(set(items)) == len(items)
    tokens = [json.dumps(item, sort_keys=True, default=str) for item in items]
    return len(set(tokens)) == len(tokens)


def _simple_parts(rule: Any) -> tuple[tuple[str, ...], list[tuple[str, Any]]] | None:
    """An ``if`` that ``_simple_condition`` judges without the walk: its required names and
    const properties; None for any other."""
    if not isinstance(rule, dict) or not set(rule) <= {"properties", "required"}:
        return None
    parts = rule.get("properties", {})
    if not all(isinstance(part, dict) and set(part) == {"const"} for part in parts.values()):
        return None
    return tuple(rule.get("required", ())), [(n, part["const"]) for n, part in parts.items()]


def _string_check(rule: dict[str, Any]) -> Predicate:
    shortest, longest = rule.get("minLength", 0), rule.get("maxLength")
    search = _regex(rule["pattern"]).search if "pattern" in rule else None
    if not shortest and longest is None:
        return _always if search is None else lambda value: search(value) is not None

    def check(value: str) -> bool:
        if len(value) < shortest or (longest is not None and len(value) > longest):
            return False
        return search is None or search(value) is not None

    return check


def _number_check(rule: dict[str, Any]) -> Predicate:
    low, high = rule.get("minimum"), rule.get("maximum")
    above = rule.get("exclusiveMinimum")

    def check(value: float) -> bool:
        if low is not None and high is not None:  # the walk checks only these two then
            return bool(low <= value <= high)
        return not ((low is not None and value < low) or (above is not None and value <= above)
                    or (high is not None and value > high))

    return check
