"""Base of every aggregate: an id, an optimistic-concurrency version, and the events it raised."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from crisislink.kernel.messages import Event


@dataclass(kw_only=True, eq=False)
class Aggregate:
    id: uuid.UUID
    version: int = 0
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    def record(self, event: Event) -> None:
        self.events.append(event)
