"""Rows for delivering dataset records: webhooks and their delivery outbox, pull sources. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.domains.datasets.delivery_commands import DuePull, PullFormat
from crisislink.kernel.errors import NotFound
from crisislink.kernel.ids import new_id

W = t.dataset_webhooks
D = t.dataset_webhook_deliveries
P = t.dataset_pull_sources


def webhook(conn: sa.Connection, webhook_id: uuid.UUID) -> dict[str, Any]:
    row = conn.execute(sa.select(W).where(W.c.id == webhook_id)).mappings().first()
    if row is None:
        raise NotFound(f"no webhook with id {webhook_id}")
    return dict(row)


def active_webhooks(conn: sa.Connection, dataset_id: uuid.UUID) -> list[dict[str, Any]]:
    query = sa.select(W).where(W.c.dataset_id == dataset_id, W.c.active.is_(True))
    return [dict(row) for row in conn.execute(query).mappings()]


def queue(
    conn: sa.Connection,
    webhook_id: uuid.UUID,
    event_key: uuid.UUID,
    event_type: str,
    body: bytes,
    now: datetime,
) -> bool:
    exists = conn.execute(
        sa.select(D.c.id).where(D.c.webhook_id == webhook_id, D.c.event_id == event_key)
    ).first()
    if exists is not None:
        return False
    conn.execute(
        D.insert().values(
            id=new_id(),
            webhook_id=webhook_id,
            event_id=event_key,
            event_type=event_type,
            body=body,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return True


def due_deliveries(conn: sa.Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    query = (
        sa.select(
            D.c.id,
            D.c.attempts,
            D.c.body,
            W.c.url,
            W.c.secret,
            W.c.dataset_id,
            W.c.user_id,
            W.c.partner_id,
            W.c.active,
        )
        .join(W, W.c.id == D.c.webhook_id)
        .where(D.c.status == "pending", D.c.next_attempt_at <= now)
        .order_by(D.c.next_attempt_at, D.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def set_delivery(conn: sa.Connection, delivery_id: uuid.UUID, **values: Any) -> None:
    conn.execute(D.update().where(D.c.id == delivery_id).values(**values))


def delivery(conn: sa.Connection, delivery_id: uuid.UUID) -> dict[str, Any]:
    row = conn.execute(sa.select(D).where(D.c.id == delivery_id)).mappings().first()
    if row is None:
        raise NotFound(f"no webhook delivery with id {delivery_id}")
    return dict(row)


def pull_source(conn: sa.Connection, dataset_id: uuid.UUID) -> dict[str, Any] | None:
    row = conn.execute(sa.select(P).where(P.c.dataset_id == dataset_id)).mappings().first()
    return None if row is None else dict(row)


def claim_pulls(conn: sa.Connection, now: datetime, lease: timedelta, limit: int) -> list[DuePull]:
    query = (
        sa.select(P.c.dataset_id, P.c.url, P.c.format, t.datasets.c.record_schema)
        .join(t.datasets, t.datasets.c.id == P.c.dataset_id)
        .where(P.c.next_poll_at <= now)
        .order_by(P.c.next_poll_at)
        .limit(limit)
    )
    due = [
        DuePull(row["dataset_id"], row["url"], PullFormat(row["format"]), row["record_schema"], now)
        for row in conn.execute(query).mappings()
    ]
    for pull in due:  # claimed: nobody else reads it until the lease runs out or the outcome is stored
        conn.execute(P.update().where(P.c.dataset_id == pull.dataset_id).values(next_poll_at=now + lease))
    return due
