"""Every read path returns exactly what the sharing policy allows: no more, no less.

Random worlds (partners, their users, contact points with random owner, marking and audience) are built
through the command bus; then, for every user and for the public, each read path must return exactly
`{r : may_see(viewer, r.label)}`, where the labels are the ones the test chose.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from crisislink.adapters.db.queries import directory, events
from crisislink.adapters.db.queries import map as map_queries
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing.policy import ANY_MEMBER, PUBLIC, Viewer, may_see
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Principal, PrincipalKind, Tlp
from crisislink.kernel.messages import Envelope
from tests.property.policy_worlds import (
    CONTACT_CREATED,
    BuiltWorld,
    RecordSpec,
    UserInWorld,
    WorldSpec,
    all_events,
    build_world,
    not_found_detail,
    read_event_stream,
    sign_in,
    visible_positions,
    world_specs,
)
from tests.support import make_platform, migrated, truncate_all

# One world that always runs: every marking, audiences naming partners, users and the owner itself.
EVERY_MARKING = WorldSpec(
    users_per_partner=(2, 1, 2),
    records=(
        RecordSpec(0, Tlp.CLEAR),
        RecordSpec(0, Tlp.GREEN),
        RecordSpec(0, Tlp.AMBER, frozenset({1}), frozenset({3})),
        RecordSpec(1, Tlp.AMBER, frozenset({1})),
        RecordSpec(0, Tlp.AMBER_STRICT, frozenset({1, 2}), frozenset({2, 3})),
        RecordSpec(2, Tlp.RED, frozenset({0, 1}), frozenset({1})),
        RecordSpec(1, Tlp.RED),
        RecordSpec(2, Tlp.RED, frozenset({2}), frozenset({4})),
    ),
)
# The last record of every HTTP world: visible to all, so the feed is read until it arrives.
SENTINEL = RecordSpec(0, Tlp.CLEAR)


@contextmanager
def running(url: str) -> Iterator[Platform]:
    platform = make_platform(url)
    try:
        yield platform
    finally:
        platform.stop()


@dataclass(frozen=True)
class FreshDatabases:
    """A factory of empty, migrated databases, and how many worlds to try on them."""

    new: Callable[[], str]
    max_examples: int


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> FreshDatabases:
    """A new SQLite file per world, or the PostgreSQL test database emptied (dearer, so fewer worlds)."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("policy-worlds")
        counter = itertools.count()

        def fresh_sqlite() -> str:
            url = f"sqlite:///{folder / f'world-{next(counter)}.db'}"
            migrated(url)
            return url

        return FreshDatabases(fresh_sqlite, max_examples=20)
    url = str(request.getfixturevalue("postgres_url"))

    def fresh_postgres() -> str:
        truncate_all(url)
        return url

    return FreshDatabases(fresh_postgres, max_examples=12)


def _viewers(world: BuiltWorld) -> list[Viewer]:
    return [user.viewer for user in world.users] + [PUBLIC, ANY_MEMBER]


# --- the query layer ---------------------------------------------------------------------------------------


def _check_lists(world: BuiltWorld, viewer: Viewer) -> None:
    engine, now = world.platform.engine, world.platform.clock.now()
    listed = directory.list_contact_points(engine, viewer, directory.ContactFilter(), now)
    ids = [view.id for view in listed]
    assert len(ids) == len(set(ids)), "a record is listed twice"
    assert set(ids) == world.visible_ids(viewer)
    for view in listed:
        label = world.label_of(view.id)
        assert view.marking == label.marking.value
        assert view.owner_partner_id == label.owner_partner_id
        assert {Principal(PrincipalKind(m.kind), m.id) for m in view.audience} == label.audience
    for partner in world.partners:
        flt = directory.ContactFilter(partner_id=partner)
        filtered = {view.id for view in directory.list_contact_points(engine, viewer, flt, now)}
        assert filtered == world.visible_ids(viewer, owner=partner)


def _check_map(world: BuiltWorld, viewer: Viewer) -> None:
    features = list(
        map_queries.contact_point_features(world.platform.engine, viewer, world.platform.clock.now())
    )
    _check_features(world, viewer, features)


def _check_features(world: BuiltWorld, viewer: Viewer, features: list[dict[str, Any]]) -> None:
    ids = [uuid.UUID(feature["properties"]["contact_point_id"]) for feature in features]
    assert len(ids) == len(set(ids)), "a point of contact is on the map twice"
    assert set(ids) == world.visible_ids(viewer)
    for record_id, feature in zip(ids, features, strict=True):
        label = world.label_of(record_id)
        assert feature["properties"]["marking"] == label.marking.value
        assert uuid.UUID(feature["properties"]["partner_id"]) == label.owner_partner_id


def _check_single_reads(world: BuiltWorld, viewer: Viewer) -> None:
    engine, now = world.platform.engine, world.platform.clock.now()
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as absent:
        directory.get_contact_point(engine, viewer, missing, now)
    absent_message = str(absent.value).replace(str(missing), "<id>")
    for record in world.records:
        if may_see(viewer, record.label):
            assert directory.get_contact_point(engine, viewer, record.id, now).id == record.id
        else:
            with pytest.raises(NotFound) as hidden:
                directory.get_contact_point(engine, viewer, record.id, now)
            # Same error as for an id that does not exist: a hidden record's existence does not leak.
            assert str(hidden.value).replace(str(record.id), "<id>") == absent_message


def _check_feed(world: BuiltWorld, viewer: Viewer, envelopes: list[Envelope], cut: int) -> None:
    engine = world.platform.engine
    by_position = {e.position: e for e in envelopes}
    feed = events.visible_after(engine, viewer, 0)
    assert [e.position for e in feed] == visible_positions(envelopes, viewer)
    for event in feed:
        stored = by_position[event.position]
        assert (event.id, event.marking, event.owner_partner_id) == (
            stored.id,
            stored.label.marking.value,
            stored.label.owner_partner_id,
        )
    resumed = events.visible_after(engine, viewer, cut)
    assert [e.position for e in resumed] == visible_positions(envelopes, viewer, after=cut)
    _check_live_tail(world, viewer, envelopes, cut)


def _check_live_tail(world: BuiltWorld, viewer: Viewer, envelopes: list[Envelope], cut: int) -> None:
    """The feed's in-memory path (one read, the policy applied per reader) answers as the SQL path."""
    tail = world.platform.live_tail
    tail.refresh(world.platform.notifier.latest)
    window = tail.window
    start = max(cut, window.floor)
    assert window.covers(start)
    shared, scanned = window.after(viewer, start, limit=10_000)
    assert [e.position for e in shared] == visible_positions(envelopes, viewer, after=start)
    assert scanned == max(start, *(e.position or 0 for e in envelopes))


def test_query_layer_returns_exactly_what_the_policy_allows(fresh_databases: FreshDatabases) -> None:
    @settings(max_examples=fresh_databases.max_examples, deadline=None)
    @given(spec=world_specs(), cut=st.integers(0, 40))
    @example(spec=EVERY_MARKING, cut=10)
    def every_viewer_sees_exactly_its_share(spec: WorldSpec, cut: int) -> None:
        with running(fresh_databases.new()) as platform:
            platform.live_tail.refresh(0)  # the tail's window starts here, before the world's events
            world = build_world(platform, spec)
            envelopes = all_events(world)
            for viewer in _viewers(world):
                _check_lists(world, viewer)
                _check_map(world, viewer)
                _check_single_reads(world, viewer)
                _check_feed(world, viewer, envelopes, cut)

    every_viewer_sees_exactly_its_share()


def test_the_always_run_world_exercises_every_outcome(sqlite_url: str) -> None:
    """Guards the explicit example above: it must contain records both seen and hidden for every marking."""
    with running(sqlite_url) as platform:
        world = build_world(platform, EVERY_MARKING)
        public_ids = directory.list_contact_points(
            platform.engine, PUBLIC, directory.ContactFilter(), platform.clock.now()
        )
        assert {view.marking for view in public_ids} == {Tlp.CLEAR.value}
        for marking in (Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED):
            records = [r for r in world.records if r.label.marking is marking]
            viewers = [PUBLIC, *(u.viewer for u in world.users)]
            seen = {may_see(viewer, r.label) for viewer in viewers for r in records}
            assert seen == {True, False}, marking


# --- the HTTP layer ----------------------------------------------------------------------------------------


def _check_http_contacts(client: TestClient[Litestar], world: BuiltWorld, user: UserInWorld) -> None:
    viewer = user.viewer
    response = client.get("/api/contact-points")
    assert response.status_code == 200, response.text
    ids = [uuid.UUID(item["id"]) for item in response.json()]
    assert len(ids) == len(set(ids))
    assert set(ids) == world.visible_ids(viewer)
    for partner in world.partners:
        response = client.get("/api/contact-points", params={"partner_id": str(partner)})
        assert response.status_code == 200, response.text
        assert {uuid.UUID(item["id"]) for item in response.json()} == world.visible_ids(viewer, partner)

    missing = uuid.uuid4()
    absent = client.get(f"/api/contact-points/{missing}")
    assert absent.status_code == 404
    for index, record in enumerate(world.records):
        response = client.get(f"/api/contact-points/{record.id}")
        if may_see(viewer, record.label):
            assert response.status_code == 200, response.text
            body = response.json()
            assert uuid.UUID(body["id"]) == record.id
            assert body["marking"] == record.label.marking.value
        else:
            assert response.status_code == 404, response.text
            assert not_found_detail(response.json(), record.id) == not_found_detail(absent.json(), missing)
            assert f"desk{index}@" not in response.text

    export = client.get("/api/contact-points/export.csv")
    assert export.status_code == 200, export.text
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == len({row["id"] for row in rows})
    assert {uuid.UUID(row["id"]) for row in rows} == world.visible_ids(viewer)
    for row in rows:
        assert row["marking"] == world.label_of(uuid.UUID(row["id"])).marking.value


CONTACT_CARD = re.compile(r'id="contact-([0-9a-f-]{36})"')
CONTACT_LAYER = "/api/map/layers/contact_points"


def _cards(html: str) -> list[uuid.UUID]:
    return [uuid.UUID(found) for found in CONTACT_CARD.findall(html)]


def _check_http_map_and_pages(client: TestClient[Litestar], world: BuiltWorld, user: UserInWorld) -> None:
    viewer = user.viewer
    layer = client.get(CONTACT_LAYER)
    assert layer.status_code == 200, layer.text
    _check_features(world, viewer, layer.json()["features"])

    page = client.get("/directory")
    assert page.status_code == 200, page.text
    cards = _cards(page.text)
    assert len(cards) == len(set(cards))
    assert set(cards) == world.visible_ids(viewer)
    for partner in world.partners:
        page = client.get(f"/partners/{partner}")
        assert page.status_code == 200, page.text
        assert set(_cards(page.text)) == world.visible_ids(viewer, partner)


def _check_http_feed(
    client: TestClient[Litestar],
    user: UserInWorld,
    token: str,
    envelopes: list[Envelope],
    sentinel: Envelope,
) -> None:
    assert sentinel.position is not None
    result = read_event_stream(client, "after=0", token, until_id=sentinel.position)
    assert result.status == 200
    assert not result.timed_out, f"the feed stopped after {[m.id for m in result.messages]}"
    messages = [message for message in result.messages if message.event != "ready"]
    received = [int(message.id or -1) for message in messages]
    hidden = {e.position for e in envelopes if not may_see(user.viewer, e.label)}
    assert not hidden & set(received), "the live feed sent an event the viewer may not see"
    assert received == visible_positions(envelopes, user.viewer)
    by_position = {e.position: e for e in envelopes}
    for message, position in zip(messages, received, strict=True):
        sent = json.loads(message.data)
        assert uuid.UUID(sent["id"]) == by_position[position].id
        assert sent["type"] == by_position[position].type
        assert sent["marking"] == by_position[position].label.marking.value


def _check_anonymous(client: TestClient[Litestar], world: BuiltWorld) -> None:
    client.cookies.clear()
    clear = next(r for r in world.records if r.label.marking is Tlp.CLEAR)
    for path in (
        "/api/contact-points",
        "/api/contact-points/export.csv",
        f"/api/contact-points/{clear.id}",
        "/api/events?after=0",
    ):
        response = client.get(path)
        assert response.status_code == 401, (path, response.status_code)
        assert str(clear.id) not in response.text
    # The map is open to the public, through the policy: CLEAR points of contact only, and no directory.
    layer = client.get(CONTACT_LAYER)
    assert layer.status_code == 200, layer.text
    _check_features(world, PUBLIC, layer.json()["features"])
    jurisdictions = client.get("/api/map/layers/jurisdictions")
    assert jurisdictions.status_code == 200, jurisdictions.text
    assert jurisdictions.json()["features"] == []
    for path in ("/directory", f"/partners/{world.partners[0]}"):
        page = client.get(path, follow_redirects=False)
        assert page.status_code in {302, 303, 307}, (path, page.status_code)
        assert page.headers["location"].startswith("/login")


@settings(max_examples=5, deadline=None)
@given(spec=world_specs(max_records=8))
@example(spec=EVERY_MARKING)
def test_http_read_paths_return_exactly_what_the_policy_allows(spec: WorldSpec) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'crisislink.db'}"
        migrated(url)
        with running(url) as platform:
            world = build_world(platform, spec.with_record(SENTINEL))
            envelopes = all_events(world)
            sentinel = envelopes[-1]
            assert sentinel.type == CONTACT_CREATED
            assert sentinel.payload["contact_point_id"] == str(world.records[-1].id)
            with TestClient(create_app(platform)) as client:
                _check_anonymous(client, world)
                for user in world.users:
                    token = sign_in(client, user.username)
                    _check_http_contacts(client, world, user)
                    _check_http_map_and_pages(client, world, user)
                    _check_http_feed(client, user, token, envelopes, sentinel)
