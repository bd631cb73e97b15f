"""Rendered notes to a deterministic .apkg (genanki inside, fixed bytes outside).

Anki updates a note on import ("update notes: if newer", its default) only when the package's
note has a newer modification time than the collection's copy. So a note's ``mod`` must grow
when, and only when, its content changes. The previous package of the same deck is the state
that makes that possible without a database of our own: a note whose fields and tags are
unchanged keeps its old ``mod`` and ids, a changed one gets ``max(old mod + 1, source time)``,
a new one gets the source time. The note type and the deck are treated the same way.

Given the same notes, previous package and source time the bytes are identical: no wall-clock
time, randomness or unordered iteration reaches them, and the zip entries have fixed dates.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..deck.ids import NOTE_TYPE_ID, NOTE_TYPE_IDS, NOTE_TYPE_NAME, deck_id
from .errors import ExportError
from .render import NoteType, note_type

COLLECTION_ENTRY = "collection.anki2"
MEDIA_ENTRY = "media"
# Zip entry dates are fixed (the earliest a zip can hold) so builds differ only when content does.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ZIP_LEVEL = 6


@dataclass(frozen=True)
class PreviousNote:
    """What the previous package said about one note; ``cards`` are (ord, card id) pairs."""

    note_id: int
    cards: tuple[tuple[int, int], ...]
    mod: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def card_id(self) -> int:
        """The id of its first card (a note of any type but cloze has one)."""
        return self.cards[0][1]


@dataclass(frozen=True)
class PackageState:
    """The previous package of a deck, as far as modification times and ids depend on it.

    ``note_types`` maps a note type id to its signature and modification time.
    """

    notes: Mapping[str, PreviousNote] = field(default_factory=dict)  # by GUID
    note_types: Mapping[int, tuple[str, int]] = field(default_factory=dict)
    deck_signature: str = ""
    deck_mod: int = 0

    @property
    def note_type_signature(self) -> str:
        """The multiple-choice note type's (the one note type of decks before question types)."""
        return self.note_types.get(NOTE_TYPE_ID, ("", 0))[0]

    @property
    def note_type_mod(self) -> int:
        return self.note_types.get(NOTE_TYPE_ID, ("", 0))[1]

    @property
    def max_id(self) -> int:
        return max((max(n.note_id, *(card for _, card in n.cards))
                    for n in self.notes.values()), default=0)

    def to_dict(self) -> dict[str, Any]:
        """Plain values only (str, int, tuple, dict), so a build cache can keep it."""
        return {
            "notes": {guid: (n.note_id, n.cards, n.mod, n.fields, n.tags)
                      for guid, n in self.notes.items()},
            "note_types": dict(self.note_types),
            "deck": (self.deck_signature, self.deck_mod),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PackageState:
        notes = {guid: PreviousNote(int(note_id), tuple((int(o), int(c)) for o, c in cards),
                                    int(mod), tuple(fields), tuple(tags))
                 for guid, (note_id, cards, mod, fields, tags) in data["notes"].items()}
        note_types = {int(model): (str(signature), int(mod))
                      for model, (signature, mod) in data["note_types"].items()}
        deck_signature, deck_mod = data["deck"]
        return cls(notes, note_types, str(deck_signature), int(deck_mod))


@dataclass(frozen=True)
class ExportNote:
    """One note to write: its GUID, a name for messages (the question id), fields and tags.

    ``type`` names its note type (a question type); ``ords`` are its cards' ords (a cloze
    note's deletion numbers - 1; one card, ord 0, for the other types).
    """

    guid: str
    name: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    type: str = "choice"
    ords: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class PackageResult:
    """The package's bytes and how it differs from the previous package."""

    data: bytes
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    note_type_changed: bool = False
    deck_changed: bool = False
    state: PackageState = field(default_factory=PackageState)  # what ``data`` holds

    @property
    def differences(self) -> list[str]:
        """Human-readable reasons the package differs from the previous one."""
        reasons = []
        groups = (("new", self.new), ("changed", self.changed), ("removed", self.removed))
        for label, names in groups:
            if names:
                more = f" and {len(names) - 5} more" if len(names) > 5 else ""
                reasons.append(f"{len(names)} {label} question(s): {', '.join(names[:5])}{more}")
        if self.note_type_changed:
            reasons.append("the note type (templates or CSS) changed")
        if self.deck_changed:
            reasons.append("the deck's name or description changed")
        return reasons


def _note_type_signature(name: str, fields: Sequence[str], front: str, back: str, css: str,
                         sort_field: int, cloze: bool = False,
                         more_templates: Sequence[Sequence[str]] = ()) -> str:
    parts: list[Any] = [name, list(fields), front, back, css, sort_field]
    if cloze:
        parts.append("cloze")
    if more_templates:  # a kept note type's (kept_note_types); srs-trainer's have one
        parts.append([list(template) for template in more_templates])
    return json.dumps(parts, ensure_ascii=False)


def _signature_of(kind: NoteType) -> str:
    return _note_type_signature(kind.name, kind.fields, kind.front, kind.back, kind.css,
                                kind.sort_field, kind.cloze, kind.more_templates)


def _deck_signature(name: str, description: str) -> str:
    return json.dumps([name, description], ensure_ascii=False)


# --- reading the previous package ------------------------------------------------------------


def read_package(path: str | Path, anki_deck_id: int, data: bytes | None = None) -> PackageState:
    """The state kept in a package this module wrote earlier; empty if there is none.

    ``data``: the file's bytes, when the caller has read them already (``path`` names it).
    """
    path = Path(path)
    if data is None and not path.exists():
        return PackageState()
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            database = archive.read(COLLECTION_ENTRY)
        return _read_collection(database, anki_deck_id)
    except (zipfile.BadZipFile, KeyError, sqlite3.Error, ValueError) as error:
        raise ExportError(
            f"{path}: cannot read the previous deck ({error}); it is the state that keeps note "
            "modification times growing. Restore it from version control, or delete it to "
            "start afresh (learners then need to re-import with updates allowed)."
        ) from None


def _read_collection(database: bytes, anki_deck_id: int) -> PackageState:
    with tempfile.TemporaryDirectory(prefix="srs-previous-") as folder:
        file = Path(folder) / COLLECTION_ENTRY
        file.write_bytes(database)
        connection = sqlite3.connect(file)
        try:
            # Every note type in the package is ours: srs-trainer's or one kept from an
            # imported deck (kept_note_types).
            rows = connection.execute(
                "SELECT n.guid, n.id, c.ord, c.id, n.mod, n.flds, n.tags FROM notes AS n"
                " JOIN cards AS c ON c.nid = n.id ORDER BY n.id, c.ord"
            ).fetchall()
            models_json, decks_json = connection.execute("SELECT models, decks FROM col").fetchone()
        finally:
            connection.close()
    cards: dict[str, list[tuple[int, int]]] = {}
    for guid, _note_id, card_ord, card_id, *_rest in rows:
        cards.setdefault(guid, []).append((card_ord, card_id))
    notes = {
        guid: PreviousNote(note_id, tuple(cards[guid]), mod, tuple(fields.split("\x1f")),
                           tuple(tags.split()))
        for guid, note_id, _ord, _card, mod, fields, tags in rows
    }
    models: dict[str, Any] = json.loads(models_json)
    decks: dict[str, Any] = json.loads(decks_json)
    note_types = {}
    for model_id, model in models.items():
        template, *more = model["tmpls"]
        signature = _note_type_signature(
            model["name"], [f["name"] for f in model["flds"]], template["qfmt"],
            template["afmt"], model["css"], model["sortf"], model.get("type") == 1,
            [(t["name"], t["qfmt"], t["afmt"]) for t in more],
        )
        note_types[int(model_id)] = (signature, int(model["mod"]))
    deck = decks.get(str(anki_deck_id))
    deck_signature, deck_mod = "", 0
    if deck is not None:
        deck_signature = _deck_signature(deck["name"], deck.get("desc", ""))
        deck_mod = int(deck["mod"])
    return PackageState(notes, note_types, deck_signature, deck_mod)


# --- writing ---------------------------------------------------------------------------------


def _next_mod(old_mod: int, unchanged: bool, time_of_change: Callable[[], int]) -> int:
    if not old_mod:
        return time_of_change()
    return old_mod if unchanged else max(old_mod + 1, time_of_change())


def build_package(
    deck_slug: str,
    deck_name: str,
    description: str,
    notes: Sequence[ExportNote],
    previous: PackageState,
    source_time: int | Callable[[], int],
    kind: NoteType | Mapping[str, NoteType] | None = None,
    media: Sequence[tuple[str, bytes]] = (),
) -> PackageResult:
    """Write the deck's notes as .apkg bytes, continuing ``previous``'s ids and times.

    ``source_time`` (seconds) is given to new and changed notes; it may be a function, called
    only if something is new or changed, since finding it can cost a git process. ``kind`` is
    the note types by question type (or the multiple-choice one alone), passed in by a caller
    that keeps them; the others are made here when a note needs them. ``media`` are the
    files the notes show, (name in Anki's media folder, bytes), in the order to write them.
    """
    from .genanki_import import import_genanki

    genanki = import_genanki()
    time_of_change = cache(source_time if callable(source_time) else lambda: source_time)
    kinds = _note_types(kind)
    models: dict[str, Any] = {}
    anki_deck_id = deck_id(deck_slug)
    package_deck = genanki.Deck(anki_deck_id, deck_name, description=description)

    # New notes and cards take ids after every id the previous package used: none is reused.
    next_id = 0

    def fresh_id() -> int:
        nonlocal next_id
        next_id = next_id or max(time_of_change() * 1000, previous.max_id + 1)
        next_id += 1
        return next_id - 1

    ids: list[int] = []
    mods: list[tuple[int, int]] = []
    written: dict[str, PreviousNote] = {}
    new: list[str] = []
    changed: list[str] = []
    for position, note in enumerate(notes):
        model = models.get(note.type)
        if model is None:
            model = models[note.type] = _model(genanki, kinds[note.type])
        old = previous.notes.get(note.guid)
        if old is None:
            mod = time_of_change()
            note_id = fresh_id()
            new.append(note.name)
            known: dict[int, int] = {}
        else:
            unchanged = old.fields == note.fields and old.tags == note.tags
            note_id, known = old.note_id, dict(old.cards)
            mod = _next_mod(old.mod, unchanged, time_of_change)
            if not unchanged:
                changed.append(note.name)
        cards = tuple((ord_, known.get(ord_) or fresh_id()) for ord_ in note.ords)
        ids += (note_id, *(card_id for _, card_id in cards))
        mods.append((mod, note_id))
        written[note.guid] = PreviousNote(note_id, cards, mod, note.fields, note.tags)
        exported = genanki.Note(model=model, fields=list(note.fields), tags=list(note.tags),
                                guid=note.guid, due=position)  # due: new cards in source order
        # The cards are ours to name: a cloze note's follow its deletions, as the trainer's do.
        exported.cards = [genanki.Card(ord_) for ord_ in note.ords]
        package_deck.add_note(exported)
    kept = {note.guid for note in notes}
    removed = tuple(_name(guid, old.fields) for guid, old in previous.notes.items()
                    if guid not in kept)

    note_types: dict[int, tuple[str, int]] = {}
    note_type_changed = False
    for name in models:
        model_id, signature = _model_id(kinds[name]), _signature_of(kinds[name])
        old_signature, old_mod = previous.note_types.get(model_id, ("", 0))
        differs = bool(old_signature) and old_signature != signature
        note_type_changed |= differs
        note_types[model_id] = (signature, _next_mod(old_mod, not differs, time_of_change))
    deck_signature = _deck_signature(deck_name, description)
    deck_changed = bool(previous.deck_signature) and previous.deck_signature != deck_signature
    deck_mod = _next_mod(previous.deck_mod, not deck_changed, time_of_change)

    database = _write_collection(genanki.Package(package_deck), ids, mods,
                                 {model: mod for model, (_, mod) in note_types.items()},
                                 anki_deck_id, deck_mod)
    return PackageResult(
        data=_zip(database, media),
        new=tuple(new),
        changed=tuple(changed),
        removed=removed,
        note_type_changed=note_type_changed,
        deck_changed=deck_changed,
        state=PackageState(written, note_types, deck_signature, deck_mod),
    )


class _NoteTypes(dict[str, NoteType]):
    """Note types by question type, made on first need (the choice one may come from a cache)."""

    def __missing__(self, name: str) -> NoteType:
        from .card_types import note_type_of

        self[name] = made = note_type_of(name)
        return made


def _note_types(kind: NoteType | Mapping[str, NoteType] | None) -> _NoteTypes:
    if kind is None:
        return _NoteTypes({"choice": note_type(NOTE_TYPE_NAME)})
    if isinstance(kind, NoteType):
        return _NoteTypes({kind.type: kind})
    return _NoteTypes(kind)


def _name(guid: str, fields: tuple[str, ...]) -> str:
    """A note's question id, from its Id field ("deck/question"); a note of a kept note type
    has none: its GUID."""
    return fields[0].rpartition("/")[2] if _ID_FIELD.fullmatch(fields[0]) else f"note {guid}"


_ID_FIELD = re.compile(r"[a-z0-9-]+/[a-z0-9-]+")


def _model_id(kind: NoteType) -> int:
    return kind.id or NOTE_TYPE_IDS[kind.type]


def _model(genanki: Any, kind: NoteType) -> Any:
    return genanki.Model(
        _model_id(kind),
        kind.name,
        fields=[{"name": name} for name in kind.fields],
        templates=[{"name": kind.template, "qfmt": kind.front, "afmt": kind.back},
                   *({"name": name, "qfmt": front, "afmt": back}
                     for name, front, back in kind.more_templates)],
        css=kind.css,
        model_type=genanki.Model.CLOZE if kind.cloze else genanki.Model.FRONT_BACK,
        sort_field_index=kind.sort_field,
    )


def _write_collection(
    package: Any,
    ids: list[int],
    mods: list[tuple[int, int]],
    note_type_mods: Mapping[int, int],
    anki_deck_id: int,
    deck_mod: int,
) -> bytes:
    with tempfile.TemporaryDirectory(prefix="srs-build-") as folder:
        file = Path(folder) / COLLECTION_ENTRY
        connection = sqlite3.connect(file)
        try:
            connection.execute("PRAGMA synchronous = OFF")
            cursor = connection.cursor()
            # genanki stamps every row with one time (0 here); each note gets its own below.
            package.write_to_db(cursor, 0, iter(ids))
            cursor.executemany("UPDATE notes SET mod = ? WHERE id = ?", mods)
            cursor.executemany("UPDATE cards SET mod = ? WHERE nid = ?", mods)
            models_json, decks_json = cursor.execute("SELECT models, decks FROM col").fetchone()
            models = json.loads(models_json)
            for model_id, mod in note_type_mods.items():
                models[str(model_id)]["mod"] = mod
            decks = json.loads(decks_json)
            decks[str(anki_deck_id)]["mod"] = deck_mod
            cursor.execute(
                "UPDATE col SET models = ?, decks = ?",
                (json.dumps(models, sort_keys=True), json.dumps(decks, sort_keys=True)),
            )
            connection.commit()
        finally:
            connection.close()
        return file.read_bytes()


def same_content(one: bytes, two: bytes) -> bool:
    """Whether two packages hold the same entries and the same database.

    Equal bytes are the rule. This also accepts packages that differ only where the machine
    that wrote them shows: zlib's compressed bytes, and the SQLite library version stamped in
    the database header. So a deck built elsewhere is not reported stale nor rewritten for that.
    """
    if one == two:
        return True
    try:
        return _content(one) == _content(two)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError):
        return False


def _content(package: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return [(name, _without_sqlite_version(data) if name == COLLECTION_ENTRY else data)
            for name, data in entries]


def _without_sqlite_version(database: bytes) -> bytes:
    # Header bytes 96-99 hold SQLITE_VERSION_NUMBER of the library that last wrote the file.
    return database[:96] + bytes(4) + database[100:]


def _zip(database: bytes, media: Sequence[tuple[str, bytes]] = ()) -> bytes:
    # Anki's (and genanki's) package layout: the files as entries "0", "1", ... and the
    # "media" entry mapping each entry to its file name.
    names = json.dumps({str(index): name for index, (name, _) in enumerate(media)},
                       ensure_ascii=False)
    entries = [(COLLECTION_ENTRY, database), (MEDIA_ENTRY, names.encode("utf-8")),
               *((str(index), data) for index, (_, data) in enumerate(media))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever platform builds it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=_ZIP_LEVEL)
    return buffer.getvalue()
