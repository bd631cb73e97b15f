"""Pygments' regex lexing, with each state's rules tried by one regular expression.

A Pygments ``RegexLexer`` finds each token by trying its state's rules one by one from Python
(Python's lexer has 56 rules in its root state): measured, half the CPU time of a cold
`srs build` is highlighting code, nearly all of it that loop. Joined as the alternatives of one
pattern, ``(?P<_0>rule0)|(?P<_1>rule1)|...``, the rules are tried in the same order by the
regular-expression engine, and the first alternative that matches at a position is the first
rule that matches there: the same rule the loop would pick. That rule's own pattern is then
matched again, so its callbacks see the groups they were written for. Everything else (the
state stack, the error and end-of-line handling) is Pygments' own loop, unchanged, so the
tokens are the same, which tests/anki/test_code_lexing.py checks against Pygments on every
language's sample code.

Rules that cannot join are tried alone, in their place: a pattern that refers to its own groups
by number or name, flags that a scoped group cannot express, or a join that does not compile.
A lexer that is not a plain ``RegexLexer`` is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

Rule = tuple[Callable[..., Any], Any, Any]  # (match, action, new state), as Pygments keeps them
Find = Callable[[str, int], "re.Match[str] | None"]


class Step(NamedTuple):
    """One pattern a state tries: one rule's, or the join of several."""

    find: Find
    rule: Rule | None  # a rule tried alone
    # A join's rules by the group number of their alternative (``Match.lastindex``), each
    # with whether its action needs its own match (a callback reads the rule's groups).
    joined: tuple[tuple[Rule, bool] | None, ...] = ()

    def rules(self) -> list[Rule]:
        return [self.rule] if self.rule else [found[0] for found in self.joined if found]

# Back-references (\1, (?P=name)) and conditionals ((?(1)...)) count groups, which a join
# renumbers.
_SELF_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
_SCOPED = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}


def fast_lexing(lexer: Lexer) -> Lexer:
    """``lexer``, finding tokens by joined rules when it is a plain ``RegexLexer``."""
    if isinstance(lexer, RegexLexer) and (
        type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
    ):
        steps: dict[str, list[Step]] = {}

        def tokens(text: str, stack: Sequence[str] = ("root",)) -> Iterator[tuple[int, Any, str]]:
            return _tokens(lexer, steps, text, stack)

        vars(lexer)["get_tokens_unprocessed"] = tokens
    return lexer


def _scoped(pattern: re.Pattern[str], flags: int) -> str | None:
    """``pattern`` as a group to join into a pattern compiled with ``flags``, or None."""
    text = pattern.pattern
    while leading := _LEADING_FLAGS.match(text):  # their effect is in pattern.flags
        text = text[leading.end():]
    if _SELF_REFERENCE.search(text) or _LEADING_FLAGS.search(text):
        return None
    added, removed = pattern.flags & ~flags, flags & ~pattern.flags
    if (added | removed) & ~sum(_SCOPED) or (pattern.flags | flags) & re.VERBOSE:
        return None
    if not added | removed:
        return text

    def letters(bits: int) -> str:
        return "".join(letter for flag, letter in _SCOPED.items() if bits & flag)

    return f"(?{letters(added)}{'-' + letters(removed) if removed else ''}:{text})"


def steps_of(rules: Sequence[Rule]) -> list[Step]:
    """The state's rules as steps: runs of rules joined into one pattern each."""
    patterns = [getattr(match, "__self__", None) for match, _, _ in rules]
    compiled = [p for p in patterns if isinstance(p, re.Pattern)]
    if not compiled:
        return [Step(rule[0], rule) for rule in rules]
    flags = max({p.flags for p in compiled}, key=[p.flags for p in compiled].count)
    steps: list[Step] = []
    run: list[tuple[Rule, str]] = []

    def close_run() -> None:
        if len(run) > 1:
            try:
                joined = re.compile(
                    "|".join(f"(?P<_{k}>{text})" for k, (_, text) in enumerate(run)), flags)
            except re.error:
                pass  # e.g. two rules with a group of one name: each is tried alone
            else:
                by_group: list[tuple[Rule, bool] | None] = [None] * (joined.groups + 1)
                for k, (rule, _) in enumerate(run):
                    own_match = rule[1] is not None and type(rule[1]) is not _TokenType
                    by_group[joined.groupindex[f"_{k}"]] = (rule, own_match)
                steps.append(Step(joined.match, None, tuple(by_group)))
                run.clear()
                return
        steps.extend(Step(rule[0], rule) for rule, _ in run)
        run.clear()

    for rule, pattern in zip(rules, patterns, strict=True):
        text = _scoped(pattern, flags) if isinstance(pattern, re.Pattern) else None
        if text is None:
            close_run()
            steps.append(Step(rule[0], rule))
        else:
            run.append((rule, text))
    close_run()
    return steps


def _tokens(lexer: RegexLexer, steps: dict[str, list[Step]], text: str,
            stack: Sequence[str]) -> Iterator[tuple[int, Any, str]]:
    """``RegexLexer.get_tokens_unprocessed`` (Pygments 2.x), finding each rule by steps."""
    tokendefs = lexer._tokens  # type: ignore[attr-defined]  # as RegexLexerMeta made them

    def state_steps(name: str) -> list[Step]:
        found = steps.get(name)
        if found is None:
            found = steps[name] = steps_of(tokendefs[name])
        return found

    pos = 0
    statestack = list(stack)
    statesteps = state_steps(statestack[-1])
    while True:
        for find, rule, joined in statesteps:
            m = find(text, pos)
            if m:
                if rule is None:
                    # The alternative's group encloses every other group of it, so it is the
                    # last to close: lastindex.
                    found = joined[m.lastindex or 0]
                    assert found is not None, "every alternative is a rule's"
                    rule, own_match = found
                    if own_match:
                        m = rule[0](text, pos)  # the rule's own groups, for its callback
                action, new_state = rule[1], rule[2]
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(lexer, m)
                pos = m.end()
                if new_state is not None:
                    _change_state(statestack, new_state)
                    statesteps = state_steps(statestack[-1])
                break
        else:
            try:
                if text[pos] == "\n":
                    statestack = ["root"]
                    statesteps = state_steps("root")
                    yield pos, Whitespace, "\n"
                    pos += 1
                    continue
                yield pos, Error, text[pos]
                pos += 1
            except IndexError:
                break


def _change_state(statestack: list[str], new_state: Any) -> None:
    """Pygments' state transition for a rule's ``new_state``, applied to ``statestack``."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(statestack) > 1:
                    statestack.pop()
            elif state == "#push":
                statestack.append(statestack[-1])
            else:
                statestack.append(state)
    elif isinstance(new_state, int):
        # pop, but keep at least one state on the stack (as Pygments does)
        if abs(new_state) >= len(statestack):
            del statestack[1:]
        else:
            del statestack[new_state:]
    elif new_state == "#push":
        statestack.append(statestack[-1])
    else:
        raise AssertionError(f"wrong state def: {new_state!r}")
