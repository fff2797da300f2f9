"""The network directory as other capabilities read it: plain facts about partners and people."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.domains.incidents.ports import PartnerInfo


class SqlDirectory:
    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection
        self._partners: dict[uuid.UUID, PartnerInfo | None] = {}

    def partner(self, partner_id: uuid.UUID) -> PartnerInfo | None:
        if partner_id not in self._partners:
            row = self._conn.execute(
                sa.select(
                    t.partners.c.id,
                    t.partners.c.code,
                    t.partners.c.name,
                    t.partners.c.country,
                    t.partners.c.languages,
                ).where(t.partners.c.id == partner_id)
            ).first()
            self._partners[partner_id] = (
                None
                if row is None
                else PartnerInfo(
                    id=row.id,
                    code=row.code,
                    name=row.name,
                    country=row.country,
                    languages=tuple(row.languages),
                )
            )
        return self._partners[partner_id]

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        partner: uuid.UUID | None = self._conn.execute(
            sa.select(t.users.c.partner_id).where(t.users.c.id == user_id)
        ).scalar_one_or_none()
        return partner
