"""Test support: databases on SQLite and PostgreSQL, and a small world of partners and users."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from crisislink.adapters.auth.passwords import Argon2Hasher
from crisislink.adapters.db import migrate
from crisislink.adapters.db.engine import make_engine
from crisislink.adapters.db.tables import metadata
from crisislink.adapters.standards.cap_signature import NodeIdentity, make_node_identity
from crisislink.app.bootstrap import Platform, bootstrap
from crisislink.app.seeding import ensure_local_node
from crisislink.app.settings import Settings
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.domains.sharing.model import PartnerKind, Role
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM, Actor

PG_ADMIN_URL = os.environ.get(
    "CRISISLINK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "correct horse battery staple"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped afterwards."""
    name = f"crisislink_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def migrated(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def truncate_all(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
    engine.dispose()


@functools.cache
def test_signing_identity() -> NodeIdentity:
    """One signing key for the whole test run, kept in memory: tests never write a key to disk."""
    return make_node_identity("crisislink.test.example")


def make_platform(url: str, **overrides: object) -> Platform:
    settings = Settings(database_url=url, node_code="be", argon2_fast=True)
    overrides.setdefault("signing_identity", test_signing_identity)
    platform = bootstrap(settings, hasher=Argon2Hasher.fast_for_tests(), **overrides)  # type: ignore[arg-type]
    ensure_local_node(platform)
    return platform


@dataclass
class World:
    """Three partners on two nodes, with one user per role that matters, all with PASSWORD."""

    platform: Platform
    partners: dict[str, uuid.UUID] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    user_partner: dict[str, uuid.UUID] = field(default_factory=dict)
    remote_node: uuid.UUID | None = None

    def actor(self, username: str) -> Actor:
        roles = {
            "admin": {Role.NODE_ADMIN.value},
            "be.duty": {Role.DUTY_OFFICER.value},
            "be.analyst": {Role.ANALYST.value},
            "liege.duty": {Role.DUTY_OFFICER.value},
            "nl.duty": {Role.DUTY_OFFICER.value},
            "be.info": {Role.INFORMATION_OFFICER.value},
            "nl.info": {Role.INFORMATION_OFFICER.value},
        }[username]
        return Actor(
            user_id=self.users[username], partner_id=self.user_partner[username], roles=frozenset(roles)
        )

    def contact(
        self, owner: str, marking: Tlp, audience: frozenset[Principal] = frozenset(), name: str = "Desk"
    ) -> uuid.UUID:
        contact_id: uuid.UUID = self.platform.bus.handle(
            sc.CreateContactPoint(
                actor=SYSTEM,
                partner_id=self.partners[owner],
                role=ContactRole.DUTY_DESK_24_7,
                name=name,
                channels=(Channel(ChannelKind.EMAIL, "desk@test.example"),),
                languages=("en",),
                hours=StaffedHours(always=True),
                marking=marking,
                audience=audience,
            )
        )
        return contact_id


def build_world(platform: Platform) -> World:
    bus = platform.bus
    world = World(platform)
    world.remote_node = bus.handle(sc.RegisterNode(actor=SYSTEM, code="nl", name="NL node", country="NL"))
    specs = [
        ("BE-NCCN", "BE", PartnerKind.NATIONAL_CRISIS_CENTRE, platform.node_id),
        ("BE-PROV-LIEGE", "BE", PartnerKind.PROVINCIAL_CRISIS_CELL, platform.node_id),
        ("NL-VR23", "NL", PartnerKind.SAFETY_REGION, world.remote_node),
    ]
    for code, country, kind, node in specs:
        world.partners[code] = bus.handle(
            sc.RegisterPartner(
                actor=SYSTEM,
                code=code,
                name=code,
                country=country,
                kind=kind,
                home_node_id=node,
                languages=("en",),
            )
        )
    people = [
        ("admin", "BE-NCCN", {Role.NODE_ADMIN}),
        ("be.duty", "BE-NCCN", {Role.DUTY_OFFICER}),
        ("be.analyst", "BE-NCCN", {Role.ANALYST}),
        ("liege.duty", "BE-PROV-LIEGE", {Role.DUTY_OFFICER}),
        ("nl.duty", "NL-VR23", {Role.DUTY_OFFICER}),
        ("be.info", "BE-NCCN", {Role.INFORMATION_OFFICER}),
        ("nl.info", "NL-VR23", {Role.INFORMATION_OFFICER}),
    ]
    for username, partner, roles in people:
        world.users[username] = bus.handle(
            sc.AddUser(
                actor=SYSTEM,
                username=username,
                display_name=username,
                partner_id=world.partners[partner],
                roles=frozenset(roles),
                password=PASSWORD,
            )
        )
        world.user_partner[username] = world.partners[partner]
    return world


@contextmanager
def live_server(app: object) -> Iterator[str]:
    """Serve an ASGI app on a free loopback port in a thread (streaming responses need a real server)."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
