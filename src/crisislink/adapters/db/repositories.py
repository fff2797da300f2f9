"""Repositories over SQLAlchemy Core. They never commit: the unit of work does.

Each repository keeps an identity map of what it loaded, with a snapshot of the row; the unit of work
asks it to flush, and only rows that differ are written, guarded by their version (optimistic locking).
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, Generic, TypeVar

import msgspec
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.geo.points import representative_point
from crisislink.domains.sharing.contacts import Channel, ContactPoint, ContactRole, StaffedHours
from crisislink.domains.sharing.model import (
    ApiToken,
    Node,
    Partner,
    PartnerKind,
    Role,
    Scope,
    User,
)
from crisislink.kernel.aggregate import Aggregate, Shareable
from crisislink.kernel.errors import Conflict, NotFound
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp

A = TypeVar("A", bound=Aggregate)
Row = dict[str, Any]


# Statements are built once per table: SQLAlchemy keeps a statement object's cache key, and building
# and keying a new object on every call costs more than SQLite's work for a one-row write.
@cache
def _insert(table: sa.Table) -> sa.Insert:
    return table.insert()


@cache
def _by_id(table: sa.Table) -> sa.Select[Any]:
    return sa.select(table).where(table.c.id == sa.bindparam("record_id"))


@cache
def _exists(table: sa.Table) -> sa.Select[Any]:
    return sa.select(table.c.id).where(table.c.id == sa.bindparam("record_id"))


@cache
def _versioned_update(table: sa.Table) -> sa.Update:
    return table.update().where(
        table.c.id == sa.bindparam("where_id"), table.c.version == sa.bindparam("where_version")
    )


_AUDIENCE_INSERT = t.audience.insert()


class _Repository(abc.ABC, Generic[A]):
    table: sa.Table
    noun: str

    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection
        self._seen: dict[uuid.UUID, tuple[A, Row]] = {}
        self._removed: set[uuid.UUID] = set()
        self.changed: list[uuid.UUID] = []

    @abc.abstractmethod
    def _to_row(self, aggregate: A) -> Row: ...

    @abc.abstractmethod
    def _from_row(self, row: Mapping[str, Any]) -> A: ...

    def _state(self, aggregate: A) -> Row:
        """What is compared to decide whether a loaded aggregate changed."""
        return self._to_row(aggregate)

    def seen(self) -> Iterator[A]:
        return (aggregate for aggregate, _ in self._seen.values())

    def add(self, aggregate: A) -> None:
        aggregate.version = 1
        self._conn.execute(_insert(self.table), {**self._written_row(aggregate), "version": 1})
        self._after_insert(aggregate)
        self._seen[aggregate.id] = (aggregate, self._state(aggregate))
        self.changed.append(aggregate.id)

    def get(self, record_id: uuid.UUID) -> A:
        if record_id in self._seen and record_id not in self._removed:
            return self._seen[record_id][0]
        aggregate = self._find_by_id(record_id)
        if aggregate is None:
            raise NotFound(f"no {self.noun} with id {record_id}")
        return aggregate

    def require(self, record_id: uuid.UUID) -> None:
        """Raise NotFound unless the record exists; loads nothing (a partner's row carries its polygon)."""
        if record_id in self._seen and record_id not in self._removed:
            return
        found = self._conn.execute(_exists(self.table), {"record_id": record_id}).first()
        if found is None:
            raise NotFound(f"no {self.noun} with id {record_id}")

    def _find_by_id(self, record_id: uuid.UUID) -> A | None:
        return self._load(_by_id(self.table), {"record_id": record_id})

    def _find(self, condition: sa.ColumnElement[bool]) -> A | None:
        return self._load(sa.select(self.table).where(condition))

    def _load(self, query: sa.Select[Any], parameters: Mapping[str, Any] | None = None) -> A | None:
        row = self._conn.execute(query, parameters).mappings().first()
        if row is None:
            return None
        known = self._seen.get(row["id"])
        if known is not None:
            return known[0]
        aggregate = self._from_row(dict(row))
        self._seen[aggregate.id] = (aggregate, self._state(aggregate))
        return aggregate

    def remove(self, aggregate: A) -> None:
        result = self._conn.execute(
            self.table.delete().where(
                self.table.c.id == aggregate.id, self.table.c.version == aggregate.version
            )
        )
        if result.rowcount != 1:
            raise Conflict(
                f"the {self.noun} {aggregate.id} was changed by someone else; reload it and try again"
            )
        self._after_remove(aggregate)
        self._removed.add(aggregate.id)
        self.changed.append(aggregate.id)

    def flush(self) -> None:
        for record_id, (aggregate, snapshot) in list(self._seen.items()):
            if record_id in self._removed:
                continue
            state = self._state(aggregate)
            if state != snapshot:
                self._update(aggregate)
                self._seen[record_id] = (aggregate, state)

    def _update(self, aggregate: A) -> None:
        row = {**self._written_row(aggregate), "version": aggregate.version + 1}
        row.pop("id")
        result = self._conn.execute(
            _versioned_update(self.table),
            {**row, "where_id": aggregate.id, "where_version": aggregate.version},
        )
        if result.rowcount != 1:
            raise Conflict(
                f"the {self.noun} {aggregate.id} was changed by someone else; reload it and try again"
            )
        aggregate.version += 1
        self._after_update(aggregate)
        self.changed.append(aggregate.id)

    def _written_row(self, aggregate: A) -> Row:
        """The row as written; may add columns that are not compared to detect change (e.g. a stamp)."""
        return self._to_row(aggregate)

    def _after_insert(self, aggregate: A) -> None:
        """Hook for rows that live beside the main one (e.g. audiences)."""

    def _after_update(self, aggregate: A) -> None:
        """Hook for rows that live beside the main one (e.g. audiences)."""

    def _after_remove(self, aggregate: A) -> None:
        """Hook for rows that live beside the main one (e.g. audiences)."""


def _area_to_json(area: Area | None) -> dict[str, Any] | None:
    return None if area is None else {"geometry": dict(area.geometry), "ref": area.ref}


def _anchor(area: Area | None) -> dict[str, Any] | None:
    return None if area is None else representative_point(dict(area.geometry))


def _area_from_json(value: Mapping[str, Any] | None) -> Area | None:
    return None if value is None else Area(geometry=value["geometry"], ref=value.get("ref"))


class NodeRepository(_Repository[Node]):
    table = t.nodes
    noun = "node"

    def _to_row(self, node: Node) -> Row:
        return {
            "id": node.id,
            "code": node.code,
            "name": node.name,
            "country": node.country,
            "base_url": node.base_url,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Node:
        return Node(
            id=row["id"],
            version=row["version"],
            code=row["code"],
            name=row["name"],
            country=row["country"],
            base_url=row["base_url"],
        )

    def by_code(self, code: str) -> Node | None:
        return self._find(t.nodes.c.code == code)


class PartnerRepository(_Repository[Partner]):
    table = t.partners
    noun = "partner"

    def _to_row(self, partner: Partner) -> Row:
        return {
            "id": partner.id,
            "code": partner.code,
            "name": partner.name,
            "names": dict(partner.names),
            "country": partner.country,
            "kind": partner.kind.value,
            "home_node_id": partner.home_node_id,
            "languages": list(partner.languages),
            "external": partner.external,
            "jurisdiction_ref": partner.jurisdiction.ref if partner.jurisdiction else None,
            "jurisdiction": _area_to_json(partner.jurisdiction),
            "jurisdiction_anchor": _anchor(partner.jurisdiction),
            "approves_warnings": partner.approves_warnings,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Partner:
        return Partner(
            id=row["id"],
            version=row["version"],
            code=row["code"],
            name=row["name"],
            names=dict(row["names"]),
            country=row["country"],
            kind=PartnerKind(row["kind"]),
            home_node_id=row["home_node_id"],
            languages=tuple(row["languages"]),
            external=row["external"],
            jurisdiction=_area_from_json(row["jurisdiction"]),
            approves_warnings=row["approves_warnings"],
        )

    def by_code(self, code: str) -> Partner | None:
        return self._find(t.partners.c.code == code)


class UserRepository(_Repository[User]):
    table = t.users
    noun = "user"

    def _to_row(self, user: User) -> Row:
        return {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "partner_id": user.partner_id,
            "roles": sorted(role.value for role in user.roles),
            "password_hash": user.password_hash,
            "email": user.email,
            "locale": user.locale,
            "timezone": user.timezone,
            "active": user.active,
        }

    def _from_row(self, row: Mapping[str, Any]) -> User:
        return User(
            id=row["id"],
            version=row["version"],
            username=row["username"],
            display_name=row["display_name"],
            partner_id=row["partner_id"],
            roles=frozenset(Role(r) for r in row["roles"]),
            password_hash=row["password_hash"],
            email=row["email"],
            locale=row["locale"],
            timezone=row["timezone"],
            active=row["active"],
        )

    def by_username(self, username: str) -> User | None:
        return self._find(t.users.c.username == username)


class TokenRepository(_Repository[ApiToken]):
    table = t.api_tokens
    noun = "API token"

    def _to_row(self, token: ApiToken) -> Row:
        return {
            "id": token.id,
            "user_id": token.user_id,
            "name": token.name,
            "secret_hash": token.secret_hash,
            "scopes": sorted(s.value for s in token.scopes),
            "expires_at": token.expires_at,
            "revoked": token.revoked,
        }

    def _from_row(self, row: Mapping[str, Any]) -> ApiToken:
        return ApiToken(
            id=row["id"],
            version=row["version"],
            user_id=row["user_id"],
            name=row["name"],
            secret_hash=row["secret_hash"],
            scopes=frozenset(Scope(s) for s in row["scopes"]),
            expires_at=row["expires_at"],
            revoked=row["revoked"],
        )


S = TypeVar("S", bound=Shareable)


class _ShareableRepository(_Repository[S]):
    """Shareable records keep their audience in the shared `audience` table the policy joins."""

    def _state(self, aggregate: S) -> Row:
        audience = sorted((p.kind.value, str(p.id)) for p in aggregate.label.audience)
        return {**self._to_row(aggregate), "audience": audience}

    def _label_row(self, label: Label) -> Row:
        return {
            "owner_partner_id": label.owner_partner_id,
            "home_node_id": label.home_node_id,
            "marking": label.marking.value,
        }

    def _audience(self, record_id: uuid.UUID) -> frozenset[Principal]:
        rows = self._conn.execute(
            sa.select(t.audience.c.principal_kind, t.audience.c.principal_id).where(
                t.audience.c.record_id == record_id
            )
        )
        return frozenset(Principal(PrincipalKind(kind), pid) for kind, pid in rows)

    def _label_from_row(self, row: Mapping[str, Any]) -> Label:
        return Label(
            owner_partner_id=row["owner_partner_id"],
            home_node_id=row["home_node_id"],
            marking=Tlp(row["marking"]),
            audience=self._audience(row["id"]),
        )

    def _after_insert(self, aggregate: S) -> None:
        write_audience(self._conn, aggregate.id, aggregate.label.audience)

    def _after_update(self, aggregate: S) -> None:
        # Not through the other hooks: a subclass extends those with rows of its own.
        self._delete_audience(aggregate)
        write_audience(self._conn, aggregate.id, aggregate.label.audience)

    def _after_remove(self, aggregate: S) -> None:
        self._delete_audience(aggregate)

    def _delete_audience(self, aggregate: S) -> None:
        self._conn.execute(t.audience.delete().where(t.audience.c.record_id == aggregate.id))


def write_audience(connection: sa.Connection, record_id: uuid.UUID, audience: frozenset[Principal]) -> None:
    if audience:
        connection.execute(
            _AUDIENCE_INSERT,
            [
                {"record_id": record_id, "principal_kind": p.kind.value, "principal_id": p.id}
                for p in sorted(audience)
            ],
        )


class ContactPointRepository(_ShareableRepository[ContactPoint]):
    table = t.contact_points
    noun = "point of contact"

    def _to_row(self, contact: ContactPoint) -> Row:
        return {
            "id": contact.id,
            **self._label_row(contact.label),
            "role": contact.role.value,
            "name": contact.name,
            "channels": msgspec.to_builtins(contact.channels),
            "languages": list(contact.languages),
            "hours": msgspec.to_builtins(contact.hours, order="sorted"),
            "notes": contact.notes,
        }

    def _from_row(self, row: Mapping[str, Any]) -> ContactPoint:
        return ContactPoint(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            role=ContactRole(row["role"]),
            name=row["name"],
            channels=msgspec.convert(row["channels"], type=tuple[Channel, ...]),
            languages=tuple(row["languages"]),
            hours=msgspec.convert(row["hours"], type=StaffedHours),
            notes=row["notes"],
        )
