"""The live feed (on a real server): one event per pushed batch, only to readers who may see the dataset,
and the follower alert only to the dataset's followers."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from crisislink.app.bootstrap import Platform
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.model import DatasetKind, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.markings import Tlp
from tests.support import PASSWORD, World, build_world, live_server, make_platform
from tests.web.test_live_feed import _events

SERIES = (Series("gauge", "Gauge", "cm", thresholds=(Threshold("alarm", 100),)),)


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[World, str]]:
    platform: Platform = make_platform(sqlite_url)
    world = build_world(platform)
    with live_server(create_app(platform)) as base:
        yield world, base


def _client(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201
    return client


def publish(world: World, marking: Tlp, title: str) -> uuid.UUID:
    dataset_id: uuid.UUID = world.platform.bus.handle(
        c.PublishDataset(
            actor=world.actor("be.duty"),
            title=title,
            kind=DatasetKind.RIVER_GAUGE,
            record_schema={"type": "object"},
            contact_point_id=world.contact("BE-NCCN", Tlp.GREEN),
            refresh=timedelta(hours=1),
            series=SERIES,
            marking=marking,
        )
    )
    return dataset_id


def feed(world: World, dataset_id: uuid.UUID, *values: float) -> None:
    start = datetime(2021, 7, 15, tzinfo=UTC)
    records = tuple(
        IncomingRecord(
            {"series": "gauge", "observed_at": (start + timedelta(minutes=i)).isoformat(), "value": v}
        )
        for i, v in enumerate(values)
    )
    world.platform.bus.handle(
        c.IngestObservations(actor=world.actor("be.duty"), dataset_id=dataset_id, batch=c.Batch(records))
    )


def _read(base: str, username: str, count: int, act: Any) -> list[dict[str, Any]]:
    client = _client(base, username)
    with client.stream("GET", "/api/events") as stream:
        threading.Timer(0.3, act).start()
        return _events(stream.iter_lines(), count)


def test_a_batch_reaches_only_readers_who_may_see_its_dataset(served: tuple[World, str]) -> None:
    world, base = served
    internal = publish(world, Tlp.AMBER_STRICT, "NCCN internal gauges")
    shared = publish(world, Tlp.GREEN, "Shared gauges")

    def act() -> None:
        feed(world, internal, *[float(v) for v in range(1000)])
        feed(world, shared, *[float(v) for v in range(1000)])

    (received,) = _read(base, "nl.duty", 1, act)
    assert received["event"] == "crisislink.datasets.observations_received"
    assert received["payload"]["dataset_id"] == str(shared)
    assert received["payload"]["count"] == 1000  # one event for the whole batch
    assert received["payload"]["latest"] == [
        {"series": "gauge", "observed_at": "2021-07-15T16:39:00Z", "value": 999.0}
    ]


def test_the_follower_alert_reaches_followers_only(served: tuple[World, str]) -> None:
    world, base = served
    dataset_id = publish(world, Tlp.GREEN, "Shared gauges")
    feed(world, dataset_id, 50)
    world.platform.bus.handle(c.FollowDataset(actor=world.actor("nl.duty"), dataset_id=dataset_id))

    def rise() -> None:
        feed(world, dataset_id, 50, 60, 150)

    follower = [e["event"] for e in _read(base, "nl.duty", 3, rise)]
    assert follower == [
        "crisislink.datasets.observations_received",
        "crisislink.datasets.threshold_crossed",
        "crisislink.datasets.followers_alerted",
    ]

    def fall() -> None:
        feed(world, dataset_id, 50, 60, 150, 20)
        world.contact("BE-NCCN", Tlp.GREEN, name="sentinel")  # so the reader knows nothing else came

    other = _read(base, "liege.duty", 3, fall)
    assert [e["event"] for e in other] == [
        "crisislink.datasets.observations_received",
        "crisislink.datasets.threshold_crossed",
        "crisislink.sharing.contact_point_created",
    ]
    assert other[1]["payload"]["direction"] == "down"
