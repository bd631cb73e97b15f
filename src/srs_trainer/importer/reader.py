"""Quiz pages into the deck model (``srs import``).

A quiz page is the text of a quiz web page as copied from a browser: a header, "Challenge - N
Problems" with timed multiple-choice challenges, then "Practice" with numbered, worked questions.
docs/import.md describes the layout line by line. ``parse_page`` reads it into a ``model.Deck``
plus warnings about what the page gets wrong or leaves out.

Every line of the page is either placed into the deck, recognised as page furniture (buttons,
banners), or reported as an error naming the line: nothing is dropped silently.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..deck.model import (
    DEFAULT_ATTEMPTS,
    DEFAULT_TIME_LIMIT,
    LETTERS,
    Badge,
    Choice,
    Code,
    Deck,
    Question,
    Section,
    SolutionStep,
)
from ..deck.problems import InputError, Problem
from .heuristics import guess_language, looks_like_code
from .ids import slugify, unique_id
from .lines import split_lines
from .page import ImportedPage, ImportWarning, WarningKind
from .text import code_text, join_text, markdown_paragraph, normalized

_TIMER = re.compile(r"^(\d{1,2}):([0-5]\d)\s*remaining$")
_TOPIC = re.compile(r"^(?P<topic>\S.*?)\s*~\s*(?P<minutes>\d+)\s*mins?$")
_TITLE = re.compile(r"^(?P<title>\S.*?)\s+-\s+Challenge Your Understanding$")
_CHALLENGE_HEADER = re.compile(r"^Challenge\s+-\s+(\d+)\s+Problems?$")
_PRACTICE_HEADER = "Practice"
_PROGRESS = re.compile(r"^\((\d+)/(\d+)\)$")
_NUMBERED = re.compile(r"^(\d+)\.\s+(\S.*)$")
_PRACTICE_CHOICE = re.compile(r"^([A-F])\.(?:\s+(\S.*))?$")
_LEVEL = re.compile(r"^[a-z][a-z0-9_]*$")
_ATTEMPTS = re.compile(r"^Attempts:\s*(?:(\d+)\s+left)?$")
_ATTEMPTS_LEFT = re.compile(r"^(\d+)\s+left$")
_STEP = re.compile(r"^ {1,3}(\d+)\.\s+(\S.*)$")
_FINAL = re.compile(r"^(?P<text>.*?)\s*->\s*Option\s+(?P<letter>[A-F])\s*\.?$")
_QUICK_LETTER = re.compile(r"=\s*([A-F])\s*(?:\[OK\]|✅|✓)?\s*$")
_BULLET = re.compile(r"^\s*[•*-]\s+(\S.*)$")
_PRACTICE_HINT = re.compile(r"^Hint:\s*(.*)$")
_LETTER_LIST = r"[A-F](?:\s*,\s*(?:and\s+|or\s+)?[A-F]|\s+(?:and|or)\s+[A-F])*"
_CALLED_WRONG = re.compile(
    rf"\b(?:(?:Options?|Choices?)\s+)?(?P<many>{_LETTER_LIST})\s+(?:is|are)\s+(?:all\s+)?"
    r"(?:incorrect|wrong|invalid|false|not\s+correct)\b"
    r"|\b(?P<one>[A-F])\s+(?:has|uses|gives)\s+(?:the\s+|a\s+)?wrong\b"
)

# Page furniture: buttons and banners that carry nothing for a deck.
_REACTION = re.compile(r"^[A-Za-z][A-Za-z ]*\d*$")  # "Bird", "Raised Fist0" above the topic
_HEADER_FURNITURE = tuple(
    re.compile(pattern)
    for pattern in (
        r"^Choose your learning style.*$",
        r"^Start learning this pattern below$",
        r"^Jump into concepts and practice.*$",
        r"^or$",
        r"^Recommended$",
        r"^Test this pattern.*$",
    )
)
_CHALLENGE_FURNITURE = re.compile(r"^Test your skills under time pressure!?$")
_BADGE_RULE = re.compile(r"\bbadge\b", re.IGNORECASE)
_CATEGORIES = (
    "framework",
    "language",
    "library",
    "database",
    "tool",
    "tools",
    "platform",
    "concept",
    "pattern",
    "runtime",
    "protocol",
    "service",
    "cloud",
    "testing",
)


@dataclass
class _Draft:
    """A question being read off the page, before ids are given out."""

    section: Section
    number: int
    line: int
    id_source: str
    prompt: str = ""
    title: str = ""
    kind: str = ""
    level: str = ""
    time_limit: int | None = None
    attempts: int | None = None
    code: Code | None = None
    choices: list[Choice] = field(default_factory=list)
    answer: str = ""
    hint: str = ""
    solution: list[SolutionStep] = field(default_factory=list)
    common_mistakes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.section.value} {self.number}"


class _PageReader:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = split_lines(text)
        self.errors: list[Problem] = []
        self.warnings: list[ImportWarning] = []
        self.drafts: list[_Draft] = []

    # Line numbers in messages are 1-based; indexes into self.lines are 0-based.
    def error(self, index: int, message: str) -> None:
        self.errors.append(Problem(self.path, index + 1, 0, message))

    def warn(self, kind: WarningKind, index: int, message: str, draft: _Draft | None) -> None:
        # Drafts are listed before anything is said about them; their index is the question's.
        question = None
        if draft is not None:
            question = next(i for i, listed in enumerate(self.drafts) if listed is draft)
        self.warnings.append(ImportWarning(kind, index + 1, message, question))

    def cannot_place(self, index: int, where: str) -> None:
        self.error(index, f"cannot place this line {where}: {self.lines[index].strip()[:70]!r}")

    def read(self) -> ImportedPage:
        lines = self.lines
        if not any(line.strip() for line in lines):
            raise InputError([Problem(self.path, 1, 0, "the page is empty")])
        challenge_at = next(
            (i for i, line in enumerate(lines) if _CHALLENGE_HEADER.match(line.strip())), None
        )
        start = challenge_at if challenge_at is not None else 0
        practice_at = next(
            (i for i in range(start, len(lines)) if lines[i].strip() == _PRACTICE_HEADER), None
        )
        header_end = min(i for i in (challenge_at, practice_at, len(lines)) if i is not None)
        title, topic, minutes, tags = self.read_header(header_end)
        badge = None
        if challenge_at is not None:
            badge = self.read_challenges(
                challenge_at, practice_at if practice_at is not None else len(lines)
            )
        if practice_at is not None:
            self.read_practice(practice_at, len(lines))
        if challenge_at is None and practice_at is None:
            self.error(
                header_end - 1 if header_end else 0,
                "found neither 'Challenge - N Problems' nor 'Practice': is this a quiz page?",
            )
        if self.errors:
            raise InputError(self.errors)
        deck = Deck(
            id=slugify(title, 60),
            title=title,
            topic=topic,
            estimated_minutes=minutes,
            badge=badge,
            tags=tags,
            questions=self.questions(),
            source_path=self.path,
        )
        warnings = sorted(self.warnings, key=lambda warning: (warning.line, warning.kind.value))
        return ImportedPage(deck=deck, warnings=tuple(warnings), path=self.path)

    def questions(self) -> tuple[Question, ...]:
        taken: set[str] = set()
        questions = []
        for draft in self.drafts:
            question_id = unique_id(slugify(draft.id_source), taken)
            questions.append(
                Question(
                    id=question_id,
                    section=draft.section,
                    prompt=draft.prompt,
                    choices=tuple(draft.choices),
                    answer=draft.answer,
                    title=draft.title,
                    kind=draft.kind,
                    level=draft.level,
                    time_limit=draft.time_limit or DEFAULT_TIME_LIMIT,
                    attempts=draft.attempts or DEFAULT_ATTEMPTS,
                    code=draft.code,
                    hint=draft.hint,
                    solution=tuple(draft.solution),
                    common_mistakes=tuple(draft.common_mistakes),
                    lines={"": draft.line},
                )
            )
        return tuple(questions)

    # --- header ---------------------------------------------------------------------------------

    def read_header(self, end: int) -> tuple[str, str, int | None, tuple[str, ...]]:
        lines = self.lines
        topic_at = next((i for i in range(end) if _TOPIC.match(lines[i].strip())), None)
        title_at = next((i for i in range(end) if _TITLE.match(lines[i].strip())), None)
        if title_at is None:
            self.error(
                0, "no title line ('<title> - Challenge Your Understanding') before the questions"
            )
            title = "Imported quiz"
        else:
            title = _TITLE.match(lines[title_at].strip())["title"]  # type: ignore[index]
        topic, minutes, tags = "", None, ()
        if topic_at is not None:
            match = _TOPIC.match(lines[topic_at].strip())
            assert match is not None
            topic, minutes = match["topic"], int(match["minutes"])
            if not 1 <= minutes <= 1440:
                self.error(topic_at, "the estimated time must be 1 to 1440 minutes")
            for category in _CATEGORIES:
                # "Djangoframework": the topic chip and its category, glued together on the page.
                if topic.endswith(category) and len(topic) > len(category):
                    topic, tags = topic[: -len(category)].rstrip(" -·|"), (category,)
                    break
        first_anchor = min(i for i in (topic_at, title_at, end) if i is not None)
        for index in range(end):
            line = lines[index].strip()
            if not line or index in (topic_at, title_at):
                continue
            if index < first_anchor and _REACTION.match(line):
                continue
            if any(pattern.match(line) for pattern in _HEADER_FURNITURE):
                continue
            self.cannot_place(index, "in the page header")
        return title, topic, minutes, tags

    # --- challenges -----------------------------------------------------------------------------

    def read_challenges(self, header_at: int, end: int) -> Badge | None:
        lines = self.lines
        match = _CHALLENGE_HEADER.match(lines[header_at].strip())
        assert match is not None
        announced = int(match[1])
        starts = [
            i
            for i in range(header_at + 1, end - 3)
            if _TIMER.match(lines[i + 2].strip()) and lines[i].strip() and lines[i + 1].strip()
        ]
        badge_name, badge_rule = "", ""
        for index in range(header_at + 1, starts[0] if starts else end):
            line = lines[index].strip()
            if (
                not line
                or not any(char.isalnum() for char in line)
                or _CHALLENGE_FURNITURE.match(line)
            ):
                continue  # blank, the badge's icon, or a banner
            if _BADGE_RULE.search(line) and not badge_rule:
                badge_rule = line
            elif not badge_name:
                badge_name = line
            else:
                self.cannot_place(index, "between 'Challenge - N Problems' and the first challenge")
        if not starts:
            self.error(
                header_at,
                "no challenges follow (each starts with kind, level and 'M:SSremaining' lines)",
            )
            return None
        if announced != len(starts):
            self.warn(
                WarningKind.COUNT_MISMATCH,
                header_at,
                f"the page announces {announced} challenges but has {len(starts)}",
                None,
            )
        for number, (start, stop) in enumerate(zip(starts, [*starts[1:], end], strict=False), 1):
            self.read_challenge(start, stop, number)
        return Badge(badge_name, badge_rule) if badge_name else None

    def read_challenge(self, start: int, end: int, number: int) -> None:
        lines = self.lines
        title_at = start + 3
        draft = _Draft(Section.CHALLENGE, number, start + 1, lines[title_at].strip())
        draft.title = lines[title_at].strip()
        draft.kind = self.word(start, "kind")
        draft.level = self.word(start + 1, "level")
        timer = _TIMER.match(lines[start + 2].strip())
        assert timer is not None
        draft.time_limit = int(timer[1]) * 60 + int(timer[2])
        if not 5 <= draft.time_limit <= 3600:
            self.error(start + 2, f"challenge {number}: a time limit must be 0:05 to 60:00")
        if not draft.title:
            self.error(title_at, "expected the challenge's title after its timer")
            return
        attempts_at = next(
            (i for i in range(title_at + 1, end) if _ATTEMPTS.match(lines[i].strip())), None
        )
        hint_at = next((i for i in range(title_at + 1, end) if _is_hint_header(lines[i])), None)
        choices_end = min(i for i in (attempts_at, hint_at, end) if i is not None)
        choices_at, choices = None, None
        for index in range(title_at + 1, choices_end):
            if lines[index].startswith("A"):
                choices = self.challenge_choices(index, choices_end)
                if choices:
                    choices_at = index
                    break
        if choices is None or choices_at is None:
            self.error(
                title_at,
                f"challenge {number}: found no lettered choices ('AText...' lines, or "
                "'A' alone before a code choice) before its Attempts/Hint lines",
            )
            return
        draft.choices = choices
        self.drafts.append(draft)
        self.warn(
            WarningKind.NO_ANSWER_KEY,
            title_at,
            f"{draft.label} has no answer key on the page: decide the right choice and add "
            "'answer: <letter>'",
            draft,
        )
        self.prompt_and_code(draft, range(title_at + 1, choices_at), lead=None)
        after_attempts = choices_end
        if attempts_at is not None and attempts_at == choices_end:
            inline = _ATTEMPTS.match(lines[attempts_at].strip())
            assert inline is not None
            after_attempts = attempts_at + 1
            if inline[1]:
                draft.attempts = int(inline[1])
            elif after_attempts < end and _ATTEMPTS_LEFT.match(lines[after_attempts].strip()):
                draft.attempts = int(lines[after_attempts].split()[0])
                after_attempts += 1
            else:
                self.error(attempts_at, "expected 'Attempts: N left' or 'Attempts:' then 'N left'")
        for index in range(after_attempts, hint_at if hint_at is not None else end):
            if lines[index].strip():
                self.cannot_place(index, f"after challenge {number}'s choices")
        if draft.attempts is not None and not 1 <= draft.attempts <= 5:
            self.error(attempts_at or title_at, f"challenge {number}: attempts must be 1 to 5")
        if hint_at is not None:
            # The hint is one paragraph: placing a later one (a footer?) would be a guess.
            first = next((i for i in range(hint_at + 1, end) if lines[i].strip()), end)
            stop = next((i for i in range(first, end) if not lines[i].strip()), end)
            draft.hint = join_text(lines[first:stop])
            for index in range(stop, end):
                if lines[index].strip():
                    self.cannot_place(index, f"after challenge {number}'s hint")

    def word(self, index: int, what: str) -> str:
        """A kind or level line as a slug word: '🧠 Conceptual' -> 'conceptual'."""
        text = re.sub(r"^[^A-Za-z]+", "", self.lines[index].strip())
        word = re.sub(r"[\s-]+", "_", text.strip()).lower()
        if not _LEVEL.match(word):
            self.error(
                index,
                f"expected the challenge's {what} (a word such as "
                f"{'conceptual' if what == 'kind' else 'intermediate'}), "
                f"found {self.lines[index].strip()!r}",
            )
            return ""
        return word

    def challenge_choices(self, start: int, end: int) -> list[Choice] | None:
        """Choices from ``start`` up to ``end``, or None if those lines are not a choice list."""
        lines = self.lines
        choices: list[Choice] = []
        index = start
        while index < end:
            line = lines[index]
            if not line.strip():
                index += 1
                continue
            if len(choices) >= len(LETTERS):
                return None
            letter = LETTERS[len(choices)]
            following = LETTERS[len(choices) + 1] if len(choices) + 1 < len(LETTERS) else None
            if line.strip() == letter:
                stop = _next_choice(lines, index + 1, end, following)
                source = code_text(lines[index + 1 : stop])
                if not source:
                    return None
                choices.append(Choice(letter, code=Code(source, guess_language(source))))
                index = stop
            elif line.startswith(letter) and len(line) > 1 and not line[1].isspace():
                choices.append(Choice(letter, text=line[1:]))
                index += 1
            else:
                return None
        return choices if len(choices) >= 2 else None

    # --- prompts --------------------------------------------------------------------------------

    def prompt_and_code(self, draft: _Draft, indexes: Iterable[int], lead: str | None) -> None:
        """Split a question's wording from its code: prose is the prompt, code goes to ``code``."""
        paragraphs: list[str] = [markdown_paragraph(lead)] if lead else []
        blocks: list[tuple[int, list[str]]] = []
        current: list[str] | None = None
        blanks: list[str] = []
        for index in indexes:
            line = self.lines[index]
            if not line.strip():
                if current is not None:
                    blanks.append("")
                continue
            if looks_like_code(line, inside_code=current is not None):
                if current is None:
                    current = []
                    blocks.append((index, current))
                current.extend(blanks)
                current.append(line)
                blanks = []
            else:
                current, blanks = None, []
                paragraphs.append(markdown_paragraph(line.strip()))
        for position, (index, block) in enumerate(blocks):
            source = code_text(block)
            if position == 0:
                draft.code = Code(source, guess_language(source))
                continue
            # The model has one code block per question; later ones stay visible in the prompt.
            paragraphs.append(f"```{guess_language(source)}\n{source}```")
            self.warn(
                WarningKind.EXTRA_CODE,
                index,
                f"{draft.label} has more than one code block; the extra one is in the prompt as a "
                "fenced block: check where it belongs",
                draft,
            )
        if not paragraphs:
            self.error(draft.line - 1, f"{draft.label} has no wording (prompt) before its choices")
        draft.prompt = "\n\n".join(paragraphs) + ("\n" if len(paragraphs) > 1 else "")

    # --- practice -------------------------------------------------------------------------------

    def read_practice(self, header_at: int, end: int) -> None:
        lines = self.lines
        announced = None
        starts: list[int] = []
        for index in range(header_at + 1, end):
            match = _NUMBERED.match(lines[index])
            if match and int(match[1]) == len(starts) + 1:
                starts.append(index)
        for index in range(header_at + 1, starts[0] if starts else end):
            progress = _PROGRESS.match(lines[index].strip())
            if progress and announced is None:
                announced = int(progress[2])
            elif lines[index].strip():
                self.cannot_place(index, "before the first practice question ('1. ...')")
        if not starts:
            self.error(header_at, "'Practice' is not followed by numbered questions ('1. ...')")
            return
        if announced is not None and announced != len(starts):
            self.warn(
                WarningKind.COUNT_MISMATCH,
                header_at,
                f"the page announces {announced} practice questions but has {len(starts)}",
                None,
            )
        for number, (start, stop) in enumerate(zip(starts, [*starts[1:], end], strict=False), 1):
            self.read_practice_question(start, stop, number)

    def read_practice_question(self, start: int, end: int, number: int) -> None:
        lines = self.lines
        lead = _NUMBERED.match(lines[start])[2].strip()  # type: ignore[index]
        draft = _Draft(Section.PRACTICE, number, start + 1, lead)
        first_choice = next(
            (
                i
                for i in range(start + 1, end)
                if (m := _PRACTICE_CHOICE.match(lines[i].strip()))
                and m[1] == "A"
                and not lines[i][0].isspace()
            ),
            None,
        )
        if first_choice is None:
            self.error(start, f"practice {number}: found no choices ('A. ...')")
            return
        prompt_end = first_choice
        if first_choice - 1 > start and _LEVEL.match(lines[first_choice - 1].strip()):
            prompt_end = first_choice - 1
            draft.level = lines[prompt_end].strip()
        self.drafts.append(draft)
        self.prompt_and_code(draft, range(start + 1, prompt_end), lead=lead)
        index = self.practice_choices(draft, first_choice, end)
        final_at = quick_at = None
        quick_letter = ""
        step_lines: list[tuple[int, str]] = []
        mistakes_open = False
        while index < end:
            line = lines[index].strip()
            if not line:
                index += 1
            elif line == "Solution" or (draft.solution and _STEP.match(lines[index])):
                # A step after a stray line continues the solution rather than adding errors.
                index, steps = self.solution(index + (line == "Solution"), end, number)
                for title, text_lines in steps:
                    text = join_text(
                        textwrap.dedent("\n".join(t for _, t in text_lines)).split("\n")
                    )
                    plain_title = title.rstrip(":").strip() if title.endswith(":") else title
                    draft.solution.append(SolutionStep(plain_title, text))
                    text_at = next((i for i, t in text_lines if t.strip()), None)
                    if plain_title.casefold() == "final answer":
                        final_at = text_at
                        self.final_answer(draft, text, text_at if text_at is not None else index)
                    elif plain_title.casefold() == "quick check":
                        quick_at = text_at
                        found = _QUICK_LETTER.search(text.strip())
                        quick_letter = found[1] if found else ""
                    else:
                        step_lines.extend((i, t) for i, t in text_lines if t.strip())
            elif match := _PRACTICE_HINT.match(line):
                draft.hint = match[1].strip()
                index += 1
            elif line == "Common Mistakes:" or (mistakes_open and _BULLET.match(line)):
                # Bullets after a stray line still belong to the list rather than adding errors.
                mistakes_open = True
                index += line == "Common Mistakes:"
                while index < end and (bullet := _BULLET.match(lines[index])):
                    draft.common_mistakes.append(bullet[1].strip())
                    index += 1
            else:
                self.cannot_place(index, f"in practice {number}")
                index += 1
        if final_at is None:
            self.warn(
                WarningKind.NO_ANSWER_KEY,
                start,
                f"{draft.label} has no 'Final Answer: ... -> Option X'; add 'answer: <letter>'",
                draft,
            )
        if draft.answer and quick_letter and quick_letter != draft.answer and quick_at is not None:
            self.warn(
                WarningKind.QUICK_CHECK_DISAGREES,
                quick_at,
                f"{draft.label}: the Quick Check says {quick_letter} but the Final Answer is "
                f"{draft.answer}; fix the Quick Check step",
                draft,
            )
        if draft.answer:
            for index, text in step_lines:
                for found in _CALLED_WRONG.finditer(text):
                    letters = set(re.findall(r"[A-F]", found["many"] or found["one"]))
                    if draft.answer in letters:
                        self.warn(
                            WarningKind.SOLUTION_CONTRADICTS_ANSWER,
                            index,
                            f"{draft.label}: the solution calls the answer ({draft.answer}) wrong: "
                            f"{found[0]!r}; fix the solution",
                            draft,
                        )

    def practice_choices(self, draft: _Draft, start: int, end: int) -> int:
        """Read 'A. text' lines (or 'A.' alone, then code) into the draft; return the next index."""
        lines = self.lines
        index = start
        while index < end and len(draft.choices) < len(LETTERS):
            match = _PRACTICE_CHOICE.match(lines[index])
            letter = LETTERS[len(draft.choices)]
            if not match or match[1] != letter:
                break
            if match[2]:
                draft.choices.append(Choice(letter, text=match[2]))
                index += 1
                continue
            following = (
                LETTERS[len(draft.choices) + 1] if len(draft.choices) + 1 < len(LETTERS) else None
            )
            stop = _next_practice_choice(lines, index + 1, end, following)
            source = code_text(lines[index + 1 : stop])
            if not source:
                self.error(index, f"practice {draft.number}: choice {letter} is empty")
                source = "?"
            draft.choices.append(Choice(letter, code=Code(source, guess_language(source))))
            index = stop
        if len(draft.choices) < 2:
            self.error(
                start, f"practice {draft.number}: needs at least two choices ('A. ...', 'B. ...')"
            )
        return index

    def solution(
        self, start: int, end: int, number: int
    ) -> tuple[int, list[tuple[str, list[tuple[int, str]]]]]:
        """Numbered steps ('  1. Title' then indented text) up to the next unindented line."""
        lines = self.lines
        steps: list[tuple[str, list[tuple[int, str]]]] = []
        index = start
        while index < end:
            line = lines[index]
            if not line.strip():
                if steps:
                    steps[-1][1].append((index, ""))
                index += 1
                continue
            if not line[0].isspace():
                break
            match = _STEP.match(line)
            if match:
                steps.append((match[2].strip(), []))
            elif steps:
                steps[-1][1].append((index, line))
            else:
                self.cannot_place(
                    index, f"in practice {number}'s solution (expected '  1. Step 1: ...')"
                )
            index += 1
        return index, steps

    def final_answer(self, draft: _Draft, text: str, index: int) -> None:
        match = _FINAL.match(text.strip())
        if not match:
            self.warn(
                WarningKind.NO_ANSWER_KEY,
                index,
                f"{draft.label}: the Final Answer does not end in '-> Option X'; "
                "add 'answer: <letter>'",
                draft,
            )
            return
        letter, stated = match["letter"], match["text"]
        choice = next((c for c in draft.choices if c.letter == letter), None)
        if choice is None:
            self.warn(
                WarningKind.FINAL_ANSWER_MISMATCH,
                index,
                f"{draft.label}: the Final Answer names option {letter}, which does not exist; "
                "add 'answer: <letter>'",
                draft,
            )
            return
        draft.answer = letter
        if normalized(stated) != normalized(choice.display()):
            self.warn(
                WarningKind.FINAL_ANSWER_MISMATCH,
                index,
                f"{draft.label}: the Final Answer's text {stated!r} is not option {letter} "
                f"({choice.display()!r}); check the answer",
                draft,
            )


def _is_hint_header(line: str) -> bool:
    return re.sub(r"^[^A-Za-z]+", "", line.strip()) == "Hint"


def _next_choice(lines: Sequence[str], start: int, end: int, letter: str | None) -> int:
    """Where a multi-line (code) choice ends: at the next letter alone on a line, else glued."""
    if letter is None:
        return end
    alone = next((i for i in range(start, end) if lines[i].strip() == letter), None)
    if alone is not None:
        return alone
    return next(
        (
            i
            for i in range(start, end)
            if lines[i].startswith(letter) and len(lines[i]) > 1 and not lines[i][1].isspace()
        ),
        end,
    )


def _next_practice_choice(lines: Sequence[str], start: int, end: int, letter: str | None) -> int:
    for index in range(start, end):
        line = lines[index]
        if letter and (match := _PRACTICE_CHOICE.match(line)) and match[1] == letter:
            return index
        if line.strip() == "Solution" or _PRACTICE_HINT.match(line) or line == "Common Mistakes:":
            return index
    return end


def parse_page(text: str, path: str = "<page>") -> ImportedPage:
    """Read a quiz page. Raises InputError naming every line that cannot be placed."""
    return _PageReader(text, path).read()


def read_page(path: str | Path) -> ImportedPage:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), 0, 0, "no such file")]) from None
    except UnicodeDecodeError as error:
        raise InputError([Problem(str(path), 0, 0, f"not UTF-8 text ({error.reason})")]) from None
    except OSError as error:
        raise InputError([Problem(str(path), 0, 0, error.strerror or str(error))]) from None
    return parse_page(text, str(path))
