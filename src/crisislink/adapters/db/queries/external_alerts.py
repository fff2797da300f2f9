"""Queries of neighbours' warning feeds and the messages read from them, through the sharing policy.

A message is shown only to someone who may see both it and the feed that brought it (the policy applied
twice, as for the records of an incident): a feed's messages carry its label, and a viewer who may not see
the feed sees none of them, whatever happens to either label later.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.views import record
from crisislink.domains.sharing.policy import Viewer
from crisislink.domains.warnings.external import ACTUAL, UNDATED_LIFETIME
from crisislink.kernel.errors import NotFound

MAX_PAGE = 500
Feature = dict[str, Any]
_a, _f = t.external_alerts.c, t.external_feeds.c


class ExternalFeedView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    name: str
    url: str
    interval_seconds: int
    marking: str
    owner_partner_id: uuid.UUID
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    failures: int
    status: str  # "new" (never read), "ok", or "failing"
    version: int


class ExternalAlertView(msgspec.Struct, frozen=True):
    id: uuid.UUID
    feed_id: uuid.UUID
    feed_name: str
    sender: str
    identifier: str
    sent: datetime
    msg_type: str
    status: str
    event: str
    headline: str
    severity: str
    urgency: str
    certainty: str
    languages: list[str]
    onset: datetime | None
    expires: datetime | None
    area_description: str
    area: dict[str, Any] | None
    active: bool
    replaced_by: str | None
    received_at: datetime
    marking: str


@dataclass(frozen=True)
class AlertFilter:
    active: bool | None = None  # True: in force now; False: ended; None: both
    feed_id: uuid.UUID | None = None
    status: str | None = None  # a CAP status, e.g. "Actual"
    limit: int = 100
    offset: int = 0


def _visible(viewer: Viewer) -> sa.ColumnElement[bool]:
    return sa.and_(visible_to(viewer, t.external_alerts), visible_to(viewer, t.external_feeds))


def _in_force(now: datetime) -> sa.ColumnElement[bool]:
    """Active and not over by the clock (the schedule may not have marked it expired yet)."""
    dated = sa.and_(_a.expires.is_not(None), _a.expires > now)
    undated = sa.and_(_a.expires.is_(None), _a.sent > now - UNDATED_LIFETIME)
    return sa.and_(_a.active == sa.true(), sa.or_(dated, undated))


def _alerts_query(viewer: Viewer) -> sa.Select[Any]:
    columns = [
        c for c in t.external_alerts.c if c.name not in {"cap_xml", "owner_partner_id", "home_node_id"}
    ]
    return (
        sa.select(*columns, _f.name.label("feed_name"))
        .join(t.external_feeds, _f.id == _a.feed_id)
        .where(_visible(viewer))
    )


def external_warning_features(engine: Engine, viewer: Viewer, now: datetime) -> Iterator[Feature]:
    """Messages in force, status Actual, that have an area to draw: the common picture's layer."""
    query = (
        _alerts_query(viewer)
        .where(_in_force(now), _a.status == ACTUAL, _a.area.is_not(None))
        .order_by(_a.sent.desc(), _a.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    for row in rows:
        if row["area"]:
            yield _feature(row)


def _feature(row: Any) -> Feature:
    return {
        "type": "Feature",
        "id": f"external_warning:{row['id']}",
        "geometry": row["area"],
        "properties": {
            "kind": "external_warning",
            "alert_id": str(row["id"]),
            "title": row["headline"] or row["event"],  # what the console's details panel heads with
            "headline": row["headline"],
            "event": row["event"],
            "severity": row["severity"],
            "urgency": row["urgency"],
            "certainty": row["certainty"],
            "sender": row["sender"],
            "sent": row["sent"].isoformat(),
            "expires": None if row["expires"] is None else row["expires"].isoformat(),
            "area_description": row["area_description"],
            "languages": row["languages"],
            "feed": row["feed_name"],
            "msg_type": row["msg_type"],
            "marking": row["marking"],
        },
    }


def list_external_alerts(
    engine: Engine, viewer: Viewer, flt: AlertFilter, now: datetime
) -> list[ExternalAlertView]:
    query = _alerts_query(viewer)
    if flt.active is not None:
        query = query.where(_in_force(now) if flt.active else sa.not_(_in_force(now)))
    if flt.feed_id is not None:
        query = query.where(_a.feed_id == flt.feed_id)
    if flt.status is not None:
        query = query.where(_a.status == flt.status)
    query = query.order_by(_a.sent.desc(), _a.id).limit(min(flt.limit, MAX_PAGE)).offset(flt.offset)
    with engine.connect() as conn:
        rows = [record(row) for row in conn.execute(query).mappings()]
    # "active" as served is the answer for now: a message past its expiry is over even before the schedule says so.
    return [
        msgspec.convert({**row, "active": row["active"] and _not_over(row, now)}, ExternalAlertView)
        for row in rows
    ]


def _not_over(row: dict[str, Any], now: datetime) -> bool:
    expires = row["expires"]
    return bool(expires > now) if expires is not None else bool(row["sent"] > now - UNDATED_LIFETIME)


def _feed_view(row: dict[str, Any]) -> ExternalFeedView:
    status = "failing" if row["failures"] else ("ok" if row["last_ok_at"] else "new")
    return msgspec.convert({**row, "status": status}, ExternalFeedView)


def _feeds_query(viewer: Viewer) -> sa.Select[Any]:
    return sa.select(t.external_feeds).where(visible_to(viewer, t.external_feeds))


def list_external_feeds(engine: Engine, viewer: Viewer) -> list[ExternalFeedView]:
    with engine.connect() as conn:
        rows = conn.execute(_feeds_query(viewer).order_by(_f.name, _f.id)).mappings()
        return [_feed_view(record(row)) for row in rows]


def get_external_feed(engine: Engine, viewer: Viewer, feed_id: uuid.UUID) -> ExternalFeedView:
    """One feed; NotFound if it does not exist or the viewer may not see it (the same answer)."""
    query = sa.select(t.external_feeds).where(
        _f.id == feed_id, visible_to(viewer, t.external_feeds, correlated=True)
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no external feed with id {feed_id}; the feed list shows the ones you may see")
    return _feed_view(record(row))
