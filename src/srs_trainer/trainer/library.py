"""The decks the trainer trains on, loaded through a cache of parsed sources.

Parsing YAML is the slow part of starting a session (about 0.4 s per 1,000 questions), and a
learner's sources rarely change between sessions. So each parsed source is kept in the
trainer's home (``cache/sources/``), with an index naming the source file each came from, by
its metadata and its content hash. A start stats the sources and reads the index; a deck, or a
single question, is built from its cached data the first time something asks for it. A source
that changed is parsed again, so its problems are reported exactly as ``srs lint`` reports them.

Each deck's ``digest`` (its source's content hash) tells the trainer's sync which decks changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..deck.cloze import card_keys
from ..deck.files import CACHE_FORMAT, read_cache, sha256, stat_key, write_cache
from ..deck.model import Deck, Question, QuestionType
from ..deck.problems import InputError, Problem, duplicate_deck_ids

# Bump when what the cache holds changes shape (or the meaning of a source changes).
LIBRARY_VERSION = f"library-2/{__version__}/{CACHE_FORMAT}"
INDEX_NAME = "index.bin"


@dataclass(frozen=True)
class DeckEntry:
    """What the trainer knows of a deck without building it."""

    deck_id: str
    title: str
    badge_name: str
    questions: int  # how many
    source_path: str
    digest: str  # changes whenever the deck's content may have changed
    id_line: int = 0  # where the source sets the deck id, for messages
    cards: int = 0  # how many cards its questions make (a cloze makes one per deletion)

    def to_tuple(self) -> tuple[str, str, str, int, str, str, int, int]:
        return (self.deck_id, self.title, self.badge_name, self.questions, self.source_path,
                self.digest, self.id_line, self.cards)

    @classmethod
    def of(cls, deck: Deck, digest: str) -> DeckEntry:
        cards = sum(len(card_keys(q)) for q in deck.questions)
        return cls(deck.id, deck.title, deck.badge.name if deck.badge else "",
                   len(deck.questions), deck.source_path, digest, deck.lines.get("id", 0),
                   cards)


class DeckLibrary(Mapping[str, Deck]):
    """Decks by id, in load order; each Deck (or Question) is built on first use."""

    def __init__(self, entries: Sequence[DeckEntry],
                 raw_deck: Callable[[DeckEntry], Mapping[str, Any]],
                 built: Mapping[str, Deck] | None = None) -> None:
        self._entries = {entry.deck_id: entry for entry in entries}
        self._raw_deck = raw_deck
        self._raw: dict[str, Mapping[str, Any]] = {}
        self._decks: dict[str, Deck] = dict(built or {})
        self._questions: dict[tuple[str, str], Question] = {}
        self._question_data: dict[str, dict[str, Mapping[str, Any]]] = {}
        # Sources left out by a lenient load, each with its problems.
        self.skipped: dict[str, list[Problem]] = {}

    @classmethod
    def of(cls, decks: Sequence[Deck]) -> DeckLibrary:
        """Decks already in memory (tests, scripts); their digest is a hash of their content."""
        def digest(deck: Deck) -> str:
            content = json.dumps(deck.to_dict(), sort_keys=True, default=str)
            return sha256(content.encode())

        def unreachable(entry: DeckEntry) -> Mapping[str, Any]:
            raise KeyError(entry.deck_id)

        return cls([DeckEntry.of(d, digest(d)) for d in decks], unreachable,
                   {d.id: d for d in decks})

    def __getitem__(self, deck_id: str) -> Deck:
        deck = self._decks.get(deck_id)
        if deck is None:
            entry = self._entries[deck_id]
            deck = Deck.from_dict(self._data(entry), source_path=entry.source_path)
            self._decks[deck_id] = deck
        return deck

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, deck_id: object) -> bool:
        return deck_id in self._entries

    def entry(self, deck_id: str) -> DeckEntry:
        return self._entries[deck_id]

    def entries(self) -> list[DeckEntry]:
        return list(self._entries.values())

    def question(self, deck_id: str, question_id: str) -> Question | None:
        """One question, built alone: a session shows questions from many decks."""
        if deck_id in self._decks:
            return self._decks[deck_id].question(question_id)
        key = (deck_id, question_id)
        if key not in self._questions:
            data = self._data(self._entries[deck_id])
            by_id = self._question_data.get(deck_id)
            if by_id is None:
                by_id = self._question_data[deck_id] = {q["id"]: q for q in data["questions"]}
            item = by_id.get(question_id)
            if item is None:
                return None
            self._questions[key] = Question.from_dict(
                item, default_time_limit=int(data["time_limit"]),
                default_attempts=int(data["attempts"]))
        return self._questions[key]

    def question_notes(self, deck_id: str) -> Iterator[tuple[str, str, QuestionType, str]]:
        """(id, own GUID or '', type, prompt) of each of the deck's questions, in order: what
        Anki's notes are matched by. Read from the cached data without building the questions
        (building 100,000 costs ten times as much), unless the deck is built already."""
        deck = self._decks.get(deck_id)
        if deck is not None:
            for question in deck.questions:
                yield question.id, question.guid, question.type, question.prompt
            return
        for item in self._data(self._entries[deck_id])["questions"]:
            yield (item["id"], item.get("guid", ""), QuestionType(item.get("type", "choice")),
                   item["prompt"])

    def _data(self, entry: DeckEntry) -> Mapping[str, Any]:
        if entry.deck_id not in self._raw:
            self._raw[entry.deck_id] = self._raw_deck(entry)
        return self._raw[entry.deck_id]


def load_library(paths: Sequence[Path], cache_dir: Path | None, *,
                 lenient: bool = False) -> DeckLibrary:
    """Every source's deck; raises one InputError with the problems of all of them.

    ``cache_dir`` None parses every source (and keeps nothing). ``lenient`` leaves invalid
    sources out instead (and a second deck with an id already used), listing them in the
    library's ``skipped``: a learner's draft in cards/ must not stop their daily review.
    """
    index_path = cache_dir / INDEX_NAME if cache_dir is not None else None
    index = read_cache(index_path, LIBRARY_VERSION) if index_path is not None else None
    known: dict[str, Any] = dict(index["sources"]) if index is not None else {}
    entries: list[DeckEntry] = []
    parsed: dict[str, Deck] = {}  # by source path: two sources may claim one deck id
    replaced: set[str] = set()  # cache files of this run's changed sources
    problems: list[Problem] = []
    changed = False
    for path in paths:
        name = str(path.resolve())
        record = known.get(name)
        stat = stat_key(path)
        if record is not None and stat is not None and record["stat"] == stat:
            # Named as now given: the cached entry may come from another working folder.
            entries.append(replace(DeckEntry(*record["entry"]), source_path=str(path)))
            continue
        try:
            data = path.read_bytes()
        except OSError:
            data = b""  # read_source says what is wrong
        digest = sha256(data)
        if record is not None and record["sha256"] == digest and cache_dir is not None \
                and (cache_dir / record["file"]).exists():
            entry = replace(DeckEntry(*record["entry"]), source_path=str(path))  # moved
        else:
            from ..deck.sources import parse_deck, read_source

            try:
                deck = parse_deck(read_source(path), str(path))
            except InputError as error:
                problems.extend(error.problems)
                continue
            entry = DeckEntry.of(deck, digest)
            parsed[entry.source_path] = deck
            if cache_dir is not None:
                write_cache(cache_dir / f"{digest}.bin",
                            {"version": LIBRARY_VERSION, "deck": deck.to_dict()})
        entries.append(entry)
        if record is not None:
            replaced.add(record["file"])
        known[name] = {"stat": stat, "sha256": digest, "file": f"{digest}.bin",
                       "entry": entry.to_tuple()}
        changed = True
    duplicates = _duplicate_ids(entries)
    problems.extend(duplicates)
    if problems and not lenient:
        raise InputError(problems)
    if duplicates:
        twice = {problem.path for problem in duplicates}
        entries = [e for e in entries if e.source_path not in twice]
    if changed and index_path is not None:
        write_cache(index_path, {"version": LIBRARY_VERSION, "sources": known})
        # Only files this run replaced: another trainer starting now may be writing others.
        kept = {record["file"] for record in known.values()}
        for file in replaced - kept:
            (index_path.parent / file).unlink(missing_ok=True)

    def raw_deck(entry: DeckEntry) -> Mapping[str, Any]:
        cached = read_cache(cache_dir / f"{entry.digest}.bin", LIBRARY_VERSION) \
            if cache_dir is not None else None
        if cached is not None:
            return cached["deck"]
        # The cache went away under us: parse the source again.
        from ..deck.sources import parse_deck, read_source

        return parse_deck(read_source(entry.source_path), entry.source_path).to_dict()

    built = {e.deck_id: parsed[e.source_path] for e in entries if e.source_path in parsed}
    library = DeckLibrary(entries, raw_deck, built)
    for problem in problems:
        library.skipped.setdefault(problem.path, []).append(problem)
    return library


def _duplicate_ids(entries: Sequence[DeckEntry]) -> list[Problem]:
    return duplicate_deck_ids((e.deck_id, e.source_path, e.id_line) for e in entries)
