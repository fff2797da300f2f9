"""Command handlers of requests for assistance: create, send to partners, close, cancel, expire."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance import events as e
from crisislink.domains.assistance.catalogue import capability
from crisislink.domains.assistance.handlers import Now, languages
from crisislink.domains.assistance.labels import request_label
from crisislink.domains.assistance.model import (
    MAX_NAME,
    HostNationSupport,
    StagingArea,
    aware,
    quantity,
    text,
)
from crisislink.domains.assistance.offers import ACTIVE, Offer, OfferStatus
from crisislink.domains.assistance.permissions import acting_partner, require_home, require_writer
from crisislink.domains.assistance.ports import AssistanceUnitOfWork
from crisislink.domains.assistance.release import release_units
from crisislink.domains.assistance.requests import AssistanceRequest, RequestStatus
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Command


def _support(support: HostNationSupport) -> HostNationSupport:
    return HostNationSupport(
        liaison=text(support.liaison, "the liaison", 1_000, required=False),
        languages=languages(support.languages, "host-nation languages"),
        logistics=text(support.logistics, "the logistics offered", required=False),
    )


# Help needed now waits this long for offers by default (help needed later waits until it is needed).
DEFAULT_RESPONSE = timedelta(hours=2)


def _window(cmd: c.CreateAssistanceRequest, moment: datetime) -> tuple[datetime, datetime, datetime]:
    starts, ends = aware(cmd.starts_at, "the start (from)"), aware(cmd.ends_at, "the end (until)")
    if cmd.respond_by is not None:
        respond_by = aware(cmd.respond_by, "the deadline for offers")
    else:
        respond_by = starts if starts > moment else min(moment + DEFAULT_RESPONSE, ends)
    if ends <= starts:
        raise InvalidInput(
            f"the request must end (until {ends.isoformat()}) after it starts (from {starts.isoformat()})"
        )
    if ends <= moment:
        raise InvalidInput("the request would already be over; ask for help until a time still to come")
    return starts, ends, respond_by


def create_request(cmd: c.CreateAssistanceRequest, uow: AssistanceUnitOfWork, now: Now) -> uuid.UUID:
    requester = acting_partner(cmd.actor)
    kind = capability(cmd.capability)
    moment = now()
    starts, ends, respond_by = _window(cmd, moment)
    request = AssistanceRequest(
        id=new_id(),
        label=request_label(requester, uow.node_id, ()),
        capability=kind.code,
        quantity=quantity(cmd.quantity, "the quantity asked for"),
        staging=StagingArea(text(cmd.staging.name, "the staging area's name", MAX_NAME), cmd.staging.point),
        starts_at=starts,
        ends_at=ends,
        respond_by=respond_by,
        support=_support(cmd.support),
        description=text(cmd.description, "the description", required=False),
        incident_id=cmd.incident_id,
        created_at=moment,
        created_by=cmd.actor.user_id,
        updated_at=moment,
    )
    request.record(
        e.AssistanceRequested(
            label=request.label,
            request_id=request.id,
            capability=request.capability,
            quantity=request.quantity,
            incident_id=request.incident_id,
        )
    )
    if cmd.addressees:
        _send(request, cmd.addressees, uow, moment)
    uow.assistance_requests.add(request)
    uow.commit()
    return request.id


def _send(
    request: AssistanceRequest, addressees: frozenset[uuid.UUID], uow: AssistanceUnitOfWork, moment: datetime
) -> None:
    request.require("send")
    if request.requester in addressees:
        raise InvalidInput("a partner does not send a request for assistance to itself")
    for partner in addressees:
        if uow.directory.partner(partner) is None:
            raise InvalidInput(f"no partner with id {partner} to send the request to")
    new = addressees - request.addressees
    if not new:
        raise Conflict("the request was sent to all of these partners already")
    if request.respond_by <= moment:
        raise InvalidInput(
            f"the deadline for offers ({request.respond_by.isoformat()}) has passed; "
            "cancel this request and ask again with a later one"
        )
    request.addressees = request.addressees | new
    request.label = request_label(request.requester, request.label.home_node_id, request.addressees)
    if request.status is RequestStatus.DRAFT:
        request.status = RequestStatus.OPEN
    request.updated_at = moment
    request.record(
        e.AssistanceRequestSent(
            label=request.label,
            request_id=request.id,
            capability=request.capability,
            quantity=request.quantity,
            respond_by=request.respond_by,
            notify=tuple(sorted(new)),
        )
    )


def own_request(cmd: Command, request_id: uuid.UUID, uow: AssistanceUnitOfWork) -> AssistanceRequest:
    """A request the actor's partner made. Others it was sent to are refused; anyone else cannot see it."""
    partner = acting_partner(cmd.actor)
    request = uow.assistance_requests.get(request_id)
    if partner != request.requester:
        if partner not in request.addressees:
            raise NotFound(f"no assistance request with id {request_id}")
        raise PermissionDenied("only the requesting partner can change its request")
    require_home(request, uow.node_id, "request")
    return request


def send_request(cmd: c.SendAssistanceRequest, uow: AssistanceUnitOfWork, now: Now) -> None:
    request = own_request(cmd, cmd.request_id, uow)
    if not cmd.addressees:
        raise InvalidInput("name at least one partner to send the request to")
    _send(request, cmd.addressees, uow, now())
    uow.commit()


def request_changed(
    request: AssistanceRequest, previous: RequestStatus, reason: str = ""
) -> e.AssistanceRequestStatusChanged:
    return e.AssistanceRequestStatusChanged(
        label=request.label,
        request_id=request.id,
        status=request.status.value,
        previous=previous.value,
        accepted=request.accepted,
        reason=reason,
        notify=tuple(sorted(request.addressees)),
    )


def lapse(offers: Iterable[Offer], moment: datetime, reason: str) -> None:
    """Offers nobody decided on end with their request."""
    for offer in offers:
        if offer.status is OfferStatus.OFFERED:
            previous = offer.move("lapse", moment, reason)
            offer.record(offer_changed(offer, previous, offer.offerer))
            # the offerer is told; the requester ended the request itself


def offer_changed(offer: Offer, previous: OfferStatus, notify: uuid.UUID) -> e.OfferStatusChanged:
    return e.OfferStatusChanged(
        label=offer.label,
        offer_id=offer.id,
        request_id=offer.request_id,
        status=offer.status.value,
        previous=previous.value,
        accepted=offer.accepted,
        reason=offer.reason,
        notify=(notify,),
    )


def close_request(cmd: c.CloseAssistanceRequest, uow: AssistanceUnitOfWork, now: Now) -> None:
    request = own_request(cmd, cmd.request_id, uow)
    request.require("close")
    offers = uow.assistance_offers.for_request(request.id)
    busy = [o for o in offers if o.status in ACTIVE]
    if busy:
        raise Conflict(
            f"{len(busy)} accepted offer(s) are still {', '.join(sorted({o.status.value for o in busy}))}; "
            "demobilise them before closing the request"
        )
    moment, reason = now(), text(cmd.reason, "the reason", required=False)
    lapse(offers, moment, reason or "the request was closed")
    previous = request.end(RequestStatus.CLOSED, moment)
    request.record(request_changed(request, previous, reason))
    uow.commit()


def cancel_request(cmd: c.CancelAssistanceRequest, uow: AssistanceUnitOfWork, now: Now) -> None:
    """Call the request off: accepted teams are stood down; deployed ones must be demobilised first."""
    request = own_request(cmd, cmd.request_id, uow)
    request.require("cancel")
    offers = uow.assistance_offers.for_request(request.id)
    deployed = [o for o in offers if o.status is OfferStatus.DEPLOYED]
    if deployed:
        raise Conflict(
            f"{len(deployed)} offer(s) are deployed; demobilise them before cancelling the request"
        )
    moment = now()
    reason = text(cmd.reason, "the reason", required=False) or "the request was cancelled"
    for offer in offers:
        if offer.status in ACTIVE:
            previous = offer.move("demobilise", moment, reason)
            release_units(offer, uow, moment)
            offer.record(offer_changed(offer, previous, offer.offerer))
    lapse(offers, moment, reason)
    previous_status = request.end(RequestStatus.CANCELLED, moment)
    request.record(request_changed(request, previous_status, reason))
    uow.commit()


def expire_requests(cmd: c.ExpireAssistanceRequests, uow: AssistanceUnitOfWork, now: Now) -> int:
    require_writer(cmd.actor)
    moment, expired = now(), 0
    for request in uow.assistance_requests.due_for_expiry(moment):
        if request.status is not RequestStatus.OPEN:
            continue
        reason = f"no offer was accepted by {request.respond_by.isoformat()}"
        lapse(uow.assistance_offers.for_request(request.id), moment, "the request expired")
        previous = request.end(RequestStatus.EXPIRED, moment)
        request.record(request_changed(request, previous, reason))
        expired += 1
    if expired:
        uow.commit()
    return expired
