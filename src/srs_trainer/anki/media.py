"""Local files the rendered notes show or play (images, sound), bundled into the deck's package.

A question refers to a file by a path relative to its source (``![](NAME.media/x.png)``,
``<img src=...>`` in allowed HTML, ``[sound:NAME.media/x.mp3]``: deck/sound.py). Anki keeps
one flat media folder for all decks, so each file goes into the package under a name made of
its content hash (``x-<hash>.png``): two decks' or folders' ``x.png`` never collide, and a
changed file is a new name, so the note that shows it changes too and Anki's import updates it.
The field's ``src`` (or sound tag) is rewritten to that name. A sound tag inside code is shown,
not played: its bracket is written as an entity.

A path may not leave the source's folder (an absolute path or ``../`` past it): a deck source
is shared, and building it must not pick up files from elsewhere on the builder's machine.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..deck.files import stat_key
from ..deck.problems import InputError, Problem
from ..deck.sound import SOUND_TAG

# Our renderers write every image as ``<img src="..."`` (html.py, sanitize.py), quoted.
_IMG_SRC = re.compile(r'(<img src=")([^"]*)(")')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
# What our renderers write as code (html.py; Pygments' output is a <pre> too).
_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.DOTALL)


@dataclass(frozen=True)
class MediaFile:
    """A file bundled: its path (as found), name in the package, bytes, and fingerprints."""

    path: Path
    name: str
    data: bytes
    sha256: str
    stat: str


@dataclass
class Bundle:
    """The media files of one deck, by resolved path; a file shown twice is bundled once."""

    source: Path
    text: str
    files: dict[Path, MediaFile]

    def rewrite(self, fields: tuple[str, ...], start: int, end: int,
                problems: list[Problem]) -> tuple[str, ...]:
        """``fields`` with every local image's ``src`` and sound tag's file the bundled name; a
        file that cannot be bundled is a problem at its line (the question's lines run from
        ``start`` to ``end``, 0-based)."""
        if not any("<img " in value or "[sound:" in value for value in fields):
            return fields

        def image(match: re.Match[str]) -> str:
            name = self._bundled(html.unescape(match.group(2)), start, end, problems)
            return match.group(0) if name is None else f"{match.group(1)}{name}{match.group(3)}"

        def sound(match: re.Match[str]) -> str:
            name = self._bundled(html.unescape(match.group(1)), start, end, problems)
            return match.group(0) if name is None else f"[sound:{name}]"

        def rewritten(value: str) -> str:
            if "<img " in value:
                value = _IMG_SRC.sub(image, value)
            if "[sound:" in value:
                value = _sounds(value, sound)
            return value

        return tuple(rewritten(value) for value in fields)

    def _bundled(self, src: str, start: int, end: int, problems: list[Problem]) -> str | None:
        if not src or src.startswith(("#", "//")) or _SCHEME.match(src):
            return None  # a web address (or an empty one): Anki fetches or ignores it
        path = unquote(src)
        folder = self.source.parent.resolve()
        if Path(path).is_absolute() or path.startswith(("/", "\\")):
            problems.append(self._problem(src, start, end, f"the media file {src!r} is an "
                                          "absolute path; give a path relative to the source"))
            return None
        target = (folder / path).resolve()
        if not target.is_relative_to(folder):
            problems.append(self._problem(src, start, end, f"the media file {src!r} is outside "
                                          f"the source's folder ({folder}); move it inside"))
            return None
        known = self.files.get(target)
        if known is not None:
            return known.name
        stat = stat_key(target)
        try:
            data = target.read_bytes()
        except OSError as error:
            why = "no such file" if isinstance(error, FileNotFoundError) else (
                error.strerror or str(error))
            problems.append(self._problem(src, start, end,
                                          f"the media file {src!r} cannot be read ({why})"))
            return None
        digest = hashlib.sha256(data).hexdigest()
        stem = _NAME_CHARS.sub("-", target.stem).strip("-")[:40] or "media"
        suffix = _NAME_CHARS.sub("", target.suffix[1:]).lower()[:10]
        name = f"{stem}-{digest[:16]}" + (f".{suffix}" if suffix else "")
        self.files[target] = MediaFile(target, name, data, digest, stat or "")
        return name

    def _problem(self, src: str, start: int, end: int, message: str) -> Problem:
        lines = self.text.splitlines()
        raw = unquote(src)
        for index in range(start, min(end, len(lines))):
            if src in lines[index] or raw in lines[index] or html.escape(src) in lines[index]:
                return Problem(str(self.source), index + 1, 0, message)
        return Problem(str(self.source), start + 1, 0, message)

    def packaged(self) -> list[tuple[str, bytes]]:
        """(name, bytes) of every file, in name order: the package's bytes must not depend on
        the order the questions met them in."""
        unique = {file.name: file.data for file in self.files.values()}
        return sorted(unique.items())

    def dependencies(self) -> dict[str, list[str]]:
        """Each file's path, metadata and content hash: what the build's manifest checks."""
        return {str(path): [file.stat, file.sha256] for path, file in sorted(self.files.items())}


def _sounds(value: str, replace: Callable[[re.Match[str]], str]) -> str:
    """``value`` with its sound tags outside code replaced; those inside code made inert."""
    out: list[str] = []
    last = 0
    for code in _CODE.finditer(value):
        out.append(SOUND_TAG.sub(replace, value[last:code.start()]))
        out.append(code.group(0).replace("[sound:", "&#91;sound:"))
        last = code.end()
    out.append(SOUND_TAG.sub(replace, value[last:]))
    return "".join(out)


def bundle_notes(source: Path, text: str, notes: Sequence[tuple[str, ...]],
                 starts: Sequence[int], description: str = "", description_line: int = 0,
                 ) -> tuple[list[tuple[str, ...]], str, Bundle]:
    """Every note's fields and the deck's description (its HTML) with local images
    re-addressed, and the files to bundle.

    ``starts`` are the notes' first lines (0-based); ``description_line`` the description's
    (1-based; 0 if unknown). Raises InputError naming each file that cannot be bundled, at
    its line.
    """
    bundle = Bundle(source, text, {})
    problems: list[Problem] = []
    end_of_text = text.count("\n") + 1
    ends = [*starts[1:], end_of_text]
    rewritten = [bundle.rewrite(fields, start, end, problems)
                 for fields, start, end in zip(notes, starts, ends, strict=True)]
    if description:
        first = max(description_line - 1, 0)
        (description,) = bundle.rewrite((description,), first, starts[0] if starts and
                                        starts[0] > first else end_of_text, problems)
    if problems:
        raise InputError(problems)
    return rewritten, description, bundle
