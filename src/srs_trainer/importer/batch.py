"""Many quiz pages in one run (``srs import PAGE1 PAGE2 ...`` or ``srs import DIR/``).

Every page is read, and its source worked out in memory, before anything is written: a page
that cannot be read fails alone (the others are still written, each file whole), but two pages
that would write the same source (the same deck id) stop the run before any file is touched,
since either order of writing would lose one of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..deck.files import DEFAULT_SOURCES
from ..deck.problems import InputError, Problem
from .reader import read_page
from .source_file import ImportOutcome, PreparedImport, prepare_import

PAGE_SUFFIX = ".txt"


class Status(str, Enum):
    WROTE = "wrote"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"  # the page (or its existing source) could not be read
    CLASH = "clash"  # another page gives the same deck id or output file
    NOT_WRITTEN = "not written"  # fine, but a clash elsewhere stopped the run


@dataclass(frozen=True)
class PageResult:
    page: Path
    status: Status
    prepared: PreparedImport | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def outcome(self) -> ImportOutcome | None:
        return self.prepared.outcome if self.prepared is not None else None


@dataclass(frozen=True)
class BatchOutcome:
    results: tuple[PageResult, ...]
    clashes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(r.status in (Status.WROTE, Status.UPDATED, Status.UNCHANGED)
                   for r in self.results)


def page_paths(inputs: Sequence[str | Path]) -> list[Path]:
    """The pages ``inputs`` name: files as given, folders searched (not recursively) for *.txt.

    A folder with no page in it, or nothing at all, raises InputError.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for item in map(Path, inputs):
        if item.is_dir():
            pages = sorted(p for p in item.iterdir() if p.suffix == PAGE_SUFFIX and p.is_file())
            if not pages:
                problems.append(Problem(str(item), 0, 0, f"no quiz pages (*{PAGE_SUFFIX}) here"))
            found.extend(pages)
        else:
            found.append(item)
    if problems:
        raise InputError(problems)
    # The same page named twice (a file and its folder) is imported once.
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _prepare(path: Path, out_dir: Path) -> PageResult:
    try:
        page = read_page(path)
        prepared = prepare_import(page, path, out_dir / f"{page.deck.id}.yaml")
    except InputError as error:
        return PageResult(path, Status.FAILED, problems=tuple(error.problems))
    return PageResult(path, Status.NOT_WRITTEN, prepared)


def _clashes(results: Sequence[PageResult]) -> dict[Path, list[str]]:
    """Pages whose source file (their deck id) another page also gives, with messages."""
    def target(result: PageResult) -> Path:
        assert result.outcome is not None
        # Case folded: on macOS and Windows, Deck.yaml and deck.yaml are one file.
        return Path(str(result.outcome.path.resolve()).casefold())

    prepared = [r for r in results if r.outcome is not None]
    counts = Counter(target(r) for r in prepared)
    messages: dict[Path, list[str]] = {}
    for result in prepared:
        if counts[target(result)] < 2:
            continue
        assert result.outcome is not None
        others = [
            str(other.page) for other in prepared
            if other is not result and target(other) == target(result)
        ]
        messages.setdefault(result.page, []).append(
            f"gives deck id '{result.outcome.page.deck.id}' ({result.outcome.path}), "
            f"as {' and '.join(others)} does: rename one deck's title, or import it alone "
            "with --out"
        )
    return messages


def _written(result: PageResult) -> PageResult:
    assert result.prepared is not None
    outcome = result.prepared.write()
    if outcome.created:
        status = Status.WROTE
    elif outcome.changes:
        status = Status.UPDATED
    else:
        status = Status.UNCHANGED
    return PageResult(result.page, status, result.prepared)


def import_pages(inputs: Sequence[str | Path], out_dir: str | Path | None = None) -> BatchOutcome:
    """Import every page ``inputs`` name into ``out_dir`` (default cards/), one source each.

    Raises InputError only when ``inputs`` name no page at all (see ``page_paths``).
    """
    directory = Path(out_dir) if out_dir is not None else DEFAULT_SOURCES
    results = [_prepare(path, directory) for path in page_paths(inputs)]
    clashes = _clashes(results)
    if clashes:
        marked = tuple(
            PageResult(
                r.page, Status.CLASH, r.prepared,
                tuple(Problem(str(r.page), 0, 0, text) for text in clashes[r.page]),
            ) if r.page in clashes else r
            for r in results
        )
        return BatchOutcome(marked, tuple(m for ms in clashes.values() for m in ms))
    return BatchOutcome(tuple(
        _written(r) if r.status is Status.NOT_WRITTEN else r for r in results
    ))


def _warning_counts(result: PageResult) -> str:
    outcome = result.outcome
    if outcome is None or result.status is Status.FAILED:
        return "-"
    if not outcome.warnings:
        return "0"
    kinds = Counter(w.kind.value for w in outcome.warnings)
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return f"{len(outcome.warnings)} ({detail})"


def _result_text(result: PageResult) -> str:
    outcome = result.outcome
    if result.status is Status.FAILED:
        count = len(result.problems)
        return f"failed: {count} error{'s' if count != 1 else ''}, nothing written"
    assert outcome is not None
    if result.status is Status.CLASH:
        return f"{outcome.path}: same deck id as another page"
    if result.status is Status.NOT_WRITTEN:
        return f"{outcome.path}: not written"
    text = f"{outcome.path} ({result.status.value}"
    if outcome.changes and result.status is Status.UPDATED:
        text += f", {len(outcome.changes)} change{'s' if len(outcome.changes) != 1 else ''}"
    return text + ")"


def summary_table(batch: BatchOutcome) -> list[str]:
    """The run as a table, one row per page, and a closing line of totals."""
    rows = [("page", "source", "questions", "warnings")]
    for result in batch.results:
        outcome = result.outcome
        questions = "-" if outcome is None else str(len(outcome.page.deck.questions))
        rows.append((str(result.page), _result_text(result), questions, _warning_counts(result)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}".rstrip()
        for row in rows
    ]
    statuses = Counter(result.status for result in batch.results)
    total = len(batch.results)
    if batch.clashes:
        clashing = statuses[Status.CLASH]
        lines.append(f"{total} page(s): nothing written, {clashing} give the same deck id"
                     + (f", {statuses[Status.FAILED]} failed" if statuses[Status.FAILED] else ""))
        return lines
    done = statuses[Status.WROTE] + statuses[Status.UPDATED] + statuses[Status.UNCHANGED]
    todos = sum(len(r.outcome.warnings) for r in batch.results
                if r.outcome is not None and r.status is not Status.FAILED)
    closing = f"{total} page(s): {done} imported, {statuses[Status.FAILED]} failed"
    if todos:
        closing += f", {todos} TODO(srs) to resolve"
    lines.append(closing)
    return lines
