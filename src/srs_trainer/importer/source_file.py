"""Writing an imported page as a source file, merged into the existing one if there is one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..deck.files import DEFAULT_SOURCES
from ..deck.problems import InputError, Problem
from .merge import merge_source
from .page import ImportedPage, ImportWarning, WarningKind
from .reader import read_page


@dataclass(frozen=True)
class ImportOutcome:
    """What ``import_page`` did: the file written, the warnings, and changes to an old source."""

    path: Path
    page: ImportedPage
    warnings: tuple[ImportWarning, ...]
    changes: tuple[str, ...] = ()
    created: bool = True


def existing_source(path: Path) -> dict[str, Any]:
    from ..deck.sources import compose, read_source

    located = compose(read_source(path), str(path))
    if located.problems:
        raise InputError(located.problems)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("questions", []), list):
        raise InputError(
            [Problem(str(path), 1, 1, "is not a deck source (a mapping with 'questions')")]
        )
    return data


def _header(page_name: str, out_name: str, todos: bool) -> list[str]:
    lines = [
        f"Imported from the quiz page {page_name} by `srs import`. To re-import it (ids and the",
        "fields you own are kept; see docs/import.md):",
        f"  srs import {page_name} --out {out_name}",
    ]
    if todos:
        # Without the marker itself, which `srs lint` refuses wherever it appears.
        lines += [
            "The import TODO comments below mark what the page gets wrong or leaves out:",
            "resolve each, then delete it (`srs lint` refuses the file until then).",
        ]
    return lines


@dataclass(frozen=True)
class PreparedImport:
    """An import worked out in memory: what ``write`` puts at ``outcome.path``."""

    outcome: ImportOutcome
    text: str

    def write(self) -> ImportOutcome:
        from ..deck.writer import write_text_atomic

        write_text_atomic(self.outcome.path, self.text)
        return self.outcome


def import_page(page_path: str | Path, out: str | Path | None = None) -> ImportOutcome:
    """Import a quiz page into a source file (default ``cards/<deck-id>.yaml``), written atomically.

    If the file exists, the page is merged into it (see ``merge_source``). Raises InputError,
    writing nothing, when the page or the existing file cannot be read.
    """
    return prepare_import(read_page(page_path), page_path, out).write()


def prepare_import(
    page: ImportedPage, page_path: str | Path, out: str | Path | None = None
) -> PreparedImport:
    """The source text importing ``page`` gives, merged into ``out`` if it exists; no writing."""
    from ..deck.writer import dump_source

    data = page.source_data()
    out_path = Path(out) if out is not None else DEFAULT_SOURCES / f"{page.deck.id}.yaml"
    changes: tuple[str, ...] = ()
    created = not out_path.exists()
    if not created:
        data, changes = merge_source(data, existing_source(out_path))
    questions = data["questions"]
    # An answer the author has filled in resolves the page's missing key for good.
    warnings = tuple(
        warning
        for warning in page.warnings
        if not (
            warning.kind is WarningKind.NO_ANSWER_KEY
            and warning.question is not None
            and "answer" in questions[warning.question]
        )
    )
    comments: dict[int, list[str]] = {}
    deck_todos: list[str] = []
    for warning in warnings:
        if warning.question is None:
            deck_todos.append(warning.todo())
        else:
            comments.setdefault(warning.question, []).append(warning.todo())
    # The page as the author named it, so the command in the header runs again from the same
    # folder; an absolute path would tie a committed source to one machine: its name only.
    given = Path(page_path)
    page_name = given.name if given.is_absolute() else given.as_posix()
    header = _header(page_name, out_path.as_posix(), bool(warnings)) + deck_todos
    text = dump_source(data, header=header, question_comments=comments)
    return PreparedImport(ImportOutcome(out_path, page, warnings, changes, created), text)
