"""Dataset handlers against in-memory fakes: publishing, pushed batches, thresholds, staleness, followers."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisislink.adapters.db.codec import decode_event, event_payload
from crisislink.adapters.standards.json_schema import JsonSchemas
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets import handlers as h
from crisislink.domains.datasets import ingest_handlers as ih
from crisislink.domains.datasets import watch_handlers as wh
from crisislink.domains.datasets.intake import FreshnessRules
from crisislink.domains.datasets.model import DatasetKind, IngestMode, Location, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord, RecordsRejected
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import SYSTEM, Actor, Event
from tests.unit.dataset_fakes import FakeDatasetsUnitOfWork

NOW = datetime(2021, 7, 15, 12, 0, tzinfo=UTC)
SCHEMAS = JsonSchemas()
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["series", "observed_at", "value"],
    "properties": {
        "series": {"type": "string"},
        "observed_at": {"type": "string"},
        "value": {"type": ["number", "null"], "minimum": 0},
        "quality": {"enum": ["raw", "validated"]},
    },
    "additionalProperties": False,
}
LEVEL = Series(
    key="eijsden.level",
    name="Meuse at Eijsden",
    unit="cm",
    thresholds=(Threshold("vigilance", 450), Threshold("alarm", 650)),
    location=Location(5.71, 50.76),
)
FLOW = Series(key="sint-pieter.discharge", name="Meuse at Sint-Pieter", unit="m3/s")
E = TypeVar("E", bound=Event)
LABEL = Label(uuid.UUID(int=1), uuid.UUID(int=2), Tlp.AMBER, frozenset({Principal.user(uuid.UUID(int=3))}))


@dataclass
class World:
    uow: FakeDatasetsUnitOfWork
    clock: FixedClock
    owner: uuid.UUID
    other: uuid.UUID
    contact: uuid.UUID

    def actor(self, partner: uuid.UUID | None = None, *roles: str) -> Actor:
        partner = partner or self.owner
        user = self.uow.dataset_directory.add_user(partner)
        return Actor(user_id=user, partner_id=partner, roles=frozenset(roles or {"duty_officer"}))


@pytest.fixture
def world() -> World:
    uow = FakeDatasetsUnitOfWork()
    directory = uow.dataset_directory
    owner, other = directory.add_partner(), directory.add_partner()
    return World(uow, FixedClock(NOW), owner, other, directory.add_contact(owner))


def publish(world: World, **changes: Any) -> uuid.UUID:
    fields: dict[str, Any] = {
        "actor": world.actor(),
        "title": "Meuse gauges",
        "kind": DatasetKind.RIVER_GAUGE,
        "record_schema": SCHEMA,
        "contact_point_id": world.contact,
        "refresh": timedelta(minutes=15),
        "series": (LEVEL, FLOW),
    }
    fields.update(changes)
    return h.publish_dataset(c.PublishDataset(**fields), world.uow, SCHEMAS, world.clock.now)


def at(hour: float) -> str:
    return (datetime(2021, 7, 15, tzinfo=UTC) + timedelta(hours=hour)).isoformat()


def reading(hour: float, value: object, series: str = "eijsden.level", **extra: object) -> dict[str, object]:
    return {"series": series, "observed_at": at(hour), "value": value, **extra}


def ingest(
    world: World,
    dataset_id: uuid.UUID,
    records: list[dict[str, object]],
    mode: IngestMode = IngestMode.KEEP_VALID,
) -> ih.IngestResult:
    command = c.IngestObservations(
        actor=world.actor(),
        dataset_id=dataset_id,
        batch=c.Batch(tuple(IncomingRecord(r) for r in records)),
        mode=mode,
    )
    try:
        return ih.ingest_observations(command, world.uow, SCHEMAS, world.clock.now)
    except Exception:
        world.uow.rollback()
        raise


def events_of(world: World, kind: type[E]) -> list[E]:
    return [event for event in world.uow.events if isinstance(event, kind)]


# --- publishing ---------------------------------------------------------------------------------------


def test_publishing_records_the_dataset_with_its_contact_and_when_it_turns_stale(world: World) -> None:
    dataset_id = publish(world)
    dataset = world.uow.datasets.get(dataset_id)
    assert dataset.label == Label(world.owner, world.uow.node_id, Tlp.GREEN)
    assert dataset.contact_point_id == world.contact
    assert dataset.stale_at == NOW + timedelta(minutes=30)  # refresh x the default grace factor of 2
    (published,) = events_of(world, e.DatasetPublished)
    assert published.series == ("eijsden.level", "sint-pieter.discharge")
    assert published.contact_point_id == world.contact


@pytest.mark.parametrize(
    ("schema", "mentions"),
    [
        ({"type": "object", "properties": {"value": {"type": "numeric"}}}, "not valid json schema"),
        ({"type": "array"}, "json object"),
        ({"type": "object", "properties": {"value": {"$ref": "https://example.org/s.json"}}}, "inline them"),
    ],
)
def test_a_schema_that_cannot_judge_records_is_refused(
    world: World, schema: dict[str, Any], mentions: str
) -> None:
    with pytest.raises(InvalidInput, match=f"(?i){mentions}"):
        publish(world, record_schema=schema)
    assert world.uow.commits == 0


def test_who_to_call_must_be_one_of_the_owners_own_contacts(world: World) -> None:
    elsewhere = world.uow.dataset_directory.add_contact(world.other)
    with pytest.raises(InvalidInput, match="owner's own points of contact"):
        publish(world, contact_point_id=elsewhere)
    with pytest.raises(InvalidInput, match="no point of contact"):
        publish(world, contact_point_id=uuid.uuid4())


def test_a_partner_publishes_its_own_data_only(world: World) -> None:
    with pytest.raises(PermissionDenied, match="its own datasets"):
        publish(world, owner_partner_id=world.other)
    with pytest.raises(PermissionDenied, match="role"):
        publish(world, actor=world.actor(world.owner, "observer"))
    assert publish(world, actor=SYSTEM, owner_partner_id=world.owner)


def test_series_are_declared_once_each_with_sane_keys(world: World) -> None:
    with pytest.raises(InvalidInput, match="unique"):
        publish(world, series=(LEVEL, LEVEL))
    with pytest.raises(InvalidInput, match="series key"):
        Series(key="has space", name="x", unit="cm")
    with pytest.raises(InvalidInput, match="finite"):
        Threshold("alarm", float("inf"))


# --- pushed batches -------------------------------------------------------------------------------------


def test_keep_valid_stores_the_valid_records_and_lists_each_refused_one(world: World) -> None:
    dataset_id = publish(world)
    result = ingest(
        world,
        dataset_id,
        [
            reading(1, 400),
            reading(2, -5),  # below the schema's minimum
            reading(3, 410, quality="guessed"),  # not in the enum
            {"series": "eijsden.level", "value": 1},  # no time
            reading(4, 420),
        ],
    )
    assert (result.received, result.stored, result.duplicates, result.rejected) == (5, 2, 0, 3)
    assert [(x.index, x.path) for x in result.errors] == [(1, "/value"), (2, "/quality"), (3, "")]
    assert "required" in result.errors[2].message
    assert len(world.uow.dataset_observations.stored) == 2
    (received,) = events_of(world, e.DatasetObservationsReceived)
    assert received.count == 2
    assert (received.first_observed_at, received.last_observed_at) == (
        datetime.fromisoformat(at(1)),
        datetime.fromisoformat(at(4)),
    )


def test_all_or_nothing_refuses_the_whole_batch_and_writes_nothing(world: World) -> None:
    dataset_id = publish(world)
    commits = world.uow.commits
    with pytest.raises(RecordsRejected) as refused:
        ingest(world, dataset_id, [reading(1, 400), reading(2, "high")], IngestMode.ALL_OR_NOTHING)
    assert [(x.index, x.path) for x in refused.value.errors] == [(1, "/value")]
    assert refused.value.received == 2
    assert world.uow.dataset_observations.stored == {}
    assert world.uow.commits == commits
    assert events_of(world, e.DatasetObservationsReceived) == []


def test_a_batch_with_nothing_valid_is_refused_even_when_keeping_the_valid_ones(world: World) -> None:
    dataset_id = publish(world)
    with pytest.raises(RecordsRejected, match="none of the 1 records"):
        ingest(world, dataset_id, [reading(1, "x")])


@pytest.mark.parametrize(
    ("record", "path", "mentions"),
    [
        ({"series": "nowhere", "observed_at": "2021-07-15T01:00:00Z", "value": 1}, "/series", "declares"),
        (
            {"series": "eijsden.level", "observed_at": "2021-07-15T01:00:00", "value": 1},
            "/observed_at",
            "offset",
        ),
        ({"series": "eijsden.level", "observed_at": "15/07/2021", "value": 1}, "/observed_at", "ISO 8601"),
        (
            {"series": "eijsden.level", "observed_at": "2031-07-15T01:00:00Z", "value": 1},
            "/observed_at",
            "future",
        ),
        (
            {"series": "eijsden.level", "observed_at": "2021-07-15T01:00:00Z", "value": True},
            "/value",
            "number",
        ),
    ],
)
def test_the_platforms_own_key_is_checked_after_the_schema(
    world: World, record: dict[str, object], path: str, mentions: str
) -> None:
    dataset_id = publish(world)
    with pytest.raises(RecordsRejected) as refused:
        ingest(world, dataset_id, [record])
    (error,) = refused.value.errors
    assert (error.index, error.path) == (0, path)
    assert mentions in error.message


def test_only_the_owner_feeds_its_dataset(world: World) -> None:
    dataset_id = publish(world)
    command = c.IngestObservations(
        actor=world.actor(world.other), dataset_id=dataset_id, batch=c.Batch((IncomingRecord(reading(1, 1)),))
    )
    with pytest.raises(PermissionDenied, match="owns this dataset"):
        ih.ingest_observations(command, world.uow, SCHEMAS, world.clock.now)


def test_the_audit_trail_keeps_the_count_of_a_batch_not_its_data() -> None:
    assert str(c.Batch((IncomingRecord(reading(1, 1)), IncomingRecord(reading(2, 2))))) == "2 records"


# --- idempotency and late data --------------------------------------------------------------------------


def test_the_same_observation_sent_twice_is_stored_once(world: World) -> None:
    dataset_id = publish(world)
    batch = [reading(1, 400), reading(2, 410), reading(2, 999)]  # the third repeats the second's key
    first = ingest(world, dataset_id, batch)
    again = ingest(world, dataset_id, batch)
    assert (first.stored, first.duplicates) == (2, 1)
    assert (again.stored, again.duplicates) == (0, 3)
    stored = world.uow.dataset_observations.series(dataset_id, "eijsden.level")
    assert [o.value for o in stored] == [400, 410]  # the first one sent is kept
    assert len(events_of(world, e.DatasetObservationsReceived)) == 1  # a repeat changes nothing
    assert world.uow.dataset_observations.statements == 2  # one bulk write per batch


def test_only_observations_that_can_be_stored_already_are_looked_up(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(1, 400), reading(2, 410)])
    ingest(world, dataset_id, [reading(3, 420), reading(4, 430)])  # newer than the newest: nothing to ask
    assert world.uow.dataset_observations.lookups == 0
    late = ingest(world, dataset_id, [reading(1.5, 405), reading(2, 410), reading(5, 440)])
    assert world.uow.dataset_observations.lookups == 1
    assert (late.stored, late.duplicates) == (2, 1)


def test_the_same_instant_with_another_offset_is_the_same_observation(world: World) -> None:
    dataset_id = publish(world)
    ingest(
        world,
        dataset_id,
        [{"series": "eijsden.level", "observed_at": "2021-07-15T03:00:00+02:00", "value": 1}],
    )
    again = ingest(
        world, dataset_id, [{"series": "eijsden.level", "observed_at": "2021-07-15T01:00:00Z", "value": 1}]
    )
    assert again.duplicates == 1


def test_late_and_out_of_order_observations_land_in_their_place(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(5, 500), reading(3, 300)])
    ingest(world, dataset_id, [reading(4, 700), reading(1, 100)])  # both older than the newest (hour 5)
    stored = world.uow.dataset_observations.series(dataset_id, "eijsden.level")
    assert [o.value for o in stored] == [100, 300, 700, 500]
    dataset = world.uow.datasets.get(dataset_id)
    assert dataset.latest["eijsden.level"].value == 500  # still the newest by observation time
    assert dataset.last_observed_at == datetime.fromisoformat(at(5))
    # A late 700 crosses nothing now: the series did not pass 650 at its newest reading.
    assert [x.threshold for x in events_of(world, e.ThresholdCrossed)] == ["vigilance"]


# --- thresholds -----------------------------------------------------------------------------------------


def test_thresholds_are_crossed_upward_and_downward_against_the_previous_value(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(1, 400)])  # the baseline: nothing crossed from nothing
    assert events_of(world, e.ThresholdCrossed) == []
    ingest(world, dataset_id, [reading(3, 700), reading(2, 500), reading(4, None)])
    ingest(world, dataset_id, [reading(5, 640), reading(6, 300)])
    crossed = [
        (x.threshold, x.direction, x.previous, x.reading.value) for x in events_of(world, e.ThresholdCrossed)
    ]
    assert crossed == [
        ("vigilance", "up", 400, 500),
        ("alarm", "up", 500, 700),
        ("alarm", "down", 700, 640),  # the null reading at hour 4 is skipped
        ("vigilance", "down", 640, 300),
    ]
    assert all(
        x.level in {450, 650} and x.series == "eijsden.level" for x in events_of(world, e.ThresholdCrossed)
    )


def test_reaching_a_level_exactly_counts_as_crossing_it(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(1, 449), reading(2, 450), reading(3, 449.5)])
    crossed = [(x.direction, x.reading.value) for x in events_of(world, e.ThresholdCrossed)]
    assert crossed == [("up", 450), ("down", 449.5)]


def test_followers_get_one_alert_addressed_to_them(world: World) -> None:
    dataset_id = publish(world)
    follower = world.actor(world.owner, "analyst")
    wh.follow_dataset(
        c.FollowDataset(actor=follower, dataset_id=dataset_id), world.uow, lambda *_: True, world.clock.now
    )
    ingest(world, dataset_id, [reading(1, 400)])
    assert events_of(world, e.FollowersAlerted) == []  # nothing crossed
    ingest(world, dataset_id, [reading(2, 500), reading(3, 700)])
    (alert,) = events_of(world, e.FollowersAlerted)
    assert alert.label.marking is Tlp.RED
    assert alert.label.audience == frozenset({Principal.user(follower.user_id)})  # type: ignore[arg-type]
    assert alert.dataset_id == dataset_id  # its context: followers who lose sight of the dataset lose it too
    assert [(x.threshold, x.direction) for x in alert.crossings] == [("vigilance", "up"), ("alarm", "up")]


def test_a_dataset_without_followers_raises_no_follower_alert(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(1, 400), reading(2, 700)])
    assert len(events_of(world, e.ThresholdCrossed)) == 2
    assert events_of(world, e.FollowersAlerted) == []


# --- staleness ------------------------------------------------------------------------------------------


def flag(world: World) -> int:
    return wh.flag_stale_datasets(c.FlagStaleDatasets(actor=SYSTEM), world.uow, world.clock.now)


def test_a_dataset_is_flagged_stale_after_its_refresh_times_the_grace_and_names_whom_to_call(
    world: World,
) -> None:
    dataset_id = publish(world)
    world.clock.advance(timedelta(minutes=29))
    assert flag(world) == 0
    world.clock.advance(timedelta(minutes=1))
    assert flag(world) == 1
    (stale,) = events_of(world, e.DatasetStale)
    assert stale.contact_point_id == world.contact
    assert stale.expected_every_seconds == 900
    world.clock.advance(timedelta(hours=1))
    assert flag(world) == 0  # flagged once, not every round
    assert world.uow.datasets.get(dataset_id).stale_since == NOW + timedelta(minutes=30)


def test_newer_data_clears_the_flag_but_a_backfill_of_old_data_does_not(world: World) -> None:
    dataset_id = publish(world, series=(LEVEL,))
    world.clock.advance(timedelta(hours=2))
    flag(world)
    ingest(world, dataset_id, [reading(1, 400)])  # 11 hours before now: still older than 30 minutes
    assert world.uow.datasets.get(dataset_id).stale_since is not None
    assert events_of(world, e.DatasetFresh) == []
    ingest(world, dataset_id, [reading(13.9, 410)])  # 6 minutes ago
    assert world.uow.datasets.get(dataset_id).stale_since is None
    (fresh,) = events_of(world, e.DatasetFresh)
    assert fresh.last_observed_at == datetime.fromisoformat(at(13.9))


def test_the_grace_factor_is_a_rule(world: World) -> None:
    dataset_id = publish(world)
    dataset = world.uow.datasets.get(dataset_id)
    assert FreshnessRules(grace=3).stale_at(dataset) == NOW + timedelta(minutes=45)


# --- following and changing --------------------------------------------------------------------------


def test_following_needs_to_see_the_dataset_and_is_idempotent(world: World) -> None:
    dataset_id = publish(world)
    person = world.actor(world.other, "observer")
    follow = c.FollowDataset(actor=person, dataset_id=dataset_id)
    with pytest.raises(NotFound, match="that you may see"):
        wh.follow_dataset(follow, world.uow, lambda *_: False, world.clock.now)
    assert wh.follow_dataset(follow, world.uow, lambda *_: True, world.clock.now) is True
    assert wh.follow_dataset(follow, world.uow, lambda *_: True, world.clock.now) is False
    assert world.uow.dataset_followers.of(dataset_id) == [person.user_id]
    unfollow = c.UnfollowDataset(actor=person, dataset_id=dataset_id)
    assert wh.unfollow_dataset(unfollow, world.uow, lambda *_: True) is True
    assert world.uow.dataset_followers.of(dataset_id) == []
    with pytest.raises(NotFound):
        wh.follow_dataset(
            c.FollowDataset(actor=person, dataset_id=uuid.uuid4()),
            world.uow,
            lambda *_: True,
            world.clock.now,
        )


def test_changing_the_marking_tells_the_old_audience_and_series_in_use_stay(world: World) -> None:
    dataset_id = publish(world)
    ingest(world, dataset_id, [reading(1, 400)])
    update = c.UpdateDataset(
        actor=world.actor(), dataset_id=dataset_id, expected_version=2, marking=Tlp.AMBER, series=(FLOW,)
    )
    with pytest.raises(InvalidInput, match=r"eijsden\.level hold observations"):
        h.update_dataset(update, world.uow)
    world.uow.rollback()
    h.update_dataset(
        c.UpdateDataset(actor=world.actor(), dataset_id=dataset_id, expected_version=2, marking=Tlp.AMBER),
        world.uow,
    )
    (relabelled,) = events_of(world, e.DatasetRelabelled)
    assert relabelled.label.marking is Tlp.GREEN
    assert world.uow.datasets.get(dataset_id).label.marking is Tlp.AMBER


# --- events on the wire ------------------------------------------------------------------------------


@settings(max_examples=200)
@given(event=st.sampled_from(e.ALL_EVENTS).flatmap(lambda kind: st.builds(kind, label=st.just(LABEL))))
def test_every_dataset_event_round_trips_through_json_even_with_nan(event: Event) -> None:
    """A NaN reading is not a measurement: events carry it as null, so the JSON round trip is exact."""
    wire = json.loads(json.dumps(event_payload(event)))
    assert decode_event(type(event), wire, LABEL) == event
