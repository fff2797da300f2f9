"""Changing credentials ends the sessions opened with the old ones."""

from __future__ import annotations

from litestar.testing import TestClient

from crisislink.app.auth import AuthService
from crisislink.domains.sharing import commands as sc
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.messages import SYSTEM
from tests.support import PASSWORD, World


def _signed_in(world: World, username: str) -> tuple[TestClient, AuthService]:  # type: ignore[type-arg]
    app = create_app(world.platform)
    client = TestClient(app)
    assert (
        client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).status_code == 201
    )
    return client, app.state["auth"]


def test_a_password_reset_ends_the_old_sessions(world: World) -> None:
    client, auth = _signed_in(world, "be.duty")
    assert client.get("/api/auth/me").status_code == 200
    world.platform.bus.handle(
        sc.SetPassword(actor=SYSTEM, user_id=world.users["be.duty"], password="a brand new passphrase")
    )
    world.platform.dispatcher.drain()
    auth.forget()
    assert client.get("/api/auth/me").status_code == 401


def test_deactivating_an_account_ends_its_sessions(world: World) -> None:
    client, auth = _signed_in(world, "liege.duty")
    world.platform.bus.handle(
        sc.UpdateUser(actor=SYSTEM, user_id=world.users["liege.duty"], expected_version=1, active=False)
    )
    world.platform.dispatcher.drain()
    auth.forget()
    assert client.get("/api/auth/me").status_code == 401


def test_other_changes_leave_sessions_alone(world: World) -> None:
    client, auth = _signed_in(world, "be.analyst")
    world.platform.bus.handle(
        sc.UpdateUser(
            actor=SYSTEM, user_id=world.users["be.analyst"], expected_version=1, display_name="Analyst"
        )
    )
    world.platform.dispatcher.drain()
    auth.forget()
    assert client.get("/api/auth/me").status_code == 200


def test_a_password_reset_lifts_the_sign_in_throttle(world: World) -> None:
    app = create_app(world.platform)
    with TestClient(app) as client:
        for _ in range(5):
            client.post("/api/auth/login", json={"username": "nl.duty", "password": "wrong password!"})
        assert (
            client.post("/api/auth/login", json={"username": "nl.duty", "password": PASSWORD}).status_code
            == 429
        )
        world.platform.bus.handle(
            sc.SetPassword(actor=SYSTEM, user_id=world.users["nl.duty"], password=PASSWORD)
        )
        world.platform.dispatcher.drain()
        assert (
            client.post("/api/auth/login", json={"username": "nl.duty", "password": PASSWORD}).status_code
            == 201
        )
