"""Time is always timezone-aware UTC inside crisislink; local time is a presentation concern."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and replays: it moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def ensure_utc(moment: datetime) -> datetime:
    """Reject naive datetimes: an incident timeline cannot guess the zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: a time zone is required")
    return moment.astimezone(UTC)
