"""In-memory fakes of the hospital register's ports (`domains/assistance/hospital_ports.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from crisislink.domains.assistance.hospital import REGISTER_SOURCE, Hospital
from crisislink.domains.assistance.hospital_handlers import register_label
from crisislink.domains.assistance.hospital_matching import distance_m
from crisislink.domains.assistance.model import Point
from crisislink.kernel.messages import Event
from tests.unit.incident_fakes import FakeDirectory, FakeRepository

T0 = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


class FakeHospitals(FakeRepository[Hospital]):
    def existing_codes(self, codes: Iterable[str]) -> set[str]:
        return {h.code for h in self.all()} & set(codes)

    def with_identifiers(self, identifiers: Sequence[str]) -> Sequence[Hospital]:
        return [h for h in self.all() if set(identifiers) & set(h.identifiers)]

    def near(self, point: Point, metres: float) -> Sequence[Hospital]:
        return [h for h in self.all() if distance_m(h.location, point) <= metres * 1.5]

    def has_report(self, hospital_id: uuid.UUID, message_id: str) -> bool:
        stored = self.committed.get(hospital_id)
        return stored is not None and stored.has_received(message_id)


class FakeHospitalUnitOfWork:
    def __init__(self) -> None:
        self.hospitals = FakeHospitals()
        self.directory = FakeDirectory()
        self.node_id = uuid.UUID(int=42)
        self.owner = self.directory.add_partner("BE-NCCN", "BE").id
        self.commits = 0
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def commit(self) -> None:
        for aggregate in self.hospitals.seen():
            self.events.extend(aggregate.events)
            aggregate.events.clear()
        self.hospitals.flush()
        self.commits += 1

    def rollback(self) -> None:
        self.hospitals.rollback()

    def hospital(self, code: str, name: str, lon: float, lat: float, *, site: str | None = None) -> Hospital:
        """A committed register site."""
        hospital = Hospital(
            id=uuid.uuid4(),
            label=register_label(self.owner, self.node_id),
            code=code,
            name=name,
            site=site,
            location=Point(lon=lon, lat=lat),
            country="LU",
            city=None,
            postcode=None,
            identifiers=(code,),
            beds=None,
            emergency=None,
            kind=None,
            source=REGISTER_SOURCE,
            registered_at=T0,
        )
        self.hospitals.add(hospital)
        self.commit()
        return hospital
