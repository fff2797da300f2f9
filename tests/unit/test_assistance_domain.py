"""Assistance handlers against in-memory fakes: the catalogue, units, requests, offers, the whole flow."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance import events as e
from crisislink.domains.assistance import handlers as h
from crisislink.domains.assistance import offer_handlers as oh
from crisislink.domains.assistance import request_handlers as rh
from crisislink.domains.assistance.arrangements import ARRANGEMENTS
from crisislink.domains.assistance.catalogue import CAPABILITIES, COUNTRIES, capability
from crisislink.domains.assistance.model import HostNationSupport, Point, StagingArea, UnitStatus
from crisislink.domains.assistance.offers import OfferStatus
from crisislink.domains.assistance.requests import RequestStatus
from crisislink.domains.assistance.ucpm_modules import UCPM_MODULES
from crisislink.kernel.errors import Conflict, CrisislinkError, InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Actor
from tests.unit.assistance_world import CHAUDFONTAINE, NOW, World, make_world, rejected


@pytest.fixture
def w() -> World:
    return make_world()


# --- the catalogue --------------------------------------------------------------------------------------


def test_every_national_type_says_what_each_country_calls_it_and_where_that_comes_from() -> None:
    national = [k for k in CAPABILITIES.values() if k.ucpm_module is None]
    assert len(national) >= 12
    for kind in national:
        assert set(kind.terms) == set(COUNTRIES), kind.code
        for term in kind.terms.values():
            assert term.term, kind.code
            assert term.source, kind.code


def test_every_ucpm_module_has_a_stable_code_and_links_back_to_its_national_counterparts() -> None:
    assert {f"ucpm.{m.abbreviation.lower()}" for m in UCPM_MODULES} <= set(CAPABILITIES)
    assert capability("ucpm.hcp").ucpm_module == "HCP"
    assert capability("ucpm.hcp").counterparts == ("pumping.high_capacity",)
    for kind in CAPABILITIES.values():
        for other in kind.counterparts:
            assert kind.code in CAPABILITIES[other].counterparts, (kind.code, other)
    assert capability("ucpm.hcp").verified
    assert not capability("ucpm.frb").verified


def test_an_unknown_capability_code_is_bad_input_that_says_where_to_look() -> None:
    with pytest.raises(InvalidInput, match=r"unknown capability code 'boats'.*/api/capabilities"):
        capability("boats")


def test_the_guide_documents_every_code_and_arrangement() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "assistance.md").read_text(encoding="utf-8")
    for code in (*CAPABILITIES, *ARRANGEMENTS):
        assert f"`{code}`" in guide, code


def test_the_arrangements_of_domain_section_2_5_cover_their_countries() -> None:
    assert ARRANGEMENTS["benelux-ambulance-2009"].covers({"NL", "BE"}, "medical.ambulance")
    assert not ARRANGEMENTS["benelux-ambulance-2009"].covers({"NL", "BE"}, "water.rescue")
    assert ARRANGEMENTS["emric"].covers({"NL", "DE"}, "fire.engine")
    assert not ARRANGEMENTS["emric"].covers({"LU", "BE"}, "fire.engine")
    assert ARRANGEMENTS["ucpm"].covers({"LU", "BE", "NO"}, "ucpm.hcp")


# --- units ----------------------------------------------------------------------------------------------


def test_a_unit_is_registered_unshared_with_its_crew_radio_and_arrangements(w: World) -> None:
    unit_id = w.register(
        w.zl, radio=("c2000", "TETRA-ISI"), crew_languages=("NL", "de"), call_sign=" ZL-WO1 "
    )
    unit = w.unit(unit_id)
    assert (unit.status, unit.status_at, unit.position) == (UnitStatus.AVAILABLE, NOW, None)
    assert (unit.radio, unit.crew_languages, unit.call_sign) == (
        ("C2000", "TETRA-ISI"),
        ("nl", "de"),
        "ZL-WO1",
    )
    assert unit.label.owner_partner_id == w.zl.id
    assert (unit.label.marking, unit.label.audience) == (Tlp.AMBER, frozenset())
    assert [ev.unit_id for ev in w.events(e.UnitRegistered)] == [unit_id]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capability": "boats"}, "unknown capability code"),
        ({"arrangements": ("be-lu-convention",)}, "does not cover a water.rescue unit from NL"),
        ({"arrangements": ("benelux-ambulance-2009",)}, "only medical.ambulance"),
        ({"arrangements": ("benelux-ambulance-2014",)}, "unknown cross-border arrangement"),
        ({"radio": ("walkie-talkie",)}, "unknown radio system"),
        ({"crew_languages": ("xx",)}, "crew languages: unsupported language"),
        ({"name": "  "}, "the unit's name must not be empty"),
        ({"status": UnitStatus.DEPLOYED}, "available or out of service"),
        (
            {"audience": frozenset({Principal.partner(uuid.UUID(int=7))})},
            "the audience names an unknown partner",
        ),
    ],
)
def test_a_bad_unit_is_refused_and_nothing_is_registered(
    w: World, changes: dict[str, object], message: str
) -> None:
    with rejected(w.uow, InvalidInput, message):
        w.register(w.zl, **changes)
    assert w.uow.units.all() == []


def test_only_the_owner_or_a_node_administrator_registers_a_unit(w: World) -> None:
    with rejected(w.uow, PermissionDenied, "only the partner that owns a unit"):
        w.register(w.zl, actor=w.actor(w.liege))
    with rejected(w.uow, PermissionDenied, "duty officer or partner administrator"):
        w.register(w.zl, actor=w.actor(w.zl, "analyst"))
    assert w.register(w.zl, actor=w.actor(w.liege, "node_admin"))


def test_the_owner_sets_status_and_a_position_only_while_deployed(w: World) -> None:
    unit_id = w.register(w.cgdis)
    owner = w.actor(w.cgdis)

    def status(state: UnitStatus, position: Point | None = None) -> None:
        command = c.SetUnitStatus(actor=owner, unit_id=unit_id, status=state, position=position)
        h.set_unit_status(command, w.uow, w.clock.now)

    with rejected(w.uow, InvalidInput, "position is recorded only while a unit is deployed"):
        status(UnitStatus.AVAILABLE, Point(6.0, 49.7))
    with rejected(w.uow, InvalidInput, "give the position of a deployed unit"):
        status(UnitStatus.DEPLOYED)
    status(UnitStatus.DEPLOYED, Point(6.0, 49.7))
    status(UnitStatus.DEPLOYED, Point(6.1, 49.8))  # tracking
    assert w.unit(unit_id).position == Point(6.1, 49.8)
    status(UnitStatus.OUT_OF_SERVICE)
    assert (w.unit(unit_id).status, w.unit(unit_id).position) == (UnitStatus.OUT_OF_SERVICE, None)
    assert [ev.status for ev in w.events(e.UnitStatusChanged)] == ["deployed", "deployed", "out_of_service"]


def test_a_unit_is_relabelled_and_the_old_audience_is_told(w: World) -> None:
    unit_id = w.register(w.zl)
    command = c.UpdateUnit(
        actor=w.actor(w.zl),
        unit_id=unit_id,
        expected_version=1,
        name="WO team Maastricht",
        audience=frozenset({Principal.partner(w.liege.id)}),
    )
    h.update_unit(command, w.uow)
    unit = w.unit(unit_id)
    assert unit.name == "WO team Maastricht"
    assert unit.label.audience == {Principal.partner(w.liege.id)}
    [relabelled] = w.events(e.UnitRelabelled)
    assert relabelled.label.audience == frozenset()
    assert w.events(e.UnitUpdated)[-1].changed == ("name", "label")
    with rejected(w.uow, Conflict, "changed since you read it"):
        h.update_unit(command, w.uow)


# --- requests -------------------------------------------------------------------------------------------


def test_a_request_sent_at_once_is_open_and_shared_with_exactly_its_addressees(w: World) -> None:
    support = HostNationSupport(
        liaison="Capt. Demo, CP-Ops Chaudfontaine", languages=("fr", "en"), logistics="fuel"
    )
    request_id = w.ask(support=support, description="Evacuations along the Vesdre")
    request = w.request(request_id)
    assert request.status is RequestStatus.OPEN
    assert request.label.marking is Tlp.AMBER
    assert request.label.audience == {Principal.partner(w.zl.id), Principal.partner(w.cgdis.id)}
    assert request.respond_by == NOW + timedelta(hours=2)  # needed now: offers awaited two hours
    assert request.support == support
    [sent] = w.events(e.AssistanceRequestSent)
    assert set(sent.notify) == {w.zl.id, w.cgdis.id}


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"quantity": -2}, InvalidInput, "the quantity asked for must be between 1 and"),
        ({"quantity": 0}, InvalidInput, "between 1 and"),
        (
            {"ends_at": NOW - timedelta(hours=1)},
            InvalidInput,
            r"must end \(until .*\) after it starts \(from",
        ),
        ({"capability": "ucpm.boats"}, InvalidInput, "unknown capability code"),
        ({"respond_by": NOW + timedelta(days=9)}, InvalidInput, "must not be after the request ends"),
        ({"starts_at": NOW.replace(tzinfo=None)}, InvalidInput, "needs a time zone"),
        (
            {"starts_at": NOW - timedelta(days=3), "ends_at": NOW - timedelta(days=1)},
            InvalidInput,
            "already be over",
        ),
        ({"staging": StagingArea(" ", CHAUDFONTAINE.point)}, InvalidInput, "staging area's name"),
        ({"support": HostNationSupport(languages=("klingon",))}, InvalidInput, "host-nation languages"),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_recorded(
    w: World, changes: dict[str, Any], error: type[CrisislinkError], message: str
) -> None:
    with rejected(w.uow, error, message):
        w.ask(**changes)
    assert w.uow.assistance_requests.all() == []


def test_a_draft_is_sent_later_and_to_more_partners_but_never_to_itself_or_twice(w: World) -> None:
    request_id = w.ask(addressees=frozenset())
    draft = w.request(request_id)
    assert (draft.status, draft.label.audience) == (RequestStatus.DRAFT, frozenset())
    liege = w.actor(w.liege)

    def send(*partners: uuid.UUID) -> None:
        command = c.SendAssistanceRequest(actor=liege, request_id=request_id, addressees=frozenset(partners))
        rh.send_request(command, w.uow, w.clock.now)

    with rejected(w.uow, InvalidInput, "to itself"):
        send(w.liege.id, w.zl.id)
    send(w.zl.id)
    send(w.zl.id, w.cgdis.id)
    assert [ev.notify for ev in w.events(e.AssistanceRequestSent)] == [(w.zl.id,), (w.cgdis.id,)]
    with rejected(w.uow, Conflict, "sent to all of these partners already"):
        send(w.zl.id)
    with rejected(w.uow, PermissionDenied, "only the requesting partner"):
        rh.send_request(
            c.SendAssistanceRequest(
                actor=w.actor(w.zl), request_id=request_id, addressees=frozenset({w.nccn.id})
            ),
            w.uow,
            w.clock.now,
        )
    with rejected(w.uow, NotFound, "no assistance request"):
        rh.send_request(
            c.SendAssistanceRequest(
                actor=w.actor(w.nccn), request_id=request_id, addressees=frozenset({w.zl.id})
            ),
            w.uow,
            w.clock.now,
        )
    w.later(hours=3)
    with rejected(w.uow, InvalidInput, "deadline for offers .* has passed"):
        send(w.nccn.id)


# --- offers ---------------------------------------------------------------------------------------------


def test_the_whole_flow_from_request_to_closed_with_partial_acceptance(w: World) -> None:
    request_id = w.ask(quantity=2)
    zl_units = (w.register(w.zl), w.register(w.zl))
    lu_unit = w.register(w.cgdis)
    zl_offer = w.make_offer(w.zl, request_id, unit_ids=zl_units, conditions="back home within 72 h")
    lu_offer = w.make_offer(w.cgdis, request_id, unit_ids=(lu_unit,))
    assert w.offer(zl_offer).label.audience == {Principal.partner(w.liege.id)}
    assert [ev.notify for ev in w.events(e.OfferMade)] == [(w.liege.id,), (w.liege.id,)]

    w.accept(zl_offer, quantity=1)  # one of the two Dutch teams
    offer = w.offer(zl_offer)
    assert (offer.status, offer.accepted, offer.accepted_units) == (OfferStatus.ACCEPTED, 1, zl_units[:1])
    assert w.unit(zl_units[0]).status is UnitStatus.COMMITTED
    assert w.unit(zl_units[1]).status is UnitStatus.AVAILABLE
    # The requester now sees the Dutch team it receives; the team left at home stays unshared.
    assert Principal.partner(w.liege.id) in w.unit(zl_units[0]).label.audience
    assert w.unit(zl_units[1]).label.audience == frozenset()
    assert w.request(request_id).status is RequestStatus.PARTIALLY_COVERED

    w.accept(lu_offer)
    assert (w.request(request_id).status, w.request(request_id).accepted) == (RequestStatus.COVERED, 2)
    coverage = [(ev.previous, ev.status) for ev in w.events(e.AssistanceRequestStatusChanged)]
    assert coverage == [("open", "partially_covered"), ("partially_covered", "covered")]

    for offer_id, partner in ((zl_offer, w.zl), (lu_offer, w.cgdis)):
        oh.mobilise_offer(c.MobiliseOffer(actor=w.actor(partner), offer_id=offer_id), w.uow, w.clock.now)
    w.later(hours=2)
    oh.deploy_offer(c.DeployOffer(actor=w.actor(w.zl), offer_id=zl_offer), w.uow, w.clock.now)
    there = Point(5.70, 50.60)
    oh.deploy_offer(
        c.DeployOffer(actor=w.actor(w.cgdis), offer_id=lu_offer, position=there), w.uow, w.clock.now
    )
    assert w.unit(zl_units[0]).position == CHAUDFONTAINE.point
    assert (w.unit(lu_unit).status, w.unit(lu_unit).position) == (UnitStatus.DEPLOYED, there)

    with rejected(w.uow, Conflict, r"2 accepted offer\(s\) are still deployed"):
        rh.close_request(
            c.CloseAssistanceRequest(actor=w.actor(w.liege), request_id=request_id), w.uow, w.clock.now
        )
    oh.demobilise_offer(c.DemobiliseOffer(actor=w.actor(w.liege), offer_id=zl_offer), w.uow, w.clock.now)
    oh.demobilise_offer(c.DemobiliseOffer(actor=w.actor(w.cgdis), offer_id=lu_offer), w.uow, w.clock.now)
    for unit_id in (*zl_units, lu_unit):
        assert (w.unit(unit_id).status, w.unit(unit_id).offer_id, w.unit(unit_id).position) == (
            UnitStatus.AVAILABLE,
            None,
            None,
        )
    rh.close_request(
        c.CloseAssistanceRequest(actor=w.actor(w.liege), request_id=request_id), w.uow, w.clock.now
    )
    assert w.request(request_id).status is RequestStatus.CLOSED
    offer_steps = [(ev.offer_id, ev.status, ev.notify) for ev in w.events(e.OfferStatusChanged)]
    assert offer_steps == [
        (zl_offer, "accepted", (w.zl.id,)),
        (lu_offer, "accepted", (w.cgdis.id,)),
        (zl_offer, "mobilising", (w.liege.id,)),
        (lu_offer, "mobilising", (w.liege.id,)),
        (zl_offer, "deployed", (w.liege.id,)),
        (lu_offer, "deployed", (w.liege.id,)),
        (zl_offer, "demobilised", (w.zl.id,)),  # the host released it: the owner is told
        (lu_offer, "demobilised", (w.liege.id,)),  # the owner recalled it: the host is told
    ]


def test_partial_acceptance_is_bounded_by_the_offer_and_by_what_is_still_needed(w: World) -> None:
    request_id = w.ask(quantity=3, capability="hospital.beds")
    offer_id = w.make_offer(w.zl, request_id, quantity=5)
    with rejected(w.uow, InvalidInput, r"needs 3 more \(0 of 3 accepted already\); accept at most 3"):
        w.accept(offer_id)
    with rejected(w.uow, InvalidInput, "between 1 and"):
        w.accept(offer_id, quantity=-1)
    w.accept(offer_id, quantity=2)
    other = w.make_offer(w.cgdis, request_id, quantity=4)
    with rejected(w.uow, InvalidInput, "accept at most 1"):
        w.accept(other, quantity=2)
    w.accept(other, quantity=1)
    assert w.request(request_id).status is RequestStatus.COVERED
    with rejected(w.uow, Conflict, "the request is covered; what can happen next: close, cancel; not offer"):
        w.make_offer(w.zl, request_id, quantity=1)


def test_chosen_units_are_accepted_and_others_are_refused(w: World) -> None:
    request_id = w.ask(quantity=3)
    units = (w.register(w.zl), w.register(w.zl))
    offer_id = w.make_offer(w.zl, request_id, unit_ids=units)
    stranger = w.register(w.zl)
    with rejected(w.uow, InvalidInput, "accept only units of this offer"):
        w.accept(offer_id, unit_ids=(stranger,))
    with rejected(w.uow, InvalidInput, "quantity accepted must be the number of units chosen"):
        w.accept(offer_id, unit_ids=(units[1],), quantity=2)
    w.accept(offer_id, unit_ids=(units[1],))
    assert [w.unit(u).status for u in units] == [UnitStatus.AVAILABLE, UnitStatus.COMMITTED]


def test_an_offer_of_units_is_checked_unit_by_unit(w: World) -> None:
    request_id = w.ask(quantity=3)
    pumps = w.register(w.zl, capability="pumping.high_capacity")
    strict = w.register(w.zl, marking=Tlp.AMBER_STRICT)
    lonely = w.register(w.zl, arrangements=())
    theirs = w.register(w.cgdis)
    busy = w.register(w.zl, status=UnitStatus.OUT_OF_SERVICE)
    cases: list[tuple[tuple[uuid.UUID, ...], type[CrisislinkError], str]] = [
        ((pumps,), InvalidInput, "is pumping.high_capacity; this request asks for water.rescue"),
        ((strict,), InvalidInput, "marked AMBER\\+STRICT"),
        ((lonely,), InvalidInput, "no cross-border arrangement for a water.rescue from NL to work in BE"),
        ((theirs,), InvalidInput, "your partner has no unit with id"),
        ((busy,), Conflict, "is out_of_service; only available units can be offered"),
    ]
    for unit_ids, error, message in cases:
        with rejected(w.uow, error, message):
            w.make_offer(w.zl, request_id, unit_ids=unit_ids)
    fine = w.register(w.zl)
    with rejected(w.uow, InvalidInput, "leave out the quantity"):
        w.make_offer(w.zl, request_id, unit_ids=(fine,), quantity=3)
    with rejected(w.uow, InvalidInput, "only after the request ends"):
        w.make_offer(w.zl, request_id, quantity=1, available_from=NOW + timedelta(days=5))
    assert w.uow.assistance_offers.all() == []


def test_a_unit_at_home_needs_no_arrangement(w: World) -> None:
    request_id = w.ask(addressees=frozenset({w.nccn.id}))
    unit_id = w.register(w.nccn, arrangements=())
    w.accept(w.make_offer(w.nccn, request_id, unit_ids=(unit_id,)))
    assert w.unit(unit_id).status is UnitStatus.COMMITTED


def test_the_same_unit_cannot_be_committed_to_two_requests(w: World) -> None:
    unit_id = w.register(w.zl)
    first, second = w.ask(), w.ask()
    offers = [w.make_offer(w.zl, r, unit_ids=(unit_id,)) for r in (first, second)]
    w.accept(offers[0])
    with rejected(w.uow, Conflict, "is committed, no longer available"):
        w.accept(offers[1])
    assert w.offer(offers[1]).status is OfferStatus.OFFERED


def test_only_the_parties_act_on_an_offer_and_a_third_partner_cannot_see_it(w: World) -> None:
    request_id = w.ask()
    offer_id = w.make_offer(w.zl, request_id, quantity=1)
    with rejected(w.uow, PermissionDenied, "only the requesting partner can accept"):
        oh.accept_offer(c.AcceptOffer(actor=w.actor(w.zl), offer_id=offer_id), w.uow, w.clock.now)
    with rejected(w.uow, PermissionDenied, "only the offering partner can withdraw"):
        oh.withdraw_offer(c.WithdrawOffer(actor=w.actor(w.liege), offer_id=offer_id), w.uow, w.clock.now)
    for outsider in (w.nccn, w.cgdis):  # cgdis was asked too, but this is not its offer
        with rejected(w.uow, NotFound, "no assistance offer"):
            oh.accept_offer(c.AcceptOffer(actor=w.actor(outsider), offer_id=offer_id), w.uow, w.clock.now)
    with rejected(w.uow, NotFound, "no assistance request"):
        w.make_offer(w.nccn, request_id, quantity=1)
    with rejected(w.uow, InvalidInput, "to its own request"):
        w.make_offer(w.liege, request_id, quantity=1)
    system = Actor(user_id=None, partner_id=None, roles=frozenset({"system"}))
    with rejected(w.uow, PermissionDenied, "done by a person of a partner"):
        w.make_offer(w.zl, request_id, quantity=1, actor=system)


def test_withdrawing_an_accepted_offer_frees_its_units_and_lowers_the_coverage(w: World) -> None:
    request_id = w.ask(quantity=1)
    unit_id = w.register(w.zl)
    offer_id = w.make_offer(w.zl, request_id, unit_ids=(unit_id,))
    w.accept(offer_id)
    oh.mobilise_offer(c.MobiliseOffer(actor=w.actor(w.zl), offer_id=offer_id), w.uow, w.clock.now)
    command = c.WithdrawOffer(actor=w.actor(w.zl), offer_id=offer_id, reason="needed at home: Geul flooding")
    oh.withdraw_offer(command, w.uow, w.clock.now)
    assert (w.offer(offer_id).status, w.offer(offer_id).reason) == (OfferStatus.WITHDRAWN, command.reason)
    assert (w.unit(unit_id).status, w.unit(unit_id).offer_id) == (UnitStatus.AVAILABLE, None)
    assert (w.request(request_id).status, w.request(request_id).accepted) == (RequestStatus.OPEN, 0)
    assert w.events(e.OfferStatusChanged)[-1].notify == (w.liege.id,)


def test_a_request_expires_when_nothing_was_accepted_by_its_deadline(w: World) -> None:
    deadline = NOW + timedelta(hours=1)
    lapsing = w.ask(respond_by=deadline)
    covered = w.ask(respond_by=deadline, quantity=1)
    later = w.ask(respond_by=NOW + timedelta(hours=5))
    offer_id = w.make_offer(w.zl, lapsing, quantity=1)
    w.accept(w.make_offer(w.cgdis, covered, quantity=1))

    def expire() -> int:
        return rh.expire_requests(c.ExpireAssistanceRequests(actor=w.actor(w.liege)), w.uow, w.clock.now)

    assert expire() == 0  # not yet
    w.later(hours=1)
    assert expire() == 1
    assert w.request(lapsing).status is RequestStatus.EXPIRED
    assert (w.offer(offer_id).status, w.offer(offer_id).reason) == (OfferStatus.LAPSED, "the request expired")
    assert w.request(covered).status is RequestStatus.COVERED
    assert w.request(later).status is RequestStatus.OPEN
    [expired] = [ev for ev in w.events(e.AssistanceRequestStatusChanged) if ev.status == "expired"]
    assert set(expired.notify) == {w.zl.id, w.cgdis.id}
    assert "no offer was accepted by" in expired.reason
    assert expire() == 0


def test_cancelling_stands_accepted_teams_down_but_not_deployed_ones(w: World) -> None:
    request_id = w.ask(quantity=3)
    accepted = w.make_offer(w.zl, request_id, unit_ids=(w.register(w.zl),))
    pending = w.make_offer(w.cgdis, request_id, quantity=1)
    w.accept(accepted)
    deployed = w.make_offer(w.cgdis, request_id, quantity=1)
    w.accept(deployed)
    lu = w.actor(w.cgdis)
    oh.mobilise_offer(c.MobiliseOffer(actor=lu, offer_id=deployed), w.uow, w.clock.now)
    oh.deploy_offer(c.DeployOffer(actor=lu, offer_id=deployed), w.uow, w.clock.now)
    cancel = c.CancelAssistanceRequest(actor=w.actor(w.liege), request_id=request_id, reason="water receding")
    with rejected(w.uow, Conflict, r"1 offer\(s\) are deployed; demobilise them"):
        rh.cancel_request(cancel, w.uow, w.clock.now)
    oh.demobilise_offer(c.DemobiliseOffer(actor=lu, offer_id=deployed), w.uow, w.clock.now)
    rh.cancel_request(cancel, w.uow, w.clock.now)
    assert w.request(request_id).status is RequestStatus.CANCELLED
    assert w.offer(accepted).status is OfferStatus.DEMOBILISED
    assert w.offer(pending).status is OfferStatus.LAPSED
    assert all(u.status is UnitStatus.AVAILABLE for u in w.uow.units.all())


def test_a_unit_held_by_an_offer_follows_it_and_not_its_owner(w: World) -> None:
    request_id = w.ask()
    unit_id = w.register(w.zl)
    w.accept(w.make_offer(w.zl, request_id, unit_ids=(unit_id,)))
    command = c.SetUnitStatus(actor=w.actor(w.zl), unit_id=unit_id, status=UnitStatus.AVAILABLE)
    with rejected(w.uow, Conflict, "its status follows that offer"):
        h.set_unit_status(command, w.uow, w.clock.now)
