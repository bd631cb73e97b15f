"""`srs import DECK.apkg`: an existing Anki deck into a source, its media beside it.

The source keeps every note's GUID (``guid:``), so the deck built from it updates the learner's
notes in Anki instead of adding copies. Media the notes show are copied to ``NAME.media/`` next
to ``NAME.yaml`` and referenced from there. Notes that map to no question type are named by id
in the source's header and in the report, never dropped silently. Everything is worked out in
memory first; then each media file and the source are written whole (temp file, rename).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from ..deck.files import DEFAULT_SOURCES, write_atomic
from ..deck.model import Deck, QuestionType
from ..deck.problems import InputError, Problem
from .anki_notes import Mapped, kept_note_type, map_note, map_note_type
from .apkg import Package, read_package
from .ids import slugify, unique_id
from .source_file import existing_source


@dataclass(frozen=True)
class PackageImport:
    """What ``import_package`` wrote and what it could not carry over."""

    path: Path
    package: Package
    mapped: tuple[Mapped, ...]
    media_dir: Path | None
    media: tuple[str, ...]
    missing_media: tuple[str, ...]
    # By note type (its name, and whether it is kept: then Anki still has every card)
    dropped_cards: dict[tuple[str, bool], tuple[int, ...]] = field(default_factory=dict)
    other_decks: tuple[str, ...] = ()
    created: bool = True
    removed: tuple[str, ...] = ()  # re-import: questions whose notes the package lacks now

    @property
    def imported(self) -> tuple[Mapped, ...]:
        return tuple(m for m in self.mapped if m.question is not None)

    @property
    def skipped(self) -> tuple[Mapped, ...]:
        return tuple(m for m in self.mapped if m.question is None)

    def report(self) -> list[str]:
        return _report(self)


def _safe_media_name(name: str) -> str:
    """A media file name without folders (a package could name '../../x')."""
    return PurePosixPath(name.replace("\\", "/")).name.lstrip(".")


def _deck_name(package: Package) -> tuple[str, tuple[str, ...]]:
    counts = Counter(note.deck for note in package.notes if note.deck)
    if not counts:
        return "", ()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[0][0], tuple(name for name, _ in ranked[1:])


def _existing(path: Path) -> dict[str, Any] | None:
    return existing_source(path) if path.exists() else None


def _merge(
    data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Re-import: a question whose note (GUID) was imported before keeps its id and what the
    author added (verify, hint, ...); deck fields the author set are kept too. Also the ids of
    the old questions whose notes are gone."""
    if old is None:
        return data, ()
    by_guid = {q.get("guid"): q for q in old.get("questions") or () if isinstance(q, dict)}
    kept = {str(by_guid[item["guid"]].get("id", item["id"]))
            for item in data["questions"] if item["guid"] in by_guid}
    questions = []
    for item in data["questions"]:
        before = by_guid.get(item["guid"])
        if before is not None:
            item = {**before, **item, "id": before.get("id", item["id"])}
        questions.append(item)
    # A new note's id may be one the author gave another question: the author's stays.
    taken = kept | {str(q["id"]) for q in questions}
    seen: set[str] = set()
    for index, item in enumerate(questions):
        if item["guid"] not in by_guid and (item["id"] in kept or item["id"] in seen):
            questions[index] = item = {**item, "id": unique_id(item["id"], taken)}
        seen.add(item["id"])
    guids = {item["guid"] for item in data["questions"]}
    removed = tuple(str(q.get("id")) for guid, q in by_guid.items() if guid not in guids)
    merged = {**old, **{k: v for k, v in data.items() if k not in old}, "questions": questions}
    # The package's note types are the learner's: the import writes them afresh.
    merged.pop("anki_note_types", None)
    if "anki_note_types" in data:
        merged = _before_questions(merged, "anki_note_types", data["anki_note_types"])
    return merged, removed


def _before_questions(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    items = [(k, v) for k, v in data.items() if k != "questions"]
    return {**dict(items), key: value, "questions": data["questions"]}


def _header(package: Path, out: Path, skipped: tuple[Mapped, ...]) -> list[str]:
    # As given, so the command runs again from the same folder; an absolute path, by name only.
    name = package.name if package.is_absolute() else package.as_posix()
    lines = [
        f"Imported from the Anki package {name} by `srs import`. Each question keeps its note's",
        "GUID, so the deck built from this file updates those notes in Anki instead of adding",
        "copies (see docs/import.md). To import the package again:",
        f"  srs import {name} --out {out.as_posix()}",
    ]
    if skipped:
        lines.append("Notes not imported (no question type fits them; see docs/import.md):")
        lines += [f"  note {m.note.id}: {m.reason}" for m in skipped]
    return lines


def import_package(package_path: str | Path, out: str | Path | None = None) -> PackageImport:
    """Import the Anki package into a source (default ``cards/<deck-id>.yaml``).

    Raises InputError, writing nothing, when the file is no Anki package, is damaged, or has no
    note that maps to a question.
    """
    from ..deck.writer import dump_source, write_text_atomic

    package = read_package(package_path)
    deck_name, other_decks = _deck_name(package)
    title = deck_name.split("::")[-1] or Path(package_path).stem
    deck_id = slugify(title, 60)
    out_path = Path(out) if out is not None else DEFAULT_SOURCES / f"{deck_id}.yaml"
    media_dir = out_path.parent / f"{out_path.stem}.media"
    taken: set[str] = set()
    mappings = {ntid: map_note_type(nt) for ntid, nt in package.note_types.items()}
    keep = {ntid: kept_note_type(package.note_types[ntid], mapping)
            for ntid, mapping in mappings.items()}
    mapped: list[Mapped] = []
    dropped: dict[tuple[str, bool], list[int]] = {}
    for note in package.notes:
        note_type = package.note_types.get(note.note_type)
        if note_type is None:
            mapped.append(Mapped(note, None, f"its note type {note.note_type} is missing"))
            continue
        mapping = mappings[note.note_type]
        result = map_note(
            note, note_type, mapping,
            lambda words: unique_id(slugify(words or "note"), taken),
            lambda name: f"{media_dir.name}/{_safe_media_name(name)}",
        )
        kept = keep[note.note_type]
        if result.question is not None and kept is not None:
            result.question = replace(result.question, anki_note_type=kept.id)
        mapped.append(result)
        if result.question is not None and mapping.dropped_cards:
            dropped.setdefault((note_type.name, kept is not None), []).append(note.id)
    imported = [m.question for m in mapped if m.question is not None]
    used = sorted({q.anki_note_type for q in imported if q.anki_note_type})
    kept_types = tuple(kind for ntid in used if (kind := keep[ntid]) is not None)
    if not imported:
        reasons = sorted({m.reason for m in mapped}) or ["the package has no notes"]
        raise InputError([Problem(str(package_path), 0, 0,
                                  "no note could be imported: " + "; ".join(reasons))])
    deck = Deck(id=deck_id, title=title, anki_deck=deck_name, questions=tuple(imported),
                anki_note_types=kept_types)
    data = deck.to_dict()
    for name in ("time_limit", "attempts"):
        del data[name]
        for item in data["questions"]:
            del item[name]
    created = not out_path.exists()
    data, removed = _merge(data, _existing(out_path))
    skipped = tuple(m for m in mapped if m.question is None)
    text = dump_source(data, header=_header(Path(package_path), out_path, skipped))
    media_names = sorted({name for m in mapped if m.question is not None for name in m.media})
    # A field may name a file URL-encoded ("a%20b.png"); the media list has its real name.
    stored = {name: next((n for n in (name, unquote(name)) if n in package.media), None)
              for name in media_names}
    present = [name for name in media_names if stored[name] is not None]
    # Saved under the real name: the Markdown link's %20 reads as that name again.
    files = {_safe_media_name(real): package.media_bytes(real)
             for real in (stored[name] for name in present) if real is not None}
    for name, content in files.items():
        if name:
            write_atomic(media_dir / name, content)
    write_text_atomic(out_path, text)
    return PackageImport(
        path=out_path,
        package=package,
        mapped=tuple(mapped),
        media_dir=media_dir if files else None,
        media=tuple(present),
        missing_media=tuple(name for name in media_names if stored[name] is None),
        dropped_cards={name: tuple(ids) for name, ids in dropped.items()},
        other_decks=other_decks,
        created=created,
        removed=removed,
    )


def _ids(notes: list[int] | tuple[int, ...], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in notes[:limit])
    return shown + (f" and {len(notes) - limit} more" if len(notes) > limit else "")


def _report(result: PackageImport) -> list[str]:
    imported = result.imported
    kinds = Counter(m.question.type.value for m in imported if m.question is not None)
    order = [t.value for t in QuestionType if kinds[t.value]]
    lines = [
        f"{'wrote' if result.created else 'updated'} {result.path}: {len(imported)} question(s) "
        f"({', '.join(f'{kinds[k]} {k}' for k in order)}) from {len(result.mapped)} note(s)"
        + (f", {len(result.media)} media file(s) in {result.media_dir}/" if result.media else "")
    ]
    types = result.package.note_types
    kept = sorted({types[m.note.note_type].name for m in imported
                   if m.question is not None and m.question.anki_note_type})
    ours = sorted({types[m.note.note_type].name for m in imported
                   if m.question is not None and not m.question.anki_note_type})
    if kept:
        lines.append(f"note types kept (their notes update in place in Anki): {', '.join(kept)}")
    if ours:
        lines.append(f"built as srs-trainer's note types (a field would be lost; Anki updates "
                     f"those notes only with \"Merge note types\"): {', '.join(ours)}")
    for (name, all_cards), ids in sorted(result.dropped_cards.items()):
        lines.append(
            f"the trainer asks only the first card of each '{name}' note (front to back; the "
            f"built note keeps all its cards): note(s) {_ids(ids)}" if all_cards else
            f"only the first card of each '{name}' note is kept (the question asks front to "
            f"back): note(s) {_ids(ids)}")
    as_html = [m.note.id for m in imported if m.kept_html]
    if as_html:
        tags = sorted({t for m in imported for t in m.kept_html})
        lines.append(f"kept as HTML ({', '.join(tags)}: Markdown has no equivalent): note(s) "
                     f"{_ids(as_html)}")
    cleaned = [m.note.id for m in imported if m.removed]
    if cleaned:
        what = sorted({t for m in imported for t in m.removed})
        lines.append(f"sanitised (removed {', '.join(what)}): note(s) {_ids(cleaned)}")
    if result.missing_media:
        missing = ", ".join(result.missing_media)
        lines.append(f"media the notes show but the package lacks: {missing}")
    if result.other_decks:
        lines.append(f"notes from other decks ({', '.join(result.other_decks)}) are in this "
                     "source too: built, they go to its anki_deck")
    for m in result.skipped:
        lines.append(f"not imported: note {m.note.id}: {m.reason}")
    lines += [f"removed {qid}: its note is no longer in the package" for qid in result.removed]
    return lines
