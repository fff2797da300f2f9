"""The read cache: emptied by any database change, keyed per viewer, bounded in time and size."""

from __future__ import annotations

import time

from crisislink.app.read_cache import ReadCache


class FakeProbe:
    def __init__(self) -> None:
        self.current = 1

    def version(self) -> int:
        return self.current

    def close(self) -> None:
        self.current = -1


def test_a_change_to_the_database_empties_the_cache() -> None:
    probe = FakeProbe()
    cache = ReadCache(probe)
    loads: list[str] = []

    def load(value: str) -> str:
        loads.append(value)
        return value

    assert cache.get("k", lambda: load("first")) == "first"
    assert cache.get("k", lambda: load("second")) == "first"
    probe.current = 2
    assert cache.get("k", lambda: load("third")) == "third"
    assert loads == ["first", "third"]


def test_entries_expire() -> None:
    cache = ReadCache(FakeProbe(), ttl=0.01)
    cache.get("k", lambda: "old")
    time.sleep(0.02)
    assert cache.get("k", lambda: "new") == "new"


def test_without_a_probe_nothing_is_cached() -> None:
    cache = ReadCache(None)
    values = iter(["one", "two"])
    assert cache.get("k", lambda: next(values)) == "one"
    assert cache.get("k", lambda: next(values)) == "two"


def test_the_oldest_entries_go_first_when_full() -> None:
    cache = ReadCache(FakeProbe(), max_entries=2)
    for key in ("a", "b", "c"):
        cache.get(key, key.upper)
    assert cache.get("a", lambda: "reloaded") == "reloaded"
    assert cache.get("c", lambda: "reloaded") == "C"
