"""Storage of dataset access requests (rows, not aggregates; never commits)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.domains.datasets.access import AccessRequest, AccessScope, AccessStatus
from crisislink.kernel.errors import NotFound

A = t.dataset_access_requests


def _row(request: AccessRequest) -> dict[str, Any]:
    row = asdict(request)
    row["status"] = request.status.value
    row["scope"] = request.scope.value if request.scope else None
    return row


def access_from_row(row: Mapping[Any, Any]) -> AccessRequest:
    values = {column.name: row[column.name] for column in A.columns}
    values["status"] = AccessStatus(values["status"])
    values["scope"] = AccessScope(values["scope"]) if values["scope"] else None
    return AccessRequest(**values)


class AccessRequestStore:
    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def add(self, request: AccessRequest) -> None:
        self._conn.execute(A.insert().values(**_row(request)))

    def get(self, request_id: uuid.UUID) -> AccessRequest:
        row = self._conn.execute(sa.select(A).where(A.c.id == request_id)).mappings().first()
        if row is None:
            raise NotFound(f"no access request with id {request_id}")
        return access_from_row(row)

    def save(self, request: AccessRequest) -> None:
        self._conn.execute(A.update().where(A.c.id == request.id).values(**_row(request)))

    def open_for(self, dataset_id: uuid.UUID, partner_id: uuid.UUID) -> AccessRequest | None:
        query = sa.select(A).where(
            A.c.dataset_id == dataset_id,
            A.c.partner_id == partner_id,
            A.c.status.in_([AccessStatus.PENDING.value, AccessStatus.GRANTED.value]),
        )
        row = self._conn.execute(query).mappings().first()
        return None if row is None else access_from_row(row)

    def due_to_end(self, moment: datetime) -> list[AccessRequest]:
        query = sa.select(A).where(A.c.status == AccessStatus.GRANTED.value, A.c.expires_at <= moment)
        return [access_from_row(row) for row in self._conn.execute(query).mappings()]
