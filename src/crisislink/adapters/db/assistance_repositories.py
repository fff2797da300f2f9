"""Repositories of the assistance capability: units, requests, offers. Like all repositories, never commit."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.incident_repositories import _StampedRepository
from crisislink.adapters.db.repositories import Row
from crisislink.domains.assistance.model import HostNationSupport, Point, StagingArea, Unit, UnitStatus
from crisislink.domains.assistance.offers import Offer, OfferedUnit, OfferStatus
from crisislink.domains.assistance.requests import AssistanceRequest, RequestStatus


def point_to_json(point: Point | None) -> list[float] | None:
    return None if point is None else [point.lon, point.lat]


def point_from_json(value: Sequence[float] | None) -> Point | None:
    return None if value is None else Point(lon=float(value[0]), lat=float(value[1]))


def _ids(values: Sequence[str]) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(v) for v in values)


class UnitRepository(_StampedRepository[Unit]):
    table = t.assistance_units
    noun = "unit"

    def _to_row(self, unit: Unit) -> Row:
        return {
            "id": unit.id,
            **self._label_row(unit.label),
            "capability": unit.capability,
            "name": unit.name,
            "call_sign": unit.call_sign,
            "home_base": point_to_json(unit.home_base),
            "status": unit.status.value,
            "status_at": unit.status_at,
            "position": point_to_json(unit.position),
            "crew_languages": list(unit.crew_languages),
            "radio": list(unit.radio),
            "arrangements": list(unit.arrangements),
            "offer_id": unit.offer_id,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Unit:
        home = point_from_json(row["home_base"])
        assert home is not None
        return Unit(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            capability=row["capability"],
            name=row["name"],
            call_sign=row["call_sign"],
            home_base=home,
            status=UnitStatus(row["status"]),
            status_at=row["status_at"],
            position=point_from_json(row["position"]),
            crew_languages=tuple(row["crew_languages"]),
            radio=tuple(row["radio"]),
            arrangements=tuple(row["arrangements"]),
            offer_id=row["offer_id"],
        )


def _staging_to_json(staging: StagingArea) -> dict[str, Any]:
    return {"name": staging.name, "point": point_to_json(staging.point)}


def _support_to_json(support: HostNationSupport) -> dict[str, Any]:
    return {"liaison": support.liaison, "languages": list(support.languages), "logistics": support.logistics}


class AssistanceRequestRepository(_StampedRepository[AssistanceRequest]):
    table = t.assistance_requests
    noun = "assistance request"

    def _to_row(self, request: AssistanceRequest) -> Row:
        return {
            "id": request.id,
            **self._label_row(request.label),
            "capability": request.capability,
            "quantity": request.quantity,
            "staging": _staging_to_json(request.staging),
            "starts_at": request.starts_at,
            "ends_at": request.ends_at,
            "respond_by": request.respond_by,
            "support": _support_to_json(request.support),
            "description": request.description,
            "incident_id": request.incident_id,
            "addressees": sorted(str(p) for p in request.addressees),
            "status": request.status.value,
            "accepted": request.accepted,
            "created_at": request.created_at,
            "created_by": request.created_by,
        }

    def _from_row(self, row: Mapping[str, Any]) -> AssistanceRequest:
        point = point_from_json(row["staging"]["point"])
        assert point is not None
        support = row["support"]
        return AssistanceRequest(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            capability=row["capability"],
            quantity=row["quantity"],
            staging=StagingArea(row["staging"]["name"], point),
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            respond_by=row["respond_by"],
            support=HostNationSupport(support["liaison"], tuple(support["languages"]), support["logistics"]),
            description=row["description"],
            incident_id=row["incident_id"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            addressees=frozenset(_ids(row["addressees"])),
            status=RequestStatus(row["status"]),
            accepted=row["accepted"],
            updated_at=row["updated_at"],
        )

    def due_for_expiry(self, moment: datetime) -> list[AssistanceRequest]:
        c = t.assistance_requests.c
        return self._all((c.status == RequestStatus.OPEN.value) & (c.respond_by <= moment))


class OfferRepository(_StampedRepository[Offer]):
    table = t.assistance_offers
    noun = "assistance offer"

    def _to_row(self, offer: Offer) -> Row:
        return {
            "id": offer.id,
            **self._label_row(offer.label),
            "request_id": offer.request_id,
            "requester_id": offer.requester_id,
            "units": [
                {"unit_id": str(u.unit_id), "name": u.name, "call_sign": u.call_sign} for u in offer.units
            ],
            "quantity": offer.quantity,
            "available_from": offer.available_from,
            "conditions": offer.conditions,
            "status": offer.status.value,
            "accepted": offer.accepted,
            "accepted_units": [str(u) for u in offer.accepted_units],
            "reason": offer.reason,
            "offered_at": offer.offered_at,
            "offered_by": offer.offered_by,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Offer:
        return Offer(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            request_id=row["request_id"],
            requester_id=row["requester_id"],
            units=tuple(
                OfferedUnit(uuid.UUID(u["unit_id"]), u["name"], u["call_sign"]) for u in row["units"]
            ),
            quantity=row["quantity"],
            available_from=row["available_from"],
            conditions=row["conditions"],
            offered_at=row["offered_at"],
            offered_by=row["offered_by"],
            status=OfferStatus(row["status"]),
            accepted=row["accepted"],
            accepted_units=_ids(row["accepted_units"]),
            reason=row["reason"],
            updated_at=row["updated_at"],
        )

    def for_request(self, request_id: uuid.UUID) -> list[Offer]:
        return self._all(t.assistance_offers.c.request_id == request_id)
