"""The signed CAP bytes of each issued message, and the durable outbox of its deliveries to public channels.

Publications and deliveries are written by the publication consumer in the transaction that records the
event as delivered, so an issued part gets its rows exactly once, even across a crash. The delivery worker
then claims due rows one at a time (an optimistic claim: two workers never send the same row at once).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import writer
from crisislink.kernel.ids import new_id

P = t.warning_publications
D = t.warning_deliveries
M = t.warning_messages


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry, or the channel refused for good: a person must look
    REFUSED = "refused"  # never sent: not a public alert, and the channel is not a test channel


def publication_id(conn: sa.Connection, identifier: str, country: str | None) -> uuid.UUID | None:
    found: uuid.UUID | None = conn.execute(
        sa.select(P.c.id).where(P.c.identifier == identifier, P.c.country == (country or ""))
    ).scalar_one_or_none()
    return found


def add_publication(
    conn: sa.Connection,
    *,
    warning_id: uuid.UUID,
    identifier: str,
    country: str | None,
    status: str,
    cap_xml: bytes,
    now: datetime,
) -> uuid.UUID:
    """The publication of (identifier, country), added once: a second call returns the first one's id."""
    known = publication_id(conn, identifier, country)
    if known is not None:
        return known
    created = new_id()
    conn.execute(
        P.insert().values(
            id=created,
            warning_id=warning_id,
            identifier=identifier,
            country=country or "",
            status=status,
            cap_xml=cap_xml,
            created_at=now,
        )
    )
    return created


def add_delivery(
    conn: sa.Connection,
    publication: uuid.UUID,
    channel: str,
    now: datetime,
    *,
    refused_because: str | None = None,
) -> bool:
    """Queue one delivery (once per publication and channel); True when it was new."""
    exists = conn.execute(
        sa.select(D.c.id).where(D.c.publication_id == publication, D.c.channel == channel)
    ).first()
    if exists is not None:
        return False
    refused = refused_because is not None
    conn.execute(
        D.insert().values(
            id=new_id(),
            publication_id=publication,
            channel=channel,
            status=(DeliveryStatus.REFUSED if refused else DeliveryStatus.PENDING).value,
            attempts=0,
            next_attempt_at=None if refused else now,
            last_error=refused_because,
            created_at=now,
            finished_at=now if refused else None,
        )
    )
    return True


@dataclass(frozen=True)
class DueDelivery:
    id: uuid.UUID
    channel: str
    attempts: int
    warning_id: uuid.UUID
    identifier: str
    country: str | None
    cap_xml: bytes
    sender: str
    sent: datetime
    msg_type: str
    content: Mapping[str, Any]  # the message's content snapshot, as stored with the chain


def _due_query(now: datetime, limit: int) -> sa.Select[Any]:
    return (
        sa.select(
            D.c.id,
            D.c.channel,
            D.c.attempts,
            P.c.warning_id,
            P.c.identifier,
            P.c.country,
            P.c.cap_xml,
            M.c.sender,
            M.c.sent,
            M.c.msg_type,
            M.c.content,
        )
        .join(P, P.c.id == D.c.publication_id)
        .join(M, (M.c.warning_id == P.c.warning_id) & (M.c.identifier == P.c.identifier))
        .where(D.c.status == DeliveryStatus.PENDING.value, D.c.next_attempt_at <= now)
        .order_by(D.c.next_attempt_at, D.c.id)
        .limit(limit)
    )


def claim_due(engine: Engine, now: datetime, lease: timedelta, limit: int = 20) -> list[DueDelivery]:
    """Due deliveries, each claimed for `lease` (a crashed worker's claim runs out and the row is retried)."""
    claimed: list[DueDelivery] = []
    # A look on a reader first: every commit kicks the worker, and most find nothing due, which should
    # not cost the write lock other writers are waiting for.
    with engine.connect() as conn:
        if conn.execute(_due_query(now, 1).with_only_columns(D.c.id)).first() is None:
            return claimed
    with writer(engine).begin() as conn:
        for row in conn.execute(_due_query(now, limit)).mappings().all():
            taken = conn.execute(
                D.update()
                .where(D.c.id == row["id"], D.c.attempts == row["attempts"], D.c.status == "pending")
                .values(next_attempt_at=now + lease)
            )
            if taken.rowcount == 1:
                claimed.append(
                    DueDelivery(
                        id=row["id"],
                        channel=row["channel"],
                        attempts=row["attempts"],
                        warning_id=row["warning_id"],
                        identifier=row["identifier"],
                        country=row["country"] or None,
                        cap_xml=row["cap_xml"],
                        sender=row["sender"],
                        sent=row["sent"],
                        msg_type=row["msg_type"],
                        content=row["content"],
                    )
                )
    return claimed


def record_outcome(
    engine: Engine,
    delivery_id: uuid.UUID,
    *,
    status: DeliveryStatus,
    now: datetime,
    error: str | None = None,
    receipt: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """One attempt's outcome: delivered, retried at `retry_at`, failed for good, or refused."""
    values: dict[str, Any] = {
        "status": status.value,
        "attempts": D.c.attempts + 1,
        "last_error": error,
        "next_attempt_at": retry_at,
    }
    if receipt is not None:
        values["receipt"] = receipt
    if status is not DeliveryStatus.PENDING:
        values["finished_at"] = now
    with writer(engine).begin() as conn:
        conn.execute(D.update().where(D.c.id == delivery_id).values(**values))


def issued_public(conn: sa.Connection, limit: int) -> list[dict[str, Any]]:
    """The latest whole-message publications of Actual warnings, newest first (the public feed's entries)."""
    query = (
        sa.select(
            P.c.warning_id,
            P.c.identifier,
            P.c.created_at,
            M.c.sender,
            M.c.sent,
            M.c.msg_type,
            M.c.content,
            M.c.note,
        )
        .join(M, (M.c.warning_id == P.c.warning_id) & (M.c.identifier == P.c.identifier))
        .where(P.c.country == "", P.c.status == "Actual")
        .order_by(M.c.sent.desc(), P.c.identifier)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
