"""`srs lint`: images and sound a question holds that `srs build` could not bundle
(anki/media.py).

The build refuses them (a missing file, an absolute path, a path out of the source's folder);
lint says so earlier, as a warning at the line, without reading any file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote

from .lint_problem import WARNING, located
from .model import Deck, Question
from .problems import Problem
from .sound import SOUND_TAG

# ![alt](path) / ![alt](<path>) in Markdown, <img src="path"> in HTML.
_REFERENCE = re.compile(
    r"!\[[^\]]*\]\(\s*(?:<([^>\n]+)>|([^)\s]+))|<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)",
    re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Code, where a sound tag is words, not a file: fenced blocks and `spans`.
_CODE = re.compile(r"^(```|~~~).*?^\1|(`+).+?\2", re.DOTALL | re.MULTILINE)


def _texts(question: Question) -> Iterator[tuple[str, str]]:
    """(field key, Markdown text) of every Markdown field of a question."""
    yield "prompt", question.prompt
    yield "hint", question.hint
    yield "explanation", question.explanation
    if not question.choices:
        yield "answer", question.answer
    for index, choice in enumerate(question.choices):
        yield f"choices.{index}", choice.text
    for index, mistake in enumerate(question.common_mistakes):
        yield f"common_mistakes.{index}", mistake
    for index, step in enumerate(question.solution):
        yield f"solution.{index}", step.text


def _trouble(folder: Path, src: str) -> str | None:
    if not src or src.startswith(("#", "//")) or _SCHEME.match(src):
        return None
    path = unquote(src)
    if Path(path).is_absolute() or path.startswith("\\"):
        return "is an absolute path; give a path relative to the source"
    target = (folder / path).resolve()
    if not target.is_relative_to(folder):
        return "is outside the source's folder; `srs build` refuses it"
    if not target.is_file():
        return "does not exist; `srs build` fails on it"
    return None


def _references(text: str) -> Iterator[tuple[int, str]]:
    """(offset, path) of every image and sound file the text names."""
    if "](" in text or "<img" in text.lower():
        for match in _REFERENCE.finditer(text):
            yield match.start(), next(group for group in match.groups() if group is not None)
    if "[sound:" in text:
        prose = _CODE.sub(lambda code: " " * len(code.group(0)), text)
        for match in SOUND_TAG.finditer(prose):
            yield match.start(), match.group(1)


def media_files_exist(deck: Deck) -> Iterable[Problem]:
    """Every local image or sound file a question names exists inside the source's folder."""
    if not deck.source_path:
        return
    folder = Path(deck.source_path).parent.resolve()
    for question in deck.questions:
        for key, text in _texts(question):
            for offset, src in sorted(_references(text)):
                trouble = _trouble(folder, src)
                if trouble is not None:
                    line = text.count("\n", 0, offset) + 1
                    yield located(deck, question, key, f"the media file {src!r} {trouble}",
                                  WARNING, text_line=line)
