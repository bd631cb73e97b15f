"""The replay order over several devices' rows: each device's own order kept, the result the
same whatever order the rows were added to the log in (real LogEntry rows, no database)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from srs_trainer.trainer.scheduling import replay_order
from srs_trainer.trainer.types import LogEntry

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
OWN = "c" * 32

# Per device: the minutes (on its own clock, any order) of its reviews, in its own order.
streams = st.dictionaries(
    st.sampled_from(["", "a" * 32, "b" * 32, "d" * 32]),
    st.lists(st.integers(0, 30), min_size=1, max_size=6), min_size=1)
pulled = st.lists(st.integers(0, 30), max_size=4)


def _entries(by_device: dict[str, list[int]], anki: list[int],
             arrival: list[int]) -> list[LogEntry]:
    """The rows as one log holds them: ids in the order they arrived (``arrival`` shuffles
    whole devices' batches), own rows (device '') with their id as sequence number."""
    batches = [(device, minutes) for device, minutes in sorted(by_device.items())]
    batches.append(("anki", anki))
    order = sorted(range(len(batches)), key=lambda n: arrival[n % len(arrival)] + n / 100)
    entries: list[LogEntry] = []
    for n in order:
        device, minutes = batches[n]
        for seq, minute in enumerate(minutes, start=1):
            row_id = len(entries) + 1
            entries.append(LogEntry(
                row_id, "answer", "d", "q", T0 + timedelta(minutes=minute), rating=3,
                origin="anki" if device == "anki" else "",
                device="" if device in ("", "anki") else device,
                seq=None if device in ("", "anki") else seq))
    return entries


def _identity(entry: LogEntry) -> tuple[str, int, datetime]:
    if entry.origin:
        return ("anki", 0, entry.at)
    return (entry.device or OWN, entry.seq or 0, entry.at)


@settings(max_examples=300, deadline=None)
@given(by_device=streams, anki=pulled,
       first=st.lists(st.integers(0, 9), min_size=5, max_size=5),
       second=st.lists(st.integers(0, 9), min_size=5, max_size=5))
def test_the_order_keeps_each_device_s_own_and_ignores_arrival(
        by_device: dict[str, list[int]], anki: list[int], first: list[int],
        second: list[int]) -> None:
    one = [_identity(e) for e in replay_order(_entries(by_device, anki, first), OWN)]
    two = [_identity(e) for e in replay_order(_entries(by_device, anki, second), OWN)]
    assert one == two
    for device, minutes in by_device.items():
        mine = [at for dev, _, at in one if dev == (device or OWN)]
        assert mine == [T0 + timedelta(minutes=m) for m in minutes]  # its own order
    assert [at for dev, _, at in one if dev == "anki"] == sorted(
        T0 + timedelta(minutes=m) for m in anki)


def test_one_device_and_anki_alone_keep_the_order_pull_always_had() -> None:
    entries = _entries({"": [5, 1, 9]}, [0, 6], [0, 1])
    assert [e.at.minute for e in replay_order(entries, OWN)] == [0, 5, 1, 6, 9]
