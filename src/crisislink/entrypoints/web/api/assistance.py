"""Mutual assistance: the capability catalogue, the unit registry, requests for assistance."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import assistance as q
from crisislink.adapters.db.queries import assistance_notifications as notices
from crisislink.adapters.db.queries.assistance_views import RequestView, UnitView
from crisislink.app.auth import Caller
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.arrangements import ARRANGEMENTS, RADIO_SYSTEMS
from crisislink.domains.assistance.catalogue import CAPABILITIES, CapabilityType
from crisislink.domains.assistance.model import HostNationSupport, Point, StagingArea, UnitStatus
from crisislink.entrypoints.web.api import assistance_schemas as s
from crisislink.entrypoints.web.api import parse
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.errors import InvalidInput, NotFound
from crisislink.kernel.markings import Tlp

Limit = Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)]
Offset = Annotated[int, Parameter(ge=0)]


class TermInfo(msgspec.Struct):
    term: str
    match: str
    note: str
    source: str


class CapabilityInfo(msgspec.Struct):
    code: str
    name: str
    family: str
    measure: str
    ucpm_module: str | None
    counterparts: list[str]
    verified: bool
    terms: dict[str, TermInfo]  # country -> what it calls this


class ArrangementInfo(msgspec.Struct):
    code: str
    name: str
    countries: list[str]
    capabilities: list[str] | None  # None: any type
    note: str
    source: str
    verified: bool


class Catalogue(msgspec.Struct):
    capabilities: list[CapabilityInfo]
    arrangements: list[ArrangementInfo]
    radio_systems: dict[str, str]


def _capability_info(kind: CapabilityType) -> CapabilityInfo:
    terms = {country: TermInfo(t.term, t.match.value, t.note, t.source) for country, t in kind.terms.items()}
    return CapabilityInfo(
        kind.code,
        kind.name,
        kind.family,
        kind.measure,
        kind.ucpm_module,
        list(kind.counterparts),
        kind.verified,
        terms,
    )


def _catalogue() -> Catalogue:
    arrangements = [
        ArrangementInfo(
            a.code,
            a.name,
            sorted(a.countries),
            sorted(a.capabilities) if a.capabilities is not None else None,
            a.note,
            a.source,
            a.verified,
        )
        for a in ARRANGEMENTS.values()
    ]
    return Catalogue([_capability_info(k) for k in CAPABILITIES.values()], arrangements, dict(RADIO_SYSTEMS))


class CapabilityController(Controller):
    path = "/api/capabilities"
    tags = ["assistance"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get(
        "/", sync_to_thread=False, summary="Resource types with the NL/BE/LU crosswalk, arrangements, radios"
    )
    def catalogue(self, caller: Caller) -> Catalogue:
        return _catalogue()

    @get("/{code:str}", sync_to_thread=False, summary="One resource type and what each country calls it")
    def one(self, caller: Caller, code: str) -> CapabilityInfo:
        kind = CAPABILITIES.get(code)
        if kind is None:
            raise NotFound(f"no capability with code {code!r}; GET /api/capabilities lists them")
        return _capability_info(kind)


def _point(body: s.PointBody | None) -> Point | None:
    return None if body is None else Point(lon=body.lon, lat=body.lat)


def _home_base(body: s.PointBody) -> Point:
    return Point(lon=body.lon, lat=body.lat)


def _owner(caller: Caller, partner_id: uuid.UUID | None) -> uuid.UUID:
    chosen = partner_id or caller.actor.partner_id
    if chosen is None:
        raise InvalidInput("partner_id: name the partner that owns the unit")
    return chosen


class UnitController(Controller):
    path = "/api/units"
    tags = ["assistance"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Units you may see (your own, and those shared with you)")
    def list_units(
        self,
        state: State,
        caller: Caller,
        capability: Annotated[str | None, Parameter(max_length=40)] = None,
        status: Annotated[str | None, Parameter(max_length=16)] = None,
        partner_id: uuid.UUID | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[UnitView]:
        flt = q.UnitFilter(capability, status, partner_id, limit, offset)
        return q.list_units(platform_of(state).engine, caller.viewer, flt)

    @post("/", sync_to_thread=True, summary="Register a unit (AMBER and unshared unless you say otherwise)")
    def register(self, state: State, caller: Caller, data: s.UnitBody) -> UnitView:
        platform = platform_of(state)
        unit_id = platform.bus.handle(
            c.RegisterUnit(
                actor=caller.actor,
                partner_id=_owner(caller, data.partner_id),
                capability=data.capability,
                name=data.name,
                home_base=_home_base(data.home_base),
                call_sign=data.call_sign,
                crew_languages=tuple(data.crew_languages),
                radio=tuple(data.radio),
                arrangements=tuple(data.arrangements),
                status=UnitStatus(data.status),
                marking=Tlp(data.marking),
                audience=parse.audience(data.audience),
            )
        )
        return q.get_unit(platform.engine, caller.viewer, unit_id)

    @get("/{unit_id:uuid}", sync_to_thread=True, summary="One unit")
    def get_unit(self, state: State, caller: Caller, unit_id: uuid.UUID) -> UnitView:
        return q.get_unit(platform_of(state).engine, caller.viewer, unit_id)

    @patch("/{unit_id:uuid}", sync_to_thread=True, summary="Change a unit or whom it is shared with")
    def update(self, state: State, caller: Caller, unit_id: uuid.UUID, data: s.UnitPatch) -> UnitView:
        platform = platform_of(state)
        platform.bus.handle(
            c.UpdateUnit(
                actor=caller.actor,
                unit_id=unit_id,
                expected_version=data.expected_version,
                name=data.name,
                call_sign=data.call_sign,
                home_base=_point(data.home_base),
                crew_languages=None if data.crew_languages is None else tuple(data.crew_languages),
                radio=None if data.radio is None else tuple(data.radio),
                arrangements=None if data.arrangements is None else tuple(data.arrangements),
                marking=Tlp(data.marking) if data.marking else None,
                audience=parse.audience(data.audience) if data.audience is not None else None,
            )
        )
        return q.get_unit(platform.engine, caller.viewer, unit_id)

    @post(
        "/{unit_id:uuid}/status",
        sync_to_thread=True,
        summary="Set a unit's status (and position if deployed)",
    )
    def set_status(
        self, state: State, caller: Caller, unit_id: uuid.UUID, data: s.UnitStatusBody
    ) -> UnitView:
        platform = platform_of(state)
        platform.bus.handle(
            c.SetUnitStatus(
                actor=caller.actor,
                unit_id=unit_id,
                status=UnitStatus(data.status),
                position=_point(data.position),
            )
        )
        return q.get_unit(platform.engine, caller.viewer, unit_id)


def _support(body: s.SupportBody) -> HostNationSupport:
    return HostNationSupport(liaison=body.liaison, languages=tuple(body.languages), logistics=body.logistics)


class AssistanceRequestController(Controller):
    path = "/api/assistance-requests"
    tags = ["assistance"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Requests you made or were sent, newest first")
    def list_requests(
        self,
        state: State,
        caller: Caller,
        status: Annotated[str | None, Parameter(max_length=20)] = None,
        incident_id: uuid.UUID | None = None,
        include_ended: bool = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[RequestView]:
        flt = q.RequestFilter(status, incident_id, include_ended, limit, offset)
        return q.list_requests(platform_of(state).engine, caller.viewer, flt)

    @post("/", sync_to_thread=True, summary="Ask for assistance (sent at once to the partners in send_to)")
    def create(self, state: State, caller: Caller, data: s.RequestBody) -> RequestView:
        platform = platform_of(state)
        request_id = platform.bus.handle(
            c.CreateAssistanceRequest(
                actor=caller.actor,
                capability=data.capability,
                quantity=data.quantity,
                staging=StagingArea(data.staging.name, Point(lon=data.staging.lon, lat=data.staging.lat)),
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                respond_by=data.respond_by,
                support=_support(data.support),
                description=data.description,
                incident_id=data.incident_id,
                addressees=frozenset(data.send_to),
            )
        )
        return q.get_request(platform.engine, caller.viewer, request_id)

    @get("/{request_id:uuid}", sync_to_thread=True, summary="One request for assistance")
    def get_request(self, state: State, caller: Caller, request_id: uuid.UUID) -> RequestView:
        return q.get_request(platform_of(state).engine, caller.viewer, request_id)

    @get(
        "/{request_id:uuid}/notifications",
        sync_to_thread=True,
        summary="The notices sent to partners' 24/7 desks of each step you may see, and their outcome",
    )
    def notifications(
        self, state: State, caller: Caller, request_id: uuid.UUID
    ) -> list[notices.NotificationView]:
        engine = platform_of(state).engine
        q.get_request(engine, caller.viewer, request_id)  # a request the caller may not see is a 404
        return notices.notifications_for_request(engine, caller.viewer, request_id)

    @post("/{request_id:uuid}/send", sync_to_thread=True, summary="Send the request to (more) partners")
    def send(self, state: State, caller: Caller, request_id: uuid.UUID, data: s.SendBody) -> RequestView:
        platform = platform_of(state)
        command = c.SendAssistanceRequest(
            actor=caller.actor, request_id=request_id, addressees=frozenset(data.partners)
        )
        platform.bus.handle(command)
        return q.get_request(platform.engine, caller.viewer, request_id)

    @post("/{request_id:uuid}/close", sync_to_thread=True, summary="Close: every team is home")
    def close(
        self, state: State, caller: Caller, request_id: uuid.UUID, data: s.ReasonBody | None = None
    ) -> RequestView:
        platform = platform_of(state)
        platform.bus.handle(
            c.CloseAssistanceRequest(actor=caller.actor, request_id=request_id, reason=s.reason_of(data))
        )
        return q.get_request(platform.engine, caller.viewer, request_id)

    @post("/{request_id:uuid}/cancel", sync_to_thread=True, summary="Call the request off")
    def cancel(
        self, state: State, caller: Caller, request_id: uuid.UUID, data: s.ReasonBody | None = None
    ) -> RequestView:
        platform = platform_of(state)
        platform.bus.handle(
            c.CancelAssistanceRequest(actor=caller.actor, request_id=request_id, reason=s.reason_of(data))
        )
        return q.get_request(platform.engine, caller.viewer, request_id)
