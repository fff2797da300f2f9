"""Storage of the datasets capability. Like all repositories these never commit.

A dataset is an aggregate (version-checked, its events go to the outbox). Observations and followers are
rows, not aggregates: observations are written in bulk, one statement per batch, and the same observation
sent twice is stored once (INSERT ... ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.incident_repositories import _StampedRepository
from crisislink.adapters.db.repositories import Row
from crisislink.domains.datasets.model import Dataset, DatasetKind, Latest, Location, Series, Threshold
from crisislink.domains.datasets.observations import Observation

_OBSERVATION_KEY = ("dataset_id", "series", "observed_at")


def _location_to_json(location: Location | None) -> list[float] | None:
    return None if location is None else [location.lon, location.lat]


def _location_from_json(value: Sequence[float] | None) -> Location | None:
    return None if value is None else Location(lon=float(value[0]), lat=float(value[1]))


def series_to_json(series: Series) -> dict[str, Any]:
    return {
        "key": series.key,
        "name": series.name,
        "unit": series.unit,
        "thresholds": [{"name": x.name, "level": x.level, "note": x.note} for x in series.thresholds],
        "location": _location_to_json(series.location),
    }


def series_from_json(value: Mapping[str, Any]) -> Series:
    return Series(
        key=value["key"],
        name=value["name"],
        unit=value["unit"],
        thresholds=tuple(
            Threshold(x["name"], float(x["level"]), x.get("note", "")) for x in value["thresholds"]
        ),
        location=_location_from_json(value.get("location")),
    )


def _latest_to_json(latest: dict[str, Latest]) -> dict[str, Any]:
    return {
        key: {
            "at": x.observed_at.isoformat(),
            "value": x.value,
            "location": _location_to_json(x.location),
            "basis": x.basis,
        }
        for key, x in sorted(latest.items())
    }


def _latest_from_json(value: Mapping[str, Any]) -> dict[str, Latest]:
    return {
        key: Latest(
            datetime.fromisoformat(x["at"]),
            x["value"],
            _location_from_json(x.get("location")),
            x.get("basis"),
        )
        for key, x in value.items()
    }


class DatasetRepository(_StampedRepository[Dataset]):
    table = t.datasets
    noun = "dataset"

    def _to_row(self, dataset: Dataset) -> Row:
        return {
            "id": dataset.id,
            **self._label_row(dataset.label),
            "title": dataset.title,
            "kind": dataset.kind.value,
            "description": dataset.description,
            "record_schema": dict(dataset.record_schema),
            "contact_point_id": dataset.contact_point_id,
            "refresh_seconds": int(dataset.refresh.total_seconds()),
            "series": [series_to_json(s) for s in dataset.series],
            "latest": _latest_to_json(dataset.latest),
            "synthetic": dataset.synthetic,
            "created_at": dataset.created_at,
            "created_by": dataset.created_by,
            "last_observed_at": dataset.last_observed_at,
            "last_received_at": dataset.last_received_at,
            "stale_at": dataset.stale_at,
            "stale_since": dataset.stale_since,
        }

    def _from_row(self, row: Mapping[str, Any]) -> Dataset:
        return Dataset(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            title=row["title"],
            kind=DatasetKind(row["kind"]),
            description=row["description"],
            record_schema=row["record_schema"],
            contact_point_id=row["contact_point_id"],
            refresh=timedelta(seconds=row["refresh_seconds"]),
            series=tuple(series_from_json(s) for s in row["series"]),
            latest=_latest_from_json(row["latest"]),
            synthetic=row["synthetic"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            last_observed_at=row["last_observed_at"],
            last_received_at=row["last_received_at"],
            stale_at=row["stale_at"],
            stale_since=row["stale_since"],
        )

    def _after_update(self, dataset: Dataset) -> None:
        # Every batch updates its dataset; its audience rows are rewritten only when the audience changed.
        if self._seen[dataset.id][1]["audience"] != self._state(dataset)["audience"]:
            super()._after_update(dataset)

    def get_for_ingest(self, dataset_id: uuid.UUID) -> Dataset:
        if dataset_id not in self._seen and self._conn.dialect.name == "postgresql":
            # Lock first, then read: concurrent batches of one dataset take turns instead of conflicting.
            self._conn.execute(
                sa.select(t.datasets.c.id).where(t.datasets.c.id == dataset_id).with_for_update()
            )
        return self.get(dataset_id)

    def due_stale(self, moment: datetime) -> list[Dataset]:
        d = t.datasets.c
        return self._all(d.stale_since.is_(None) & (d.stale_at <= moment))


_COLUMNS = ("dataset_id", "series", "observed_at", "value", "attributes", "location", "received_at")


def _insert(dialect: str) -> Any:
    table = t.dataset_observations
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return statement.on_conflict_do_nothing(index_elements=list(_OBSERVATION_KEY))


@dataclass(frozen=True)
class _BulkInsert:
    """The dialect's INSERT ... ON CONFLICT DO NOTHING compiled once, with each column's own converter.

    Rows are converted with the columns' bind processors (so they are stored exactly as SQLAlchemy
    stores them) and sent as one executemany, skipping SQLAlchemy's per-row parameter handling, which
    took half the time of a 1,000-row insert (14 -> 7 ms on SQLite).
    """

    sql: str
    order: tuple[str, ...] | None  # positional parameter order, or None for named parameters
    convert: Mapping[str, Callable[[Any], Any] | None]


@functools.lru_cache(maxsize=16)  # per engine's dialect; a node has one or two
def _bulk_insert(dialect: Dialect) -> _BulkInsert:
    compiled = _insert(dialect.name).compile(dialect=dialect)
    columns = t.dataset_observations.c
    # The dialect's own implementation of each type (SQLite's DATETIME text, psycopg's JSON wrapper, ...).
    convert = {name: columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _COLUMNS}
    order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
    return _BulkInsert(compiled.string, order, convert)


def _converted(bulk: _BulkInsert, name: str, value: Any) -> Any:
    convert = bulk.convert[name]
    return value if value is None or convert is None else convert(value)


class ObservationStore:
    """One INSERT ... ON CONFLICT DO NOTHING per batch, sent as an executemany; which keys are stored
    already is asked only for the observations that can be (see the ingest handler)."""

    _CHUNK = 500  # keys per look-up, well inside both databases' limits on bound parameters

    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def existing(self, dataset_id: uuid.UUID, candidates: Sequence[Observation]) -> set[tuple[str, datetime]]:
        o = t.dataset_observations.c
        found: set[tuple[str, datetime]] = set()
        for start in range(0, len(candidates), self._CHUNK):
            keys = [(c.series, c.observed_at) for c in candidates[start : start + self._CHUNK]]
            query = sa.select(o.series, o.observed_at).where(
                o.dataset_id == dataset_id, sa.tuple_(o.series, o.observed_at).in_(keys)
            )
            found.update((row.series, row.observed_at) for row in self._conn.execute(query))
        return found

    def add(self, dataset_id: uuid.UUID, observations: Sequence[Observation], received_at: datetime) -> None:
        if not observations:
            return
        bulk = _bulk_insert(self._conn.dialect)
        same = {
            "dataset_id": _converted(bulk, "dataset_id", dataset_id),
            "received_at": _converted(bulk, "received_at", received_at),
        }
        attributes, place = bulk.convert["attributes"], bulk.convert["location"]
        # A batch holds few distinct times (many series, the same minutes): each is converted once.
        distinct = {o.observed_at for o in observations}
        times = {when: _converted(bulk, "observed_at", when) for when in distinct}
        rows = (
            {
                **same,
                "series": o.series,
                "observed_at": times[o.observed_at],
                "value": o.value,
                "attributes": (attributes(dict(o.attributes)) if attributes else dict(o.attributes))
                if o.attributes
                else None,
                "location": (place(_location_to_json(o.location)) if place else _location_to_json(o.location))
                if o.location
                else None,
            }
            for o in observations
        )
        order = bulk.order
        params: list[Any] = list(rows) if order is None else [tuple(row[n] for n in order) for row in rows]
        self._conn.exec_driver_sql(bulk.sql, params)


class FollowerStore:
    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def follow(self, dataset_id: uuid.UUID, user_id: uuid.UUID, since: datetime) -> bool:
        table = t.dataset_followers
        insert = postgresql.insert if self._conn.dialect.name == "postgresql" else sqlite.insert
        statement = insert(table).on_conflict_do_nothing(index_elements=["dataset_id", "user_id"])
        result = self._conn.execute(statement, {"dataset_id": dataset_id, "user_id": user_id, "since": since})
        return bool(result.rowcount)

    def unfollow(self, dataset_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        f = t.dataset_followers.c
        result = self._conn.execute(
            t.dataset_followers.delete().where(f.dataset_id == dataset_id, f.user_id == user_id)
        )
        return bool(result.rowcount)

    def of(self, dataset_id: uuid.UUID) -> list[uuid.UUID]:
        f, u = t.dataset_followers.c, t.users.c
        query = (
            sa.select(f.user_id)
            .join(t.users, u.id == f.user_id)
            .where(f.dataset_id == dataset_id, u.active.is_(True))
            .order_by(f.user_id)
        )
        return list(self._conn.execute(query).scalars())


class SqlDatasetDirectory:
    """The directory as the datasets capability reads it."""

    def __init__(self, connection: sa.Connection) -> None:
        self._conn = connection

    def partner_exists(self, partner_id: uuid.UUID) -> bool:
        query = sa.select(t.partners.c.id).where(t.partners.c.id == partner_id)
        return self._conn.execute(query).first() is not None

    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None:
        partner: uuid.UUID | None = self._conn.execute(
            sa.select(t.users.c.partner_id).where(t.users.c.id == user_id)
        ).scalar_one_or_none()
        return partner

    def contact_owner(self, contact_point_id: uuid.UUID) -> uuid.UUID | None:
        owner: uuid.UUID | None = self._conn.execute(
            sa.select(t.contact_points.c.owner_partner_id).where(t.contact_points.c.id == contact_point_id)
        ).scalar_one_or_none()
        return owner
