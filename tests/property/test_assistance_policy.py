"""Assistance read paths return exactly what the sharing policy allows, for random units, requests and offers.

Random worlds: partners and their duty officers; units with a random owner, marking and audience; requests
by a random partner sent to a random set of others; offers (of a quantity) by some of the partners asked,
some accepted. For every user (and the public, and a member of no partner in particular) each read path
must return exactly the records with `may_see(viewer, label)`, where the labels are computed by the test
from what it chose: a unit's as chosen, a request's AMBER to the partners it was sent to, an offer's AMBER
to the requester, and an offer only together with its request. Every assistance event carries the label
of its record, so the live feed reaches the same people.
"""

from __future__ import annotations

import itertools
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from crisislink.adapters.db import outbox
from crisislink.adapters.db.queries import assistance as q
from crisislink.app.bootstrap import Platform
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.model import Point, StagingArea
from crisislink.domains.sharing.policy import ANY_MEMBER, PUBLIC, Viewer, may_see
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import Actor
from tests.property.policy_worlds import UserInWorld, WorldSpec, sign_in
from tests.property.policy_worlds import build_world as build_directory
from tests.support import make_platform, migrated, truncate_all

START = datetime(2021, 7, 14, 9, 0, tzinfo=UTC)
STAGING = StagingArea("Staging", Point(5.6, 50.6))


@dataclass(frozen=True)
class UnitSpec:
    owner: int
    marking: Tlp
    audience_partners: frozenset[int] = frozenset()
    audience_users: frozenset[int] = frozenset()


@dataclass(frozen=True)
class OfferSpec:
    offerer: int  # which of the partners asked (index modulo their number)
    accepted: bool = False


@dataclass(frozen=True)
class RequestSpec:
    requester: int
    addressees: frozenset[int]  # the requester itself is dropped; none left: a draft
    offers: tuple[OfferSpec, ...] = ()


@dataclass(frozen=True)
class Spec:
    users_per_partner: tuple[int, ...]
    units: tuple[UnitSpec, ...]
    requests: tuple[RequestSpec, ...]


@st.composite
def specs(draw: st.DrawFn, max_units: int = 5, max_requests: int = 3) -> Spec:
    sizes = tuple(draw(st.lists(st.integers(1, 2), min_size=2, max_size=4)))
    partners, users = len(sizes), sum(sizes)
    partner_sets = st.frozensets(st.integers(0, partners - 1), max_size=partners)
    unit = st.builds(
        UnitSpec,
        owner=st.integers(0, partners - 1),
        marking=st.sampled_from(list(Tlp)),
        audience_partners=partner_sets,
        audience_users=st.frozensets(st.integers(0, users - 1), max_size=users),
    )
    offer = st.builds(OfferSpec, offerer=st.integers(0, 3), accepted=st.booleans())
    request = st.builds(
        RequestSpec,
        requester=st.integers(0, partners - 1),
        addressees=partner_sets,
        offers=st.lists(offer, max_size=3).map(tuple),
    )
    return Spec(
        sizes,
        tuple(draw(st.lists(unit, max_size=max_units))),
        tuple(draw(st.lists(request, min_size=1, max_size=max_requests))),
    )


# One world that always runs: every marking of a unit, a draft, a request to two partners with offers from
# both (one accepted), and a request whose only offerer is also the requester of another.
EVERY_CASE = Spec(
    users_per_partner=(2, 1, 2),
    units=(
        UnitSpec(0, Tlp.CLEAR),
        UnitSpec(0, Tlp.GREEN),
        UnitSpec(1, Tlp.AMBER),
        UnitSpec(1, Tlp.AMBER, frozenset({0}), frozenset({3})),
        UnitSpec(2, Tlp.AMBER_STRICT, frozenset({0, 1})),
        UnitSpec(2, Tlp.RED, frozenset({0}), frozenset({0})),
    ),
    requests=(
        RequestSpec(0, frozenset()),
        RequestSpec(0, frozenset({1, 2}), (OfferSpec(0, accepted=True), OfferSpec(1))),
        RequestSpec(1, frozenset({2}), (OfferSpec(0),)),
    ),
)


@dataclass(frozen=True)
class Record:
    id: uuid.UUID
    label: Label


@dataclass(frozen=True)
class RequestInWorld:
    id: uuid.UUID
    label: Label
    offers: tuple[Record, ...]

    def visible_offers(self, viewer: Viewer) -> set[uuid.UUID]:
        if not may_see(viewer, self.label):
            return set()
        return {o.id for o in self.offers if may_see(viewer, o.label)}


@dataclass(frozen=True)
class World:
    platform: Platform
    users: tuple[UserInWorld, ...]
    units: tuple[Record, ...]
    requests: tuple[RequestInWorld, ...]

    def viewers(self) -> list[Viewer]:
        return [user.viewer for user in self.users] + [PUBLIC, ANY_MEMBER]

    def labels(self) -> dict[uuid.UUID, Label]:
        found = {u.id: u.label for u in self.units}
        found |= {r.id: r.label for r in self.requests}
        return found | {o.id: o.label for r in self.requests for o in r.offers}


def build(platform: Platform, spec: Spec) -> World:
    directory = build_directory(platform, WorldSpec(spec.users_per_partner, ()))
    partners, users, node, bus = directory.partners, directory.users, platform.node_id, platform.bus

    def actor(partner: int) -> Actor:
        user = next(u for u in users if u.partner_id == partners[partner])
        return Actor(user_id=user.id, partner_id=user.partner_id, roles=frozenset({"duty_officer"}))

    units = []
    for index, u in enumerate(spec.units):
        audience = frozenset(
            [Principal.partner(partners[i]) for i in u.audience_partners]
            + [Principal.user(users[i].id) for i in u.audience_users]
        )
        unit_id = bus.handle(
            c.RegisterUnit(
                actor=actor(u.owner),
                partner_id=partners[u.owner],
                capability="water.rescue",
                name=f"Unit {index}",
                home_base=Point(4.0 + index / 10, 50.5),
                marking=u.marking,
                audience=audience,
            )
        )
        units.append(Record(unit_id, Label(partners[u.owner], node, u.marking, audience)))
    return World(
        platform,
        users,
        tuple(units),
        tuple(_request(spec_, partners, node, bus, actor) for spec_ in spec.requests),
    )


def _request(
    spec: RequestSpec,
    partners: tuple[uuid.UUID, ...],
    node: uuid.UUID,
    bus: Any,
    actor: Callable[[int], Actor],
) -> RequestInWorld:
    asked = sorted(spec.addressees - {spec.requester})
    request_id = bus.handle(
        c.CreateAssistanceRequest(
            actor=actor(spec.requester),
            capability="hospital.beds",
            quantity=10,
            staging=STAGING,
            starts_at=START,
            ends_at=START + timedelta(days=3),
            addressees=frozenset(partners[i] for i in asked),
        )
    )
    requester = partners[spec.requester]
    label = Label(requester, node, Tlp.AMBER, frozenset(Principal.partner(partners[i]) for i in asked))
    offers = []
    for offer in spec.offers if asked else ():
        offerer = asked[offer.offerer % len(asked)]
        offer_id = bus.handle(
            c.MakeOffer(actor=actor(offerer), request_id=request_id, available_from=START, quantity=1)
        )
        if offer.accepted:
            bus.handle(c.AcceptOffer(actor=actor(spec.requester), offer_id=offer_id))
        audience = frozenset({Principal.partner(requester)})
        offers.append(Record(offer_id, Label(partners[offerer], node, Tlp.AMBER, audience)))
    return RequestInWorld(request_id, label, tuple(offers))


# --- the databases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    url: str
    max_examples: int


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Database:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('assistance-worlds') / 'assistance.db'}"
        migrated(url)
        return Database(url, max_examples=20)
    return Database(str(request.getfixturevalue("postgres_url")), max_examples=10)


@contextmanager
def running(url: str) -> Iterator[Platform]:
    truncate_all(url)
    platform = make_platform(url, clock=FixedClock(START))
    try:
        yield platform
    finally:
        platform.stop()


# --- the query layer ------------------------------------------------------------------------------------


def _hidden(read: Callable[[], object]) -> bool:
    try:
        read()
    except NotFound:
        return True
    return False


def _check_units(world: World, viewer: Viewer) -> None:
    engine = world.platform.engine
    expected = {u.id for u in world.units if may_see(viewer, u.label)}
    listed = q.list_units(engine, viewer, q.UnitFilter(limit=q.MAX_PAGE))
    assert [u.id for u in listed] == list(dict.fromkeys(u.id for u in listed)), "a unit is listed twice"
    assert {u.id for u in listed} == expected
    for view in listed:
        label = next(u.label for u in world.units if u.id == view.id)
        assert (view.marking, view.owner_partner_id) == (label.marking.value, label.owner_partner_id)
    features = list(q.unit_features(engine, viewer))
    assert sorted(uuid.UUID(f["properties"]["unit_id"]) for f in features) == sorted(expected)
    for unit in world.units:
        assert _hidden(partial(q.get_unit, engine, viewer, unit.id)) is not may_see(viewer, unit.label)


def _check_requests(world: World, viewer: Viewer) -> None:
    engine = world.platform.engine
    listed = q.list_requests(engine, viewer, q.RequestFilter(include_ended=True, limit=q.MAX_PAGE))
    assert {r.id for r in listed} == {r.id for r in world.requests if may_see(viewer, r.label)}
    assert len(listed) == len({r.id for r in listed})
    for request in world.requests:
        visible = may_see(viewer, request.label)
        assert _hidden(partial(q.get_request, engine, viewer, request.id)) is not visible
        if visible:
            offers = q.offers_for_request(engine, viewer, request.id)
            assert {o.id for o in offers} == request.visible_offers(viewer)
        else:
            assert _hidden(partial(q.offers_for_request, engine, viewer, request.id))
        for offer in request.offers:
            seen = visible and may_see(viewer, offer.label)
            assert _hidden(partial(q.get_offer, engine, viewer, offer.id)) is not seen


def _check_events(world: World) -> None:
    """Every assistance event about a request or an offer travels under that record's label."""
    labels = world.labels()
    with world.platform.engine.connect() as conn:
        envelopes = [
            e for e in outbox.read_after(conn, 0, 1_000_000) if e.type.startswith("crisislink.assistance.")
        ]
    for envelope in envelopes:
        key = "offer_id" if "offer_id" in envelope.payload else "request_id"
        if key not in envelope.payload or envelope.type.endswith("unit_status_changed"):
            continue
        expected = labels[uuid.UUID(str(envelope.payload[key]))]
        if envelope.type == "crisislink.assistance.request_created":
            # Created as a draft, for the requester alone; the partners asked hear of it when it is sent.
            expected = Label(expected.owner_partner_id, expected.home_node_id, Tlp.AMBER)
        assert envelope.label == expected, envelope.type


def test_assistance_queries_return_exactly_what_the_policy_allows(database: Database) -> None:
    @settings(max_examples=database.max_examples, deadline=None)
    @given(spec=specs())
    @example(spec=EVERY_CASE)
    def every_viewer_sees_exactly_its_share(spec: Spec) -> None:
        with running(database.url) as platform:
            world = build(platform, spec)
            _check_events(world)
            for viewer in world.viewers():
                _check_units(world, viewer)
                _check_requests(world, viewer)

    every_viewer_sees_exactly_its_share()


def test_the_always_run_world_exercises_every_outcome(sqlite_url: str) -> None:
    """Guards the explicit example: offers seen and hidden, with their request seen or hidden."""
    with running(sqlite_url) as platform:
        world = build(platform, EVERY_CASE)
    outcomes = {
        (may_see(v, r.label), may_see(v, o.label))
        for v, r in itertools.product([u.viewer for u in world.users], world.requests)
        for o in r.offers
    }
    assert outcomes >= {(True, True), (True, False), (False, False)}
    viewers = [u.viewer for u in world.users] + [PUBLIC]
    for marking in (Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED):  # CLEAR: everyone, by definition
        seen = {may_see(v, x.label) for v in viewers for x in world.units if x.label.marking is marking}
        assert seen == {True, False}, marking


# --- the HTTP layer -------------------------------------------------------------------------------------


def _ids(client: TestClient[Litestar], path: str) -> set[str] | None:
    response = client.get(path)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, (path, response.text)
    rows: list[dict[str, Any]] = response.json()
    return {str(row["id"]) for row in rows}


def _check_http(client: TestClient[Litestar], world: World, user: UserInWorld) -> None:
    viewer = user.viewer
    assert _ids(client, "/api/units?limit=500") == {
        str(u.id) for u in world.units if may_see(viewer, u.label)
    }
    layer = client.get("/api/map/layers/units").json()["features"]
    assert {f["properties"]["unit_id"] for f in layer} == {
        str(u.id) for u in world.units if may_see(viewer, u.label)
    }
    requests = _ids(client, "/api/assistance-requests?include_ended=true")
    assert requests == {str(r.id) for r in world.requests if may_see(viewer, r.label)}
    for request in world.requests:
        base = f"/api/assistance-requests/{request.id}"
        offers = _ids(client, f"{base}/offers")
        if not may_see(viewer, request.label):
            assert offers is None
            assert client.get(base).status_code == 404
            continue
        assert offers == {str(i) for i in request.visible_offers(viewer)}
        for offer in request.offers:
            response = client.get(f"{base}/offers/{offer.id}")
            assert (response.status_code == 200) is may_see(viewer, offer.label), response.text


@settings(max_examples=5, deadline=None)
@given(spec=specs(max_units=4, max_requests=2))
@example(spec=EVERY_CASE)
def test_http_read_paths_return_exactly_what_the_policy_allows(spec: Spec) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'crisislink.db'}"
        migrated(url)
        with running(url) as platform:
            world = build(platform, spec)
            with TestClient(create_app(platform)) as client:
                for user in world.users:
                    sign_in(client, user.username)
                    _check_http(client, world, user)
