"""Joined-rule lexing gives Pygments' own tokens, for every language authors write code in."""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Token

from srs_trainer.anki.code_lexing import fast_lexing, steps_of

SAMPLES = {
    "python": '''\
#!/usr/bin/env python
"""Module docstring."""
from __future__ import annotations
import asyncio, re as regex

@decorator(arg=1)
async def view(request, *args, **kwargs) -> dict[str, int]:
    data = await Model.objects.filter(active=True).afirst()
    x = f"{data!r:>10} {{literal}} {1 + 2:.3f}" + rb'\\x00' + r"raw\\d" + b"bytes"
    y = 0x1F + 0o17 + 0b101 + 1_000.5e-3j + .5
    match x:
        case [a, *rest] if a > 0:
            pass
    lambda q: q ** 2 // 3 @ m
    return {'id': data.id if data else None, "n": [1, 2, 3]}  # comment

class Thing(Base, metaclass=Meta):
    def __init__(self): self.value = ...; print(__name__, __file__)
t"template {x}"
\'\'\'multi
line\'\'\'
''',
    "javascript": '''\
// comment
import { a } from "./a.js";
const re = /ab+c/gi; let s = `template ${x + 1} end`;
async function f(x = 1, ...rest) { return await fetch('/api?q=' + x); }
class A extends B { #priv = 0; static get y() { return 0x1f ?? null; } }
/* block */ export default () => ({ k: [1, 2.5e3, true] });
''',
    "typescript": "interface P<T> { a?: T; readonly b: number[] }\n"
                  "const f = <T,>(x: T): T => x as unknown as T; enum E { A = 1 }\n",
    "sql": "SELECT a.id, COUNT(*) AS n FROM t a LEFT JOIN u ON u.id = a.u_id\n"
           "WHERE a.x > 10 AND name LIKE 'jo%' -- note\nGROUP BY 1 HAVING n > 2; /* c */\n",
    "bash": '#!/bin/bash\nfor f in *.txt; do echo "$f ${f%.txt}" | grep -q x && rm -- "$f"; done\n'
            "cat <<EOF\nhere $HOME\nEOF\nx=$(( 1 + 2 )) # c\n",
    "json": '{"a": [1, 2.5, -3e4, true, null], "b": {"c": "d\\n\\u00e9"}}\n',
    "yaml": "key: value\nlist:\n  - 1\n  - 'two'\nanchor: &a {x: 1}\nref: *a\n# c\n",
    "html": '<!DOCTYPE html>\n<html><head><style>p { color: red; }</style>'
            '<script>let x = 1 < 2;</script></head><body class="a">&amp; <!-- c --></body>\n',
    "css": "@media (max-width: 600px) {\n"
           "  .a > b::before { content: '\\201C'; margin: 0 auto !important; } }\n",
    "go": 'package main\nimport "fmt"\n'
          'func main() { ch := make(chan int, 3); go func() { ch <- 1 }()\n'
          '  fmt.Println(<-ch, `raw`) }\n',
    "rust": 'fn main() -> Result<(), Box<dyn Error>> { let v: Vec<u8> = vec![1, 2];\n'
            '  println!("{:?}", v); \'a\'; r#"raw"#; Ok(()) }\n',
    "java": "public class A<T> {\n"
            "  @Override public String toString() { return \"a\" + 1L + 'c'; } }\n",
    "c": '#include <stdio.h>\n#define N 10\nint main(void) { char *s = "x\\n'
         '"; /* c */ return N >> 1; }\n',
    "cpp": "template <typename T> auto f(T&& x) -> decltype(x) {\n"
           "  return std::forward<T>(x); } // c\n",
    "ruby": "def f(x) = x * 2\nputs \"#{f(1)} ok\" if defined?(x)\n"
            "%w[a b].each { |s| p s.to_sym }\n",
    "php": '<?php\nfunction f(int $x): string { return "v=$x" . \'s\'; }\n'
           '$a = [1 => "b"]; echo f(1); ?>\n',
    "diff": "--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-old\n+new\n context\n",
    "toml": '[tool.x]\nname = "a"\nlist = [1, 2]\n[[arr]]\ndate = 2026-01-01T00:00:00Z\n',
    "ini": "[section]\nkey = value ; c\n# c\n",
    "docker": "FROM python:3.11-slim AS base\nRUN pip install -q x && \\\n    echo done\n"
              "CMD [\"srs\", \"review\"]\n",
    "markdown": "# Title\n\nSome *em* and **strong** `code`.\n\n```python\nx = 1\n```\n- item\n",
    "pycon": ">>> x = 1\n>>> x + 1\n2\n>>> raise ValueError('a')\n"
             "Traceback (most recent call last):\nValueError: a\n",
    "text": "just text\n",
}


def _mutations(text: str, rng: random.Random) -> list[str]:
    """The sample, and broken versions of it: cut short, spliced, with stray characters."""
    found = [text, text[: len(text) // 2], text[::-1], text.replace("\n", "")]
    for _ in range(25):
        a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        found.append(text[a:] + text[:b])
        found.append(text[:a] + rng.choice("\"'`([{}])#\\$@%\n\t\x00é") + text[a:])
    return found


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_tokens_are_pygments_own(language: str) -> None:
    plain, fast = get_lexer_by_name(language), fast_lexing(get_lexer_by_name(language))
    formatter = HtmlFormatter(cssclass="srs-hl")
    rng = random.Random(language)
    for text in _mutations(SAMPLES[language], rng):
        assert list(fast.get_tokens(text)) == list(plain.get_tokens(text)), text
        assert highlight(text, fast, formatter) == highlight(text, plain, formatter)


def test_python_rules_are_joined_not_tried_one_by_one() -> None:
    lexer = get_lexer_by_name("python")
    rules = type(lexer)._tokens["root"]  # type: ignore[attr-defined]
    steps = steps_of(rules)
    assert isinstance(fast_lexing(lexer), RegexLexer)
    assert len(steps) <= 3 < len(rules)  # (it has 56 rules; (?i) ones join as scoped groups)
    assert [rule for step in steps for rule in step.rules()] == list(rules)  # each, in order


def test_rules_that_count_their_own_groups_are_tried_alone() -> None:
    class Quoted(RegexLexer):
        tokens: ClassVar[dict[str, list[tuple[str, Any]]]] = {"root": [
            (r"(['\"]).*?\1", Token.String), (r"\w+", Token.Name), (r"\s+", Token.Text),
            (r"(?P<q>`)x(?P=q)", Token.Literal), (r".", Token.Other),
        ]}

    Quoted()  # Pygments processes the rules at the first instance
    rules = Quoted._tokens["root"]  # type: ignore[attr-defined]
    alone = [step.rule for step in steps_of(rules) if step.rule]
    assert rules[0] in alone and rules[3] in alone and rules[1] not in alone
    text = "'a\" b' \"c\" `x` d"
    assert list(fast_lexing(Quoted()).get_tokens(text)) == list(Quoted().get_tokens(text))


def test_a_lexer_that_is_not_a_plain_regex_lexer_is_left_alone() -> None:
    lexer = get_lexer_by_name("pycon")  # a Lexer of its own, not a RegexLexer
    assert "get_tokens_unprocessed" not in vars(fast_lexing(lexer))
    assert re.search("Traceback", highlight(SAMPLES["pycon"], lexer, HtmlFormatter()))
