"""Incidents as EMSI messages, and EMSI messages as incidents to import.

Export (`incident_to_emsi`):
- CONTEXT: ID the message id; MODE `ACTUAL` for live incidents, `EXERCS` for exercises and replays (an
  EMSI receiver must never take them for live); MSGTYPE `ALERT` on the first message about an incident,
  `UPDATE` after; SECLASS from the TLP marking (below); FREETEXT the description; ORIGIN the owner partner.
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

TLP and SECLASS. TLP says who may receive; SECLASS is a classification. crisislink never claims national
classified levels (SECRET, TOPSRT). Out: CLEAR -> UNCLAS; GREEN and AMBER -> RESTRC (not public);
AMBER+STRICT and RED -> CONFID. In, never less strict than what was sent: UNCLAS -> GREEN (unclassified
is not yet cleared for publication), RESTRC, UNMARK or none -> AMBER, CONFID, SECRET, TOPSRT -> RED.

Import (`emsi_to_import`) maps the other way and lists, in `notes`, one line for every value of the
message that an incident cannot hold, so the importer can log them: nothing is dropped silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from crisislink.adapters.standards import emsi
from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.incidents.model import (
    MAX_TITLE,
    Incident,
    IncidentStatus,
    Mode,
    Point,
    Task,
    TaskStatus,
)
from crisislink.domains.incidents.sitreps import Figures, Sitrep, SitrepStatus
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp

# --- codes crisislink writes, and how it reads them back (tables, so a new code is one line) -------------

MODE_OF: Final[Mapping[Mode, str]] = {Mode.LIVE: "ACTUAL", Mode.EXERCISE: "EXERCS", Mode.REPLAY: "EXERCS"}
# Anything but ACTUAL is not live. EXCERCS is how the published code list spells the schema's EXERCS.
MODE_FROM: Final[Mapping[str, Mode]] = {
    "ACTUAL": Mode.LIVE,
    "EXERCS": Mode.EXERCISE,
    "EXCERCS": Mode.EXERCISE,
    "SYSTEM": Mode.EXERCISE,
    "TEST": Mode.EXERCISE,
}
SECLASS_OF: Final[Mapping[Tlp, str]] = {
    Tlp.CLEAR: "UNCLAS",
    Tlp.GREEN: "RESTRC",
    Tlp.AMBER: "RESTRC",
    Tlp.AMBER_STRICT: "CONFID",
    Tlp.RED: "CONFID",
}
MARKING_FROM: Final[Mapping[str, Tlp]] = {
    "UNCLAS": Tlp.GREEN,
    "UNMARK": Tlp.AMBER,
    "RESTRC": Tlp.AMBER,
    "CONFID": Tlp.RED,
    "SECRET": Tlp.RED,
    "TOPSRT": Tlp.RED,
}
UNMARKED: Final = Tlp.AMBER
EVENT_STATUS_OF: Final[Mapping[IncidentStatus, str]] = {
    IncidentStatus.ACTIVE: "IPR",
    IncidentStatus.DE_ESCALATING: "STOP",
    IncidentStatus.CLOSED: "COM",
}
MISSION_STATUS_OF: Final[Mapping[TaskStatus, str]] = {
    TaskStatus.OPEN: "NST",
    TaskStatus.IN_PROGRESS: "IPR",
    TaskStatus.DONE: "COM",
    TaskStatus.CANCELLED: "CANCLD",
}
# A task has fewer states than a mission: PAU (paused, e.g. a deferred answer) and ABO (refused) keep a note.
TASK_STATUS_FROM: Final[Mapping[str, TaskStatus]] = {
    "NST": TaskStatus.OPEN,
    "IPR": TaskStatus.IN_PROGRESS,
    "PAU": TaskStatus.OPEN,
    "COM": TaskStatus.DONE,
    "CANCLD": TaskStatus.CANCELLED,
    "ABO": TaskStatus.CANCELLED,
}
EXACT_TASK_STATUS: Final = frozenset({"NST", "IPR", "COM", "CANCLD"})

ACTOR: Final = "PPL"
LOCTYPE: Final = "OTH"
MISSION_TYPE: Final = "FSTT/TA"
RESOURCE_CLASS: Final = "ORG"
RESOURCE_STATUS: Final = "IN_USE/ON_SCENE"
LOCATION_EGEO: Final = "GEN/LOCAT"
AREA_EGEO: Final = "GEN/EVENT"
POINT: Final = "POINT"
POLYGON: Final = "POLYGON"
WGS84: Final = "EPSG-4326"
# Spellings of WGS84 seen in COORDSYS, compared without case or punctuation. Other systems are not read.
WGS84_NAMES: Final = frozenset({"EPSG4326", "WGS84", "URNOGCDEFCRSEPSG4326", "CRS84", "OGCCRS84"})

# Where several hazards share an EMSI category, the one an import lands on; otherwise taxonomy order.
PREFERRED_HAZARD: Final[Mapping[str, str]] = {"PSW": "other", "TRP": "transport.rail"}
FALLBACK_HAZARD: Final = "other"
UNKNOWN_SUFFIX: Final = "/UKN"  # the code lists' "unknown" member of a family is its most generic one
# A buffer around the location, suggested when a message has a point but no polygon.
DEFAULT_RADIUS_M: Final = 500.0


# --- export ---------------------------------------------------------------------------------------------


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
        _closed([(float(lon), float(lat)) for lon, lat, *_ in polygon[0]]) for polygon in polygons if polygon
    ]


def _closed(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return ring if not ring or ring[0] == ring[-1] else [*ring, ring[0]]


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


# --- import ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ImportedMission:
    id: str
    title: str
    details: str
    org_id: str | None
    status: TaskStatus
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True, kw_only=True)
class ImportedResource:
    id: str
    name: str
    org_id: str | None
    rtype: str  # the first RCLASS, e.g. ORG or MAT/VEH/ROADVE/AMBUL
    status: str  # the EMSI code, e.g. IN_USE/ON_SCENE
    quantity: float | None
    freetext: str | None


@dataclass(frozen=True, kw_only=True)
class ImportedIncident:
    """What an EMSI message says about an incident, in crisislink's terms, for the importer to declare.

    `area` is the message's polygon(s); without one it is None and `radius_m` suggests a buffer around
    `location`. `marking` is never less strict than the message's SECLASS. `notes` holds one line for each
    value crisislink cannot keep, for the incident's log; `message_id` is CONTEXT/ID, a log entry's source.
    """

    title: str
    hazard: str
    description: str
    occurred_at: datetime | None
    declared_at: datetime | None
    location: Point | None
    area: Area | None
    radius_m: float | None
    mode: Mode
    reference: str
    origin_org_id: str | None
    origin_name: str | None
    figures: Figures | None
    missions: tuple[ImportedMission, ...]
    resources: tuple[ImportedResource, ...]
    marking: Tlp
    message_id: str
    notes: tuple[str, ...] = field(default=())


def emsi_to_import(message: emsi.EmsiMessage) -> ImportedIncident:
    """The incident an EMSI message describes; every value it cannot hold becomes a line of `notes`."""
    context, event = message.context, message.event
    notes: list[str] = []
    title = _title(event, notes)
    hazard_code = _hazard(event, notes)
    mode = _mode(context, notes)
    marking = _marking(context, notes)
    notes += emsi.value_lines(
        context, "CONTEXT", skip={"id", "mode", "seclass", "freetext", "origin.org_id", "origin.name"}
    )
    reference = event.main_event_id or event.id
    skipped = {"name", "main_event_id", "etype.categories", "decl_datime", "occ_datime"}
    skipped |= {"casualties", "evacs", "egeos", "freetext"}
    if event.id == reference:
        skipped.add("id")
    notes += emsi.value_lines(event, "EVENT", skip=skipped)
    figures = _figures(event, notes)
    location, area = _geometry(event.egeos, notes)
    return ImportedIncident(
        title=title,
        hazard=hazard_code,
        description=_description(context, event),
        occurred_at=event.occ_datime or event.decl_datime,
        declared_at=event.decl_datime,
        location=location,
        area=area,
        radius_m=None if area is not None else DEFAULT_RADIUS_M,
        mode=mode,
        reference=reference,
        origin_org_id=context.origin.org_id if context.origin else None,
        origin_name=context.origin.name if context.origin else None,
        figures=figures,
        missions=tuple(_imported_mission(mission, notes) for mission in message.missions),
        resources=tuple(_imported_resource(resource, notes) for resource in message.resources),
        marking=marking,
        message_id=context.id,
        notes=tuple(notes),
    )


def _title(event: emsi.Event, notes: list[str]) -> str:
    name = (event.name or "").strip()
    if not name:
        return f"EMSI event {event.main_event_id or event.id}"
    if len(name) > MAX_TITLE:
        notes.append(f"EVENT/NAME: {name}")
        return name[: MAX_TITLE - 1].rstrip() + "…"
    return name


def _description(context: emsi.Context, event: emsi.Event) -> str:
    texts = [text.strip() for text in (context.freetext, event.freetext) if text and text.strip()]
    return "\n\n".join(texts) or f"Imported from EMSI message {context.id}."


def _mode(context: emsi.Context, notes: list[str]) -> Mode:
    mode = MODE_FROM.get(context.mode, Mode.EXERCISE)  # an unknown mode is not taken for live
    if MODE_OF.get(mode) != context.mode:
        notes.append(f"CONTEXT/MODE: {context.mode} (imported as {mode.value})")
    return mode


def _marking(context: emsi.Context, notes: list[str]) -> Tlp:
    if context.seclass is None:
        return UNMARKED
    marking = MARKING_FROM.get(context.seclass, UNMARKED)
    if context.seclass in {"SECRET", "TOPSRT"}:
        notes.append(
            f"CONTEXT/SECLASS: {context.seclass} (classified information; marked TLP:{marking.value})"
        )
    return marking


# --- hazard from ETYPE/CATEGORY ---


def _hazard(event: emsi.Event, notes: list[str]) -> str:
    categories = event.etype.categories if event.etype else ()
    notes += [f"EVENT/ETYPE/CATEGORY: {category}" for category in categories[1:]]
    if not categories:
        return FALLBACK_HAZARD
    category = categories[0]
    code, inexact = hazard_for_category(category)
    if inexact:
        notes.append(f"EVENT/ETYPE/CATEGORY: {category} ({inexact}; imported as {code})")
    return code


def hazard_for_category(category: str) -> tuple[str, str | None]:
    """The hazard for an EMSI category, and None if it matched exactly, else why it is only the closest.

    Exact match first; then a hazard of the same family (the code before the first '/'); else "other".
    """
    exact = _hazards_with(lambda mine: mine == category)
    if exact:
        return _preferred(category, exact), None
    family = category.split("/", 1)[0]
    related = _hazards_with(lambda mine: mine == family or mine.startswith(f"{family}/"))
    if related:
        return _closest_of_family(family, related), f"no hazard has this category; closest of family {family}"
    return FALLBACK_HAZARD, "no hazard of this family"


def _hazards_with(matches: Callable[[str], bool]) -> list[str]:
    return [code for code, hazard in HAZARDS.items() if matches(hazard.emsi_category)]


def _preferred(category: str, candidates: list[str]) -> str:
    chosen = PREFERRED_HAZARD.get(category)
    return chosen if chosen in candidates else candidates[0]


def _closest_of_family(family: str, candidates: list[str]) -> str:
    for generic in (family, f"{family}{UNKNOWN_SUFFIX}"):
        matching = [code for code in candidates if HAZARDS[code].emsi_category == generic]
        if matching:
            return _preferred(generic, matching)
    return candidates[0]


# --- figures from CASUALTIES and EVAC ---


def _figures(event: emsi.Event, notes: list[str]) -> Figures | None:
    if not event.casualties and not event.evacs:
        return None
    # Several reports of the figures: the last one is current; the earlier ones go to the notes.
    for earlier_casualties in event.casualties[:-1]:
        notes += emsi.value_lines(earlier_casualties, "EVENT/CASUALTIES")
    for earlier_evac in event.evacs[:-1]:
        notes += emsi.value_lines(earlier_evac, "EVENT/EVAC")
    casualties = event.casualties[-1] if event.casualties else emsi.Casualties(context="")
    evac = event.evacs[-1] if event.evacs else emsi.Evac()
    counted = {"triagered", "triageyellow", "triagegreen", "triageblack", "missing"}
    if event.casualties:
        notes += emsi.value_lines(casualties, "EVENT/CASUALTIES", skip=counted)
        notes += _triage_note(casualties)
    notes += emsi.value_lines(evac, "EVENT/EVAC", skip={"displaced", "evacuated"})
    return Figures(
        dead=casualties.triageblack or 0,
        injured=_injured(casualties),
        missing=casualties.missing or 0,
        evacuated=evac.evacuated or 0,
        displaced=evac.displaced or 0,
    )


def _injured(casualties: emsi.Casualties) -> int:
    return sum(
        count or 0 for count in (casualties.triagered, casualties.triageyellow, casualties.triagegreen)
    )


def _triage_note(casualties: emsi.Casualties) -> list[str]:
    """The triage breakdown, when the message gives more than the yellow count crisislink sends."""
    if casualties.triagered is None and casualties.triagegreen is None:
        return []
    counts = {
        "TRIAGERED": casualties.triagered,
        "TRIAGEYELLOW": casualties.triageyellow,
        "TRIAGEGREEN": casualties.triagegreen,
    }
    given = ", ".join(f"{name} {count}" for name, count in counts.items() if count is not None)
    return [f"EVENT/CASUALTIES: {given} (counted together as {_injured(casualties)} injured)"]


# --- location and area from EGEO ---


def _geometry(egeos: Sequence[emsi.Egeo], notes: list[str]) -> tuple[Point | None, Area | None]:
    point_at = next((i for i, egeo in enumerate(egeos) if _is_point(egeo)), None)
    polygons = [i for i, egeo in enumerate(egeos) if _is_polygon(egeo)]
    # A message may draw several zones; the event area, when marked as such, is the affected area.
    event_areas = [i for i in polygons if egeos[i].type == AREA_EGEO]
    area_at = event_areas or polygons
    location = None
    for i, egeo in enumerate(egeos):
        path = "EVENT/EGEO" if len(egeos) == 1 else f"EVENT/EGEO[{i + 1}]"
        if i == point_at:
            location = _point(egeo, path)
            notes += _used_egeo_lines(egeo, path, LOCATION_EGEO, coords_used=1)
        elif i in area_at:
            notes += _used_egeo_lines(egeo, path, AREA_EGEO, coords_used=None)
        else:
            notes += emsi.value_lines(egeo, path)
    rings = [_ring(egeos[i]) for i in area_at]
    return location, _area(rings)


def _position(egeo: emsi.Egeo) -> emsi.Position | None:
    position = egeo.position
    if position is None or not _is_wgs84(position.coordsys):
        return None
    return position


def _is_wgs84(coordsys: str | None) -> bool:
    return coordsys is None or "".join(ch for ch in coordsys.upper() if ch.isalnum()) in WGS84_NAMES


def _kind(position: emsi.Position) -> str:
    return (position.type or "").strip().upper()  # the code list pads its codes with spaces


def _is_point(egeo: emsi.Egeo) -> bool:
    position = _position(egeo)
    if position is None or not position.coords:
        return False
    return _kind(position) == POINT or (not position.type and len(position.coords) == 1)


def _is_polygon(egeo: emsi.Egeo) -> bool:
    position = _position(egeo)
    return position is not None and _kind(position) == POLYGON and len(_ring(egeo)) >= 4


def _point(egeo: emsi.Egeo, path: str) -> Point:
    assert egeo.position is not None, "only an EGEO with a point position is read as the location"
    coord = egeo.position.coords[0]
    try:
        return Point(lon=coord.long, lat=coord.lat)
    except InvalidInput as error:
        raise InvalidInput(f"{path}/POSITION: {error.message}") from None


def _ring(egeo: emsi.Egeo) -> list[list[float]]:
    coords = egeo.position.coords if egeo.position else ()
    ring = [(coord.long, coord.lat) for coord in coords]
    deduplicated = [point for i, point in enumerate(ring) if i == 0 or point != ring[i - 1]]
    return [[lon, lat] for lon, lat in _closed(deduplicated)]


def _area(rings: list[list[list[float]]]) -> Area | None:
    if not rings:
        return None
    if len(rings) == 1:
        return Area({"type": "Polygon", "coordinates": [rings[0]]})
    return Area({"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]})


def _used_egeo_lines(egeo: emsi.Egeo, path: str, expected_type: str, *, coords_used: int | None) -> list[str]:
    """Notes for what an EGEO read as location or area still says: its type if unexpected, places, heights."""
    skip = {"position.type", "position.coords", "position.coordsys"}
    if egeo.type == expected_type:
        skip.add("type")
    lines = emsi.value_lines(egeo, path, skip=skip)
    position = egeo.position
    assert position is not None, "only an EGEO with a position is read as location or area"
    used = position.coords if coords_used is None else position.coords[:coords_used]
    heights = [coord for coord in used if coord.height is not None]
    if heights:
        lines.append(
            f"{path}/POSITION/COORD/HEIGHT: "
            + " ".join(emsi.decimal_text(coord.height) for coord in heights if coord.height is not None)
        )
    unused = position.coords[len(used) :]
    if unused:
        lines += emsi.value_lines(emsi.Position(coords=unused), f"{path}/POSITION")
    return lines


# --- missions and resources ---


def _imported_mission(mission: emsi.Mission, notes: list[str]) -> ImportedMission:
    path = f"MISSION {mission.id}"
    status = TASK_STATUS_FROM.get(mission.status, TaskStatus.OPEN)
    if mission.status not in EXACT_TASK_STATUS:
        notes.append(f"{path}/STATUS: {mission.status} (imported as {status.value})")
    notes += emsi.value_lines(
        mission, path, skip={"id", "name", "freetext", "org_id", "status", "start_time", "end_time"}
    )
    return ImportedMission(
        id=mission.id,
        title=mission.name,
        details=mission.freetext or "",
        org_id=mission.org_id,
        status=status,
        start=mission.start_time,
        end=mission.end_time,
    )


def _imported_resource(resource: emsi.Resource, notes: list[str]) -> ImportedResource:
    path = f"RESOURCE {resource.id}"
    notes += [f"{path}/RTYPE/RCLASS: {rclass}" for rclass in resource.rtype.rclasses[1:]]
    notes += emsi.value_lines(
        resource, path, skip={"rtype.rclasses", "id", "name", "org_id", "status", "quantity", "freetext"}
    )
    return ImportedResource(
        id=resource.id,
        name=resource.name,
        org_id=resource.org_id,
        rtype=resource.rtype.rclasses[0],
        status=resource.status,
        quantity=resource.quantity,
        freetext=resource.freetext,
    )
