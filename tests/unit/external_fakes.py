"""In-memory fakes of the ports of neighbours' warning feeds (`domains/warnings/external_ports.py`).

They behave like the SQL repositories where the handlers can tell (versions, events collected on commit,
`remove`), built on the incidents' `FakeRepository`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from crisislink.domains.warnings.external import KNOWN_WINDOW, ExternalAlert, ExternalFeed
from crisislink.domains.warnings.external_values import AlertKey, EntrySummary
from crisislink.kernel.aggregate import Aggregate
from crisislink.kernel.messages import Event
from tests.unit.incident_fakes import FakeRepository

A = TypeVar("A", bound=Aggregate)


class _Removable(FakeRepository[A]):
    def __init__(self) -> None:
        super().__init__()
        self.removed: list[A] = []

    def remove(self, aggregate: A) -> None:
        self.removed.append(aggregate)

    def live(self) -> list[A]:
        gone = {id(a) for a in self.removed}
        return [a for a in self.all() if id(a) not in gone]

    def flush(self) -> None:
        super().flush()
        for aggregate in self.removed:
            self.committed.pop(aggregate.id, None)


class FakeFeeds(_Removable[ExternalFeed]):
    def by_url(self, url: str) -> ExternalFeed | None:
        return next((feed for feed in self.live() if feed.url == url), None)

    def due(self, moment: datetime) -> Sequence[ExternalFeed]:
        return [feed for feed in self.live() if feed.next_poll_at <= moment]


class FakeAlerts(_Removable[ExternalAlert]):
    def contains(self, key: AlertKey) -> bool:
        return any(alert.key == key for alert in self.live())

    def with_identifier(self, sender: str, identifier: str) -> Sequence[ExternalAlert]:
        return [a for a in self.live() if a.sender == sender and a.identifier == identifier]

    def referencing(self, sender: str, identifier: str) -> Sequence[ExternalAlert]:
        return [a for a in self.live() if a.refers_to(sender, identifier)]

    def of_feed(self, feed_id: uuid.UUID) -> Sequence[ExternalAlert]:
        return [a for a in self.live() if a.feed_id == feed_id]

    def past_end(self, moment: datetime) -> Sequence[ExternalAlert]:
        return [a for a in self.live() if a.active and a.ends_at <= moment]

    def recent(self, moment: datetime) -> frozenset[EntrySummary]:
        return frozenset(
            (a.identifier, a.sent)
            for a in self.live()
            if a.received_at > moment - KNOWN_WINDOW or (a.expires is not None and a.expires > moment)
        )


class FakeExternalUnitOfWork:
    def __init__(self) -> None:
        self.external_feeds = FakeFeeds()
        self.external_alerts = FakeAlerts()
        self.node_id = uuid.UUID(int=42)
        self.commits = 0
        self.events: list[Event] = []

    def _repositories(self) -> tuple[FakeRepository[Any], ...]:
        return (self.external_feeds, self.external_alerts)

    def commit(self) -> None:
        for repository in self._repositories():
            for aggregate in repository.seen():
                self.events.extend(aggregate.events)
                aggregate.events.clear()
            repository.flush()
        self.commits += 1

    def take_events(self) -> list[Event]:
        taken, self.events = self.events, []
        return taken
