"""Values of mutual assistance, and the unit: one registered team or vehicle of a partner.

A unit's status follows the assistance workflow while an offer holds it (committed on acceptance,
deployed on arrival, available again on demobilisation); otherwise its owner sets it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import Conflict, InvalidInput

MAX_NAME = 200
MAX_TEXT = 5_000
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise InvalidInput(f"location [{self.lon}, {self.lat}] is outside WGS84 ranges (lon, lat)")


@dataclass(frozen=True)
class StagingArea:
    """Where incoming teams report: a named place (a reception and departure centre, a base of operations)."""

    name: str
    point: Point


@dataclass(frozen=True)
class HostNationSupport:
    """What the requesting side provides (EU host-nation support guidelines, DOMAIN.md §2.4)."""

    liaison: str = ""  # who receives the teams and how to reach them
    languages: tuple[str, ...] = ()  # languages the liaison and the local command work in
    logistics: str = ""  # fuel, food, accommodation, base of operations, customs


def text(value: str, what: str, limit: int = MAX_TEXT, *, required: bool = True) -> str:
    stripped = value.strip()
    if required and not stripped:
        raise InvalidInput(f"{what} must not be empty")
    if len(stripped) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return stripped


def quantity(value: int, what: str) -> int:
    if not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(f"{what} must be between 1 and {MAX_QUANTITY}, not {value}")
    return value


def aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{what} needs a time zone (e.g. 2021-07-14T11:30:00+02:00)")
    return moment


def step(noun: str, state: enum.StrEnum, verb: str, steps: Mapping[str, object]) -> None:
    """Refuse a step the state machine does not allow, naming the state and what is possible from it."""
    if verb in steps:
        return
    possible = ", ".join(steps) if steps else "nothing: that is final"
    raise Conflict(f"the {noun} is {state.value}; what can happen next: {possible}; not {verb}")


class UnitStatus(enum.StrEnum):
    AVAILABLE = "available"
    COMMITTED = "committed"
    DEPLOYED = "deployed"
    OUT_OF_SERVICE = "out_of_service"


@dataclass(kw_only=True, eq=False)
class Unit(Shareable):
    capability: str
    name: str
    call_sign: str | None
    home_base: Point
    status: UnitStatus
    status_at: datetime
    crew_languages: tuple[str, ...]
    radio: tuple[str, ...]
    arrangements: tuple[str, ...]
    position: Point | None = None  # where it is while deployed; at its home base otherwise
    offer_id: uuid.UUID | None = None  # the assistance offer that holds it, while one does

    def set_status(self, status: UnitStatus, position: Point | None, at: datetime) -> UnitStatus:
        """The owner's own change. Returns the previous status."""
        if self.offer_id is not None and status is not self.status:
            raise Conflict(
                f"the unit {self.name!r} is {self.status.value} under assistance offer {self.offer_id}; "
                "its status follows that offer (mobilise, deploy or demobilise it there)"
            )
        if status is not UnitStatus.DEPLOYED and position is not None:
            raise InvalidInput("a position is recorded only while a unit is deployed")
        if status is UnitStatus.DEPLOYED and position is None and self.position is None:
            raise InvalidInput("give the position of a deployed unit (lon, lat)")
        previous = self.status
        self.status, self.status_at = status, at
        self.position = (position or self.position) if status is UnitStatus.DEPLOYED else None
        return previous

    def commit_to(self, offer_id: uuid.UUID, at: datetime) -> None:
        if self.offer_id is not None or self.status is not UnitStatus.AVAILABLE:
            raise Conflict(f"the unit {self.name!r} is {self.status.value}, no longer available")
        self.status, self.status_at, self.offer_id = UnitStatus.COMMITTED, at, offer_id

    def deploy_at(self, position: Point, at: datetime) -> None:
        self.status, self.status_at, self.position = UnitStatus.DEPLOYED, at, position

    def release(self, at: datetime) -> None:
        self.status, self.status_at, self.position, self.offer_id = UnitStatus.AVAILABLE, at, None, None
