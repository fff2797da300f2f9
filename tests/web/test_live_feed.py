"""GET /api/events: live server-sent events, filtered by the sharing policy, resumable with Last-Event-ID."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crisislink.app.bootstrap import Platform
from crisislink.entrypoints.web.api import events as events_api
from crisislink.entrypoints.web.app import create_app
from crisislink.entrypoints.web.security import CSRF_HEADER
from crisislink.kernel.markings import Tlp
from tests.support import PASSWORD, World, build_world, live_server, make_platform


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[World, str]]:
    platform: Platform = make_platform(sqlite_url)
    world = build_world(platform)
    with live_server(create_app(platform)) as base:
        yield world, base


def _client(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201
    return client


def _events(lines: Iterator[str], count: int) -> list[dict[str, Any]]:
    """Read SSE frames until `count` events arrived; comments and keep-alives are skipped."""
    events: list[dict[str, Any]] = []
    frame: dict[str, str] = {}
    for line in lines:
        if line == "":
            if "data" in frame and frame.get("event") != "ready":
                body = json.loads(frame["data"])
                assert body["position"] == int(frame["id"])
                events.append({"event": body["type"], **body})
                if len(events) == count:
                    return events
            frame = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            frame[key] = value
    return events


def test_a_change_made_by_someone_else_arrives_live(served: tuple[World, str]) -> None:
    world, base = served
    client = _client(base, "be.duty")
    with client.stream("GET", "/api/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        timer = threading.Timer(0.3, lambda: world.contact("BE-NCCN", Tlp.GREEN, name="Live desk"))
        timer.start()
        (event,) = _events(stream.iter_lines(), 1)
    assert event["event"] == "crisislink.sharing.contact_point_created"
    assert event["payload"]["name"] == "Live desk"


def test_reconnecting_with_last_event_id_delivers_exactly_what_was_missed(served: tuple[World, str]) -> None:
    world, base = served
    client = _client(base, "be.duty")
    with client.stream("GET", "/api/events") as stream:
        threading.Timer(0.3, lambda: world.contact("BE-NCCN", Tlp.GREEN, name="seen")).start()
        (seen,) = _events(stream.iter_lines(), 1)
    missed = [world.contact("BE-NCCN", Tlp.GREEN, name=f"while away {i}") for i in range(3)]
    with client.stream("GET", "/api/events", headers={"Last-Event-ID": str(seen["position"])}) as stream:
        threading.Timer(0.5, lambda: world.contact("BE-NCCN", Tlp.GREEN, name="after reconnect")).start()
        caught_up = _events(stream.iter_lines(), 4)
    names = [event["payload"]["name"] for event in caught_up]
    assert names == ["while away 0", "while away 1", "while away 2", "after reconnect"]
    assert [event["payload"]["contact_point_id"] for event in caught_up[:3]] == [str(i) for i in missed]
    assert caught_up[0]["position"] > seen["position"]


def test_events_the_reader_may_not_see_are_not_streamed(served: tuple[World, str]) -> None:
    world, base = served
    client = _client(base, "nl.duty")
    with client.stream("GET", "/api/events") as stream:

        def publish() -> None:
            world.contact("BE-NCCN", Tlp.AMBER_STRICT, name="NCCN internal")
            world.contact("BE-NCCN", Tlp.GREEN, name="for everyone")

        threading.Timer(0.3, publish).start()
        (event,) = _events(stream.iter_lines(), 1)
    assert event["payload"]["name"] == "for everyone"


def test_the_feed_needs_a_signed_in_reader(served: tuple[World, str]) -> None:
    _, base = served
    response = httpx.get(f"{base}/api/events", timeout=5)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("sent", ["-5", "seven"])
def test_a_last_event_id_that_no_stream_sent_is_refused(served: tuple[World, str], sent: str) -> None:
    _, base = served
    client = _client(base, "be.duty")
    response = client.get("/api/events", headers={"Last-Event-ID": sent})
    client.close()
    assert response.status_code == 400  # not a replay of everything, as a clamped -5 was
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Last-Event-ID" in response.json()["detail"]


def test_signing_out_ends_the_open_stream_at_its_next_wake_up(
    served: tuple[World, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, base = served
    monkeypatch.setattr(events_api, "AUTH_RECHECK_SECONDS", 0.0)  # in service: at most once a second
    client = httpx.Client(base_url=base, timeout=10)
    login = client.post("/api/auth/login", json={"username": "be.duty", "password": PASSWORD})
    with client.stream("GET", "/api/events") as stream:
        lines = stream.iter_lines()
        assert "event: ready" in itertools.takewhile(lambda line: line != "", lines)
        signed_out = client.post("/api/auth/logout", headers={CSRF_HEADER: login.json()["csrf_token"]})
        assert signed_out.status_code == 204
        world.contact("BE-NCCN", Tlp.GREEN, name="after sign-out")  # wakes the stream
        rest = list(lines)  # the server closes the stream: no read time-out
    assert not any("after sign-out" in line for line in rest)
