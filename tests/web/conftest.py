"""Fixtures and helpers for the HTTP API tests: a test client on a built world, signing in, problem checks.

The client is `litestar.testing.TestClient`, which buffers responses: fine for request/response tests,
not for the live feed (tests/web/test_live_feed.py serves that on a real server).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from crisislink.adapters.db import tables as t
from crisislink.app.bootstrap import Platform
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.clock import FixedClock
from tests.support import PASSWORD, World, build_world, make_platform

Client = TestClient[Litestar]
PROBLEM_JSON = "application/problem+json"
# A Monday morning: 10:00 UTC is 11:00 in Brussels, inside office hours.
MONDAY_MORNING = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)

# Tables whose content a rejected request must leave exactly as it was.
RECORD_TABLES = (
    t.nodes,
    t.partners,
    t.users,
    t.api_tokens,
    t.contact_points,
    t.audience,
    t.public_warnings,
    t.warning_messages,
    t.assistance_units,
    t.assistance_requests,
    t.assistance_offers,
)
# Append-only tables: a rejected request must not add a row.
LOG_TABLES = (t.events, t.audit_log)


@pytest.fixture
def client(world: World) -> Iterator[Client]:
    with TestClient(create_app(world.platform)) as test_client:
        yield test_client


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_MORNING)


@pytest.fixture
def clocked_world(db_url: str, clock: FixedClock) -> Iterator[World]:
    """The usual world, on a platform whose clock moves only when the test says so."""
    platform = make_platform(db_url, clock=clock)
    yield build_world(platform)
    platform.stop()


@pytest.fixture
def clocked_client(clocked_world: World) -> Iterator[Client]:
    with TestClient(create_app(clocked_world.platform)) as test_client:
        yield test_client


def sign_in(client: Client, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in with the session cookie; return the header a cookie-authenticated write needs."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    csrf = response.json()["csrf_token"]
    assert isinstance(csrf, str)
    return {"x-csrf-token": csrf}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int, *mentions: str) -> dict[str, Any]:
    """An RFC 9457 problem detail with this status, whose text mentions each of `mentions`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert isinstance(body, dict)
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    text = (body["title"] + " " + body["detail"] + " " + str(body.get("errors", ""))).lower()
    for mention in mentions:
        assert mention.lower() in text, f"{mention!r} not in {text!r}"
    return body


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        if part.strip():
            name, *sources = part.split()
            directives[name.lower()] = sources
    return directives


def count(platform: Platform, table: sa.Table) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def snapshot(platform: Platform) -> dict[str, Any]:
    """Everything a rejected request must not change: the records, and the length of the logs."""
    taken: dict[str, Any] = {}
    with platform.engine.connect() as conn:
        for table in RECORD_TABLES:
            rows = conn.execute(sa.select(table)).mappings().all()
            taken[table.name] = sorted((sorted(row.items()) for row in rows), key=repr)
    for table in LOG_TABLES:
        taken[f"{table.name} rows"] = count(platform, table)
    return taken
