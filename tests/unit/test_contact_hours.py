"""When is a point of contact staffed? Local hours, weekdays, night shifts across midnight."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from crisislink.domains.sharing.contacts import Channel, ChannelKind, StaffedHours, Window
from crisislink.kernel.errors import InvalidInput

OFFICE = StaffedHours(
    always=False, timezone="Europe/Brussels", windows=(Window(frozenset(range(5)), time(8), time(18)),)
)
NIGHTS = StaffedHours(
    always=False, timezone="Europe/Amsterdam", windows=(Window(frozenset({4}), time(22), time(6)),)
)


@pytest.mark.parametrize(
    ("moment", "staffed"),
    [
        (datetime(2026, 11, 27, 7, 30, tzinfo=UTC), True),  # Friday 08:30 in Brussels (UTC+1)
        (datetime(2026, 11, 27, 6, 59, tzinfo=UTC), False),  # Friday 07:59 local
        (datetime(2026, 11, 27, 17, 0, tzinfo=UTC), False),  # Friday 18:00 local: window ends
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 7, 3, 6, 30, tzinfo=UTC), True),  # summer time: 08:30 local (UTC+2)
    ],
)
def test_office_hours_follow_local_time(moment: datetime, staffed: bool) -> None:
    assert OFFICE.is_staffed(moment) is staffed


def test_a_night_shift_runs_past_midnight_into_the_next_day() -> None:
    friday_late = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # 23:30 Friday local
    saturday_early = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # 05:00 Saturday local
    saturday_morning = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 07:00 Saturday local
    assert NIGHTS.is_staffed(friday_late)
    assert NIGHTS.is_staffed(saturday_early)
    assert not NIGHTS.is_staffed(saturday_morning)


def test_round_the_clock_is_always_staffed() -> None:
    assert StaffedHours(always=True).is_staffed(datetime(2026, 12, 25, 3, 0, tzinfo=UTC))


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Mars/Olympus"):
        StaffedHours(always=True, timezone="Mars/Olympus")


def test_hours_need_windows_unless_round_the_clock() -> None:
    with pytest.raises(InvalidInput, match="24/7"):
        StaffedHours(always=False, timezone="UTC")


def test_weekdays_must_be_0_to_6() -> None:
    with pytest.raises(InvalidInput, match="weekdays"):
        Window(frozenset({7}), time(8), time(9))


def test_an_email_channel_needs_an_address() -> None:
    with pytest.raises(InvalidInput, match="e-mail"):
        Channel(ChannelKind.EMAIL, "not-an-address")
