"""Reading an Anki package (.apkg, .colpkg) with sqlite3 alone: note types, notes, decks, media.

A package is a zip holding a collection and its media. Which collection:

- ``collection.anki21`` or ``collection.anki2`` (schema 11, plain SQLite: what Anki writes with
  "Support older Anki versions" ticked, and what genanki and older Ankis write) is read here
  directly; ``media`` is then JSON mapping the zip entries "0", "1"... to file names.
- ``collection.anki21b`` alone (Anki 2.1.50+ without that box ticked) is zstd-compressed SQLite
  of schema 18 with protobuf fields, and its media list and files are compressed too. Python
  has no zstd before 3.14, so such a package is read through Anki's own library when it is
  installed (``pip install 'srs-trainer[anki]'``: it is re-exported in the old format in a
  temporary folder); without it the error says to re-export with the box ticked. Such packages
  also carry a stub ``collection.anki2`` whose only note asks to update Anki: never read it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..deck.problems import InputError, Problem

FIELD_SEPARATOR = "\x1f"
CLOZE_KIND = 1
NEW_FORMAT = "collection.anki21b"
OLD_FORMATS = ("collection.anki21", "collection.anki2")


@dataclass(frozen=True)
class Template:
    name: str
    front: str  # qfmt
    back: str  # afmt


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    cloze: bool
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    css: str = ""
    sort_field: int = 0


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    note_type: int
    tags: tuple[str, ...]
    fields: tuple[str, ...]
    deck: str  # the deck most of its cards are in

    def field(self, note_type: NoteType, name: str) -> str:
        try:
            return self.fields[note_type.fields.index(name)]
        except (ValueError, IndexError):
            return ""


@dataclass(frozen=True)
class Package:
    """What an Anki package holds; ``media`` maps a file name to its zip entry."""

    path: Path
    note_types: Mapping[int, NoteType]
    notes: tuple[Note, ...]
    media: Mapping[str, str]
    collection: str  # which collection entry was read
    media_data: Mapping[str, bytes] | None = None  # read already (new-format packages)

    def media_bytes(self, name: str) -> bytes:
        if self.media_data is not None:
            return self.media_data[name]
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.media[name])


def _problem(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), 0, 0, message)])


def read_package(path: str | Path) -> Package:
    """The package at ``path``. Raises InputError when it is no Anki package or is damaged."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise _problem(path, "no such file") from None
    except (zipfile.BadZipFile, IsADirectoryError, OSError):
        raise _problem(path, "is not an Anki package (.apkg files are zip archives)") from None
    with archive:
        names = set(archive.namelist())
        entry = next((name for name in OLD_FORMATS if name in names), None)
        if NEW_FORMAT in names:
            return _read_new_format(path)
        if entry is None:
            raise _problem(path, "is not an Anki package: it holds no collection.anki2")
        with tempfile.TemporaryDirectory(prefix="srs-apkg-") as folder:
            database = Path(folder) / "collection.sqlite"
            with archive.open(entry) as source, database.open("wb") as target:
                shutil.copyfileobj(source, target)
            note_types, notes = _read_collection(path, database)
        media = _media(path, archive, names)
    return Package(path, note_types, notes, media, entry)


def _media(path: Path, archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    if "media" not in names:
        return {}
    try:
        listing = json.loads(archive.read("media").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _problem(path, "the package's media list is damaged (not JSON)") from None
    if not isinstance(listing, dict):
        raise _problem(path, "the package's media list is damaged (not a mapping)")
    return {str(name): str(entry) for entry, name in listing.items() if str(entry) in names}


def _read_collection(path: Path, database: Path) -> tuple[dict[int, NoteType], tuple[Note, ...]]:
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            models_json, decks_json = db.execute("SELECT models, decks FROM col").fetchone()
            note_types = _note_types(json.loads(models_json))
            decks = {int(k): str(v.get("name", "")) for k, v in json.loads(decks_json).items()}
            note_decks: dict[int, str] = {}
            # The deck of most of a note's cards (ties: the lowest deck id, for determinism).
            for nid, did, _count in db.execute(
                "SELECT nid, did, COUNT(*) AS n FROM cards GROUP BY nid, did "
                "ORDER BY nid, n DESC, did"
            ):
                note_decks.setdefault(nid, decks.get(did, ""))
            notes = tuple(
                Note(
                    id=nid,
                    guid=guid,
                    note_type=mid,
                    tags=tuple(tags.split()),
                    fields=tuple(fields.split(FIELD_SEPARATOR)),
                    deck=note_decks.get(nid, ""),
                )
                for nid, guid, mid, tags, fields in db.execute(
                    "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
                )
            )
    except (sqlite3.DatabaseError, TypeError, ValueError, KeyError, AttributeError) as error:
        raise _problem(path, f"the package's collection cannot be read: {error}") from None
    return note_types, notes


def _note_types(models: Mapping[str, Mapping[str, Any]]) -> dict[int, NoteType]:
    note_types: dict[int, NoteType] = {}
    for key, model in models.items():
        fields = sorted(model["flds"], key=lambda f: f["ord"])
        templates = sorted(model["tmpls"], key=lambda t: t["ord"])
        note_types[int(key)] = NoteType(
            id=int(key),
            name=str(model.get("name", "")),
            cloze=model.get("type") == CLOZE_KIND,
            fields=tuple(str(f["name"]) for f in fields),
            templates=tuple(
                Template(str(t.get("name", "")), str(t.get("qfmt", "")), str(t.get("afmt", "")))
                for t in templates
            ),
            css=str(model.get("css", "")),
            sort_field=int(model.get("sortf", 0) or 0),
        )
    return note_types


def _read_new_format(path: Path) -> Package:
    """A collection.anki21b package, re-exported in the old format by Anki's library."""
    try:
        from anki.collection import Collection, ExportAnkiPackageOptions
        from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    except ImportError:
        raise _problem(
            path,
            "is in Anki's newer package format (collection.anki21b, zstd-compressed), which "
            "needs Anki's library to read (pip install 'srs-trainer[anki]'); or export the deck "
            "again from Anki with 'Support older Anki versions' ticked",
        ) from None
    with tempfile.TemporaryDirectory(prefix="srs-apkg-") as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        try:
            col.import_anki_package(ImportAnkiPackageRequest(
                package_path=str(path.resolve()),
                options=ImportAnkiPackageOptions(with_scheduling=False),
            ))
            legacy = Path(folder) / "legacy.apkg"
            col.export_anki_package(
                out_path=str(legacy),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_media=True, legacy=True, with_deck_configs=False
                ),
                limit=None,
            )
        except Exception as error:  # Anki's backend raises its own error classes
            raise _problem(path, f"Anki could not read this package: {error}") from None
        finally:
            col.close()
        copy = read_package(legacy)
        # The temporary folder goes away: the media come along in memory.
        data = {name: copy.media_bytes(name) for name in copy.media}
    return Package(path, copy.note_types, copy.notes, copy.media, NEW_FORMAT, data)
