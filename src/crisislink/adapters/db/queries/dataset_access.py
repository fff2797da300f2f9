"""Read side of dataset access requests and webhook deliveries.

An access request is seen by the partner that asked and by the dataset's owner (as its events are labelled);
a webhook and its deliveries by the person who subscribed.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

A = t.dataset_access_requests
W = t.dataset_webhooks
D = t.dataset_webhook_deliveries
MAX_PAGE = 500


def _json(row: Any) -> dict[str, Any]:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in row.items()}


def access_requests(
    engine: Engine, viewer: Viewer, dataset_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    if viewer.partner_id is None:
        return []
    query = (
        sa.select(A)
        .where(sa.or_(A.c.partner_id == viewer.partner_id, A.c.dataset_owner_id == viewer.partner_id))
        .order_by(A.c.created_at.desc())
        .limit(MAX_PAGE)
    )
    if dataset_id is not None:
        query = query.where(A.c.dataset_id == dataset_id)
    with engine.connect() as conn:
        return [_json(row) for row in conn.execute(query).mappings()]


def webhooks(engine: Engine, viewer: Viewer) -> list[dict[str, Any]]:
    query = sa.select(W.c.id, W.c.dataset_id, W.c.url, W.c.active, W.c.created_at).where(
        W.c.user_id == viewer.user_id
    )
    with engine.connect() as conn:
        return [_json(row) for row in conn.execute(query.order_by(W.c.created_at)).mappings()]


def deliveries(
    engine: Engine, viewer: Viewer, webhook_id: uuid.UUID, limit: int = 100
) -> list[dict[str, Any]]:
    """Newest first: status pending, delivered, dead (gave up) or dropped (the subscriber lost access)."""
    columns = (D.c.id, D.c.event_type, D.c.status, D.c.attempts, D.c.next_attempt_at, D.c.last_error)
    with engine.connect() as conn:
        owner = conn.execute(sa.select(W.c.user_id).where(W.c.id == webhook_id)).scalar_one_or_none()
        if owner is None or owner != viewer.user_id:
            raise NotFound(f"no webhook with id {webhook_id} of yours")
        query = (
            sa.select(*columns, D.c.created_at, D.c.finished_at)
            .where(D.c.webhook_id == webhook_id)
            .order_by(D.c.created_at.desc())
            .limit(min(limit, MAX_PAGE))
        )
        return [_json(row) for row in conn.execute(query).mappings()]
