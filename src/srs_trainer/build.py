"""`srs build`: YAML sources to one ``<deck id>.apkg`` each, incrementally and reproducibly.

A build reads every source first and writes nothing unless all of them are valid; each deck
file is replaced atomically. The previous deck file is the state that keeps Anki note
modification times growing (see ``anki_export``), so committing ``decks/`` is what lets
learners' re-imports update their notes.

Source time, the modification time given to new and changed notes, is, in order:
``SOURCE_DATE_EPOCH`` if set; else the source's last commit time if it is tracked by git and
unmodified; else the file's modification time. Unchanged notes keep their time whatever it is,
so a rebuild without edits is byte-identical at any wall-clock time, in any directory.

Caches (under ``<out>/.srs-cache/``, safe to delete): a manifest maps each source's content hash
to the deck file it produced, so unchanged sources are not even parsed; a per-deck render cache
maps each question's content hash to its rendered fields, so editing one question re-renders
only that question.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .problems import InputError, Problem

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

    @property
    def stale(self) -> tuple[DeckOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status is Status.STALE)


# --- small helpers ---------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, kept on success)
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # NamedTemporaryFile creates 0600; a deck file is an ordinary, shareable file.
        os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
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


def _build_version() -> str:
    from .render import RENDER_VERSION

    return f"{__version__}/{RENDER_VERSION}"


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
        output = Path(entry["output"])
        try:
            if sha256(output.read_bytes()) != entry["output_sha256"]:
                return None
        except OSError:
            return None
        return entry

    def record(self, source: Path, digest: str, deck_id: str, output: Path, data: bytes) -> None:
        self.sources[str(source.resolve())] = {
            "sha256": digest,
            "deck": deck_id,
            "output": str(output.resolve()),
            "output_sha256": sha256(data),
        }

    def save(self) -> None:
        if self.path is not None:
            text = json.dumps({"version": self.version, "sources": self.sources}, indent=1,
                              sort_keys=True)
            write_atomic(self.path, text.encode("utf-8"))


def _render_cache_path(cache_dir: Path, deck_id: str) -> Path:
    return cache_dir / "render" / f"{deck_id}.json"


def _load_render_cache(path: Path | None, version: str) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    notes = data.get("notes")
    return notes if isinstance(notes, dict) else {}


# --- compiling one source --------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    source: Path
    text: str
    digest: str
    out_dir: Path
    cache_dir: Path | None
    version: str


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


def _compile(job: _Job) -> _Compiled:
    """Parse, render and package one source. Raises InputError for an invalid source."""
    from .anki_export import ExportNote, build_package, read_package
    from .ids import deck_id, note_guid
    from .render import RenderedNote, deck_context, deck_description, render_question
    from .sources import parse_deck

    deck = parse_deck(job.text, str(job.source))
    output = job.out_dir / f"{deck.id}{DECK_SUFFIX}"
    cache_file = _render_cache_path(job.cache_dir, deck.id) if job.cache_dir else None
    cached = _load_render_cache(cache_file, job.version)
    context = list(deck_context(deck))
    used: dict[str, Any] = {}
    notes = []
    for question in deck.questions:
        content = json.dumps([context, question.to_dict()], sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256(content.encode("utf-8")).hexdigest()
        entry = cached.get(key)
        rendered = RenderedNote.from_dict(entry) if entry else render_question(deck, question)
        used[key] = entry or rendered.to_dict()
        notes.append(ExportNote(note_guid(deck.id, question.id), question.id, rendered.fields,
                                rendered.tags))
    previous_bytes = output.read_bytes() if output.exists() else None
    previous = read_package(output, deck_id(deck.id))
    result = build_package(
        deck.id, deck.anki_name, deck_description(deck), notes, previous,
        lambda: source_time(job.source),
    )
    return _Compiled(
        job=job,
        deck_id=deck.id,
        deck_line=deck.lines.get("id", 0),
        output=output,
        questions=len(notes),
        data=result.data,
        previous=previous_bytes,
        reasons=tuple(result.differences),
        render_cache=used,
    )


def _workers(requested: int | None, sources: int) -> int:
    if requested is None:
        requested = (os.cpu_count() or 1) if sources >= _PARALLEL_FROM else 1
    return max(1, min(requested, sources))


def _compile_all(
    jobs: Sequence[_Job], workers: int | None
) -> tuple[list[_Compiled], list[Problem]]:
    compiled: list[_Compiled] = []
    problems: list[Problem] = []
    count = _workers(workers, len(jobs))
    if count > 1:
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

    ``jobs`` is how many processes compile sources; by default one per core when there are
    several sources to compile, else one.

    Raises InputError listing every problem of every invalid source (nothing is written then),
    BuildError for other failures.
    """
    from .sources import discover

    out = Path(out_dir)
    paths = discover(sources or [DEFAULT_SOURCES])
    if not paths:
        where = ", ".join(str(s) for s in sources) if sources else str(DEFAULT_SOURCES)
        raise BuildError(f"no sources (*.yaml) found in {where}")
    version = _build_version()
    cache_dir = out / CACHE_DIR_NAME if use_cache else None
    manifest = Manifest.load(cache_dir, version)

    texts = _read_sources(paths)
    skipped: list[DeckOutcome] = []
    pending: list[_Job] = []
    for path, raw in texts:
        digest = sha256(raw)
        entry = manifest.up_to_date(path, digest)
        if entry is not None and Path(entry["output"]).parent == out.resolve():
            output = out / Path(entry["output"]).name
            skipped.append(DeckOutcome(path, output, entry["deck"], Status.UNCHANGED))
        else:
            pending.append(_Job(path, raw.decode("utf-8"), digest, out, cache_dir, version))

    compiled, problems = _compile_all(pending, jobs)
    problems.extend(_duplicate_deck_ids(skipped, compiled))
    if problems:
        raise InputError(problems)

    outcomes = list(skipped)
    for item in compiled:
        same = item.previous == item.data
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
        for item in compiled:
            _save_render_cache(cache_dir, item)
            manifest.record(item.job.source, item.job.digest, item.deck_id, item.output, item.data)
        manifest.save()
    order = {path: index for index, (path, _) in enumerate(texts)}
    return BuildReport(tuple(sorted(outcomes, key=lambda o: order[o.source])))


def _read_sources(paths: Iterable[Path]) -> list[tuple[Path, bytes]]:
    texts: list[tuple[Path, bytes]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
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
            texts.append((path, raw))
    if problems:
        raise InputError(problems)
    return texts


def _duplicate_deck_ids(
    skipped: Sequence[DeckOutcome], compiled: Sequence[_Compiled]
) -> list[Problem]:
    owners: dict[str, Path] = {outcome.deck_id: outcome.source for outcome in skipped}
    problems = []
    for item in compiled:
        owner = owners.setdefault(item.deck_id, item.job.source)
        if owner != item.job.source:
            problems.append(Problem(str(item.job.source), item.deck_line, 0,
                                    f"deck id '{item.deck_id}' is already used by {owner}"))
    return problems


def _stale_reasons(item: _Compiled) -> tuple[str, ...]:
    if item.previous is None:
        return ("the deck file is missing; run `srs build`",)
    if item.reasons:
        return (*item.reasons, "run `srs build`")
    return ("its bytes differ from a fresh build (another srs-trainer or library version?); "
            "run `srs build`",)


def _save_render_cache(cache_dir: Path, item: _Compiled) -> None:
    data = {"version": item.job.version, "notes": item.render_cache}
    write_atomic(_render_cache_path(cache_dir, item.deck_id),
                 json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
