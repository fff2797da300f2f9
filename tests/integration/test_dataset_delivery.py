"""Dataset access requests, signed webhooks and pull sources, against a real local HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.app import dataset_pull, dataset_webhooks
from crisislink.domains.datasets import access_commands as ac
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import delivery_commands as dc
from crisislink.domains.datasets.access import AccessScope
from crisislink.domains.datasets.model import DatasetKind, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM, Actor
from tests.support import PASSWORD, World, build_world, make_platform
from tests.support_http import Reply, ScriptedServer, serving

NOW = datetime(2021, 7, 17, 12, 0, tzinfo=UTC)
SCHEMA: dict[str, Any] = {"type": "object", "properties": {"value": {"type": ["number", "null"]}}}
SERIES = (Series("a.level", "Gauge A", "cm", thresholds=(Threshold("alarm", 100),)),)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def world(db_url: str, clock: FixedClock) -> Iterator[World]:
    platform = make_platform(db_url, clock=clock)
    built = build_world(platform)
    built.users["be.steward"] = platform.bus.handle(
        sc.AddUser(
            actor=SYSTEM,
            username="be.steward",
            display_name="be.steward",
            partner_id=built.partners["BE-NCCN"],
            roles=frozenset({Role.PARTNER_ADMIN}),
            password=PASSWORD,
        )
    )
    yield built
    platform.stop()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with serving() as running:
        yield running


def steward(world: World) -> Actor:
    return Actor(
        user_id=world.users["be.steward"],
        partner_id=world.partners["BE-NCCN"],
        roles=frozenset({Role.PARTNER_ADMIN.value}),
    )


def publish(world: World, marking: Tlp = Tlp.AMBER) -> uuid.UUID:
    dataset_id: uuid.UUID = world.platform.bus.handle(
        c.PublishDataset(
            actor=world.actor("be.duty"),
            title="Gauges",
            kind=DatasetKind.RIVER_GAUGE,
            record_schema=SCHEMA,
            contact_point_id=world.contact("BE-NCCN", Tlp.GREEN, name="Hydro desk"),
            refresh=timedelta(hours=1),
            series=SERIES,
            marking=marking,
        )
    )
    return dataset_id


def nl_sees(world: World, dataset_id: uuid.UUID) -> bool:
    with world.platform.uow() as uow:
        label = uow.datasets.get(dataset_id).label
    return may_see(Viewer(user_id=world.users["nl.duty"], partner_id=world.partners["NL-VR23"]), label)


def granted(
    world: World, clock: FixedClock, scope: AccessScope = AccessScope.READ_AND_SUBSCRIBE
) -> uuid.UUID:
    dataset_id = publish(world)
    bus = world.platform.bus
    request_id = bus.handle(
        ac.RequestDatasetAccess(actor=world.actor("nl.duty"), dataset_id=dataset_id, reason="Meuse flood")
    )
    bus.handle(
        ac.GrantDatasetAccess(
            actor=steward(world),
            request_id=request_id,
            scope=scope,
            expires_at=clock.now() + timedelta(days=2),
        )
    )
    return dataset_id


def ingest(world: World, dataset_id: uuid.UUID, hour: int, value: float) -> None:
    moment = datetime(2021, 7, 17, tzinfo=UTC) + timedelta(hours=hour)
    record = IncomingRecord({"series": "a.level", "observed_at": moment.isoformat(), "value": value})
    world.platform.bus.handle(
        c.IngestObservations(actor=world.actor("be.duty"), dataset_id=dataset_id, batch=c.Batch((record,)))
    )
    world.platform.dispatcher.drain()


# --- access requests -----------------------------------------------------------------------------------------


def test_a_grant_widens_the_audience_until_it_expires(world: World, clock: FixedClock) -> None:
    dataset_id = publish(world)
    bus = world.platform.bus
    assert not nl_sees(world, dataset_id)
    request_id = bus.handle(
        ac.RequestDatasetAccess(actor=world.actor("nl.duty"), dataset_id=dataset_id, reason="Meuse flood")
    )
    with pytest.raises(PermissionDenied):  # a duty officer of the owner is not its data steward
        bus.handle(
            ac.GrantDatasetAccess(
                actor=world.actor("be.duty"),
                request_id=request_id,
                scope=AccessScope.READ,
                expires_at=NOW + timedelta(days=1),
            )
        )
    bus.handle(
        ac.GrantDatasetAccess(
            actor=steward(world),
            request_id=request_id,
            scope=AccessScope.READ,
            expires_at=NOW + timedelta(days=1),
        )
    )
    assert nl_sees(world, dataset_id)
    assert bus.handle(ac.EndExpiredDatasetAccess(actor=SYSTEM)) == 0
    clock.advance(timedelta(days=1, seconds=1))
    assert bus.handle(ac.EndExpiredDatasetAccess(actor=SYSTEM)) == 1
    assert not nl_sees(world, dataset_id)
    with world.platform.engine.connect() as conn:
        commands = conn.execute(sa.select(t.audit_log.c.command)).scalars().all()
    assert {"RequestDatasetAccess", "GrantDatasetAccess", "EndExpiredDatasetAccess"} <= set(commands)


def test_a_refusal_needs_a_reason_and_changes_nothing(world: World) -> None:
    dataset_id = publish(world)
    bus = world.platform.bus
    request_id = bus.handle(
        ac.RequestDatasetAccess(actor=world.actor("nl.duty"), dataset_id=dataset_id, reason="Meuse flood")
    )
    with pytest.raises(InvalidInput):
        bus.handle(ac.RefuseDatasetAccess(actor=steward(world), request_id=request_id, reason="  "))
    bus.handle(ac.RefuseDatasetAccess(actor=steward(world), request_id=request_id, reason="not your basin"))
    assert not nl_sees(world, dataset_id)
    with world.platform.engine.connect() as conn:
        row = conn.execute(sa.select(t.dataset_access_requests)).mappings().one()
    assert (row["status"], row["decision_note"]) == ("refused", "not your basin")


def test_only_amber_datasets_take_requests(world: World) -> None:
    green = publish(world, Tlp.GREEN)
    with pytest.raises(InvalidInput):
        world.platform.bus.handle(
            ac.RequestDatasetAccess(actor=world.actor("nl.duty"), dataset_id=green, reason="x")
        )


# --- webhooks --------------------------------------------------------------------------------------------------


def subscribe(world: World, dataset_id: uuid.UUID, url: str) -> dict[str, Any]:
    created: dict[str, Any] = world.platform.bus.handle(
        dc.SubscribeWebhook(actor=world.actor("nl.duty"), dataset_id=dataset_id, url=url)
    )
    return created


def deliveries(world: World) -> list[dict[str, Any]]:
    with world.platform.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t.dataset_webhook_deliveries)).mappings()]


def test_a_webhook_is_signed_retried_and_recovers(
    world: World, clock: FixedClock, server: ScriptedServer
) -> None:
    dataset_id = granted(world, clock)
    hook = subscribe(world, dataset_id, server.url + "/hook")
    server.fail_then_recover(2, Reply(503))
    ingest(world, dataset_id, 1, 50.0)
    bus = world.platform.bus
    assert dataset_webhooks.deliver_due_webhooks(bus) == 1
    assert deliveries(world)[0]["status"] == "pending"
    assert dataset_webhooks.deliver_due_webhooks(bus) == 0  # backing off
    clock.advance(timedelta(seconds=31))
    dataset_webhooks.deliver_due_webhooks(bus)
    clock.advance(timedelta(minutes=2))
    dataset_webhooks.deliver_due_webhooks(bus)
    row = deliveries(world)[0]
    assert (row["status"], row["attempts"]) == ("delivered", 3)
    last = server.requests[-1]
    expected = "sha256=" + hmac.new(hook["secret"].encode(), last.body, hashlib.sha256).hexdigest()
    assert last.header("x-crisislink-signature") == expected
    assert last.header("x-crisislink-delivery") == str(row["id"])
    assert last.json()["type"] == "crisislink.datasets.observations_received"


def test_a_receiver_that_stays_down_is_dead_lettered(
    world: World, clock: FixedClock, server: ScriptedServer
) -> None:
    dataset_id = granted(world, clock)
    subscribe(world, dataset_id, server.url + "/hook")
    server.script(then=Reply(500))
    ingest(world, dataset_id, 1, 50.0)
    for _ in range(dataset_webhooks.MAX_ATTEMPTS):
        dataset_webhooks.deliver_due_webhooks(world.platform.bus)
        clock.advance(timedelta(hours=1))
    row = deliveries(world)[0]
    assert row["status"] == "dead"
    assert "HTTP 500" in row["last_error"]


def test_revoked_access_stops_deliveries(world: World, clock: FixedClock, server: ScriptedServer) -> None:
    dataset_id = granted(world, clock)
    subscribe(world, dataset_id, server.url + "/hook")
    ingest(world, dataset_id, 1, 50.0)  # queued while NL may see it
    with world.platform.engine.connect() as conn:
        request_id = conn.execute(sa.select(t.dataset_access_requests.c.id)).scalar_one()
    world.platform.bus.handle(
        ac.RevokeDatasetAccess(actor=steward(world), request_id=request_id, reason="done")
    )
    ingest(world, dataset_id, 2, 150.0)  # not queued at all: NL no longer sees it
    dataset_webhooks.deliver_due_webhooks(world.platform.bus)
    assert server.requests == []
    assert [row["status"] for row in deliveries(world)] == ["dropped"]


def test_a_read_only_grant_cannot_subscribe(world: World, clock: FixedClock, server: ScriptedServer) -> None:
    dataset_id = granted(world, clock, AccessScope.READ)
    with pytest.raises(PermissionDenied):
        subscribe(world, dataset_id, server.url)


def test_an_invisible_dataset_cannot_be_subscribed(world: World, server: ScriptedServer) -> None:
    with pytest.raises(NotFound):
        subscribe(world, publish(world), server.url)


# --- pull sources ------------------------------------------------------------------------------------------------

CSV = (
    "series,observed_at,value\na.level,2021-07-17T01:00:00+00:00,50\na.level,2021-07-17T02:00:00+00:00,120\n"
)
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.7, 50.8]},
            "properties": {"series": "a.level", "observed_at": "2021-07-17T01:00:00+00:00", "value": 50},
        }
    ],
}
SENSORTHINGS = {
    "value": [
        {
            "@iot.id": 1,
            "phenomenonTime": "2021-07-17T00:00:00Z/2021-07-17T01:00:00Z",
            "result": 50,
            "Datastream": {"name": "a.level"},
        }
    ]
}


def stored(world: World) -> int:
    with world.platform.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t.dataset_observations)).scalar_one())


@pytest.mark.parametrize(
    ("fmt", "reply"),
    [
        (dc.PullFormat.CSV, Reply(200, CSV, {"Content-Type": "text/csv"})),
        (dc.PullFormat.GEOJSON, Reply.json(GEOJSON)),
        (dc.PullFormat.SENSORTHINGS, Reply.json(SENSORTHINGS)),
    ],
)
def test_a_pull_source_is_polled_and_ingested_once(
    world: World, clock: FixedClock, server: ScriptedServer, fmt: dc.PullFormat, reply: Reply
) -> None:
    dataset_id = publish(world, Tlp.GREEN)
    world.platform.bus.handle(
        dc.SetPullSource(
            actor=world.actor("be.duty"),
            dataset_id=dataset_id,
            url=server.url + "/data",
            format=fmt,
            interval=timedelta(minutes=5),
        )
    )
    server.script(then=reply)
    first = dataset_pull.poll_due_sources(world.platform.bus)
    assert first >= 1
    assert dataset_pull.poll_due_sources(world.platform.bus) == 0  # not due yet
    clock.advance(timedelta(minutes=5))
    assert dataset_pull.poll_due_sources(world.platform.bus) == 0  # polled again, nothing new (idempotent)
    assert stored(world) == first
    assert len(server.requests) == 2


def test_a_failing_pull_source_backs_off(world: World, clock: FixedClock, server: ScriptedServer) -> None:
    dataset_id = publish(world, Tlp.GREEN)
    world.platform.bus.handle(
        dc.SetPullSource(
            actor=world.actor("be.duty"),
            dataset_id=dataset_id,
            url=server.url + "/data",
            format=dc.PullFormat.GEOJSON,
            interval=timedelta(minutes=5),
        )
    )
    server.fail_then_recover(2, Reply(502), Reply.json(GEOJSON))
    dataset_pull.poll_due_sources(world.platform.bus)
    clock.advance(timedelta(minutes=5))
    assert dataset_pull.poll_due_sources(world.platform.bus) == 0  # waits 10 minutes after one failure
    clock.advance(timedelta(minutes=5))
    dataset_pull.poll_due_sources(world.platform.bus)
    with world.platform.engine.connect() as conn:
        row = conn.execute(sa.select(t.dataset_pull_sources)).mappings().one()
    assert row["failures"] == 2
    assert "502" in row["last_error"]
    clock.advance(timedelta(minutes=20))
    assert dataset_pull.poll_due_sources(world.platform.bus) == 1
    with world.platform.engine.connect() as conn:
        row = conn.execute(sa.select(t.dataset_pull_sources)).mappings().one()
    assert (row["failures"], row["last_error"]) == (0, None)
