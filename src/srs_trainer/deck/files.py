"""Files written whole or not at all, file fingerprints, and the small caches built on them.

The caches (``srs build``'s under ``decks/.srs-cache``, the trainer's parsed sources in its
home folder) only save time: deleting one is always safe, and one that cannot be read, or was
written by another version, reads as absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from .problems import InputError, Problem

SOURCE_SUFFIXES = (".yaml", ".yml")
#: Where `srs build`, `srs lint`, `srs verify` and `srs import` look for (or put) sources.
DEFAULT_SOURCES = Path("cards")

# marshal's format belongs to the Python version, so it is part of every cache's version.
CACHE_FORMAT = f"py{sys.version_info[0]}.{sys.version_info[1]}/marshal{marshal.version}"


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Source files named by ``paths``: files as given, directories searched for *.yaml."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.suffix in SOURCE_SUFFIXES and p.is_file())
            )
        else:
            found.append(path)
    return found


class NoSources(Exception):
    """A command found no source files to work on; the message names where it looked."""


def find_sources(
    sources: Sequence[str | Path], verb: str, *, fallback: Path | None = None
) -> list[Path]:
    """The source files a command works on: those ``sources`` name, else those in cards/.

    With no sources named and no cards/ folder here, the sources in ``fallback`` (srs verify
    documents the bundled decks), else NoSources saying so; ``verb`` says what the sources
    would be named for ("build"). Folders without any *.yaml raise NoSources too.
    """
    if sources:
        roots = [Path(source) for source in sources]
    elif DEFAULT_SOURCES.is_dir():
        roots = [DEFAULT_SOURCES]
    elif fallback is not None:
        roots = [fallback]
    else:
        raise NoSources(f"no {DEFAULT_SOURCES}/ folder here; name the sources to {verb}")
    paths = discover(roots)
    if not paths:
        shown = ", ".join(str(root) for root in roots)
        raise NoSources(f"no YAML sources (*.yaml, *.yml) in {shown}")
    return paths


def read_source(path: str | Path) -> str:
    """A source file's text; an unreadable or non-UTF-8 file raises InputError saying why.

    Every reader of a user's file goes through here (sources, config.yaml, imported pages), so
    a missing file, a folder or a Latin-1 byte reads the same whichever command met it.
    """
    return decode_source(read_source_bytes(path), path)


def read_source_bytes(path: str | Path) -> bytes:
    """A source file's bytes; a file that cannot be read raises InputError saying why."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(str(path), 0, 0, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(str(path), 0, 0, "is a directory, not a source file")]) from None
    except OSError as error:
        raise InputError([Problem(str(path), 0, 0, error.strerror or str(error))]) from None


def decode_source(data: bytes, path: str | Path) -> str:
    """The text of a source's bytes; bytes that are not UTF-8 raise InputError at the byte."""
    try:
        # A byte-order mark is harmless; YAML parsers skip it, and so do we.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - data.rfind(b"\n", 0, error.start)
        byte = data[error.start]
        message = f"not UTF-8 text: byte 0x{byte:02X} ({error.reason}); save the file as UTF-8"
        raise InputError([Problem(str(path), line, column, message)]) from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a part.

    ``sync`` also waits for the disk (fsync), so the new file survives a crash; caches skip it.
    A replaced file keeps its permissions; a new one gets the usual ones (umask).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o666 & ~_umask()
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, kept on success)
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        # NamedTemporaryFile creates 0600; a deck or source is an ordinary, shareable file.
        os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    if not sync:
        return
    try:
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:  # some platforms cannot open directories; the rename is still atomic
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


@cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def stat_key(path: Path) -> str | None:
    """The file's metadata that any write changes, or None if it cannot be read.

    Like make and git's index, a cache trusts this to tell an untouched file without reading
    it. The inode change time cannot be set back, even by tools that restore the
    modification time, so an edit is never mistaken for no change.
    """
    try:
        info = path.stat()
    except OSError:
        return None
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


# Caches are marshal files: loading one is about 8x faster than the same JSON, which matters
# where a cache is read on every start. marshal is for trusted data; these files are ours.
def read_cache(path: Path, version: str) -> dict[str, Any] | None:
    """The cache saved at ``path`` with this ``version``, or None."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("version") != version:
        return None
    return data


def write_cache(path: Path, data: dict[str, Any]) -> None:
    """Save ``data`` (plain values only, with its "version"); a failure only costs time later."""
    with contextlib.suppress(OSError):
        write_atomic(path, marshal.dumps(data), sync=False)
