"""Incidents as EMSI messages (`incident_to_emsi`); the codes are tables in `emsi_codes`.

What an incident becomes:
- CONTEXT: ID the message id; MODE `ACTUAL` for live incidents, `EXERCS` for exercises and replays (an
  EMSI receiver must never take them for live); MSGTYPE `ALERT` on the first message about an incident,
  `UPDATE` after; SECLASS from the TLP marking (see `emsi_codes`); FREETEXT the description; ORIGIN the
  owner partner.
- EVENT: ID the incident id; MAIN_EVENT_ID the reference another system gave it, else the id; ETYPE
  CATEGORY from the hazard taxonomy, ACTOR `PPL` (people: a crisis centre handles an incident because of
  its effect on the population) and LOCTYPE `OTH` (other: crisislink does not record the kind of place);
  STATUS `IPR` while active, `STOP` while de-escalating (under control, no more resources needed), `COM`
  when closed; CASUALTIES and EVAC from a published situation report's figures.
- Geometry: the location is an EGEO of TYPE `GEN/LOCAT` (incident location) whose POSITION is a `POINT`
  with one COORD. The affected area is one EGEO of TYPE `GEN/EVENT` (event area) per exterior ring, each
  with a POSITION of TYPE `POLYGON` whose COORD elements are the ring's vertices in order, closed (the
  last repeats the first), COORDSYS `EPSG-4326`. The schema allows one POSITION per EGEO and any number
  of EGEO, hence an EGEO per ring; it has no holes, so interior rings are not sent.
- One MISSION per task: TYPE `FSTT/TA` ("appui technique", technical support), the one code of the
  health hub's list that names no specific medical or firefighting act; STATUS NST/IPR/COM/CANCLD;
  START_TIME when the task was given, END_TIME when it is due.
- One RESOURCE per partner taking part (the lead, then the involved): RCLASS `ORG` (an organisation),
  STATUS `IN_USE/ON_SCENE` (engaged in the response), FREETEXT says lead or involved.
- Casualty figures: `dead` is TRIAGEBLACK, `missing` MISSING, and `injured`, which crisislink does not
  triage, is sent as TRIAGEYELLOW (delayed care: neither the immediate nor the minor category); CONTEXT
  names the situation report the figures come from.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from crisislink.adapters.standards import emsi
from crisislink.adapters.standards.emsi_codes import (
    ACTOR,
    AREA_EGEO,
    EVENT_STATUS_OF,
    LOCATION_EGEO,
    LOCTYPE,
    MISSION_STATUS_OF,
    MISSION_TYPE,
    MODE_OF,
    POINT,
    POLYGON,
    RESOURCE_CLASS,
    RESOURCE_STATUS,
    SECLASS_OF,
    WGS84,
    closed_ring,
)
from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.incidents.model import Incident, Point, Task
from crisislink.domains.incidents.sitreps import Sitrep, SitrepStatus
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area


def incident_to_emsi(
    incident: Incident,
    *,
    tasks: Sequence[Task],
    sitrep: Sitrep | None,
    partner_codes: Mapping[uuid.UUID, str],
    partner_names: Mapping[uuid.UUID, str],
    message_id: str,
    created: datetime,
    first: bool,
) -> emsi.EmsiMessage:
    """The incident, its tasks and the figures of its latest published situation report, as EMSI."""
    _check_belongs(incident, tasks, sitrep)
    return emsi.EmsiMessage(
        context=_context(incident, partner_codes, partner_names, message_id, created, first),
        event=_event(incident, sitrep),
        missions=tuple(_mission(task, partner_codes) for task in tasks),
        resources=tuple(
            _resource(partner, partner is incident.lead_partner_id, partner_codes, partner_names)
            for partner in _parties(incident, partner_codes)
        ),
    )


def _check_belongs(incident: Incident, tasks: Sequence[Task], sitrep: Sitrep | None) -> None:
    # A message goes to another organisation: a wrong task or a draft report in it would be a leak.
    strays = [task.title for task in tasks if task.incident_id != incident.id]
    if strays:
        raise InvalidInput(f"tasks of another incident cannot be sent with this one: {', '.join(strays)}")
    if sitrep is not None and sitrep.incident_id != incident.id:
        raise InvalidInput(f"situation report {sitrep.number} belongs to another incident")
    if sitrep is not None and sitrep.status is not SitrepStatus.PUBLISHED:
        raise InvalidInput(
            f"situation report {sitrep.number} is not published; only published figures are sent"
        )


def _context(
    incident: Incident,
    partner_codes: Mapping[uuid.UUID, str],
    partner_names: Mapping[uuid.UUID, str],
    message_id: str,
    created: datetime,
    first: bool,
) -> emsi.Context:
    owner = incident.label.owner_partner_id
    origin = None
    if owner is not None and (owner in partner_codes or owner in partner_names):
        origin = emsi.Origin(org_id=partner_codes.get(owner), name=partner_names.get(owner))
    return emsi.Context(
        id=message_id,
        mode=MODE_OF[incident.mode],
        msgtype="ALERT" if first else "UPDATE",
        creation=created,
        seclass=SECLASS_OF[incident.label.marking],
        freetext=incident.description or None,
        origin=origin,
    )


def _event(incident: Incident, sitrep: Sitrep | None) -> emsi.Event:
    return emsi.Event(
        id=str(incident.id),
        name=incident.title,
        main_event_id=incident.reference or str(incident.id),
        etype=emsi.Etype(
            categories=(HAZARDS[incident.hazard].emsi_category,), actors=(ACTOR,), loctypes=(LOCTYPE,)
        ),
        decl_datime=incident.declared_at,
        occ_datime=incident.occurred_at,
        status=EVENT_STATUS_OF[incident.status],
        casualties=() if sitrep is None else (_casualties(sitrep),),
        evacs=() if sitrep is None else (_evac(sitrep),),
        egeos=_egeos(incident),
    )


def _casualties(sitrep: Sitrep) -> emsi.Casualties:
    figures = sitrep.figures
    return emsi.Casualties(
        context=f"SITREP {sitrep.number}",
        datime=sitrep.published_at or sitrep.created_at,
        triageyellow=figures.injured,
        triageblack=figures.dead,
        missing=figures.missing,
    )


def _evac(sitrep: Sitrep) -> emsi.Evac:
    figures = sitrep.figures
    return emsi.Evac(
        datime=sitrep.published_at or sitrep.created_at,
        displaced=figures.displaced,
        evacuated=figures.evacuated,
    )


def _egeos(incident: Incident) -> tuple[emsi.Egeo, ...]:
    located = () if incident.location is None else (_location_egeo(incident.location),)
    return located + tuple(_area_egeo(ring) for ring in _exterior_rings(incident.area))


def _location_egeo(point: Point) -> emsi.Egeo:
    coord = emsi.Coord(lat=point.lat, long=point.lon)
    return emsi.Egeo(type=LOCATION_EGEO, position=emsi.Position(type=POINT, coordsys=WGS84, coords=(coord,)))


def _area_egeo(ring: Sequence[tuple[float, float]]) -> emsi.Egeo:
    coords = tuple(emsi.Coord(lat=lat, long=lon) for lon, lat in ring)
    return emsi.Egeo(type=AREA_EGEO, position=emsi.Position(type=POLYGON, coordsys=WGS84, coords=coords))


def _exterior_rings(area: Area) -> list[list[tuple[float, float]]]:
    """The (lon, lat) exterior ring of each polygon of the area, closed."""
    geometry = area.geometry
    polygons: list[Any] = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])
    )
    return [
        closed_ring([(float(lon), float(lat)) for lon, lat, *_ in polygon[0]])
        for polygon in polygons
        if polygon
    ]


def _mission(task: Task, partner_codes: Mapping[uuid.UUID, str]) -> emsi.Mission:
    return emsi.Mission(
        type=MISSION_TYPE,
        freetext=task.details or None,
        id=str(task.id),
        org_id=partner_codes.get(task.assignee_partner_id),
        name=task.title,
        status=MISSION_STATUS_OF[task.status],
        start_time=task.created_at,
        end_time=task.due_at,
    )


def _parties(incident: Incident, partner_codes: Mapping[uuid.UUID, str]) -> list[uuid.UUID]:
    others = sorted(
        incident.involved - {incident.lead_partner_id}, key=lambda p: (partner_codes.get(p, ""), str(p))
    )
    return [incident.lead_partner_id, *others]


def _resource(
    partner: uuid.UUID,
    lead: bool,
    partner_codes: Mapping[uuid.UUID, str],
    partner_names: Mapping[uuid.UUID, str],
) -> emsi.Resource:
    return emsi.Resource(
        rtype=emsi.Rtype(rclasses=(RESOURCE_CLASS,)),
        id=str(partner),
        org_id=partner_codes.get(partner),
        name=partner_names.get(partner) or partner_codes.get(partner) or str(partner),
        freetext="lead partner" if lead else "involved partner",
        status=RESOURCE_STATUS,
    )
