"""A small cache of policy-filtered reads, emptied by any change to the database.

Entries are keyed by the viewer as well as the record, so an entry only ever holds what the sharing
policy let that viewer see. Any commit anywhere (a change of record, label, audience or membership)
empties the whole cache before the next read; entries also expire after `ttl` seconds. Without a
change probe (PostgreSQL for now) nothing is cached.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar

T = TypeVar("T")


class ChangeProbe(Protocol):
    def version(self) -> int: ...
    def close(self) -> None: ...


class ReadCache:
    def __init__(self, probe: ChangeProbe | None, *, ttl: float = 5.0, max_entries: int = 20_000) -> None:
        self._probe = probe
        self._ttl = ttl
        self._max = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._seen_version: int | None = None
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        if self._probe is None:
            return load()
        version = self._probe.version()
        now = time.monotonic()
        with self._lock:
            if version != self._seen_version:
                self._entries.clear()
                self._seen_version = version
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]  # type: ignore[return-value]  # stored by load() under the same key
        value = load()
        with self._lock:
            if self._seen_version == version:
                self._entries[key] = (now + self._ttl, value)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return value

    def close(self) -> None:
        with self._lock:
            self._entries.clear()
        if self._probe is not None:
            self._probe.close()
