"""Rows of the notices to desks of mutual-assistance steps: queue, claim, record. Never commits.

A notice is claimed (`sending`, with `claimed_at`) in a transaction of its own before it is handed to a
channel, so two rounds do not hand it over at once. The claim is a lease: a notice still `sending` once the
lease ran out (the node stopped mid-send, or its outcome could not be written) is claimed again and marked
as possibly sent already. During a crisis a desk told twice is better than a desk never told.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.repositories import write_audience
from crisislink.domains.readiness.runs import Recipient
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label

N = t.assistance_notifications
MAX_DETAIL = 300
CANDIDATES = 5  # read at once: if another round takes the first, the next is tried
MAY_BE_SENT = "claimed again after its lease ran out: it may have been sent already"


@dataclass(frozen=True, kw_only=True)
class QueuedNotice:
    """One message to queue: which step, which partner, how it is reached (None: it cannot be)."""

    label: Label  # the event's
    event_type: str
    request_id: uuid.UUID
    offer_id: uuid.UUID | None
    partner_id: uuid.UUID
    contact_point_id: uuid.UUID | None
    reached: str  # desk | on_duty | nobody
    recipient: Recipient | None
    languages: tuple[str, ...]
    subject: str
    body: str


@dataclass(frozen=True)
class DueNotice:
    id: uuid.UUID
    recipient: Recipient
    subject: str
    body: str
    attempts: int  # including the one just claimed
    reclaimed: bool = False  # its earlier claim's lease ran out without an outcome: it may have gone out


def queue(
    conn: sa.Connection, notice: QueuedNotice, now: datetime, unreachable_because: str | None
) -> uuid.UUID:
    """Add one notice, pending (or `unreachable` with the reason); its audience is the event's."""
    notice_id = new_id()
    recipient = notice.recipient
    conn.execute(
        N.insert().values(
            id=notice_id,
            owner_partner_id=notice.label.owner_partner_id,
            home_node_id=notice.label.home_node_id,
            marking=notice.label.marking.value,
            event_type=notice.event_type,
            request_id=notice.request_id,
            offer_id=notice.offer_id,
            partner_id=notice.partner_id,
            contact_point_id=notice.contact_point_id,
            reached=notice.reached,
            recipient=recipient.name[:200] if recipient else None,
            channel=recipient.channel if recipient else None,
            address=recipient.address[:320] if recipient else None,
            languages=list(notice.languages),
            subject=notice.subject,
            body=notice.body,
            status="pending" if unreachable_because is None else "unreachable",
            attempts=0,
            next_attempt_at=now if unreachable_because is None else None,
            detail=unreachable_because,
            created_at=now,
            finished_at=None if unreachable_because is None else now,
        )
    )
    write_audience(conn, notice_id, notice.label.audience)
    return notice_id


def _claimable(now: datetime, lease: timedelta, max_attempts: int) -> sa.ColumnElement[bool]:
    """Due and pending, or `sending` with its lease run out and attempts left."""
    due = sa.and_(N.c.status == "pending", N.c.next_attempt_at <= now)
    stranded = sa.and_(N.c.status == "sending", N.c.claimed_at <= now - lease, N.c.attempts < max_attempts)
    return sa.or_(due, stranded)


def claim_next(conn: sa.Connection, now: datetime, lease: timedelta, max_attempts: int) -> DueNotice | None:
    """Mark the oldest claimable notice `sending` until `now + lease`; None when none is left.

    The update repeats the condition, so of two rounds reading the same row only one takes it; the other
    takes the next one.
    """
    claimable = _claimable(now, lease, max_attempts)
    columns = (
        N.c.id,
        N.c.recipient,
        N.c.channel,
        N.c.address,
        N.c.subject,
        N.c.body,
        N.c.attempts,
        N.c.status,
    )
    candidates = conn.execute(
        sa.select(*columns).where(claimable).order_by(N.c.created_at, N.c.id).limit(CANDIDATES)
    ).all()
    for row in candidates:
        reclaimed = row.status == "sending"
        values: dict[str, object] = {"status": "sending", "attempts": row.attempts + 1, "claimed_at": now}
        values["next_attempt_at"] = None
        if reclaimed:
            values["detail"] = MAY_BE_SENT  # shown while it is out again, kept in front of the outcome
        taken = conn.execute(N.update().where(N.c.id == row.id, claimable).values(**values))
        if taken.rowcount == 1:
            recipient = Recipient(name=row.recipient, channel=row.channel, address=row.address)
            return DueNotice(row.id, recipient, row.subject, row.body, row.attempts + 1, reclaimed)
    return None


def give_up_stranded(
    conn: sa.Connection, now: datetime, lease: timedelta, max_attempts: int
) -> list[uuid.UUID]:
    """`failed` for the notices stranded in `sending` with no attempt left (the node kept stopping)."""
    stranded = sa.and_(N.c.status == "sending", N.c.claimed_at <= now - lease, N.c.attempts >= max_attempts)
    ids = list(conn.execute(sa.select(N.c.id).where(stranded)).scalars())
    if ids:
        detail = f"handed over {max_attempts} times with no outcome recorded: it may have been sent"
        conn.execute(
            N.update()
            .where(N.c.id.in_(ids), stranded)
            .values(status="failed", finished_at=now, detail=detail)
        )
    return ids


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
    if sent:
        values: dict[str, object] = {"status": "sent", "finished_at": now}
    elif retry_at is not None:
        values = {"status": "pending", "next_attempt_at": retry_at}
    else:
        values = {"status": "failed", "finished_at": now}
    short = detail[:MAX_DETAIL] if detail else None
    conn.execute(
        N.update().where(N.c.id == notice_id, N.c.status == "sending").values(detail=short, **values)
    )


def attempts(conn: sa.Connection, notice_id: uuid.UUID) -> int | None:
    """How often the notice was handed to a channel; None unless it is being handed over now."""
    found = conn.execute(sa.select(N.c.attempts).where(N.c.id == notice_id, N.c.status == "sending"))
    value = found.scalar_one_or_none()
    return None if value is None else int(value)
