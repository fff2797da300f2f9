"""Queries of the hospital register. Every one filters with the sharing policy.

Hospitals are CLEAR today, but the register is read like any shareable record: a node that marks its
register otherwise is served by the same queries, unchanged.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.hospital_repositories import report_from_rows
from crisislink.adapters.db.queries.hospital_views import HospitalSummary, HospitalView, StatusView
from crisislink.adapters.db.queries.views import record
from crisislink.domains.assistance.hospital import StatusReport
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

MAX_PAGE = 5_000  # the whole shipped register fits in one page
RECENT_REPORTS = 20

BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class HospitalFilter:
    country: str | None = None
    bbox: BBox | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class CapacityCandidate:
    """A hospital as the nearest-hospital search needs it: where, its register flag, its current report."""

    id: uuid.UUID
    code: str
    name: str
    site: str | None
    country: str | None
    location: Point
    emergency: bool | None
    report: StatusReport | None  # carrying only the beds of the bed type asked for


def list_hospitals(engine: Engine, viewer: Viewer, flt: HospitalFilter) -> list[HospitalSummary]:
    h, r = t.hospitals, t.hospital_reports
    query = (
        sa.select(*h.c, r.c.reported_at.label("status_reported_at"), r.c.ems_traffic.label("ems_traffic"))
        .select_from(h.outerjoin(r, r.c.id == h.c.status_report_id))
        .where(visible_to(viewer, h))
    )
    if flt.country:
        query = query.where(h.c.country == flt.country.upper())
    if flt.bbox:
        min_lon, min_lat, max_lon, max_lat = flt.bbox
        query = query.where(h.c.lon.between(min_lon, max_lon), h.c.lat.between(min_lat, max_lat))
    query = query.order_by(h.c.country, h.c.code).limit(min(flt.limit, MAX_PAGE)).offset(flt.offset)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [msgspec.convert(record(row), HospitalSummary, from_attributes=True) for row in rows]


def _status_views(conn: Connection, rows: Sequence[Mapping[Any, Any]]) -> list[StatusView]:
    ids = [row["id"] for row in rows]
    beds: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        query = sa.select(t.hospital_beds).where(t.hospital_beds.c.report_id.in_(ids))
        for bed in conn.execute(query).mappings():
            beds[bed["report_id"]].append(record(bed))
    return [
        msgspec.convert(
            {
                **record(row),
                "report_id": row["id"],
                "beds": sorted(beds[row["id"]], key=lambda b: b["bed_type"]),
            },
            StatusView,
            from_attributes=True,
        )
        for row in rows
    ]


def get_hospital(engine: Engine, viewer: Viewer, hospital_id: uuid.UUID) -> HospitalView:
    h, r = t.hospitals, t.hospital_reports
    query = sa.select(h).where(h.c.id == hospital_id, visible_to(viewer, h, correlated=True))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"no hospital with id {hospital_id} that you may see")
        recent = conn.execute(
            sa.select(r)
            .where(r.c.hospital_id == hospital_id)
            .order_by(r.c.received_at.desc(), r.c.reported_at.desc(), r.c.id)
            .limit(RECENT_REPORTS)
        ).mappings()
        reports = _status_views(conn, list(recent))
        current = row["status_report_id"]
        status = next((s for s in reports if s.report_id == current), None)
        if current is not None and status is None:  # older than the recent ones: read it on its own
            found = conn.execute(sa.select(r).where(r.c.id == current)).mappings().all()
            status = _status_views(conn, found)[0]
        identifiers = conn.execute(
            sa.select(t.hospital_identifiers.c.identifier)
            .where(t.hospital_identifiers.c.hospital_id == hospital_id)
            .order_by(t.hospital_identifiers.c.identifier)
        ).scalars()
        data = {**record(row), "identifiers": list(identifiers), "status": status, "recent_reports": reports}
    return msgspec.convert(data, HospitalView, from_attributes=True)


def hospital_codes(engine: Engine) -> set[str]:
    """Every code in the register, whatever its label: for seeding, which adds only what is missing."""
    with engine.connect() as conn:
        return set(conn.execute(sa.select(t.hospitals.c.code)).scalars())


def capacity_candidates(engine: Engine, viewer: Viewer, bed_type: str) -> list[CapacityCandidate]:
    """Every hospital the viewer may see, with its current report and that report's beds of `bed_type`."""
    h, r, b = t.hospitals, t.hospital_reports, t.hospital_beds
    query = (
        sa.select(
            h.c.id.label("hospital"),  # not hospital_id: the report has that column
            h.c.code,
            h.c.name,
            h.c.site,
            h.c.country,
            h.c.lon,
            h.c.lat,
            h.c.emergency,
            *r.c,
            b.c.bed_type,
            b.c.available,
            b.c.baseline,
            b.c.vacant,
        )
        .select_from(
            h.outerjoin(r, r.c.id == h.c.status_report_id).outerjoin(
                b, sa.and_(b.c.report_id == r.c.id, b.c.bed_type == bed_type)
            )
        )
        .where(visible_to(viewer, h))
        .order_by(h.c.code)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_candidate(row) for row in rows]


def _candidate(row: Mapping[Any, Any]) -> CapacityCandidate:
    report = None
    if row["id"] is not None:
        beds = [row] if row["bed_type"] is not None else []
        report = report_from_rows(row, beds)
    return CapacityCandidate(
        id=row["hospital"],
        code=row["code"],
        name=row["name"],
        site=row["site"],
        country=row["country"],
        location=Point(lon=row["lon"], lat=row["lat"]),
        emergency=row["emergency"],
        report=report,
    )


def hospital_features(engine: Engine, viewer: Viewer) -> Iterator[dict[str, Any]]:
    """Hospitals as map points, with the few figures a map popup shows."""
    h, r = t.hospitals, t.hospital_reports
    query = (
        sa.select(
            h.c.id,
            h.c.code,
            h.c.name,
            h.c.site,
            h.c.country,
            h.c.lon,
            h.c.lat,
            h.c.emergency,
            h.c.beds,
            h.c.marking,
            r.c.reported_at,
            r.c.ems_traffic,
            r.c.facility_status,
        )
        .select_from(h.outerjoin(r, r.c.id == h.c.status_report_id))
        .where(visible_to(viewer, h))
        .order_by(h.c.country, h.c.code)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    for row in rows:
        yield {
            "type": "Feature",
            "id": f"hospital:{row.id}",
            "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
            "properties": {
                "kind": "hospital",
                "hospital_id": str(row.id),
                "code": row.code,
                "name": row.name,
                "site": row.site,
                "country": row.country,
                "marking": row.marking,
                "beds": row.beds,
                "emergency": row.emergency,
                "status_reported_at": None if row.reported_at is None else row.reported_at.isoformat(),
                "ems_traffic": row.ems_traffic,
                "facility_status": row.facility_status,
            },
        }
