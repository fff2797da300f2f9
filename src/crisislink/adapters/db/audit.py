"""The audit trail: append-only and hash-chained, so a quiet rewrite of history is detectable.

Each entry's hash covers its content and the previous entry's hash. Appending locks the single
`audit_head` row, which also serialises event positions across concurrent writers on PostgreSQL
(so a reader never sees position N+1 committed before N).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.functions import insert_ignoring_duplicates

GENESIS = "0" * 64
_ADVANCE_HEAD = (
    t.audit_head.update()
    .where(t.audit_head.c.id == 1)
    .values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
)
_HEAD = sa.select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1).with_for_update()
_INSERT_ENTRY = t.audit_log.insert()


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_user_id: uuid.UUID | None
    actor_partner_id: uuid.UUID | None
    command: str
    record_ids: Sequence[str]
    details: Mapping[str, Any]


def entry_hash(seq: int, prev_hash: str, entry: AuditEntry) -> str:
    canonical = json.dumps(
        {
            "seq": seq,
            "prev": prev_hash,
            "at": entry.at.isoformat(),
            "actor_user_id": str(entry.actor_user_id) if entry.actor_user_id else None,
            "actor_partner_id": str(entry.actor_partner_id) if entry.actor_partner_id else None,
            "command": entry.command,
            "record_ids": list(entry.record_ids),
            "details": entry.details,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_head(connection: sa.Connection) -> tuple[int, str]:
    row = connection.execute(_HEAD).first()
    if row is None:
        # Two first writers may both get here: the loser's insert does nothing, then both lock the row.
        seed = insert_ignoring_duplicates(connection, t.audit_head).values(id=1, seq=0, hash=GENESIS)
        connection.execute(seed.on_conflict_do_nothing(index_elements=["id"]))
        row = connection.execute(_HEAD).one()
    return int(row.seq), str(row.hash)


def append(connection: sa.Connection, head: tuple[int, str], entry: AuditEntry) -> tuple[int, str]:
    seq, prev_hash = head[0] + 1, head[1]
    # Hashed as stored: details in the plain JSON values they read back as (a UUID or time as its text),
    # so `verify` recomputes the very same digest from the row.
    entry = replace(entry, details=msgspec.to_builtins(dict(entry.details)))
    digest = entry_hash(seq, prev_hash, entry)
    connection.execute(
        _INSERT_ENTRY,
        {
            "seq": seq,
            "at": entry.at,
            "actor_user_id": entry.actor_user_id,
            "actor_partner_id": entry.actor_partner_id,
            "command": entry.command,
            "record_ids": list(entry.record_ids),
            "details": dict(entry.details),
            "prev_hash": prev_hash,
            "hash": digest,
        },
    )
    connection.execute(_ADVANCE_HEAD, {"new_seq": seq, "new_hash": digest})
    return seq, digest


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_bad_seq: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def _rows(connection: sa.Connection, batch: int = 5000) -> Iterator[sa.Row[Any]]:
    last = 0
    while True:
        rows = connection.execute(
            sa.select(t.audit_log).where(t.audit_log.c.seq > last).order_by(t.audit_log.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(connection: sa.Connection) -> VerifyResult:
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for row in _rows(connection):
        problem = _check_row(row, expected_seq, prev_hash)
        if problem:
            return VerifyResult(checked, expected_seq, problem)
        prev_hash, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    head = connection.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash)).first()
    if head is None and checked:
        return VerifyResult(checked, checked, "the chain's head record is missing")
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return VerifyResult(checked, checked + 1, "entries after the last intact one were removed")
    return VerifyResult(checked, None, None)


def _check_row(row: sa.Row[Any], expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        return f"entry {expected_seq} is missing"
    if row.prev_hash != prev_hash:
        return "its link to the previous entry is broken"
    entry = AuditEntry(
        at=row.at,
        actor_user_id=row.actor_user_id,
        actor_partner_id=row.actor_partner_id,
        command=row.command,
        record_ids=row.record_ids,
        details=row.details,
    )
    if entry_hash(row.seq, prev_hash, entry) != row.hash:
        return "its content does not match its hash (it was altered)"
    return None
