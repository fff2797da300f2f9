"""Datasets stored on SQLite and PostgreSQL: bulk ingest, idempotency, time order, staleness, the demo seed."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.dataset_repositories import ObservationStore
from crisislink.adapters.db.queries import datasets as q
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.standards.json_schema import JsonSchemas
from crisislink.app import datasets_seed, schedule
from crisislink.app.bootstrap import Platform
from crisislink.app.datasets_seed import seed_demo_datasets
from crisislink.app.seeding import seed_partners
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets.ingest_handlers import IngestResult
from crisislink.domains.datasets.model import DatasetKind, IngestMode, Location, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord, Observation, RecordsRejected
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Tlp
from tests.support import World, build_world, make_platform

NOW = datetime(2021, 7, 17, 12, 0, tzinfo=UTC)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["series", "observed_at", "value"],
    "properties": {"value": {"type": ["number", "null"]}, "quality": {"type": "string"}},
}
SERIES = (
    Series("a.level", "Gauge A", "cm", thresholds=(Threshold("alarm", 100),)),
    Series("b.level", "Gauge B", "cm"),
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def clocked(db_url: str, clock: FixedClock) -> Iterator[World]:
    platform = make_platform(db_url, clock=clock)
    yield build_world(platform)
    platform.stop()


def publish(world: World, marking: Tlp = Tlp.GREEN) -> uuid.UUID:
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


def reading(hour: float, value: object, series: str = "a.level") -> dict[str, object]:
    moment = datetime(2021, 7, 15, tzinfo=UTC) + timedelta(hours=hour)
    return {"series": series, "observed_at": moment.isoformat(), "value": value}


def ingest(
    world: World,
    dataset_id: uuid.UUID,
    records: list[dict[str, object]],
    mode: IngestMode = IngestMode.KEEP_VALID,
) -> IngestResult:
    result: IngestResult = world.platform.bus.handle(
        c.IngestObservations(
            actor=world.actor("be.duty"),
            dataset_id=dataset_id,
            batch=c.Batch(tuple(IncomingRecord(r) for r in records)),
            mode=mode,
        )
    )
    return result


def count(platform: Platform, table: sa.Table) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def event_types(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        query = sa.select(t.events.c.type).where(t.events.c.type.like("crisislink.datasets.%"))
        return list(conn.execute(query.order_by(t.events.c.position)).scalars())


def test_a_batch_is_stored_in_bulk_once_whatever_how_often_it_is_sent(world: World) -> None:
    dataset_id = publish(world)
    batch = [reading(h, 10 * h) for h in range(50)] + [reading(h, h, "b.level") for h in range(50)]
    first = ingest(world, dataset_id, batch)
    again = ingest(world, dataset_id, [*batch, reading(60, 5)])
    assert (first.stored, first.duplicates) == (100, 0)
    assert (again.stored, again.duplicates) == (1, 100)
    assert count(world.platform, t.dataset_observations) == 101
    # One event per accepted batch, however many observations it held; thresholds cross on their own.
    types = event_types(world.platform)
    assert types.count("crisislink.datasets.observations_received") == 2
    assert types.count("crisislink.datasets.threshold_crossed") == 2  # up at 100, then down to 5


def test_the_bulk_insert_stores_rows_exactly_as_sqlalchemy_does(world: World) -> None:
    dataset_id = publish(world)
    moment = datetime(2021, 7, 15, 1, 2, 3, 456789, tzinfo=UTC)
    with world.platform.engine.begin() as conn:
        conn.execute(
            t.dataset_observations.insert(),
            {
                "dataset_id": dataset_id,
                "series": "b.level",
                "observed_at": moment,
                "value": 1.5,
                "attributes": {"quality": "raw"},
                "location": [5.7, 50.8],
                "received_at": moment,
            },
        )
        ObservationStore(conn).add(
            dataset_id, [Observation("a.level", moment, 1.5, {"quality": "raw"}, Location(5.7, 50.8))], moment
        )
    with world.platform.engine.connect() as conn:
        raw = conn.exec_driver_sql(
            "SELECT dataset_id, observed_at, value, attributes, location, received_at FROM dataset_observations "
            "ORDER BY series"
        ).all()
    assert raw[0] == raw[1]  # driver-level values: the same bytes and types either way


def test_observations_read_in_time_order_whatever_order_they_arrived(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(h, h) for h in (5, 9, 1)])
    ingest(world, dataset_id, [reading(h, h) for h in (3, 7, 2)])
    viewer = Viewer(user_id=world.users["nl.duty"], partner_id=world.partners["NL-VR23"])
    first = q.observations(world.platform.engine, viewer, dataset_id, "a.level", q.TimeRange(), limit=4)
    assert [o.value for o in first.items] == [1, 2, 3, 5]
    assert first.next_after == first.items[-1].observed_at
    rest = q.observations(
        world.platform.engine, viewer, dataset_id, "a.level", q.TimeRange(after=first.next_after), limit=4
    )
    assert [o.value for o in rest.items] == [7, 9]
    assert rest.next_after is None
    window = q.TimeRange(
        since=datetime(2021, 7, 15, 2, tzinfo=UTC), until=datetime(2021, 7, 15, 7, tzinfo=UTC)
    )
    inside = q.observations(world.platform.engine, viewer, dataset_id, "a.level", window)
    assert [o.value for o in inside.items] == [2, 3, 5]
    series = {s.key: s for s in q.series_of(world.platform.engine, viewer, dataset_id)}
    assert series["a.level"].latest_value == 9  # the newest by observation time, not by arrival


def test_all_or_nothing_leaves_the_database_as_it_was(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(1, 1)])
    before = (count(world.platform, t.dataset_observations), count(world.platform, t.events))
    with pytest.raises(RecordsRejected):
        ingest(world, dataset_id, [reading(2, 2), reading(3, "high")], IngestMode.ALL_OR_NOTHING)
    assert (count(world.platform, t.dataset_observations), count(world.platform, t.events)) == before
    with world.platform.engine.connect() as conn:
        version = conn.execute(
            sa.select(t.datasets.c.version).where(t.datasets.c.id == dataset_id)
        ).scalar_one()
    assert version == 2  # published, then the one accepted batch


def test_the_schedule_flags_a_dataset_gone_quiet_and_data_clears_it(
    clocked: World, clock: FixedClock
) -> None:
    platform = clocked.platform
    owner = Viewer(user_id=clocked.users["be.duty"], partner_id=clocked.partners["BE-NCCN"])
    dataset_id = publish(clocked)
    ingest(clocked, dataset_id, [reading(47, 1)])  # 2021-07-16T23:00Z: 13 hours before NOW
    schedule.run_once(platform.bus)
    stale = q.list_datasets(platform.engine, owner, q.DatasetFilter(stale_only=True))
    assert [d.id for d in stale] == [dataset_id]
    assert "crisislink.datasets.stale" in event_types(platform)
    clock.advance(timedelta(minutes=5))
    ingest(clocked, dataset_id, [{"series": "b.level", "observed_at": NOW.isoformat(), "value": 3}])
    assert q.list_datasets(platform.engine, owner, q.DatasetFilter(stale_only=True)) == []
    assert event_types(platform)[-1] == "crisislink.datasets.fresh"


def test_concurrent_batches_of_one_dataset_take_turns(world: World) -> None:
    dataset_id = publish(world)
    errors: list[BaseException] = []

    def push(offset: int) -> None:
        try:
            for round_ in range(5):
                start = offset * 100 + round_ * 10
                ingest(world, dataset_id, [reading(start + h, h) for h in range(10)])
        except BaseException as error:  # noqa: BLE001 -- collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=push, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert count(world.platform, t.dataset_observations) == 150
    viewer = Viewer(user_id=world.users["be.duty"], partner_id=world.partners["BE-NCCN"])
    latest = {s.key: s for s in q.series_of(world.platform.engine, viewer, dataset_id)}["a.level"]
    assert latest.latest_at == datetime(2021, 7, 15, tzinfo=UTC) + timedelta(hours=249)


def test_the_followers_of_a_dataset_are_kept_per_person(world: World) -> None:
    dataset_id = publish(world)
    for username in ("nl.duty", "nl.duty", "liege.duty"):
        world.platform.bus.handle(c.FollowDataset(actor=world.actor(username), dataset_id=dataset_id))
    world.platform.bus.handle(c.UnfollowDataset(actor=world.actor("liege.duty"), dataset_id=dataset_id))
    viewer = Viewer(user_id=world.users["nl.duty"], partner_id=world.partners["NL-VR23"])
    view = q.get_dataset(world.platform.engine, viewer, dataset_id)
    assert (view.followers, view.following) == (1, True)
    ingest(world, dataset_id, [reading(1, 50), reading(2, 150)])
    assert "crisislink.datasets.followers_alerted" in event_types(world.platform)


def test_the_demo_seed_publishes_synthetic_gauges_once(platform: Platform) -> None:
    seed_partners(platform, ReferenceData(), progress=lambda _code: None)
    assert seed_demo_datasets(platform) == 2
    assert seed_demo_datasets(platform) == 0
    viewer = Viewer(user_id=uuid.UUID(int=1), partner_id=uuid.UUID(int=2))  # any signed-in member
    datasets = q.list_datasets(platform.engine, viewer, q.DatasetFilter())
    assert len(datasets) == 2
    assert all(d.synthetic and d.title.startswith("SYNTHETIC") for d in datasets)
    assert all(d.contact is not None for d in datasets)  # who to call, shown with the data
    assert count(platform, t.dataset_observations) == 6 * 5 * 24
    with platform.engine.connect() as conn:
        crossed = conn.execute(
            sa.select(t.events.c.payload).where(t.events.c.type == e.ThresholdCrossed.TYPE)
        ).scalars()
        geul = [p for p in crossed if p["series"] == "geul.valkenburg.level" and p["threshold"] == "alarm"]
    assert [p["direction"] for p in geul] == ["up", "down"]
    features = list(q.dataset_features(platform.engine, viewer))
    assert len(features) == 6
    assert all(f["properties"]["synthetic"] for f in features)


def test_every_record_of_the_seed_is_valid_against_its_own_schema() -> None:
    compiled = JsonSchemas().compile(datasets_seed.GAUGE_SCHEMA)
    for spec in datasets_seed._specs():
        for series in spec["series"]:
            values = [r["value"] for r in datasets_seed.readings(series)]
            assert all(compiled.errors(r) == [] for r in datasets_seed.readings(series))
            assert max(values) <= series["shape"]["peak"]
            assert values[0] == series["shape"]["base"]
