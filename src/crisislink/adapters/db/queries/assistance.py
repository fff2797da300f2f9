"""Queries of the assistance capability. Every one filters with the sharing policy.

A unit is seen under its own label. A request is seen by its requester and the partners it was sent to
(its AMBER audience). An offer is seen by its offerer and the requester, and only by someone who may also
see its request: the request is checked first, then each offer, as for records inside an incident.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.assistance_views import OfferView, RequestView, UnitView
from crisislink.adapters.db.queries.directory import audience_column, audience_members
from crisislink.adapters.db.queries.views import record
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

MAX_PAGE = 500
ENDED = ("closed", "cancelled", "expired")


@dataclass(frozen=True)
class UnitFilter:
    capability: str | None = None
    status: str | None = None
    partner_id: uuid.UUID | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class RequestFilter:
    status: str | None = None  # None: every request that has not ended
    incident_id: uuid.UUID | None = None
    include_ended: bool = False
    limit: int = 100
    offset: int = 0


_UNIT_COLUMNS = (*t.assistance_units.c, audience_column(t.assistance_units).label("audience"))


def _unit_view(row: dict[str, Any]) -> UnitView:
    return msgspec.convert(
        {**row, "audience": audience_members(row["audience"])}, UnitView, from_attributes=True
    )


def list_units(engine: Engine, viewer: Viewer, flt: UnitFilter) -> list[UnitView]:
    u = t.assistance_units.c
    query = sa.select(*_UNIT_COLUMNS).where(visible_to(viewer, t.assistance_units))
    if flt.capability:
        query = query.where(u.capability == flt.capability)
    if flt.status:
        query = query.where(u.status == flt.status)
    if flt.partner_id:
        query = query.where(u.owner_partner_id == flt.partner_id)
    query = query.order_by(u.owner_partner_id, u.capability, u.name, u.id)
    query = query.limit(min(flt.limit, MAX_PAGE)).offset(flt.offset)
    with engine.connect() as conn:
        return [_unit_view(record(row)) for row in conn.execute(query).mappings()]


def get_unit(engine: Engine, viewer: Viewer, unit_id: uuid.UUID) -> UnitView:
    u = t.assistance_units
    query = sa.select(*_UNIT_COLUMNS).where(u.c.id == unit_id, visible_to(viewer, u, correlated=True))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no unit with id {unit_id} that you may see")
    return _unit_view(record(row))


def unit_features(engine: Engine, viewer: Viewer) -> Iterator[dict[str, Any]]:
    """Units as map points: where a deployed unit is, otherwise its home base."""
    u = t.assistance_units.c
    query = (
        sa.select(
            u.id,
            u.owner_partner_id,
            u.marking,
            u.capability,
            u.name,
            u.call_sign,
            u.status,
            u.status_at,
            u.home_base,
            u.position,
        )
        .where(visible_to(viewer, t.assistance_units))
        .order_by(u.owner_partner_id, u.capability, u.name)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    for row in rows:
        yield {
            "type": "Feature",
            "id": f"unit:{row.id}",
            "geometry": {"type": "Point", "coordinates": row.position or row.home_base},
            "properties": {
                "kind": "unit",
                "unit_id": str(row.id),
                "partner_id": str(row.owner_partner_id),
                "marking": row.marking,
                "capability": row.capability,
                "name": row.name,
                "call_sign": row.call_sign,
                "status": row.status,
                "status_at": row.status_at.isoformat(),
                "at_home_base": row.position is None,
            },
        }


def _request_view(row: dict[str, Any]) -> RequestView:
    addressees = [uuid.UUID(p) for p in row["addressees"]]
    lon, lat = row["staging"]["point"]
    staging = {"name": row["staging"]["name"], "lon": lon, "lat": lat}
    return msgspec.convert(
        {**row, "addressees": addressees, "staging": staging}, RequestView, from_attributes=True
    )


def list_requests(engine: Engine, viewer: Viewer, flt: RequestFilter) -> list[RequestView]:
    r = t.assistance_requests.c
    query = sa.select(t.assistance_requests).where(visible_to(viewer, t.assistance_requests))
    if flt.status:
        query = query.where(r.status == flt.status)
    elif not flt.include_ended:
        query = query.where(r.status.not_in(ENDED))
    if flt.incident_id:
        query = query.where(r.incident_id == flt.incident_id)
    query = query.order_by(r.created_at.desc(), r.id).limit(min(flt.limit, MAX_PAGE)).offset(flt.offset)
    with engine.connect() as conn:
        return [_request_view(record(row)) for row in conn.execute(query).mappings()]


def get_request(engine: Engine, viewer: Viewer, request_id: uuid.UUID) -> RequestView:
    r = t.assistance_requests
    query = sa.select(r).where(r.c.id == request_id, visible_to(viewer, r, correlated=True))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no assistance request with id {request_id} that you may see")
    return _request_view(record(row))


def _offer_view(row: dict[str, Any]) -> OfferView:
    return msgspec.convert(
        {**row, "accepted_units": [uuid.UUID(u) for u in row["accepted_units"]]},
        OfferView,
        from_attributes=True,
    )


def offers_for_request(engine: Engine, viewer: Viewer, request_id: uuid.UUID) -> list[OfferView]:
    """The offers on a request the viewer may see: all of them for the requester, its own for an offerer."""
    get_request(engine, viewer, request_id)
    o = t.assistance_offers.c
    query = (
        sa.select(t.assistance_offers)
        .where(o.request_id == request_id, visible_to(viewer, t.assistance_offers))
        .order_by(o.offered_at, o.id)
        .limit(MAX_PAGE)
    )
    with engine.connect() as conn:
        return [_offer_view(record(row)) for row in conn.execute(query).mappings()]


def get_offer(engine: Engine, viewer: Viewer, offer_id: uuid.UUID) -> OfferView:
    """One offer, if the viewer may see it and its request; otherwise the same 404 as a missing one."""
    o = t.assistance_offers
    query = sa.select(o).where(o.c.id == offer_id, visible_to(viewer, o, correlated=True))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no assistance offer with id {offer_id} that you may see")
    try:
        get_request(engine, viewer, row["request_id"])
    except NotFound:
        raise NotFound(f"no assistance offer with id {offer_id} that you may see") from None
    return _offer_view(record(row))
