"""A consistent, read-only snapshot of an Anki collection: its notes, cards and review log.

Anki keeps its collection open with an exclusive lock while it runs, so SQLite's backup API
is tried first and, when the file is locked, the database and its write-ahead log are copied
and opened as a copy (SQLite replays the copied log); the copy must pass SQLite's quick check.
Anki's own file is never opened for writing.

Where Anki keeps profiles (a profile folder holds ``collection.anki2``):
Linux ``~/.local/share/Anki2/<profile>``, macOS ``~/Library/Application Support/Anki2/<profile>``,
Windows ``%APPDATA%\\Anki2\\<profile>``; the first profile is named "User 1".
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..trainer.library import DeckLibrary
from ..trainer.types import CardKey

COLLECTION_FILE = "collection.anki2"
DEFAULT_PROFILE = "User 1"
#: Anki's collection schema versions this reader knows (``col.ver``): 11 is the legacy
#: schema, 18 what Anki 2.1.50 to 26.x write.
KNOWN_SCHEMAS = range(11, 19)
_COLPKG_MEMBERS = ("collection.anki21", "collection.anki2")


class CollectionError(Exception):
    """The file is not a readable Anki collection; the message says why, naming it."""


@dataclass(frozen=True)
class AnkiReview:
    """One row of Anki's ``revlog``."""

    revlog_id: int  # the review time, epoch milliseconds
    card_id: int
    ease: int  # 1-4; 0 for a manual change
    interval: int  # days if positive, seconds if negative
    factor: int
    time_ms: int
    kind: int  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled


@dataclass(frozen=True)
class AnkiNote:
    note_id: int
    guid: str
    note_type_id: int
    card_ids: tuple[int, ...]
    card_ords: tuple[int, ...] = ()  # each card's template or deletion (Anki's ord)


@dataclass
class CollectionSnapshot:
    path: Path
    schema_version: int
    rollover_hour: int
    notes: list[AnkiNote] = field(default_factory=list)
    reviews: dict[int, list[AnkiReview]] = field(default_factory=dict)  # by card id, in order


#: A note's cards as the trainer knows them: Anki's card ``ord`` -> the trainer's card.
NoteCards = Mapping[int, CardKey]


def our_note_cards(decks: DeckLibrary) -> dict[str, dict[int, CardKey]]:
    """Every note GUID of ``decks`` (derived, or the question's own), with its cards by ord.

    A cloze question's deletion N is Anki's card ord N - 1 and the trainer's card ``QID::cN``;
    every other question is one card, ord 0.
    """
    from ..deck.cloze import card_key, numbers
    from ..deck.ids import note_guid
    from ..deck.model import QuestionType

    notes: dict[str, dict[int, CardKey]] = {}
    for deck_id in decks:
        for question_id, guid, kind, prompt in decks.question_notes(deck_id):
            guid = guid or note_guid(deck_id, question_id)
            if kind is QuestionType.CLOZE:
                notes[guid] = {number - 1: (deck_id, card_key(question_id, number))
                               for number in numbers(prompt)}
            else:
                notes[guid] = {0: (deck_id, question_id)}
    return notes


def anki_base_folder() -> Path:
    """Anki's folder of profiles on this OS."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "Anki2"


def locate_collection(given: Path | None) -> Path:
    """The collection file named by ``given`` (a file, a ``.colpkg``, a profile folder) or,
    without it, the default profile's."""
    path = given if given is not None else anki_base_folder() / DEFAULT_PROFILE
    if path.is_dir():
        path = path / COLLECTION_FILE
    if not path.is_file():
        where = "" if given is not None else " (the default Anki profile; name a collection)"
        raise CollectionError(f"{path}: no Anki collection here{where}")
    return path


def read_collection(path: Path, guids: Iterable[str], note_type_ids: Iterable[int]) -> (
        CollectionSnapshot):
    """The notes whose GUID is in ``guids`` or whose note type is one of ``note_type_ids``,
    with their cards' review logs, from a snapshot of the collection at ``path``."""
    with open_snapshot(path) as (db, version, rollover):
        return _read(db, CollectionSnapshot(path, version, rollover), set(guids),
                     set(note_type_ids))


@contextmanager
def open_snapshot(path: Path) -> Iterator[tuple[sqlite3.Connection, int, int]]:
    """(a private copy of the collection at ``path``, its schema version, its rollover hour),
    checked to be an Anki collection this reader knows; SQLite errors while it is read
    become ``CollectionError``."""
    with tempfile.TemporaryDirectory(prefix="srs-anki-") as scratch:
        db = _snapshot(path, Path(scratch))
        try:
            version, tables = _check(db, path)
            yield db, version, _rollover(db, tables)
        except sqlite3.DatabaseError as error:
            raise CollectionError(f"{path}: cannot read the collection ({error})") from None
        finally:
            db.close()


def _snapshot(path: Path, scratch: Path) -> sqlite3.Connection:
    if path.suffix == ".colpkg" or zipfile.is_zipfile(path):
        path = _unpack_colpkg(path, scratch)
    memory = sqlite3.connect(":memory:")
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            # A read first: the backup API would wait on Anki's lock forever.
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            source.backup(memory)
        finally:
            source.close()
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            memory.close()
            raise CollectionError(f"{path}: cannot read the collection ({error})") from None
        memory.close()
        return _copy_while_open(path, scratch)
    except sqlite3.DatabaseError as error:
        memory.close()
        raise CollectionError(f"{path}: not an Anki collection ({error})") from None
    return memory


def _copy_while_open(path: Path, scratch: Path) -> sqlite3.Connection:
    """Anki holds the file: copy it with its write-ahead log, and check the copy."""
    for attempt in range(3):
        copy = scratch / f"copy-{attempt}.anki2"
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        db = sqlite3.connect(copy)
        db.create_collation("unicase", _unicase)  # Anki's, used by its indexes
        try:
            if db.execute("PRAGMA quick_check").fetchone() == ("ok",):
                return db
        except sqlite3.DatabaseError:
            pass
        db.close()
    raise CollectionError(
        f"{path}: Anki was writing the collection while it was read; try again, or close Anki")


def _unicase(left: str, right: str) -> int:
    a, b = left.casefold(), right.casefold()
    return (a > b) - (a < b)


def _unpack_colpkg(path: Path, scratch: Path) -> Path:
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            for member in _COLPKG_MEMBERS:
                if member in names:
                    return Path(package.extract(member, scratch))
    except zipfile.BadZipFile as error:
        raise CollectionError(f"{path}: not an Anki backup ({error})") from None
    if "collection.anki21b" in names:
        raise CollectionError(
            f"{path}: this backup is compressed in Anki's newer format; open the profile's"
            " collection.anki2 instead, or export with \"Support older Anki versions\"")
    raise CollectionError(f"{path}: not an Anki backup (no collection inside)")


def _check(db: sqlite3.Connection, path: Path) -> tuple[int, set[str]]:
    """(schema version, table names) of an Anki collection this reader knows."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"col", "notes", "cards", "revlog"} <= tables:
        raise CollectionError(f"{path}: not an Anki collection (no notes, cards and revlog)")
    (version,) = db.execute("SELECT ver FROM col").fetchone()
    if version not in KNOWN_SCHEMAS:
        newer = "a newer" if version > KNOWN_SCHEMAS[-1] else "an older"
        raise CollectionError(
            f"{path}: written by {newer} Anki (collection schema {version}; srs-trainer reads"
            f" {KNOWN_SCHEMAS[0]}-{KNOWN_SCHEMAS[-1]}); upgrade srs-trainer or open it in Anki")
    return int(version), tables


def _read(db: sqlite3.Connection, snapshot: CollectionSnapshot, guids: set[str],
          note_types: set[int]) -> CollectionSnapshot:
    db.execute("CREATE TEMP TABLE wanted (guid TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((g,) for g in guids))
    marks = ", ".join("?" * len(note_types)) or "NULL"
    notes = db.execute(
        "SELECT id, guid, mid FROM notes"
        f" WHERE guid IN (SELECT guid FROM wanted) OR mid IN ({marks}) ORDER BY id",
        tuple(note_types),
    ).fetchall()
    cards: dict[int, list[tuple[int, int]]] = {}
    for card_id, note_id, ord_ in db.execute("SELECT id, nid, ord FROM cards ORDER BY id"):
        cards.setdefault(note_id, []).append((card_id, ord_))
    wanted_cards: set[int] = set()
    for note_id, guid, mid in notes:
        found = cards.get(note_id, [])
        ids = tuple(card_id for card_id, _ in found)
        snapshot.notes.append(AnkiNote(note_id, guid, mid, ids, tuple(o for _, o in found)))
        wanted_cards.update(ids)
    for row in db.execute(
        "SELECT id, cid, ease, ivl, factor, time, type FROM revlog ORDER BY id"
    ):
        if row[1] in wanted_cards:
            snapshot.reviews.setdefault(row[1], []).append(AnkiReview(*row))
    return snapshot


def _rollover(db: sqlite3.Connection, tables: set[str]) -> int:
    """The hour Anki's day starts (config ``rollover``; 4 by default)."""
    if "config" in tables:
        row = db.execute("SELECT val FROM config WHERE key = 'rollover'").fetchone()
        if row is not None:
            try:
                return int(bytes(row[0]).decode() if isinstance(row[0], bytes) else row[0])
            except (TypeError, ValueError):
                pass
    return 4
