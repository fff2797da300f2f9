"""Base of every aggregate: an id, an optimistic-concurrency version, and the events it raised."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from crisislink.kernel.errors import Conflict
from crisislink.kernel.markings import Label
from crisislink.kernel.messages import Event


@dataclass(kw_only=True, eq=False)
class Aggregate:
    id: uuid.UUID
    version: int = 0
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    def record(self, event: Event) -> None:
        self.events.append(event)


def check_version(aggregate: Aggregate, expected: int, noun: str = "record") -> None:
    """Optimistic concurrency for a change made from what someone read: refuse if it moved since."""
    if aggregate.version != expected:
        raise Conflict(
            f"the {noun} changed since you read it (you had version {expected}, it is now "
            f"{aggregate.version}); reload it and apply your change again"
        )


@dataclass(kw_only=True, eq=False)
class Shareable(Aggregate):
    """A record others may see under its label (owner, home node, TLP marking, audience)."""

    label: Label
