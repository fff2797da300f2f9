"""What one request's page shows: the request and its coverage, the offers with the steps the viewer may
take, the nearest available units of the type by travel time, and the EDXL-RM message of every step.

The steps offered come from the domain's own state tables (REQUEST_STEPS, OFFER_STEPS) and its rule of who
takes which step (the requester accepts, declines; the offerer withdraws, mobilises, deploys; either side
demobilises); the domain still decides when the form is sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from crisislink.adapters.db.queries import assistance as q
from crisislink.adapters.db.queries import incidents as iq
from crisislink.adapters.db.queries.assistance_views import OfferView, RequestView, UnitView
from crisislink.adapters.db.queries.incident_views import IncidentView
from crisislink.app import assistance_edxl as exchange
from crisislink.app.bootstrap import Platform
from crisislink.app.nearest import NearestUnits, nearest_units
from crisislink.domains.assistance.model import Point
from crisislink.domains.assistance.offers import OFFER_STEPS, OfferStatus
from crisislink.domains.assistance.requests import REQUEST_STEPS, RequestStatus
from crisislink.entrypoints.web.ui.assistance_context import (
    may_act,
    measure_of,
    own_partner_id,
    partner_names,
    terms_of,
)
from crisislink.entrypoints.web.ui.assistance_labels import assistance_labels
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.form_values import local_input, zone_label
from crisislink.kernel.errors import NotFound

NEAREST = 5
LIVE = frozenset({"draft", "open", "partially_covered", "covered"})
REQUESTER_STEPS = frozenset({"accept", "decline", "demobilise"})
OFFERER_STEPS = frozenset({"withdraw", "mobilise", "deploy", "demobilise"})


@dataclass(frozen=True)
class Can:
    """The request's forms a viewer is offered (a dataclass: in a template a dict's `.update` is a method)."""

    send: bool
    offer: bool
    close: bool
    cancel: bool


def request_actions(request: RequestView, partner: uuid.UUID | None, writer: bool) -> Can:
    steps = REQUEST_STEPS[RequestStatus(request.status)]
    requester = writer and partner == request.owner_partner_id
    return Can(
        send=requester and "send" in steps,
        offer=writer and partner in request.addressees and "offer" in steps,
        close=requester and "close" in steps,
        cancel=requester and "cancel" in steps,
    )


@dataclass(frozen=True)
class OfferRow:
    offer: OfferView
    offerer: str
    steps: frozenset[str]  # the steps this viewer is offered
    accept_default: int  # what the accept form proposes: as much as the request still needs

    def accepted(self, unit_id: uuid.UUID) -> bool:
        return unit_id in self.offer.accepted_units


def offer_steps(
    offer: OfferView, request: RequestView, partner: uuid.UUID | None, writer: bool
) -> frozenset[str]:
    if not writer or partner is None:
        return frozenset()
    allowed = set(OFFER_STEPS[OfferStatus(offer.status)])
    mine = (REQUESTER_STEPS if partner == offer.requester_id else frozenset()) | (
        OFFERER_STEPS if partner == offer.owner_partner_id else frozenset()
    )
    if "accept" not in REQUEST_STEPS[RequestStatus(request.status)]:
        allowed.discard("accept")
    return frozenset(allowed & mine)


def _offer_rows(
    offers: list[OfferView], request: RequestView, page: Page, names: dict[uuid.UUID, str]
) -> list[OfferRow]:
    partner, writer = own_partner_id(page), may_act(page)
    remaining = max(request.quantity - request.accepted, 0)
    return [
        OfferRow(
            offer=o,
            offerer=names.get(o.owner_partner_id, "?"),
            steps=offer_steps(o, request, partner, writer),
            accept_default=max(min(o.quantity, remaining), 1),
        )
        for o in offers
    ]


@dataclass(frozen=True)
class MessageRow:
    message_id: str
    message_type: str
    step: str
    sender: str
    at: Any
    url: str


def _messages(
    platform: Platform, page: Page, request_id: uuid.UUID, names: dict[uuid.UUID, str]
) -> list[MessageRow]:
    assert page.caller is not None
    base = f"/api/assistance-requests/{request_id}/edxl-rm"
    return [
        MessageRow(
            m.message_id,
            m.message_type,
            m.step.value,
            names.get(m.sent_by, "?"),
            m.at,
            f"{base}/{m.message_id}.xml",
        )
        for m in exchange.messages(platform, page.caller.viewer, request_id)
    ]


def _nearest(platform: Platform, page: Page, request: RequestView) -> NearestUnits | None:
    """Who could come fastest: only while the request is live (an ended one needs nobody)."""
    assert page.caller is not None
    if request.status not in LIVE:
        return None
    staging = Point(lon=request.staging.lon, lat=request.staging.lat)
    return nearest_units(platform, page.caller.viewer, staging, request.capability, NEAREST)


def _incident(platform: Platform, page: Page, incident_id: uuid.UUID | None) -> IncidentView | None:
    assert page.caller is not None
    if incident_id is None:
        return None
    try:
        return iq.get_incident(platform.engine, page.caller.viewer, incident_id)
    except NotFound:
        return None


def _own_units(platform: Platform, page: Page, request: RequestView, can: Can) -> list[UnitView]:
    """The viewer's own available units of the type asked for, for the offer form."""
    assert page.caller is not None
    if not can.offer:
        return []
    flt = q.UnitFilter(capability=request.capability, status="available", partner_id=own_partner_id(page))
    return q.list_units(platform.engine, page.caller.viewer, flt)


def detail_context(
    platform: Platform, page: Page, request_id: uuid.UUID, send_to: tuple[str, ...] = ()
) -> dict[str, Any]:
    assert page.caller is not None
    request = q.get_request(platform.engine, page.caller.viewer, request_id)  # NotFound: a 404
    names = partner_names(platform, page.language)
    own = own_partner_id(page)
    can = request_actions(request, own, may_act(page))
    offers = q.offers_for_request(platform.engine, page.caller.viewer, request_id)
    now = platform.clock.now()
    not_sent = sorted(
        ((i, n) for i, n in names.items() if i != request.owner_partner_id and i not in request.addressees),
        key=lambda item: item[1],
    )
    return {
        "need": request,  # not "request": that name is the HTTP request when rendering
        "requester": names.get(request.owner_partner_id, "?"),
        "addressees": sorted(names.get(p, "?") for p in request.addressees),
        "is_requester": own == request.owner_partner_id,
        "measure": measure_of(request.capability),
        "terms": terms_of(request.capability),
        "incident": _incident(platform, page, request.incident_id),
        "can": can,
        "offers": _offer_rows(offers, request, page, names),
        "own_units": _own_units(platform, page, request, can),
        "send_choices": not_sent if can.send else [],
        "send_to": set(send_to),
        "nearest": _nearest(platform, page, request),
        "partner_names": names,
        "messages": _messages(platform, page, request_id, names),
        "now_input": local_input(now.replace(second=0, microsecond=0), page.timezone),
        "zone_label": zone_label(page.timezone, now),
        **assistance_labels(),
    }
