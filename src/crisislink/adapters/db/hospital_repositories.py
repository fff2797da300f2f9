"""Repository of the hospital register. Like all repositories it never commits.

A hospital is one row in `hospitals`, its identifiers rows in `hospital_identifiers`, and its status
reports rows in `hospital_reports` (with their beds in `hospital_beds`), written append-only: only the
reports received since the hospital was loaded are inserted.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.incident_repositories import _StampedRepository
from crisislink.adapters.db.repositories import Row
from crisislink.domains.assistance.hospital import Beds, Hospital, StatusReport
from crisislink.domains.assistance.model import Point

_METRES_PER_DEGREE = 111_320.0


def report_from_rows(row: Mapping[Any, Any], beds: Iterable[Mapping[Any, Any]]) -> StatusReport:
    return StatusReport(
        id=row["id"],
        message_id=row["message_id"],
        distribution=row["distribution"],
        reported_at=row["reported_at"],
        received_at=row["received_at"],
        reported_by=row["reported_by"],
        ems_traffic=row["ems_traffic"],
        ems_reason=row["ems_reason"],
        ed_capacity=row["ed_capacity"],
        facility_status=row["facility_status"],
        beds=tuple(
            Beds(b["bed_type"], b["available"], b["baseline"], b["vacant"])
            for b in sorted(beds, key=lambda b: str(b["bed_type"]))
        ),
    )


def _report_row(hospital_id: uuid.UUID, report: StatusReport) -> Row:
    return {
        "id": report.id,
        "hospital_id": hospital_id,
        "message_id": report.message_id,
        "distribution": report.distribution,
        "reported_at": report.reported_at,
        "received_at": report.received_at,
        "reported_by": report.reported_by,
        "ems_traffic": report.ems_traffic,
        "ems_reason": report.ems_reason,
        "ed_capacity": report.ed_capacity,
        "facility_status": report.facility_status,
    }


class HospitalRepository(_StampedRepository[Hospital]):
    table = t.hospitals
    noun = "hospital"

    def _to_row(self, hospital: Hospital) -> Row:
        return {
            "id": hospital.id,
            **self._label_row(hospital.label),
            "code": hospital.code,
            "name": hospital.name,
            "site": hospital.site,
            "lon": hospital.location.lon,
            "lat": hospital.location.lat,
            "country": hospital.country,
            "city": hospital.city,
            "postcode": hospital.postcode,
            "beds": hospital.beds,
            "emergency": hospital.emergency,
            "kind": hospital.kind,
            "source": hospital.source,
            "registered_at": hospital.registered_at,
            "status_report_id": None if hospital.status is None else hospital.status.id,
            "last_report_id": hospital.last_report_id,
        }

    def _state(self, hospital: Hospital) -> Row:
        return {**super()._state(hospital), "identifiers": list(hospital.identifiers)}

    def _from_row(self, row: Mapping[str, Any]) -> Hospital:
        return Hospital(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            code=row["code"],
            name=row["name"],
            site=row["site"],
            location=Point(lon=row["lon"], lat=row["lat"]),
            country=row["country"],
            city=row["city"],
            postcode=row["postcode"],
            identifiers=self._identifiers(row["id"]),
            beds=row["beds"],
            emergency=row["emergency"],
            kind=row["kind"],
            source=row["source"],
            registered_at=row["registered_at"],
            status=self._report(row["status_report_id"]),
            last_report_id=row["last_report_id"],
        )

    def _identifiers(self, hospital_id: uuid.UUID) -> tuple[str, ...]:
        h = t.hospital_identifiers.c
        query = sa.select(h.identifier).where(h.hospital_id == hospital_id).order_by(h.identifier)
        return tuple(self._conn.execute(query).scalars())

    def _report(self, report_id: uuid.UUID | None) -> StatusReport | None:
        if report_id is None:
            return None
        row = self._conn.execute(sa.select(t.hospital_reports).where(t.hospital_reports.c.id == report_id))
        found = row.mappings().one()
        beds = self._conn.execute(sa.select(t.hospital_beds).where(t.hospital_beds.c.report_id == report_id))
        return report_from_rows(found, beds.mappings())

    def _after_insert(self, hospital: Hospital) -> None:
        super()._after_insert(hospital)
        self._write_identifiers(hospital)
        self._write_reports(hospital)

    def _after_update(self, hospital: Hospital) -> None:
        super()._after_update(hospital)
        self._conn.execute(
            t.hospital_identifiers.delete().where(t.hospital_identifiers.c.hospital_id == hospital.id)
        )
        self._write_identifiers(hospital)
        self._write_reports(hospital)

    def _write_identifiers(self, hospital: Hospital) -> None:
        rows = [{"hospital_id": hospital.id, "identifier": i} for i in hospital.identifiers]
        if rows:
            self._conn.execute(t.hospital_identifiers.insert(), rows)

    def _write_reports(self, hospital: Hospital) -> None:
        """Reports are append-only: those received since loading are inserted, then forgotten here."""
        for report in hospital.received:
            self._conn.execute(t.hospital_reports.insert(), _report_row(hospital.id, report))
            beds = [
                {
                    "report_id": report.id,
                    "bed_type": b.bed_type,
                    "available": b.available,
                    "baseline": b.baseline,
                    "vacant": b.vacant,
                }
                for b in report.beds
            ]
            if beds:
                self._conn.execute(t.hospital_beds.insert(), beds)
        hospital.received.clear()

    def existing_codes(self, codes: Iterable[str]) -> set[str]:
        # All codes, then intersect: a register of thousands would not fit in one IN list on every engine.
        stored = set(self._conn.execute(sa.select(t.hospitals.c.code)).scalars())
        return stored & set(codes)

    def with_identifiers(self, identifiers: Sequence[str]) -> list[Hospital]:
        h = t.hospital_identifiers.c
        query = sa.select(h.hospital_id).where(h.identifier.in_(list(identifiers))).distinct()
        return [self.get(hospital_id) for hospital_id in self._conn.execute(query).scalars()]

    def near(self, point: Point, metres: float) -> list[Hospital]:
        dlat = metres / _METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(point.lat)), 0.01)
        c = t.hospitals.c
        return self._all(
            c.lat.between(point.lat - dlat, point.lat + dlat)
            & c.lon.between(point.lon - dlon, point.lon + dlon)
        )

    def has_report(self, hospital_id: uuid.UUID, message_id: str) -> bool:
        r = t.hospital_reports.c
        query = sa.select(r.id).where(r.hospital_id == hospital_id, r.message_id == message_id).limit(1)
        return self._conn.execute(query).first() is not None
