"""Queries of the datasets capability. Every one filters with the sharing policy.

Observations have no label of their own: they are seen through their dataset, so every read of them
first finds the dataset with `visible_to` (an invisible dataset is a 404, like a missing one). The point
of contact shown with a dataset is joined through the policy as well: the dataset's readers see who to
call only if the contact's own marking lets them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.dataset_views import (
    ContactSummary,
    DatasetSummary,
    DatasetView,
    ObservationPage,
    ObservationView,
    SeriesView,
    ThresholdView,
)
from crisislink.adapters.db.queries.directory import audience_column, audience_members
from crisislink.adapters.db.queries.views import record
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

MAX_PAGE = 1000
MAX_EXPORT = 100_000

_CONTACT = (
    t.contact_points.c.name.label("contact_name"),
    t.contact_points.c.role.label("contact_role"),
    t.contact_points.c.channels.label("contact_channels"),
    t.contact_points.c.languages.label("contact_languages"),
    t.contact_points.c.marking.label("contact_marking"),
)


@dataclass(frozen=True)
class DatasetFilter:
    kind: str | None = None
    owner_partner_id: uuid.UUID | None = None
    stale_only: bool = False
    limit: int = 100
    offset: int = 0


def _with_contact(viewer: Viewer) -> sa.Join:
    cp = t.contact_points
    visible = sa.and_(cp.c.id == t.datasets.c.contact_point_id, visible_to(viewer, cp, correlated=True))
    return t.datasets.outerjoin(cp, visible)


def _contact(row: Mapping[str, Any]) -> ContactSummary | None:
    if row["contact_name"] is None:
        return None
    return msgspec.convert(
        {
            "id": row["contact_point_id"],
            "name": row["contact_name"],
            "role": row["contact_role"],
            "channels": row["contact_channels"],
            "languages": row["contact_languages"],
            "marking": row["contact_marking"],
        },
        ContactSummary,
    )


def _series_views(row: Mapping[str, Any]) -> list[SeriesView]:
    views = []
    for spec in row["series"]:
        latest = row["latest"].get(spec["key"])
        value = latest["value"] if latest else None
        reached = [x["name"] for x in spec["thresholds"] if value is not None and value >= x["level"]]
        location = spec.get("location") or (latest or {}).get("location")
        views.append(
            SeriesView(
                key=spec["key"],
                name=spec["name"],
                unit=spec["unit"],
                thresholds=[
                    ThresholdView(x["name"], float(x["level"]), x.get("note", "")) for x in spec["thresholds"]
                ],
                location=location,
                latest_at=datetime.fromisoformat(latest["at"]) if latest else None,
                latest_value=value,
                reached=reached,
            )
        )
    return views


def _summary(row: Mapping[str, Any]) -> DatasetSummary:
    return msgspec.convert(
        {
            **row,
            "stale": row["stale_since"] is not None,
            "contact": _contact(row),
            "series_count": len(row["series"]),
        },
        DatasetSummary,
        from_attributes=True,
    )


def list_datasets(engine: Engine, viewer: Viewer, flt: DatasetFilter) -> list[DatasetSummary]:
    d = t.datasets.c
    query = (
        sa.select(t.datasets, *_CONTACT)
        .select_from(_with_contact(viewer))
        .where(visible_to(viewer, t.datasets))
    )
    if flt.kind:
        query = query.where(d.kind == flt.kind)
    if flt.owner_partner_id:
        query = query.where(d.owner_partner_id == flt.owner_partner_id)
    if flt.stale_only:
        query = query.where(d.stale_since.is_not(None))
    query = query.order_by(d.title, d.id).limit(min(flt.limit, MAX_PAGE)).offset(flt.offset)
    with engine.connect() as conn:
        return [_summary(record(row)) for row in conn.execute(query).mappings()]


def _dataset_row(conn: sa.Connection, viewer: Viewer, dataset_id: uuid.UUID) -> dict[str, Any]:
    query = (
        sa.select(t.datasets, *_CONTACT, audience_column(t.datasets).label("audience"))
        .select_from(_with_contact(viewer))
        .where(t.datasets.c.id == dataset_id, visible_to(viewer, t.datasets, correlated=True))
    )
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no dataset with id {dataset_id} that you may see")
    return record(row)


def _followers(conn: sa.Connection, dataset_id: uuid.UUID, user_id: uuid.UUID | None) -> tuple[int, bool]:
    f = t.dataset_followers.c
    users = list(conn.execute(sa.select(f.user_id).where(f.dataset_id == dataset_id)).scalars())
    return len(users), user_id in users


def get_dataset(engine: Engine, viewer: Viewer, dataset_id: uuid.UUID) -> DatasetView:
    with engine.connect() as conn:
        row = _dataset_row(conn, viewer, dataset_id)
        followers, following = _followers(conn, dataset_id, viewer.user_id)
    return msgspec.convert(
        {
            **row,
            "audience": audience_members(row["audience"]),
            "stale": row["stale_since"] is not None,
            "contact": _contact(row),
            "series": _series_views(row),
            "following": following,
            "followers": followers,
        },
        DatasetView,
        from_attributes=True,
    )


def series_of(engine: Engine, viewer: Viewer, dataset_id: uuid.UUID) -> list[SeriesView]:
    with engine.connect() as conn:
        return _series_views(_dataset_row(conn, viewer, dataset_id))


def _declared(row: Mapping[str, Any], series: str) -> Mapping[str, Any]:
    for spec in row["series"]:
        if spec["key"] == series:
            return dict(spec)
    raise NotFound(f"the dataset declares no series {series!r}")


@dataclass(frozen=True)
class TimeRange:
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    after: datetime | None = None  # exclusive: where the previous page ended


def _range(query: sa.Select[Any], span: TimeRange) -> sa.Select[Any]:
    o = t.dataset_observations.c
    if span.since is not None:
        query = query.where(o.observed_at >= span.since)
    if span.until is not None:
        query = query.where(o.observed_at < span.until)
    if span.after is not None:
        query = query.where(o.observed_at > span.after)
    return query


def _observation(row: Mapping[str, Any]) -> ObservationView:
    return msgspec.convert(row, ObservationView, from_attributes=True)


_OBSERVATION_COLUMNS = [c for c in t.dataset_observations.c if c.name != "dataset_id"]


def observations(
    engine: Engine, viewer: Viewer, dataset_id: uuid.UUID, series: str, span: TimeRange, limit: int = 500
) -> ObservationPage:
    """One series in time order (by when it was observed, however late it arrived), a page at a time."""
    o = t.dataset_observations.c
    size = min(limit, MAX_PAGE)
    with engine.connect() as conn:
        row = _dataset_row(conn, viewer, dataset_id)
        spec = _declared(row, series)
        query = sa.select(*_OBSERVATION_COLUMNS).where(o.dataset_id == dataset_id, o.series == series)
        query = _range(query, span).order_by(o.observed_at).limit(size + 1)
        items = [_observation(record(r)) for r in conn.execute(query).mappings()]
    more = len(items) > size
    items = items[:size]
    return ObservationPage(
        dataset_id=dataset_id,
        series=series,
        unit=spec["unit"],
        synthetic=row["synthetic"],
        items=items,
        next_after=items[-1].observed_at if more else None,
    )


@dataclass(frozen=True)
class Export:
    """What an export holds: the dataset as the reader sees it, and its observations in time order."""

    dataset: DatasetView
    units: dict[str, str]
    locations: dict[str, list[float] | None]
    rows: list[ObservationView]


def export(
    engine: Engine, viewer: Viewer, dataset_id: uuid.UUID, series: str | None, span: TimeRange
) -> Export:
    dataset = get_dataset(engine, viewer, dataset_id)
    if series is not None and series not in {s.key for s in dataset.series}:
        raise NotFound(f"the dataset declares no series {series!r}")
    o = t.dataset_observations.c
    query = sa.select(*_OBSERVATION_COLUMNS).where(o.dataset_id == dataset_id)
    if series is not None:
        query = query.where(o.series == series)
    query = _range(query, span).order_by(o.series, o.observed_at).limit(MAX_EXPORT)
    with engine.connect() as conn:
        rows = [_observation(record(r)) for r in conn.execute(query).mappings()]
    return Export(
        dataset=dataset,
        units={s.key: s.unit for s in dataset.series},
        locations={s.key: s.location for s in dataset.series},
        rows=rows,
    )


def dataset_features(engine: Engine, viewer: Viewer) -> Iterator[dict[str, Any]]:
    """The newest value of every located series of the datasets the viewer may see, as map points."""
    d = t.datasets.c
    query = (
        sa.select(
            d.id,
            d.title,
            d.kind,
            d.marking,
            d.synthetic,
            d.stale_since,
            d.series,
            d.latest,
            d.contact_point_id,
        )
        .where(visible_to(viewer, t.datasets))
        .order_by(d.title, d.id)
    )
    with engine.connect() as conn:
        rows = [record(row) for row in conn.execute(query).mappings()]
    for row in rows:
        for series in _series_views(row):
            if series.location is None:
                continue
            yield _feature(row, series)


def _feature(row: Mapping[str, Any], series: SeriesView) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": f"dataset:{row['id']}:{series.key}",
        "geometry": {"type": "Point", "coordinates": series.location},
        "properties": {
            "kind": "dataset_series",
            "dataset_id": str(row["id"]),
            "dataset": row["title"],
            "dataset_kind": row["kind"],
            "series": series.key,
            "name": series.name,
            "unit": series.unit,
            "value": series.latest_value,
            "observed_at": series.latest_at.isoformat() if series.latest_at else None,
            "thresholds": {x.name: x.level for x in series.thresholds},
            "reached": series.reached,
            "stale": row["stale_since"] is not None,
            "synthetic": row["synthetic"],
            "marking": row["marking"],
            "contact_point_id": str(row["contact_point_id"]),
        },
    }
