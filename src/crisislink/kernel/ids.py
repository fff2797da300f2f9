"""UUIDv7 identifiers (RFC 9562): time-ordered, so indexes stay compact and ids sort by creation."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> uuid.UUID:
    """A fresh UUIDv7; monotonic within this process even when the clock stands still."""
    global _last_ms, _counter  # noqa: PLW0603 -- process-wide monotonic state is the point
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            now_ms = _last_ms
        else:
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        _last_ms = now_ms
        counter = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (now_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def parse_id(text: str) -> uuid.UUID:
    """Parse an id given by a user; ValueError names the bad value."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ValueError(f"not a valid identifier: {text!r}") from None
