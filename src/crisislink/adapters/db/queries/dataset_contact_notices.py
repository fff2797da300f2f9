"""The notices sent to a dataset's point of contact (stale, fresh again), as a reader may see them.

A notice carries the label of the event it tells (the dataset's label then), so a reader sees the notices
of a dataset they may see. The caller checks first that the reader may see the dataset
(`queries.datasets.get_dataset`). Who was reached, and at which address, is a detail of the point of
contact: it is shown only to those who may see that contact; the rest see the channel and the outcome,
without the channel's own words (an SMTP refusal quotes the address).
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
_EVENT_PREFIX = "crisislink.datasets."


class ContactNoticeView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    dataset_id: uuid.UUID
    kind: str  # stale (no data for longer than expected), fresh (data arrives again)
    channel: str | None
    contact_point_id: uuid.UUID | None  # None when the reader may not see the point of contact
    recipient: str | None  # likewise
    address: str | None  # likewise
    languages: list[str]
    subject: str
    body: str
    status: str  # pending, sending, sent, failed, unreachable
    attempts: int
    detail: str | None  # what the channel said; None when the contact is hidden from the reader
    created_at: datetime
    finished_at: datetime | None


def _view(row: Any) -> ContactNoticeView:
    shown = bool(row.contact_visible)
    return ContactNoticeView(
        id=row.id,
        dataset_id=row.dataset_id,
        kind=row.event_type.removeprefix(_EVENT_PREFIX),
        channel=row.channel,
        contact_point_id=row.contact_point_id if shown else None,
        recipient=row.recipient if shown else None,
        address=row.address if shown else None,
        languages=list(row.languages),
        subject=row.subject,
        body=row.body,
        status=row.status,
        attempts=row.attempts,
        detail=row.detail if shown or row.status == "unreachable" else None,  # "no contact" names no address
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def notices_for_dataset(engine: Engine, viewer: Viewer, dataset_id: uuid.UUID) -> list[ContactNoticeView]:
    """The visible notices to the dataset's point of contact, oldest first."""
    n, cp = t.dataset_contact_notices, t.contact_points
    contact_visible = visible_to(viewer, cp, correlated=True)
    query = (
        sa.select(n, sa.case((contact_visible, sa.true()), else_=sa.false()).label("contact_visible"))
        .select_from(n.outerjoin(cp, cp.c.id == n.c.contact_point_id))
        .where(n.c.dataset_id == dataset_id, visible_to(viewer, n, correlated=True))
        .order_by(n.c.created_at, n.c.id)
        .limit(MAX_NOTICES)
    )
    with engine.connect() as conn:
        return [_view(row) for row in conn.execute(query)]
