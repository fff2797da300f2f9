"""Hospitals and "nearest by travel time": the hospital register, EDXL-HAVE in and out, nearest units.

docs/hospitals.md is the guide: how reports are matched to hospitals, what each category means, and how
travel times are computed (on the node's imported road graphs, or estimated, and which).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import hospitals as q
from crisislink.adapters.db.queries import incidents as incident_queries
from crisislink.adapters.db.queries.hospital_views import HospitalSummary, HospitalView
from crisislink.app.auth import Caller
from crisislink.app.bootstrap import Platform
from crisislink.app.hospital_have import export_have
from crisislink.app.hospitals import HaveImport, import_have
from crisislink.app.nearest import NearestHospitals, NearestUnits, nearest_hospitals, nearest_units
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.errors import InvalidInput

Limit = Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)]
Offset = Annotated[int, Parameter(ge=0)]
Lon = Annotated[float | None, Parameter(description="longitude, WGS84 degrees")]
Lat = Annotated[float | None, Parameter(description="latitude, WGS84 degrees")]
IncidentId = Annotated[
    uuid.UUID | None, Parameter(description="instead of lon/lat: the location of an incident you may see")
]
K = Annotated[int, Parameter(description="how many to list (1-100)")]


def _bbox(value: str | None) -> q.BBox | None:
    if value is None:
        return None
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in value.split(","))
    except ValueError:
        raise InvalidInput("bbox: give min_lon,min_lat,max_lon,max_lat in WGS84 degrees") from None
    if not (min_lon <= max_lon and min_lat <= max_lat):
        raise InvalidInput("bbox: the minimum must not exceed the maximum (min_lon,min_lat,max_lon,max_lat)")
    return min_lon, min_lat, max_lon, max_lat


def _place(
    platform: Platform, viewer: Viewer, lon: float | None, lat: float | None, incident: uuid.UUID | None
) -> Point:
    """The point asked about: lon and lat, or the location of an incident the caller may see."""
    if incident is not None:
        if lon is not None or lat is not None:
            raise InvalidInput("give either lon and lat or incident_id, not both")
        location = incident_queries.get_incident(platform.engine, viewer, incident).location
        if location is None:
            raise InvalidInput("the incident has no location yet; give lon and lat")
        return Point(lon=location[0], lat=location[1])
    if lon is None or lat is None:
        raise InvalidInput("give lon and lat (WGS84 degrees), or incident_id")
    return Point(lon=lon, lat=lat)


class HospitalController(Controller):
    path = "/api/hospitals"
    tags = ["hospitals"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Hospitals of the register (filter by country or bbox)")
    def list_hospitals(
        self,
        state: State,
        caller: Caller,
        country: Annotated[str | None, Parameter(max_length=2)] = None,
        bbox: Annotated[
            str | None, Parameter(max_length=100, description="min_lon,min_lat,max_lon,max_lat")
        ] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[HospitalSummary]:
        flt = q.HospitalFilter(country, _bbox(bbox), limit, offset)
        return q.list_hospitals(platform_of(state).engine, caller.viewer, flt)

    @get(
        "/nearest",
        sync_to_thread=True,
        summary="Nearest hospitals able to take N patients of a category, by travel time",
        description="category: an EDXL-HAVE bed type (AdultICU, Burn, Pediatrics, MedicalSurgical, ...) or "
        "`emergency` (an emergency department open to ambulances). See docs/hospitals.md.",
    )
    def nearest(
        self,
        state: State,
        caller: Caller,
        category: Annotated[str, Parameter(max_length=40)],
        patients: int = 1,
        lon: Lon = None,
        lat: Lat = None,
        incident_id: IncidentId = None,
        k: K = 5,
    ) -> NearestHospitals:
        platform = platform_of(state)
        point = _place(platform, caller.viewer, lon, lat, incident_id)
        return nearest_hospitals(platform, caller.viewer, point, category, patients, k)

    @get(
        "/{hospital_id:uuid}",
        sync_to_thread=True,
        summary="One hospital, its current status and recent reports",
    )
    def get_hospital(self, state: State, caller: Caller, hospital_id: uuid.UUID) -> HospitalView:
        return q.get_hospital(platform_of(state).engine, caller.viewer, hospital_id)

    @get(
        "/{hospital_id:uuid}/have.xml", sync_to_thread=True, summary="The hospital as an EDXL-HAVE 1.0 report"
    )
    def export(self, state: State, caller: Caller, hospital_id: uuid.UUID) -> Response[bytes]:
        xml = export_have(platform_of(state).engine, caller.viewer, hospital_id)
        return Response(
            xml,
            media_type="application/xml",
            headers={"content-disposition": f'attachment; filename="hospital-{hospital_id}.have.xml"'},
        )

    @post(
        "/have",
        summary="Import an EDXL-HAVE 1.0 report (bare or in an EDXL-DE 1.0 envelope)",
        description="Send the XML as the request body. Every hospital of the message is recorded, or none.",
    )
    async def import_report(
        self, request: Request[Any, Any, Any], state: State, caller: Caller
    ) -> HaveImport:
        body = await request.body()
        imported: HaveImport = await to_thread.run_sync(import_have, platform_of(state), caller.actor, body)
        return imported


class NearestUnitController(Controller):
    path = "/api/units/nearest"
    tags = ["assistance"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get(
        "/",
        sync_to_thread=True,
        summary="The k nearest available units of a type by travel time, whatever the border",
        description="Units you may see only. Those no cross-border arrangement lets into the destination's "
        "country come last, flagged. See docs/hospitals.md.",
    )
    def nearest(
        self,
        state: State,
        caller: Caller,
        capability: Annotated[str, Parameter(max_length=40)],
        lon: Lon = None,
        lat: Lat = None,
        incident_id: IncidentId = None,
        k: K = 5,
    ) -> NearestUnits:
        platform = platform_of(state)
        point = _place(platform, caller.viewer, lon, lat, incident_id)
        return nearest_units(platform, caller.viewer, point, capability, k)
