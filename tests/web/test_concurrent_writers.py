"""Two writers hammering one record through the API: no lost update, every loser told with a 409."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest

from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.markings import Tlp
from tests.support import PASSWORD, build_world, live_server, make_platform

ROUNDS = 25
pytestmark = pytest.mark.slow


def _signed_in(base: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=30)
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return client, response.json()["csrf_token"]


def _increment(client: httpx.Client, csrf: str, path: str, outcomes: Counter[int]) -> None:
    for _ in range(ROUNDS):
        current = client.get(path).json()
        count = int(current["notes"] or "0")
        response = client.patch(
            path,
            json={"expected_version": current["version"], "notes": str(count + 1)},
            headers={"x-csrf-token": csrf},
        )
        outcomes[response.status_code] += 1
        if response.status_code == 409:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "reload" in response.json()["detail"]


def test_two_writers_lose_no_update(db_url: str) -> None:
    platform = make_platform(db_url)
    world = build_world(platform)
    contact_id = world.contact("BE-NCCN", Tlp.GREEN)
    path = f"/api/contact-points/{contact_id}"
    outcomes: Counter[int] = Counter()
    with live_server(create_app(platform)) as base:
        writers = [_signed_in(base, "be.duty"), _signed_in(base, "admin")]
        threads = [threading.Thread(target=_increment, args=(c, csrf, path, outcomes)) for c, csrf in writers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        final = writers[0][0].get(path).json()
    platform.stop()
    assert set(outcomes) <= {200, 409}
    assert outcomes[200] + outcomes[409] == 2 * ROUNDS
    assert int(final["notes"]) == outcomes[200]  # every accepted increment is there: none was lost
    assert final["version"] == 1 + outcomes[200]
