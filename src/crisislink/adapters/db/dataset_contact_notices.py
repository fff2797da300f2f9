"""Rows of the notices to datasets' points of contact (stale, fresh again): queue, claim, record. Never commits.

Claiming (a lease), giving up and recording are those of every table of notices (`notice_lifecycle`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from crisislink.adapters.db import notice_lifecycle as lifecycle
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.notice_lifecycle import DueNotice
from crisislink.domains.readiness.runs import Recipient
from crisislink.kernel.markings import Label

N = t.dataset_contact_notices


@dataclass(frozen=True, kw_only=True)
class QueuedNotice:
    """One message to queue: which event of which dataset, to which contact, where (None: nowhere)."""

    label: Label  # the event's
    event_type: str
    dataset_id: uuid.UUID
    contact_point_id: uuid.UUID
    recipient: Recipient | None
    languages: tuple[str, ...]
    subject: str
    body: str


@dataclass(frozen=True)
class LastNotice:
    """The newest notice of a dataset: which event it told, to which contact, when."""

    event_type: str
    contact_point_id: uuid.UUID
    created_at: datetime


def queue(
    conn: sa.Connection, notice: QueuedNotice, now: datetime, unreachable_because: str | None
) -> uuid.UUID:
    """Add one notice, pending (or `unreachable` with the reason); its audience is the event's."""
    return lifecycle.insert(
        conn,
        N,
        notice.label,
        notice.recipient,
        (notice.languages, notice.subject, notice.body),
        now,
        unreachable_because,
        event_type=notice.event_type,
        dataset_id=notice.dataset_id,
        contact_point_id=notice.contact_point_id,
    )


def last_notice(conn: sa.Connection, dataset_id: uuid.UUID) -> LastNotice | None:
    """The dataset's newest notice, whatever its outcome; None if its contact was never told anything."""
    query = (
        sa.select(N.c.event_type, N.c.contact_point_id, N.c.created_at)
        .where(N.c.dataset_id == dataset_id)
        .order_by(N.c.created_at.desc(), N.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    return LastNotice(row.event_type, row.contact_point_id, row.created_at) if row else None


def claim_next(conn: sa.Connection, now: datetime, lease: timedelta, max_attempts: int) -> DueNotice | None:
    """Mark the oldest claimable notice `sending` until `now + lease`; None when none is left."""
    return lifecycle.claim_next(conn, N, now, lease, max_attempts)


def give_up_stranded(
    conn: sa.Connection, now: datetime, lease: timedelta, max_attempts: int
) -> list[uuid.UUID]:
    """`failed` for the notices stranded in `sending` with no attempt left (the node kept stopping)."""
    return lifecycle.give_up_stranded(conn, N, now, lease, max_attempts)


def record(
    conn: sa.Connection,
    notice_id: uuid.UUID,
    *,
    sent: bool,
    detail: str | None,
    now: datetime,
    retry_at: datetime | None,
) -> None:
    """The channel's report: sent, failed for good, or failed and due again at `retry_at`."""
    lifecycle.record(conn, N, notice_id, sent=sent, detail=detail, now=now, retry_at=retry_at)


def attempts(conn: sa.Connection, notice_id: uuid.UUID) -> int | None:
    """How often the notice was handed to a channel; None unless it is being handed over now."""
    return lifecycle.attempts(conn, N, notice_id)
