"""Random worlds for the sharing-policy property tests, and a reader for the SSE live feed.

A world is drawn as a plain `WorldSpec` (indices only, so hypothesis can shrink it), then built through
the real command bus. The expected answer of every read path is computed from the labels the test itself
chose, with `policy.may_see` as the oracle, never from what the database says.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from crisislink.adapters.db import outbox
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.domains.sharing.model import PartnerKind, Role
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.entrypoints.web.security import SESSION_COOKIE
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import SYSTEM, Envelope
from tests.support import PASSWORD

CONTACT_CREATED = "crisislink.sharing.contact_point_created"


@dataclass(frozen=True)
class RecordSpec:
    owner: int
    marking: Tlp
    audience_partners: frozenset[int] = frozenset()
    audience_users: frozenset[int] = frozenset()


@dataclass(frozen=True)
class WorldSpec:
    users_per_partner: tuple[int, ...]
    records: tuple[RecordSpec, ...]

    def with_record(self, record: RecordSpec) -> WorldSpec:
        return WorldSpec(self.users_per_partner, (*self.records, record))


@st.composite
def world_specs(draw: st.DrawFn, max_records: int = 10) -> WorldSpec:
    sizes = tuple(draw(st.lists(st.integers(1, 3), min_size=2, max_size=5)))
    partners, users = len(sizes), sum(sizes)
    record = st.builds(
        RecordSpec,
        owner=st.integers(0, partners - 1),
        marking=st.sampled_from(list(Tlp)),
        audience_partners=st.frozensets(st.integers(0, partners - 1), max_size=partners),
        audience_users=st.frozensets(st.integers(0, users - 1), max_size=users),
    )
    return WorldSpec(sizes, tuple(draw(st.lists(record, max_size=max_records))))


@dataclass(frozen=True)
class UserInWorld:
    username: str
    id: uuid.UUID
    partner_id: uuid.UUID

    @property
    def viewer(self) -> Viewer:
        return Viewer(user_id=self.id, partner_id=self.partner_id)


@dataclass(frozen=True)
class RecordInWorld:
    id: uuid.UUID
    label: Label


@dataclass(frozen=True)
class BuiltWorld:
    platform: Platform
    partners: tuple[uuid.UUID, ...]
    users: tuple[UserInWorld, ...]
    records: tuple[RecordInWorld, ...]

    def visible_ids(self, viewer: Viewer, owner: uuid.UUID | None = None) -> set[uuid.UUID]:
        return {
            r.id
            for r in self.records
            if may_see(viewer, r.label) and (owner is None or r.label.owner_partner_id == owner)
        }

    def label_of(self, record_id: uuid.UUID) -> Label:
        return next(r.label for r in self.records if r.id == record_id)


def _square(index: int) -> Area:
    west, south = 4.0 + index * 0.2, 50.5
    ring = [[west, south], [west + 0.1, south], [west + 0.1, south + 0.1], [west, south + 0.1], [west, south]]
    return Area(geometry={"type": "Polygon", "coordinates": [ring]})


def build_world(platform: Platform, spec: WorldSpec) -> BuiltWorld:
    bus = platform.bus
    partners = tuple(
        bus.handle(
            sc.RegisterPartner(
                actor=SYSTEM,
                code=f"P{index}",
                name=f"Partner {index}",
                country="BE",
                kind=PartnerKind.NATIONAL_CRISIS_CENTRE,
                home_node_id=platform.node_id,
                languages=("en",),
                # A jurisdiction places the partner's points of contact on the map layer.
                jurisdiction=_square(index),
            )
        )
        for index in range(len(spec.users_per_partner))
    )
    users: list[UserInWorld] = []
    for p_index, count in enumerate(spec.users_per_partner):
        for u_index in range(count):
            username = f"p{p_index}.u{u_index}"
            user_id = bus.handle(
                sc.AddUser(
                    actor=SYSTEM,
                    username=username,
                    display_name=username,
                    partner_id=partners[p_index],
                    roles=frozenset({Role.DUTY_OFFICER}),
                    password=PASSWORD,
                )
            )
            users.append(UserInWorld(username, user_id, partners[p_index]))
    records: list[RecordInWorld] = []
    for index, rec in enumerate(spec.records):
        audience = frozenset(
            [Principal.partner(partners[i]) for i in rec.audience_partners]
            + [Principal.user(users[i].id) for i in rec.audience_users]
        )
        contact_id = bus.handle(
            sc.CreateContactPoint(
                actor=SYSTEM,
                partner_id=partners[rec.owner],
                role=ContactRole.DUTY_DESK_24_7,
                name=f"Desk {index}",
                channels=(Channel(ChannelKind.EMAIL, f"desk{index}@test.example"),),
                languages=("en",),
                hours=StaffedHours(always=True),
                marking=rec.marking,
                audience=audience,
            )
        )
        label = Label(partners[rec.owner], platform.node_id, rec.marking, audience)
        records.append(RecordInWorld(contact_id, label))
    return BuiltWorld(platform, partners, tuple(users), tuple(records))


def all_events(world: BuiltWorld) -> list[Envelope]:
    """Every event in the log, with the label it was stored with.

    The labels of contact-point events are checked against the labels the test chose, so the oracle for
    the feed does not rest on what the database says about the records under test.
    """
    with world.platform.engine.connect() as conn:
        envelopes = outbox.read_after(conn, 0, 1_000_000)
    created = [e for e in envelopes if e.type == CONTACT_CREATED]
    assert sorted(str(e.payload["contact_point_id"]) for e in created) == sorted(
        str(r.id) for r in world.records
    )
    for envelope in created:
        assert envelope.label == world.label_of(uuid.UUID(str(envelope.payload["contact_point_id"])))
    return envelopes


def visible_positions(envelopes: Sequence[Envelope], viewer: Viewer, after: int = 0) -> list[int]:
    positions = [e.position for e in envelopes if may_see(viewer, e.label)]
    return [p for p in positions if p is not None and p > after]


# --- HTTP --------------------------------------------------------------------------------------------------


def sign_in(client: TestClient[Litestar], username: str) -> str:
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code in {200, 201}, response.text
    token = client.cookies.get(SESSION_COOKIE)
    assert token, "the sign-in response set no session cookie"
    return token


@dataclass(frozen=True)
class SseMessage:
    id: str | None
    event: str | None
    data: str


@dataclass(frozen=True)
class SseResult:
    status: int
    messages: list[SseMessage]
    timed_out: bool


def parse_sse(raw: bytes) -> list[SseMessage]:
    """The complete messages in a text/event-stream body (a trailing partial message is left out)."""
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    blocks = text.split("\n\n")[:-1]
    messages = []
    for block in blocks:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            fields[name] = f"{fields[name]}\n{value}" if name == "data" and name in fields else value
        if "data" in fields:
            messages.append(SseMessage(fields.get("id"), fields.get("event"), fields["data"]))
    return messages


def read_event_stream(
    client: TestClient[Litestar], query: str, session_token: str, until_id: int, timeout: float = 10.0
) -> SseResult:
    """Read GET /api/events until the message with id `until_id` arrives, then disconnect.

    Litestar's TestClient cannot stream: its transport buffers the whole body before returning, and a
    live feed never ends. So the app is driven over raw ASGI on the TestClient's own event-loop portal,
    with the client disconnecting (http.disconnect) once it has read far enough or the timeout passed.
    """
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/events",
        "raw_path": b"/api/events",
        "root_path": "",
        "query_string": query.encode(),
        "headers": [
            (b"host", b"testserver.local"),
            (b"accept", b"text/event-stream"),
            (b"cookie", f"{SESSION_COOKIE}={session_token}".encode()),
        ],
        "client": ("testclient", 50000),
        "server": ("testserver.local", 80),
        "extensions": {},
    }

    async def drive() -> SseResult:
        body = bytearray()
        status: list[int] = []
        enough = anyio.Event()
        request_sent = False

        async def receive() -> dict[str, Any]:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await enough.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                ended = not message.get("more_body", False)
                if ended or any(m.id == str(until_id) for m in parse_sse(bytes(body))):
                    enough.set()

        app: Any = client.app
        timed_out = False
        with anyio.fail_after(timeout + 10):  # the app must let go once the client has disconnected
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(app, scope, receive, send)
                with anyio.move_on_after(timeout) as waiting:
                    await enough.wait()
                timed_out = waiting.cancelled_caught
                enough.set()
        return SseResult(status[0] if status else -1, parse_sse(bytes(body)), timed_out)

    with client.portal() as portal:
        return portal.call(drive)


def not_found_detail(body: dict[str, Any], record_id: uuid.UUID) -> str:
    """A 404's detail with the id taken out, to compare 'invisible' with 'does not exist'."""
    return str(body.get("detail", "")).replace(str(record_id), "<id>")
