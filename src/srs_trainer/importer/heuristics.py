"""Telling code from prose on a quiz page, and guessing a snippet's language."""

from __future__ import annotations

import ast
import re
import textwrap

# Heuristics telling code from prose, for lines between a question's title and its choices.
_SQL_START = re.compile(
    r"^(SELECT|FROM|WHERE|(LEFT|RIGHT|INNER|FULL|CROSS)( OUTER)? JOIN|JOIN|ON|GROUP BY|ORDER BY|"
    r"HAVING|INSERT INTO|UPDATE|DELETE FROM|CREATE (TABLE|INDEX|VIEW)|WITH|UNION|LIMIT|VALUES|"
    r"SET)\b"
)
_SHELL_START = re.compile(r"^(\$ |git |pip |npm |npx |python3? -|cd |ls\b|mkdir |echo )")
_JS_START = re.compile(
    r"^(const|let|var|function|export|import React|return \(|useEffect|useState)\b"
)
_PY_CONTINUATION = re.compile(r"^(else:|try:|finally:|elif .+:|except\b.*:)$")
_PY_LOOKS = re.compile(
    r"^\s*(async def|def|class|import|from \S+ import|await|yield|print\()", re.M
)
_CODE_ENDINGS = (";", "{", "}", "(", "[", ",", ")", "]")


def parses_as_python(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def looks_like_code(line: str, *, inside_code: bool = False) -> bool:
    """Whether a page line is code rather than prose (a question's wording)."""
    stripped = line.strip()
    if not stripped:
        return False
    if line[0] in " \t":
        return True
    if stripped.endswith("?"):
        return False
    if _SQL_START.match(stripped) or _SHELL_START.match(stripped) or _JS_START.match(stripped):
        return True
    if stripped.startswith(("<", "}", ")", "]", "@", "#", "//")) or "=>" in stripped:
        return True
    if stripped.endswith(_CODE_ENDINGS):
        return True
    if inside_code and _PY_CONTINUATION.match(stripped):
        return True
    # Bare words parse as Python names; real code has an operator, call, colon or dot.
    if not re.search(r"[=(\[{.:]", stripped):
        return False
    return parses_as_python(stripped + "\n    pass" if stripped.endswith(":") else stripped)


def guess_language(source: str) -> str:
    """A Pygments lexer name for a snippet: python if it parses or looks like it, else a guess."""
    if parses_as_python(textwrap.dedent(source)) or _PY_LOOKS.search(source):
        return "python"
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if _SQL_START.match(first):
        return "sql"
    if _SHELL_START.match(first):
        return "bash"
    if _JS_START.match(first) or "=>" in source:
        return "javascript"
    return "text"
