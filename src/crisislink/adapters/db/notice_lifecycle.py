"""The life of a queued notice, shared by every table of notices: insert, claim, give up, record. Never commits.

A table of notices has the label columns and the columns `id`, `recipient`, `channel`, `address`,
`languages`, `subject`, `body`, `status`
(pending, sending, sent, failed, unreachable), `attempts`, `next_attempt_at`, `claimed_at`, `detail`,
`created_at` and `finished_at`. A notice is claimed (`sending`, with `claimed_at`) in a transaction of its
own before it is handed to a channel, so two rounds do not hand it over at once. The claim is a lease: a
notice still `sending` once the lease ran out (the node stopped mid-send, or its outcome could not be
written) is claimed again and marked as possibly sent already. During a crisis a contact told twice is
better than a contact never told.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db.repositories import write_audience
from crisislink.domains.readiness.runs import Recipient
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label

MAX_DETAIL = 300
CANDIDATES = 5  # read at once: if another round takes the first, the next is tried
MAY_BE_SENT = "claimed again after its lease ran out: it may have been sent already"


@dataclass(frozen=True)
class DueNotice:
    id: uuid.UUID
    recipient: Recipient
    subject: str
    body: str
    attempts: int  # including the one just claimed
    reclaimed: bool = False  # its earlier claim's lease ran out without an outcome: it may have gone out


def insert(
    conn: sa.Connection,
    table: sa.Table,
    label: Label,
    recipient: Recipient | None,
    message: tuple[Sequence[str], str, str],
    now: datetime,
    unreachable_because: str | None,
    **own: Any,
) -> uuid.UUID:
    """Add one notice, pending (or `unreachable` with the reason), under `label` with its audience.

    `message` is (languages, subject, body); `own` holds the columns of the table's own subject (the
    request and offer, the dataset, ...).
    """
    languages, subject, body = message
    notice_id = new_id()
    conn.execute(
        table.insert().values(
            id=notice_id,
            owner_partner_id=label.owner_partner_id,
            home_node_id=label.home_node_id,
            marking=label.marking.value,
            recipient=recipient.name[:200] if recipient else None,
            channel=recipient.channel if recipient else None,
            address=recipient.address[:320] if recipient else None,
            languages=list(languages),
            subject=subject,
            body=body,
            status="pending" if unreachable_because is None else "unreachable",
            attempts=0,
            next_attempt_at=now if unreachable_because is None else None,
            detail=unreachable_because,
            created_at=now,
            finished_at=None if unreachable_because is None else now,
            **own,
        )
    )
    write_audience(conn, notice_id, label.audience)
    return notice_id


def _claimable(table: sa.Table, now: datetime, lease: timedelta, max_attempts: int) -> sa.ColumnElement[bool]:
    """Due and pending, or `sending` with its lease run out and attempts left."""
    n = table.c
    due = sa.and_(n.status == "pending", n.next_attempt_at <= now)
    stranded = sa.and_(n.status == "sending", n.claimed_at <= now - lease, n.attempts < max_attempts)
    return sa.or_(due, stranded)


def claim_next(
    conn: sa.Connection, table: sa.Table, now: datetime, lease: timedelta, max_attempts: int
) -> DueNotice | None:
    """Mark the oldest claimable notice `sending` until `now + lease`; None when none is left.

    The update repeats the condition, so of two rounds reading the same row only one takes it; the other
    takes the next one.
    """
    n = table.c
    claimable = _claimable(table, now, lease, max_attempts)
    columns = (n.id, n.recipient, n.channel, n.address, n.subject, n.body, n.attempts, n.status)
    candidates = conn.execute(
        sa.select(*columns).where(claimable).order_by(n.created_at, n.id).limit(CANDIDATES)
    ).all()
    for row in candidates:
        reclaimed = row.status == "sending"
        values: dict[str, object] = {"status": "sending", "attempts": row.attempts + 1, "claimed_at": now}
        values["next_attempt_at"] = None
        if reclaimed:
            values["detail"] = MAY_BE_SENT  # shown while it is out again, kept in front of the outcome
        taken = conn.execute(table.update().where(n.id == row.id, claimable).values(**values))
        if taken.rowcount == 1:
            recipient = Recipient(name=row.recipient, channel=row.channel, address=row.address)
            return DueNotice(row.id, recipient, row.subject, row.body, row.attempts + 1, reclaimed)
    return None


def give_up_stranded(
    conn: sa.Connection, table: sa.Table, now: datetime, lease: timedelta, max_attempts: int
) -> list[uuid.UUID]:
    """`failed` for the notices stranded in `sending` with no attempt left (the node kept stopping)."""
    n = table.c
    stranded = sa.and_(n.status == "sending", n.claimed_at <= now - lease, n.attempts >= max_attempts)
    ids = list(conn.execute(sa.select(n.id).where(stranded)).scalars())
    if ids:
        detail = f"handed over {max_attempts} times with no outcome recorded: it may have been sent"
        conn.execute(
            table.update()
            .where(n.id.in_(ids), stranded)
            .values(status="failed", finished_at=now, detail=detail)
        )
    return ids


def record(
    conn: sa.Connection,
    table: sa.Table,
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
        table.update()
        .where(table.c.id == notice_id, table.c.status == "sending")
        .values(detail=short, **values)
    )


def attempts(conn: sa.Connection, table: sa.Table, notice_id: uuid.UUID) -> int | None:
    """How often the notice was handed to a channel; None unless it is being handed over now."""
    found = conn.execute(
        sa.select(table.c.attempts).where(table.c.id == notice_id, table.c.status == "sending")
    )
    value = found.scalar_one_or_none()
    return None if value is None else int(value)
