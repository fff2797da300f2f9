"""The steps a request for assistance and its offers went through, with their times, as a reader may see them.

The records keep only their current state; the event log keeps every step (sent, accepted, mobilised,
deployed, demobilised, declined...) with the time it happened. Exports that must say *when* each step was
taken (EDXL-RM messages) read the steps here. Every event is filtered with the sharing policy, as on the
live feed: an offer's steps are labelled like the offer, so a partner sees the steps of its own offers and
the requester those of all offers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.domains.assistance import events as e
from crisislink.domains.sharing.policy import Viewer

# The events that mark a step of a request or an offer; each payload names its request.
_STEP_TYPES = (
    e.AssistanceRequestSent.TYPE,
    e.AssistanceRequestStatusChanged.TYPE,
    e.OfferMade.TYPE,
    e.OfferStatusChanged.TYPE,
)
_MAX_STEPS = 5_000


class StepView(msgspec.Struct, frozen=True):
    """One step: of the request (`offer_id` None) or of one of its offers."""

    request_id: uuid.UUID
    offer_id: uuid.UUID | None
    status: str  # the state the step led to: "open" for a request sent, "offered" for an offer made
    at: datetime
    accepted: int  # of the request's quantity (request steps), of the offer's (offer steps)
    reason: str
    notified: tuple[uuid.UUID, ...]  # the parties told of it: the step was taken by the other side
    position: int = 0  # in the event log: orders steps taken in the same instant


def _step(event_type: str, payload: dict[str, Any], at: datetime, position: int) -> StepView:
    offer_id = payload.get("offer_id")
    if event_type == e.AssistanceRequestSent.TYPE:
        status = "open"
    elif event_type == e.OfferMade.TYPE:
        status = "offered"
    else:
        status = payload["status"]
    return StepView(
        request_id=uuid.UUID(payload["request_id"]),
        offer_id=uuid.UUID(offer_id) if offer_id else None,
        status=status,
        at=at,
        accepted=int(payload.get("accepted", payload.get("quantity", 0))),
        reason=str(payload.get("reason", "")),
        notified=tuple(uuid.UUID(p) for p in payload.get("notify", ())),
        position=position,
    )


def request_steps(engine: Engine, viewer: Viewer, request_id: uuid.UUID) -> list[StepView]:
    """The visible steps of the request and its offers, oldest first.

    The caller checks first that the viewer may see the request (`queries.assistance.get_request`).
    """
    ev = t.events.c
    query = (
        sa.select(ev.type, ev.payload, ev.occurred_at, ev.position)
        .where(
            ev.type.in_(_STEP_TYPES),
            ev.payload["request_id"].as_string() == str(request_id),
            visible_to(viewer, t.events, correlated=True),
        )
        .order_by(ev.position)
        .limit(_MAX_STEPS)
    )
    with engine.connect() as conn:
        return [_step(row.type, row.payload, row.occurred_at, row.position) for row in conn.execute(query)]
