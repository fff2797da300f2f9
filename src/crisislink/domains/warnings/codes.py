"""The CAP 1.2 code lists a warning is made of. Enum values are CAP's own spelling, so they are written as is.

`Status` leaves out CAP's `Draft`: here a draft is a step of the workflow (`WarningState.DRAFT`), and a
message only exists once a warning is issued.
"""

from __future__ import annotations

import enum
from typing import TypeVar

from crisislink.kernel.errors import InvalidInput


class Category(enum.StrEnum):
    GEO = "Geo"
    MET = "Met"
    SAFETY = "Safety"
    SECURITY = "Security"
    RESCUE = "Rescue"
    FIRE = "Fire"
    HEALTH = "Health"
    ENV = "Env"
    TRANSPORT = "Transport"
    INFRA = "Infra"
    CBRNE = "CBRNE"
    OTHER = "Other"


class Severity(enum.StrEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Urgency(enum.StrEnum):
    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class Certainty(enum.StrEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    POSSIBLE = "Possible"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


class ResponseType(enum.StrEnum):
    SHELTER = "Shelter"
    EVACUATE = "Evacuate"
    PREPARE = "Prepare"
    EXECUTE = "Execute"
    AVOID = "Avoid"
    MONITOR = "Monitor"
    ASSESS = "Assess"
    ALL_CLEAR = "AllClear"
    NONE = "None"


class Status(enum.StrEnum):
    """Who a message is for: only `Actual` may ever reach the public (DESIGN.md §8)."""

    ACTUAL = "Actual"
    EXERCISE = "Exercise"
    TEST = "Test"
    SYSTEM = "System"


class MsgType(enum.StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


C = TypeVar("C", bound=enum.StrEnum)


def code(kind: type[C], value: str, what: str) -> C:
    """A code as a person or another system spelt it (any capitalisation), or a clear error listing the codes."""
    wanted = value.strip().casefold()
    for member in kind:
        if member.value.casefold() == wanted:
            return member
    known = ", ".join(member.value for member in kind)
    raise InvalidInput(f"{value!r} is not a CAP {what}; use one of: {known}")
