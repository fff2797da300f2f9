"""The network directory as other capabilities read it: plain facts about partners and people."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.domains.incidents.ports import PartnerInfo
from crisislink.domains.warnings.ports import WarningPartner


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


class SqlWarningDirectory:
    """The directory as the warnings capability reads it: which partners approve in which country."""

    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def _select(self) -> sa.Select[tuple[uuid.UUID, str, bool]]:
        return sa.select(t.partners.c.id, t.partners.c.country, t.partners.c.approves_warnings)

    def partner(self, partner_id: uuid.UUID) -> WarningPartner | None:
        row = self._conn.execute(self._select().where(t.partners.c.id == partner_id)).first()
        return None if row is None else WarningPartner(row.id, row.country, row.approves_warnings)

    def partners_in(self, country: str) -> list[WarningPartner]:
        rows = self._conn.execute(
            self._select().where(t.partners.c.country == country, t.partners.c.external.is_(False))
        )
        return [WarningPartner(row.id, row.country, row.approves_warnings) for row in rows]

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        return SqlDirectory(self._conn).partner_of_user(user_id)
