"""Neighbours' CAP feeds read end to end: a real HTTP server, the real reader, the schedule, the database
(SQLite and PostgreSQL), and what each viewer then sees through the sharing policy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crisislink.adapters.db import outbox
from crisislink.adapters.db.queries import external_alerts as q
from crisislink.app.schedule import run_once
from crisislink.domains.sharing.policy import PUBLIC, Viewer
from crisislink.domains.warnings import external_commands as c
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import Envelope
from tests.support import World, build_world, make_platform
from tests.support_feeds import (
    CAP_FIXTURES,
    MAASTRICHT,
    METEOALARM_MISSING_PATH,
    METEOALARM_UPDATE_PATH,
    FeedSite,
    atom_feed,
    cap_message,
    meteoalarm_feed,
)
from tests.support_http import closed_port_url, serving

START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
INTERVAL = timedelta(seconds=300)


@dataclass
class Node:
    world: World
    clock: FixedClock
    site: FeedSite

    def subscribe(
        self, path: str, marking: Tlp = Tlp.CLEAR, name: str = "DWD", url: str | None = None
    ) -> uuid.UUID:
        feed_id: uuid.UUID = self.world.platform.bus.handle(
            c.SubscribeFeed(
                actor=self.world.actor("admin"),
                name=name,
                url=url or self.site.url + path,
                interval_seconds=int(INTERVAL.total_seconds()),
                marking=marking,
            )
        )
        return feed_id

    def poll(self) -> int:
        return run_once(self.world.platform.bus)

    def later(self, delta: timedelta = INTERVAL) -> int:
        self.clock.advance(delta)
        return self.poll()

    def feed(self, feed_id: uuid.UUID, viewer: Viewer = PUBLIC) -> q.ExternalFeedView:
        return q.get_external_feed(self.world.platform.engine, viewer, feed_id)

    def alerts(self, viewer: Viewer = PUBLIC, **filters: Any) -> list[q.ExternalAlertView]:
        engine = self.world.platform.engine
        return q.list_external_alerts(engine, viewer, q.AlertFilter(**filters), self.clock.now())

    def features(self, viewer: Viewer = PUBLIC) -> list[dict[str, Any]]:
        return list(q.external_warning_features(self.world.platform.engine, viewer, self.clock.now()))

    def events(self) -> list[Envelope]:
        with self.world.platform.engine.connect() as conn:
            return outbox.read_after(conn, 0, 10_000)

    def viewer(self, username: str) -> Viewer:
        return Viewer(user_id=self.world.users[username], partner_id=self.world.user_partner[username])


@pytest.fixture
def node(db_url: str) -> Iterator[Node]:
    clock = FixedClock(START)
    platform = make_platform(db_url, clock=clock)
    with serving() as server:
        yield Node(build_world(platform), clock, FeedSite(server))
    platform.stop()


def identifiers(alerts: list[q.ExternalAlertView]) -> list[tuple[str, bool, str | None]]:
    return sorted((alert.identifier, alert.active, alert.replaced_by) for alert in alerts)


# --- the real feeds ---------------------------------------------------------------------------------------


def test_the_meteoalarm_feed_is_read_through_its_links(node: Node) -> None:
    node.site.put("/feeds/meteoalarm-legacy-atom-france", meteoalarm_feed(node.site.url))
    update = (CAP_FIXTURES / "examples/meteoalarm/fr-meteofrance-update-fr-en.xml").read_bytes()
    node.site.put(METEOALARM_UPDATE_PATH, update, **{"Content-Type": "application/cap+xml"})
    feed_id = node.subscribe("/feeds/meteoalarm-legacy-atom-france", name="MeteoAlarm FR")

    node.poll()

    (alert,) = node.alerts()
    assert (alert.sender, alert.identifier, alert.msg_type) == (
        "vigilance@meteo.fr",
        "2.49.0.0.250.0.FR.20221207060126.964028",
        "Update",
    )
    assert alert.languages == ["fr-FR", "en-GB"]
    assert alert.feed_name == "MeteoAlarm FR"
    assert alert.area is None  # Alpine NUTS3 codes: no shipped boundary, so not on the map
    assert alert.active is False  # it expired in 2022
    # Six entries (one per area) share each message: each link is fetched once.
    assert len(node.site.hits(METEOALARM_UPDATE_PATH)) == 1
    assert len(node.site.hits(METEOALARM_MISSING_PATH)) == 1
    feed = node.feed(feed_id)
    assert (feed.status, feed.failures) == ("ok", 0)
    assert feed.last_error is not None
    assert feed.last_error.startswith("1 entry left out: Yellow Avalanches Warning issued for France")
    assert "HTTP 404" in feed.last_error

    node.later()
    assert len(node.alerts()) == 1
    assert len(node.site.hits(METEOALARM_UPDATE_PATH)) == 1  # known already: not fetched again
    assert len(node.site.hits(METEOALARM_MISSING_PATH)) == 2  # left out last time: tried again


@pytest.mark.parametrize("fixture", ["weather.atom", "amber.atom"])
def test_a_feed_polled_again_stores_each_alert_once_and_asks_with_its_etag(node: Node, fixture: str) -> None:
    node.site.put("/feed.atom", (CAP_FIXTURES / "feeds" / fixture).read_bytes())
    feed_id = node.subscribe("/feed.atom")
    node.poll()
    node.later()
    node.later()

    assert len(node.alerts()) == 1
    requests = node.site.hits("/feed.atom")
    assert len(requests) == 3
    assert requests[0].header("if-none-match") is None
    assert requests[1].header("if-none-match") is not None  # and the server said 304
    assert node.feed(feed_id).last_ok_at == START + 2 * INTERVAL


def test_a_cancel_in_the_feed_ends_the_earlier_alert_on_the_map(node: Node) -> None:
    alert = cap_message("DE-1", START - timedelta(minutes=10))
    node.site.put("/dwd.atom", atom_feed(embedded=[alert]))
    node.subscribe("/dwd.atom")
    node.poll()
    assert [f["properties"]["headline"] for f in node.features()] == ["Sturmwarnung"]
    (feature,) = node.features()
    assert feature["geometry"]["coordinates"][0][0] == [6.0, 50.7]  # CAP's lat,lon, turned to lon,lat

    cancel = cap_message(
        "DE-2", START, msg_type="Cancel", references=[("DE-1", START - timedelta(minutes=10))]
    )
    node.site.put("/dwd.atom", atom_feed(embedded=[cancel, alert]))  # newest first, as feeds list them
    node.later()

    assert node.features() == []
    assert identifiers(node.alerts()) == [("DE-1", False, "DE-2"), ("DE-2", False, None)]
    assert identifiers(node.alerts(active=False)) == identifiers(node.alerts())
    ended = [e for e in node.events() if e.type.endswith("external_alert_ended")]
    assert [(e.payload["identifier"], e.payload["reason"]) for e in ended] == [("DE-1", "cancelled")]


def test_an_update_replaces_the_alert_and_is_shown_instead(node: Node) -> None:
    first = cap_message("DE-1", START - timedelta(minutes=10), headline="Sturm")
    node.site.put("/dwd.atom", atom_feed(embedded=[first]))
    node.subscribe("/dwd.atom")
    node.poll()
    update = cap_message(
        "DE-2",
        START,
        msg_type="Update",
        references=[("DE-1", START - timedelta(minutes=10))],
        headline="Orkan",
    )
    node.site.put("/dwd.atom", atom_feed(embedded=[update, first]))
    node.later()
    assert [f["properties"]["headline"] for f in node.features()] == ["Orkan"]
    assert identifiers(node.alerts(active=True)) == [("DE-2", True, None)]


def test_expired_and_exercise_messages_are_kept_but_never_drawn(node: Node) -> None:
    short = cap_message("DE-1", START - timedelta(minutes=10), expires=timedelta(minutes=20))
    exercise = cap_message("DE-X", START - timedelta(minutes=5), status="Exercise")
    node.site.put("/dwd.atom", atom_feed(embedded=[short, exercise]))
    node.subscribe("/dwd.atom")
    node.poll()
    assert [f["properties"]["alert_id"] for f in node.features()] == [
        str(a.id) for a in node.alerts() if a.identifier == "DE-1"
    ]
    node.later(timedelta(minutes=10))  # DE-1 expires; the schedule ends it
    assert node.features() == []
    assert identifiers(node.alerts()) == [("DE-1", False, None), ("DE-X", True, None)]


# --- failures ---------------------------------------------------------------------------------------------


def test_a_failing_feed_backs_off_then_recovers_and_its_alerts_arrive(node: Node) -> None:
    node.site.put("/dwd.atom", atom_feed(embedded=[cap_message("DE-1", START)]))
    node.site.failures = 2
    feed_id = node.subscribe("/dwd.atom")

    node.poll()
    feed = node.feed(feed_id)
    assert (feed.status, feed.failures, feed.next_poll_at) == ("failing", 1, START + 2 * INTERVAL)
    assert feed.last_error is not None
    assert "HTTP 503" in feed.last_error

    node.later()  # at START + interval: not due, backing off; the server is not asked
    assert len(node.site.hits("/dwd.atom")) == 1
    node.later()  # at START + 2 intervals: fails again, waits 4 intervals now
    feed = node.feed(feed_id)
    assert (feed.failures, feed.next_poll_at) == (2, START + 6 * INTERVAL)
    assert node.alerts() == []

    node.later(4 * INTERVAL)
    feed = node.feed(feed_id)
    assert (feed.status, feed.failures, feed.last_error) == ("ok", 0, None)
    assert [a.identifier for a in node.alerts(active=True)] == ["DE-1"]
    types = [e.type for e in node.events()]
    assert types.count("crisislink.warnings.external_feed_failed") == 2
    assert types.count("crisislink.warnings.external_feed_recovered") == 1


def test_one_failing_feed_never_stops_the_others(node: Node) -> None:
    node.site.put("/dwd.atom", atom_feed(embedded=[cap_message("DE-1", START)]))
    down = node.subscribe("", url=closed_port_url() + "/feed.atom", name="Down")
    up = node.subscribe("/dwd.atom", name="Up")
    node.poll()
    assert node.feed(down).failures == 1
    assert node.feed(up).status == "ok"
    assert [a.identifier for a in node.alerts()] == ["DE-1"]


def test_an_invalid_message_is_left_out_and_reported_never_stored(node: Node) -> None:
    invalid = (CAP_FIXTURES / "invalid/invalid.cap").read_bytes()
    good = cap_message("DE-1", START)
    node.site.put("/invalid.cap", invalid)
    node.site.put("/dwd.atom", atom_feed(embedded=[good], linked=[node.site.url + "/invalid.cap"]))
    feed_id = node.subscribe("/dwd.atom")
    node.poll()
    assert [a.identifier for a in node.alerts()] == ["DE-1"]
    last_error = node.feed(feed_id).last_error or ""
    assert "Verlinkt 0: not valid CAP, left out" in last_error
    assert "scope" in last_error.lower()


# --- the sharing policy -----------------------------------------------------------------------------------


def test_who_may_not_see_a_feed_sees_none_of_its_warnings(node: Node) -> None:
    node.site.put("/clear.atom", atom_feed(embedded=[cap_message("DE-1", START)]))
    node.site.put("/strict.atom", atom_feed(embedded=[cap_message("NL-1", START, polygon=MAASTRICHT)]))
    clear = node.subscribe("/clear.atom", name="Public feed")
    strict = node.subscribe("/strict.atom", Tlp.AMBER_STRICT, name="Partner-only feed")
    node.poll()

    own, other = node.viewer("be.duty"), node.viewer("nl.duty")  # BE-NCCN subscribed both
    assert sorted(a.identifier for a in node.alerts(own)) == ["DE-1", "NL-1"]
    assert sorted(f["properties"]["feed"] for f in node.features(own)) == ["Partner-only feed", "Public feed"]
    for outsider in (other, PUBLIC):
        assert [a.identifier for a in node.alerts(outsider)] == ["DE-1"]
        assert [f["properties"]["feed"] for f in node.features(outsider)] == ["Public feed"]
        assert [feed.id for feed in q.list_external_feeds(node.world.platform.engine, outsider)] == [clear]
    with pytest.raises(NotFound, match="no external feed"):
        node.feed(strict, other)
    events = node.events()
    received = [e for e in events if e.type.endswith("external_alert_received")]
    assert {e.payload["identifier"]: e.label.marking for e in received} == {
        "DE-1": Tlp.CLEAR,
        "NL-1": Tlp.AMBER_STRICT,
    }


def test_unsubscribing_removes_the_feed_and_its_warnings(node: Node) -> None:
    node.site.put("/dwd.atom", atom_feed(embedded=[cap_message("DE-1", START)]))
    feed_id = node.subscribe("/dwd.atom")
    node.poll()
    removed = node.world.platform.bus.handle(
        c.UnsubscribeFeed(actor=node.world.actor("admin"), feed_id=feed_id)
    )
    assert removed == 1
    assert node.alerts() == []
    assert q.list_external_feeds(node.world.platform.engine, node.viewer("be.duty")) == []


def test_a_hostile_feed_is_refused_recorded_as_a_failure_and_stores_nothing(
    node: Node, tmp_path: Any
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("never-read")
    xxe = f"""<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file://{secret}">
      <!ENTITY y SYSTEM "{node.site.url}/payload">]>
      <feed xmlns="http://www.w3.org/2005/Atom"><title>&x;&y;</title></feed>"""
    node.site.put("/xxe.atom", xxe.encode())
    node.site.put("/huge.atom", b"<feed>" + b" " * (6 * 1024 * 1024) + b"</feed>")
    xxe_feed, huge_feed = node.subscribe("/xxe.atom", name="XXE"), node.subscribe("/huge.atom", name="Huge")
    node.poll()
    assert "DOCTYPE" in (node.feed(xxe_feed).last_error or "")
    assert "never-read" not in (node.feed(xxe_feed).last_error or "")
    assert "larger than 5 MiB" in (node.feed(huge_feed).last_error or "")
    assert node.alerts() == []
    assert {request.path for request in node.site.server.requests} == {"/xxe.atom", "/huge.atom"}
