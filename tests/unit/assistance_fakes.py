"""In-memory fakes of the assistance capability's ports (`domains/assistance/ports.py`).

They reuse the incidents fakes' repository: `add` stamps version 1, a commit bumps the version of every
changed aggregate and collects the events raised (into `uow.events`), `rollback` forgets what was not
committed, as the SQL unit of work does when a handler raises.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from crisislink.domains.assistance.model import Unit
from crisislink.domains.assistance.offers import Offer
from crisislink.domains.assistance.requests import AssistanceRequest, RequestStatus
from crisislink.kernel.messages import Event
from tests.unit.incident_fakes import FakeDirectory, FakeRepository


class FakeRequests(FakeRepository[AssistanceRequest]):
    def due_for_expiry(self, moment: datetime) -> Sequence[AssistanceRequest]:
        return [r for r in self.all() if r.status is RequestStatus.OPEN and r.respond_by <= moment]


class FakeOffers(FakeRepository[Offer]):
    def for_request(self, request_id: uuid.UUID) -> Sequence[Offer]:
        return [o for o in self.all() if o.request_id == request_id]


class FakeAssistanceUnitOfWork:
    def __init__(self, directory: FakeDirectory | None = None) -> None:
        self.units: FakeRepository[Unit] = FakeRepository()
        self.assistance_requests = FakeRequests()
        self.assistance_offers = FakeOffers()
        self.directory = directory or FakeDirectory()
        self.node_id = uuid.UUID(int=42)
        self.commits = 0
        self.events: list[Event] = []

    def _repositories(self) -> tuple[FakeRepository[Any], ...]:
        return (self.units, self.assistance_requests, self.assistance_offers)

    def commit(self) -> None:
        for repository in self._repositories():
            for aggregate in repository.seen():
                self.events.extend(aggregate.events)
                aggregate.events.clear()
            repository.flush()
        self.commits += 1

    def rollback(self) -> None:
        for repository in self._repositories():
            repository.rollback()
