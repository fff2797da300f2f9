"""Incident handlers against in-memory fakes: declaring, levels, neighbours, the log, tasks, sitreps."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest

from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents import events as e
from crisislink.domains.incidents import handlers as h
from crisislink.domains.incidents import log_handlers as lh
from crisislink.domains.incidents import sitrep_handlers as sh
from crisislink.domains.incidents.model import EntryKind, Incident, IncidentStatus, Mode, Point, TaskStatus
from crisislink.domains.incidents.notifications import NeighbourNotification, NotificationStatus
from crisislink.domains.incidents.ports import Neighbour, NeighbourCheck, PartnerInfo
from crisislink.domains.incidents.sitreps import Figures, SitrepStatus, SitrepText
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict, CrisislinkError, InvalidInput, PermissionDenied
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM, Actor, Event
from tests.unit.incident_fakes import (
    FakeBorderRule,
    FakeDirectory,
    FakeGeometry,
    FakeIncidentsUnitOfWork,
    small_square,
)

NOW = datetime(2026, 7, 14, 9, 30, tzinfo=UTC)
RULES = h.IncidentRules(escalate_after=timedelta(minutes=15), reminder_lead=timedelta(minutes=15))
MEUSE = small_square(Point(5.70, 50.77), 0.02)
ACTIONS = "Sirens sounded; residents within 1 km told to shelter in place."

E = TypeVar("E", bound=Event)
X = TypeVar("X", bound=CrisislinkError)


@dataclass
class World:
    uow: FakeIncidentsUnitOfWork
    directory: FakeDirectory
    geometry: FakeGeometry
    border: FakeBorderRule
    clock: FixedClock
    be: PartnerInfo
    nl: PartnerInfo
    lu: PartnerInfo
    outsider: PartnerInfo  # a Belgian partner that takes part in nothing

    def actor(self, partner: PartnerInfo, *roles: str) -> Actor:
        return Actor(
            user_id=self.directory.add_user(partner.id),
            partner_id=partner.id,
            roles=frozenset(roles or ("duty_officer",)),
        )

    def later(self, **delta: float) -> datetime:
        self.clock.advance(timedelta(**delta))
        return self.clock.now()

    def incident(self, incident_id: uuid.UUID) -> Incident:
        return self.uow.incidents.get(incident_id)

    def events(self, kind: type[E]) -> list[E]:
        return [event for event in self.uow.events if isinstance(event, kind)]

    def notifications(self, incident_id: uuid.UUID) -> dict[uuid.UUID, NeighbourNotification]:
        return {n.partner_id: n for n in self.uow.notifications.for_incident(incident_id)}


@pytest.fixture
def w() -> World:
    directory = FakeDirectory()
    return World(
        uow=FakeIncidentsUnitOfWork(directory),
        directory=directory,
        geometry=FakeGeometry(),
        border=FakeBorderRule(),
        clock=FixedClock(NOW),
        be=directory.add_partner("BE-NCCN", "BE", "nl", "fr"),
        nl=directory.add_partner("NL-VRZL", "NL", "nl"),
        lu=directory.add_partner("LU-HCPN", "LU", "fr", "de", "lb"),
        outsider=directory.add_partner("BE-PROV-LIM", "BE", "nl"),
    )


@contextmanager
def rejected(uow: FakeIncidentsUnitOfWork, error: type[X], match: str) -> Iterator[pytest.ExceptionInfo[X]]:
    """The command fails with `error`, commits nothing, and its half-done changes are rolled back."""
    commits, events = uow.commits, len(uow.events)
    with pytest.raises(error, match=match) as info:
        yield info
    uow.rollback()
    assert (uow.commits, len(uow.events)) == (commits, events)


def declare(w: World, actor: Actor | None = None, **changes: Any) -> uuid.UUID:
    command = c.DeclareIncident(
        actor=actor or w.actor(w.be),
        title="Chlorine release at the Meuse lock",
        hazard="chemical.release",
        description="A barge leaks chlorine near the lock of Lanaye.",
        lead_partner_id=w.be.id,
        area=MEUSE,
    )
    return h.declare_incident(replace(command, **changes), w.uow, w.geometry, w.border, w.clock.now, RULES)


def amber(w: World) -> uuid.UUID:
    """An AMBER incident led by BE with NL and LU involved; working languages nl, fr, en."""
    return declare(w, marking=Tlp.AMBER, involved=frozenset({w.nl.id, w.lu.id}))


def schedule(w: World, actor: Actor = SYSTEM) -> int:
    return sh.run_schedule(c.RunSchedule(actor=actor), w.uow, w.clock.now, RULES)


def neighbours(w: World, *partners: PartnerInfo, explanation: str = "within 10 km of the border") -> None:
    w.border.result = NeighbourCheck(
        triggered=bool(partners),
        explanation=explanation,
        neighbours=tuple(
            Neighbour(partner_id=p.id, name=p.name, chain=(uuid.uuid4(), uuid.uuid4())) for p in partners
        ),
    )


# --- declaring ------------------------------------------------------------------------------------------


def test_declaring_labels_the_incident_for_the_declaring_partner_and_the_parties(w: World) -> None:
    actor = w.actor(w.be, "information_officer")
    incident_id = declare(
        w, actor=actor, lead_partner_id=w.nl.id, involved=frozenset({w.lu.id}), marking=Tlp.AMBER
    )

    incident = w.incident(incident_id)
    assert incident.label.owner_partner_id == w.be.id
    assert incident.label.home_node_id == w.uow.node_id
    assert incident.label.marking is Tlp.AMBER
    assert incident.label.audience == {Principal.partner(w.nl.id), Principal.partner(w.lu.id)}
    assert incident.lead_partner_id == w.nl.id
    assert incident.involved == {w.lu.id}
    assert incident.languages == ("nl", "en")
    assert incident.occurred_at == incident.declared_at == NOW
    assert incident.declared_by == actor.user_id
    assert incident.location is None
    assert incident.version == 1
    assert w.uow.commits == 1
    declared = w.events(e.IncidentDeclared)
    assert declared == [
        e.IncidentDeclared(
            label=incident.label,
            incident_id=incident_id,
            title="Chlorine release at the Meuse lock",
            hazard="chemical.release",
            lead_partner_id=w.nl.id,
            mode="live",
        )
    ]
    assert w.border.asked == [MEUSE]


@pytest.mark.parametrize(
    ("lead", "languages", "expected"),
    [
        ("lu", (), ("fr", "de", "lb", "en")),
        ("be", (), ("nl", "fr", "en")),
        ("be", (" DE ", "fr", "de"), ("de", "fr")),
    ],
)
def test_working_languages_default_to_the_leads_and_english(
    w: World, lead: str, languages: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    partner: PartnerInfo = getattr(w, lead)
    incident_id = declare(w, actor=w.actor(partner), lead_partner_id=partner.id, languages=languages)
    assert w.incident(incident_id).languages == expected


def test_an_unsupported_language_is_refused(w: World) -> None:
    with rejected(w.uow, InvalidInput, "unsupported language 'xx'"):
        declare(w, languages=("nl", "xx"))


def test_an_area_given_as_a_point_and_radius_is_buffered(w: World) -> None:
    centre = Point(5.7, 50.77)
    incident_id = declare(w, area=None, buffer=c.Buffer(centre, 2_000))
    incident = w.incident(incident_id)
    assert w.geometry.buffered == [(centre, 2_000)]
    assert incident.area == small_square(centre, 2_000 / 111_000)
    assert incident.location == centre


@pytest.mark.parametrize(
    ("area", "buffer"),
    [(MEUSE, c.Buffer(Point(5.7, 50.77), 1_000)), (None, None)],
    ids=["both", "neither"],
)
def test_the_area_is_either_a_polygon_or_a_buffer(
    w: World, area: Area | None, buffer: c.Buffer | None
) -> None:
    with rejected(w.uow, InvalidInput, "either as a polygon or as a point with a radius"):
        declare(w, area=area, buffer=buffer)
    assert w.uow.incidents.all() == []


@pytest.mark.parametrize("radius", [0, -5, 200_001])
def test_the_buffer_radius_is_bounded(w: World, radius: float) -> None:
    with rejected(w.uow, InvalidInput, "between 0 and 200 km"):
        declare(w, area=None, buffer=c.Buffer(Point(5.7, 50.77), radius))


def test_an_unknown_hazard_names_the_taxonomy_document(w: World) -> None:
    with rejected(w.uow, InvalidInput, r"unknown hazard type 'flood\.lava'.*docs/hazards\.md"):
        declare(w, hazard="flood.lava")


def test_an_unknown_lead_partner_is_refused(w: World) -> None:
    stranger = uuid.uuid4()
    with rejected(w.uow, InvalidInput, f"no partner with id {stranger} to lead"):
        declare(w, lead_partner_id=stranger)


def test_unknown_involved_partners_and_audience_members_are_refused(w: World) -> None:
    stranger = uuid.uuid4()
    with rejected(w.uow, InvalidInput, f"no partner with id {stranger}"):
        declare(w, involved=frozenset({stranger}))
    with rejected(w.uow, InvalidInput, "the audience names an unknown user"):
        declare(w, audience=frozenset({Principal.user(stranger)}))


def test_a_naive_occurrence_time_is_refused(w: World) -> None:
    with rejected(w.uow, InvalidInput, "needs a time zone"):
        declare(w, occurred_at=(NOW - timedelta(hours=1)).replace(tzinfo=None))


def test_an_incident_cannot_have_happened_in_the_future(w: World) -> None:
    with rejected(w.uow, InvalidInput, "cannot have happened in the future"):
        declare(w, occurred_at=NOW + timedelta(minutes=1))


def test_an_occurrence_time_in_another_zone_is_compared_as_an_instant(w: World) -> None:
    cest = timezone(timedelta(hours=2))
    earlier = datetime(2026, 7, 14, 11, 0, tzinfo=cest)  # 09:00 UTC, before NOW
    assert w.incident(declare(w, occurred_at=earlier)).occurred_at == NOW - timedelta(minutes=30)
    with rejected(w.uow, InvalidInput, "future"):
        declare(w, occurred_at=datetime(2026, 7, 14, 11, 31, tzinfo=cest))


@pytest.mark.parametrize("marking", [Tlp.AMBER_STRICT, Tlp.RED])
def test_closed_markings_cannot_involve_other_partners(w: World, marking: Tlp) -> None:
    with rejected(
        w.uow, InvalidInput, re.escape(f"an incident marked {marking} stays within its own organisation")
    ):
        declare(w, marking=marking, involved=frozenset({w.nl.id}))
    with rejected(w.uow, InvalidInput, "stays within its own organisation"):
        declare(w, marking=marking, lead_partner_id=w.nl.id)


def test_a_closed_marking_of_ones_own_incident_has_no_audience(w: World) -> None:
    incident = w.incident(declare(w, marking=Tlp.AMBER_STRICT))
    assert incident.label.marking is Tlp.AMBER_STRICT
    assert incident.label.audience == frozenset()


@pytest.mark.parametrize("role", ["observer", "analyst"])
def test_readers_cannot_declare(w: World, role: str) -> None:
    with rejected(w.uow, PermissionDenied, "duty officer or information officer"):
        declare(w, actor=w.actor(w.be, role))


@pytest.mark.parametrize(
    ("mode", "allowed"), [(Mode.LIVE, False), (Mode.EXERCISE, True), (Mode.REPLAY, True)]
)
def test_exercise_controllers_declare_only_exercises_and_replays(w: World, mode: Mode, allowed: bool) -> None:
    controller = w.actor(w.be, "exercise_controller")
    if allowed:
        incident_id = declare(w, actor=controller, mode=mode)
        assert w.incident(incident_id).mode is mode
        assert w.events(e.IncidentDeclared)[0].mode == mode.value
    else:
        with rejected(w.uow, PermissionDenied, "duty officer or information officer"):
            declare(w, actor=controller, mode=mode)


def test_the_platform_declares_on_behalf_of_the_lead(w: World) -> None:
    incident = w.incident(declare(w, actor=SYSTEM, lead_partner_id=w.nl.id))
    assert incident.label.owner_partner_id == w.nl.id
    assert incident.declared_by is None


# --- each country's level ---------------------------------------------------------------------------------


def set_level(w: World, incident_id: uuid.UUID, actor: Actor, country: str, level: str, **more: Any) -> None:
    command = c.SetLevel(actor=actor, incident_id=incident_id, country=country, level=level)
    h.set_level(replace(command, **more), w.uow, w.clock.now)


def test_each_country_keeps_its_own_level_side_by_side(w: World) -> None:
    incident_id = amber(w)
    belgian, dutch = w.actor(w.be), w.actor(w.nl)
    set_level(w, incident_id, belgian, "BE", "PROVINCIAL", reason="the governor coordinates")
    then = w.later(minutes=10)
    set_level(w, incident_id, dutch, "nl", "GRIP_3")

    levels = w.incident(incident_id).current_levels()
    assert list(levels) == ["BE", "NL"]
    assert (levels["BE"].level, levels["BE"].at, levels["BE"].recorded_at) == ("PROVINCIAL", NOW, NOW)
    assert (levels["BE"].by_user_id, levels["BE"].by_partner_id) == (belgian.user_id, w.be.id)
    assert levels["BE"].reason == "the governor coordinates"
    assert (levels["NL"].level, levels["NL"].at, levels["NL"].recorded_at) == ("GRIP_3", then, then)
    assert (levels["NL"].by_user_id, levels["NL"].by_partner_id) == (dutch.user_id, w.nl.id)


@pytest.mark.parametrize(
    ("country", "level", "partner", "valid"),
    [
        ("NL", "GRIP_9", "nl", "GRIP_0, GRIP_1, GRIP_2, GRIP_3, GRIP_4, GRIP_5, NATIONAL"),
        ("LU", "PROVINCIAL", "lu", "VEILLE, PRE_ALERTE, CELLULE_ACTIVE, RETOUR_NORMAL"),
    ],
)
def test_an_unknown_level_lists_the_countrys_levels(
    w: World, country: str, level: str, partner: str, valid: str
) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, f"{level!r} is not a level of .*; use one of: {valid}$"):
        set_level(w, incident_id, w.actor(getattr(w, partner)), country, level)
    assert w.incident(incident_id).levels == []


def test_a_country_without_a_scheme_is_refused(w: World) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, "no escalation scheme is configured for country 'FR'.*NL, BE, LU"):
        set_level(w, incident_id, w.actor(w.be), "FR", "NATIONAL")


def test_nobody_sets_another_countrys_level(w: World) -> None:
    incident_id = amber(w)
    with rejected(w.uow, PermissionDenied, "only a partner from NL"):
        set_level(w, incident_id, w.actor(w.be), "NL", "GRIP_3")


def test_a_partner_outside_the_incident_sets_no_level(w: World) -> None:
    incident_id = amber(w)
    with rejected(w.uow, PermissionDenied, "only the lead partner and the partners involved"):
        set_level(w, incident_id, w.actor(w.outsider), "BE", "MUNICIPAL")


def test_the_same_level_twice_is_a_conflict(w: World) -> None:
    incident_id = amber(w)
    set_level(w, incident_id, w.actor(w.nl), "NL", "GRIP_2")
    w.later(minutes=5)
    with rejected(w.uow, Conflict, "NL is already at GRIP_2"):
        set_level(w, incident_id, w.actor(w.nl), "NL", "GRIP_2")


def test_a_level_cannot_take_effect_before_the_countrys_previous_change(w: World) -> None:
    incident_id = amber(w)
    w.later(minutes=30)
    set_level(w, incident_id, w.actor(w.nl), "NL", "GRIP_2", at=NOW + timedelta(minutes=20))
    with rejected(w.uow, InvalidInput, "a new level cannot take effect earlier"):
        set_level(w, incident_id, w.actor(w.nl), "NL", "GRIP_3", at=NOW + timedelta(minutes=10))
    # Another country's history does not constrain it.
    set_level(w, incident_id, w.actor(w.be), "BE", "MUNICIPAL", at=NOW + timedelta(minutes=10))
    assert w.incident(incident_id).current_levels()["BE"].at == NOW + timedelta(minutes=10)


def test_a_level_cannot_take_effect_in_the_future_nor_at_a_naive_time(w: World) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, "cannot take effect in the future"):
        set_level(w, incident_id, w.actor(w.nl), "NL", "GRIP_2", at=NOW + timedelta(seconds=1))
    with rejected(w.uow, InvalidInput, "needs a time zone"):
        set_level(w, incident_id, w.actor(w.nl), "NL", "GRIP_2", at=NOW.replace(tzinfo=None))


def test_a_level_change_records_the_previous_level_and_an_event(w: World) -> None:
    incident_id = amber(w)
    dutch = w.actor(w.nl)
    set_level(w, incident_id, dutch, "NL", "GRIP_2")
    later = w.later(minutes=45)
    set_level(w, incident_id, dutch, "NL", "GRIP_3")

    incident = w.incident(incident_id)
    assert [(x.level, x.previous) for x in incident.levels] == [("GRIP_2", None), ("GRIP_3", "GRIP_2")]
    assert incident.version == 3
    assert w.events(e.LevelChanged) == [
        e.LevelChanged(
            label=incident.label,
            incident_id=incident_id,
            country="NL",
            level="GRIP_2",
            previous=None,
            at=NOW,
            by_partner_id=w.nl.id,
        ),
        e.LevelChanged(
            label=incident.label,
            incident_id=incident_id,
            country="NL",
            level="GRIP_3",
            previous="GRIP_2",
            at=later,
            by_partner_id=w.nl.id,
        ),
    ]


def test_no_level_changes_on_a_closed_incident(w: World) -> None:
    incident_id = amber(w)
    close(w, incident_id)
    with rejected(w.uow, Conflict, "is closed"):
        set_level(w, incident_id, w.actor(w.be), "BE", "MUNICIPAL")


# --- neighbours -------------------------------------------------------------------------------------------


def test_the_border_rule_notifies_each_neighbour_but_the_owner(w: World) -> None:
    neighbours(w, w.nl, w.lu, w.be)
    chains = {n.partner_id: n.chain for n in w.border.result.neighbours}
    incident_id = declare(w, marking=Tlp.AMBER)

    incident = w.incident(incident_id)
    notifications = w.notifications(incident_id)
    assert set(notifications) == {w.nl.id, w.lu.id}
    for partner_id, notification in notifications.items():
        assert notification.chain == chains[partner_id]
        assert notification.contact_point_id == chains[partner_id][0]
        assert notification.status is NotificationStatus.PENDING
        assert (notification.sent_at, notification.escalate_at) == (NOW, NOW + RULES.escalate_after)
        assert notification.reason == "within 10 km of the border"
        assert notification.label.marking is Tlp.AMBER
        assert notification.label.owner_partner_id == w.be.id
        assert notification.label.audience == {Principal.partner(partner_id)}
    assert incident.label.audience == {Principal.partner(w.nl.id), Principal.partner(w.lu.id)}
    notified = w.events(e.NeighbourNotified)
    assert {(n.partner_id, n.contact_point_id) for n in notified} == {
        (p, chains[p][0]) for p in (w.nl.id, w.lu.id)
    }
    [checked] = w.events(e.NeighboursChecked)
    assert checked.triggered
    assert checked.explanation == "within 10 km of the border"
    assert set(checked.notified) == {w.nl.id, w.lu.id}
    assert not checked.held
    assert checked.label == incident.label


def test_a_green_incident_notifies_without_widening_its_audience(w: World) -> None:
    neighbours(w, w.nl)
    incident = w.incident(declare(w, marking=Tlp.GREEN))
    assert set(w.notifications(incident.id)) == {w.nl.id}
    assert incident.label.audience == frozenset()


def test_an_amber_strict_incident_is_held_back_from_its_neighbours(w: World) -> None:
    neighbours(w, w.nl, w.lu)
    incident_id = declare(w, marking=Tlp.AMBER_STRICT)

    assert w.notifications(incident_id) == {}
    assert w.incident(incident_id).label.audience == frozenset()
    [checked] = w.events(e.NeighboursChecked)
    assert checked.held
    assert checked.triggered
    assert checked.notified == ()
    assert w.events(e.NeighbourNotified) == []


def test_nothing_is_held_when_no_neighbour_is_touched(w: World) -> None:
    incident_id = declare(w, marking=Tlp.AMBER_STRICT)
    [checked] = w.events(e.NeighboursChecked)
    assert (checked.incident_id, checked.triggered, checked.held) == (incident_id, False, False)


def test_notifying_again_tells_only_the_partners_not_told_yet(w: World) -> None:
    neighbours(w, w.nl)
    incident_id = declare(w, marking=Tlp.AMBER)
    first = w.notifications(incident_id)[w.nl.id]
    neighbours(w, w.nl, w.lu)
    manager = w.actor(w.be)

    told = h.notify_neighbours(
        c.NotifyNeighbours(actor=manager, incident_id=incident_id), w.uow, w.border, w.clock.now
    )
    again = h.notify_neighbours(
        c.NotifyNeighbours(actor=manager, incident_id=incident_id), w.uow, w.border, w.clock.now
    )

    assert told == (w.lu.id,)
    assert again == ()
    assert len(w.uow.notifications.for_incident(incident_id)) == 2
    assert w.notifications(incident_id)[w.nl.id] is first
    assert [n.partner_id for n in w.events(e.NeighbourNotified)] == [w.nl.id, w.lu.id]
    assert [x.notified for x in w.events(e.NeighboursChecked)] == [(w.nl.id,), (w.lu.id,), ()]


def test_only_the_incidents_managers_notify_its_neighbours(w: World) -> None:
    incident_id = amber(w)
    with rejected(w.uow, PermissionDenied, "declared the incident or its lead partner"):
        h.notify_neighbours(
            c.NotifyNeighbours(actor=w.actor(w.nl), incident_id=incident_id), w.uow, w.border, w.clock.now
        )


def acknowledge(w: World, notification: NeighbourNotification, actor: Actor) -> None:
    command = c.AcknowledgeNotification(actor=actor, notification_id=notification.id)
    h.acknowledge_notification(command, w.uow, w.clock.now)


def test_the_notified_partner_acknowledges_once(w: World) -> None:
    neighbours(w, w.nl)
    incident_id = declare(w, marking=Tlp.AMBER)
    notification = w.notifications(incident_id)[w.nl.id]
    dutch = w.actor(w.nl, "observer")
    at = w.later(minutes=3)

    with rejected(w.uow, PermissionDenied, "only someone of the notified partner"):
        acknowledge(w, notification, w.actor(w.lu))
    with rejected(w.uow, PermissionDenied, "a person acknowledges"):
        acknowledge(w, notification, SYSTEM)
    acknowledge(w, notification, dutch)

    notification = w.notifications(incident_id)[w.nl.id]
    assert notification.status is NotificationStatus.ACKNOWLEDGED
    assert (notification.acknowledged_by, notification.acknowledged_at) == (dutch.user_id, at)
    assert dutch.user_id is not None
    assert w.events(e.NotificationAcknowledged) == [
        e.NotificationAcknowledged(
            label=notification.label,
            notification_id=notification.id,
            incident_id=incident_id,
            partner_id=w.nl.id,
            by_user_id=dutch.user_id,
        )
    ]
    with rejected(w.uow, Conflict, "acknowledged already"):
        acknowledge(w, notification, w.actor(w.nl))


def test_an_unanswered_notification_walks_its_chain_then_turns_unanswered(w: World) -> None:
    neighbours(w, w.nl)
    incident_id = declare(w, marking=Tlp.AMBER)
    notification = w.notifications(incident_id)[w.nl.id]
    desk, crisis_centre = notification.chain
    assert notification.contact_point_id == desk

    w.later(minutes=14, seconds=59)
    assert schedule(w) == 0
    assert notification.step == 0
    w.later(seconds=1)
    assert schedule(w) == 1
    assert (notification.step, notification.contact_point_id) == (1, crisis_centre)
    assert (notification.status, notification.escalate_at) == (
        NotificationStatus.PENDING,
        NOW + 2 * RULES.escalate_after,
    )
    w.later(minutes=14)
    assert schedule(w) == 0
    w.later(minutes=1)
    assert schedule(w) == 1
    assert notification.status is NotificationStatus.UNANSWERED
    assert notification.contact_point_id == crisis_centre
    w.later(hours=1)
    assert schedule(w) == 0

    escalated = w.events(e.NotificationEscalated)
    assert [(x.step, x.contact_point_id, x.status) for x in escalated] == [
        (1, crisis_centre, "pending"),
        (1, crisis_centre, "unanswered"),
    ]
    # Someone may still answer an unanswered notification.
    acknowledge(w, notification, w.actor(w.nl))
    assert w.notifications(incident_id)[w.nl.id].status is NotificationStatus.ACKNOWLEDGED


def test_an_acknowledged_notification_never_escalates(w: World) -> None:
    neighbours(w, w.nl, w.lu)
    incident_id = declare(w, marking=Tlp.AMBER)
    acknowledge(w, w.notifications(incident_id)[w.nl.id], w.actor(w.nl))
    w.later(hours=2)

    assert schedule(w) == 1
    notifications = w.notifications(incident_id)
    assert (notifications[w.nl.id].step, notifications[w.nl.id].status) == (
        0,
        NotificationStatus.ACKNOWLEDGED,
    )
    assert notifications[w.lu.id].step == 1
    assert [x.partner_id for x in w.events(e.NotificationEscalated)] == [w.lu.id]


@pytest.mark.parametrize("roles", [("duty_officer",), ("node_admin",)])
def test_only_the_platform_runs_the_schedule(w: World, roles: tuple[str, ...]) -> None:
    with rejected(w.uow, PermissionDenied, "run by the platform"):
        schedule(w, w.actor(w.be, *roles))


# --- the common log ---------------------------------------------------------------------------------------


def log(w: World, incident_id: uuid.UUID, actor: Actor, **changes: Any) -> uuid.UUID:
    command = c.AddLogEntry(
        actor=actor, incident_id=incident_id, kind=EntryKind.INFORMATION, text="Wind turned north-east."
    )
    return lh.add_log_entry(replace(command, **changes), w.uow, w.clock.now)


def close(w: World, incident_id: uuid.UUID) -> None:
    command = c.ChangeIncidentStatus(
        actor=w.actor(w.be), incident_id=incident_id, status=IncidentStatus.CLOSED
    )
    h.change_status(command, w.uow)


def test_a_log_entry_belongs_to_its_authors_partner_under_the_incidents_marking(w: World) -> None:
    incident_id = amber(w)
    dutch = w.actor(w.nl, "information_officer")
    at = w.later(minutes=7)
    entry_id = log(w, incident_id, dutch, text="  Wind turned north-east.  ")

    entry = w.uow.log.get(entry_id)
    incident = w.incident(incident_id)
    assert entry.label.owner_partner_id == w.nl.id
    assert entry.label.marking is Tlp.AMBER
    assert entry.label.audience == incident.label.audience
    assert entry.text == "Wind turned north-east."
    assert (entry.occurred_at, entry.recorded_at, entry.author_user_id) == (at, at, dutch.user_id)
    assert w.events(e.LogEntryAdded) == [
        e.LogEntryAdded(
            label=entry.label, incident_id=incident_id, entry_id=entry_id, kind="information", occurred_at=at
        )
    ]


def test_a_stricter_entry_keeps_its_own_marking(w: World) -> None:
    incident_id = amber(w)
    entry = w.uow.log.get(log(w, incident_id, w.actor(w.lu), marking=Tlp.AMBER_STRICT))
    assert entry.label.marking is Tlp.AMBER_STRICT
    assert entry.label.owner_partner_id == w.lu.id
    assert entry.label.audience == frozenset()


def test_the_platforms_entry_belongs_to_the_incidents_owner(w: World) -> None:
    incident_id = declare(w, lead_partner_id=w.nl.id)
    entry = w.uow.log.get(log(w, incident_id, SYSTEM))
    assert entry.label.owner_partner_id == w.be.id
    assert entry.author_user_id is None


@pytest.mark.parametrize(
    ("decided_by", "basis"),
    [(None, "Art. 5 Seveso plan"), ("the governor", None), ("  ", "  "), (None, None)],
)
def test_a_decision_records_who_decided_and_on_what_basis(
    w: World, decided_by: str | None, basis: str | None
) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, "who decided and on what basis"):
        log(w, incident_id, w.actor(w.be), kind=EntryKind.DECISION, decided_by=decided_by, basis=basis)


def test_a_decision_keeps_who_decided_and_why(w: World) -> None:
    incident_id = amber(w)
    entry_id = log(
        w,
        incident_id,
        w.actor(w.be),
        kind=EntryKind.DECISION,
        decided_by=" the governor ",
        basis="PPI Seveso",
    )
    entry = w.uow.log.get(entry_id)
    assert (entry.kind, entry.decided_by, entry.basis) == (EntryKind.DECISION, "the governor", "PPI Seveso")


@pytest.mark.parametrize(("decided_by", "basis"), [("the governor", None), (None, "PPI Seveso")])
def test_only_a_decision_has_who_decided(w: World, decided_by: str | None, basis: str | None) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, "only a decision has"):
        log(w, incident_id, w.actor(w.be), decided_by=decided_by, basis=basis)


def test_a_partner_outside_the_incident_cannot_write_in_its_log(w: World) -> None:
    neighbours(w, w.outsider)
    incident_id = amber(w)  # the outsider was notified, so it sees the incident, but takes no part
    assert Principal.partner(w.outsider.id) in w.incident(incident_id).label.audience
    with rejected(w.uow, PermissionDenied, "only the lead partner and the partners involved"):
        log(w, incident_id, w.actor(w.outsider))
    with rejected(w.uow, PermissionDenied, "duty officer or information officer"):
        log(w, incident_id, w.actor(w.nl, "analyst"))


def test_a_log_entry_cannot_happen_in_the_future(w: World) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, "cannot happen in the future"):
        log(w, incident_id, w.actor(w.be), occurred_at=NOW + timedelta(minutes=1))
    earlier = NOW - timedelta(hours=2)
    entry = w.uow.log.get(log(w, incident_id, w.actor(w.be), occurred_at=earlier))
    assert (entry.occurred_at, entry.recorded_at) == (earlier, NOW)


def test_a_closed_incidents_log_is_closed(w: World) -> None:
    incident_id = amber(w)
    close(w, incident_id)
    with rejected(w.uow, Conflict, "is closed; reopen it"):
        log(w, incident_id, w.actor(w.be))


def test_a_correction_names_an_entry_of_the_same_incident(w: World) -> None:
    first, second = amber(w), amber(w)
    original = log(w, first, w.actor(w.be))
    with rejected(w.uow, InvalidInput, "same incident"):
        log(w, second, w.actor(w.be), corrects=original)
    with rejected(w.uow, InvalidInput, "does not exist"):
        log(w, first, w.actor(w.be), corrects=uuid.uuid4())
    correction = w.uow.log.get(log(w, first, w.actor(w.nl), text="Wind turned north.", corrects=original))
    assert correction.corrects == original


# --- tasks ------------------------------------------------------------------------------------------------


def assign(w: World, incident_id: uuid.UUID, **changes: Any) -> uuid.UUID:
    command = c.AssignTask(
        actor=w.actor(w.be),
        incident_id=incident_id,
        title="Close the N618 at Lanaye",
        due_at=w.clock.now() + timedelta(hours=1),
        assignee_partner_id=w.nl.id,
    )
    return lh.assign_task(replace(command, **changes), w.uow, w.clock.now)


def move(w: World, task_id: uuid.UUID, status: TaskStatus, actor: Actor, version: int | None = None) -> None:
    expected = w.uow.tasks.get(task_id).version if version is None else version
    lh.move_task(
        c.MoveTask(actor=actor, task_id=task_id, status=status, expected_version=expected), w.uow, w.clock.now
    )


@pytest.mark.parametrize("due_in", [timedelta(0), timedelta(minutes=-1)])
def test_a_task_is_due_after_it_is_created(w: World, due_in: timedelta) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, "cannot be due"):
        assign(w, incident_id, due_at=NOW + due_in)


def test_the_assignee_belongs_to_the_assigned_partner(w: World) -> None:
    incident_id = amber(w)
    belgian = w.directory.add_user(w.be.id)
    with rejected(w.uow, InvalidInput, "must belong to the assigned partner"):
        assign(w, incident_id, assignee_user_id=belgian)
    with rejected(w.uow, InvalidInput, "must belong to the assigned partner"):
        assign(w, incident_id, assignee_user_id=uuid.uuid4())
    with rejected(w.uow, InvalidInput, "no partner with id"):
        assign(w, incident_id, assignee_partner_id=uuid.uuid4())
    dutch = w.directory.add_user(w.nl.id)
    task = w.uow.tasks.get(assign(w, incident_id, assignee_user_id=dutch))
    assert (task.assignee_partner_id, task.assignee_user_id) == (w.nl.id, dutch)


def test_a_task_moves_open_in_progress_done_and_not_back_to_work(w: World) -> None:
    incident_id = amber(w)
    task_id = assign(w, incident_id, details="  with the police of Visé ")
    task = w.uow.tasks.get(task_id)
    assert (task.status, task.details, task.label.owner_partner_id) == (
        TaskStatus.OPEN,
        "with the police of Visé",
        w.be.id,
    )
    dutch = w.actor(w.nl)  # the assignee's partner moves it

    move(w, task_id, TaskStatus.IN_PROGRESS, dutch)
    done_at = w.later(minutes=20)
    move(w, task_id, TaskStatus.DONE, dutch)

    assert (task.status, task.updated_at, task.version) == (TaskStatus.DONE, done_at, 3)
    assert [(x.previous, x.status) for x in w.events(e.TaskStatusChanged)] == [
        ("open", "in_progress"),
        ("in_progress", "done"),
    ]
    with rejected(w.uow, Conflict, "a task that is done can move to open, not to in_progress"):
        move(w, task_id, TaskStatus.IN_PROGRESS, dutch)


def test_a_task_is_overdue_only_while_it_is_still_to_do(w: World) -> None:
    incident_id = amber(w)
    task = w.uow.tasks.get(assign(w, incident_id))
    assert not task.is_overdue(task.due_at)
    assert task.is_overdue(task.due_at + timedelta(seconds=1))
    move(w, task.id, TaskStatus.IN_PROGRESS, w.actor(w.nl))
    assert task.is_overdue(task.due_at + timedelta(seconds=1))
    move(w, task.id, TaskStatus.DONE, w.actor(w.nl))
    assert not task.is_overdue(task.due_at + timedelta(days=1))


def test_moving_a_task_read_at_an_older_version_is_a_conflict(w: World) -> None:
    incident_id = amber(w)
    task_id = assign(w, incident_id)
    move(w, task_id, TaskStatus.IN_PROGRESS, w.actor(w.nl), version=1)
    with rejected(w.uow, Conflict, "you had version 1, it is now 2"):
        move(w, task_id, TaskStatus.DONE, w.actor(w.be), version=1)
    assert w.uow.tasks.get(task_id).status is TaskStatus.IN_PROGRESS


def test_a_partner_outside_the_incident_cannot_move_others_tasks(w: World) -> None:
    incident_id = amber(w)
    task_id = assign(w, incident_id)
    with rejected(w.uow, PermissionDenied, "only the lead partner and the partners involved"):
        move(w, task_id, TaskStatus.DONE, w.actor(w.outsider))


def test_an_observer_of_the_assignee_partner_cannot_move_its_task(w: World) -> None:
    incident_id = amber(w)
    task_id = assign(w, incident_id)
    with rejected(w.uow, PermissionDenied, "duty officer or information officer"):
        move(w, task_id, TaskStatus.DONE, w.actor(w.nl, "observer"))


# --- situation reports -------------------------------------------------------------------------------------


def draft(w: World, incident_id: uuid.UUID, *languages: str, **changes: Any) -> uuid.UUID:
    command = c.DraftSitrep(
        actor=w.actor(w.be),
        incident_id=incident_id,
        texts=tuple(
            (language, SitrepText(situation=f"situation ({language})", actions=ACTIONS))
            for language in languages or ("nl",)
        ),
    )
    return sh.draft_sitrep(replace(command, **changes), w.uow, w.clock.now)


def publish(w: World, sitrep_id: uuid.UUID, at: datetime | None = None) -> None:
    sh.publish_sitrep(c.PublishSitrep(actor=w.actor(w.be), sitrep_id=sitrep_id, at=at), w.uow, w.clock.now)


def test_a_report_is_written_in_the_incidents_working_languages(w: World) -> None:
    incident_id = amber(w)  # nl, fr, en
    with rejected(w.uow, InvalidInput, r"'de' is not a working language of this incident \(nl, fr, en\)"):
        draft(w, incident_id, "nl", "de")
    with rejected(w.uow, InvalidInput, "two texts in 'nl'"):
        draft(w, incident_id, "nl", "nl")
    with rejected(w.uow, InvalidInput, "at least one language"):
        draft(w, incident_id, texts=())


def test_publishing_now_names_the_languages_still_missing(w: World) -> None:
    incident_id = amber(w)
    sitrep_id = draft(w, incident_id, "nl", figures=Figures(injured=3, evacuated=140))
    sitrep = w.uow.sitreps.get(sitrep_id)
    assert sitrep.missing_languages() == ("fr", "en")
    assert sitrep.status is SitrepStatus.DRAFT
    at = w.later(minutes=5)

    publish(w, sitrep_id)

    assert (sitrep.status, sitrep.published_at, sitrep.publish_at) == (SitrepStatus.PUBLISHED, at, at)
    assert w.events(e.SitrepPublished) == [
        e.SitrepPublished(
            label=sitrep.label,
            incident_id=incident_id,
            sitrep_id=sitrep_id,
            number=1,
            missing_languages=("fr", "en"),
            next_report_at=None,
        )
    ]
    assert sitrep.figures == Figures(injured=3, evacuated=140)


def test_a_report_published_later_is_scheduled_then_published_by_the_schedule(w: World) -> None:
    incident_id = amber(w)
    sitrep_id = draft(w, incident_id, "nl", "fr", "en")
    publish(w, sitrep_id, at=NOW + timedelta(minutes=30))
    sitrep = w.uow.sitreps.get(sitrep_id)
    assert (sitrep.status, sitrep.publish_at, sitrep.published_at) == (
        SitrepStatus.SCHEDULED,
        NOW + timedelta(minutes=30),
        None,
    )
    [scheduled] = w.events(e.SitrepScheduled)
    assert (scheduled.sitrep_id, scheduled.publish_at) == (sitrep_id, NOW + timedelta(minutes=30))

    w.later(minutes=29)
    assert schedule(w) == 0
    assert sitrep.status is SitrepStatus.SCHEDULED
    w.later(minutes=2)
    assert schedule(w) == 1
    assert (sitrep.status, sitrep.published_at) == (SitrepStatus.PUBLISHED, NOW + timedelta(minutes=31))
    [published] = w.events(e.SitrepPublished)
    assert (published.sitrep_id, published.missing_languages) == (sitrep_id, ())
    assert schedule(w) == 0


def test_a_published_report_is_not_revised(w: World) -> None:
    incident_id = amber(w)
    sitrep_id = draft(w, incident_id)
    publish(w, sitrep_id)
    revise = c.ReviseSitrep(
        actor=w.actor(w.be),
        sitrep_id=sitrep_id,
        expected_version=w.uow.sitreps.get(sitrep_id).version,
        texts=(("en", SitrepText(situation="Leak stopped.")),),
    )
    with rejected(w.uow, Conflict, "situation report 1 is published; write the next one instead"):
        sh.revise_sitrep(revise, w.uow, w.clock.now)
    with rejected(w.uow, Conflict, "published already"):
        publish(w, sitrep_id)


def test_a_draft_is_revised_by_its_partner_at_the_version_read(w: World) -> None:
    incident_id = amber(w)
    sitrep_id = draft(w, incident_id)
    revise = c.ReviseSitrep(
        actor=w.actor(w.be),
        sitrep_id=sitrep_id,
        expected_version=1,
        texts=(("en", SitrepText(situation="Leak stopped.")), ("fr", SitrepText(situation="Fuite arrêtée."))),
        figures=Figures(injured=4),
    )
    with rejected(w.uow, PermissionDenied, "only the partner that drafted"):
        sh.revise_sitrep(replace(revise, actor=w.actor(w.nl)), w.uow, w.clock.now)
    sh.revise_sitrep(revise, w.uow, w.clock.now)
    sitrep = w.uow.sitreps.get(sitrep_id)
    assert (set(sitrep.texts), sitrep.figures, sitrep.version) == ({"en", "fr"}, Figures(injured=4), 2)
    assert sitrep.missing_languages() == ("nl",)
    with rejected(w.uow, Conflict, "you had version 1, it is now 2"):
        sh.revise_sitrep(revise, w.uow, w.clock.now)


@pytest.mark.parametrize("next_in", [timedelta(0), timedelta(minutes=-5)])
def test_the_next_report_is_due_in_the_future(w: World, next_in: timedelta) -> None:
    incident_id = amber(w)
    with rejected(w.uow, InvalidInput, "must be in the future"):
        draft(w, incident_id, next_report_at=NOW + next_in)


def test_the_next_report_is_due_after_this_one_is_published(w: World) -> None:
    incident_id = amber(w)
    sitrep_id = draft(w, incident_id, next_report_at=NOW + timedelta(hours=1))
    with rejected(w.uow, InvalidInput, "due after this one is published"):
        publish(w, sitrep_id, at=NOW + timedelta(hours=2))


def test_the_schedule_reminds_once_when_the_next_report_is_near(w: World) -> None:
    incident_id = amber(w)
    sitrep_id = draft(w, incident_id, next_report_at=NOW + timedelta(hours=1))
    publish(w, sitrep_id)

    w.later(minutes=44, seconds=59)
    assert schedule(w) == 0
    moment = w.later(seconds=1)
    assert schedule(w) == 1
    w.later(minutes=5)
    assert schedule(w) == 0

    sitrep = w.uow.sitreps.get(sitrep_id)
    assert sitrep.reminded_at == moment
    assert w.events(e.SitrepDue) == [
        e.SitrepDue(
            label=sitrep.label,
            incident_id=incident_id,
            sitrep_id=sitrep_id,
            next_report_at=NOW + timedelta(hours=1),
        )
    ]


def test_a_report_superseded_by_a_newer_published_one_asks_for_no_reminder(w: World) -> None:
    incident_id = amber(w)
    first = draft(w, incident_id, next_report_at=NOW + timedelta(hours=1))
    publish(w, first)
    w.later(minutes=30)
    second = draft(w, incident_id, next_report_at=NOW + timedelta(hours=3))
    publish(w, second)

    w.later(minutes=20)  # the first report's successor would be due in 10 minutes
    assert schedule(w) == 0
    assert w.uow.sitreps.get(first).reminded_at is None
    w.later(hours=2)  # the second report's successor is due in 10 minutes
    assert schedule(w) == 1
    assert [x.sitrep_id for x in w.events(e.SitrepDue)] == [second]


def test_a_report_the_schedule_publishes_supersedes_the_previous_one_in_the_same_run(w: World) -> None:
    incident_id = amber(w)
    first = draft(w, incident_id, next_report_at=NOW + timedelta(hours=1))
    publish(w, first)
    second = draft(w, incident_id)
    publish(w, second, at=NOW + timedelta(minutes=50))
    w.later(minutes=50)  # the second is published now; the first's successor would be due in 10 minutes

    assert schedule(w) == 1
    assert w.uow.sitreps.get(second).status is SitrepStatus.PUBLISHED
    assert w.events(e.SitrepDue) == []


def test_a_newer_draft_does_not_supersede_the_published_report(w: World) -> None:
    incident_id = amber(w)
    first = draft(w, incident_id, next_report_at=NOW + timedelta(hours=1))
    publish(w, first)
    w.later(minutes=30)
    draft(w, incident_id, next_report_at=NOW + timedelta(hours=3))
    scheduled = draft(w, incident_id)
    publish(w, scheduled, at=NOW + timedelta(hours=2))

    w.later(minutes=20)
    assert schedule(w) == 1
    assert [x.sitrep_id for x in w.events(e.SitrepDue)] == [first]


def test_a_published_report_with_a_next_time_is_due_for_one_reminder(w: World) -> None:
    sitrep = w.uow.sitreps.get(draft(w, amber(w), next_report_at=NOW + timedelta(hours=1)))
    lead = RULES.reminder_lead.total_seconds()
    assert not sitrep.due_for_reminder(NOW + timedelta(minutes=50), lead)  # a draft asks for nothing
    publish(w, sitrep.id)
    assert not sitrep.due_for_reminder(NOW + timedelta(minutes=44), lead)
    assert sitrep.due_for_reminder(NOW + timedelta(minutes=45), lead)
    sitrep.reminded_at = NOW + timedelta(minutes=45)
    assert not sitrep.due_for_reminder(NOW + timedelta(minutes=50), lead)


@pytest.mark.parametrize("figure", ["dead", "injured", "missing", "evacuated", "displaced"])
def test_figures_are_never_negative(figure: str) -> None:
    with pytest.raises(InvalidInput, match=f"the number {figure} cannot be negative"):
        Figures(**{figure: -1})


def test_an_empty_situation_is_refused() -> None:
    with pytest.raises(InvalidInput, match="needs the situation described"):
        SitrepText(situation="   ", outlook="improving")


def test_reports_are_numbered_per_incident(w: World) -> None:
    first, second = amber(w), amber(w)
    numbers = [w.uow.sitreps.get(draft(w, incident)).number for incident in (first, first, second, first)]
    assert numbers == [1, 2, 1, 3]
    assert [x.number for x in w.events(e.SitrepDrafted)] == [1, 2, 1, 3]


def test_a_scheduled_report_whose_next_report_time_has_passed_does_not_block_the_schedule(w: World) -> None:
    neighbours(w, w.nl)
    incident_id = declare(w, marking=Tlp.AMBER)
    sitrep_id = draft(w, incident_id, next_report_at=NOW + timedelta(minutes=40))
    publish(w, sitrep_id, at=NOW + timedelta(minutes=30))
    w.later(minutes=45)  # the schedule was late (a restart): both times have passed

    schedule(w)

    assert w.notifications(incident_id)[w.nl.id].step == 1


# --- changing the incident ---------------------------------------------------------------------------------


def update(
    w: World, incident_id: uuid.UUID, actor: Actor, version: int | None = None, **changes: Any
) -> None:
    expected = w.incident(incident_id).version if version is None else version
    command = c.UpdateIncident(actor=actor, incident_id=incident_id, expected_version=expected)
    h.update_incident(replace(command, **changes), w.uow, w.geometry, w.border, w.clock.now, RULES)


def test_changing_an_incident_read_at_an_older_version_is_a_conflict(w: World) -> None:
    incident_id = amber(w)
    update(w, incident_id, w.actor(w.be), version=1, title="Chlorine leak, Lanaye lock")
    with rejected(w.uow, Conflict, "you had version 1, it is now 2"):
        update(w, incident_id, w.actor(w.be), version=1, description="barge towed away")
    incident = w.incident(incident_id)
    assert (incident.title, incident.version) == ("Chlorine leak, Lanaye lock", 2)
    assert incident.description == "A barge leaks chlorine near the lock of Lanaye."


def test_lowering_the_marking_relabels_under_the_old_label(w: World) -> None:
    outsider = Principal.partner(w.outsider.id)
    incident_id = declare(w, marking=Tlp.AMBER, involved=frozenset({w.nl.id}), audience=frozenset({outsider}))
    old = w.incident(incident_id).label
    assert old.audience == {outsider, Principal.partner(w.nl.id)}

    update(w, incident_id, w.actor(w.be), marking=Tlp.GREEN)

    incident = w.incident(incident_id)
    assert incident.label.marking is Tlp.GREEN
    assert incident.label.audience == {outsider}
    assert w.events(e.IncidentRelabelled) == [e.IncidentRelabelled(label=old, incident_id=incident_id)]
    assert w.events(e.IncidentUpdated) == [
        e.IncidentUpdated(label=incident.label, incident_id=incident_id, changed=("marking", "label"))
    ]


def test_the_lead_partner_may_change_the_incident_but_an_involved_one_may_not(w: World) -> None:
    incident_id = declare(w, marking=Tlp.AMBER, lead_partner_id=w.nl.id, involved=frozenset({w.lu.id}))
    with rejected(w.uow, PermissionDenied, "only the partner that declared the incident or its lead partner"):
        update(w, incident_id, w.actor(w.lu), title="Chlorine leak")
    update(w, incident_id, w.actor(w.nl), title="Chlorine leak")
    assert w.incident(incident_id).title == "Chlorine leak"


def test_an_unchanged_incident_is_not_committed(w: World) -> None:
    incident_id = amber(w)
    commits = w.uow.commits
    update(w, incident_id, w.actor(w.be), title=" Chlorine release at the Meuse lock ")
    assert w.uow.commits == commits
    assert w.events(e.IncidentUpdated) == []


def test_opening_a_held_incident_to_amber_notifies_its_neighbours(w: World) -> None:
    neighbours(w, w.nl)
    incident_id = declare(w, marking=Tlp.AMBER_STRICT)
    assert w.notifications(incident_id) == {}

    update(w, incident_id, w.actor(w.be), marking=Tlp.AMBER)

    assert set(w.notifications(incident_id)) == {w.nl.id}
    assert w.incident(incident_id).label.audience == {Principal.partner(w.nl.id)}
    assert [x.held for x in w.events(e.NeighboursChecked)] == [True, False]


def test_a_partner_removed_from_an_amber_incident_leaves_its_audience(w: World) -> None:
    incident_id = amber(w)
    update(w, incident_id, w.actor(w.be), involved=frozenset({w.nl.id}))
    incident = w.incident(incident_id)
    assert incident.involved == {w.nl.id}
    assert Principal.partner(w.lu.id) not in incident.label.audience


def test_neighbours_told_while_green_still_see_the_incident_once_it_is_amber(w: World) -> None:
    neighbours(w, w.nl)
    incident_id = declare(w, marking=Tlp.GREEN)
    assert set(w.notifications(incident_id)) == {w.nl.id}

    update(w, incident_id, w.actor(w.be), marking=Tlp.AMBER)

    assert Principal.partner(w.nl.id) in w.incident(incident_id).label.audience


def test_closing_twice_is_a_conflict(w: World) -> None:
    incident_id = amber(w)
    close(w, incident_id)
    [changed] = w.events(e.IncidentStatusChanged)
    assert (changed.status, changed.previous) == ("closed", "active")
    with rejected(w.uow, Conflict, "closed already"):
        close(w, incident_id)
    with rejected(w.uow, Conflict, "is closed"):
        update(w, incident_id, w.actor(w.be), title="Reopened?")
