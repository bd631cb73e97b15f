"""`srs build`: YAML sources to one ``<deck id>.apkg`` each, incrementally and reproducibly.

A build reads every source first and writes nothing unless all of them are valid; each deck
file is replaced atomically. The previous deck file is the state that keeps Anki note
modification times growing (see ``anki_export``), so committing ``decks/`` is what lets
learners' re-imports update their notes.

Source time, the modification time given to new and changed notes, is, in order:
``SOURCE_DATE_EPOCH`` if set; else the source's last commit time if it is tracked by git and
unmodified; else the file's modification time. Unchanged notes keep their time whatever it is,
so a rebuild without edits is byte-identical at any wall-clock time, in any directory.

Caches (under ``<out>/.srs-cache/``, safe to delete; they only save time): a manifest maps
each source's content hash to the deck file it produced, so unchanged sources are not even
parsed; a per-source memo of the text and where each question starts, so an edit re-parses only
the questions it touched; a per-deck render cache maps each question's content hash to its
rendered fields, so editing one question re-renders only that question.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..deck.files import CACHE_FORMAT, read_cache, sha256, stat_key, write_atomic, write_cache
from ..deck.model import Deck, Question
from ..deck.problems import InputError, Problem, duplicate_deck_ids

if TYPE_CHECKING:
    from .package import PackageState
    from .render import NoteType

CACHE_DIR_NAME = ".srs-cache"
MANIFEST_NAME = "build.json"
DECK_SUFFIX = ".apkg"
DEFAULT_SOURCES = Path("cards")
DEFAULT_OUT = Path("decks")
# Parsing and highlighting dominate a cold build; a process per core pays off from this many
# sources (bench/bench_build.py measures it).
_PARALLEL_FROM = 4


class BuildError(Exception):
    """A build that cannot go ahead for a reason other than invalid sources."""


class Status(str, Enum):
    WRITTEN = "written"  # the deck file was created or replaced
    UNCHANGED = "unchanged"  # the deck file already held exactly what the build produced
    STALE = "stale"  # --check: the deck file differs from what a build would write


@dataclass(frozen=True)
class DeckOutcome:
    source: Path
    output: Path
    deck_id: str
    status: Status
    reasons: tuple[str, ...] = ()
    questions: int = 0

    def describe(self) -> str:
        text = f"{self.output}: {self.status.value}"
        return text + (f" ({'; '.join(self.reasons)})" if self.reasons else "")


@dataclass(frozen=True)
class BuildReport:
    outcomes: tuple[DeckOutcome, ...]
    # Deck files in the output folder that no source builds (e.g. left by a renamed deck id);
    # only looked for when every source of the default folder was built.
    orphans: tuple[Path, ...] = ()

    @property
    def stale(self) -> tuple[DeckOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status is Status.STALE)


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
# code and the libraries' versions. Any change makes every cache entry stale.
_OUR_CODE = ("anki/render.py", "anki/package.py", "deck/ids.py", "deck/sources.py", "deck/model.py",
             "anki/build.py")
_LIBRARY_VERSION_FILES = (("genanki", "version.py"), ("pygments", "__init__.py"),
                          ("markdown_it", "__init__.py"))


@cache
def _build_version() -> str:
    import importlib.util

    from .render import RENDER_VERSION

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
    return f"{__version__}/{RENDER_VERSION}/{CACHE_FORMAT}/{digest.hexdigest()[:16]}"


# --- caches ----------------------------------------------------------------------------------


@dataclass
class Manifest:
    """Which deck file each source produced; lets a no-edit rebuild skip parsing entirely."""

    path: Path | None
    version: str
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

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

    def up_to_date(self, source: Path, digest: str) -> dict[str, str] | None:
        """The manifest entry if ``source`` with this content built the deck file still there."""
        entry = self.sources.get(str(source.resolve()))
        if not entry or entry.get("sha256") != digest:
            return None
        return self._output_intact(entry)

    def untouched(self, source: Path) -> dict[str, str] | None:
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
    def _output_intact(entry: dict[str, str]) -> dict[str, str] | None:
        output = Path(entry["output"])
        try:
            if sha256(output.read_bytes()) != entry["output_sha256"]:
                return None
        except OSError:
            return None
        return entry

    def record(self, source: Path, digest: str, stat: str | None, deck_id: str, output: Path,
               data: bytes) -> None:
        self.sources[str(source.resolve())] = {
            "sha256": digest,
            "stat": stat or "",
            "deck": deck_id,
            "output": str(output.resolve()),
            "output_sha256": sha256(data),
        }

    def save(self) -> None:
        if self.path is not None:
            text = json.dumps({"version": self.version, "sources": self.sources}, indent=1,
                              sort_keys=True)
            write_atomic(self.path, text.encode("utf-8"), sync=False)


def _render_cache_path(cache_dir: Path, deck_id: str) -> Path:
    return cache_dir / "render" / f"{deck_id}.bin"


@dataclass(frozen=True)
class _RenderCache:
    """Rendered notes by question key, rendered fragments by fragment key, and the state of
    the deck file last written (by its hash), which spares reading that file back."""

    notes: dict[str, Any] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    package: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, cache_dir: Path | None, deck_id: str, version: str) -> _RenderCache:
        if cache_dir is None:
            return cls()
        data = read_cache(_render_cache_path(cache_dir, deck_id), version)
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


# --- compiling one source --------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    source: Path
    text: str
    digest: str
    stat: str | None
    out_dir: Path
    cache_dir: Path | None
    version: str
    check: bool = False  # --check writes nothing, not even a cache


@dataclass(frozen=True)
class _Compiled:
    """One source compiled in memory: the package and what to write beside it."""

    job: _Job
    deck_id: str
    deck_line: int
    output: Path
    questions: int
    data: bytes
    previous: bytes | None
    reasons: tuple[str, ...]
    render_cache: dict[str, Any]
    state: PackageState  # what ``data`` holds
    memo: _SourceMemo | None


# --- incremental parsing ---------------------------------------------------------------------
#
# Parsing and validating a 500-question source costs more than writing its deck, so an edit to
# one question re-parses only the lines of the questions it touched. The memo of a source
# remembers its text and where each question starts; the edited lines (the new text minus the
# common prefix and suffix with the old) are widened to whole questions, and those are parsed
# behind the unchanged header, blank lines keeping their line numbers. Whenever that could
# differ from parsing the whole file (the header or anything after the list changed, anchors,
# odd indentation, document markers, any problem found), the whole file is parsed instead.


@dataclass(frozen=True)
class _Chunk:
    start: int  # index of the question's first line; it runs to the next question's start
    question_id: str
    render_key: str


@dataclass(frozen=True)
class _SourceMemo:
    text: str
    deck_id: str
    indent: int  # column of the dashes of the questions list
    chunks: tuple[_Chunk, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "deck": self.deck_id, "indent": self.indent,
                "chunks": [[c.start, c.question_id, c.render_key] for c in self.chunks]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> _SourceMemo:
        return cls(data["text"], data["deck"], int(data["indent"]),
                   tuple(_Chunk(int(start), qid, key) for start, qid, key in data["chunks"]))


_DASH = re.compile(r"( *)- ")


def _memo_path(cache_dir: Path, source: Path) -> Path:
    name = hashlib.sha256(str(source.resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir / "sources" / f"{name}.bin"


def _load_memo(job: _Job) -> _SourceMemo | None:
    if job.cache_dir is None:
        return None
    data = read_cache(_memo_path(job.cache_dir, job.source), job.version)
    try:
        return _SourceMemo.from_dict(data) if data is not None else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@cache
def _outside_list(indent: int) -> re.Pattern[str]:
    # A line that is not blank, not a comment, not inside an item and does not start an item.
    return re.compile(rf"^(?![ \t]*$| *#| {{{indent + 1}}}| {{{indent}}}- )", re.MULTILINE)


def _block_lines_ok(text: str, indent: int) -> bool:
    """Every line is blank, a comment, inside a list item, or starts an item of the list."""
    if any(mark in text for mark in "\r\x85\u2028\u2029"):  # line breaks `^` does not see
        return False
    return _outside_list(indent).search(text) is None


def _memo_for(text: str, deck_id: str, starts: Sequence[int], ids: Sequence[str],
              keys: Sequence[str]) -> _SourceMemo | None:
    """The memo of a parsed source, or None if its list is not one block item per question."""
    lines = text.splitlines(keepends=True)
    if not starts or list(starts) != sorted(set(starts)) or starts[-1] >= len(lines):
        return None
    dashes = [_DASH.match(lines[start]) for start in starts]
    if not all(dashes):
        return None
    indent = len(dashes[0].group(1))  # type: ignore[union-attr]
    if any(len(d.group(1)) != indent for d in dashes):  # type: ignore[union-attr]
        return None
    if not _block_lines_ok("".join(lines[starts[0]:]), indent):
        return None
    chunks = tuple(_Chunk(s, q, k) for s, q, k in zip(starts, ids, keys, strict=True))
    return _SourceMemo(text, deck_id, indent, chunks)


def _common_prefix(one: Sequence[str], two: Sequence[str]) -> int:
    limit = min(len(one), len(two))
    index = 0
    while index < limit and one[index] == two[index]:
        index += 1
    return index


@dataclass(frozen=True)
class _Partial:
    """A source parsed incrementally: its deck header and its questions, some only by key."""

    deck: Deck  # holds the header and the questions that were parsed
    items: tuple[Question | _Chunk, ...]  # in source order


def _parse_incrementally(job: _Job, memo: _SourceMemo) -> _Partial | None:
    from ..deck.sources import parse_deck

    old = memo.text.splitlines(keepends=True)
    new = job.text.splitlines(keepends=True)
    chunks = memo.chunks
    first = chunks[0].start
    prefix = _common_prefix(old, new)
    if prefix < first or prefix == len(old) == len(new):
        return None
    suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
    changed_end = len(old) - suffix  # old lines [prefix, changed_end) were replaced
    ends = [c.start for c in chunks[1:]] + [len(old)]
    lo = next((i for i, end in enumerate(ends) if end > prefix), len(chunks) - 1)
    hi = max((i for i, c in enumerate(chunks) if c.start < changed_end), default=lo)
    hi = max(hi, lo)
    delta = len(new) - len(old)
    start, stop = chunks[lo].start, ends[hi] + delta
    region = new[start:stop]
    dash = _DASH.match(region[0]) if region else None
    if dash is None or len(dash.group(1)) != memo.indent:
        return None
    old_region = "".join(old[start:ends[hi]])
    new_region = "".join(region)
    if "&" in old_region or "&" in new_region or not _block_lines_ok(new_region, memo.indent):
        return None
    synthetic = "".join(new[:first]) + "\n" * (start - first) + new_region
    try:
        deck = parse_deck(synthetic, str(job.source))
    except InputError:
        return None  # the whole file's parse reports it, exactly
    if deck.id != memo.deck_id or deck.questions[0].line != start + 1:
        return None
    items: list[Question | _Chunk] = [*chunks[:lo], *deck.questions]
    items += [_Chunk(c.start + delta, c.question_id, c.render_key) for c in chunks[hi + 1:]]
    ids = [item.id if isinstance(item, Question) else item.question_id for item in items]
    if len(set(ids)) != len(ids):
        return None
    return _Partial(deck, tuple(items))


# --- compiling one source --------------------------------------------------------------------


def _render_key(context: list[str], question: Question) -> str:
    content = json.dumps([context, question.to_dict()], sort_keys=True, ensure_ascii=False,
                         default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _compile(job: _Job) -> _Compiled:
    """Parse, render and package one source. Raises InputError for an invalid source."""
    from ..deck.ids import deck_id, note_guid
    from ..deck.sources import parse_deck
    from .package import ExportNote, PackageState, build_package, read_package
    from .render import Fragments, RenderedNote, deck_context, deck_description, render_question

    memo = _load_memo(job)
    partial = _parse_incrementally(job, memo) if memo is not None else None
    cache = _RenderCache()
    if partial is not None:
        cache = _RenderCache.load(job.cache_dir, partial.deck.id, job.version)
        if not all(i.render_key in cache.notes for i in partial.items if isinstance(i, _Chunk)):
            partial = None
    if partial is None:
        deck = parse_deck(job.text, str(job.source))
        items: tuple[Question | _Chunk, ...] = deck.questions
        if not cache.notes:
            cache = _RenderCache.load(job.cache_dir, deck.id, job.version)
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
        if isinstance(item, _Chunk):
            key, question_id, entry = item.render_key, item.question_id, cached[item.render_key]
            starts.append(item.start)
        else:
            key, question_id = _render_key(context, item), item.id
            entry = cached.get(key)
            starts.append(item.line - 1)
        if entry is None:
            parts = Fragments(known)
            rendered = render_question(deck, item, parts)  # type: ignore[arg-type]
            entry = {**rendered.to_dict(), "fragments": sorted(parts.used)}
            fragments.update(parts.used)
        else:
            rendered = RenderedNote.from_dict(entry)
            fragments.update((k, known[k]) for k in entry.get("fragments", ()) if k in known)
        used[key] = entry
        keys.append(key)
        notes.append(ExportNote(note_guid(deck.id, question_id), question_id, rendered.fields,
                                rendered.tags))
    about = Fragments(known)
    description = deck_description(deck, about)
    fragments.update(about.used)
    previous_bytes = output.read_bytes() if output.exists() else None
    previous = cache.package_state(previous_bytes) or (
        read_package(output, deck_id(deck.id), previous_bytes) if previous_bytes is not None
        else PackageState())
    result = build_package(
        deck.id, deck.anki_name, description, notes, previous,
        lambda: source_time(job.source), _note_type(job),
    )
    ids = [note.name for note in notes]
    return _Compiled(
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
              else _SourceMemo(job.text, deck.id, memo.indent, tuple(
                  _Chunk(s, q, k) for s, q, k in zip(starts, ids, keys, strict=True)))
              if partial is not None and memo is not None
              else _memo_for(job.text, deck.id, starts, ids, keys)),
    )


def _note_type(job: _Job) -> NoteType:
    """The note type, kept in the cache: rendering its CSS costs as much as a small deck."""
    from .package import NOTE_TYPE_NAME
    from .render import NoteType, note_type

    path = job.cache_dir / "note-type.bin" if job.cache_dir is not None else None
    cached = read_cache(path, job.version) if path is not None else None
    if cached is not None:
        try:
            return NoteType(*cached["note_type"])
        except (KeyError, TypeError):
            pass
    kind = note_type(NOTE_TYPE_NAME)
    if path is not None and not job.check:
        write_cache(path, {"version": job.version, "note_type": (
            kind.name, kind.fields, kind.front, kind.back, kind.css, kind.sort_field)})
    return kind


def _workers(requested: int | None, sources: int) -> int:
    """How many processes compile; the output is the same whatever the answer."""
    if requested is None:
        requested = 1
        if sources >= _PARALLEL_FROM:
            # Cores other processes keep busy do not help (measured: no gain on a loaded
            # two-core machine, close to 2x on an idle one).
            try:
                busy = int(os.getloadavg()[0])
            except OSError:
                busy = 0
            requested = max(1, (os.cpu_count() or 1) - busy)
    return max(1, min(requested, sources))


def _compile_all(
    jobs: Sequence[_Job], workers: int | None
) -> tuple[list[_Compiled], list[Problem]]:
    compiled: list[_Compiled] = []
    problems: list[Problem] = []
    count = _workers(workers, len(jobs))
    if count > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=count) as pool:
            futures = [pool.submit(_compile, job) for job in jobs]
            for future in futures:
                try:
                    compiled.append(future.result())
                except InputError as error:
                    problems.extend(error.problems)
    else:
        for job in jobs:
            try:
                compiled.append(_compile(job))
            except InputError as error:
                problems.extend(error.problems)
    return compiled, problems


# --- the build -------------------------------------------------------------------------------


def build(
    sources: Sequence[str | Path] = (),
    out_dir: str | Path = DEFAULT_OUT,
    *,
    check: bool = False,
    use_cache: bool = True,
    jobs: int | None = None,
) -> BuildReport:
    """Build (or with ``check``, only compare) the deck of every source.

    ``jobs`` is how many processes compile sources; by default one per idle core when there
    are several sources to compile, else one.

    Raises InputError listing every problem of every invalid source (nothing is written then),
    BuildError for other failures.
    """
    from ..deck.files import discover

    out = Path(out_dir)
    paths = list(dict.fromkeys(discover(sources or [DEFAULT_SOURCES])))
    if not paths:
        where = ", ".join(str(s) for s in sources) if sources else str(DEFAULT_SOURCES)
        raise BuildError(f"no sources (*.yaml) found in {where}")
    version = _build_version()
    cache_dir = out / CACHE_DIR_NAME if use_cache else None
    manifest = Manifest.load(cache_dir, version)

    skipped: list[DeckOutcome] = []

    def unchanged(path: Path, entry: dict[str, str] | None) -> DeckOutcome | None:
        """The outcome of a source whose manifest entry says its deck file is current."""
        if entry is None or Path(entry["output"]).parent != out.resolve():
            return None
        return DeckOutcome(path, out / Path(entry["output"]).name, entry["deck"],
                           Status.UNCHANGED)

    to_read: list[Path] = []
    for path in paths:
        # --check reads every source: it is what CI trusts.
        outcome = None if check else unchanged(path, manifest.untouched(path))
        if outcome is None:
            to_read.append(path)
        else:
            skipped.append(outcome)
    pending: list[_Job] = []
    for path, raw, stat in _read_sources(to_read):
        digest = sha256(raw)
        outcome = unchanged(path, manifest.up_to_date(path, digest))
        if outcome is None:
            pending.append(_Job(path, raw.decode("utf-8"), digest, stat, out, cache_dir,
                                version, check))
        else:
            skipped.append(outcome)

    compiled, problems = _compile_all(pending, jobs)
    problems.extend(_duplicate_deck_ids(skipped, compiled))
    if problems:
        raise InputError(problems)

    from .package import same_content

    outcomes = list(skipped)
    on_disk: list[bytes] = []
    for item in compiled:
        # A note, the note type or the deck that differs is a different content for sure.
        same = (not item.reasons and item.previous is not None
                and same_content(item.previous, item.data))
        on_disk.append(item.previous if same and item.previous is not None else item.data)
        if check:
            status = Status.UNCHANGED if same else Status.STALE
            reasons = () if same else _stale_reasons(item)
        else:
            status = Status.UNCHANGED if same else Status.WRITTEN
            reasons = item.reasons
            if not same:
                write_atomic(item.output, item.data)
        outcomes.append(DeckOutcome(item.job.source, item.output, item.deck_id, status, reasons,
                                    item.questions))
    if not check and cache_dir is not None:
        for item, data in zip(compiled, on_disk, strict=True):
            _save_caches(cache_dir, item, data)
            manifest.record(item.job.source, item.job.digest, item.job.stat, item.deck_id,
                            item.output, data)
        manifest.save()
    order = {path: index for index, path in enumerate(paths)}
    built = {outcome.output.name for outcome in outcomes}
    orphans = () if sources else tuple(
        path for path in sorted(out.glob(f"*{DECK_SUFFIX}")) if path.name not in built
    )
    return BuildReport(tuple(sorted(outcomes, key=lambda o: order[o.source])), orphans)


def _read_sources(paths: Iterable[Path]) -> list[tuple[Path, bytes, str | None]]:
    """Each source's bytes, and its metadata as taken before reading (see Manifest.untouched)."""
    texts: list[tuple[Path, bytes, str | None]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            stat = stat_key(path)
            raw = path.read_bytes()
            raw.decode("utf-8")
        except FileNotFoundError:
            problems.append(Problem(str(path), 0, 0, "no such file"))
        except IsADirectoryError:
            problems.append(Problem(str(path), 0, 0, "is a directory, not a source file"))
        except UnicodeDecodeError as error:
            problems.append(Problem(str(path), 0, 0, f"not UTF-8 text ({error.reason})"))
        except OSError as error:
            problems.append(Problem(str(path), 0, 0, error.strerror or str(error)))
        else:
            texts.append((path, raw, stat))
    if problems:
        raise InputError(problems)
    return texts


def _duplicate_deck_ids(
    skipped: Sequence[DeckOutcome], compiled: Sequence[_Compiled]
) -> list[Problem]:
    return duplicate_deck_ids([
        *((outcome.deck_id, str(outcome.source), 0) for outcome in skipped),
        *((item.deck_id, str(item.job.source), item.deck_line) for item in compiled),
    ])


def _stale_reasons(item: _Compiled) -> tuple[str, ...]:
    if item.previous is None:
        return ("the deck file is missing; run `srs build`",)
    if item.reasons:
        return (*item.reasons, "run `srs build`")
    return ("its bytes differ from a fresh build (another srs-trainer or library version?); "
            "run `srs build`",)


def _save_caches(cache_dir: Path, item: _Compiled, deck_file: bytes) -> None:
    package = {"sha256": sha256(deck_file), "state": item.state.to_dict()}
    write_cache(_render_cache_path(cache_dir, item.deck_id),
                 {"version": item.job.version, **item.render_cache, "package": package})
    memo_file = _memo_path(cache_dir, item.job.source)
    if item.memo is None:
        memo_file.unlink(missing_ok=True)
    else:
        write_cache(memo_file, {"version": item.job.version, **item.memo.to_dict()})
