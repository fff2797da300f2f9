"""Communication-test plans: what to send to whom, once or on a recurring schedule.

The Benelux crisis centres test their links quarterly; a plan may also run monthly, weekly or only when
started by hand (ad hoc). Occurrences are counted from the plan's first run in the plan's own time zone,
so a test set for 10:00 in Brussels stays at 10:00 across daylight-saving changes and a plan that starts
on the 31st runs on the last day of shorter months without drifting to the 28th for good.
"""

from __future__ import annotations

import calendar
import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import InvalidInput

MAX_NAME = 200
MAX_MESSAGE = 2000
MIN_ANSWER_MINUTES = 5
MAX_ANSWER_MINUTES = 24 * 60


class Recurrence(enum.StrEnum):
    AD_HOC = "ad_hoc"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3}


def check_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}; use an IANA name such as Europe/Brussels") from None


def _add_months(local: datetime, months: int) -> datetime:
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def occurrence(anchor: datetime, recurrence: Recurrence, n: int, zone: str) -> datetime:
    """The n-th run (n = 0 is the first) of a recurring plan, as an aware UTC-comparable datetime."""
    local = anchor.astimezone(check_zone(zone))
    if recurrence is Recurrence.WEEKLY:
        moved = local.replace(tzinfo=None) + timedelta(weeks=n)
    elif recurrence in _MONTHS:
        moved = _add_months(local.replace(tzinfo=None), _MONTHS[recurrence] * n)
    else:
        raise InvalidInput("an ad hoc plan has no schedule")
    return moved.replace(tzinfo=local.tzinfo).astimezone(anchor.tzinfo)


def next_occurrence(anchor: datetime, recurrence: Recurrence, after: datetime, zone: str) -> datetime:
    """The first run strictly after `after`. Runs missed while the node was down are not made up."""
    # Start from an estimate that is never past the answer (periods counted at their longest), then step.
    longest = {Recurrence.WEEKLY: 7, Recurrence.MONTHLY: 31, Recurrence.QUARTERLY: 92}[recurrence]
    n = max(0, (after - anchor).days // longest - 1)
    while (moment := occurrence(anchor, recurrence, n, zone)) <= after:
        n += 1
    return moment


def check_answer_minutes(minutes: int) -> int:
    if not MIN_ANSWER_MINUTES <= minutes <= MAX_ANSWER_MINUTES:
        raise InvalidInput(
            f"the time to answer must be between {MIN_ANSWER_MINUTES} minutes and {MAX_ANSWER_MINUTES // 60} hours"
        )
    return minutes


def check_text(text: str, what: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"{what} cannot be empty")
    if len(text) > limit:
        raise InvalidInput(f"{what} has at most {limit} characters")
    return text


@dataclass(kw_only=True, eq=False)
class CommTestPlan(Shareable):
    """A test the organiser (the label's owner) runs: on `partners` (empty: the whole network)."""

    name: str
    recurrence: Recurrence
    timezone: str
    first_run_at: datetime | None  # the anchor of a recurring plan
    next_run_at: datetime | None  # None: ad hoc, or nothing more is planned
    partners: frozenset[uuid.UUID]
    message: str
    answer_minutes: int
    active: bool
    created_at: datetime
    created_by: uuid.UUID | None

    def __post_init__(self) -> None:
        check_zone(self.timezone)
        if self.recurrence is not Recurrence.AD_HOC and self.first_run_at is None:
            raise InvalidInput(f"a {self.recurrence.value} plan needs the time of its first run")

    def is_due(self, now: datetime) -> bool:
        return self.active and self.next_run_at is not None and self.next_run_at <= now

    def advance(self, now: datetime) -> None:
        """After a run (or on a change of schedule): the next run strictly after `now`."""
        if self.recurrence is Recurrence.AD_HOC or self.first_run_at is None:
            self.next_run_at = None
            return
        if self.first_run_at > now:
            self.next_run_at = self.first_run_at
            return
        self.next_run_at = next_occurrence(self.first_run_at, self.recurrence, now, self.timezone)
