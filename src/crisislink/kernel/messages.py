"""Commands say what someone wants; events say what happened. Both are plain frozen dataclasses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from crisislink.kernel.markings import Label


@dataclass(frozen=True, kw_only=True)
class Actor:
    """The authenticated person on whose behalf a command runs."""

    user_id: uuid.UUID | None
    partner_id: uuid.UUID | None
    roles: frozenset[str]
    node_id: uuid.UUID | None = None

    @property
    def is_system(self) -> bool:
        return self.user_id is None


SYSTEM = Actor(user_id=None, partner_id=None, roles=frozenset({"system"}))


@dataclass(frozen=True, kw_only=True)
class Command:
    actor: Actor


@dataclass(frozen=True, kw_only=True)
class Event:
    """A fact. `TYPE` is dotted and stable (it doubles as a NATS subject); bump `VERSION` on change."""

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    # The payload field naming a record that must be visible too for this event to be seen: an entry's
    # event says something about its incident, so a reader who may not see the incident does not get it.
    CONTEXT: ClassVar[str | None] = None
    label: Label


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """An event as it travels: identity, provenance and sharing label around the payload."""

    id: uuid.UUID
    type: str
    version: int
    occurred_at: datetime
    origin_node_id: uuid.UUID
    label: Label
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None
    payload: dict[str, object]
    position: int | None = None
    context_id: uuid.UUID | None = None
