"""The build's caches: the manifest of deck files built, rendered notes, and the build version.

All of them live under ``<out>/.srs-cache/``, are safe to delete and only save time; any change
to our rendering or export code, or to the libraries' versions, makes every entry stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..deck.files import CACHE_FORMAT, read_cache, sha256, stat_key, write_atomic
from .incremental import memo_path

if TYPE_CHECKING:
    from .package import PackageState

MANIFEST_NAME = "build.json"

DECK_SUFFIX = ".apkg"  # one deck file per source: <deck id>.apkg


# code and the libraries' versions. Any change makes every cache entry stale.
_OUR_CODE = ("anki/render.py", "anki/card_types.py", "anki/package.py", "anki/build.py",
             "anki/build_cache.py", "anki/compile.py", "anki/incremental.py", "anki/media.py",
             "anki/kept_note_types.py",
             *(f"deck/{name}.py" for name in ("ids", "sources", "validator", "model", "cloze",
                                             "typed_answer", "sound")),
             *(f"markdown/{name}.py" for name in ("__init__", "tree", "parse", "subset", "html",
                                                 "plain", "sanitize")))
_LIBRARY_VERSION_FILES = (("genanki", "version.py"), ("pygments", "__init__.py"),
                          ("markdown_it", "__init__.py"))


@cache
def build_version() -> str:
    # The code's own bytes name the output format: no version constant to forget to bump,
    # and nothing to import (a build with nothing to do loads no renderer).
    import importlib.util

    package_root = Path(__file__).parent.parent
    files = [package_root / name for name in _OUR_CODE]
    for package, name in _LIBRARY_VERSION_FILES:
        spec = importlib.util.find_spec(package)  # finds without importing
        if spec is not None and spec.origin:
            files.append(Path(spec.origin).with_name(name))
    digest = hashlib.sha256()
    for file in files:
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(file.name.encode())
    return f"{__version__}/{CACHE_FORMAT}/{digest.hexdigest()[:16]}"


# --- caches ----------------------------------------------------------------------------------


@dataclass
class Manifest:
    """Which deck file each source produced; lets a no-edit rebuild skip parsing entirely."""

    path: Path | None
    version: str
    # Per source: its hash and metadata, deck, deck file and its hash, and "media": each
    # bundled file's [metadata, hash] by path.
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, cache_dir: Path | None, version: str) -> Manifest:
        if cache_dir is None:
            return cls(None, version)
        path = cache_dir / MANIFEST_NAME
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return cls(path, version)
        if not isinstance(data, dict) or data.get("version") != version:
            return cls(path, version)
        return cls(path, version, dict(data.get("sources", {})))

    def up_to_date(self, source: Path, digest: str) -> dict[str, Any] | None:
        """The manifest entry if ``source`` with this content built the deck file still there."""
        entry = self.sources.get(str(source.resolve()))
        if not entry or entry.get("sha256") != digest:
            return None
        return self._output_intact(entry)

    def untouched(self, source: Path) -> dict[str, Any] | None:
        """The manifest entry if ``source`` was not even touched since it built its deck file.

        Like make and git's index, trusts the file's metadata, which any write changes (the
        inode change time cannot be set back, even by tools that restore the modification
        time), so an unchanged source is not even read.
        """
        entry = self.sources.get(str(source.resolve()))
        key = stat_key(source)
        if not entry or key is None or entry.get("stat") != key:
            return None
        return self._output_intact(entry)

    @staticmethod
    def _output_intact(entry: dict[str, Any]) -> dict[str, Any] | None:
        output = Path(entry["output"])
        try:
            if sha256(output.read_bytes()) != entry["output_sha256"]:
                return None
        except OSError:
            return None
        return entry if _media_unchanged(entry.get("media") or {}) else None

    def record(self, source: Path, digest: str, stat: str | None, deck_id: str, output: Path,
               data: bytes) -> None:
        entry: dict[str, Any] = {
            "sha256": digest,
            "stat": stat or "",
            "deck": deck_id,
            "output": str(output.resolve()),
            "output_sha256": sha256(data),
        }
        if self.path is not None:
            # Written by the compile of this very content (compile._bundle_media).
            media = read_cache(media_dependencies_path(self.path.parent, source), self.version)
            if media is not None and media.get("sha256") == digest:
                entry["media"] = media["files"]
        self.sources[str(source.resolve())] = entry

    def save(self) -> None:
        if self.path is not None:
            text = json.dumps({"version": self.version, "sources": self.sources}, indent=1,
                              sort_keys=True)
            write_atomic(self.path, text.encode("utf-8"), sync=False)


def _media_unchanged(files: dict[str, list[str]]) -> bool:
    """Whether every media file a deck bundled still has the content it had (its metadata
    unchanged, like the source's, or else its bytes)."""
    for name, (stat, digest) in files.items():
        path = Path(name)
        if stat and stat_key(path) == stat:
            continue
        try:
            if sha256(path.read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def media_dependencies_path(cache_dir: Path, source: Path) -> Path:
    """Where a source's compile leaves the fingerprints of the media files it bundled."""
    return cache_dir / "media" / memo_path(cache_dir, source).name


def render_cache_path(cache_dir: Path, deck_id: str) -> Path:
    return cache_dir / "render" / f"{deck_id}.bin"


@dataclass(frozen=True)
class RenderCache:
    """Rendered notes by question key, rendered fragments by fragment key, and the state of
    the deck file last written (by its hash), which spares reading that file back."""

    notes: dict[str, Any] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    package: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, cache_dir: Path | None, deck_id: str, version: str) -> RenderCache:
        if cache_dir is None:
            return cls()
        data = read_cache(render_cache_path(cache_dir, deck_id), version)
        if data is None:
            return cls()
        parts = data.get("notes"), data.get("fragments"), data.get("package")
        if not all(isinstance(part, dict) for part in parts):
            return cls()
        return cls(*parts)  # type: ignore[arg-type]

    def package_state(self, deck_file: bytes | None) -> PackageState | None:
        from .package import PackageState

        if deck_file is None or self.package.get("sha256") != sha256(deck_file):
            return None
        try:
            return PackageState.from_dict(self.package["state"])
        except (KeyError, TypeError, ValueError):
            return None
