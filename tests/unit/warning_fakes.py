"""In-memory fakes of the warnings capability's ports (`domains/warnings/ports.py`).

The repository is the incidents' fake (versions stamped on add and bumped on a changed commit, events
collected on commit, `rollback` forgets what was not committed) with the warnings' one query added.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.warnings.model import PublicWarning
from crisislink.domains.warnings.ports import WarningPartner
from crisislink.kernel.messages import Event
from tests.unit.incident_fakes import FakeRepository


class FakeWarnings(FakeRepository[PublicWarning]):
    def due(self, moment: datetime) -> Sequence[PublicWarning]:
        return [
            warning
            for warning in self.all()
            if warning.ran_out(moment) or any(part.due(moment) for part in warning.parts.values())
        ]


@dataclass
class FakeWarningDirectory:
    partners: dict[uuid.UUID, WarningPartner] = field(default_factory=dict)
    users: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # user -> partner

    def add_partner(self, country: str, *, approves_warnings: bool = True) -> WarningPartner:
        partner = WarningPartner(id=uuid.uuid4(), country=country, approves_warnings=approves_warnings)
        self.partners[partner.id] = partner
        return partner

    def add_user(self, partner_id: uuid.UUID) -> uuid.UUID:
        user_id = uuid.uuid4()
        self.users[user_id] = partner_id
        return user_id

    def partner(self, partner_id: uuid.UUID) -> WarningPartner | None:
        return self.partners.get(partner_id)

    def partners_in(self, country: str) -> Sequence[WarningPartner]:
        return [partner for partner in self.partners.values() if partner.country == country]

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        return self.users.get(user_id)


@dataclass
class SequentialIdentifiers:
    """CL-000001, CL-000002...; `replay` makes the next call return an identifier given out before."""

    sender: str = "crisislink@vrzl.example.nl"
    given: list[str] = field(default_factory=list)
    replay: str | None = None

    def new_identifier(self) -> str:
        identifier = self.replay or f"CL-{len(self.given) + 1:06d}"
        self.replay = None
        self.given.append(identifier)
        return identifier


class FakeWarningsUnitOfWork:
    def __init__(self, directory: FakeWarningDirectory | None = None) -> None:
        self.warnings = FakeWarnings()
        self.warning_directory = directory or FakeWarningDirectory()
        self.node_id = uuid.UUID(int=42)
        self.commits = 0
        self.events: list[Event] = []

    def commit(self) -> None:
        for warning in self.warnings.seen():
            self.events.extend(warning.events)
            warning.events.clear()
        self.warnings.flush()
        self.commits += 1

    def rollback(self) -> None:
        self.warnings.rollback()
