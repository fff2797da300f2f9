"""Turning request bodies into domain values, with errors that name the field."""

from __future__ import annotations

import enum
from datetime import time
from typing import TypeVar

from crisislink.domains.sharing.contacts import Channel, ChannelKind, StaffedHours, Window
from crisislink.entrypoints.web.api import schemas as s
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.markings import Principal, PrincipalKind

E = TypeVar("E", bound=enum.Enum)


def enum_value(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise InvalidInput(f"{field}: {value!r} is not one of {allowed}") from None


def channels(bodies: list[s.ChannelBody]) -> tuple[Channel, ...]:
    return tuple(Channel(ChannelKind(b.kind), b.value.strip(), b.note) for b in bodies)


def hours(body: s.HoursBody) -> StaffedHours:
    windows = tuple(
        Window(days=frozenset(w.days), start=time.fromisoformat(w.start), end=time.fromisoformat(w.end))
        for w in body.windows
    )
    return StaffedHours(always=body.always, timezone=body.timezone, windows=windows)


def audience(bodies: list[s.AudienceBody]) -> frozenset[Principal]:
    return frozenset(Principal(PrincipalKind(b.kind), b.id) for b in bodies)
