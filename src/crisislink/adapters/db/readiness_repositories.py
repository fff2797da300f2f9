"""Repositories of the rota: shifts, desks and hand-overs. They never commit.

Rota records (shifts, desks, hand-overs) have no label of their own: each is loaded with the label of its
point of contact, read from `contact_points` at load time, so a relabelled contact relabels its rota too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.repositories import Row, _Repository
from crisislink.domains.readiness.rota import (
    Annotation,
    Desk,
    DeskStatus,
    DutyPerson,
    DutyShift,
    Handover,
    ShiftRole,
)
from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp

C = TypeVar("C", bound=Shareable)
_CP = t.contact_points


def contact_label(connection: sa.Connection, row: Mapping[Any, Any]) -> Label:
    """The label of a contact point from its owner, node and marking columns, with its audience."""
    audience = connection.execute(
        sa.select(t.audience.c.principal_kind, t.audience.c.principal_id).where(
            t.audience.c.record_id == row["label_contact_id"]
        )
    )
    return Label(
        owner_partner_id=row["label_owner"],
        home_node_id=row["label_node"],
        marking=Tlp(row["label_marking"]),
        audience=frozenset(Principal(PrincipalKind(kind), pid) for kind, pid in audience),
    )


class _FollowsContact(_Repository[C]):
    """A record whose label is its point of contact's; a record of a removed contact is not found."""

    def __init__(self, connection: sa.Connection, now: Callable[[], datetime]) -> None:
        super().__init__(connection)
        self._now = now

    def _contact_column(self) -> sa.ColumnElement[uuid.UUID]:
        return self.table.c.contact_point_id

    def _find_by_id(self, record_id: uuid.UUID) -> C | None:
        return self._find(self.table.c.id == record_id)  # with its point of contact's label

    def _find(self, condition: sa.ColumnElement[bool]) -> C | None:
        query = (
            sa.select(
                self.table,
                _CP.c.id.label("label_contact_id"),
                _CP.c.owner_partner_id.label("label_owner"),
                _CP.c.home_node_id.label("label_node"),
                _CP.c.marking.label("label_marking"),
            )
            .join(_CP, _CP.c.id == self._contact_column())
            .where(condition)
        )
        row = self._conn.execute(query).mappings().first()
        if row is None:
            return None
        known = self._seen.get(row["id"])
        if known is not None:
            return known[0]
        aggregate = self._from_row({**row, "label": contact_label(self._conn, row)})
        self._seen[aggregate.id] = (aggregate, self._state(aggregate))
        return aggregate

    def _ids(self, condition: sa.ColumnElement[bool]) -> list[C]:
        self.flush()  # the query must see changes made in this unit of work (a moved shift end)
        ids = self._conn.execute(sa.select(self.table.c.id).where(condition)).scalars().all()
        found = (self._find(self.table.c.id == record_id) for record_id in ids)
        return [record for record in found if record is not None]


def _person(row: Mapping[str, Any]) -> DutyPerson:
    return DutyPerson(name=row["person_name"], user_id=row["person_user_id"], phone=row["person_phone"])


class ShiftRepository(_FollowsContact[DutyShift]):
    table = t.duty_shifts
    noun = "shift"

    def _to_row(self, shift: DutyShift) -> Row:
        return {
            "id": shift.id,
            "contact_point_id": shift.contact_point_id,
            "person_name": shift.person.name,
            "person_user_id": shift.person.user_id,
            "person_phone": shift.person.phone,
            "role": shift.role.value,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            "notes": [
                {"at": n.at.isoformat(), "by": str(n.by_user_id) if n.by_user_id else None, "text": n.text}
                for n in shift.notes
            ],
            "created_at": shift.created_at,
            "created_by": shift.created_by,
        }

    def _written_row(self, shift: DutyShift) -> Row:
        return {**self._to_row(shift), "updated_at": self._now()}

    def _from_row(self, row: Mapping[str, Any]) -> DutyShift:
        return DutyShift(
            id=row["id"],
            version=row["version"],
            label=row["label"],
            contact_point_id=row["contact_point_id"],
            person=_person(row),
            role=ShiftRole(row["role"]),
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            notes=tuple(
                Annotation(
                    at=datetime.fromisoformat(n["at"]),
                    by_user_id=uuid.UUID(n["by"]) if n["by"] else None,
                    text=n["text"],
                )
                for n in row["notes"]
            ),
            created_at=row["created_at"],
            created_by=row["created_by"],
        )

    def at_desk(self, contact_point_id: uuid.UUID, starts: datetime, ends: datetime) -> list[DutyShift]:
        s = self.table.c
        return self._ids(
            (s.contact_point_id == contact_point_id) & (s.starts_at < ends) & (s.ends_at > starts)
        )


class DeskRepository(_FollowsContact[Desk]):
    table = t.duty_desks
    noun = "desk"

    def _contact_column(self) -> sa.ColumnElement[uuid.UUID]:
        return self.table.c.id

    def _to_row(self, desk: Desk) -> Row:
        return {
            "id": desk.id,
            "status": desk.status.value,
            "holder_shift_id": desk.holder_shift_id,
            "since": desk.since,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Desk:
        return Desk(
            id=row["id"],
            version=row["version"],
            label=row["label"],
            status=DeskStatus(row["status"]),
            holder_shift_id=row["holder_shift_id"],
            since=row["since"],
        )

    def find(self, contact_point_id: uuid.UUID) -> Desk | None:
        return self._find(self.table.c.id == contact_point_id)

    def tracked(self) -> list[Desk]:
        return self._ids(sa.true())


class HandoverRepository(_FollowsContact[Handover]):
    table = t.duty_handovers
    noun = "hand-over"

    def _to_row(self, handover: Handover) -> Row:
        return {
            "id": handover.id,
            "contact_point_id": handover.contact_point_id,
            "from_shift_id": handover.from_shift_id,
            "to_shift_id": handover.to_shift_id,
            "at": handover.at,
            "by_user_id": handover.by_user_id,
            "note": handover.note,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Handover:
        return Handover(
            id=row["id"],
            version=row["version"],
            label=row["label"],
            contact_point_id=row["contact_point_id"],
            from_shift_id=row["from_shift_id"],
            to_shift_id=row["to_shift_id"],
            at=row["at"],
            by_user_id=row["by_user_id"],
            note=row["note"],
        )
