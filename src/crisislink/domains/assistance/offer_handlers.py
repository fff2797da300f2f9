"""Command handlers of offers: make, accept (all or part), decline, withdraw, mobilise, deploy, demobilise.

The requester accepts, declines and may stand an offer down; the offerer withdraws, mobilises and reports
its units deployed; either side demobilises. Units follow their offer: committed on acceptance, deployed
with it, available again when it ends.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance import events as e
from crisislink.domains.assistance.arrangements import crossing_arrangement
from crisislink.domains.assistance.handlers import Now, unit_status_changed
from crisislink.domains.assistance.labels import SHAREABLE, offer_label, shared_with
from crisislink.domains.assistance.model import Unit, UnitStatus, aware, quantity, text
from crisislink.domains.assistance.offers import ACTIVE, Offer, OfferedUnit
from crisislink.domains.assistance.permissions import acting_partner, require_home
from crisislink.domains.assistance.ports import AssistanceUnitOfWork
from crisislink.domains.assistance.release import release_units
from crisislink.domains.assistance.request_handlers import offer_changed, request_changed
from crisislink.domains.assistance.requests import AssistanceRequest
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Command


def _country(uow: AssistanceUnitOfWork, partner_id: uuid.UUID) -> str:
    partner = uow.directory.partner(partner_id)
    assert partner is not None, "parties of a request are known partners"
    return partner.country


def _offered_unit(uow: AssistanceUnitOfWork, unit_id: uuid.UUID, offerer: uuid.UUID) -> Unit:
    unit: Unit | None
    try:
        unit = uow.units.get(unit_id)
    except NotFound:
        unit = None
    if unit is None or unit.label.owner_partner_id != offerer:
        raise InvalidInput(f"your partner has no unit with id {unit_id}")
    return unit


def _check_unit(unit: Unit, request: AssistanceRequest, home: str, host: str) -> None:
    if unit.capability != request.capability:
        raise InvalidInput(
            f"unit {unit.name!r} is {unit.capability}; this request asks for {request.capability}"
        )
    if unit.status is not UnitStatus.AVAILABLE:
        raise Conflict(f"unit {unit.name!r} is {unit.status.value}; only available units can be offered")
    if unit.label.marking not in SHAREABLE:
        raise InvalidInput(
            f"unit {unit.name!r} is marked {unit.label.marking.value}, which keeps it in your organisation; "
            "mark it AMBER (or wider) to offer it: the requester sees the units it accepts"
        )
    if home != host and crossing_arrangement(unit.arrangements, home, host, unit.capability) is None:
        raise InvalidInput(
            f"unit {unit.name!r} has no cross-border arrangement for a {unit.capability} from {home} "
            f"to work in {host}; add one to the unit (GET /api/capabilities lists them)"
        )


def _offered_units(
    cmd: c.MakeOffer, request: AssistanceRequest, offerer: uuid.UUID, uow: AssistanceUnitOfWork
) -> tuple[OfferedUnit, ...]:
    if len(set(cmd.unit_ids)) != len(cmd.unit_ids):
        raise InvalidInput("a unit is named twice in the offer")
    home, host = _country(uow, offerer), _country(uow, request.requester)
    offered = []
    for unit_id in cmd.unit_ids:
        unit = _offered_unit(uow, unit_id, offerer)
        _check_unit(unit, request, home, host)
        offered.append(OfferedUnit(unit.id, unit.name, unit.call_sign))
    return tuple(offered)


def make_offer(cmd: c.MakeOffer, uow: AssistanceUnitOfWork, now: Now) -> uuid.UUID:
    offerer = acting_partner(cmd.actor)
    request = uow.assistance_requests.get(cmd.request_id)
    if offerer == request.requester:
        raise InvalidInput("a partner does not offer assistance to its own request")
    if offerer not in request.addressees:
        raise NotFound(f"no assistance request with id {cmd.request_id}")
    request.require("offer")
    available_from = aware(cmd.available_from, "available_from")
    if available_from >= request.ends_at:
        raise InvalidInput("the offer is available only after the request ends")
    units = _offered_units(cmd, request, offerer, uow)
    if units and cmd.quantity not in (None, len(units)):
        raise InvalidInput("an offer of named units offers each of them: leave out the quantity")
    amount = len(units) if units else quantity(cmd.quantity or 0, "the quantity offered")
    moment = now()
    offer = Offer(
        id=new_id(),
        label=offer_label(offerer, uow.node_id, request.requester),
        request_id=request.id,
        requester_id=request.requester,
        units=units,
        quantity=amount,
        available_from=available_from,
        conditions=text(cmd.conditions, "the conditions", required=False),
        offered_at=moment,
        offered_by=cmd.actor.user_id,
        updated_at=moment,
    )
    offer.record(
        e.OfferMade(
            label=offer.label,
            offer_id=offer.id,
            request_id=request.id,
            quantity=amount,
            available_from=available_from,
            notify=(request.requester,),
        )
    )
    uow.assistance_offers.add(offer)
    uow.commit()
    return offer.id


def _party_offer(
    cmd: Command, offer_id: uuid.UUID, uow: AssistanceUnitOfWork
) -> tuple[Offer, AssistanceRequest, uuid.UUID]:
    """An offer the actor's partner made or received; to anyone else it does not exist."""
    partner = acting_partner(cmd.actor)
    offer = uow.assistance_offers.get(offer_id)
    if partner not in {offer.offerer, offer.requester_id}:
        raise NotFound(f"no assistance offer with id {offer_id}")
    require_home(offer, uow.node_id, "offer")
    return offer, uow.assistance_requests.get(offer.request_id), partner


def _only(partner: uuid.UUID, party: uuid.UUID, who: str, verb: str) -> None:
    if partner != party:
        raise PermissionDenied(f"only the {who} can {verb} an offer")


def _recount(request: AssistanceRequest, uow: AssistanceUnitOfWork, moment: datetime) -> None:
    """Coverage follows what is accepted; a change of state is an event the partners asked are told."""
    accepted = sum(o.counted for o in uow.assistance_offers.for_request(request.id))
    previous = request.recount(accepted, moment)
    if request.status is not previous:
        request.record(request_changed(request, previous))


def _chosen(cmd: c.AcceptOffer, offer: Offer) -> tuple[int, tuple[uuid.UUID, ...]]:
    """How much of the offer is accepted, and which units."""
    if not offer.units:
        if cmd.unit_ids:
            raise InvalidInput("this offer names no units: accept a quantity")
        amount = offer.quantity if cmd.quantity is None else quantity(cmd.quantity, "the quantity accepted")
        if amount > offer.quantity:
            raise InvalidInput(f"the offer is for {offer.quantity}; accept at most that")
        return amount, ()
    offered = [u.unit_id for u in offer.units]
    if cmd.unit_ids:
        if len(set(cmd.unit_ids)) != len(cmd.unit_ids) or not set(cmd.unit_ids) <= set(offered):
            raise InvalidInput("accept only units of this offer, each once")
        if cmd.quantity not in (None, len(cmd.unit_ids)):
            raise InvalidInput("the quantity accepted must be the number of units chosen")
        return len(cmd.unit_ids), tuple(cmd.unit_ids)
    amount = len(offered) if cmd.quantity is None else quantity(cmd.quantity, "the quantity accepted")
    if amount > len(offered):
        raise InvalidInput(f"the offer is for {len(offered)} unit(s); accept at most that")
    return amount, tuple(offered[:amount])


def accept_offer(cmd: c.AcceptOffer, uow: AssistanceUnitOfWork, now: Now) -> None:
    offer, request, partner = _party_offer(cmd, cmd.offer_id, uow)
    _only(partner, request.requester, "requesting partner", "accept")
    offer.require("accept")  # the offer's own state first: it is what the requester is looking at
    request.require("accept")
    amount, units = _chosen(cmd, offer)
    if amount > request.remaining:
        raise InvalidInput(
            f"the request needs {request.remaining} more ({request.accepted} of {request.quantity} accepted "
            f"already); accept at most {request.remaining}"
        )
    moment = now()
    previous = offer.move("accept", moment)
    offer.accepted, offer.accepted_units = amount, units
    for unit_id in units:
        unit = uow.units.get(unit_id)
        before = unit.status
        unit.commit_to(offer.id, moment)
        unit.label = shared_with(unit.label, request.requester)
        unit.record(unit_status_changed(unit, before))
    offer.record(offer_changed(offer, previous, offer.offerer))
    _recount(request, uow, moment)
    uow.commit()


def decline_offer(cmd: c.DeclineOffer, uow: AssistanceUnitOfWork, now: Now) -> None:
    offer, request, partner = _party_offer(cmd, cmd.offer_id, uow)
    _only(partner, request.requester, "requesting partner", "decline")
    previous = offer.move("decline", now(), text(cmd.reason, "the reason", required=False))
    offer.record(offer_changed(offer, previous, offer.offerer))
    uow.commit()


def withdraw_offer(cmd: c.WithdrawOffer, uow: AssistanceUnitOfWork, now: Now) -> None:
    offer, request, partner = _party_offer(cmd, cmd.offer_id, uow)
    _only(partner, offer.offerer, "offering partner", "withdraw")
    moment = now()
    previous = offer.move("withdraw", moment, text(cmd.reason, "the reason", required=False))
    offer.record(offer_changed(offer, previous, request.requester))
    if previous in ACTIVE:
        release_units(offer, uow, moment)
        _recount(request, uow, moment)
    uow.commit()


def mobilise_offer(cmd: c.MobiliseOffer, uow: AssistanceUnitOfWork, now: Now) -> None:
    offer, request, partner = _party_offer(cmd, cmd.offer_id, uow)
    _only(partner, offer.offerer, "offering partner", "mobilise")
    previous = offer.move("mobilise", now())
    offer.record(offer_changed(offer, previous, request.requester))
    uow.commit()


def deploy_offer(cmd: c.DeployOffer, uow: AssistanceUnitOfWork, now: Now) -> None:
    offer, request, partner = _party_offer(cmd, cmd.offer_id, uow)
    _only(partner, offer.offerer, "offering partner", "deploy")
    moment = now()
    previous = offer.move("deploy", moment)
    where = cmd.position or request.staging.point
    for unit_id in offer.accepted_units:
        unit = uow.units.get(unit_id)
        before = unit.status
        unit.deploy_at(where, moment)
        unit.record(unit_status_changed(unit, before))
    offer.record(offer_changed(offer, previous, request.requester))
    uow.commit()


def demobilise_offer(cmd: c.DemobiliseOffer, uow: AssistanceUnitOfWork, now: Now) -> None:
    """The host releases the team, or its owner recalls it: its units go home and are available again."""
    offer, request, partner = _party_offer(cmd, cmd.offer_id, uow)
    moment = now()
    previous = offer.move("demobilise", moment, text(cmd.reason, "the reason", required=False))
    release_units(offer, uow, moment)
    other = request.requester if partner == offer.offerer else offer.offerer
    offer.record(offer_changed(offer, previous, other))
    uow.commit()
