"""Mutual assistance stored on SQLite and PostgreSQL: every field round-trips, every step is an event and an
audit entry, the schedule expires requests, and two acceptances of one unit cannot both win.

July 2021 in miniature: the province of Liège (BE-PROV-LIEGE) asks for water-rescue teams; Limburg-Noord
(NL-VR23) offers; the NCCN (BE-NCCN) is asked nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries.audit import verify_chain
from crisislink.app.schedule import run_once
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.model import HostNationSupport, Point, StagingArea, UnitStatus
from crisislink.domains.assistance.offers import OfferedUnit, OfferStatus
from crisislink.domains.assistance.requests import RequestStatus
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict
from crisislink.kernel.markings import Principal, Tlp
from tests.support import World, build_world, make_platform

START = datetime(2021, 7, 14, 9, 0, tzinfo=UTC)
STAGING = StagingArea("Chaudfontaine fire station", Point(5.63, 50.59))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def clocked(db_url: str, clock: FixedClock) -> Iterator[World]:
    platform = make_platform(db_url, clock=clock)
    yield build_world(platform)
    platform.stop()


def register(world: World) -> uuid.UUID:
    command = c.RegisterUnit(
        actor=world.actor("nl.duty"),
        partner_id=world.partners["NL-VR23"],
        capability="water.rescue",
        name="Waterongevallenteam Venlo (demo)",
        call_sign="DEMO-23-WO-1",
        home_base=Point(6.17, 51.37),
        crew_languages=("nl", "de", "en"),
        radio=("C2000", "TETRA-ISI"),
        arrangements=("be-nl-treaty", "ucpm"),
    )
    unit_id: uuid.UUID = world.platform.bus.handle(command)
    return unit_id


def ask(world: World, quantity: int = 2, respond_by: datetime | None = None) -> uuid.UUID:
    now = world.platform.clock.now()
    command = c.CreateAssistanceRequest(
        actor=world.actor("liege.duty"),
        capability="water.rescue",
        quantity=quantity,
        staging=STAGING,
        starts_at=now,
        ends_at=now + timedelta(days=3),
        support=HostNationSupport(
            "CP-Ops Chaudfontaine, liaison desk (demo)", ("fr", "en"), "fuel and meals"
        ),
        description="Evacuations along the Vesdre",
        incident_id=uuid.UUID(int=2021),
        addressees=frozenset({world.partners["NL-VR23"]}),
        respond_by=respond_by,
    )
    request_id: uuid.UUID = world.platform.bus.handle(command)
    return request_id


def events_of(world: World) -> list[str]:
    with world.platform.engine.connect() as conn:
        rows = conn.execute(sa.select(t.events.c.type).order_by(t.events.c.position))
        return [r for (r,) in rows if r.startswith("crisislink.assistance.")]


def test_every_field_round_trips_and_every_step_is_an_event_and_an_audit_entry(clocked: World) -> None:
    world, bus = clocked, clocked.platform.bus
    unit_id = register(world)
    request_id = ask(world)
    offer_id = bus.handle(
        c.MakeOffer(
            actor=world.actor("nl.duty"),
            request_id=request_id,
            available_from=START + timedelta(hours=1),
            unit_ids=(unit_id,),
            conditions="self-sufficient for 72 h",
        )
    )
    steps = [
        c.AcceptOffer(actor=world.actor("liege.duty"), offer_id=offer_id),
        c.MobiliseOffer(actor=world.actor("nl.duty"), offer_id=offer_id),
        c.DeployOffer(actor=world.actor("nl.duty"), offer_id=offer_id),
    ]
    for command in steps:
        bus.handle(command)
    with world.platform.uow() as uow:
        unit = uow.units.get(unit_id)
        request = uow.assistance_requests.get(request_id)
        offer = uow.assistance_offers.get(offer_id)
        assert [o.id for o in uow.assistance_offers.for_request(request_id)] == [offer_id]
    assert (unit.status, unit.position, unit.offer_id) == (UnitStatus.DEPLOYED, STAGING.point, offer_id)
    assert (unit.call_sign, unit.radio, unit.crew_languages) == (
        "DEMO-23-WO-1",
        ("C2000", "TETRA-ISI"),
        ("nl", "de", "en"),
    )
    assert unit.arrangements == ("be-nl-treaty", "ucpm")
    assert unit.label.audience == {Principal.partner(world.partners["BE-PROV-LIEGE"])}
    assert (request.status, request.accepted, request.staging) == (
        RequestStatus.PARTIALLY_COVERED,
        1,
        STAGING,
    )
    assert request.support.languages == ("fr", "en")
    assert (request.incident_id, request.description) == (uuid.UUID(int=2021), "Evacuations along the Vesdre")
    assert request.addressees == {world.partners["NL-VR23"]}
    assert (request.label.marking, request.starts_at) == (Tlp.AMBER, START)
    assert offer.units == (OfferedUnit(unit_id, "Waterongevallenteam Venlo (demo)", "DEMO-23-WO-1"),)
    assert (offer.status, offer.accepted, offer.accepted_units) == (OfferStatus.DEPLOYED, 1, (unit_id,))
    assert (offer.available_from, offer.conditions) == (
        START + timedelta(hours=1),
        "self-sufficient for 72 h",
    )
    assert offer.label.audience == {Principal.partner(world.partners["BE-PROV-LIEGE"])}
    assert events_of(world) == [
        "crisislink.assistance.unit_registered",
        "crisislink.assistance.request_created",
        "crisislink.assistance.request_sent",
        "crisislink.assistance.offer_made",
        # One command's events leave in the unit of work's order of repositories: units, requests, offers.
        "crisislink.assistance.unit_status_changed",  # committed
        "crisislink.assistance.request_status_changed",  # partially covered
        "crisislink.assistance.offer_status_changed",  # accepted
        "crisislink.assistance.offer_status_changed",  # mobilising
        "crisislink.assistance.unit_status_changed",  # deployed
        "crisislink.assistance.offer_status_changed",  # deployed
    ]
    with world.platform.engine.connect() as conn:
        commands = conn.execute(sa.select(t.audit_log.c.command).order_by(t.audit_log.c.seq)).scalars().all()
    # One audit entry per command, naming the records it changed and the events it raised.
    assert commands[-6:] == [
        "RegisterUnit",
        "CreateAssistanceRequest",
        "MakeOffer",
        "AcceptOffer",
        "MobiliseOffer",
        "DeployOffer",
    ]
    with world.platform.engine.connect() as conn:
        accepted = conn.execute(sa.select(t.audit_log).where(t.audit_log.c.command == "AcceptOffer")).one()
    assert {str(unit_id), str(request_id), str(offer_id)} <= set(accepted.record_ids)
    assert len(accepted.details["events"]) == 3
    assert verify_chain(world.platform.engine).ok


def test_the_schedule_expires_a_request_nobody_answered_in_time(clocked: World, clock: FixedClock) -> None:
    world = clocked
    request_id = ask(world, respond_by=START + timedelta(minutes=30))
    offer_id = world.platform.bus.handle(
        c.MakeOffer(actor=world.actor("nl.duty"), request_id=request_id, available_from=START, quantity=1)
    )
    assert run_once(world.platform.bus) == 0
    clock.advance(timedelta(minutes=31))
    assert run_once(world.platform.bus) == 1
    with world.platform.uow() as uow:
        assert uow.assistance_requests.get(request_id).status is RequestStatus.EXPIRED
        assert uow.assistance_offers.get(offer_id).status is OfferStatus.LAPSED
    assert run_once(world.platform.bus) == 0


def test_two_acceptances_of_one_unit_cannot_both_win(clocked: World) -> None:
    world, bus = clocked, clocked.platform.bus
    unit_id = register(world)
    offers = [
        bus.handle(
            c.MakeOffer(
                actor=world.actor("nl.duty"), request_id=ask(world), available_from=START, unit_ids=(unit_id,)
            )
        )
        for _ in range(2)
    ]
    bus.handle(c.AcceptOffer(actor=world.actor("liege.duty"), offer_id=offers[0]))
    before = events_of(world)
    with pytest.raises(Conflict, match="no longer available"):
        bus.handle(c.AcceptOffer(actor=world.actor("liege.duty"), offer_id=offers[1]))
    assert events_of(world) == before
    with world.platform.uow() as uow:
        assert uow.assistance_offers.get(offers[1]).status is OfferStatus.OFFERED
        assert uow.units.get(unit_id).offer_id == offers[0]
