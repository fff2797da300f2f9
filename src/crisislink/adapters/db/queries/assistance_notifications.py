"""The notices sent to desks of the steps of a request for assistance, as a reader may see them.

A notice carries the label of the event it tells, so a reader sees the notices of the steps they may see
(those of an offer: its offerer and the requester). The caller checks first that the reader may see the
request (`queries.assistance.get_request`). Who was reached, and at which address, is a detail of the
desk's point of contact: it is shown only to those who may see that contact; the rest see the partner, the
channel and the outcome, without the channel's own words (an SMTP refusal quotes the address).
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
from crisislink.domains.sharing.policy import Viewer

MAX_NOTICES = 2_000
_EVENT_PREFIX = "crisislink.assistance."


class NotificationView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    step: str  # request_sent, request_status_changed, offer_made, offer_status_changed
    request_id: uuid.UUID
    offer_id: uuid.UUID | None
    partner_id: uuid.UUID  # the partner told
    reached: str  # desk (its own address), on_duty (the person holding it), nobody (it has no desk)
    channel: str | None
    desk_id: uuid.UUID | None  # None also when the reader may not see the desk's point of contact
    recipient: str | None  # likewise
    address: str | None  # likewise
    languages: list[str]
    subject: str
    body: str
    status: str  # pending, sending, sent, failed, unreachable
    attempts: int
    detail: str | None  # what the channel said; None when the address is hidden from the reader
    created_at: datetime
    finished_at: datetime | None


def _view(row: Any) -> NotificationView:
    shown = bool(row.desk_visible)
    return NotificationView(
        id=row.id,
        step=row.event_type.removeprefix(_EVENT_PREFIX),
        request_id=row.request_id,
        offer_id=row.offer_id,
        partner_id=row.partner_id,
        reached=row.reached,
        channel=row.channel,
        desk_id=row.contact_point_id if shown else None,
        recipient=row.recipient if shown else None,
        address=row.address if shown else None,
        languages=list(row.languages),
        subject=row.subject,
        body=row.body,
        status=row.status,
        attempts=row.attempts,
        detail=row.detail if shown or row.reached == "nobody" else None,  # "no desk" names no address
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def notifications_for_request(
    engine: Engine, viewer: Viewer, request_id: uuid.UUID
) -> list[NotificationView]:
    """The visible notices of the request's steps, oldest first."""
    n, cp = t.assistance_notifications, t.contact_points
    desk_visible = visible_to(viewer, cp, correlated=True)
    query = (
        sa.select(n, sa.case((desk_visible, sa.true()), else_=sa.false()).label("desk_visible"))
        .select_from(n.outerjoin(cp, cp.c.id == n.c.contact_point_id))
        .where(n.c.request_id == request_id, visible_to(viewer, n, correlated=True))
        .order_by(n.c.created_at, n.c.id)
        .limit(MAX_NOTICES)
    )
    with engine.connect() as conn:
        return [_view(row) for row in conn.execute(query)]
