"""The live feed's shared tail: each new event read once, kept in a bounded window, shared by every reader."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from crisislink.app.bootstrap import Platform
from crisislink.app.live_tail import LiveTail
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.markings import Principal, Tlp
from tests.support import World, build_world, make_platform


@pytest.fixture
def world(sqlite_url: str) -> Iterator[World]:
    platform: Platform = make_platform(sqlite_url)
    try:
        yield build_world(platform)
    finally:
        platform.stop()


def _statements(platform: Platform) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(platform.engine, "before_cursor_execute")
    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    return seen


def test_a_window_keeps_the_newest_events_and_says_from_where_it_is_complete(world: World) -> None:
    platform = world.platform
    tail = LiveTail(platform.engine, capacity=3)
    tail.refresh(platform.notifier.latest)
    start = tail.window.loaded
    for i in range(5):
        world.contact("BE-NCCN", Tlp.GREEN, name=f"desk {i}")
    tail.refresh(platform.notifier.latest)
    window = tail.window
    assert window.loaded == platform.notifier.latest
    assert len(window.events) == 3
    assert window.floor == window.events[0].position - 1 > start
    assert window.covers(window.floor)
    assert not window.covers(window.floor - 1)


def test_readers_woken_together_cause_one_read(world: World) -> None:
    platform = world.platform
    tail = platform.live_tail
    tail.refresh(platform.notifier.latest)
    world.contact("BE-NCCN", Tlp.GREEN)
    statements = _statements(platform)
    for _ in range(20):  # twenty readers wake up for the same commit
        tail.refresh(platform.notifier.latest)
    reads_of_the_log = [s for s in statements if "FROM events" in s and "max(" not in s]
    assert len(reads_of_the_log) == 1


def test_a_forced_refresh_finds_what_another_process_committed(world: World, sqlite_url: str) -> None:
    platform = world.platform
    tail = platform.live_tail
    tail.refresh(platform.notifier.latest)
    other = make_platform(sqlite_url)  # a second process on the same database: its commits wake nobody here
    try:
        other_world = World(other, partners=world.partners)
        other_world.contact("BE-NCCN", Tlp.GREEN, name="from the CLI")
        committed = other.notifier.latest
    finally:
        other.stop()
    tail.refresh(platform.notifier.latest)
    assert tail.window.loaded < committed
    tail.refresh(platform.notifier.latest, force=True)
    assert tail.window.loaded == committed


def test_each_reader_gets_only_its_share_from_the_one_copy(world: World) -> None:
    platform = world.platform
    tail = platform.live_tail
    tail.refresh(platform.notifier.latest)
    start = tail.window.loaded
    liege = Principal.partner(world.partners["BE-PROV-LIEGE"])
    world.contact("BE-NCCN", Tlp.AMBER, frozenset({liege}), name="for Liège")
    world.contact("BE-NCCN", Tlp.AMBER_STRICT, name="NCCN only")
    world.contact("NL-VR23", Tlp.GREEN, name="for everyone")
    tail.refresh(platform.notifier.latest)

    def names(username: str) -> list[str]:
        viewer = Viewer(world.users[username], world.user_partner[username])
        shared, _ = tail.window.after(viewer, start, limit=100)
        return [e.data.split('"name":"')[1].split('"')[0] for e in shared]

    assert names("be.duty") == ["for Liège", "NCCN only", "for everyone"]
    assert names("liege.duty") == ["for Liège", "for everyone"]
    assert names("nl.duty") == ["for everyone"]
