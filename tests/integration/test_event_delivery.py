"""Events leave after commit through the outbox; consumers get each once; failures are parked, never lost."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest

from crisislink.adapters.bus import dispatcher
from crisislink.adapters.bus.dispatcher import Consumer, dead_letters, requeue
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing.events import ContactPointCreated, ContactPointUpdated
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Principal, PrincipalKind, Tlp
from crisislink.kernel.messages import Event
from tests.support import World, build_world, make_platform

CREATED = frozenset({ContactPointCreated.TYPE})


class Recorder:
    def __init__(self, fail_times: int = 0) -> None:
        self.seen: list[uuid.UUID] = []
        self.fail_times = fail_times
        self.lock = threading.Lock()

    def __call__(self, event: Event, uow: SqlUnitOfWork) -> None:
        assert isinstance(event, ContactPointCreated)
        with self.lock:
            if self.fail_times > 0:
                self.fail_times -= 1
                raise RuntimeError("downstream unavailable")
            self.seen.append(event.contact_point_id)


def _platform_with(db_url: str, **consumers: Recorder) -> Platform:
    return make_platform(
        db_url, consumers={name: Consumer(name, CREATED, rec) for name, rec in consumers.items()}
    )


def test_nothing_is_delivered_before_commit_and_everything_after(db_url: str) -> None:
    recorder = Recorder()
    platform = _platform_with(db_url, recorder=recorder)
    world = build_world(platform)
    ids = [world.contact("BE-NCCN", Tlp.GREEN, name=f"desk {i}") for i in range(5)]
    assert recorder.seen == []  # no background thread: delivery happens only from the outbox
    platform.dispatcher.drain()
    assert recorder.seen == ids
    assert platform.dispatcher.drain() == 0
    assert recorder.seen == ids
    platform.stop()


def test_each_consumer_gets_its_own_copy(db_url: str) -> None:
    first, second = Recorder(), Recorder()
    platform = _platform_with(db_url, first=first, second=second)
    world = build_world(platform)
    world.contact("BE-NCCN", Tlp.RED)
    platform.dispatcher.drain()
    assert len(first.seen) == len(second.seen) == 1
    platform.stop()


def test_a_failing_handler_is_retried_with_back_off_and_does_not_block_others(
    world: World, db_url: str
) -> None:
    # Fails twice: once in the batch attempt (which then rolls back), once when tried on its own.
    flaky, steady = Recorder(fail_times=2), Recorder()
    platform = _platform_with(db_url, flaky=flaky, steady=steady)
    ids = [world.contact("BE-NCCN", Tlp.GREEN, name=f"d{i}") for i in range(3)]
    platform.dispatcher.drain()
    assert steady.seen == ids
    assert flaky.seen == ids[1:]
    assert [d.event_type for d in dead_letters(platform.engine, "retry")] == [ContactPointCreated.TYPE]
    platform.dispatcher.drain()
    assert flaky.seen == ids[1:]  # not due yet: back-off
    platform.clock = _later(platform, timedelta(minutes=5))
    platform.dispatcher.drain()
    assert sorted(flaky.seen) == sorted(ids)
    assert dead_letters(platform.engine, "retry") == []
    platform.stop()


def test_a_handler_that_keeps_failing_is_dead_lettered_then_requeued(world: World, db_url: str) -> None:
    broken = Recorder(fail_times=100)
    platform = _platform_with(db_url, broken=broken)
    world.contact("BE-NCCN", Tlp.GREEN)
    for minutes in range(0, 200, 20):
        platform.clock = _later(platform, timedelta(minutes=minutes))
        platform.dispatcher.drain()
    (dead,) = dead_letters(platform.engine)
    assert dead.attempts == platform.dispatcher.max_attempts
    assert "downstream unavailable" in (dead.last_error or "")
    broken.fail_times = 0
    assert requeue(platform.engine, platform.clock.now()) == 1
    platform.dispatcher.drain()
    assert len(broken.seen) == 1
    assert dead_letters(platform.engine) == []
    platform.stop()


def test_two_dispatchers_racing_deliver_each_event_once(world: World, db_url: str) -> None:
    shared = Recorder()
    one = _platform_with(db_url, racer=shared)
    two = _platform_with(db_url, racer=shared)
    ids = [world.contact("BE-NCCN", Tlp.GREEN, name=f"r{i}") for i in range(30)]
    failures: list[BaseException] = []

    def drain(platform: Platform) -> None:
        try:
            platform.dispatcher.drain()
        except BaseException as error:  # noqa: BLE001 -- reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=drain, args=(p,)) for p in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    counts = Counter(shared.seen)
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1
    one.stop()
    two.stop()


class LabelRecorder:
    def __init__(self) -> None:
        self.audiences: dict[uuid.UUID, frozenset[Principal]] = {}

    def __call__(self, event: Event, uow: SqlUnitOfWork) -> None:
        assert isinstance(event, ContactPointCreated)
        self.audiences[event.contact_point_id] = event.label.audience


def test_events_reach_consumers_with_their_audience(world: World, db_url: str) -> None:
    recorder = LabelRecorder()
    platform = make_platform(db_url, consumers={"labels": Consumer("labels", CREATED, recorder)})
    shared = frozenset(
        {
            Principal(PrincipalKind.PARTNER, world.partners["NL-VR23"]),
            Principal(PrincipalKind.USER, world.users["liege.duty"]),
        }
    )
    amber = world.contact("BE-NCCN", Tlp.AMBER, audience=shared, name="shared desk")
    green = world.contact("BE-NCCN", Tlp.GREEN, name="open desk")
    platform.dispatcher.drain()
    assert recorder.audiences == {amber: shared, green: frozenset()}
    platform.stop()


def test_a_log_longer_than_one_window_is_delivered_whole_and_in_order(
    world: World, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatcher, "BATCH", 3)
    early, late = Recorder(), Recorder()
    platform = _platform_with(db_url, early=early)
    first = [world.contact("BE-NCCN", Tlp.GREEN, name=f"w{i}") for i in range(4)]
    platform.dispatcher.drain()
    platform.stop()
    # `late` starts from the beginning of the log while `early` is already 4 events ahead.
    platform = _platform_with(db_url, early=early, late=late)
    second = [world.contact("BE-NCCN", Tlp.GREEN, name=f"x{i}") for i in range(7)]
    platform.dispatcher.drain()
    assert early.seen == first + second
    assert late.seen == first + second
    assert platform.dispatcher.drain() == 0
    platform.stop()


def test_events_a_handler_raises_reach_the_other_consumers_in_the_same_drain(
    world: World, db_url: str
) -> None:
    updated: list[uuid.UUID] = []

    def relay(event: Event, uow: SqlUnitOfWork) -> None:
        assert isinstance(event, ContactPointCreated)
        uow.emit(ContactPointUpdated(label=event.label, contact_point_id=event.contact_point_id, changed=()))

    def watch(event: Event, uow: SqlUnitOfWork) -> None:
        assert isinstance(event, ContactPointUpdated)
        updated.append(event.contact_point_id)

    # `watch` comes first, so its share of the window is taken before `relay` raises anything.
    consumers = {
        "watch": Consumer("watch", frozenset({ContactPointUpdated.TYPE}), watch),
        "relay": Consumer("relay", CREATED, relay),
    }
    platform = make_platform(db_url, consumers=consumers)
    created = world.contact("BE-NCCN", Tlp.GREEN, name="cascade")
    platform.dispatcher.drain()
    assert updated == [created]
    platform.stop()


def test_a_consumer_is_told_after_each_committed_delivery_only(world: World, db_url: str) -> None:
    told: list[int] = []
    recorder = Recorder()
    consumer = Consumer("told", CREATED, recorder, after_commit=lambda: told.append(len(recorder.seen)))
    platform = make_platform(db_url, consumers={"told": consumer})
    for i in range(3):
        world.contact("BE-NCCN", Tlp.GREEN, name=f"t{i}")
    platform.dispatcher.drain()
    assert told == [3]  # one window, one transaction, told once after its commit
    platform.dispatcher.drain()
    assert told == [3]  # nothing new: nothing committed, nobody told
    platform.stop()


def _later(platform: Platform, delta: timedelta) -> FixedClock:
    clock = FixedClock(platform.clock.now() + delta)
    platform.dispatcher._now = clock.now
    return clock


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    platform = make_platform(db_url)
    yield build_world(platform)
    platform.stop()
