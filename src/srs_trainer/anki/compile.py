"""Compiling one source: parse (incrementally where it can), render, package, in memory."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import subprocess
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..collector import collector_paused
from ..deck.files import read_cache, write_cache
from ..deck.model import Deck, Question, QuestionType
from ..deck.problems import InputError, Problem
from .build_cache import DECK_SUFFIX, RenderCache
from .errors import BuildError
from .incremental import Chunk, SourceMemo, load_memo, memo_for, parse_incrementally

if TYPE_CHECKING:
    from .package import ExportNote, PackageState
    from .render import NoteType

def source_time(path: Path) -> int:
    """When the source last changed, as the build defines it (see the module docstring)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return int(epoch)
        except ValueError:
            raise BuildError(f"SOURCE_DATE_EPOCH must be whole seconds, not {epoch!r}") from None
    committed = _git_commit_time(path)
    return committed if committed is not None else int(path.stat().st_mtime)


def _git_commit_time(path: Path) -> int | None:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(path.parent), *args, "--", path.name],
                capture_output=True, text=True, timeout=30, check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    if git("status", "--porcelain") != "":  # modified, untracked, or not in a repository
        return None
    committed = git("log", "-1", "--format=%ct")
    return int(committed) if committed else None


# What a deck's bytes depend on besides its source and previous deck: our rendering and export


@dataclass(frozen=True)
class Job:
    source: Path
    text: str
    digest: str
    stat: str | None
    out_dir: Path
    cache_dir: Path | None
    version: str
    check: bool = False  # --check writes nothing, not even a cache


@dataclass(frozen=True)
class Compiled:
    """One source compiled in memory: the package and what to write beside it."""

    job: Job
    deck_id: str
    deck_line: int
    output: Path
    questions: int
    data: bytes
    previous: bytes | None
    reasons: tuple[str, ...]
    render_cache: dict[str, Any]
    state: PackageState  # what ``data`` holds
    memo: SourceMemo | None


def _render_key(context: list[str], question: Question) -> str:
    """The content hash a rendered note is cached by: a different question or deck context
    gives another key (a same one said differently at worst misses the cache, never hits).

    marshal (format 2: no references, so no refcount or interning reaches the bytes) encodes
    the plain values of ``to_dict`` at a tenth of the cost of sorted JSON; values it cannot
    encode (a date in a verify block) fall back to JSON.
    """
    data = question.to_dict()
    try:
        content = b"m" + marshal.dumps((context, data), 2)
    except ValueError:
        content = b"j" + json.dumps([context, data], sort_keys=True, ensure_ascii=False,
                                    default=str).encode("utf-8")
    return hashlib.sha256(content).hexdigest()


def compile_source(job: Job) -> Compiled:
    """Parse, render and package one source. Raises InputError for an invalid source."""
    with collector_paused():
        return _compile(job)


def preload() -> None:
    """Import what compiling needs, and set up Pygments for Python (the default language), in
    a process about to fork its workers: each would otherwise do it all again (measured: 0.1 s
    of CPU per worker)."""
    from ..deck import ids, sources  # noqa: F401
    from . import card_types, media, package  # noqa: F401
    from .genanki_import import import_genanki
    from .render import _formatter, _lexer

    import_genanki()
    _lexer("python")
    _formatter()


def compile_in_worker(job: Job) -> Compiled:
    """``compile_source`` in a worker process; the result goes back without the source text
    (the parent has it: see ``with_job``), which is a quarter of what it would pickle."""
    compiled = compile_source(job)
    bare = replace(job, text="")
    memo = compiled.memo
    return replace(compiled, job=bare, memo=None if memo is None else replace(memo, text=""))


def with_job(compiled: Compiled, job: Job) -> Compiled:
    """A result of ``compile_in_worker`` made whole again with the job it was compiled from."""
    memo = compiled.memo
    return replace(compiled, job=job,
                   memo=None if memo is None else replace(memo, text=job.text))


def _compile(job: Job, incremental: bool = True) -> Compiled:
    from ..deck.ids import deck_id, note_guid
    from ..deck.sources import parse_deck
    from .package import ExportNote, PackageState, build_package, read_package
    from .render import Fragments, RenderedNote, deck_context, deck_description, render_question

    memo = load_memo(job) if incremental else None
    partial = parse_incrementally(job, memo) if memo is not None else None
    cache = RenderCache()
    if partial is not None:
        cache = RenderCache.load(job.cache_dir, partial.deck.id, job.version)
        if not all(i.render_key in cache.notes for i in partial.items if isinstance(i, Chunk)):
            partial = None
    if partial is None:
        deck = parse_deck(job.text, str(job.source))
        items: tuple[Question | Chunk, ...] = deck.questions
        if not cache.notes:
            cache = RenderCache.load(job.cache_dir, deck.id, job.version)
    else:
        deck, items = partial.deck, partial.items
    cached, known = cache.notes, cache.fragments

    output = job.out_dir / f"{deck.id}{DECK_SUFFIX}"
    context = list(deck_context(deck))
    used: dict[str, Any] = {}
    fragments: dict[str, str] = {}
    notes = []
    starts: list[int] = []
    keys: list[str] = []
    for item in items:
        if isinstance(item, Chunk):
            key, question_id, entry = item.render_key, item.question_id, cached[item.render_key]
            starts.append(item.start)
        else:
            key, question_id = _render_key(context, item), item.id
            entry = cached.get(key)
            starts.append(item.line - 1)
        if entry is None:
            parts = Fragments(known)
            rendered = render_question(deck, item, parts)  # type: ignore[arg-type]
            entry = {**rendered.to_dict(), "fragments": sorted(parts.used),
                     **_identity(deck, item)}  # type: ignore[arg-type]
            fragments.update(parts.used)
        else:
            rendered = RenderedNote.from_dict(entry)
            fragments.update((k, known[k]) for k in entry.get("fragments", ()) if k in known)
        used[key] = entry
        keys.append(key)
        guid = entry.get("guid") or note_guid(deck.id, question_id)
        notes.append(ExportNote(guid, question_id, rendered.fields, rendered.tags,
                                rendered.type, tuple(entry.get("ords", (0,)))))
    if len({note.guid for note in notes}) != len(notes):
        if partial is not None:  # questions kept by key were not compared: parse it all
            return _compile(job, incremental=False)
        raise InputError(_shared_guids(deck, notes))
    about = Fragments(known)
    description = deck_description(deck, about)
    fragments.update(about.used)
    notes, description, media = _bundle_media(job, notes, starts, description,
                                              deck.lines.get("description", 0))
    previous_bytes = output.read_bytes() if output.exists() else None
    previous = cache.package_state(previous_bytes) or (
        read_package(output, deck_id(deck.id), previous_bytes) if previous_bytes is not None
        else PackageState())
    result = build_package(
        deck.id, deck.anki_name, description, notes, previous,
        lambda: source_time(job.source), _note_types(job, deck), media,
    )
    ids = [note.name for note in notes]
    return Compiled(
        job=job,
        deck_id=deck.id,
        deck_line=deck.lines.get("id", 0),
        output=output,
        questions=len(notes),
        data=result.data,
        previous=previous_bytes,
        reasons=tuple(result.differences),
        render_cache={"notes": used, "fragments": fragments},
        state=result.state,
        memo=(None if job.cache_dir is None
              # Parsed incrementally: the old memo's checks still hold for the lines kept.
              else SourceMemo(job.text, deck.id, memo.indent, tuple(
                  Chunk(s, q, k) for s, q, k in zip(starts, ids, keys, strict=True)))
              if partial is not None and memo is not None
              else memo_for(job.text, deck.id, starts, ids, keys)),
    )


def _bundle_media(job: Job, notes: list[ExportNote], starts: list[int], description: str,
                  description_line: int
                  ) -> tuple[list[ExportNote], str, list[tuple[str, bytes]]]:
    """The notes and description with their images re-addressed to the files bundled, and
    those files; the files' fingerprints are saved for the manifest (a changed image rebuilds
    the deck)."""
    from .build_cache import media_dependencies_path
    from .media import bundle_notes

    rewritten, description, bundle = bundle_notes(
        job.source, job.text, [note.fields for note in notes], starts, description,
        description_line)
    if job.cache_dir is not None and not job.check:
        path = media_dependencies_path(job.cache_dir, job.source)
        if bundle.files:
            write_cache(path, {"version": job.version, "sha256": job.digest,
                               "files": bundle.dependencies()})
        else:
            with suppress(OSError):  # a cache: failing to tidy it only costs time later
                path.unlink(missing_ok=True)
    notes = [note if fields is note.fields else replace(note, fields=fields)
             for note, fields in zip(notes, rewritten, strict=True)]
    return notes, description, bundle.packaged()


def _shared_guids(deck: Deck, notes: list[ExportNote]) -> list[Problem]:
    """Questions whose notes would share a GUID (a ``guid`` that is another question's derived
    one): Anki would take them for one note."""
    first: dict[str, str] = {}
    problems = []
    for question, note in zip(deck.questions, notes, strict=True):
        if note.guid in first:
            problems.append(Problem(
                deck.source_path, question.line, 0,
                f"{question.id}: its Anki GUID {note.guid!r} is also the GUID of question "
                f"{first[note.guid]!r}; give it another guid",
            ))
        first.setdefault(note.guid, question.id)
    return problems


def _identity(deck: Deck, question: Question) -> dict[str, Any]:
    """What a cached note keeps besides its fields: a GUID override, its card ords (a cloze
    note's, one per deletion; a kept note type's, one per template)."""
    from .card_types import cloze_ords
    from .kept_note_types import kept_ords

    identity: dict[str, Any] = {}
    if question.guid:
        identity["guid"] = question.guid
    kept = kept_ords(deck, question)
    if kept is not None:
        identity["ords"] = list(kept)
    elif question.type is QuestionType.CLOZE:
        identity["ords"] = list(cloze_ords(question))
    return identity


def _note_types(job: Job, deck: Deck) -> dict[str, NoteType]:
    """srs-trainer's note types and the deck's kept ones (``kept_note_types``)."""
    if not deck.anki_note_types:
        return _note_type(job)
    from .kept_note_types import kept_note_types

    return {**_note_type(job), **kept_note_types(deck)}


def _note_type(job: Job) -> dict[str, NoteType]:
    """The note types by question type, kept in the cache: rendering their CSS costs as much as
    a small deck."""
    from .card_types import note_type_of
    from .render import NoteType

    path = job.cache_dir / "note-type.bin" if job.cache_dir is not None else None
    cached = read_cache(path, job.version) if path is not None else None
    if cached is not None:
        try:
            return {name: NoteType(*values) for name, values in cached["note_types"].items()}
        except (KeyError, TypeError, AttributeError):
            pass
    kinds = {kind.value: note_type_of(kind.value) for kind in QuestionType}
    if path is not None and not job.check:
        write_cache(path, {"version": job.version, "note_types": {
            name: (kind.name, kind.fields, kind.front, kind.back, kind.css, kind.sort_field,
                   kind.type, kind.template, kind.cloze)
            for name, kind in kinds.items()}})
    return kinds
