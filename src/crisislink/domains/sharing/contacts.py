"""Points of contact: identified roles (24/7 desk, liaison, spokesperson) and when they are staffed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import InvalidInput


def check_timezone(name: str) -> str:
    """An IANA time-zone name, or InvalidInput naming the bad one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}; use an IANA name such as Europe/Brussels") from None
    return name


class ContactRole(enum.StrEnum):
    DUTY_DESK_24_7 = "duty_desk_24_7"
    LIAISON_OFFICER = "liaison_officer"
    SPOKESPERSON = "spokesperson"
    EMERGENCY_PLANNING = "emergency_planning"
    INFORMATION_MANAGER = "information_manager"
    OPERATIONAL_LEAD = "operational_lead"


class ChannelKind(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    RADIO = "radio"
    SECURE_LINE = "secure_line"
    FAX = "fax"


@dataclass(frozen=True)
class Channel:
    kind: ChannelKind
    value: str
    note: str | None = None

    def __post_init__(self) -> None:
        if not self.value.strip():
            raise InvalidInput(f"the {self.kind} channel needs a value")
        if self.kind is ChannelKind.EMAIL and "@" not in self.value:
            raise InvalidInput(f"{self.value!r} is not an e-mail address")


@dataclass(frozen=True)
class Window:
    """Staffed from `start` to `end` local time on the given weekdays (0 = Monday).

    An `end` at or before `start` runs past midnight into the next day, as night shifts do.
    """

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise InvalidInput("a staffing window needs weekdays between 0 (Monday) and 6 (Sunday)")

    def covers(self, local: datetime) -> bool:
        now = local.time()
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= now < self.end
        started_today = local.weekday() in self.days and now >= self.start
        started_yesterday = (local.weekday() - 1) % 7 in self.days and now < self.end
        return started_today or started_yesterday


@dataclass(frozen=True)
class StaffedHours:
    always: bool
    timezone: str = "UTC"
    windows: tuple[Window, ...] = ()

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        if not self.always and not self.windows:
            raise InvalidInput("a point of contact is either staffed 24/7 or has staffing windows")

    def is_staffed(self, moment: datetime) -> bool:
        if self.always:
            return True
        local = moment.astimezone(ZoneInfo(self.timezone))
        return any(window.covers(local) for window in self.windows)


ALWAYS = StaffedHours(always=True)


@dataclass(kw_only=True, eq=False)
class ContactPoint(Shareable):
    role: ContactRole
    name: str
    channels: tuple[Channel, ...]
    languages: tuple[str, ...]
    hours: StaffedHours = ALWAYS
    notes: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if not self.name.strip():
            raise InvalidInput("a point of contact needs a name")
        if not self.channels:
            raise InvalidInput("a point of contact needs at least one channel to reach it")
