"""Queries of the rota. A rota is seen exactly by those who may see its point of contact.

Every query filters the contact through the sharing policy (`access.visible_to` on `contact_points`) and
reads only the shifts of the contacts it admitted: a desk you may not see has no rota for you (404).
Who holds a desk is computed by the domain's own rule (`rota.desk_state`), not a second copy of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.readiness_views import (
    HandoverView,
    NoteView,
    OnDutyView,
    PartnerDuty,
    ShiftView,
)
from crisislink.domains.readiness.rota import DutyPerson, DutyShift, ShiftRole, desk_state
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Label, Tlp

MAX_PAGE = 500
DUTY_DESK = "duty_desk_24_7"
LOOK_AHEAD = timedelta(days=14)  # how far the board looks for a desk's next shift
_CP, _S, _P = t.contact_points, t.duty_shifts, t.partners
_CONTACT_COLUMNS = (
    _CP.c.id,
    _CP.c.name,
    _CP.c.role,
    _CP.c.owner_partner_id,
    _CP.c.home_node_id,
    _CP.c.marking,
)


def _contact(conn: sa.Connection, viewer: Viewer, contact_id: uuid.UUID) -> Mapping[Any, Any]:
    query = sa.select(*_CONTACT_COLUMNS).where(
        _CP.c.id == contact_id, visible_to(viewer, _CP, correlated=True)
    )
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no point of contact with id {contact_id} that you may see")
    return row


def require_visible(engine: Engine, viewer: Viewer, contact_id: uuid.UUID) -> None:
    """NotFound unless the viewer may see the desk: a write on a desk you may not see is a 404, not a 403."""
    with engine.connect() as conn:
        _contact(conn, viewer, contact_id)


def shift_view(row: Mapping[Any, Any]) -> ShiftView:
    notes = [
        NoteView(
            at=datetime.fromisoformat(n["at"]),
            by_user_id=uuid.UUID(n["by"]) if n["by"] else None,
            text=n["text"],
        )
        for n in row["notes"]
    ]
    return ShiftView(
        id=row["id"],
        contact_point_id=row["contact_point_id"],
        person_name=row["person_name"],
        person_user_id=row["person_user_id"],
        person_phone=row["person_phone"],
        role=row["role"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        notes=notes,
        version=row["version"],
    )


def _domain_shift(row: Mapping[Any, Any], label: Label) -> DutyShift:
    return DutyShift(
        id=row["id"],
        label=label,
        contact_point_id=row["contact_point_id"],
        person=DutyPerson(name=row["person_name"], user_id=row["person_user_id"], phone=row["person_phone"]),
        role=ShiftRole(row["role"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


def _on_duty(
    contact: Mapping[Any, Any], rows: Sequence[Mapping[Any, Any]], now: datetime, has_rota: bool
) -> OnDutyView:
    label = Label(contact["owner_partner_id"], contact["home_node_id"], Tlp(contact["marking"]))
    shifts = [_domain_shift(row, label) for row in rows]
    views = {row["id"]: shift_view(row) for row in rows}
    state = desk_state(shifts, now)
    upcoming = sorted(
        (s for s in shifts if s.role is ShiftRole.PRIMARY and s.starts_at > now), key=lambda s: s.starts_at
    )
    return OnDutyView(
        contact_point_id=contact["id"],
        contact_name=contact["name"],
        partner_id=contact["owner_partner_id"],
        role=contact["role"],
        staffed=state.staffed,
        acting=state.acting,
        holder=views[state.holder.id] if state.holder else None,
        deputies=[views[s.id] for s in state.deputies if not state.holder or s.id != state.holder.id],
        next_shift=views[upcoming[0].id] if upcoming else None,
        has_rota=has_rota,
    )


def _current_shifts(
    conn: sa.Connection, contact_ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, list[Any]]:
    found: dict[uuid.UUID, list[Any]] = {contact_id: [] for contact_id in contact_ids}
    if not contact_ids:
        return found
    query = (
        sa.select(_S)
        .where(_S.c.contact_point_id.in_(contact_ids), _S.c.ends_at > now, _S.c.starts_at < now + LOOK_AHEAD)
        .order_by(_S.c.starts_at, _S.c.id)
    )
    for row in conn.execute(query).mappings():
        found[row["contact_point_id"]].append(row)
    return found


def _with_rota(conn: sa.Connection, contact_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not contact_ids:
        return set()
    query = sa.select(_S.c.contact_point_id).where(_S.c.contact_point_id.in_(contact_ids)).distinct()
    return set(conn.execute(query).scalars())


def _desks(conn: sa.Connection, contacts: Sequence[Mapping[Any, Any]], now: datetime) -> list[OnDutyView]:
    ids = [c["id"] for c in contacts]
    shifts, rota = _current_shifts(conn, ids, now), _with_rota(conn, ids)
    return [_on_duty(c, shifts[c["id"]], now, c["id"] in rota) for c in contacts]


def shifts(
    engine: Engine,
    viewer: Viewer,
    contact_id: uuid.UUID,
    since: datetime,
    until: datetime,
    limit: int = MAX_PAGE,
) -> list[ShiftView]:
    """The desk's shifts that overlap [since, until), in order."""
    with engine.connect() as conn:
        _contact(conn, viewer, contact_id)
        query = (
            sa.select(_S)
            .where(_S.c.contact_point_id == contact_id, _S.c.ends_at > since, _S.c.starts_at < until)
            .order_by(_S.c.starts_at, _S.c.id)
            .limit(limit)
        )
        return [shift_view(row) for row in conn.execute(query).mappings()]


def get_shift(engine: Engine, viewer: Viewer, shift_id: uuid.UUID) -> ShiftView:
    with engine.connect() as conn:
        row = conn.execute(sa.select(_S).where(_S.c.id == shift_id)).mappings().first()
        if row is None:
            raise NotFound(f"no shift with id {shift_id}")
        try:
            _contact(conn, viewer, row["contact_point_id"])
        except NotFound:
            raise NotFound(f"no shift with id {shift_id}") from None
        return shift_view(row)


def on_duty(engine: Engine, viewer: Viewer, contact_id: uuid.UUID, now: datetime) -> OnDutyView:
    with engine.connect() as conn:
        contact = _contact(conn, viewer, contact_id)
        return _desks(conn, [contact], now)[0]


def _board_contacts(viewer: Viewer) -> sa.Select[Any]:
    """The 24/7 desks, and any other point of contact that keeps a rota, that the viewer may see."""
    has_rota = _CP.c.id.in_(sa.select(_S.c.contact_point_id))
    return sa.select(*_CONTACT_COLUMNS).where(visible_to(viewer, _CP), (_CP.c.role == DUTY_DESK) | has_rota)


def partner_on_duty(engine: Engine, viewer: Viewer, partner_id: uuid.UUID, now: datetime) -> list[OnDutyView]:
    query = _board_contacts(viewer).where(_CP.c.owner_partner_id == partner_id).order_by(_CP.c.name, _CP.c.id)
    with engine.connect() as conn:
        if conn.execute(sa.select(_P.c.id).where(_P.c.id == partner_id)).first() is None:
            raise NotFound(f"no partner with id {partner_id}")
        contacts = list(conn.execute(query).mappings())
        return _desks(conn, contacts, now)


def duty_board(engine: Engine, viewer: Viewer, now: datetime) -> list[PartnerDuty]:
    """Every partner's desks the viewer may see, with who holds each now; partners by country and code."""
    board = _board_contacts(viewer).subquery()
    query = (
        sa.select(board, _P.c.code, _P.c.name.label("partner_name"), _P.c.country)
        .join(_P, _P.c.id == board.c.owner_partner_id)
        .order_by(_P.c.country, _P.c.code, board.c.name, board.c.id)
    )
    with engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
        desks = {d.contact_point_id: d for d in _desks(conn, rows, now)}
    partners: dict[uuid.UUID, PartnerDuty] = {}
    for row in rows:
        entry = partners.setdefault(
            row["owner_partner_id"],
            PartnerDuty(row["owner_partner_id"], row["code"], row["partner_name"], row["country"], []),
        )
        entry.desks.append(desks[row["id"]])
    return list(partners.values())


def handovers(engine: Engine, viewer: Viewer, contact_id: uuid.UUID, limit: int = 20) -> list[HandoverView]:
    h = t.duty_handovers
    source, target = _S.alias("source"), _S.alias("target")
    query = (
        sa.select(h, source.c.person_name.label("from_name"), target.c.person_name.label("to_name"))
        .outerjoin(source, source.c.id == h.c.from_shift_id)
        .join(target, target.c.id == h.c.to_shift_id)
        .where(h.c.contact_point_id == contact_id)
        .order_by(h.c.at.desc(), h.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        _contact(conn, viewer, contact_id)
        return [
            HandoverView(
                id=row["id"],
                contact_point_id=row["contact_point_id"],
                from_name=row["from_name"],
                to_name=row["to_name"],
                at=row["at"],
                by_user_id=row["by_user_id"],
                note=row["note"],
            )
            for row in conn.execute(query).mappings()
        ]
