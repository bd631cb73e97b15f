"""The timed part of a page: "Challenge - N Problems", the badge, then the challenges.

A challenge is found by its third line, the timer ("2:00remaining"), under its kind and level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..deck.model import LETTERS, Badge, Choice, Code, Section
from .draft import Draft
from .heuristics import guess_language
from .lines import LineKind, PageLine, first_of, is_word, next_letter, texts
from .page import WarningKind
from .prompts import read_prompt_and_code
from .reading import PageReading
from .text import code_text, join_text

_BADGE_RULE = re.compile(r"\bbadge\b", re.IGNORECASE)


def read_challenges(reading: PageReading, header_at: int, end: int) -> Badge | None:
    """The challenges from the header line ``header_at`` up to ``end``; returns the badge."""
    lines = reading.lines
    announced = int(lines[header_at].parts[0])
    starts = [
        i
        for i in range(header_at + 1, end - 3)
        if lines[i + 2].kind is LineKind.TIMER
        and lines[i].kind is not LineKind.BLANK
        and lines[i + 1].kind is not LineKind.BLANK
    ]
    badge = _read_badge(reading, lines[header_at + 1 : starts[0] if starts else end])
    if not starts:
        reading.error(
            header_at,
            "no challenges follow (each starts with kind, level and 'M:SSremaining' lines)",
        )
        return None
    if announced != len(starts):
        reading.warn(
            WarningKind.COUNT_MISMATCH,
            header_at,
            f"the page announces {announced} challenges but has {len(starts)}",
            None,
        )
    for number, (start, stop) in enumerate(zip(starts, [*starts[1:], end], strict=False), 1):
        _read_challenge(reading, start, stop, number)
    return badge


def _read_badge(reading: PageReading, lines: Sequence[PageLine]) -> Badge | None:
    """The badge's name and rule, from the lines before the first challenge."""
    name, rule = "", ""
    for line in lines:
        if line.kind in (LineKind.BLANK, LineKind.BANNER) or not any(
            char.isalnum() for char in line.stripped
        ):
            continue  # blank, the badge's icon, or a banner
        if _BADGE_RULE.search(line.stripped) and not rule:
            rule = line.stripped
        elif not name:
            name = line.stripped
        else:
            reading.cannot_place(
                line.index, "between 'Challenge - N Problems' and the first challenge"
            )
    return Badge(name, rule) if name else None


def _read_challenge(reading: PageReading, start: int, end: int, number: int) -> None:
    lines = reading.lines
    title_at = start + 3
    draft = _challenge_draft(reading, start, number)
    if not draft.title:
        reading.error(title_at, "expected the challenge's title after its timer")
        return
    attempts_at = first_of(lines, LineKind.ATTEMPTS, title_at + 1, end)
    hint_at = first_of(lines, LineKind.HINT_HEADER, title_at + 1, end)
    choices_end = min(i for i in (attempts_at, hint_at, end) if i is not None)
    found = _find_choices(lines, title_at + 1, choices_end)
    if found is None:
        reading.error(
            title_at,
            f"challenge {number}: found no lettered choices ('AText...' lines, or "
            "'A' alone before a code choice) before its Attempts/Hint lines",
        )
        return
    choices_at, draft.choices = found
    reading.drafts.append(draft)
    reading.warn(
        WarningKind.NO_ANSWER_KEY,
        title_at,
        f"{draft.label} has no answer key on the page: decide the right choice and add "
        "'answer: <letter>'",
        draft,
    )
    read_prompt_and_code(reading, draft, lines[title_at + 1 : choices_at], lead=None)
    after_attempts = choices_end
    if attempts_at is not None and attempts_at == choices_end:
        after_attempts = _read_attempts(reading, draft, attempts_at, end)
    for line in lines[after_attempts : hint_at if hint_at is not None else end]:
        if line.kind is not LineKind.BLANK:
            reading.cannot_place(line.index, f"after challenge {number}'s choices")
    if draft.attempts is not None and not 1 <= draft.attempts <= 5:
        reading.error(attempts_at or title_at, f"challenge {number}: attempts must be 1 to 5")
    if hint_at is not None:
        _read_hint(reading, draft, hint_at, end)


def _challenge_draft(reading: PageReading, start: int, number: int) -> Draft:
    """A challenge's first four lines: kind, level, timer and title."""
    lines = reading.lines
    title = lines[start + 3].stripped
    draft = Draft(Section.CHALLENGE, number, start + 1, title, title=title)
    draft.kind = _word(reading, lines[start], "kind")
    draft.level = _word(reading, lines[start + 1], "level")
    minutes, seconds = lines[start + 2].parts
    draft.time_limit = int(minutes) * 60 + int(seconds)
    if not 5 <= draft.time_limit <= 3600:
        reading.error(start + 2, f"challenge {number}: a time limit must be 0:05 to 60:00")
    return draft


def _word(reading: PageReading, line: PageLine, what: str) -> str:
    """A kind or level line as a slug word: '🧠 Conceptual' -> 'conceptual'."""
    text = re.sub(r"^[^A-Za-z]+", "", line.stripped)
    word = re.sub(r"[\s-]+", "_", text.strip()).lower()
    if not is_word(word):
        reading.error(
            line.index,
            f"expected the challenge's {what} (a word such as "
            f"{'conceptual' if what == 'kind' else 'intermediate'}), "
            f"found {line.stripped!r}",
        )
        return ""
    return word


def _find_choices(
    lines: Sequence[PageLine], start: int, end: int
) -> tuple[int, list[Choice]] | None:
    """The first run of lines from an 'A' line to ``end`` that reads as choices A, B, C..."""
    for line in lines[start:end]:
        if line.text.startswith("A"):
            choices = _choices(lines, line.index, end)
            if choices:
                return line.index, choices
    return None


def _choices(lines: Sequence[PageLine], start: int, end: int) -> list[Choice] | None:
    """Choices from ``start`` up to ``end``, or None if those lines are not a choice list."""
    choices: list[Choice] = []
    index = start
    while index < end:
        line = lines[index]
        if line.kind is LineKind.BLANK:
            index += 1
            continue
        if len(choices) >= len(LETTERS):
            return None
        letter = LETTERS[len(choices)]
        if line.kind is LineKind.LETTER and line.stripped == letter:
            stop = _code_choice_end(lines, index + 1, end, next_letter(len(choices) + 1))
            source = code_text(texts(lines[index + 1 : stop]))
            if not source:
                return None
            choices.append(Choice(letter, code=Code(source, guess_language(source))))
            index = stop
        elif line.glued_to(letter):
            choices.append(Choice(letter, text=line.text[1:]))
            index += 1
        else:
            return None
    return choices if len(choices) >= 2 else None


def _code_choice_end(lines: Sequence[PageLine], start: int, end: int, letter: str | None) -> int:
    """Where a multi-line (code) choice ends: at the next letter alone on a line, else glued."""
    if letter is None:
        return end
    following = lines[start:end]
    alone = next((line.index for line in following if line.stripped == letter), None)
    if alone is not None:
        return alone
    return next((line.index for line in following if line.glued_to(letter)), end)


def _read_attempts(reading: PageReading, draft: Draft, attempts_at: int, end: int) -> int:
    """'Attempts: N left', or 'Attempts:' then 'N left'; returns the index after them."""
    lines = reading.lines
    after = attempts_at + 1
    if lines[attempts_at].parts[0]:
        draft.attempts = int(lines[attempts_at].parts[0])
    elif after < end and lines[after].kind is LineKind.ATTEMPTS_LEFT:
        draft.attempts = int(lines[after].parts[0])
        after += 1
    else:
        reading.error(attempts_at, "expected 'Attempts: N left' or 'Attempts:' then 'N left'")
    return after


def _read_hint(reading: PageReading, draft: Draft, hint_at: int, end: int) -> None:
    # The hint is one paragraph: placing a later one (a footer?) would be a guess.
    lines = reading.lines
    first = next((line.index for line in lines[hint_at + 1 : end] if line.stripped), end)
    stop = next((line.index for line in lines[first:end] if not line.stripped), end)
    draft.hint = join_text(texts(lines[first:stop]))
    for line in lines[stop:end]:
        if line.stripped:
            reading.cannot_place(line.index, f"after challenge {draft.number}'s hint")
