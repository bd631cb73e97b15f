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

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from ..deck.files import (
    decode_source,
    read_source_bytes,
    sha256,
    stat_key,
    write_atomic,
    write_cache,
)
from ..deck.problems import InputError, Problem, duplicate_deck_ids
from .build_cache import DECK_SUFFIX, Manifest, build_version, render_cache_path
from .errors import BuildError

if TYPE_CHECKING:
    # A build with nothing to compile imports neither the compiler nor the packager.
    from .compile import Compiled, Job

__all__ = ["DECK_SUFFIX", "DEFAULT_OUT", "DEFAULT_SOURCES", "BuildError", "BuildReport",
           "DeckOutcome", "Status", "build"]

CACHE_DIR_NAME = ".srs-cache"
DEFAULT_SOURCES = Path("cards")
DEFAULT_OUT = Path("decks")
# Parsing and highlighting dominate a cold build; a process per core pays off from this many
# sources (bench/bench_build.py measures it).
_PARALLEL_FROM = 4


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
    jobs: Sequence[Job], workers: int | None
) -> tuple[list[Compiled], list[Problem]]:
    if not jobs:
        return [], []
    from ..collector import collector_paused
    from .compile import (
        compile_in_worker,
        compile_source,
        preload,
        with_job,
    )

    compiled: list[Compiled] = []
    problems: list[Problem] = []
    count = _workers(workers, len(jobs))
    if count > 1:
        from concurrent.futures import ProcessPoolExecutor

        preload()  # once here, not once per worker (they fork from this process)
        # Unpickling the results makes containers that live on: the collector would walk them.
        with ProcessPoolExecutor(max_workers=count) as pool, collector_paused():
            futures = [pool.submit(compile_in_worker, job) for job in jobs]
            for job, future in zip(jobs, futures, strict=True):
                try:
                    compiled.append(with_job(future.result(), job))
                except InputError as error:
                    problems.extend(error.problems)
    else:
        for job in jobs:
            try:
                compiled.append(compile_source(job))
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
    version = build_version()
    cache_dir = out / CACHE_DIR_NAME if use_cache else None
    manifest = Manifest.load(cache_dir, version)

    pending, skipped = _sources_to_compile(paths, out, manifest, cache_dir, version, check)
    compiled, problems = _compile_all(pending, jobs)
    problems.extend(_duplicate_deck_ids(skipped, compiled))
    if problems:
        raise InputError(problems)

    if compiled:
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


def _sources_to_compile(
    paths: Sequence[Path], out: Path, manifest: Manifest, cache_dir: Path | None,
    version: str, check: bool,
) -> tuple[list[Job], list[DeckOutcome]]:
    """The sources to compile, and the outcomes of those whose deck file is current."""
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
    pending: list[Job] = []
    if to_read:
        from .compile import Job
    for path, raw, stat in _read_sources(to_read):
        digest = sha256(raw)
        outcome = unchanged(path, manifest.up_to_date(path, digest))
        if outcome is None:
            pending.append(Job(path, raw.decode("utf-8"), digest, stat, out, cache_dir,
                               version, check))
        else:
            skipped.append(outcome)
    return pending, skipped


def _read_sources(paths: Iterable[Path]) -> list[tuple[Path, bytes, str | None]]:
    """Each source's bytes, and its metadata as taken before reading (see Manifest.untouched)."""
    texts: list[tuple[Path, bytes, str | None]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            stat = stat_key(path)
            raw = read_source_bytes(path)
            decode_source(raw, path)  # the same message, at the same byte, as every reader's
        except InputError as error:
            problems.extend(error.problems)
        else:
            texts.append((path, raw, stat))
    if problems:
        raise InputError(problems)
    return texts


def _duplicate_deck_ids(
    skipped: Sequence[DeckOutcome], compiled: Sequence[Compiled]
) -> list[Problem]:
    return duplicate_deck_ids([
        *((outcome.deck_id, str(outcome.source), 0) for outcome in skipped),
        *((item.deck_id, str(item.job.source), item.deck_line) for item in compiled),
    ])


def _stale_reasons(item: Compiled) -> tuple[str, ...]:
    if item.previous is None:
        return ("the deck file is missing; run `srs build`",)
    if item.reasons:
        return (*item.reasons, "run `srs build`")
    return ("its bytes differ from a fresh build (another srs-trainer or library version?); "
            "run `srs build`",)


def _save_caches(cache_dir: Path, item: Compiled, deck_file: bytes) -> None:
    from .incremental import memo_path

    package = {"sha256": sha256(deck_file), "state": item.state.to_dict()}
    write_cache(render_cache_path(cache_dir, item.deck_id),
                 {"version": item.job.version, **item.render_cache, "package": package})
    memo_file = memo_path(cache_dir, item.job.source)
    if item.memo is None:
        memo_file.unlink(missing_ok=True)
    else:
        write_cache(memo_file, {"version": item.job.version, **item.memo.to_dict()})
