"""The API of neighbours' warning feeds: subscribing (administrators only), the feed list with its last
poll, the warnings read, and the map layer, each through the sharing policy (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from crisislink.adapters.db import tables as t
from crisislink.app.schedule import run_once
from crisislink.kernel.clock import FixedClock
from tests.support import World
from tests.support_feeds import MAASTRICHT, FeedSite, atom_feed, cap_message
from tests.support_http import serving
from tests.web.conftest import MONDAY_MORNING, Client, assert_problem, count, sign_in

FEEDS = "/api/external-feeds"
ALERTS = "/api/external-alerts"
LAYER = "/api/map/layers/external_warnings"


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with serving() as server:
        yield FeedSite(server)


def subscribe(client: Client, headers: dict[str, str], url: str, **body: Any) -> Any:
    return client.post(FEEDS, json={"name": "DWD", "url": url, **body}, headers=headers)


def layer(client: Client) -> list[dict[str, Any]]:
    response = client.get(LAYER)
    assert response.status_code == 200, response.text
    features: list[dict[str, Any]] = json.loads(response.content)["features"]
    return features


def test_an_administrator_subscribes_and_sees_the_last_poll(
    clocked_world: World, clocked_client: Client, clock: FixedClock, site: FeedSite
) -> None:
    url = site.put("/dwd.atom", atom_feed(embedded=[cap_message("DE-1", MONDAY_MORNING)]))
    admin = sign_in(clocked_client, "admin")

    created = subscribe(clocked_client, admin, url, interval_seconds=120)
    assert created.status_code == 201, created.text
    feed = created.json()
    assert (feed["name"], feed["url"], feed["marking"], feed["status"]) == ("DWD", url, "CLEAR", "new")
    assert feed["owner_partner_id"] == str(clocked_world.partners["BE-NCCN"])

    run_once(clocked_world.platform.bus)
    (listed,) = clocked_client.get(FEEDS).json()
    assert (listed["status"], listed["failures"], listed["last_error"]) == ("ok", 0, None)
    assert listed["next_poll_at"].startswith((MONDAY_MORNING + timedelta(seconds=120)).isoformat()[:19])
    assert clocked_client.get(f"{FEEDS}/{feed['id']}").json()["status"] == "ok"

    (alert,) = clocked_client.get(ALERTS, params={"active": "true"}).json()
    assert (alert["identifier"], alert["feed_name"], alert["active"]) == ("DE-1", "DWD", True)
    assert alert["area"]["type"] == "Polygon"
    assert clocked_client.get(ALERTS, params={"active": "false"}).json() == []


def test_only_administrators_subscribe_and_nothing_is_written_otherwise(
    clocked_world: World, clocked_client: Client, site: FeedSite
) -> None:
    duty = sign_in(clocked_client, "be.duty")
    response = subscribe(clocked_client, duty, site.url + "/dwd.atom")
    assert_problem(response, 403, "administrator")
    assert count(clocked_world.platform, t.external_feeds) == 0


@pytest.mark.parametrize(
    ("body", "mention"),
    [
        ({"url": "ftp://feeds.example/atom"}, "url"),
        ({"url": "https://feeds.example/atom", "interval_seconds": 10}, "interval_seconds"),
        ({"url": "https://feeds.example/atom", "marking": "PURPLE"}, "marking"),
        ({"url": "https://user:pw@feeds.example/atom"}, "user name and password"),
        ({"url": "https://feeds.example/atom", "extra": 1}, "extra"),
    ],
)
def test_bad_subscriptions_are_refused_with_what_to_fix(
    clocked_world: World, clocked_client: Client, body: dict[str, Any], mention: str
) -> None:
    admin = sign_in(clocked_client, "admin")
    assert_problem(clocked_client.post(FEEDS, json={"name": "DWD", **body}, headers=admin), 400, mention)


def test_a_feed_is_subscribed_once(clocked_world: World, clocked_client: Client, site: FeedSite) -> None:
    admin = sign_in(clocked_client, "admin")
    assert subscribe(clocked_client, admin, site.url + "/dwd.atom").status_code == 201
    assert_problem(subscribe(clocked_client, admin, site.url + "/dwd.atom"), 409, "subscribed already")


def test_who_may_not_see_a_feed_sees_neither_it_nor_its_warnings(
    clocked_world: World, clocked_client: Client, site: FeedSite
) -> None:
    clear = site.put("/clear.atom", atom_feed(embedded=[cap_message("DE-1", MONDAY_MORNING)]))
    strict = site.put(
        "/strict.atom", atom_feed(embedded=[cap_message("NL-1", MONDAY_MORNING, polygon=MAASTRICHT)])
    )
    admin = sign_in(clocked_client, "admin")
    assert subscribe(clocked_client, admin, clear, name="Public").status_code == 201
    hidden = subscribe(clocked_client, admin, strict, name="Own staff only", marking="AMBER+STRICT").json()
    run_once(clocked_world.platform.bus)

    sign_in(clocked_client, "be.duty")  # same partner as the administrator who subscribed
    assert sorted(a["identifier"] for a in clocked_client.get(ALERTS).json()) == ["DE-1", "NL-1"]
    assert sorted(f["properties"]["feed"] for f in layer(clocked_client)) == ["Own staff only", "Public"]

    sign_in(clocked_client, "nl.duty")
    assert [a["identifier"] for a in clocked_client.get(ALERTS).json()] == ["DE-1"]
    assert [f["properties"]["feed"] for f in layer(clocked_client)] == ["Public"]
    assert [f["name"] for f in clocked_client.get(FEEDS).json()] == ["Public"]
    assert_problem(clocked_client.get(f"{FEEDS}/{hidden['id']}"), 404)

    clocked_client.cookies.clear()  # the public sees the CLEAR feed's warnings on the map
    (feature,) = layer(clocked_client)
    assert feature["properties"]["headline"] == "Sturmwarnung"
    assert feature["properties"]["severity"] == "Severe"
    assert_problem(clocked_client.get(ALERTS), 401)


def test_unsubscribing_removes_the_warnings_from_the_map(
    clocked_world: World, clocked_client: Client, site: FeedSite
) -> None:
    url = site.put("/dwd.atom", atom_feed(embedded=[cap_message("DE-1", MONDAY_MORNING)]))
    admin = sign_in(clocked_client, "admin")
    feed = subscribe(clocked_client, admin, url).json()
    run_once(clocked_world.platform.bus)
    assert len(layer(clocked_client)) == 1

    duty = sign_in(clocked_client, "be.duty")
    assert_problem(clocked_client.delete(f"{FEEDS}/{feed['id']}", headers=duty), 403, "administrator")

    admin = sign_in(clocked_client, "admin")
    assert clocked_client.delete(f"{FEEDS}/{feed['id']}", headers=admin).status_code == 204
    assert layer(clocked_client) == []
    assert clocked_client.get(FEEDS).json() == []
