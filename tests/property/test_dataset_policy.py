"""A viewer never receives observations, exports or events of a dataset it may not see.

Random worlds: partners and their duty officers; datasets published by a partner with a random marking
and audience, followed by random people (those allowed to), fed one batch that crosses a threshold, and
sometimes relabelled afterwards. For every user (and the public, and a member of no partner in
particular), the dataset reads, the observation pages, the exports and the live feed must answer exactly
as `may_see` says for the labels the test itself chose: a dataset event reaches a reader only if the
reader may see the event's label *and* the dataset as it is labelled now.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from crisislink.adapters.db import outbox
from crisislink.adapters.db.queries import datasets as q
from crisislink.adapters.db.queries import events, pull_sources
from crisislink.app.bootstrap import Platform
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.events import FollowersAlerted
from crisislink.domains.datasets.model import DatasetKind, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.domains.sharing.policy import ANY_MEMBER, PUBLIC, Viewer, may_see
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import SYSTEM, Actor, Envelope
from tests.property.policy_worlds import UserInWorld, WorldSpec, read_event_stream, sign_in
from tests.property.policy_worlds import build_world as build_directory
from tests.support import make_platform, migrated, truncate_all

SCHEMA = {"type": "object", "required": ["series", "observed_at", "value"]}
SERIES = Series("gauge", "Gauge", "cm", thresholds=(Threshold("alarm", 100),))
BATCH = tuple(
    IncomingRecord({"series": "gauge", "observed_at": f"2021-07-15T0{hour}:00:00Z", "value": value})
    for hour, value in ((1, 50), (2, 150))
)
DATASET_EVENTS = "crisislink.datasets."


@dataclass(frozen=True)
class DatasetSpec:
    owner: int
    marking: Tlp
    audience_partners: frozenset[int] = frozenset()
    audience_users: frozenset[int] = frozenset()
    followers: frozenset[int] = frozenset()  # users who try to follow it (those who may see it succeed)
    relabel: Tlp | None = None  # a marking it gets after its batch


@dataclass(frozen=True)
class Spec:
    users_per_partner: tuple[int, ...]
    datasets: tuple[DatasetSpec, ...]


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    sizes = tuple(draw(st.lists(st.integers(1, 2), min_size=2, max_size=4)))
    partners, users = len(sizes), sum(sizes)
    dataset = st.builds(
        DatasetSpec,
        owner=st.integers(0, partners - 1),
        marking=st.sampled_from(list(Tlp)),
        audience_partners=st.frozensets(st.integers(0, partners - 1), max_size=partners),
        audience_users=st.frozensets(st.integers(0, users - 1), max_size=users),
        followers=st.frozensets(st.integers(0, users - 1), max_size=users),
        relabel=st.none() | st.sampled_from(list(Tlp)),
    )
    return Spec(sizes, tuple(draw(st.lists(dataset, min_size=1, max_size=3))))


EVERY_CASE = Spec(
    users_per_partner=(2, 1, 2),
    datasets=(
        DatasetSpec(0, Tlp.GREEN, followers=frozenset({0, 2, 4})),
        DatasetSpec(1, Tlp.AMBER, frozenset({2}), frozenset({0}), followers=frozenset({0, 1, 3, 4})),
        DatasetSpec(2, Tlp.AMBER_STRICT, followers=frozenset({0, 3})),
        DatasetSpec(0, Tlp.RED, audience_users=frozenset({2}), followers=frozenset({1, 2})),
        DatasetSpec(1, Tlp.GREEN, followers=frozenset({0, 3}), relabel=Tlp.AMBER_STRICT),
        DatasetSpec(2, Tlp.AMBER_STRICT, followers=frozenset({3}), relabel=Tlp.CLEAR),
    ),
)


@dataclass(frozen=True)
class DatasetInWorld:
    id: uuid.UUID
    first: Label  # as published (and fed)
    now: Label  # after any relabelling
    followers: frozenset[uuid.UUID]

    def expected_label(self, envelope: Envelope) -> Label:
        if envelope.type == FollowersAlerted.TYPE:
            return Label(self.first.owner_partner_id, self.first.home_node_id, Tlp.RED, self._followers())
        if envelope.type == "crisislink.datasets.updated":
            return self.now
        return self.first

    def _followers(self) -> frozenset[Principal]:
        return frozenset(Principal.user(user) for user in self.followers)


@dataclass(frozen=True)
class World:
    platform: Platform
    users: tuple[UserInWorld, ...]
    datasets: tuple[DatasetInWorld, ...]

    def viewers(self) -> list[Viewer]:
        return [user.viewer for user in self.users] + [PUBLIC, ANY_MEMBER]

    def visible(self, viewer: Viewer) -> set[uuid.UUID]:
        return {d.id for d in self.datasets if may_see(viewer, d.now)}


def _actor(user: UserInWorld) -> Actor:
    return Actor(user_id=user.id, partner_id=user.partner_id, roles=frozenset({"duty_officer"}))


def _contact(platform: Platform, partner: uuid.UUID) -> uuid.UUID:
    contact: uuid.UUID = platform.bus.handle(
        sc.CreateContactPoint(
            actor=SYSTEM,
            partner_id=partner,
            role=ContactRole.DUTY_DESK_24_7,
            name="Data desk",
            channels=(Channel(ChannelKind.EMAIL, "data@test.example"),),
            languages=("en",),
            hours=StaffedHours(always=True),
            marking=Tlp.GREEN,
        )
    )
    return contact


def _follow(platform: Platform, user: UserInWorld, dataset_id: uuid.UUID) -> bool:
    try:
        platform.bus.handle(c.FollowDataset(actor=_actor(user), dataset_id=dataset_id))
    except NotFound:
        return False
    return True


def _one(
    platform: Platform, spec: DatasetSpec, partners: tuple[uuid.UUID, ...], users: tuple[UserInWorld, ...]
) -> DatasetInWorld:
    bus, node = platform.bus, platform.node_id
    owner = next(u for u in users if u.partner_id == partners[spec.owner])
    audience = frozenset(
        [Principal.partner(partners[i]) for i in spec.audience_partners]
        + [Principal.user(users[i].id) for i in spec.audience_users]
    )
    dataset_id: uuid.UUID = bus.handle(
        c.PublishDataset(
            actor=_actor(owner),
            title="Gauges",
            kind=DatasetKind.RIVER_GAUGE,
            record_schema=SCHEMA,
            contact_point_id=_contact(platform, partners[spec.owner]),
            refresh=timedelta(hours=1),
            series=(SERIES,),
            marking=spec.marking,
            audience=audience,
        )
    )
    first = Label(partners[spec.owner], node, spec.marking, audience)
    followers = frozenset(users[i].id for i in spec.followers if _follow(platform, users[i], dataset_id))
    assert followers == {users[i].id for i in spec.followers if may_see(users[i].viewer, first)}
    bus.handle(c.IngestObservations(actor=_actor(owner), dataset_id=dataset_id, batch=c.Batch(BATCH)))
    now = first
    if spec.relabel is not None and spec.relabel is not spec.marking:
        bus.handle(
            c.UpdateDataset(
                actor=_actor(owner), dataset_id=dataset_id, expected_version=2, marking=spec.relabel
            )
        )
        now = Label(first.owner_partner_id, node, spec.relabel, audience)
    return DatasetInWorld(dataset_id, first, now, followers)


def build(platform: Platform, spec: Spec) -> World:
    directory = build_directory(platform, WorldSpec(spec.users_per_partner, ()))
    built = tuple(_one(platform, d, directory.partners, directory.users) for d in spec.datasets)
    return World(platform, directory.users, built)


def dataset_events(world: World) -> list[tuple[Envelope, DatasetInWorld]]:
    """Every dataset event in the log, checked against the label the test expects it to carry."""
    with world.platform.engine.connect() as conn:
        envelopes = outbox.read_after(conn, 0, 1_000_000)
    by_id = {d.id: d for d in world.datasets}
    found = []
    for envelope in envelopes:
        if envelope.type.startswith(DATASET_EVENTS):
            dataset = by_id[uuid.UUID(str(envelope.payload["dataset_id"]))]
            assert envelope.context_id == dataset.id
            assert envelope.label == dataset.expected_label(envelope), envelope.type
            found.append((envelope, dataset))
    assert {e.type for e, _ in found} >= {
        "crisislink.datasets.published",
        "crisislink.datasets.threshold_crossed",
    }
    return found


def expected_positions(found: list[tuple[Envelope, DatasetInWorld]], viewer: Viewer) -> list[int]:
    return [
        e.position
        for e, dataset in found
        if e.position is not None and may_see(viewer, e.label) and may_see(viewer, dataset.now)
    ]


# --- the databases -------------------------------------------------------------------------------------


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dataset-worlds') / 'datasets.db'}"
        migrated(url)
        return url, 20
    return str(request.getfixturevalue("postgres_url")), 10


@contextmanager
def running(url: str) -> Iterator[Platform]:
    truncate_all(url)
    platform = make_platform(url)
    try:
        yield platform
    finally:
        platform.stop()


# --- the query layer ------------------------------------------------------------------------------------


def _hidden(world: World, viewer: Viewer, dataset_id: uuid.UUID) -> bool:
    engine, hidden = world.platform.engine, []
    for read in (
        lambda: q.get_dataset(engine, viewer, dataset_id),
        lambda: q.series_of(engine, viewer, dataset_id),
        lambda: q.observations(engine, viewer, dataset_id, "gauge", q.TimeRange()),
        lambda: q.export(engine, viewer, dataset_id, None, q.TimeRange()),
        lambda: pull_sources.pull_source(engine, viewer, dataset_id),
    ):
        try:
            read()
        except NotFound:
            hidden.append(True)
        else:
            hidden.append(False)
    assert len(set(hidden)) == 1, "the read paths of one dataset disagree"
    return hidden[0]


def _check_queries(world: World, viewer: Viewer, found: list[tuple[Envelope, DatasetInWorld]]) -> None:
    engine = world.platform.engine
    listed = {d.id for d in q.list_datasets(engine, viewer, q.DatasetFilter(limit=q.MAX_PAGE))}
    assert listed == world.visible(viewer)
    mapped = {uuid.UUID(f["properties"]["dataset_id"]) for f in q.dataset_features(engine, viewer)}
    assert mapped <= world.visible(viewer)
    for dataset in world.datasets:
        assert _hidden(world, viewer, dataset.id) is not may_see(viewer, dataset.now)
        if may_see(viewer, dataset.now):
            exported = q.export(engine, viewer, dataset.id, None, q.TimeRange())
            assert len(exported.rows) == len(BATCH)
    feed = [
        e.position
        for e in events.visible_after(engine, viewer, 0, limit=10_000)
        if e.type.startswith(DATASET_EVENTS)
    ]
    assert feed == expected_positions(found, viewer)
    _check_live_tail(world, viewer, found)


def _check_live_tail(world: World, viewer: Viewer, found: list[tuple[Envelope, DatasetInWorld]]) -> None:
    """The feed's in-memory path applies the same policy, with each dataset's label as it is now."""
    tail = world.platform.live_tail
    tail.refresh(world.platform.notifier.latest)
    window = tail.window
    shared, _ = window.after(viewer, window.floor, limit=10_000)
    feed = [e.position for e in shared if json.loads(e.data)["type"].startswith(DATASET_EVENTS)]
    assert window.floor < min(e.position or 0 for e, _ in found)
    assert feed == expected_positions(found, viewer)


def test_dataset_read_paths_and_the_feed_answer_exactly_as_the_policy_says(database: tuple[str, int]) -> None:
    url, examples = database

    @settings(max_examples=examples, deadline=None)
    @given(spec=specs())
    @example(spec=EVERY_CASE)
    def every_viewer_sees_exactly_its_share(spec: Spec) -> None:
        with running(url) as platform:
            platform.live_tail.refresh(0)  # the tail's window starts here, before the world's events
            world = build(platform, spec)
            found = dataset_events(world)
            for viewer in world.viewers():
                _check_queries(world, viewer, found)

    every_viewer_sees_exactly_its_share()


def test_the_always_run_world_hides_and_shows_through_every_path(sqlite_url: str) -> None:
    with running(sqlite_url) as platform:
        world = build(platform, EVERY_CASE)
        found = dataset_events(world)
    outcomes = {(may_see(u.viewer, e.label), may_see(u.viewer, d.now)) for u in world.users for e, d in found}
    assert outcomes == {(True, True), (True, False), (False, True), (False, False)}
    alerts = [e for e, _ in found if e.type == FollowersAlerted.TYPE]
    assert len(alerts) == len(EVERY_CASE.datasets)


# --- the HTTP layer -------------------------------------------------------------------------------------


@settings(max_examples=4, deadline=None)
@given(spec=specs())
@example(spec=EVERY_CASE)
def test_http_reads_exports_and_the_live_feed_answer_as_the_policy_says(spec: Spec) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'crisislink.db'}"
        migrated(url)
        with running(url) as platform:
            world = build(platform, spec)
            found = dataset_events(world)
            _contact(
                platform, world.users[0].partner_id
            )  # the stream's last event: GREEN, every reader gets it
            with TestClient(create_app(platform)) as client:
                for user in world.users:
                    token = sign_in(client, user.username)
                    _check_http(client, world, user)
                    _check_stream(client, world, user, token, found)


def _check_http(client: TestClient[Litestar], world: World, user: UserInWorld) -> None:
    listed = {row["id"] for row in client.get("/api/datasets?limit=1000").json()}
    assert listed == {str(i) for i in world.visible(user.viewer)}
    for dataset in world.datasets:
        base = f"/api/datasets/{dataset.id}"
        paths = (base, f"{base}/series/gauge/observations", f"{base}/export.csv", f"{base}/export.geojson")
        expected = 200 if may_see(user.viewer, dataset.now) else 404
        for path in paths:
            assert client.get(path).status_code == expected, path


def _check_stream(
    client: TestClient[Litestar],
    world: World,
    user: UserInWorld,
    token: str,
    found: list[tuple[Envelope, DatasetInWorld]],
) -> None:
    head = events.head_position(world.platform.engine)
    result = read_event_stream(client, "after=0", token, until_id=head)
    assert not result.timed_out
    received = [
        int(m.id or -1)
        for m in result.messages
        if m.event != "ready" and json.loads(m.data)["type"].startswith(DATASET_EVENTS)
    ]
    assert received == expected_positions(found, user.viewer)
