"""Hospitals: the register a node keeps of hospital sites, and the status each one reports.

A hospital is reference data (name, site, place, the register's bed count and emergency-department flag)
kept current by status reports (EDXL-HAVE 1.0): whether its emergency department takes ambulances, how
many beds of each type are free, whether the facility works normally. Every report is kept; the
hospital's *current* status is the newest real one. Reports sent as a test or an exercise are kept too,
but never become current: figures from a drill must never send a real patient anywhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.assistance.model import Point
from crisislink.kernel.aggregate import Shareable

REGISTER_SOURCE = "eurostat-hcs"  # the shipped register (docs/data.md)
REPORT_SOURCE = "edxl-have"  # created when a status report named a hospital the register does not know
# EDXL-DE distribution statuses a report may come with; a bare report (no envelope) has none.
ACTUAL = "Actual"


@dataclass(frozen=True)
class Beds:
    """One bed type's capacity in a report. `vacant` is the report's CapacityStatus (None: not said)."""

    bed_type: str  # an EDXL-HAVE BedType (AdultICU, Burn, ...)
    available: int | None  # beds a patient can be brought to now
    baseline: int | None = None
    vacant: bool | None = None


@dataclass(frozen=True)
class StatusReport:
    """What one message said about one hospital."""

    id: uuid.UUID
    message_id: str  # the envelope's sender/distribution id, or a digest of a bare report
    distribution: str | None  # EDXL-DE distributionStatus (Actual, Exercise, Test, System); None: bare
    reported_at: datetime  # the report's LastUpdateTime
    received_at: datetime
    reported_by: uuid.UUID | None  # the partner whose person imported it
    ems_traffic: str | None = None  # Normal, Advisory, Closed, NotApplicable
    ems_reason: str | None = None
    ed_capacity: int | None = None  # how many more patients the emergency department can take (all colours)
    facility_status: str | None = None  # Normal, Compromised, Evacuating, Closed
    beds: tuple[Beds, ...] = ()

    @property
    def actual(self) -> bool:
        """A real report: sent as Actual, or bare (whoever imports a bare report vouches that it is real)."""
        return self.distribution in (None, ACTUAL)

    def bed(self, bed_type: str) -> Beds | None:
        return next((beds for beds in self.beds if beds.bed_type == bed_type), None)


@dataclass(kw_only=True, eq=False)
class Hospital(Shareable):
    code: str  # stable: `<country>-<register id>` for the register, `have-<id>` for one a report created
    name: str
    site: str | None
    location: Point
    country: str | None  # None: outside the countries crisislink knows
    city: str | None
    postcode: str | None
    identifiers: tuple[str, ...]  # what status reports may call it; always includes the code
    beds: int | None  # the register's bed count (BE only)
    emergency: bool | None  # the register says it has an emergency department (BE only; else unknown)
    kind: str | None  # the register's facility type, in the register's language
    source: str
    registered_at: datetime
    status: StatusReport | None = None  # the newest real report, if any
    last_report_id: uuid.UUID | None = None  # the last report received, real or not
    received: list[StatusReport] = field(default_factory=list, repr=False)  # not yet stored

    def has_received(self, message_id: str) -> bool:
        return any(report.message_id == message_id for report in self.received)

    def receive(self, report: StatusReport) -> bool:
        """Keep a report; it becomes the current status if it is real and newer. Returns whether it did."""
        self.received.append(report)
        self.last_report_id = report.id
        current = report.actual and (self.status is None or report.reported_at > self.status.reported_at)
        if current:
            self.status = report
        return current

    def learn(self, identifiers: tuple[str, ...]) -> None:
        """Remember what a report called this hospital, so its next report matches by identifier."""
        self.identifiers = tuple(dict.fromkeys((*self.identifiers, *identifiers)))
