"""Offers on a request for assistance: make, withdraw, accept (all or part), decline, mobilise, deploy,
demobilise.

Each step answers with the offer as it is now. An offer is addressed through its request, and an offer of
another request (or one the caller may not see) is a 404.
"""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import Provide

from crisislink.adapters.db.queries import assistance as q
from crisislink.adapters.db.queries.assistance_views import OfferView
from crisislink.app.auth import Caller
from crisislink.app.bootstrap import Platform
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.model import Point
from crisislink.entrypoints.web.api import assistance_schemas as s
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.errors import NotFound
from crisislink.kernel.messages import Command

OFFER = "/{offer_id:uuid}"


def _offer(platform: Platform, caller: Caller, request_id: uuid.UUID, offer_id: uuid.UUID) -> OfferView:
    offer = q.get_offer(platform.engine, caller.viewer, offer_id)
    if offer.request_id != request_id:
        raise NotFound(f"no assistance offer with id {offer_id} that you may see")
    return offer


def _step(
    state: State, caller: Caller, request_id: uuid.UUID, offer_id: uuid.UUID, command: Command
) -> OfferView:
    """Check the offer belongs to this request and is visible, take the step, answer with the offer."""
    platform = platform_of(state)
    _offer(platform, caller, request_id, offer_id)
    platform.bus.handle(command)
    return _offer(platform, caller, request_id, offer_id)


class OfferController(Controller):
    path = "/api/assistance-requests/{request_id:uuid}/offers"
    tags = ["assistance"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get(
        "/", sync_to_thread=True, summary="Offers on the request (all for the requester, your own otherwise)"
    )
    def list_offers(self, state: State, caller: Caller, request_id: uuid.UUID) -> list[OfferView]:
        return q.offers_for_request(platform_of(state).engine, caller.viewer, request_id)

    @post("/", sync_to_thread=True, summary="Offer named units, or a quantity")
    def make(self, state: State, caller: Caller, request_id: uuid.UUID, data: s.OfferBody) -> OfferView:
        platform = platform_of(state)
        q.get_request(platform.engine, caller.viewer, request_id)
        offer_id = platform.bus.handle(
            c.MakeOffer(
                actor=caller.actor,
                request_id=request_id,
                available_from=data.available_from,
                unit_ids=tuple(data.unit_ids),
                quantity=data.quantity,
                conditions=data.conditions,
            )
        )
        return _offer(platform, caller, request_id, offer_id)

    @get(OFFER, sync_to_thread=True, summary="One offer")
    def get_offer(
        self, state: State, caller: Caller, request_id: uuid.UUID, offer_id: uuid.UUID
    ) -> OfferView:
        return _offer(platform_of(state), caller, request_id, offer_id)

    @post(
        f"{OFFER}/accept", sync_to_thread=True, summary="Accept all of the offer, a quantity, or chosen units"
    )
    def accept(
        self, state: State, caller: Caller, request_id: uuid.UUID, offer_id: uuid.UUID, data: s.AcceptBody
    ) -> OfferView:
        command = c.AcceptOffer(
            actor=caller.actor, offer_id=offer_id, quantity=data.quantity, unit_ids=tuple(data.unit_ids)
        )
        return _step(state, caller, request_id, offer_id, command)

    @post(f"{OFFER}/decline", sync_to_thread=True, summary="Decline the offer")
    def decline(
        self,
        state: State,
        caller: Caller,
        request_id: uuid.UUID,
        offer_id: uuid.UUID,
        data: s.ReasonBody | None = None,
    ) -> OfferView:
        command = c.DeclineOffer(actor=caller.actor, offer_id=offer_id, reason=s.reason_of(data))
        return _step(state, caller, request_id, offer_id, command)

    @post(
        f"{OFFER}/withdraw", sync_to_thread=True, summary="Withdraw your offer (committed units are released)"
    )
    def withdraw(
        self,
        state: State,
        caller: Caller,
        request_id: uuid.UUID,
        offer_id: uuid.UUID,
        data: s.ReasonBody | None = None,
    ) -> OfferView:
        command = c.WithdrawOffer(actor=caller.actor, offer_id=offer_id, reason=s.reason_of(data))
        return _step(state, caller, request_id, offer_id, command)

    @post(f"{OFFER}/mobilise", sync_to_thread=True, summary="The accepted team is alerted and on its way")
    def mobilise(self, state: State, caller: Caller, request_id: uuid.UUID, offer_id: uuid.UUID) -> OfferView:
        return _step(
            state, caller, request_id, offer_id, c.MobiliseOffer(actor=caller.actor, offer_id=offer_id)
        )

    @post(
        f"{OFFER}/deploy",
        sync_to_thread=True,
        summary="The team is deployed (at the staging area by default)",
    )
    def deploy(
        self,
        state: State,
        caller: Caller,
        request_id: uuid.UUID,
        offer_id: uuid.UUID,
        data: s.DeployBody | None = None,
    ) -> OfferView:
        at = data.position if data is not None else None
        where = None if at is None else Point(lon=at.lon, lat=at.lat)
        command = c.DeployOffer(actor=caller.actor, offer_id=offer_id, position=where)
        return _step(state, caller, request_id, offer_id, command)

    @post(
        f"{OFFER}/demobilise", sync_to_thread=True, summary="Release the team: its units are available again"
    )
    def demobilise(
        self,
        state: State,
        caller: Caller,
        request_id: uuid.UUID,
        offer_id: uuid.UUID,
        data: s.ReasonBody | None = None,
    ) -> OfferView:
        command = c.DemobiliseOffer(actor=caller.actor, offer_id=offer_id, reason=s.reason_of(data))
        return _step(state, caller, request_id, offer_id, command)
