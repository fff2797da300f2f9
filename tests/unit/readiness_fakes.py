"""In-memory fakes of the readiness capability's ports (`domains/readiness/ports.py`).

The repositories are the incidents' fakes (version stamped on add, bumped on a committed change) with
the queries of this capability; the network is a small directory with labels chosen per contact; the
sender records what it was handed and can be told to fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crisislink.domains.readiness.plans import CommTestPlan
from crisislink.domains.readiness.ports import (
    ContactFacts,
    DeliveryReport,
    OutgoingMessage,
    PartnerFacts,
    PersonFacts,
)
from crisislink.domains.readiness.rota import Desk, DutyShift, Handover
from crisislink.domains.readiness.runs import CommTestRun, RunStatus
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import Event
from tests.unit.incident_fakes import FakeRepository

NODE = uuid.UUID(int=42)


class FakeShifts(FakeRepository[DutyShift]):
    def __init__(self) -> None:
        super().__init__()
        self.removed: set[uuid.UUID] = set()

    def remove(self, shift: DutyShift) -> None:
        self.removed.add(shift.id)

    def all(self) -> list[DutyShift]:
        return [s for s in super().all() if s.id not in self.removed]

    def flush(self) -> None:
        super().flush()
        for record_id in self.removed:
            self.committed.pop(record_id, None)
            self._seen.pop(record_id, None)

    def at_desk(self, contact_point_id: uuid.UUID, starts: datetime, ends: datetime) -> Sequence[DutyShift]:
        return [s for s in self.all() if s.contact_point_id == contact_point_id and s.overlaps(starts, ends)]


class FakeDesks(FakeRepository[Desk]):
    def find(self, contact_point_id: uuid.UUID) -> Desk | None:
        try:
            return self.get(contact_point_id)
        except NotFound:
            return None

    def tracked(self) -> Sequence[Desk]:
        return self.all()


class FakePlans(FakeRepository[CommTestPlan]):
    def due(self, moment: datetime) -> Sequence[CommTestPlan]:
        return [p for p in self.all() if p.is_due(moment)]


class FakeRuns(FakeRepository[CommTestRun]):
    def with_token(self, token_hash: str) -> CommTestRun:
        for run in self.all():
            if any(m.token_hash == token_hash for p in run.probes for m in p.messages):
                return run
        raise NotFound("unknown acknowledgement code")

    def open_runs(self) -> Sequence[CommTestRun]:
        return [r for r in self.all() if r.status is RunStatus.OPEN]


@dataclass
class FakeNetwork:
    contacts_by_id: dict[uuid.UUID, ContactFacts] = field(default_factory=dict)
    partners: dict[uuid.UUID, PartnerFacts] = field(default_factory=dict)
    people: dict[uuid.UUID, tuple[uuid.UUID, PersonFacts]] = field(default_factory=dict)

    def add_partner(self, country: str, kind: str = "safety_region") -> uuid.UUID:
        partner = PartnerFacts(id=uuid.uuid4(), country=country, kind=kind)
        self.partners[partner.id] = partner
        return partner.id

    def add_contact(
        self,
        partner_id: uuid.UUID,
        name: str,
        role: str = "duty_desk_24_7",
        channels: tuple[tuple[str, str], ...] = (("phone", "+32 2 000 00 00"),),
        marking: Tlp = Tlp.GREEN,
        audience: frozenset[Principal] = frozenset(),
    ) -> ContactFacts:
        label = Label(owner_partner_id=partner_id, home_node_id=NODE, marking=marking, audience=audience)
        contact = ContactFacts(
            id=uuid.uuid4(),
            partner_id=partner_id,
            name=name,
            role=role,
            channels=channels,
            label=label,
            home_node_id=NODE,
        )
        self.contacts_by_id[contact.id] = contact
        return contact

    def add_person(self, partner_id: uuid.UUID, name: str, email: str | None = None) -> uuid.UUID:
        user_id = uuid.uuid4()
        self.people[user_id] = (partner_id, PersonFacts(name=name, email=email))
        return user_id

    def _visible(self, contact: ContactFacts, seen_by: uuid.UUID) -> bool:
        label = contact.label
        if label.owner_partner_id == seen_by or label.marking in {Tlp.CLEAR, Tlp.GREEN}:
            return True
        return label.marking is Tlp.AMBER and Principal.partner(seen_by) in label.audience

    def contact(self, contact_point_id: uuid.UUID) -> ContactFacts | None:
        return self.contacts_by_id.get(contact_point_id)

    def contacts(self, seen_by: uuid.UUID, partners: frozenset[uuid.UUID]) -> Sequence[ContactFacts]:
        return [
            c
            for c in self.contacts_by_id.values()
            if (not partners or c.partner_id in partners) and self._visible(c, seen_by)
        ]

    def desks_of(self, partner_id: uuid.UUID, seen_by: uuid.UUID) -> Sequence[ContactFacts]:
        return [c for c in self.contacts(seen_by, frozenset({partner_id})) if c.role == "duty_desk_24_7"]

    def national_desks(self, country: str, seen_by: uuid.UUID) -> Sequence[ContactFacts]:
        return [
            c
            for c in self.contacts(seen_by, frozenset())
            if c.role == "duty_desk_24_7"
            and self.partners[c.partner_id].country == country
            and self.partners[c.partner_id].kind == "national_crisis_centre"
        ]

    def partner(self, partner_id: uuid.UUID) -> PartnerFacts | None:
        return self.partners.get(partner_id)

    def person(self, user_id: uuid.UUID) -> PersonFacts | None:
        found = self.people.get(user_id)
        return found[1] if found else None

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        found = self.people.get(user_id)
        return found[0] if found else None


@dataclass
class FakeSender:
    sent: list[OutgoingMessage] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # channels that fail

    def send(self, message: OutgoingMessage) -> DeliveryReport:
        self.sent.append(message)
        if message.recipient.channel in self.failing:
            return DeliveryReport(sent=False, detail="the line is down")
        return DeliveryReport(sent=True)

    def to(self, address: str) -> list[OutgoingMessage]:
        return [m for m in self.sent if m.recipient.address == address]


class FakeReadinessUnitOfWork:
    def __init__(self, network: FakeNetwork | None = None) -> None:
        self.duty_shifts = FakeShifts()
        self.duty_desks = FakeDesks()
        self.handovers: FakeRepository[Handover] = FakeRepository()
        self.comm_test_plans = FakePlans()
        self.comm_test_runs = FakeRuns()
        self.readiness_network = network or FakeNetwork()
        self.node_id = NODE
        self.commits = 0
        self.events: list[Event] = []

    def _repositories(self) -> tuple[FakeRepository[Any], ...]:
        return (self.duty_shifts, self.duty_desks, self.handovers, self.comm_test_plans, self.comm_test_runs)

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

    def of_type(self, kind: type[Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]
