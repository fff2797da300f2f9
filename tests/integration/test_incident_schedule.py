"""The border rule over the real directory, and the clock-driven schedule, on SQLite and PostgreSQL.

Liège province (BE-PROV-LIEGE) and Zuid-Limburg (NL-VR23) meet at the Meuse between Visé and Eijsden; the
NL national crisis centre has the whole country. An incident across that border must ring NL-VR23 once,
through its 24/7 desk, then its liaison, then the national desk, as the platform's clock moves on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.schedule import run_once
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents import events as e
from crisislink.domains.incidents.model import Mode, Point
from crisislink.domains.incidents.sitreps import SitrepText
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.domains.sharing.model import PartnerKind
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM, Event
from tests.support import World, build_world, make_platform

START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
ESCALATE_AFTER = timedelta(minutes=15)
REFERENCE = ReferenceData()
# 4 km around a point on the Meuse between Visé (BE) and Eijsden (NL): the circle crosses the border.
NEAR_VISE = c.Buffer(centre=Point(lon=5.70, lat=50.78), radius_m=4000)
# 2 km around the centre of Utrecht: some 90 km from any border.
UTRECHT = c.Buffer(centre=Point(lon=5.12, lat=52.09), radius_m=2000)


@dataclass
class Border:
    world: World
    clock: FixedClock
    desk: uuid.UUID  # NL-VR23's 24/7 duty desk
    liaison: uuid.UUID  # NL-VR23's liaison officer
    national_desk: uuid.UUID  # the 24/7 desk of the NL national crisis centre

    @property
    def bus(self) -> Any:
        return self.world.platform.bus


def give_jurisdiction(world: World, partner: str, layer: str, code: str) -> None:
    partner_id = world.partners[partner]
    version = directory.get_partner(world.platform.engine, partner_id).version
    world.platform.bus.handle(
        sc.UpdatePartner(
            actor=SYSTEM,
            partner_id=partner_id,
            expected_version=version,
            jurisdiction=Area(REFERENCE.get(layer, code).geometry, ref=f"{layer}:{code}"),
        )
    )


def add_contact(world: World, partner: str, role: ContactRole, name: str) -> uuid.UUID:
    contact_id: uuid.UUID = world.platform.bus.handle(
        sc.CreateContactPoint(
            actor=SYSTEM,
            partner_id=world.partners[partner],
            role=role,
            name=name,
            channels=(Channel(ChannelKind.PHONE, "+31 43 000 00 00"),),
            languages=("nl", "en"),
            hours=StaffedHours(always=True),
            marking=Tlp.GREEN,
        )
    )
    return contact_id


@pytest.fixture
def border(db_url: str) -> Iterator[Border]:
    clock = FixedClock(START)
    platform = make_platform(db_url, clock=clock)
    world = build_world(platform)
    assert world.remote_node is not None
    world.partners["NL-NCC"] = platform.bus.handle(
        sc.RegisterPartner(
            actor=SYSTEM,
            code="NL-NCC",
            name="NL-NCC",
            country="NL",
            kind=PartnerKind.NATIONAL_CRISIS_CENTRE,
            home_node_id=world.remote_node,
            languages=("nl", "en"),
        )
    )
    give_jurisdiction(world, "BE-PROV-LIEGE", "regions", "BE33")
    give_jurisdiction(world, "NL-VR23", "regions", "VR24")
    give_jurisdiction(world, "NL-NCC", "countries", "NL")
    # Named so that alphabetical order differs from the order of escalation.
    liaison = add_contact(world, "NL-VR23", ContactRole.LIAISON_OFFICER, "A liaison of Zuid-Limburg")
    desk = add_contact(world, "NL-VR23", ContactRole.DUTY_DESK_24_7, "Zuid-Limburg 24/7 desk")
    national = add_contact(world, "NL-NCC", ContactRole.DUTY_DESK_24_7, "NCC 24/7 desk")
    yield Border(world, clock, desk, liaison, national)
    platform.stop()


def declare(border: Border, area: c.Buffer = NEAR_VISE, **changes: Any) -> uuid.UUID:
    world = border.world
    incident_id: uuid.UUID = border.bus.handle(
        c.DeclareIncident(
            actor=world.actor("liege.duty"),
            title=changes.pop("title", "Meuse flood between Visé and Eijsden"),
            hazard="flood.river",
            description="",
            lead_partner_id=world.partners["BE-PROV-LIEGE"],
            buffer=area,
            **changes,
        )
    )
    return incident_id


def notifications(border: Border, incident_id: uuid.UUID) -> list[Any]:
    n = t.neighbour_notifications
    with border.world.platform.engine.connect() as conn:
        return list(conn.execute(sa.select(n).where(n.c.incident_id == incident_id).order_by(n.c.sent_at)))


def events_of(border: Border, event_type: type[Event], incident_id: uuid.UUID) -> list[dict[str, Any]]:
    with border.world.platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.events.c.payload)
            .where(t.events.c.type == event_type.TYPE)
            .order_by(t.events.c.position)
        ).scalars()
        return [payload for payload in rows if payload["incident_id"] == str(incident_id)]


def later(border: Border, delta: timedelta) -> int:
    """Move the platform's clock on and run one round of the schedule; returns how much it did."""
    border.clock.advance(delta)
    return run_once(border.bus)


# --- the border rule ------------------------------------------------------------------------------------


def test_an_incident_across_the_border_notifies_the_neighbour_once_along_its_chain(border: Border) -> None:
    world = border.world
    incident_id = declare(border)

    (notification,) = notifications(border, incident_id)
    assert notification.partner_id == world.partners["NL-VR23"]
    assert [uuid.UUID(str(i)) for i in notification.chain] == [
        border.desk,
        border.liaison,
        border.national_desk,
    ]
    assert notification.step == 0
    assert notification.status == "pending"
    assert notification.sent_at == START
    assert notification.escalate_at == START + ESCALATE_AFTER
    assert "BE\N{EN DASH}NL border" in notification.reason
    assert "crosses" in notification.reason
    assert "NL-VR23" in notification.reason
    (checked,) = events_of(border, e.NeighboursChecked, incident_id)
    assert checked["triggered"] is True
    assert checked["held"] is False
    assert checked["notified"] == [str(world.partners["NL-VR23"])]
    (notified,) = events_of(border, e.NeighbourNotified, incident_id)
    assert notified["contact_point_id"] == str(border.desk)
    # Applying the rule again tells nobody twice.
    again = border.bus.handle(c.NotifyNeighbours(actor=world.actor("liege.duty"), incident_id=incident_id))
    assert again == ()
    assert len(notifications(border, incident_id)) == 1


def test_an_incident_in_the_middle_of_the_netherlands_notifies_nobody(border: Border) -> None:
    incident_id = border.bus.handle(
        c.DeclareIncident(
            actor=border.world.actor("nl.duty"),
            title="Gas leak in Utrecht",
            hazard="chemical.release",
            description="",
            lead_partner_id=border.world.partners["NL-VR23"],
            buffer=UTRECHT,
        )
    )

    assert notifications(border, incident_id) == []
    (checked,) = events_of(border, e.NeighboursChecked, incident_id)
    assert checked["triggered"] is False
    assert checked["notified"] == []
    assert "more than" in checked["explanation"]


def test_a_replay_at_the_border_rings_no_duty_desk(border: Border) -> None:
    incident_id = declare(border, mode=Mode.REPLAY, title="[REPLAY] Meuse flood of July 2021")

    assert notifications(border, incident_id) == []
    (checked,) = events_of(border, e.NeighboursChecked, incident_id)
    assert checked["triggered"] is True
    assert checked["held"] is True
    assert checked["notified"] == []
    assert later(border, timedelta(hours=2)) == 0


def test_an_exercise_at_the_border_does_notify(border: Border) -> None:
    # An exercise trains the neighbours' desks too; only a replay of history stays silent.
    incident_id = declare(border, mode=Mode.EXERCISE, title="Exercise Meuse 2025")

    (notification,) = notifications(border, incident_id)
    assert notification.partner_id == border.world.partners["NL-VR23"]


# --- escalation -----------------------------------------------------------------------------------------


def test_an_unanswered_notification_walks_its_chain_then_is_marked_unanswered(border: Border) -> None:
    incident_id = declare(border)

    assert later(border, ESCALATE_AFTER - timedelta(seconds=1)) == 0  # not yet
    assert notifications(border, incident_id)[0].step == 0

    assert later(border, timedelta(seconds=1)) == 1
    (first,) = notifications(border, incident_id)
    assert (first.step, first.status) == (1, "pending")
    assert first.escalate_at == START + 2 * ESCALATE_AFTER

    assert later(border, ESCALATE_AFTER) == 1
    (second,) = notifications(border, incident_id)
    assert (second.step, second.status) == (2, "pending")

    assert later(border, ESCALATE_AFTER) == 1
    (last,) = notifications(border, incident_id)
    assert last.status == "unanswered"
    assert later(border, timedelta(hours=1)) == 0  # nobody left to try: nothing more happens

    escalated = events_of(border, e.NotificationEscalated, incident_id)
    assert [(x["step"], x["status"], x["contact_point_id"]) for x in escalated] == [
        (1, "pending", str(border.liaison)),
        (2, "pending", str(border.national_desk)),
        (2, "unanswered", str(border.national_desk)),
    ]


def test_an_acknowledged_notification_never_escalates(border: Border) -> None:
    world = border.world
    incident_id = declare(border)
    (notification,) = notifications(border, incident_id)
    border.clock.advance(timedelta(minutes=5))
    border.bus.handle(
        c.AcknowledgeNotification(actor=world.actor("nl.duty"), notification_id=notification.id)
    )

    for _ in range(4):
        assert later(border, ESCALATE_AFTER) == 0

    (answered,) = notifications(border, incident_id)
    assert (answered.step, answered.status) == (0, "acknowledged")
    assert answered.acknowledged_at == START + timedelta(minutes=5)
    assert answered.acknowledged_by == world.users["nl.duty"]
    assert events_of(border, e.NotificationEscalated, incident_id) == []


def test_a_notification_answered_after_one_escalation_stops_there(border: Border) -> None:
    world = border.world
    incident_id = declare(border)
    assert later(border, ESCALATE_AFTER) == 1
    (notification,) = notifications(border, incident_id)
    border.bus.handle(
        c.AcknowledgeNotification(actor=world.actor("nl.duty"), notification_id=notification.id)
    )

    assert later(border, 3 * ESCALATE_AFTER) == 0

    (answered,) = notifications(border, incident_id)
    assert (answered.step, answered.status) == (1, "acknowledged")


# --- situation reports on the schedule ------------------------------------------------------------------


def draft(border: Border, incident_id: uuid.UUID, next_report_at: datetime | None = None) -> uuid.UUID:
    sitrep_id: uuid.UUID = border.bus.handle(
        c.DraftSitrep(
            actor=border.world.actor("liege.duty"),
            incident_id=incident_id,
            texts=(("en", SitrepText(situation="The Meuse is at 6.2 m")),),
            next_report_at=next_report_at,
        )
    )
    return sitrep_id


def sitrep_row(border: Border, sitrep_id: uuid.UUID) -> Any:
    with border.world.platform.engine.connect() as conn:
        return conn.execute(sa.select(t.sitreps).where(t.sitreps.c.id == sitrep_id)).one()


def test_a_report_scheduled_for_later_is_published_by_the_first_round_after_that_time(border: Border) -> None:
    incident_id = declare(border, area=UTRECHT, title="Dike watch")  # no neighbour: only the report moves
    sitrep_id = draft(border, incident_id)
    publish_at = START + timedelta(minutes=30)
    border.bus.handle(
        c.PublishSitrep(actor=border.world.actor("liege.duty"), sitrep_id=sitrep_id, at=publish_at)
    )
    assert sitrep_row(border, sitrep_id).status == "scheduled"

    assert later(border, timedelta(minutes=29)) == 0
    assert sitrep_row(border, sitrep_id).status == "scheduled"
    assert events_of(border, e.SitrepPublished, incident_id) == []

    assert later(border, timedelta(minutes=2)) == 1

    row = sitrep_row(border, sitrep_id)
    assert row.status == "published"
    assert row.published_at == START + timedelta(minutes=31)
    (published,) = events_of(border, e.SitrepPublished, incident_id)
    assert published["sitrep_id"] == str(sitrep_id)
    assert later(border, timedelta(minutes=5)) == 0  # published once


def test_a_reminder_goes_out_once_when_the_next_report_is_within_15_minutes(border: Border) -> None:
    incident_id = declare(border, area=UTRECHT, title="Dike watch")
    due = START + timedelta(hours=1)
    sitrep_id = draft(border, incident_id, next_report_at=due)
    border.bus.handle(c.PublishSitrep(actor=border.world.actor("liege.duty"), sitrep_id=sitrep_id))

    assert run_once(border.bus) == 0
    assert later(border, timedelta(minutes=44)) == 0  # 16 minutes before: not yet
    assert events_of(border, e.SitrepDue, incident_id) == []

    assert later(border, timedelta(minutes=1)) == 1  # 15 minutes before

    (reminder,) = events_of(border, e.SitrepDue, incident_id)
    assert reminder["sitrep_id"] == str(sitrep_id)
    assert datetime.fromisoformat(reminder["next_report_at"]) == due
    assert sitrep_row(border, sitrep_id).reminded_at == START + timedelta(minutes=45)
    for step in (timedelta(minutes=5), timedelta(minutes=20), timedelta(hours=2)):
        assert later(border, step) == 0
    assert len(events_of(border, e.SitrepDue, incident_id)) == 1


def test_a_newer_report_replaces_the_reminder_of_the_older_one(border: Border) -> None:
    duty = border.world.actor("liege.duty")
    incident_id = declare(border, area=UTRECHT, title="Dike watch")
    first = draft(border, incident_id, next_report_at=START + timedelta(minutes=40))
    border.bus.handle(c.PublishSitrep(actor=duty, sitrep_id=first))
    border.clock.advance(timedelta(minutes=20))
    second = draft(border, incident_id, next_report_at=START + timedelta(hours=3))
    border.bus.handle(c.PublishSitrep(actor=duty, sitrep_id=second))

    assert later(border, timedelta(minutes=10)) == 0  # the first report's next one is no longer awaited

    assert events_of(border, e.SitrepDue, incident_id) == []
    assert later(border, timedelta(hours=2, minutes=20)) == 1
    (reminder,) = events_of(border, e.SitrepDue, incident_id)
    assert reminder["sitrep_id"] == str(second)


@pytest.mark.parametrize("marking", [Tlp.AMBER_STRICT, Tlp.RED])
def test_an_incident_kept_within_one_organisation_rings_no_neighbour(border: Border, marking: Tlp) -> None:
    incident_id = declare(border, marking=marking)

    assert notifications(border, incident_id) == []
    (checked,) = events_of(border, e.NeighboursChecked, incident_id)
    assert (checked["triggered"], checked["held"], checked["notified"]) == (True, True, [])


def test_a_scheduled_report_is_published_even_if_the_schedule_was_down_past_its_next_report_time(
    border: Border,
) -> None:
    duty = border.world.actor("liege.duty")
    incident_id = declare(border, area=UTRECHT, title="Dike watch")
    sitrep_id = draft(border, incident_id, next_report_at=START + timedelta(minutes=40))
    border.bus.handle(c.PublishSitrep(actor=duty, sitrep_id=sitrep_id, at=START + timedelta(minutes=30)))

    done = later(border, timedelta(minutes=50)) + run_once(border.bus)

    assert done == 2  # published, then reminded that the next report is overdue
    assert sitrep_row(border, sitrep_id).status == "published"
    assert len(events_of(border, e.SitrepPublished, incident_id)) == 1
    assert len(events_of(border, e.SitrepDue, incident_id)) == 1
    assert later(border, timedelta(minutes=30)) == 0
