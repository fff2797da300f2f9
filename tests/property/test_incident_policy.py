"""Incident read paths return exactly what the sharing policy allows, for random incidents and records.

Random worlds: partners and their duty officers; incidents declared by a partner that also leads them,
with a random marking, audience and (where the marking allows) involved partners; log entries and tasks
added by a random party of the incident, with a random marking and audience or the incident's defaults.
For every user (and the public, and a member of no partner in particular), each read path must return
exactly the incidents with `may_see(viewer, incident_label)`, and exactly the records with
`may_see(viewer, incident_label) and may_see(viewer, record_label)`, where the labels are computed by the
test from what it chose, never read back from the database.
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

from crisislink.adapters.db.queries import incidents as q
from crisislink.adapters.db.queries import timeline as tl
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.commands import Buffer
from crisislink.domains.incidents.model import EntryKind, Point
from crisislink.domains.sharing.policy import ANY_MEMBER, PUBLIC, Viewer, may_see
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import Actor
from tests.property.policy_worlds import UserInWorld, WorldSpec, sign_in
from tests.property.policy_worlds import build_world as build_directory
from tests.support import make_platform, migrated, truncate_all

# Far from every partner's jurisdiction in the directory worlds (squares west of 5°E around 50.5°N), so
# the border rule never tells anyone, and never widens a label behind the test's back.
CENTRE = Point(lon=4.35, lat=50.95)
CLOSED = frozenset({Tlp.AMBER_STRICT, Tlp.RED})
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ChildSpec:
    kind: str  # entry | task
    author: int  # which party of the incident adds it (index modulo the number of parties)
    marking: Tlp | None  # None: the incident's marking
    audience_partners: frozenset[int] = frozenset()
    audience_users: frozenset[int] = frozenset()
    inherit_audience: bool = False  # send no audience: AMBER records then take the incident's


@dataclass(frozen=True)
class IncidentSpec:
    owner: int  # the partner that declares and leads it
    marking: Tlp
    involved: frozenset[int] = frozenset()  # dropped for AMBER+STRICT and RED, which stay in-house
    audience_partners: frozenset[int] = frozenset()
    audience_users: frozenset[int] = frozenset()
    level: bool = False  # the owner raises its country's level
    children: tuple[ChildSpec, ...] = ()


@dataclass(frozen=True)
class Spec:
    users_per_partner: tuple[int, ...]
    incidents: tuple[IncidentSpec, ...]


@st.composite
def specs(draw: st.DrawFn, max_incidents: int = 3, max_children: int = 5) -> Spec:
    sizes = tuple(draw(st.lists(st.integers(1, 2), min_size=2, max_size=4)))
    partners, users = len(sizes), sum(sizes)
    partner_sets = st.frozensets(st.integers(0, partners - 1), max_size=partners)
    user_sets = st.frozensets(st.integers(0, users - 1), max_size=users)
    child = st.builds(
        ChildSpec,
        kind=st.sampled_from(["entry", "task"]),
        author=st.integers(0, 3),
        marking=st.none() | st.sampled_from(list(Tlp)),
        audience_partners=partner_sets,
        audience_users=user_sets,
        inherit_audience=st.booleans(),
    )
    incident = st.builds(
        IncidentSpec,
        owner=st.integers(0, partners - 1),
        marking=st.sampled_from(list(Tlp)),
        involved=partner_sets,
        audience_partners=partner_sets,
        audience_users=user_sets,
        level=st.booleans(),
        children=st.lists(child, max_size=max_children).map(tuple),
    )
    return Spec(sizes, tuple(draw(st.lists(incident, min_size=1, max_size=max_incidents))))


# One world that always runs: each way a record can be hidden by itself, by its incident, or by both.
EVERY_CASE = Spec(
    users_per_partner=(2, 1, 2),
    incidents=(
        # GREEN incident: strict and AMBER records of the owner, a GREEN one everybody sees.
        IncidentSpec(
            0,
            Tlp.GREEN,
            level=True,
            children=(
                ChildSpec("entry", 0, Tlp.AMBER_STRICT),
                ChildSpec("task", 0, Tlp.AMBER_STRICT),
                ChildSpec("entry", 0, Tlp.GREEN),
                ChildSpec("task", 0, Tlp.AMBER, frozenset({1})),
                ChildSpec("entry", 0, None),
            ),
        ),
        # AMBER+STRICT incident: its GREEN records stay with the owner all the same.
        IncidentSpec(
            1,
            Tlp.AMBER_STRICT,
            involved=frozenset({0}),
            children=(ChildSpec("entry", 0, Tlp.GREEN), ChildSpec("task", 0, Tlp.CLEAR)),
        ),
        # AMBER incident with an involved partner and a named person: records of both parties, defaults.
        IncidentSpec(
            0,
            Tlp.AMBER,
            involved=frozenset({1}),
            audience_users=frozenset({3}),
            level=True,
            children=(
                ChildSpec("entry", 1, Tlp.AMBER_STRICT),
                ChildSpec("task", 1, None, inherit_audience=True),
                ChildSpec("entry", 0, Tlp.AMBER, frozenset({2}), inherit_audience=True),
                ChildSpec("entry", 0, Tlp.RED, audience_users=frozenset({2, 3})),
                ChildSpec("task", 1, Tlp.GREEN),
            ),
        ),
        # RED incident naming a person of another partner, and a CLEAR one the public sees.
        IncidentSpec(
            2,
            Tlp.RED,
            audience_users=frozenset({0}),
            children=(
                ChildSpec("entry", 0, Tlp.RED, audience_users=frozenset({0})),
                ChildSpec("task", 0, Tlp.GREEN),
            ),
        ),
        IncidentSpec(1, Tlp.CLEAR, children=(ChildSpec("entry", 0, None), ChildSpec("task", 0, Tlp.AMBER))),
    ),
)


@dataclass(frozen=True)
class ChildInWorld:
    kind: str
    id: uuid.UUID
    label: Label


@dataclass(frozen=True)
class IncidentInWorld:
    id: uuid.UUID
    label: Label
    level: bool
    children: tuple[ChildInWorld, ...]

    def visible_children(self, viewer: Viewer, kind: str) -> set[uuid.UUID]:
        if not may_see(viewer, self.label):
            return set()
        return {r.id for r in self.children if r.kind == kind and may_see(viewer, r.label)}

    def timeline(self, viewer: Viewer) -> set[tuple[str, str]]:
        if not may_see(viewer, self.label):
            return set()
        kinds = {"entry": "log", "task": "task"}
        items = {(kinds[r.kind], str(r.id)) for r in self.children if may_see(viewer, r.label)}
        return items | ({("level", f"{self.id}:0")} if self.level else set())


@dataclass(frozen=True)
class World:
    platform: Platform
    users: tuple[UserInWorld, ...]
    incidents: tuple[IncidentInWorld, ...]

    def viewers(self) -> list[Viewer]:
        return [user.viewer for user in self.users] + [PUBLIC, ANY_MEMBER]

    def visible_incidents(self, viewer: Viewer) -> set[uuid.UUID]:
        return {i.id for i in self.incidents if may_see(viewer, i.label)}


def _audience(
    partners: tuple[uuid.UUID, ...], users: tuple[UserInWorld, ...], p: frozenset[int], u: frozenset[int]
) -> frozenset[Principal]:
    return frozenset([Principal.partner(partners[i]) for i in p] + [Principal.user(users[i].id) for i in u])


def build(platform: Platform, spec: Spec) -> World:
    directory = build_directory(platform, WorldSpec(spec.users_per_partner, ()))
    partners, users = directory.partners, directory.users

    def actor(partner: int) -> Actor:
        user = next(u for u in users if u.partner_id == partners[partner])
        return Actor(user_id=user.id, partner_id=user.partner_id, roles=frozenset({"duty_officer"}))

    bus, node, now = platform.bus, platform.node_id, platform.clock.now()
    built: list[IncidentInWorld] = []
    for inc in spec.incidents:
        involved = frozenset() if inc.marking in CLOSED else inc.involved - {inc.owner}
        audience = _audience(partners, users, inc.audience_partners, inc.audience_users)
        incident_id = bus.handle(
            c.DeclareIncident(
                actor=actor(inc.owner),
                title="Incident",
                hazard="other",
                description="",
                lead_partner_id=partners[inc.owner],
                buffer=Buffer(CENTRE, 1000),
                involved=frozenset(partners[i] for i in involved),
                marking=inc.marking,
                audience=audience,
            )
        )
        # The documented rule: AMBER reaches every partner in the incident besides its audience.
        if inc.marking is Tlp.AMBER:
            audience |= {Principal.partner(partners[i]) for i in involved}
        label = Label(partners[inc.owner], node, inc.marking, audience)
        if inc.level:
            bus.handle(
                c.SetLevel(actor=actor(inc.owner), incident_id=incident_id, country="BE", level="MUNICIPAL")
            )
        parties = [inc.owner, *sorted(involved)]
        children: list[ChildInWorld] = []
        for child in inc.children:
            author = parties[child.author % len(parties)]
            chosen = _audience(partners, users, child.audience_partners, child.audience_users)
            sent = None if child.inherit_audience else chosen
            if child.kind == "entry":
                record_id = bus.handle(
                    c.AddLogEntry(
                        actor=actor(author),
                        incident_id=incident_id,
                        kind=EntryKind.INFORMATION,
                        text="Entry",
                        marking=child.marking,
                        audience=sent,
                    )
                )
            else:
                record_id = bus.handle(
                    c.AssignTask(
                        actor=actor(author),
                        incident_id=incident_id,
                        title="Task",
                        due_at=now + timedelta(days=1),
                        assignee_partner_id=partners[author],
                        marking=child.marking,
                        audience=sent,
                    )
                )
            # Owned by its author's partner; marked and shared like the incident unless told otherwise.
            marking = child.marking or inc.marking
            if sent is None:
                sent = audience if marking is Tlp.AMBER else frozenset()
            children.append(ChildInWorld(child.kind, record_id, Label(partners[author], node, marking, sent)))
        built.append(IncidentInWorld(incident_id, label, inc.level, tuple(children)))
    return World(platform, users, tuple(built))


# --- the databases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """One migrated database, emptied before each world; and how many worlds to try on it."""

    url: str
    max_examples: int


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Database:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('incident-worlds') / 'incidents.db'}"
        migrated(url)
        return Database(url, max_examples=25)
    return Database(str(request.getfixturevalue("postgres_url")), max_examples=12)


@contextmanager
def running(url: str) -> Iterator[Platform]:
    truncate_all(url)
    platform = make_platform(url)
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


def _check_incidents(world: World, viewer: Viewer) -> None:
    engine = world.platform.engine
    listed = q.list_incidents(engine, viewer, q.IncidentFilter(limit=q.MAX_PAGE))
    ids = [summary.id for summary in listed]
    assert len(ids) == len(set(ids)), "an incident is listed twice"
    assert set(ids) == world.visible_incidents(viewer)
    labels = {i.id: i.label for i in world.incidents}
    for summary in listed:
        assert summary.marking == labels[summary.id].marking.value
        assert summary.owner_partner_id == labels[summary.id].owner_partner_id
    for incident in world.incidents:
        if may_see(viewer, incident.label):
            view = q.get_incident(engine, viewer, incident.id)
            assert view.id == incident.id
            assert view.marking == incident.label.marking.value
            assert {
                Principal.partner(m.id) if m.kind == "partner" else Principal.user(m.id)
                for m in view.audience
            } == (incident.label.audience)
        else:
            assert _hidden(partial(q.get_incident, engine, viewer, incident.id))


def _check_children(world: World, viewer: Viewer) -> None:
    engine, now = world.platform.engine, world.platform.clock.now()
    for incident in world.incidents:
        labels = {r.id: r.label for r in incident.children}
        if not may_see(viewer, incident.label):
            reads: tuple[Callable[[], object], ...] = (
                partial(q.log_entries, engine, viewer, incident.id, limit=q.MAX_PAGE),
                partial(q.tasks, engine, viewer, incident.id, now),
                partial(tl.timeline, engine, viewer, incident.id, limit=q.MAX_PAGE),
                partial(tl.changes_since, engine, viewer, incident.id, LONG_AGO),
            )
            for read in reads:
                assert _hidden(read), "a read of a hidden incident answered"
        else:
            entries = q.log_entries(engine, viewer, incident.id, limit=q.MAX_PAGE)
            assert [e.id for e in entries] == list(dict.fromkeys(e.id for e in entries))
            assert {e.id for e in entries} == incident.visible_children(viewer, "entry")
            tasks = q.tasks(engine, viewer, incident.id, now)
            assert {t.id for t in tasks} == incident.visible_children(viewer, "task")
            assert len(tasks) == len({t.id for t in tasks})
            shown = [(e.id, e.marking, e.owner_partner_id) for e in entries]
            shown += [(t.id, t.marking, t.owner_partner_id) for t in tasks]
            for record_id, marking, owner in shown:
                assert (marking, owner) == (
                    labels[record_id].marking.value,
                    labels[record_id].owner_partner_id,
                )
            for items in (
                tl.timeline(engine, viewer, incident.id, limit=q.MAX_PAGE),
                tl.changes_since(engine, viewer, incident.id, LONG_AGO),
            ):
                found = [(item.kind, item.id) for item in items]
                assert len(found) == len(set(found)), "an item is in the timeline twice"
                assert set(found) == incident.timeline(viewer)
        for record in incident.children:
            visible = may_see(viewer, incident.label) and may_see(viewer, record.label)
            single: Callable[[], object] = (
                partial(q.get_log_entry, engine, viewer, record.id)
                if record.kind == "entry"
                else partial(q.get_task, engine, viewer, record.id, now)
            )
            assert _hidden(single) is not visible, (record.kind, record.label, incident.label)


def test_incident_queries_return_exactly_what_the_policy_allows(database: Database) -> None:
    @settings(max_examples=database.max_examples, deadline=None)
    @given(spec=specs())
    @example(spec=EVERY_CASE)
    def every_viewer_sees_exactly_its_share(spec: Spec) -> None:
        with running(database.url) as platform:
            world = build(platform, spec)
            for viewer in world.viewers():
                _check_incidents(world, viewer)
                _check_children(world, viewer)

    every_viewer_sees_exactly_its_share()


def test_the_always_run_world_exercises_every_outcome(sqlite_url: str) -> None:
    """Guards the explicit example: records seen and hidden, by themselves and through their incident."""
    with running(sqlite_url) as platform:
        world = build(platform, EVERY_CASE)
    viewers = [user.viewer for user in world.users] + [PUBLIC]
    outcomes: set[tuple[bool, bool]] = set()
    for viewer, incident in itertools.product(viewers, world.incidents):
        for record in incident.children:
            outcomes.add((may_see(viewer, incident.label), may_see(viewer, record.label)))
    assert outcomes == {(True, True), (True, False), (False, True), (False, False)}
    for marking in (Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED):  # CLEAR: everyone, by definition
        seen = {may_see(v, i.label) for v in viewers for i in world.incidents if i.label.marking is marking}
        assert seen == {True, False}, marking


# --- the HTTP layer -------------------------------------------------------------------------------------


def _ids(client: TestClient[Litestar], path: str, key: str = "id") -> set[str] | None:
    """The ids a listing returns, or None for a 404."""
    response = client.get(path)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, (path, response.text)
    rows: list[dict[str, Any]] = response.json()
    return {str(row[key]) for row in rows}


def _check_http(client: TestClient[Litestar], world: World, user: UserInWorld) -> None:
    viewer = user.viewer
    assert _ids(client, "/api/incidents?limit=500") == {str(i) for i in world.visible_incidents(viewer)}
    for incident in world.incidents:
        base = f"/api/incidents/{incident.id}"
        if not may_see(viewer, incident.label):
            for path in (base, f"{base}/log", f"{base}/tasks", f"{base}/timeline"):
                assert client.get(path).status_code == 404, path
            continue
        assert client.get(base).json()["marking"] == incident.label.marking.value
        assert _ids(client, f"{base}/log") == {str(i) for i in incident.visible_children(viewer, "entry")}
        assert _ids(client, f"{base}/tasks") == {str(i) for i in incident.visible_children(viewer, "task")}
        timeline = client.get(f"{base}/timeline?limit=500").json()
        assert {(item["kind"], item["id"]) for item in timeline} == incident.timeline(viewer)
        for record in incident.children:
            if record.kind == "task":
                response = client.get(f"/api/tasks/{record.id}")
                assert (response.status_code == 200) is may_see(viewer, record.label), response.text


@settings(max_examples=5, deadline=None)
@given(spec=specs(max_incidents=2, max_children=4))
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
