"""Queries of public warnings. Every one filters with the sharing policy; a record you may not see is
answered as not found, whatever it is."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.directory import audience_column, audience_members
from crisislink.adapters.db.queries.views import record
from crisislink.adapters.db.queries.warning_views import (
    DeliveryView,
    MessageView,
    WarningSummary,
    WarningView,
)
from crisislink.adapters.db.warning_repositories import warning_from_row
from crisislink.domains.sharing.policy import Viewer
from crisislink.domains.warnings.model import PublicWarning
from crisislink.kernel.errors import NotFound

MAX_PAGE = 500
W = t.public_warnings


@dataclass(frozen=True)
class WarningFilter:
    state: str | None = None
    incident_id: uuid.UUID | None = None
    limit: int = 100
    offset: int = 0


def _builtins(value: object) -> Any:
    return msgspec.to_builtins(value, order="sorted")


def _summary(warning: PublicWarning, updated_at: Any) -> WarningSummary:
    first = next(iter(warning.content().texts), None)
    return WarningSummary(
        id=warning.id,
        state=warning.state.value,
        status=warning.status.value,
        hazard=_builtins(warning.hazard),
        severity=warning.severity.value,
        headline=first[1].headline if first else "",
        countries=list(warning.targeting.countries),
        incident_id=warning.incident_id,
        owner_partner_id=warning.label.owner_partner_id or uuid.UUID(int=0),
        marking=warning.label.marking.value,
        onset=warning.onset,
        expires=warning.expires,
        revision=warning.revision,
        pending_approvals=list(warning.pending_approvals()),
        updated_at=updated_at,
        version=warning.version,
    )


def list_warnings(engine: Engine, viewer: Viewer, flt: WarningFilter) -> list[WarningSummary]:
    query = sa.select(W).where(visible_to(viewer, W))
    if flt.state is not None:
        query = query.where(W.c.state == flt.state)
    if flt.incident_id is not None:
        query = query.where(W.c.incident_id == flt.incident_id)
    query = query.order_by(W.c.updated_at.desc(), W.c.id).limit(flt.limit).offset(flt.offset)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
        return [_summary(warning_from_row(conn, record(row)), row["updated_at"]) for row in rows]


def _message(message: Any) -> MessageView:
    return MessageView(
        identifier=message.identifier,
        sender=message.sender,
        sent=message.sent,
        msg_type=message.msg_type.value,
        references=_builtins(message.references),
        revision=message.revision,
        note=message.note,
        languages=list(message.content.languages()),
    )


def _view(warning: PublicWarning, row: Mapping[str, Any]) -> WarningView:
    level = warning.awareness_level
    return WarningView(
        id=warning.id,
        state=warning.state.value,
        status=warning.status.value,
        incident_id=warning.incident_id,
        hazard=_builtins(warning.hazard),
        severity=warning.severity.value,
        urgency=warning.urgency.value,
        certainty=warning.certainty.value,
        awareness_level=_builtins(level) if level is not None else None,
        response_types=[r.value for r in warning.response_types],
        texts=_builtins(warning.texts),
        languages=list(warning.content().languages()),
        missing_languages=list(warning.missing_languages()),
        onset=warning.onset,
        expires=warning.expires,
        area=row["area"]["geometry"],
        area_description=warning.area_description,
        targeting=_builtins(warning.targeting),
        revision=warning.revision,
        issued_revision=warning.issued_revision,
        approvals=row["approvals"],
        pending_approvals=list(warning.pending_approvals()),
        comments=row["comments"],
        parts=row["parts"],
        messages=[_message(m) for m in warning.messages],
        marking=warning.label.marking.value,
        audience=audience_members(row["audience"]),
        owner_partner_id=row["owner_partner_id"],
        home_node_id=row["home_node_id"],
        created_at=warning.created_at,
        created_by=warning.created_by,
        updated_at=row["updated_at"],
        version=warning.version,
    )


def _visible_row(conn: sa.Connection, viewer: Viewer, warning_id: uuid.UUID) -> dict[str, Any]:
    query = sa.select(*W.c, audience_column(W).label("audience")).where(
        W.c.id == warning_id, visible_to(viewer, W, correlated=True)
    )
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no warning with id {warning_id} that you may see")
    return record(row)


def get_warning(engine: Engine, viewer: Viewer, warning_id: uuid.UUID) -> WarningView:
    with engine.connect() as conn:
        row = _visible_row(conn, viewer, warning_id)
        return _view(warning_from_row(conn, row), row)


def get_warning_model(engine: Engine, viewer: Viewer, warning_id: uuid.UUID) -> PublicWarning:
    """The domain's warning, for read-only rendering (CAP preview, documents); policy-checked."""
    with engine.connect() as conn:
        return warning_from_row(conn, _visible_row(conn, viewer, warning_id))


P = t.warning_publications
D = t.warning_deliveries


def deliveries(engine: Engine, viewer: Viewer, warning_id: uuid.UUID) -> list[DeliveryView]:
    """Where each message went and how it fared; only for a warning you may see."""
    with engine.connect() as conn:
        _visible_row(conn, viewer, warning_id)
        rows = conn.execute(
            sa.select(D, P.c.identifier, P.c.country)
            .join(P, P.c.id == D.c.publication_id)
            .where(P.c.warning_id == warning_id)
            .order_by(D.c.created_at, P.c.identifier, D.c.channel)
        ).mappings()
        return [
            msgspec.convert(
                {**record(row), "country": row["country"] or None}, DeliveryView, from_attributes=True
            )
            for row in rows
        ]


def cap_message(
    engine: Engine, viewer: Viewer, warning_id: uuid.UUID, identifier: str, country: str | None
) -> bytes:
    """The signed CAP bytes of one message as it went out (whole, or one country's part)."""
    with engine.connect() as conn:
        _visible_row(conn, viewer, warning_id)
        found: bytes | None = conn.execute(
            sa.select(P.c.cap_xml).where(
                P.c.warning_id == warning_id, P.c.identifier == identifier, P.c.country == (country or "")
            )
        ).scalar_one_or_none()
    if found is None:
        raise NotFound(
            f"no CAP message {identifier} of this warning" + (f" for {country}" if country else "")
        )
    return found
