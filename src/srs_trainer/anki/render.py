"""Questions to Anki note fields (HTML), and the note type's templates and CSS.

Author text is Markdown whose raw HTML shows as text (``<script>`` or ``</div>`` in a prompt),
except a sanitised subset (``markdown.sanitize``: tables, sub/sup, images...). Local images are
re-addressed to the files bundled into the package afterwards (``media``), so that a rendered
field depends on the question's text alone and the render cache can keep it.

Code is highlighted at build time with Pygments into CSS classes whose
colours live in the note type's CSS (a light and a night-mode palette): cards need no network,
no add-on and no JavaScript to look right. JavaScript only adds the pick marking.

Rendering is a pure function of a question and the deck fields listed in ``deck_context``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ..deck.model import Choice, Code, Deck, Question, QuestionType, Section
from ..markdown.html import escape as html_escape
from ..markdown.html import to_html
from ..markdown.parse import parse
from ..markdown.subset import parse_exact
from ..markdown.tree import Document, Fence

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer



FIELDS: tuple[str, ...] = (
    "Id",
    "Title",
    "Prompt",
    "Code",
    "Choices",
    "Answer",
    "Hint",
    "TimeLimit",
    "Explanation",
    "Solution",
    "Mistakes",
    "Meta",
)
# The browser's sort column shows the prompt; the first field (Anki's duplicate check) is the
# unique id, because quiz prompts such as "What error will this raise?" repeat.
SORT_FIELD = FIELDS.index("Prompt")

LIGHT_STYLE = "default"
DARK_STYLE = "monokai"
CODE_CLASS = "srs-hl"


#: The ``type`` of a note built as a kept note type: this and the note type's Anki id.
KEPT = "anki-"


@dataclass(frozen=True)
class RenderedNote:
    """A question as Anki note content: one HTML string per field of its note type, and tags.

    ``type`` is the question type (a ``QuestionType`` value), which names the note type; a
    choice note's fields are FIELDS, the others' are in ``card_types``.
    """

    fields: tuple[str, ...]
    tags: tuple[str, ...]
    type: str = "choice"

    @property
    def names(self) -> tuple[str, ...]:
        if self.type == "choice":
            return FIELDS
        from .card_types import fields_of

        return fields_of(self.type)

    @property
    def kept(self) -> bool:
        """Whether its note type is one kept from an imported deck (``kept_note_types``)."""
        return self.type.startswith(KEPT)

    def field(self, name: str) -> str:
        return self.fields[self.names.index(name)]

    def to_dict(self) -> dict[str, Any]:
        # A kept note type's field names are the deck's, not ours: its fields go as a list.
        fields: list[str] | dict[str, str] = list(self.fields) if self.kept else dict(
            zip(self.names, self.fields, strict=True))
        data: dict[str, Any] = {"fields": fields, "tags": list(self.tags)}
        if self.type != "choice":
            data["type"] = self.type
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderedNote:
        note = cls(fields=(), tags=tuple(data["tags"]), type=data.get("type", "choice"))
        if isinstance(data["fields"], list):
            return cls(tuple(data["fields"]), note.tags, note.type)
        return cls(tuple(data["fields"][name] for name in note.names), note.tags, note.type)


# --- HTML pieces --------------------------------------------------------------------------------


def escape(text: str) -> str:
    """HTML-escape as markdown-it does (&, <, >, "), so plain and Markdown paths agree."""
    return html_escape(text)


def _tree(text: str) -> Document:
    # Most author text is inside the subset the pure-Python parser is sure of; markdown-it
    # (imported on first need) reads the rest. Both give the same tree (tests/markdown/).
    exact = parse_exact(text)
    return exact if exact is not None else parse(text)


@cache
def _markdown() -> MarkdownIt:
    """markdown-it set up as the export renders (fences highlighted): the tests' reference."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "highlight": _highlight_fence})


def markdown(text: str) -> str:
    """Author Markdown as HTML; raw HTML in the text is shown as text."""
    if not text:
        return ""
    return to_html(_tree(text), _highlight_source)


@cache
def _formatter() -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass=CODE_CLASS)


@cache
def _lexer(language: str) -> Lexer:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    from .code_lexing import fast_lexing

    try:
        return fast_lexing(get_lexer_by_name(language))
    except ClassNotFound:
        # An unknown language is a lint warning, not a build failure: show the code unhighlighted.
        return get_lexer_by_name("text")


def highlight(code: Code) -> str:
    from pygments import highlight as pygments_highlight

    return pygments_highlight(code.source, _lexer(code.language.lower()), _formatter())


def _highlight_source(source: str, language: str) -> str:
    # A fence without a language stays plain.
    return highlight(Code(source, language)) if language else ""


def _highlight_fence(source: str, language: str, _attrs: Any) -> str:
    return _highlight_source(source, language)


# A line that Markdown renders as one paragraph of the same text: no character that could start
# a block or mark up, escape or break a line, and no space at either end (paragraphs strip it).
_PLAIN_LINE = re.compile(r"[A-Za-z](?:[A-Za-z0-9 ,.;:?'()/%=-]*[A-Za-z0-9,.;:?'()/%=-])?")
# Such a line with `code` spans and **strong** words in it ("_" allowed in code), one paragraph
# too. Their text has no space at either end (CommonMark would strip one, or not take ** for
# strong), and plain text sits between any two of them (backtick or star runs of other lengths
# mean other things); a final line break is dropped, as Markdown does.
_SPAN = r"`[A-Za-z0-9_,.;:?'()/%=-](?:[A-Za-z0-9_ ,.;:?'()/%=-]*[A-Za-z0-9_,.;:?'()/%=-])?`"
_STRONG = r"\*\*[A-Za-z0-9](?:[A-Za-z0-9 ,.;:?'()/%=-]*[A-Za-z0-9])?\*\*"
_MARKED_LINE = re.compile(
    rf"[A-Za-z][A-Za-z0-9 ,.;:?'()/%=-]*(?:(?:{_SPAN}|{_STRONG})[A-Za-z0-9 ,.;:?'()/%=-]+)*"
    rf"(?:{_SPAN}|{_STRONG})?\n?"
)
_MARKED = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*")


def _marked_html(match: re.Match[str]) -> str:
    code, strong = match.groups()
    return f"<code>{code}</code>" if code is not None else f"<strong>{strong}</strong>"


@dataclass
class Fragments:
    """Markdown and highlighted code already rendered, by content hash.

    A build keeps them between runs, so re-rendering an edited question pays for Markdown and
    Pygments (their imports, lexer set-up and work) only for the parts that changed.
    """

    known: Mapping[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)

    def fetch(self, kind: str, content: str, make: Callable[[], str]) -> str:
        key = kind + hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]
        html = self.used.get(key)
        if html is None:
            html = self.known.get(key)
            self.used[key] = html = make() if html is None else html
        return html

    def markdown(self, text: str) -> str:
        if not text:
            return ""
        if _PLAIN_LINE.fullmatch(text):  # most hints, choices and mistakes: one plain sentence
            return f"<p>{text}</p>\n"
        # Most prompts and explanations: one sentence with `code` or **strong** words.
        if text[-1:] != " " and text[-2:] != " \n" and _MARKED_LINE.fullmatch(text):
            body = _MARKED.sub(_marked_html, text.removesuffix("\n"))
            return f"<p>{body}</p>\n"
        exact = parse_exact(text)  # cheaper than a lookup, unless Pygments has code to colour
        if exact is not None and not any(isinstance(block, Fence) for block in exact.children):
            return to_html(exact)
        return self.fetch("m", text, lambda: markdown(text))

    def highlight(self, code: Code) -> str:
        return self.fetch("c", f"{code.language}\0{code.source}", lambda: highlight(code))


def choices_html(choices: tuple[Choice, ...], fragments: Fragments | None = None) -> str:
    parts = fragments or Fragments()
    items = []
    for choice in choices:
        body = parts.markdown(choice.text) + (parts.highlight(choice.code) if choice.code else "")
        items.append(
            f'<li class="srs-choice" data-letter="{choice.letter}">'
            f'<span class="srs-letter">{choice.letter}</span>'
            f'<div class="srs-choice-body">{body}</div></li>'
        )
    return '<ol class="srs-choice-list">' + "".join(items) + "</ol>"


def time_limit_text(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def meta_html(question: Question) -> str:
    parts = [
        ("srs-section", "Challenge" if question.section is Section.CHALLENGE else "Practice"),
        ("srs-kind", question.kind_label),
        ("srs-level", question.level),
    ]
    return " · ".join(f'<span class="{cls}">{escape(text)}</span>' for cls, text in parts if text)


def question_tags(deck: Deck, question: Question) -> tuple[str, ...]:
    """Anki's hierarchical tags: where the question sits, then the deck's and its own tags."""
    tags = [f"section::{question.section.value}"]
    if question.kind:
        tags.append(f"kind::{question.kind}")
    if question.level:
        tags.append(f"level::{question.level}")
    tags.extend(deck.tags)
    tags.extend(question.tags)
    return tuple(dict.fromkeys(tags))


def deck_context(deck: Deck) -> tuple[str, ...]:
    """The deck fields a question's rendering depends on (part of render cache keys)."""
    if not deck.anki_note_types:
        return (deck.id, *deck.tags)
    import json

    kept = json.dumps([kind.to_dict() for kind in deck.anki_note_types], sort_keys=True)
    return (deck.id, *deck.tags, kept)


def render_question(
    deck: Deck, question: Question, fragments: Fragments | None = None
) -> RenderedNote:
    """The note of a question; ``fragments`` supplies and collects rendered Markdown and code."""
    parts = fragments or Fragments()
    if question.anki_note_type:
        from .kept_note_types import render_kept

        return render_kept(deck, question, parts)
    if question.type is not QuestionType.CHOICE:
        from .card_types import render_other

        return render_other(deck, question, parts)
    fields = common_fields(deck, question, parts)
    fields["Prompt"] = parts.markdown(question.prompt)
    fields["Choices"] = choices_html(question.choices, parts)
    fields["Answer"] = question.answer
    fields["TimeLimit"] = time_limit_text(question.time_limit)
    return RenderedNote(fields=field_values(fields, FIELDS), tags=question_tags(deck, question))


def common_fields(deck: Deck, question: Question, parts: Fragments) -> dict[str, str]:
    """The fields every note type has: identity, title, code, hint and what the back explains."""
    markdown = parts.markdown
    solution = "".join(
        f"<li><strong>{escape(step.title)}</strong>{markdown(step.text)}</li>"
        for step in question.solution
    )
    mistakes = "".join(f"<li>{markdown(text)}</li>" for text in question.common_mistakes)
    return {
        "Id": f"{deck.id}/{question.id}",
        "Title": escape(question.title),
        "Code": parts.highlight(question.code) if question.code else "",
        "Hint": markdown(question.hint),
        "Explanation": markdown(question.explanation),
        "Solution": f'<ol class="srs-steps">{solution}</ol>' if solution else "",
        "Mistakes": f'<ul class="srs-mistakes">{mistakes}</ul>' if mistakes else "",
        "Meta": meta_html(question),
    }


def field_values(fields: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, ...]:
    # 0x1F separates fields inside Anki's notes table; an escaped one in YAML must not split them.
    return tuple(fields[name].replace("\x1f", "\ufffd") for name in names)


def deck_description(deck: Deck, fragments: Fragments | None = None) -> str:
    parts = [(fragments or Fragments()).markdown(deck.description)]
    if deck.badge is not None:
        rule = f" {escape(deck.badge.rule)}" if deck.badge.rule else ""
        parts.append(f"<p>Badge: <strong>{escape(deck.badge.name)}</strong>.{rule}</p>\n")
    return "".join(parts)


# --- the note type --------------------------------------------------------------------------

HEADER = """\
<div class="srs-meta">{{Meta}}</div>
{{#Title}}<h2 class="srs-title">{{Title}}</h2>{{/Title}}
<div class="srs-prompt">{{Prompt}}</div>
{{#Code}}<div class="srs-code">{{Code}}</div>{{/Code}}
"""

# The front remembers the learner's pick in a global (Anki desktop, AnkiDroid and AnkiMobile
# usually keep one web view for both sides) and in sessionStorage (for clients that load the
# back into a fresh page). Both are keyed by the note's Id so a pick never leaks to another card.
_FRONT_SCRIPT = """\
<script>
(function () {
  var card = document.getElementById("srs-front");
  if (!card) { return; }
  var id = card.getAttribute("data-id");
  var key = "srs-trainer-pick:" + id;
  window.srsTrainerPick = null;
  try { sessionStorage.removeItem(key); } catch (e) {}
  var choices = card.querySelectorAll(".srs-choice");
  function pick(choice) {
    var letter = choice.getAttribute("data-letter");
    window.srsTrainerPick = {id: id, letter: letter};
    try { sessionStorage.setItem(key, letter); } catch (e) {}
    for (var i = 0; i < choices.length; i++) { choices[i].classList.remove("srs-selected"); }
    choice.classList.add("srs-selected");
  }
  for (var i = 0; i < choices.length; i++) {
    (function (choice) {
      choice.setAttribute("role", "button");
      choice.setAttribute("tabindex", "0");
      choice.addEventListener("click", function () { pick(choice); });
      choice.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pick(choice); }
      });
    })(choices[i]);
  }
  card.classList.add("srs-js");
})();
</script>"""

_BACK_SCRIPT = """\
<script>
(function () {
  var card = document.getElementById("srs-back");
  if (!card) { return; }
  var id = card.getAttribute("data-id");
  var letter = null;
  var remembered = window.srsTrainerPick;
  if (remembered && remembered.id === id) { letter = remembered.letter; }
  if (!letter) { try { letter = sessionStorage.getItem("srs-trainer-pick:" + id); } catch (e) {} }
  if (!letter || !/^[A-F]$/.test(letter)) { return; }
  var answer = card.querySelector(".srs-choices").getAttribute("data-answer");
  var choice = card.querySelector('.srs-choice[data-letter="' + letter + '"]');
  if (!choice) { return; }
  var right = letter === answer;
  choice.classList.add("srs-picked", right ? "srs-right" : "srs-wrong");
  var result = document.getElementById("srs-result");
  result.textContent = right
    ? "Your pick, " + letter + ", is right."
    : "Your pick, " + letter + ", is wrong. The answer is " + answer + ".";
  result.className = "srs-result " + (right ? "srs-right" : "srs-wrong");
  result.hidden = false;
})();
</script>"""

HINT = '{{#Hint}}<details class="srs-hint"><summary>Hint</summary>{{Hint}}</details>{{/Hint}}\n'
# What every back shows after the answer.
BACK_SECTIONS = (
    '{{#Explanation}}<section class="srs-explanation"><h3>Explanation</h3>'
    + "{{Explanation}}</section>{{/Explanation}}\n"
    + '{{#Solution}}<section class="srs-solution"><h3>Solution</h3>{{Solution}}</section>'
    + "{{/Solution}}\n"
    + '{{#Mistakes}}<section class="srs-mistakes-section"><h3>Common mistakes</h3>'
    + "{{Mistakes}}</section>{{/Mistakes}}\n"
)

FRONT_TEMPLATE = (
    '<div class="srs-card srs-front" id="srs-front" data-id="{{text:Id}}">\n'
    + HEADER
    + '<div class="srs-choices">{{Choices}}</div>\n'
    + HINT
    + '<div class="srs-time">Time limit {{TimeLimit}}</div>\n'
    + "</div>\n"
    + _FRONT_SCRIPT
)

BACK_TEMPLATE = (
    '<div class="srs-card srs-back" id="srs-back" data-id="{{text:Id}}">\n'
    + HEADER
    + '<div class="srs-choices" data-answer="{{text:Answer}}">{{Choices}}</div>\n'
    + '<p class="srs-result" id="srs-result" hidden></p>\n'
    + '<hr id="answer">\n'
    + '<p class="srs-answer">Answer: <strong>{{Answer}}</strong></p>\n'
    + BACK_SECTIONS
    + "</div>\n"
    + _BACK_SCRIPT
)

_NIGHT = (".nightMode", ".night_mode")

_BASE_CSS = """\
.card { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 18px;
  text-align: left; color: #1d1d1f; background: #ffffff; line-height: 1.45; }
.srs-card { max-width: 46em; margin: 0 auto; }
.srs-meta { font-size: 0.8em; color: #6b6b73; text-transform: capitalize; }
.srs-title { font-size: 1.2em; margin: 0.3em 0; }
.srs-hl { border-radius: 6px; padding: 0.1em 0.8em; overflow-x: auto; }
.srs-hl pre { margin: 0.5em 0; font-size: 0.85em; line-height: 1.35; }
code { font-size: 0.9em; background: rgba(127, 127, 127, 0.15); border-radius: 3px;
  padding: 0 0.2em; }
.srs-choice-list { list-style: none; padding: 0; margin: 0.8em 0; }
.srs-choice { display: flex; gap: 0.6em; align-items: flex-start; border: 2px solid #d0d0d7;
  border-radius: 8px; padding: 0.4em 0.7em; margin: 0.4em 0; }
.srs-js .srs-choice { cursor: pointer; }
.srs-js .srs-choice:hover { border-color: #8a8aa0; }
.srs-letter { font-weight: 700; min-width: 1.2em; }
.srs-choice-body { flex: 1; min-width: 0; }
.srs-choice-body p { margin: 0.1em 0; }
.srs-choice.srs-selected { border-color: #3b6fd8; background: rgba(59, 111, 216, 0.1); }
.srs-hint summary { cursor: pointer; color: #6b6b73; }
.srs-time { font-size: 0.8em; color: #6b6b73; margin-top: 0.6em; }
.srs-choice.srs-wrong { border-color: #c62828; background: rgba(198, 40, 40, 0.12); }
.srs-choice.srs-wrong .srs-letter::after { content: " \\2717"; color: #c62828; }
.srs-result.srs-right { color: #2e7d32; font-weight: 600; }
.srs-result.srs-wrong { color: #c62828; font-weight: 600; }
.srs-answer { font-size: 1.05em; }
.srs-card h3 { font-size: 1em; margin: 1em 0 0.3em; }
.nightMode.card, .night_mode.card, .nightMode .card, .night_mode .card {
  color: #e6e6e6; background: #1e1e1e; }
.nightMode .srs-choice, .night_mode .srs-choice { border-color: #55555f; }
.nightMode .srs-meta, .night_mode .srs-meta, .nightMode .srs-time, .night_mode .srs-time,
.nightMode .srs-hint summary, .night_mode .srs-hint summary { color: #a8a8b3; }
.nightMode .srs-result.srs-right, .night_mode .srs-result.srs-right { color: #81c784; }
.nightMode .srs-result.srs-wrong, .night_mode .srs-result.srs-wrong { color: #ef9a9a; }
"""


def _correct_choice_css() -> str:
    # Pure CSS marks the keyed choice on the back, so it shows even where JavaScript does not run.
    selectors = ",\n".join(
        f'.srs-back .srs-choices[data-answer="{letter}"] .srs-choice[data-letter="{letter}"]'
        for letter in "ABCDEF"
    )
    marks = ",\n".join(
        f'.srs-back .srs-choices[data-answer="{letter}"] .srs-choice[data-letter="{letter}"]'
        " .srs-letter::after"
        for letter in "ABCDEF"
    )
    return (
        f"{selectors} {{ border-color: #2e7d32; background: rgba(46, 125, 50, 0.12); }}\n"
        f'{marks} {{ content: " \\2713"; color: #2e7d32; }}\n'
    )


@cache
def note_type_css() -> str:
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(f".{CODE_CLASS}")
    dark_prefixes = [f"{night} .{CODE_CLASS}" for night in _NIGHT]
    dark = HtmlFormatter(style=DARK_STYLE).get_style_defs(dark_prefixes)
    # Tokens the dark palette leaves unstyled must not keep their light colour on a dark
    # background; this reset is less specific than the palette's own rules.
    reset = ", ".join(f"{prefix} span" for prefix in dark_prefixes)
    dark_background = ", ".join(dark_prefixes)
    return (
        _BASE_CSS
        + _correct_choice_css()
        + light
        + "\n"
        + f"{reset} {{ color: #f8f8f2; background-color: transparent; font-weight: normal;"
        " font-style: normal; }\n"
        + dark
        + "\n"
        + f"{dark_background} {{ background: #272822; color: #f8f8f2; }}\n"
    )


@dataclass(frozen=True)
class NoteType:
    """Everything Anki stores about a note type, in a stable order."""

    name: str
    fields: tuple[str, ...]
    front: str
    back: str
    css: str
    sort_field: int
    type: str = "choice"  # the question type whose notes use it (or a kept one's KEPT name)
    template: str = "Multiple choice"  # the name of its first card template
    cloze: bool = False  # Anki's cloze kind: one card per deletion number
    id: int = 0  # a kept note type's own id; srs-trainer's come from deck.ids.NOTE_TYPE_IDS
    more_templates: tuple[tuple[str, str, str], ...] = ()  # (name, front, back) after the first


def note_type(name: str) -> NoteType:
    return NoteType(
        name=name,
        fields=FIELDS,
        front=FRONT_TEMPLATE,
        back=BACK_TEMPLATE,
        css=note_type_css(),
        sort_field=SORT_FIELD,
    )

