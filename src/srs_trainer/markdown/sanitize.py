"""Raw HTML in author Markdown, cut down to a safe subset when a card is rendered.

A source is shared, and whatever HTML its fields hold runs in every reader's Anki. So the
Markdown renderers let through only the elements a deck needs and Markdown cannot say
(tables, sub/superscript, line breaks, images and a few inline styles), each with a short
list of attributes; any other tag, comment or declaration shows as the text it is, as all raw
HTML did before. This runs at render time, on whatever the YAML holds: the importer's own
sanitising (importer/html_markdown.py) is not trusted to be the last word.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Element -> the attributes it keeps.
ALLOWED: dict[str, frozenset[str]] = {
    **{tag: frozenset(("class",)) for tag in (
        "table", "thead", "tbody", "tfoot", "tr", "caption", "sub", "sup", "b", "i", "em",
        "strong", "code", "pre", "span")},
    "th": frozenset(("class", "colspan", "rowspan")),
    "td": frozenset(("class", "colspan", "rowspan")),
    "br": frozenset(),
    "img": frozenset(("src", "alt", "width", "height")),
}
VOID = frozenset(("br", "img"))
_ORDER = ("src", "alt", "width", "height", "colspan", "rowspan", "class")
# Whether a text holds an allowed tag at all: only then is raw HTML parsed as HTML, so every
# other text renders exactly as before raw HTML was allowed.
ALLOWED_TAG = re.compile(r"</?(?:" + "|".join(sorted(ALLOWED, key=len, reverse=True))
                         + r")(?=[\s/>])", re.IGNORECASE)
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")
_SAFE_SCHEMES = frozenset(("http", "https"))
_NUMBER = re.compile(r"\d{1,5}%?")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    return _escape(value).replace('"', "&quot;")


def _allowed_value(tag: str, name: str, value: str) -> bool:
    if name == "src":
        scheme = _SCHEME.match(value)
        return bool(value.strip()) and (scheme is None or scheme.group(1).lower() in _SAFE_SCHEMES)
    if name in ("width", "height", "colspan", "rowspan"):
        return bool(_NUMBER.fullmatch(value.strip()))
    return True


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        keep = ALLOWED.get(tag)
        if keep is None:
            self.out.append(_escape(self.get_starttag_text() or f"<{tag}>"))
            return
        kept: dict[str, str] = {}
        for name, value in attrs:
            if (name in keep and name not in kept and value is not None
                    and _allowed_value(tag, name, value)):
                kept[name] = value if name == "alt" else value.strip()
        # In one fixed order, src first: the build finds images by ``<img src="`` (anki/media.py).
        written = "".join(f' {name}="{_attribute(kept[name])}"'
                          for name in _ORDER if name in kept)
        self.out.append(f"<{tag}{written}{' /' if tag in VOID else ''}>")
        if closed and tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in ALLOWED and tag not in VOID:
            self.out.append(f"</{tag}>")
        elif tag not in VOID:
            self.out.append(_escape(f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.out.append(_escape(data))

    def handle_comment(self, data: str) -> None:
        self.out.append(_escape(f"<!--{data}-->"))

    def handle_decl(self, decl: str) -> None:
        self.out.append(_escape(f"<!{decl}>"))

    def unknown_decl(self, data: str) -> None:
        self.out.append(_escape(f"<![{data}]>"))

    def handle_pi(self, data: str) -> None:
        self.out.append(_escape(f"<?{data}>"))


def sanitise(html: str) -> str:
    """``html`` with the allowed elements kept (other attributes dropped), the rest as text.

    Elements are not balanced here: Anki's web view closes what is left open, and an unclosed
    allowed element can only style what follows it.
    """
    parser = _Sanitiser()
    parser.feed(html)
    parser.close()
    if parser.rawdata:  # an unfinished tag at the end: text
        parser.out.append(_escape(parser.rawdata))
    return "".join(parser.out)
