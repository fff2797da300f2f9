"""Nearest by travel time: available units to a place, and hospitals able to take patients from it.

Travel times come from the road graphs the node imported (`crisislink routing import`, in
settings.routing_dir()): for each trip a graph whose box holds both ends, else the routing adapter's
estimate, and every answer says which (`estimated`, `reason`, `graph`). A unit drives from where it is
(its home base, or its position when it has one) to the place; patients go from the place to a hospital.
Candidates come from policy-filtered queries only. The ranking itself is the domain's (`nearest.rank`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crisislink.adapters.db.queries import hospitals as hq
from crisislink.adapters.db.queries.unit_candidates import UnitCandidate, available_units
from crisislink.adapters.routing import RoadGraphs
from crisislink.adapters.routing.estimate import TravelTime, great_circle_m
from crisislink.adapters.routing.profile import MAX_SPEED_KMH
from crisislink.app.hospitals import country_locator
from crisislink.domains.assistance.catalogue import capability as capability_type
from crisislink.domains.assistance.hospital_capacity import ED_BEDS, EMERGENCY, Ability, judge
from crisislink.domains.assistance.hospital_capacity import category as check_category
from crisislink.domains.assistance.hospital_capacity import patients as check_patients
from crisislink.domains.assistance.model import Point
from crisislink.domains.assistance.nearest import MAX_K, Crossing, Ranked, Trip, crossing, rank
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from crisislink.app.bootstrap import Platform

# The fastest any road lets a car go (the routing profile refuses faster limits as tagging errors): a
# straight line at this speed is never slower than the real trip, which lets the ranking skip far units.
FASTEST_MS = MAX_SPEED_KMH / 3.6
# Hospitals are routed in batches from the one place: one search answers a whole batch.
HOSPITAL_BATCH = 64


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    country: str | None  # None: outside BE, NL, LU, DE, FR


@dataclass(frozen=True)
class Travel:
    seconds: float
    minutes: float
    road_metres: float
    estimated: bool
    reason: str | None  # why it is an estimate
    graph: str | None  # the imported road graph that answered


@dataclass(frozen=True)
class Arrangement:
    code: str
    name: str


@dataclass(frozen=True)
class NearUnit:
    unit_id: uuid.UUID
    name: str
    call_sign: str | None
    partner_id: uuid.UUID
    partner_code: str
    country: str
    leaves_from: str  # "home_base" or "position"
    lon: float
    lat: float
    travel: Travel
    cross_border: bool
    arrangements: list[Arrangement]  # the unit's arrangements that cover the destination country
    flag: str | None  # e.g. "no arrangement covers LU": listed after every unit that may go


@dataclass(frozen=True)
class NearestUnits:
    place: Place
    capability: str
    candidates: int  # available units of that type the viewer may see
    units: list[NearUnit]


@dataclass(frozen=True)
class NearHospital:
    hospital_id: uuid.UUID
    code: str
    name: str
    site: str | None
    country: str | None
    lon: float
    lat: float
    travel: Travel
    confirmed: bool  # a current report counts room for the patients; false: listed after those that do
    available: int | None
    basis: str  # "report" or "register"
    reported_at: str | None  # of the current report, ISO 8601


@dataclass(frozen=True)
class NearestHospitals:
    place: Place
    category: str
    patients: int
    candidates: int  # hospitals judged able (confirmed or not)
    hospitals: list[NearHospital]


# ---------------------------------------------------------------------------------------------------------
# Road graphs of the node.

_graphs: dict[Path, tuple[tuple[tuple[str, int], ...], RoadGraphs]] = {}
_graphs_lock = threading.Lock()


def _signature(directory: Path) -> tuple[tuple[str, int], ...]:
    if not directory.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in directory.glob("*.json")))


def road_graphs(directory: Path) -> RoadGraphs:
    """The graphs in `directory`, kept loaded between requests (loading one takes a moment) and read
    again when an import (by the CLI, in another process) adds or replaces one."""
    signature = _signature(directory)
    with _graphs_lock:
        cached = _graphs.get(directory)
        if cached is None or cached[0] != signature:
            cached = (signature, RoadGraphs(directory))
            _graphs[directory] = cached
        return cached[1]


def _travel(trip: Trip) -> Travel:
    return Travel(
        seconds=round(trip.seconds, 1),
        minutes=round(trip.seconds / 60, 1),
        road_metres=round(trip.metres),
        estimated=trip.estimated,
        reason=trip.reason,
        graph=trip.graph,
    )


def place(platform: Platform, point: Point) -> Place:
    return Place(point.lon, point.lat, country_locator(platform.reference).country(point.lon, point.lat))


def _k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise InvalidInput(f"k must be between 1 and {MAX_K}, not {k}")
    return k


# ---------------------------------------------------------------------------------------------------------
# Units.


def _near_unit(found: Ranked[UnitCandidate], allowed: Crossing) -> NearUnit:
    unit = found.item
    return NearUnit(
        unit_id=unit.id,
        name=unit.name,
        call_sign=unit.call_sign,
        partner_id=unit.owner_partner_id,
        partner_code=unit.partner_code,
        country=unit.country,
        leaves_from="home_base" if unit.at_home_base else "position",
        lon=unit.start.lon,
        lat=unit.start.lat,
        travel=_travel(found.trip),
        cross_border=allowed.cross_border,
        arrangements=[Arrangement(a.code, a.name) for a in allowed.arrangements],
        flag=allowed.flag,
    )


def nearest_units(platform: Platform, viewer: Viewer, point: Point, capability: str, k: int) -> NearestUnits:
    kind = capability_type(capability).code  # a clear error for an unknown code
    k = _k(k)
    destination = place(platform, point)
    target = (point.lon, point.lat)
    units = available_units(platform.engine, viewer, kind)
    allowed = {u.id: crossing(u.arrangements, u.country, destination.country, kind) for u in units}
    graphs = road_graphs(platform.settings.routing_dir())

    def route(batch: Sequence[UnitCandidate], limit: float | None) -> list[TravelTime]:
        return [graphs.travel_times((u.start.lon, u.start.lat), [target], limit)[0] for u in batch]

    ranked = rank(
        units,
        k,
        bound=lambda u: great_circle_m((u.start.lon, u.start.lat), target) / FASTEST_MS,
        route=route,
        flagged=lambda u: allowed[u.id].flagged,
    )
    found = [_near_unit(r, allowed[r.item.id]) for r in ranked]
    return NearestUnits(destination, kind, len(units), found)


# ---------------------------------------------------------------------------------------------------------
# Hospitals.


def _near_hospital(found: Ranked[tuple[hq.CapacityCandidate, Ability]]) -> NearHospital:
    hospital, ability = found.item
    report = hospital.report
    return NearHospital(
        hospital_id=hospital.id,
        code=hospital.code,
        name=hospital.name,
        site=hospital.site,
        country=hospital.country,
        lon=hospital.location.lon,
        lat=hospital.location.lat,
        travel=_travel(found.trip),
        confirmed=ability.confirmed,
        available=ability.available,
        basis=ability.basis or "report",
        reported_at=None if report is None else report.reported_at.isoformat(),
    )


def nearest_hospitals(
    platform: Platform, viewer: Viewer, point: Point, category: str, patients: int, k: int
) -> NearestHospitals:
    kind, count, k = check_category(category), check_patients(patients), _k(k)
    origin = place(platform, point)
    bed_type = ED_BEDS if kind == EMERGENCY else kind
    candidates = hq.capacity_candidates(platform.engine, viewer, bed_type)
    judged = [(h, judge(kind, count, h.report, h.emergency)) for h in candidates]
    able = [(h, ability) for h, ability in judged if ability.able]
    graphs = road_graphs(platform.settings.routing_dir())
    start = (point.lon, point.lat)

    def route(batch: Sequence[tuple[hq.CapacityCandidate, Ability]], limit: float | None) -> list[TravelTime]:
        return graphs.travel_times(start, [(h.location.lon, h.location.lat) for h, _ in batch], limit)

    ranked = rank(
        able,
        k,
        bound=lambda found: (
            great_circle_m(start, (found[0].location.lon, found[0].location.lat)) / FASTEST_MS
        ),
        route=route,
        flagged=lambda found: not found[1].confirmed,
        batch=HOSPITAL_BATCH,
    )
    return NearestHospitals(origin, kind, count, len(able), [_near_hospital(r) for r in ranked])
