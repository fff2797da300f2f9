"""EMSI messages as incidents to import (`emsi_to_import`); the codes are tables in `emsi_codes`.

The import maps a message the other way from `emsi_export` and lists, in `notes`, one line for every
value of the message that an incident cannot hold, so the importer can log them: nothing is dropped
silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.adapters.standards import emsi
from crisislink.adapters.standards.emsi_codes import (
    AREA_EGEO,
    DEFAULT_RADIUS_M,
    EXACT_TASK_STATUS,
    FALLBACK_HAZARD,
    LOCATION_EGEO,
    MARKING_FROM,
    MODE_FROM,
    MODE_OF,
    POINT,
    POLYGON,
    TASK_STATUS_FROM,
    UNMARKED,
    WGS84_NAMES,
    closed_ring,
    hazard_for_category,
)
from crisislink.adapters.standards.emsi_lexical import decimal_text, value_lines
from crisislink.domains.incidents.model import MAX_TITLE, Mode, Point, TaskStatus
from crisislink.domains.incidents.sitreps import Figures
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp


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
    notes += value_lines(
        context, "CONTEXT", skip={"id", "mode", "seclass", "freetext", "origin.org_id", "origin.name"}
    )
    reference = event.main_event_id or event.id
    skipped = {"name", "main_event_id", "etype.categories", "decl_datime", "occ_datime"}
    skipped |= {"casualties", "evacs", "egeos", "freetext"}
    if event.id == reference:
        skipped.add("id")
    notes += value_lines(event, "EVENT", skip=skipped)
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


# --- figures from CASUALTIES and EVAC ---


def _figures(event: emsi.Event, notes: list[str]) -> Figures | None:
    if not event.casualties and not event.evacs:
        return None
    # Several reports of the figures: the last one is current; the earlier ones go to the notes.
    for earlier_casualties in event.casualties[:-1]:
        notes += value_lines(earlier_casualties, "EVENT/CASUALTIES")
    for earlier_evac in event.evacs[:-1]:
        notes += value_lines(earlier_evac, "EVENT/EVAC")
    casualties = event.casualties[-1] if event.casualties else emsi.Casualties(context="")
    evac = event.evacs[-1] if event.evacs else emsi.Evac()
    counted = {"triagered", "triageyellow", "triagegreen", "triageblack", "missing"}
    if event.casualties:
        notes += value_lines(casualties, "EVENT/CASUALTIES", skip=counted)
        notes += _triage_note(casualties)
    notes += value_lines(evac, "EVENT/EVAC", skip={"displaced", "evacuated"})
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
            notes += value_lines(egeo, path)
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
    return [[lon, lat] for lon, lat in closed_ring(deduplicated)]


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
    lines = value_lines(egeo, path, skip=skip)
    position = egeo.position
    assert position is not None, "only an EGEO with a position is read as location or area"
    used = position.coords if coords_used is None else position.coords[:coords_used]
    heights = [coord for coord in used if coord.height is not None]
    if heights:
        lines.append(
            f"{path}/POSITION/COORD/HEIGHT: "
            + " ".join(decimal_text(coord.height) for coord in heights if coord.height is not None)
        )
    unused = position.coords[len(used) :]
    if unused:
        lines += value_lines(emsi.Position(coords=unused), f"{path}/POSITION")
    return lines


# --- missions and resources ---


def _imported_mission(mission: emsi.Mission, notes: list[str]) -> ImportedMission:
    path = f"MISSION {mission.id}"
    status = TASK_STATUS_FROM.get(mission.status, TaskStatus.OPEN)
    if mission.status not in EXACT_TASK_STATUS:
        notes.append(f"{path}/STATUS: {mission.status} (imported as {status.value})")
    notes += value_lines(
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
    notes += value_lines(
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
