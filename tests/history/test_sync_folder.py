"""`srs sync DIR`: homes reviewing offline, syncing in any order, end the same (real SQLite)."""

from __future__ import annotations

import itertools
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from clocked_srs import clocked
from srs_trainer.cli import main
from srs_trainer.deck.sources import parse_deck
from srs_trainer.history import sync_files
from srs_trainer.history.sync_folder import SyncError, rebuild_badges, sync
from srs_trainer.trainer.api import Trainer
from srs_trainer.trainer.doctor import doctor
from srs_trainer.trainer.scheduling import make_scheduler, review
from srs_trainer.trainer.store import Store
from srs_trainer.trainer.types import Answer, Memory
from trainer_helpers import DECK_YAML, EXACT, LOG_FIELDS, write_deck

LATER = "2026-01-05T09:00:00Z"


class Homes:
    """Data folders of one learner's machines, sharing ``share/``, sources in ``cards/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cards = root / "cards"
        self.share = root / "share"
        write_deck(self.cards)
        self.share.mkdir(exist_ok=True)

    def srs(self, home: str, *args: str, input: str = "", now: str = "2026-01-01T09:00:00Z",
            ) -> Result:
        command, *rest = args
        extra = ["--cards", str(self.cards), "--no-bundled"] if command in (
            "review", "progress", "challenge") else []
        result = CliRunner().invoke(
            main, [command, *extra, *rest], input=input, obj=clocked(now),
            env={"SRS_HOME": str(self.root / home), "NO_COLOR": "1"})
        assert result.exit_code == 0, result.output
        return result

    def sync(self, home: str) -> Result:
        return self.srs(home, "sync", str(self.share))

    def store(self, home: str) -> Store:
        return Store.open(self.root / home / "progress.sqlite3")

    def copy(self, root: Path) -> Homes:
        shutil.copytree(self.root, root)
        return Homes(root)


def _state(store: Store) -> dict[str, Any]:
    """What must agree between homes: cards, every event by global id, badges, results."""
    own = store.device_id
    events = sorted(
        (device or own, seq or row_id, kind, deck, question, at, rating, undone is not None)
        for row_id, device, seq, kind, deck, question, at, rating, undone in store.db.execute(
            "SELECT id, device, seq, kind, deck_id, question_id, at, rating, undone_at FROM log"))
    return {
        "cards": [(c.key, c.memory) for c in store.cards(include_retired=True)],
        "events": events,
        "badges": store.db.execute("SELECT deck_id, name, earned_at, celebrated_at,"
                                   " taken_back_at FROM badges ORDER BY deck_id").fetchall(),
        "challenges": store.challenge_results("demo"),
    }


def _offline_reviews(homes: Homes, names: str) -> None:
    """Each home reviews the same deck offline, differently; ``b`` also undoes an answer and
    takes the challenge; ``c``'s clock is 20 minutes slow."""
    answers = {"a": "a\n\nc\nb\n\nb\n\nq\n", "b": "a\n\nu\nb\na\n\nb\n\nq\n", "c": "a\n\nb\n\nq\n"}
    times = {"a": "2026-01-01T09:00:00Z", "b": "2026-01-01T09:10:00Z",
             "c": "2026-01-01T08:50:00Z"}
    for name in names:
        homes.srs(name, "review", input=answers[name], now=times[name])
    if "b" in names:
        homes.srs("b", "challenge", "demo", input="a\n\nc\nb\n\n", now="2026-01-01T12:00:00Z")


def _sync_in_order(homes: Homes, order: tuple[str, ...]) -> None:
    for name in (*order, *order):  # two rounds: the first to sync sees the others next time
        homes.sync(name)


@pytest.mark.parametrize("names", ["ab", "abc"])
def test_homes_syncing_in_every_order_end_identical(tmp_path: Path, names: str) -> None:
    start = Homes(tmp_path / "start")
    _offline_reviews(start, names)
    own_rows = {}
    for name in names:
        with start.store(name) as store:
            own_rows[store.device_id] = _log_count(store)
    results: list[tuple[str, dict[str, Any]]] = []
    for n, order in enumerate(itertools.permutations(names)):
        homes = start.copy(tmp_path / f"order{n}")
        _sync_in_order(homes, order)
        for name in names:
            progress = homes.srs(name, "progress", "--json", now=LATER).output
            with homes.store(name) as store:
                assert doctor(store).ok
                results.append((progress, _state(store)))
    first_progress, first_state = results[0]
    for progress, state in results[1:]:
        assert progress == first_progress
        assert state == first_state
    # Every home's reviews are all there, both homes' reviews of the same cards included.
    reviews = first_state["events"]
    assert {device: sum(1 for event in reviews if event[0] == device)
            for device in own_rows} == own_rows
    assert sum(1 for event in reviews if event[4] == "c1" and not event[7]) >= len(names)
    assert sum(1 for event in reviews if event[7]) == 1  # b's undone answer, undone everywhere
    assert len(first_state["challenges"]) == 1
    data = json.loads(first_progress)
    assert data["decks"][0]["reviewed"] == 3


def test_a_repeat_sync_with_nothing_new_writes_and_reads_nothing(tmp_path: Path) -> None:
    homes = Homes(tmp_path)
    _offline_reviews(homes, "ab")
    _sync_in_order(homes, ("a", "b"))
    with homes.store("a") as store:
        report = sync(store, homes.share)
        assert (report.written, report.added, report.cards_replayed) == (0, 0, 0)
        assert report.notes()[-1].startswith(f"Synced with {homes.share.resolve()}")


def test_reviews_are_replayed_in_each_devices_own_order_whatever_its_clock(
        tmp_path: Path) -> None:
    """c's clock runs backwards between its two answers to c1: its own order is kept."""
    homes = Homes(tmp_path)
    for name in "ac":
        homes.srs(name, "review", input="q\n")  # the cards, no answers
    key = ("demo", "c1")

    def answer(name: str, rating: int, minute: int) -> None:
        with homes.store(name) as store:
            trainer = Trainer(store, [parse_deck(DECK_YAML, "demo.yaml")], EXACT)
            trainer.record_answer(Answer(key, rating, at(minute), 1000, 1))

    answer("a", 3, 0)
    answer("c", 1, 30)
    answer("c", 4, 5)  # c's clock went back 25 minutes
    for name in "acac":
        homes.sync(name)
    with homes.store("a") as a, homes.store("c") as c:
        assert _state(a)["cards"] == _state(c)["cards"]
        card = a.card(*key)
        assert card is not None
        # a's 09:00 first (the earliest head), then c's in c's order: 09:30, then 09:05.
        scheduler = make_scheduler(EXACT.defaults)
        expected = Memory()
        for rating, minute in ((3, 0), (1, 30), (4, 5)):
            expected = review(scheduler, key, expected, rating, at(minute), 1000)
        assert card.memory == expected and card.memory.reps == 3


def at(minute: int) -> datetime:
    return datetime(2026, 1, 1, 9, tzinfo=timezone.utc) + timedelta(minutes=minute)


def _events_file(tmp_path: Path) -> tuple[Homes, Path, bytes]:
    homes = Homes(tmp_path / "homes")
    homes.srs("a", "review", input="a\n\nc\nb\n\nb\n\nq\n")
    homes.sync("a")
    (path,) = homes.share.glob("srs-*.jsonl")
    return homes, path, path.read_bytes()


def _log_count(store: Store) -> int:
    return int(store.db.execute("SELECT count(*) FROM log").fetchone()[0])


def test_a_file_truncated_at_every_byte_of_its_last_event(tmp_path: Path) -> None:
    _, path, data = _events_file(tmp_path)
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    complete = data.count(b"\n") - 2  # answers before the last (the first line: a scheduler)
    for cut in range(last_start, len(data) + 1):
        share = tmp_path / f"share{cut}"
        share.mkdir()
        (share / path.name).write_bytes(data[:cut])
        with Store.open(tmp_path / f"b{cut}.sqlite3") as store:
            first = sync(store, share)
            assert first.added == complete + (cut == len(data)), cut
            pending = first.files[0].pending_bytes
            assert pending == (cut - last_start if cut < len(data) else 0)
            said = "\n".join(first.notes())
            assert ("its last line is incomplete" in said) == (pending > 0)
            # The sync service delivers the rest: the last event comes, nothing twice.
            (share / path.name).write_bytes(data)
            second = sync(store, share)
            assert second.added == (cut < len(data))
            assert _log_count(store) == complete + 1
            assert not second.files[0].pending_bytes


def test_a_file_shorter_than_read_or_replaced_is_read_again(tmp_path: Path) -> None:
    _, path, data = _events_file(tmp_path)
    share = tmp_path / "share2"
    share.mkdir()
    target = share / path.name
    target.write_bytes(data)
    with Store.open(tmp_path / "b.sqlite3") as store:
        assert sync(store, share).added == 3
        target.write_bytes(data[: data.find(b"\n") + 1])  # the service rolls it back
        again = sync(store, share)
        assert again.added == 0 and again.files[0].reread
        target.write_bytes(data)
        assert sync(store, share).added == 0
        assert _log_count(store) == 3


@pytest.mark.parametrize("copy_name", [
    "{stem} (conflicted copy 2026-01-01).jsonl",
    "{stem}.sync-conflict-20260101-101010-ABCDEFG.jsonl",
])
def test_conflict_copies_are_unioned(tmp_path: Path, copy_name: str) -> None:
    homes, path, data = _events_file(tmp_path)
    # The service kept two versions: the full file as a conflict copy, a shorter one as the
    # file itself, a partial line at its end.
    conflict = homes.share / copy_name.format(stem=path.stem)
    conflict.write_bytes(data)
    path.write_bytes(data[: data.find(b"\n", data.find(b"\n") + 1) + 10])
    with Store.open(tmp_path / "b.sqlite3") as store:
        report = sync(store, homes.share)
        assert report.added == 3 and report.already_there >= 1
        said = "\n".join(report.notes())
        assert f"conflict copy {conflict.name}: " in said
        assert "its last line is incomplete" in said
        assert _log_count(store) == 3


def test_bad_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    _, path, data = _events_file(tmp_path)
    path.write_bytes(b"not json\n[1, 2]\n" + data)
    with Store.open(tmp_path / "b.sqlite3") as store:
        report = sync(store, path.parent)
        assert report.added == 3 and report.files[0].bad_lines == 2
        assert "2 line(s) are not events" in "\n".join(report.notes())


def test_a_file_of_several_parse_chunks_keeps_every_event_and_counts_bad_lines(
        tmp_path: Path) -> None:
    # Parsed a MiB at a time: bad, blank and two-value lines in one chunk, none in the
    # others, every line once whichever chunk it falls in.
    device = "cd" * 16
    lines = [sync_files.encode({"dev": device, "seq": n, "kind": "undo", "target_dev": device,
                                "target_seq": n, "at": "2026-01-01T09:00:00+00:00",
                                "pad": "x" * 200}).encode() for n in range(1, 40_001)]
    lines[25_000:25_000] = [b"not json", b"", b"   ", b"1, 2"]
    path = tmp_path / f"srs-{device}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert path.stat().st_size > 2 * sync_files._PARSE_CHUNK
    read = sync_files.read_new(path, 0, "")
    seqs = [event["seq"] for event in read.events()]
    assert seqs == list(range(1, 40_001)) and read.bad_lines == 2


def test_a_half_written_own_line_is_cut_before_the_next_append(tmp_path: Path) -> None:
    homes, path, data = _events_file(tmp_path)
    path.write_bytes(data + b'{"dev": "half-writ')  # killed while writing
    homes.srs("a", "review", input="b\n\nq\n", now="2026-01-02T09:00:00Z")
    homes.sync("a")
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(json.loads(line) for line in lines[:-1])
    with Store.open(tmp_path / "b.sqlite3") as store:
        report = sync(store, homes.share)
        assert report.added == 4 and not report.files[0].bad_lines


def test_the_folder_must_exist_and_not_hold_the_database(tmp_path: Path) -> None:
    homes = Homes(tmp_path)
    (tmp_path / "a").mkdir()
    with homes.store("a") as store:
        with pytest.raises(SyncError, match="does not exist"):
            sync(store, tmp_path / "absent")
        with pytest.raises(SyncError, match="holds the progress database"):
            sync(store, tmp_path / "a")
    result = CliRunner().invoke(main, ["sync", str(tmp_path / "absent")],
                                env={"SRS_HOME": str(tmp_path / "a")})
    assert result.exit_code == 1 and "does not exist" in result.output
    assert "Traceback" not in result.output


def test_review_syncs_at_start_and_end_and_works_offline(tmp_path: Path) -> None:
    homes = Homes(tmp_path)
    for name in "ab":
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.yaml").write_text(f"sync_dir: {homes.share}\n")
    homes.srs("a", "review", input="a\n\nq\n")
    assert len(list(homes.share.glob("srs-*.jsonl"))) == 1  # written at the end
    started = homes.srs("b", "review", input="q\n", now="2026-01-01T09:05:00Z")
    assert "added 1 from 1 other file(s)" in started.output
    with homes.store("b") as store:
        assert [e.question_id for e in store.log()] == ["c1"]
    shutil.rmtree(homes.share)  # offline: the folder is not there
    offline = homes.srs("b", "review", input="q\n", now="2026-01-01T09:06:00Z")
    assert "Note: not synced:" in offline.output and "does not exist" in offline.output
    assert offline.output.count("Note: not synced:") == 2  # at start and at end, one line each


def test_badge_changes_fold_the_same_on_every_device(tmp_path: Path) -> None:
    homes = Homes(tmp_path)
    homes.srs("a", "review", input="q\n")
    homes.srs("b", "review", input="q\n")
    def hour(n: int) -> datetime:
        return datetime(2026, 1, 1, n, tzinfo=timezone.utc)

    with homes.store("a") as store, store.transaction():
        store.earn_badge("demo", "Demo Master", hour(10))
        store.take_back_badge("demo", hour(11))
    with homes.store("b") as store, store.transaction():
        store.earn_badge("demo", "Demo Master", hour(12))
        store.mark_celebrated("demo", hour(13))
    for name in "abab":
        homes.sync(name)
    with homes.store("a") as a, homes.store("b") as b:
        assert _state(a)["badges"] == _state(b)["badges"]
        assert a.badge("demo") == ("Demo Master", hour(12), hour(13))
        with a.transaction():
            rebuild_badges(a)  # folding again changes nothing
        assert a.badge("demo") == ("Demo Master", hour(12), hour(13))


def test_own_file_names_and_conflict_copies() -> None:
    assert not sync_files.is_conflict_copy("srs-0123abcd.jsonl")
    assert sync_files.is_conflict_copy("srs-0123abcd (conflicted copy).jsonl")
    assert sync_files.is_event_file("srs-0123abcd.sync-conflict-20260101-101010-X.jsonl")
    assert not sync_files.is_event_file("progress.sqlite3")


def test_reviews_synced_before_the_question_arrived_count_once_it_does(tmp_path: Path) -> None:
    homes = Homes(tmp_path)
    homes.srs("a", "review", input="a\n\nq\n")
    homes.sync("a")
    (tmp_path / "b").mkdir()
    with homes.store("b") as store:  # b has no cards yet
        assert sync(store, homes.share).added == 1
    homes.srs("b", "progress", "--json")  # loads the deck: the card is made, then replayed
    with homes.store("a") as a, homes.store("b") as b:
        assert a.card("demo", "c1") == b.card("demo", "c1")
        assert not b.card("demo", "c1").memory.is_new  # type: ignore[union-attr]
        assert doctor(b).ok


def test_recover_adds_what_the_sync_folder_holds(tmp_path: Path) -> None:
    import random

    from srs_trainer.trainer.page_scan import scan_rows

    homes = Homes(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "config.yaml").write_text(f"sync_dir: {homes.share}\n")
    for day in ("2026-01-01", "2026-01-02", "2026-01-05", "2026-01-09"):
        homes.srs("a", "review", input="a\n\nb\n\nb\n\n" * 2, now=f"{day}T09:00:00Z")
    homes.srs("b", "review", input="b\n\na\n\nq\n", now="2026-01-03T09:00:00Z")
    homes.sync("b")
    homes.sync("a")
    database = tmp_path / "a" / "progress.sqlite3"
    with homes.store("a") as store:
        before = _state(store)
        device = store.device_id
    data = bytearray(database.read_bytes())
    page = next(row.page for row in scan_rows(bytes(data)) if len(row.values) == LOG_FIELDS) - 1
    data[page * 4096:page * 4096 + 400] = random.Random(page).randbytes(400)
    database.write_bytes(bytes(data))
    result = CliRunner().invoke(
        main, ["doctor", "--recover", "--cards", str(homes.cards), "--no-bundled"],
        obj=clocked("2026-01-10T09:00:00Z"), env={"SRS_HOME": str(tmp_path / "a")})
    assert result.exit_code == 0, result.output
    assert "log: 0 row(s) recovered, 5 lost" in result.output
    assert "lost 5 (5 log row(s) back from the sync folder)." in result.output
    with homes.store("a") as store:
        assert store.device_id == device
        assert _state(store) == before
        assert doctor(store).ok


@pytest.mark.parametrize("row", [
    (7, "answer", "d", "q1", "2026-01-01T09:00:00.000000+00:00", 3, 900, 1, 0, "A", "review",
     1, "", "", None, 2),
    (8, "reset", 'd "x"', "q\\2\u00e9\n", "t", None, None, None, 1, None, "", 1,
     "answer key changed", "anki", 1767225600000, None),
])
def test_a_log_event_line_is_what_the_json_encoder_writes(row: tuple[Any, ...]) -> None:
    from srs_trainer.history.sync_export import LOG_FIELDS, log_event_line

    expected = {"dev": "abc", "seq": row[0], **dict(zip(LOG_FIELDS, row[1:-1], strict=True)),
                "scheduler": row[-1]}
    line = log_event_line("abc", row)
    assert json.loads(line) == expected
    assert line == sync_files.encode(expected)


def test_the_exported_lines_are_what_the_json_encoder_writes(tmp_path: Path) -> None:
    """The export's lines (SQLite's json_object, floats by log_event_line) are the encoder's
    text of each row, whatever the values: escapes, non-ASCII, floats, big numbers."""
    from srs_trainer.history.sync_export import LOG_FIELDS, export, log_event_line

    texts = ["", 'a"b', "back\\slash", "\n\r\t\b\f", "\x00\x01\x1f\x7f", "é€😀",
             "\u2028\u2029", "</script>", "'"]
    numbers = [None, 0, -1, 2**62, 3, 2.5, 0.1 + 0.2, 1e300, "seven"]
    rows = [(("answer", "reset")[n % 2], texts[n % 9], texts[n // 9 % 9], texts[n // 3 % 9],
             (None, 1, 4, 2.5)[n % 4], numbers[n % 9], numbers[n // 9 % 9], (0, 1, 0.5)[n % 3],
             (None, texts[n // 5 % 9])[n % 2], texts[n // 7 % 9], (0, 1, 1.5)[n // 3 % 3],
             texts[n // 2 % 9], texts[n // 4 % 9], (None, n, n + 0.5)[n % 3], (None, 1)[n % 2])
            for n in range(300)]
    with Store.open(tmp_path / "progress.sqlite3") as store, store.transaction() as db:
        db.execute("INSERT INTO schedulers (id, json) VALUES (1, '{}')")
        db.executemany(f"INSERT INTO log ({', '.join(LOG_FIELDS)}, scheduler_id)"
                       f" VALUES ({', '.join('?' * 15)})", rows)
        saved = db.execute(f"SELECT id, {', '.join(LOG_FIELDS)}, scheduler_id FROM log"
                           " ORDER BY id").fetchall()
    with Store.open(tmp_path / "progress.sqlite3") as store:
        export(store, tmp_path, "abc")
    lines = sync_files.own_file(tmp_path, "abc").read_text().split("\n")[:-1]  # (not at \u2028)
    assert lines[1:] == [log_event_line("abc", row) for row in saved]
    assert any(isinstance(value, float) for row in saved for value in row)


def test_srs_sync_takes_the_folder_from_config_yaml(tmp_path: Path) -> None:
    homes = Homes(tmp_path)
    (tmp_path / "a").mkdir()
    unset = CliRunner().invoke(main, ["sync"], env={"SRS_HOME": str(tmp_path / "a")})
    assert unset.exit_code == 2 and "sync_dir" in unset.output
    (tmp_path / "a" / "config.yaml").write_text(f"sync_dir: {homes.share}\n")
    homes.srs("a", "review", input="a\n\nq\n")
    result = CliRunner().invoke(main, ["sync"], env={"SRS_HOME": str(tmp_path / "a")})
    assert result.exit_code == 0, result.output
    # The review synced at its end already (its scheduler and answer): nothing new now.
    assert "wrote 0 event(s) of this device" in result.output
    (own,) = homes.share.glob("srs-*.jsonl")
    assert own.read_bytes().count(b"\n") == 2


def test_an_undo_read_before_its_answer_applies_when_the_answer_comes(tmp_path: Path) -> None:
    from srs_trainer.history.sync_export import log_event_line
    from srs_trainer.trainer.scheduling import scheduler_json
    from srs_trainer.trainer.settings import DeckSettings

    device = "ab" * 16
    scheduler = sync_files.encode({"dev": device, "seq": 1, "kind": "scheduler",
                                   "json": scheduler_json(DeckSettings())})
    answer = log_event_line(device, (1, "answer", "demo", "c1", "2026-01-01T09:00:00.000000"
                                     "+00:00", 3, 900, 1, 0, "A", "review", 1, "", "", None, 1))
    undo = sync_files.encode({"dev": device, "seq": 1, "kind": "undo", "target_dev": device,
                              "target_seq": 1, "at": "2026-01-01T09:01:00.000000+00:00"})
    share = tmp_path / "share"
    share.mkdir()
    (share / f"srs-{device}.sync-conflict-1.jsonl").write_text(f"{undo}\n")
    (share / f"srs-{device}.jsonl").write_text(f"{scheduler}\n{answer[:20]}")
    with Store.open(tmp_path / "b.sqlite3") as store:
        sync(store, share)
        assert store.log(include_undone=True) == []
        (share / f"srs-{device}.jsonl").write_text(f"{scheduler}\n{answer}\n")
        assert sync(store, share).added == 1
        (entry,) = store.log(include_undone=True)
        assert entry.undone_at is not None and entry.device == device


def test_own_rows_read_back_with_their_ids_before_another_device_s_keep_both(
        tmp_path: Path) -> None:
    """`srs doctor --recover` reads this device's rows back with their old ids while another
    device's new rows wait, numbered after the log's: those move past the old ids."""
    from srs_trainer.history.sync_export import log_event_line
    from srs_trainer.trainer.scheduling import scheduler_json
    from srs_trainer.trainer.settings import DeckSettings

    other = "00" * 16  # (its file is read first)
    share = tmp_path / "share"
    share.mkdir()
    with Store.open(tmp_path / "b.sqlite3") as store:
        own = store.device_id
        scheduler = scheduler_json(DeckSettings())

        def lines(device: str, first: int) -> str:
            head = sync_files.encode({"dev": device, "seq": 1, "kind": "scheduler",
                                      "json": scheduler})
            return "\n".join([head, *(log_event_line(device, (
                n, "answer", "demo", f"c{n}", f"2026-01-0{n}T09:00:00.000000+00:00", 3, 900,
                1, 0, "A", "review", 1, "", "", None, 1)) for n in range(first, first + 3))
            ]) + "\n"

        (share / f"srs-{other}.jsonl").write_text(lines(other, 1))
        (share / f"srs-{own}.jsonl").write_text(lines(own, 4))
        with store.transaction():
            store.db.execute("DELETE FROM sqlite_sequence")
        report = sync(store, share, own_events=True)
        assert report.added == 6
        rows = store.db.execute("SELECT id, device, seq FROM log ORDER BY id").fetchall()
    assert rows == [(4, "", None), (5, "", None), (6, "", None),
                    (7, other, 1), (8, other, 2), (9, other, 3)]


def test_a_first_sync_of_many_rows_builds_the_log_as_one_of_few_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From ``store.REBUILD_LOG_FROM`` new rows (a first sync of half a million) the log's
    indexes are built again after the insert, but the in-order partial ones: the log, its
    indexes and the cards come out as when each row goes in with the indexes in place."""
    from srs_trainer.trainer import store as store_module

    start = Homes(tmp_path / "start")
    _offline_reviews(start, "ab")
    start.sync("a")

    def synced(root: Path) -> tuple[Any, ...]:
        homes = start.copy(root)
        homes.sync("b")
        with homes.store("b") as store:
            return (store.db.execute("SELECT * FROM log ORDER BY id").fetchall(),
                    store.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                     " ORDER BY name").fetchall(),
                    _state(store), store.integrity_check(), doctor(store).ok)

    rebuilds: list[bool] = []
    decides = store_module.rebuilds_log_indexes
    forced = False

    def recorded(db: Any, new_rows: int) -> bool:
        rebuilds.append(forced or decides(db, new_rows))
        return rebuilds[-1]

    monkeypatch.setattr(store_module, "rebuilds_log_indexes", recorded)
    one_by_one = synced(tmp_path / "few")
    forced = True  # as for half a million rows
    rebuilt = synced(tmp_path / "many")
    assert rebuilds == [False, True]
    assert rebuilt == one_by_one
    assert rebuilt[3] == [] and rebuilt[4]
    assert {"log_card", "log_fit", "log_event", "log_origin"} <= {name for name, _ in rebuilt[1]}


def test_an_event_whose_time_cannot_be_read_is_skipped_and_said(tmp_path: Path) -> None:
    """A time the replay could not read (damaged, or naive) skips its event, and so do
    scheduler settings it could not build a scheduler from and the answers scheduled with
    them: each counted among the lines that are not events. A readable time written another
    way goes into the log in the log's own form (fixed-width UTC text, which its indexes read
    by position)."""
    from srs_trainer.history.sync_export import log_event_line
    from srs_trainer.trainer.scheduling import scheduler_json
    from srs_trainer.trainer.settings import DeckSettings

    device = "ab" * 16
    schedulers = [sync_files.encode({"dev": device, "seq": n, "kind": "scheduler",
                                     "json": text}) for n, text in enumerate(
        (scheduler_json(DeckSettings()), '{"desired_retention": 0.9}'), start=1)]

    def answer(seq: int, question: str, at: str, scheduler: int = 1) -> str:
        return log_event_line(device, (seq, "answer", "demo", question, at, 3, 900, 1, 0, "A",
                                       "review", 1, "", "", None, scheduler))

    share = tmp_path / "share"
    share.mkdir()
    (share / f"srs-{device}.jsonl").write_text("\n".join([
        *schedulers, answer(1, "c1", "2026-01-01T11:00:00+02:00"),
        answer(2, "c2", "not a time"), answer(3, "c2", "2026-01-01T09:00:00"),
        answer(4, "p1", "2026-13-01T09:00:00.000000+00:00"),
        answer(5, "p1", "2026-01-02T09:00:00.000000+00:00", scheduler=2)]) + "\n")
    with Store.open(tmp_path / "b.sqlite3") as store:
        report = sync(store, share)
        assert report.added == 1
        assert [(e.question_id, e.at) for e in store.log()] == [
            ("c1", datetime(2026, 1, 1, 9, tzinfo=timezone.utc))]
        assert store.db.execute("SELECT at FROM log").fetchall() == [
            ("2026-01-01T09:00:00.000000+00:00",)]
        assert f"srs-{device}.jsonl: 5 line(s) are not events and were skipped" in (
            report.notes())
        assert doctor(store).ok
