"""Queries of the network directory: nodes, partners, users, points of contact."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.functions import fold
from crisislink.adapters.db.queries.views import (
    AudienceMember,
    ContactPointView,
    NodeView,
    PartnerView,
    UserView,
    record,
)
from crisislink.domains.sharing.contacts import StaffedHours
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

MAX_PAGE = 1000


@dataclass(frozen=True)
class ContactFilter:
    partner_id: uuid.UUID | None = None
    country: str | None = None
    role: str | None = None
    language: str | None = None
    search: str | None = None
    limit: int = 200
    offset: int = 0


def list_nodes(engine: Engine) -> list[NodeView]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.nodes).order_by(t.nodes.c.code)).mappings()
        return [msgspec.convert(record(row), NodeView) for row in rows]


_PARTNER_COLUMNS = [c for c in t.partners.c if c.name != "jurisdiction"]


def list_partners(engine: Engine, country: str | None = None, kind: str | None = None) -> list[PartnerView]:
    query = sa.select(*_PARTNER_COLUMNS).order_by(t.partners.c.country, t.partners.c.code)
    if country:
        query = query.where(t.partners.c.country == country.upper())
    if kind:
        query = query.where(t.partners.c.kind == kind)
    with engine.connect() as conn:
        return [msgspec.convert(record(row), PartnerView) for row in conn.execute(query).mappings()]


def get_partner(engine: Engine, partner_id: uuid.UUID) -> PartnerView:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(*_PARTNER_COLUMNS).where(t.partners.c.id == partner_id)).mappings().first()
        )
    if row is None:
        raise NotFound(f"no partner with id {partner_id}")
    return msgspec.convert(record(row), PartnerView)


def _user_scope(viewer: Viewer, is_node_admin: bool) -> sa.ColumnElement[bool]:
    # People are listed to their own organisation (and node administrators), not to the whole network.
    return sa.true() if is_node_admin else t.users.c.partner_id == viewer.partner_id


_USER_COLUMNS = [c for c in t.users.c if c.name != "password_hash"]


def list_users(engine: Engine, viewer: Viewer, *, is_node_admin: bool) -> list[UserView]:
    query = sa.select(*_USER_COLUMNS).where(_user_scope(viewer, is_node_admin)).order_by(t.users.c.username)
    with engine.connect() as conn:
        return [msgspec.convert(record(row), UserView) for row in conn.execute(query).mappings()]


def get_user(engine: Engine, viewer: Viewer, user_id: uuid.UUID, *, is_node_admin: bool) -> UserView:
    query = sa.select(*_USER_COLUMNS).where(t.users.c.id == user_id, _user_scope(viewer, is_node_admin))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no user with id {user_id} that you may see")
    return msgspec.convert(record(row), UserView)


def audience_column(table: sa.Table) -> sa.ScalarSelect[str]:
    """The record's audience as 'kind:id' items joined by commas, fetched in the same query."""
    a = t.audience.c
    item = a.principal_kind + sa.literal(":") + sa.cast(a.principal_id, sa.String)
    return sa.select(sa.func.aggregate_strings(item, ",")).where(a.record_id == table.c.id).scalar_subquery()


_CONTACT_COLUMNS = (*t.contact_points.c, audience_column(t.contact_points).label("audience"))


def _contact_query(viewer: Viewer, flt: ContactFilter) -> sa.Select[Any]:
    c = t.contact_points.c
    query = sa.select(*_CONTACT_COLUMNS).where(visible_to(viewer, t.contact_points))
    if flt.partner_id:
        query = query.where(c.owner_partner_id == flt.partner_id)
    if flt.country:
        owners = sa.select(t.partners.c.id).where(t.partners.c.country == flt.country.upper())
        query = query.where(c.owner_partner_id.in_(owners))
    if flt.role:
        query = query.where(c.role == flt.role)
    if flt.language:
        # Languages are short codes in a JSON array; matching the quoted code works on SQLite and PostgreSQL.
        query = query.where(sa.cast(c.languages, sa.String).like(f'%"{flt.language.lower()}"%'))
    if flt.search:
        query = query.where(fold(c.name).contains(flt.search.lower(), autoescape=True))
    return query.order_by(c.owner_partner_id, c.role, c.name)


def audience_members(joined: str | None) -> list[AudienceMember]:
    members = []
    for item in sorted((joined or "").split(",")):
        kind, _, principal = item.partition(":")
        if principal:
            members.append(AudienceMember(kind=kind, id=uuid.UUID(principal)))
    return members


def _contact_view(row: Mapping[str, Any], now: datetime) -> ContactPointView:
    hours = msgspec.convert(row["hours"], StaffedHours)
    return msgspec.convert(
        {**row, "audience": audience_members(row["audience"]), "staffed_now": hours.is_staffed(now)},
        ContactPointView,
        from_attributes=True,
    )


def list_contact_points(
    engine: Engine, viewer: Viewer, flt: ContactFilter, now: datetime
) -> list[ContactPointView]:
    query = _contact_query(viewer, flt).limit(min(flt.limit, MAX_PAGE)).offset(flt.offset)
    return _contact_views(engine, query, now)


def all_contact_points(engine: Engine, viewer: Viewer, now: datetime) -> list[ContactPointView]:
    """Every point of contact the viewer may see, unpaged: an export is complete or it misleads."""
    return _contact_views(engine, _contact_query(viewer, ContactFilter()), now)


def _contact_views(engine: Engine, query: sa.Select[Any], now: datetime) -> list[ContactPointView]:
    with engine.connect() as conn:
        rows = [record(row) for row in conn.execute(query).mappings()]
    return [_contact_view(row, now) for row in rows]


@lru_cache(maxsize=1024)
def _contact_by_id(viewer: Viewer) -> sa.Select[Any]:
    # One statement object per viewer: SQLAlchemy keeps its cache key, which costs more to compute for
    # the policy's clauses than running the query itself.
    return sa.select(*_CONTACT_COLUMNS).where(
        t.contact_points.c.id == sa.bindparam("contact_id"),
        visible_to(viewer, t.contact_points, correlated=True),
    )


def get_contact_point(
    engine: Engine, viewer: Viewer, contact_id: uuid.UUID, now: datetime
) -> ContactPointView:
    with engine.connect() as conn:
        row = conn.execute(_contact_by_id(viewer), {"contact_id": contact_id}).mappings().first()
    if row is None:
        raise NotFound(f"no point of contact with id {contact_id} that you may see")
    return _contact_view(record(row), now)


@dataclass(frozen=True)
class Credentials:
    id: uuid.UUID
    password_hash: str
    active: bool


def credentials_of(engine: Engine, username: str) -> Credentials | None:
    """For signing in only: the password hash never leaves the authentication service."""
    u = t.users.c
    with engine.connect() as conn:
        row = conn.execute(sa.select(u.id, u.password_hash, u.active).where(u.username == username)).first()
    return None if row is None else Credentials(row.id, row.password_hash, row.active)
