"""Signing in and out, CSRF on cookie-authenticated writes, throttling, and personal API tokens."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest
import sqlalchemy as sa
from litestar.types import ASGIApp

from crisislink.adapters.db import tables as t
from crisislink.entrypoints.web.app import create_app
from crisislink.entrypoints.web.asgi import behind_proxies
from crisislink.entrypoints.web.security import SESSION_COOKIE
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Tlp
from tests.support import PASSWORD, World
from tests.web.conftest import Client, assert_problem, bearer, count, sign_in, snapshot

WRONG = "not the right password"


def _contact_body(world: World, name: str = "Desk via API") -> dict[str, Any]:
    return {
        "partner_id": str(world.partners["BE-NCCN"]),
        "role": "duty_desk_24_7",
        "name": name,
        "channels": [{"kind": "phone", "value": "+32 2 000 00 00"}],
        "languages": ["en"],
        "hours": {"always": True},
    }


def _issue(client: Client, csrf: dict[str, str], scopes: list[str], expires_at: str) -> dict[str, Any]:
    response = client.post(
        "/api/tokens", json={"name": "robot", "scopes": scopes, "expires_at": expires_at}, headers=csrf
    )
    assert response.status_code == 201, response.text
    issued = response.json()
    assert isinstance(issued, dict)
    return issued


def _far_future(world: World) -> str:
    return (world.platform.clock.now() + timedelta(days=30)).isoformat()


# --- signing in ---------------------------------------------------------------------------------------


def test_signing_in_sets_an_httponly_strict_session_cookie_and_returns_a_csrf_token(
    world: World, client: Client
) -> None:
    response = client.post("/api/auth/login", json={"username": "be.duty", "password": PASSWORD})

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["path"] == "Path=/"
    body = response.json()
    assert body["username"] == "be.duty"
    assert body["partner_id"] == str(world.partners["BE-NCCN"])
    assert body["roles"] == ["duty_officer"]
    assert len(body["csrf_token"]) >= 20
    session_value = client.cookies[SESSION_COOKIE]
    assert session_value not in response.text  # the session secret travels only in the HttpOnly cookie
    assert body["csrf_token"] != session_value
    assert client.get("/api/auth/me").json()["username"] == "be.duty"


def test_a_wrong_password_is_a_401_problem_and_opens_no_session(world: World, client: Client) -> None:
    response = client.post("/api/auth/login", json={"username": "be.duty", "password": WRONG})

    assert_problem(response, 401, "unknown user name or wrong password")
    assert "set-cookie" not in response.headers
    assert SESSION_COOKIE not in client.cookies
    assert count(world.platform, t.sessions) == 0
    assert_problem(client.get("/api/auth/me"), 401)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client: Client) -> None:
    wrong_password = client.post("/api/auth/login", json={"username": "be.duty", "password": WRONG})
    unknown_user = client.post("/api/auth/login", json={"username": "nobody.here", "password": WRONG})

    assert unknown_user.status_code == wrong_password.status_code == 401
    assert unknown_user.json() == wrong_password.json()
    assert "set-cookie" not in unknown_user.headers


def test_user_names_are_matched_without_regard_to_case_or_surrounding_spaces(client: Client) -> None:
    response = client.post("/api/auth/login", json={"username": "  BE.Duty ", "password": PASSWORD})

    assert response.status_code == 201
    assert response.json()["username"] == "be.duty"


def test_the_sixth_attempt_after_five_failures_is_throttled_even_with_the_right_password(
    client: Client,
) -> None:
    for _ in range(5):
        assert_problem(client.post("/api/auth/login", json={"username": "nl.duty", "password": WRONG}), 401)

    throttled = client.post("/api/auth/login", json={"username": "nl.duty", "password": WRONG})
    body = assert_problem(throttled, 429, "too many failed sign-ins")
    assert int(throttled.headers["retry-after"]) == body["retry_after"] > 0
    refused = client.post("/api/auth/login", json={"username": "nl.duty", "password": PASSWORD})
    assert_problem(refused, 429)
    assert "set-cookie" not in refused.headers
    # Another person on the same client is not locked out by nl.duty's failures.
    sign_in(client, "be.duty")


def test_twenty_failures_from_one_client_throttle_every_user_name_from_it(client: Client) -> None:
    for attempt in range(20):
        response = client.post("/api/auth/login", json={"username": f"guess{attempt}", "password": WRONG})
        assert_problem(response, 401)

    refused = client.post("/api/auth/login", json={"username": "be.duty", "password": PASSWORD})

    body = assert_problem(refused, 429, "from this address")
    assert "CRISISLINK_TRUSTED_PROXIES" in body["detail"]  # what to do when a proxy hides the clients
    assert int(refused.headers["retry-after"]) > 0


def _peer(app: ASGIApp) -> httpx.AsyncClient:
    """A client whose connections come from 10.0.0.5 (the proxy, when one is trusted)."""
    # Litestar's and httpx's ASGI types describe the same callable in different words.
    transport = httpx.ASGITransport(app=cast(Any, app), client=("10.0.0.5", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _fail_twenty_times(peer: httpx.AsyncClient, claimed: str) -> None:
    for attempt in range(20):
        guess = {"username": f"guess{attempt}", "password": WRONG}
        response = await peer.post("/api/auth/login", json=guess, headers={"x-forwarded-for": claimed})
        assert response.status_code == 401


async def _be_duty_signs_in(peer: httpx.AsyncClient, claimed: str) -> int:
    right = {"username": "be.duty", "password": PASSWORD}
    return (await peer.post("/api/auth/login", json=right, headers={"x-forwarded-for": claimed})).status_code


async def test_behind_a_trusted_proxy_the_throttle_counts_each_real_client(world: World) -> None:
    async with _peer(behind_proxies(create_app(world.platform), ("10.0.0.0/24",))) as proxy:
        await _fail_twenty_times(proxy, "198.51.100.7")
        assert await _be_duty_signs_in(proxy, "203.0.113.9") == 201  # somebody else behind the proxy
        assert await _be_duty_signs_in(proxy, "198.51.100.7") == 429  # the address that guessed


async def test_an_untrusted_peer_cannot_choose_its_address_with_x_forwarded_for(world: World) -> None:
    async with _peer(behind_proxies(create_app(world.platform), ())) as stranger:
        await _fail_twenty_times(stranger, "198.51.100.7")
        assert await _be_duty_signs_in(stranger, "203.0.113.9") == 429


# --- CSRF on cookie-authenticated writes ------------------------------------------------------------

CSRF_VARIANTS = [
    pytest.param({}, id="no-header"),
    pytest.param({"x-csrf-token": "forged"}, id="wrong-header"),
]


@pytest.mark.parametrize("headers", CSRF_VARIANTS)
def test_a_cookie_authenticated_create_without_the_right_csrf_token_is_refused(
    world: World, client: Client, headers: dict[str, str]
) -> None:
    sign_in(client, "be.duty")
    before = snapshot(world.platform)

    response = client.post("/api/contact-points", json=_contact_body(world), headers=headers)

    assert_problem(response, 403, "x-csrf-token")
    assert snapshot(world.platform) == before


@pytest.mark.parametrize("headers", CSRF_VARIANTS)
def test_a_cookie_authenticated_change_without_the_right_csrf_token_is_refused(
    world: World, client: Client, headers: dict[str, str]
) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN, name="Original")
    sign_in(client, "be.duty")
    before = snapshot(world.platform)

    response = client.patch(
        f"/api/contact-points/{contact_id}", json={"expected_version": 1, "name": "Hijacked"}, headers=headers
    )

    assert_problem(response, 403, "x-csrf-token")
    assert snapshot(world.platform) == before
    assert client.get(f"/api/contact-points/{contact_id}").json()["name"] == "Original"


@pytest.mark.parametrize("headers", CSRF_VARIANTS)
def test_a_cookie_authenticated_delete_without_the_right_csrf_token_is_refused(
    world: World, client: Client, headers: dict[str, str]
) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN)
    sign_in(client, "be.duty")
    before = snapshot(world.platform)

    response = client.delete(f"/api/contact-points/{contact_id}?expected_version=1", headers=headers)

    assert_problem(response, 403, "x-csrf-token")
    assert snapshot(world.platform) == before
    assert client.get(f"/api/contact-points/{contact_id}").status_code == 200


def test_another_sessions_csrf_token_does_not_authorise_a_write(world: World, client: Client) -> None:
    others = sign_in(client, "be.analyst")
    client.cookies.clear()
    sign_in(client, "be.duty")
    before = snapshot(world.platform)

    response = client.post("/api/contact-points", json=_contact_body(world), headers=others)

    assert_problem(response, 403)
    assert snapshot(world.platform) == before


def test_with_the_csrf_token_the_same_writes_succeed(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")

    created = client.post("/api/contact-points", json=_contact_body(world), headers=csrf)
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]
    changed = client.patch(
        f"/api/contact-points/{contact_id}", json={"expected_version": 1, "name": "Renamed"}, headers=csrf
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Renamed"
    removed = client.delete(f"/api/contact-points/{contact_id}?expected_version=2", headers=csrf)
    assert removed.status_code == 204, removed.text
    assert_problem(client.get(f"/api/contact-points/{contact_id}"), 404)


def test_reading_needs_no_csrf_token(world: World, client: Client) -> None:
    world.contact("BE-NCCN", Tlp.GREEN)
    sign_in(client, "be.duty")

    assert client.get("/api/auth/me").status_code == 200
    listed = client.get("/api/contact-points")
    assert listed.status_code == 200
    assert len(listed.json()) == 1


# --- no credentials -------------------------------------------------------------------------------------

# Routes open to anyone. Add a route here only on purpose: every other /api route must refuse anonymous callers.
OPEN_PATHS = {"/api/auth/login", "/api/health"}
# The answer to a communication test: its single-use code is the credential (docs/readiness.md).
OPEN_PATHS.add("/api/comm-tests/ack/{code}")
# Routes whose query is required: given well-formed, so the missing credentials are the only fault.
WELL_FORMED_QUERIES = {
    "/api/hospitals/nearest": {"lon": "5.7", "lat": "50.8", "category": "emergency"},
    "/api/units/nearest": {"lon": "5.7", "lat": "50.8", "capability": "water.rescue"},
}
# The map serves the public what the sharing policy grants it (TLP:CLEAR) and the shipped basemap.
OPEN_PREFIXES = ("/api/map/",)


def test_every_api_route_but_sign_in_health_and_docs_needs_credentials(client: Client) -> None:
    document = client.get("/api/docs/openapi.json").json()
    checked: list[str] = []
    for path, operations in document["paths"].items():
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES) or not path.startswith("/api/"):
            continue
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for method in operations:
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            # Well-formed requests, so that only the missing credentials are wrong with them.
            params = {"expected_version": "1"} if method == "delete" and "contact_id" in path else {}
            params |= WELL_FORMED_QUERIES.get(path, {})
            body: dict[str, Any] | None = {} if method in {"post", "put", "patch"} else None
            response = client.request(method.upper(), url, params=params, json=body)
            assert_problem(response, 401, "sign in")
            checked.append(f"{method.upper()} {path}")
    assert len(checked) >= 20
    assert "GET /api/events" in checked
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/docs/openapi.json").status_code == 200


def test_an_unknown_bearer_token_is_refused_even_on_a_valid_session(client: Client) -> None:
    sign_in(client, "be.duty")

    response = client.get("/api/contact-points", headers=bearer(f"clk_{uuid.uuid4().hex}_guess"))

    assert_problem(response, 401, "token")


# --- signing out ---------------------------------------------------------------------------------------


def test_signing_out_ends_the_session_at_once(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    assert client.get("/api/auth/me").status_code == 200  # now in the identity cache
    old_cookie = client.cookies[SESSION_COOKIE]

    response = client.post("/api/auth/logout", headers=csrf)

    assert response.status_code == 204
    assert f"{SESSION_COOKIE}=" in response.headers["set-cookie"]  # the browser is told to drop it
    assert count(world.platform, t.sessions) == 0
    client.cookies.set(SESSION_COOKIE, old_cookie)
    assert_problem(client.get("/api/auth/me"), 401)
    assert_problem(client.get("/api/contact-points"), 401)


def test_signing_out_needs_the_csrf_token_too(world: World, client: Client) -> None:
    sign_in(client, "be.duty")

    assert_problem(client.post("/api/auth/logout"), 403)

    assert count(world.platform, t.sessions) == 1
    assert client.get("/api/auth/me").status_code == 200


# --- personal API tokens -----------------------------------------------------------------------------


def test_a_token_secret_is_shown_once_and_never_listed(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")

    issued = _issue(client, csrf, ["read"], _far_future(world))

    secret = issued["token"]
    assert secret.startswith("clk_")
    assert len(secret) > 40
    listed = client.get("/api/tokens")
    assert listed.status_code == 200
    assert [token["id"] for token in listed.json()] == [issued["id"]]
    assert listed.json()[0]["scopes"] == ["read"]
    assert listed.json()[0]["revoked"] is False
    assert secret not in listed.text
    assert set(listed.json()[0]) == {"id", "name", "scopes", "expires_at", "revoked"}
    with world.platform.engine.connect() as conn:
        stored = conn.execute(sa.select(t.api_tokens)).mappings().one()
    assert secret not in {str(value) for value in stored.values()}
    assert client.get("/api/tokens", headers=bearer(secret)).json() == listed.json()


def test_a_read_only_token_reads_but_cannot_write(world: World, client: Client) -> None:
    world.contact("BE-NCCN", Tlp.GREEN)
    secret = _issue(client, sign_in(client, "be.duty"), ["read"], _far_future(world))["token"]
    client.cookies.clear()

    listed = client.get("/api/contact-points", headers=bearer(secret))
    assert listed.status_code == 200
    assert len(listed.json()) == 1
    before = snapshot(world.platform)
    refused = client.post("/api/contact-points", json=_contact_body(world), headers=bearer(secret))

    assert_problem(refused, 403, "read-only")
    assert snapshot(world.platform) == before


def test_a_write_token_writes_without_a_csrf_token(world: World, client: Client) -> None:
    secret = _issue(client, sign_in(client, "be.duty"), ["read", "write"], _far_future(world))["token"]
    client.cookies.clear()

    created = client.post(
        "/api/contact-points", json=_contact_body(world, "Robot desk"), headers=bearer(secret)
    )

    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Robot desk"
    assert count(world.platform, t.contact_points) == 1


def test_a_revoked_token_is_refused_at_once(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    issued = _issue(client, csrf, ["read"], _far_future(world))
    assert client.get("/api/contact-points", headers=bearer(issued["token"])).status_code == 200

    revoked = client.delete(f"/api/tokens/{issued['id']}", headers=csrf)

    assert revoked.status_code == 204, revoked.text
    assert client.get("/api/tokens").json()[0]["revoked"] is True
    client.cookies.clear()
    assert_problem(client.get("/api/contact-points", headers=bearer(issued["token"])), 401, "revoked")


def test_a_token_is_refused_once_it_has_expired(clocked_client: Client, clock: FixedClock) -> None:
    csrf = sign_in(clocked_client, "be.duty")
    secret = _issue(clocked_client, csrf, ["read"], (clock.now() + timedelta(seconds=5)).isoformat())["token"]
    clocked_client.cookies.clear()

    clock.advance(timedelta(seconds=6))

    assert_problem(clocked_client.get("/api/contact-points", headers=bearer(secret)), 401, "expired")


def test_a_token_used_just_before_it_expired_is_refused_right_after(
    clocked_client: Client, clock: FixedClock
) -> None:
    csrf = sign_in(clocked_client, "be.duty")
    secret = _issue(clocked_client, csrf, ["read"], (clock.now() + timedelta(seconds=5)).isoformat())["token"]
    clocked_client.cookies.clear()
    assert clocked_client.get("/api/contact-points", headers=bearer(secret)).status_code == 200

    clock.advance(timedelta(seconds=6))

    assert_problem(clocked_client.get("/api/contact-points", headers=bearer(secret)), 401)


def test_a_token_must_expire_in_the_future(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    before = snapshot(world.platform)
    past = (world.platform.clock.now() - timedelta(minutes=1)).isoformat()

    response = client.post(
        "/api/tokens", json={"name": "late", "scopes": ["read"], "expires_at": past}, headers=csrf
    )

    assert_problem(response, 400, "expire in the future")
    assert snapshot(world.platform) == before


@pytest.mark.parametrize(
    ("body", "mention"),
    [
        pytest.param(
            {"name": "x", "scopes": [], "expires_at": "2099-01-01T00:00:00Z"}, "scopes", id="no-scope"
        ),
        pytest.param(
            {"name": "x", "scopes": ["admin"], "expires_at": "2099-01-01T00:00:00Z"}, "admin", id="bad-scope"
        ),
        pytest.param({"name": "x", "scopes": ["read"]}, "expires_at", id="no-expiry"),
        pytest.param({"name": "x", "scopes": ["read"], "expires_at": "soon"}, "expires_at", id="not-a-time"),
    ],
)
def test_a_token_request_with_bad_scopes_or_expiry_is_refused(
    world: World, client: Client, body: dict[str, Any], mention: str
) -> None:
    csrf = sign_in(client, "be.duty")
    before = snapshot(world.platform)

    assert_problem(client.post("/api/tokens", json=body, headers=csrf), 400, mention)
    assert snapshot(world.platform) == before


def test_a_token_expiry_without_a_time_zone_is_a_400_problem(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    before = snapshot(world.platform)

    response = client.post(
        "/api/tokens",
        json={"name": "naive", "scopes": ["read"], "expires_at": "2099-01-01T00:00:00"},
        headers=csrf,
    )

    assert_problem(response, 400)
    assert snapshot(world.platform) == before
