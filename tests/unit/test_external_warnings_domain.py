"""Neighbours' warning feeds, in the domain alone: subscribing, back-off, de-duplication, updates, cancels
and expiry, with in-memory fakes (no XML, no HTTP, no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crisislink.domains.warnings import external_commands as c
from crisislink.domains.warnings import external_events as e
from crisislink.domains.warnings import external_handlers as h
from crisislink.domains.warnings.external import CLAIM_LEASE, UNDATED_LIFETIME, ExternalAlert
from crisislink.domains.warnings.external_values import AlertKey, FeedEntry, FeedRead, PollReport
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict, InvalidInput, PermissionDenied
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM, Actor
from tests.unit.external_fakes import FakeExternalUnitOfWork

T0 = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
DWD = "opendata@dwd.example"
PARTNER = uuid.UUID(int=7)
ADMIN = Actor(user_id=uuid.UUID(int=1), partner_id=PARTNER, roles=frozenset({"node_admin"}))
PARTNER_ADMIN = Actor(user_id=uuid.UUID(int=2), partner_id=PARTNER, roles=frozenset({"partner_admin"}))
OTHER_ADMIN = Actor(user_id=uuid.UUID(int=3), partner_id=uuid.UUID(int=8), roles=frozenset({"partner_admin"}))
DUTY = Actor(user_id=uuid.UUID(int=4), partner_id=PARTNER, roles=frozenset({"duty_officer"}))
FEED_URL = "https://feeds.meteoalarm.org/feeds/meteoalarm-legacy-atom-germany"


def entry(
    identifier: str,
    *,
    msg_type: str = "Alert",
    sent: datetime = T0,
    expires: datetime | None = T0 + timedelta(hours=6),
    references: tuple[AlertKey, ...] = (),
    sender: str = DWD,
    status: str = "Actual",
) -> FeedEntry:
    return FeedEntry(
        sender=sender,
        identifier=identifier,
        sent=sent,
        msg_type=msg_type,
        status=status,
        references=references,
        event="Sturm",
        headline=f"Sturmwarnung {identifier}",
        severity="Severe",
        expires=expires,
        area={"type": "Polygon", "coordinates": [[[6.0, 50.7], [6.2, 50.7], [6.2, 50.8], [6.0, 50.7]]]},
        area_description="Städteregion Aachen",
        raw=b"<alert/>",
    )


def key(identifier: str, sent: datetime = T0, sender: str = DWD) -> AlertKey:
    return AlertKey(sender, identifier, sent)


class Feeds:
    """One subscribed feed, with the handlers bound to a fake unit of work and a clock."""

    def __init__(self) -> None:
        self.uow = FakeExternalUnitOfWork()
        self.clock = FixedClock(T0)
        self.feed_id = self.subscribe(FEED_URL)
        self.uow.take_events()

    def subscribe(
        self, url: str, actor: Actor = ADMIN, interval_seconds: int = 300, marking: Tlp = Tlp.CLEAR
    ) -> uuid.UUID:
        command = c.SubscribeFeed(
            actor=actor, name="MeteoAlarm DE", url=url, interval_seconds=interval_seconds, marking=marking
        )
        return h.subscribe_feed(command, self.uow, self.clock.now)

    def record(
        self, *entries: FeedEntry, skipped: tuple[str, ...] = (), etag: str | None = None
    ) -> PollReport:
        read = FeedRead(entries=entries, skipped=skipped, etag=etag)
        return h.record_feed_poll(
            c.RecordFeedPoll(actor=SYSTEM, feed_id=self.feed_id, read=read), self.uow, self.clock.now
        )

    def fail(self, error: str = "HTTP 503") -> None:
        h.record_feed_poll(
            c.RecordFeedPoll(actor=SYSTEM, feed_id=self.feed_id, error=error), self.uow, self.clock.now
        )

    def alert(self, identifier: str) -> ExternalAlert:
        (found,) = self.uow.external_alerts.with_identifier(DWD, identifier)
        return found

    def alerts(self) -> list[ExternalAlert]:
        return self.uow.external_alerts.live()


@pytest.fixture
def feeds() -> Feeds:
    return Feeds()


# --- subscribing ------------------------------------------------------------------------------------------


def test_an_administrator_subscribes_a_clear_feed_owned_by_their_partner_read_at_once(feeds: Feeds) -> None:
    feed = feeds.uow.external_feeds.get(feeds.feed_id)
    assert feed.label.owner_partner_id == PARTNER
    assert feed.label.marking is Tlp.CLEAR
    assert feed.label.home_node_id == feeds.uow.node_id
    assert feed.next_poll_at == T0
    assert feed.interval_seconds == 300


def test_a_partner_administrator_may_subscribe_and_the_event_says_what(feeds: Feeds) -> None:
    feeds.subscribe("http://warn.example.lu/cap.atom", PARTNER_ADMIN, interval_seconds=60, marking=Tlp.GREEN)
    (event,) = feeds.uow.take_events()
    assert isinstance(event, e.ExternalFeedSubscribed)
    assert (event.url, event.interval_seconds, event.label.marking) == (
        "http://warn.example.lu/cap.atom",
        60,
        Tlp.GREEN,
    )


@pytest.mark.parametrize("actor", [DUTY, SYSTEM])
def test_only_node_and_partner_administrators_subscribe(feeds: Feeds, actor: Actor) -> None:
    with pytest.raises(PermissionDenied, match=r"administrator|sign in"):
        feeds.subscribe("https://other.example/feed", actor)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("ftp://feeds.example/atom", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("https://", "http:// or https://"),
        ("https://user:secret@feeds.example/atom", "user name and password"),
        ("https://feeds.example/" + "x" * 1000, "longer than"),
    ],
)
def test_a_feed_url_must_be_plain_http_or_https(feeds: Feeds, url: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        feeds.subscribe(url)


@pytest.mark.parametrize("seconds", [0, 59, 86_401])
def test_the_interval_is_a_minute_to_a_day(feeds: Feeds, seconds: int) -> None:
    with pytest.raises(InvalidInput, match="60 s"):
        feeds.subscribe("https://other.example/feed", interval_seconds=seconds)


def test_the_same_url_is_subscribed_once(feeds: Feeds) -> None:
    with pytest.raises(Conflict, match="subscribed already"):
        feeds.subscribe(f"  {FEED_URL} ")


def test_unsubscribing_removes_the_feed_and_its_warnings_but_not_for_another_partner(feeds: Feeds) -> None:
    feeds.record(entry("a"), entry("b", sent=T0 + timedelta(minutes=1)))
    with pytest.raises(PermissionDenied, match="partner that subscribed"):
        h.unsubscribe_feed(c.UnsubscribeFeed(actor=OTHER_ADMIN, feed_id=feeds.feed_id), feeds.uow)
    removed = h.unsubscribe_feed(c.UnsubscribeFeed(actor=PARTNER_ADMIN, feed_id=feeds.feed_id), feeds.uow)
    assert removed == 2
    assert feeds.alerts() == []
    assert feeds.uow.external_feeds.live() == []
    assert any(isinstance(event, e.ExternalFeedUnsubscribed) for event in feeds.uow.take_events())


# --- polling: claims and back-off -------------------------------------------------------------------------


def claim(feeds: Feeds) -> list[uuid.UUID]:
    return [
        due.feed_id for due in h.claim_due_feeds(c.ClaimDueFeeds(actor=SYSTEM), feeds.uow, feeds.clock.now)
    ]


def test_a_due_feed_is_claimed_once_until_its_outcome_is_recorded(feeds: Feeds) -> None:
    assert claim(feeds) == [feeds.feed_id]
    assert claim(feeds) == []  # a second schedule does not read it at the same time
    feeds.clock.advance(CLAIM_LEASE)
    assert claim(feeds) == [feeds.feed_id]  # a read that never reported back is retried


def test_only_the_schedule_claims_and_records(feeds: Feeds) -> None:
    with pytest.raises(PermissionDenied):
        h.claim_due_feeds(c.ClaimDueFeeds(actor=ADMIN), feeds.uow, feeds.clock.now)
    with pytest.raises(PermissionDenied):
        h.record_feed_poll(
            c.RecordFeedPoll(actor=ADMIN, feed_id=feeds.feed_id, error="x"), feeds.uow, feeds.clock.now
        )


def test_the_claim_hands_the_reader_the_messages_known_already(feeds: Feeds) -> None:
    feeds.record(entry("a"))
    feeds.clock.advance(timedelta(minutes=5))
    (due,) = h.claim_due_feeds(c.ClaimDueFeeds(actor=SYSTEM), feeds.uow, feeds.clock.now)
    assert due.known == frozenset({("a", T0)})
    assert due.url == FEED_URL


def test_failures_back_off_exponentially_up_to_an_hour_then_recover(feeds: Feeds) -> None:
    interval = timedelta(seconds=300)
    waits = []
    for _ in range(6):
        feeds.fail("connection refused")
        feed = feeds.uow.external_feeds.get(feeds.feed_id)
        waits.append(feed.next_poll_at - feeds.clock.now())
    assert waits == [
        interval * 2,
        interval * 4,
        interval * 8,
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=1),
    ]
    assert feed.failures == 6
    assert feed.last_error == "connection refused"
    failed = [event for event in feeds.uow.take_events() if isinstance(event, e.ExternalFeedFailed)]
    assert [event.failures for event in failed] == [1, 2, 3, 4, 5, 6]

    feeds.record(entry("a"))
    feed = feeds.uow.external_feeds.get(feeds.feed_id)
    assert (feed.failures, feed.last_error, feed.last_ok_at) == (0, None, T0)
    assert feed.next_poll_at == T0 + interval
    (recovered,) = [event for event in feeds.uow.take_events() if isinstance(event, e.ExternalFeedRecovered)]
    assert recovered.after_failures == 6


def test_a_daily_feed_backs_off_by_its_own_interval_not_less(feeds: Feeds) -> None:
    feeds.feed_id = feeds.subscribe("https://daily.example/feed", interval_seconds=86_400)
    feeds.fail()
    feed = feeds.uow.external_feeds.get(feeds.feed_id)
    assert feed.next_poll_at - T0 == timedelta(days=1)


def test_entries_left_out_are_reported_and_the_etag_is_not_kept(feeds: Feeds) -> None:
    feeds.record(entry("a"), skipped=("Sturm Aachen: not valid CAP, left out: CAP-SCHEMA",), etag='"v1"')
    feed = feeds.uow.external_feeds.get(feeds.feed_id)
    assert feed.last_error == "1 entry left out: Sturm Aachen: not valid CAP, left out: CAP-SCHEMA"
    assert feed.etag is None  # the feed is read whole next time, so the entry gets another chance
    assert feed.failures == 0
    polled = [event for event in feeds.uow.take_events() if isinstance(event, e.ExternalFeedPolled)]
    assert [(p.received, p.skipped) for p in polled] == [
        (1, ("Sturm Aachen: not valid CAP, left out: CAP-SCHEMA",))
    ]

    feeds.record(entry("a"), etag='"v2"')
    feed = feeds.uow.external_feeds.get(feeds.feed_id)
    assert (feed.etag, feed.last_error) == ('"v2"', None)
    assert not any(isinstance(event, e.ExternalFeedPolled) for event in feeds.uow.take_events())  # quiet


# --- receiving: de-duplication, updates, cancels, expiry ------------------------------------------------


def test_the_same_message_read_twice_is_stored_once(feeds: Feeds) -> None:
    first = feeds.record(entry("a"))
    second = feeds.record(entry("a"), entry("a"))
    assert len(feeds.alerts()) == 1
    assert (first.received, second.received, second.duplicates) == (1, 0, 2)


def test_the_same_instant_written_in_another_zone_is_the_same_message(feeds: Feeds) -> None:
    feeds.record(entry("a"))
    feeds.record(entry("a", sent=T0.astimezone(timezone(timedelta(hours=1)))))
    assert len(feeds.alerts()) == 1


def test_a_new_sent_time_is_a_new_message(feeds: Feeds) -> None:
    feeds.record(entry("a"), entry("a", sent=T0 + timedelta(seconds=1)))
    assert len(feeds.alerts()) == 2


def test_a_received_alert_carries_its_feeds_label_and_is_active(feeds: Feeds) -> None:
    feeds.record(entry("a"))
    alert = feeds.alert("a")
    assert alert.label == feeds.uow.external_feeds.get(feeds.feed_id).label
    assert (alert.active, alert.replaced_by, alert.received_at) == (True, None, T0)
    (received,) = [event for event in feeds.uow.take_events() if isinstance(event, e.ExternalAlertReceived)]
    assert (received.identifier, received.active, received.severity) == ("a", True, "Severe")


def test_an_update_replaces_the_alert_it_references_and_is_active_itself(feeds: Feeds) -> None:
    feeds.record(entry("a"))
    later = T0 + timedelta(hours=1)
    report = feeds.record(entry("b", msg_type="Update", sent=later, references=(key("a"),)))
    assert report.ended == 1
    assert (feeds.alert("a").active, feeds.alert("a").replaced_by) == (False, "b")
    assert feeds.alert("b").active
    (ended,) = [event for event in feeds.uow.take_events() if isinstance(event, e.ExternalAlertEnded)]
    assert (ended.identifier, ended.reason, ended.replaced_by) == ("a", "updated", "b")


def test_a_cancel_ends_the_alert_and_is_not_active_itself(feeds: Feeds) -> None:
    feeds.record(
        entry("a"), entry("b", msg_type="Update", sent=T0 + timedelta(minutes=5), references=(key("a"),))
    )
    cancel = entry(
        "c",
        msg_type="Cancel",
        sent=T0 + timedelta(minutes=30),
        references=(key("a"), key("b", T0 + timedelta(minutes=5))),
    )
    feeds.record(cancel)
    assert [
        (a.identifier, a.active, a.replaced_by) for a in sorted(feeds.alerts(), key=lambda a: a.sent)
    ] == [
        ("a", False, "b"),
        ("b", False, "c"),
        ("c", False, None),
    ]
    reasons = [
        (x.identifier, x.reason) for x in feeds.uow.take_events() if isinstance(x, e.ExternalAlertEnded)
    ]
    assert reasons == [("a", "updated"), ("b", "cancelled")]


def test_within_one_read_messages_are_applied_oldest_first(feeds: Feeds) -> None:
    # Feeds list the newest entry first: the Update comes before the alert it replaces.
    update = entry("b", msg_type="Update", sent=T0 + timedelta(hours=1), references=(key("a"),))
    feeds.record(update, entry("a"))
    assert (feeds.alert("a").active, feeds.alert("b").active) == (False, True)


def test_a_message_already_replaced_arrives_inactive(feeds: Feeds) -> None:
    feeds.record(entry("c", msg_type="Cancel", sent=T0 + timedelta(hours=1), references=(key("a"),)))
    feeds.record(entry("a"))  # a lagging feed brings the original after its cancel
    alert = feeds.alert("a")
    assert (alert.active, alert.replaced_by) == (False, "c")
    (received,) = [
        x for x in feeds.uow.take_events() if isinstance(x, e.ExternalAlertReceived) and x.identifier == "a"
    ]
    assert (received.active, received.replaced_by) == (False, "c")


def test_a_reference_to_a_message_never_received_is_fine(feeds: Feeds) -> None:
    report = feeds.record(entry("b", msg_type="Update", references=(key("never-seen"),)))
    assert report.received == 1
    assert feeds.alert("b").active


def test_another_sender_cannot_end_a_warning(feeds: Feeds) -> None:
    feeds.record(entry("a"))
    forged = entry(
        "x",
        msg_type="Cancel",
        sender="someone@else.example",
        references=(key("a"),),
        sent=T0 + timedelta(minutes=1),
    )
    feeds.record(forged)
    assert feeds.alert("a").active


def test_a_message_past_its_expiry_arrives_inactive(feeds: Feeds) -> None:
    feeds.clock.advance(timedelta(hours=7))
    feeds.record(entry("a"))
    assert feeds.alert("a").active is False


def test_the_schedule_ends_what_expires(feeds: Feeds) -> None:
    feeds.record(entry("a"), entry("undated", expires=None))
    expire = c.ExpireExternalAlerts(actor=SYSTEM)
    feeds.clock.advance(timedelta(hours=6) - timedelta(seconds=1))
    assert h.expire_external_alerts(expire, feeds.uow, feeds.clock.now) == 0
    feeds.clock.advance(timedelta(seconds=1))
    assert h.expire_external_alerts(expire, feeds.uow, feeds.clock.now) == 1
    assert (feeds.alert("a").active, feeds.alert("undated").active) == (False, True)
    feeds.clock.advance(UNDATED_LIFETIME)  # without `expires`, a message counts for a day after it was sent
    assert h.expire_external_alerts(expire, feeds.uow, feeds.clock.now) == 1
    assert feeds.alert("undated").active is False
    reasons = [x.reason for x in feeds.uow.take_events() if isinstance(x, e.ExternalAlertEnded)]
    assert reasons == ["expired", "expired"]


@pytest.mark.parametrize("status", ["Exercise", "Test", "System"])
def test_messages_that_are_not_actual_are_kept_as_they_are(feeds: Feeds, status: str) -> None:
    feeds.record(entry("a", status=status))
    assert feeds.alert("a").status == status  # stored; only Actual ones reach the map (the query's rule)
