"""Setup and the driver-only floor of bench/datasets_ingest.py (nothing here is timed but the floor)."""

from __future__ import annotations

import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import psycopg
import sqlalchemy as sa
from psycopg.types.json import Json
from tests.support import PASSWORD, build_world, make_platform, migrated

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import SQLITE_PRAGMAS, make_engine
from crisislink.app.bootstrap import Platform
from crisislink.domains.datasets import commands as dc
from crisislink.domains.datasets.model import DatasetKind, Series, Threshold
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role, Scope
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM, Actor

BATCH = 1000
SERIES = 100
MINUTES = BATCH // SERIES
START = datetime(2021, 7, 1, tzinfo=UTC)
SCHEMA = {
    "type": "object",
    "required": ["series", "observed_at", "value", "quality"],
    "properties": {
        "series": {"type": "string", "maxLength": 100},
        "observed_at": {"type": "string"},
        "value": {"type": ["number", "null"], "minimum": -1000, "maximum": 100_000},
        "quality": {"enum": ["raw", "validated"]},
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Setup:
    dataset_id: uuid.UUID
    write_token: str
    read_tokens: list[str]


def _token(platform: Platform, actor: Actor, scopes: frozenset[Scope]) -> str:
    issued = platform.bus.handle(
        sc.IssueApiToken(
            actor=actor, name="bench", scopes=scopes, expires_at=datetime.now(UTC) + timedelta(days=1)
        )
    )
    secret: str = issued.secret
    return secret


def prepare(url: str, subscribers: int) -> Setup:
    """The test world, `subscribers` readers with their own read tokens, and the dataset to feed."""
    migrated(url)
    platform = make_platform(url)
    try:
        world = build_world(platform)
        partners = list(world.partners.values())
        readers = []
        for i in range(subscribers):
            partner = partners[i % len(partners)]
            user = platform.bus.handle(
                sc.AddUser(
                    actor=SYSTEM,
                    username=f"bench.sub{i:03d}",
                    display_name=f"Subscriber {i}",
                    partner_id=partner,
                    roles=frozenset({Role.OBSERVER}),
                    password=PASSWORD,
                )
            )
            actor = Actor(user_id=user, partner_id=partner, roles=frozenset({"observer"}))
            readers.append(_token(platform, actor, frozenset({Scope.READ})))
        series = tuple(
            Series(f"g{k:03d}", f"Gauge {k}", "cm", thresholds=(Threshold("alarm", 90_000),))
            for k in range(SERIES)
        )
        dataset_id = platform.bus.handle(
            dc.PublishDataset(
                actor=world.actor("be.duty"),
                title="Bench gauges",
                kind=DatasetKind.RIVER_GAUGE,
                record_schema=SCHEMA,
                contact_point_id=world.contact("BE-NCCN", Tlp.GREEN, name="Bench desk"),
                refresh=timedelta(minutes=10),
                series=series,
                marking=Tlp.GREEN,
            )
        )
        writer = _token(platform, world.actor("be.duty"), frozenset({Scope.READ, Scope.WRITE}))
        return Setup(dataset_id, writer, readers)
    finally:
        platform.stop()


def batch_key(index: int) -> str:
    """How the batch's event names its first observation time (the subscribers match on it)."""
    return (START + timedelta(minutes=MINUTES * index)).strftime("%Y-%m-%dT%H:%M:%SZ")


def batch_body(index: int) -> tuple[str, bytes]:
    records = [
        {
            "series": f"g{k:03d}",
            "observed_at": (START + timedelta(minutes=MINUTES * index + m)).isoformat(),
            "value": round(100 + 50 * ((index * 7 + k * 13 + m) % 97) / 97, 1),
            "quality": "raw",
        }
        for m in range(MINUTES)
        for k in range(SERIES)
    ]
    return batch_key(index), msgspec.json.encode(records)


def stored_count(url: str, setup: Setup) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            o = t.dataset_observations.c
            query = sa.select(sa.func.count()).where(o.dataset_id == setup.dataset_id, o.series.like("g%"))
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the driver alone


_COLUMNS = ("dataset_id", "series", "observed_at", "value", "attributes", "location", "received_at")
_INSERT = (
    f"INSERT INTO dataset_observations ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
)
_floor_round = 0


def _sqlite_rows(sample: tuple[Any, ...], first: datetime) -> list[tuple[Any, ...]]:
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    return [
        (
            sample[0],
            f"floor{k:03d}",
            (first + timedelta(minutes=m)).strftime(stamp),
            float(k),
            sample[4],
            None,
            sample[6],
        )
        for m in range(MINUTES)
        for k in range(SERIES)
    ]


def _sqlite_floor(path: Path, work: Path, batches: int) -> float:
    global _floor_round  # noqa: PLW0603 -- a fresh copy each round, named apart
    _floor_round += 1
    copy = work / f"floor-{_floor_round}.db"
    with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        sample = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM dataset_observations LIMIT 1").fetchone()
        started = time.monotonic()
        for index in range(batches):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                _INSERT, _sqlite_rows(sample, START + timedelta(days=3650, minutes=MINUTES * index))
            )
            conn.execute("COMMIT")
        return batches * BATCH / (time.monotonic() - started)
    finally:
        conn.close()


def _postgres_floor(url: str, setup: Setup, batches: int) -> float:
    global _floor_round  # noqa: PLW0603
    _floor_round += 1
    first = START + timedelta(days=3650 * _floor_round)
    received = datetime.now(UTC)
    statement = _INSERT.replace("?", "%s")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        started = time.monotonic()
        for index in range(batches):
            base = first + timedelta(minutes=MINUTES * index)
            rows = [
                (
                    setup.dataset_id,
                    f"floor{k:03d}",
                    base + timedelta(minutes=m),
                    float(k),
                    Json({"quality": "raw"}),
                    None,
                    received,
                )
                for m in range(MINUTES)
                for k in range(SERIES)
            ]
            with conn.cursor() as cursor:
                cursor.executemany(statement, rows)
            conn.commit()
        return batches * BATCH / (time.monotonic() - started)


def floor_rate(url: str, setup: Setup, work: Path, batches: int) -> float:
    if url.startswith("sqlite:///"):
        return _sqlite_floor(Path(url.removeprefix("sqlite:///")), work, batches)
    return _postgres_floor(url, setup, batches)
