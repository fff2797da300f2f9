"""The network directory as the readiness capability reads it: points of contact, partners, people.

Lists of contacts go through the sharing policy in SQL (`access.visible_to`) as seen by a partner's
staff: a communication test organised by a partner reaches only the contacts that partner may see.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.readiness_repositories import contact_label
from crisislink.domains.readiness.ports import ContactFacts, PartnerFacts, PersonFacts
from crisislink.domains.sharing.policy import Viewer

DUTY_DESK = "duty_desk_24_7"
NATIONAL_CENTRE = "national_crisis_centre"
# A member of the partner with no personal grants: what the partner's staff may see.
_STAFF = uuid.UUID(int=0)
_CP, _P = t.contact_points, t.partners
# The order a test walks a partner's contacts: its desks first, as the incidents' escalation does.
_ROLE_ORDER = sa.case({DUTY_DESK: 0}, value=_CP.c.role, else_=1)


def _select() -> sa.Select[Any]:
    return sa.select(
        _CP.c.id,
        _CP.c.owner_partner_id,
        _CP.c.name,
        _CP.c.role,
        _CP.c.channels,
        _CP.c.id.label("label_contact_id"),
        _CP.c.owner_partner_id.label("label_owner"),
        _CP.c.home_node_id.label("label_node"),
        _CP.c.marking.label("label_marking"),
    ).join(_P, _P.c.id == _CP.c.owner_partner_id)


class SqlReadinessNetwork:
    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def _facts(self, row: Mapping[Any, Any]) -> ContactFacts:
        return ContactFacts(
            id=row["id"],
            partner_id=row["owner_partner_id"],
            name=row["name"],
            role=row["role"],
            channels=tuple((c["kind"], c["value"]) for c in row["channels"]),
            label=contact_label(self._conn, row),
            home_node_id=row["label_node"],
        )

    def _list(self, query: sa.Select[Any], seen_by: uuid.UUID) -> list[ContactFacts]:
        visible = visible_to(Viewer(user_id=_STAFF, partner_id=seen_by), _CP)
        ordered = query.where(visible).order_by(_P.c.country, _P.c.code, _ROLE_ORDER, _CP.c.name, _CP.c.id)
        return [self._facts(row) for row in self._conn.execute(ordered).mappings()]

    def contact(self, contact_point_id: uuid.UUID) -> ContactFacts | None:
        row = self._conn.execute(_select().where(_CP.c.id == contact_point_id)).mappings().first()
        return None if row is None else self._facts(row)

    def contacts(self, seen_by: uuid.UUID, partners: frozenset[uuid.UUID]) -> list[ContactFacts]:
        query = _select()
        if partners:
            query = query.where(_CP.c.owner_partner_id.in_(sorted(partners)))
        return self._list(query, seen_by)

    def desks_of(self, partner_id: uuid.UUID, seen_by: uuid.UUID) -> list[ContactFacts]:
        query = _select().where(_CP.c.owner_partner_id == partner_id, _CP.c.role == DUTY_DESK)
        return self._list(query, seen_by)

    def national_desks(self, country: str, seen_by: uuid.UUID) -> list[ContactFacts]:
        query = _select().where(
            _P.c.country == country, _P.c.kind == NATIONAL_CENTRE, _CP.c.role == DUTY_DESK
        )
        return self._list(query, seen_by)

    def partner(self, partner_id: uuid.UUID) -> PartnerFacts | None:
        row = self._conn.execute(
            sa.select(_P.c.id, _P.c.country, _P.c.kind).where(_P.c.id == partner_id)
        ).first()
        return None if row is None else PartnerFacts(id=row.id, country=row.country, kind=row.kind)

    def person(self, user_id: uuid.UUID) -> PersonFacts | None:
        u = t.users.c
        row = self._conn.execute(sa.select(u.display_name, u.email).where(u.id == user_id)).first()
        return None if row is None else PersonFacts(name=row.display_name, email=row.email)

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        found: uuid.UUID | None = self._conn.execute(
            sa.select(t.users.c.partner_id).where(t.users.c.id == user_id)
        ).scalar_one_or_none()
        return found
