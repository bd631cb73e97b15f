"""Merging a page's data into an existing source, keeping what its author owns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .ids import unique_id
from .text import normalized

# Parts of a question every page gives: replaced on re-import, removed if the page drops them.
_PAGE_STRUCTURE = ("prompt", "code", "choices")
# Parts a page may give: replaced when the page has them, else the author's version is kept.
# Everything else (verify, explanation, tags, an answer the page never had...) is the author's.
_PAGE_FIELDS = (
    "kind",
    "level",
    "title",
    "time_limit",
    "attempts",
    "answer",
    "hint",
    "solution",
    "common_mistakes",
)
_DECK_PAGE_FIELDS = ("title", "topic", "estimated_minutes", "badge")


def _same_question(new: Mapping[str, Any], old: Mapping[str, Any], key: str) -> bool:
    value = new.get(key)
    return (
        bool(value)
        and new.get("section") == old.get("section")
        and (normalized(str(value)) == normalized(str(old.get(key, ""))))
    )


def _matching(
    item: Mapping[str, Any], old_questions: Sequence[Mapping[str, Any]], unmatched: Sequence[int]
) -> int | None:
    """The old question that ``item`` is a new version of: same id, else same prompt or title."""
    for index in unmatched:
        if old_questions[index].get("id") == item["id"]:
            return index
    for key in ("prompt", "title"):
        for index in unmatched:
            if _same_question(item, old_questions[index], key):
                return index
    return None


def merge_source(
    new: Mapping[str, Any], old: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The page's data ``new`` merged into an existing source ``old``, and what changed.

    Questions are matched by id, else by prompt, else by title (within a section); a matched
    question keeps its id and every field the page does not provide.
    """
    merged: dict[str, Any] = dict(old)
    merged.setdefault("format", new["format"])
    merged.setdefault("id", new["id"])
    changes: list[str] = []
    for key in _DECK_PAGE_FIELDS:
        if key in new:
            if old.get(key) != new[key]:
                changes.append(f"deck {key} changed")
            merged[key] = new[key]
    if "tags" in new and "tags" not in old:
        merged["tags"] = new["tags"]
    old_questions = [q for q in old.get("questions") or () if isinstance(q, Mapping)]
    unmatched = list(range(len(old_questions)))
    questions: list[dict[str, Any]] = []
    for item in new["questions"]:
        match = _matching(item, old_questions, unmatched)
        if match is None:
            taken = {q.get("id") for q in old_questions} | {q["id"] for q in questions}
            question = dict(
                item, id=unique_id(item["id"], {t for t in taken if isinstance(t, str)})
            )
            changes.append(f"added {question['id']}")
            questions.append(question)
            continue
        unmatched.remove(match)
        before = old_questions[match]
        question = {key: value for key, value in before.items() if key not in _PAGE_STRUCTURE}
        question.update(
            {key: item[key] for key in (*_PAGE_STRUCTURE, *_PAGE_FIELDS) if key in item}
        )
        question["section"] = item["section"]
        question["id"] = before.get("id", item["id"])
        differing = [
            key
            for key in dict.fromkeys([*before, *question])
            if before.get(key) != question.get(key)
        ]
        if differing:
            changes.append(f"changed {question['id']}: {', '.join(differing)}")
        questions.append(question)
    changes.extend(f"removed {old_questions[i].get('id', f'question {i + 1}')}" for i in unmatched)
    merged["questions"] = questions
    return merged, tuple(changes)
