"""What people (and the platform's schedule) ask of public warnings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.warnings.codes import Category, Certainty, ResponseType, Severity, Status, Urgency
from crisislink.domains.warnings.values import Targeting, WarningText
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Command


@dataclass(frozen=True, kw_only=True)
class DraftWarning(Command):
    """`targeting` is what the geo adapter computed for `area` (the entry point asks it before the bus)."""

    hazard: str
    category: Category
    awareness_type: int | None
    severity: Severity
    urgency: Urgency
    certainty: Certainty
    onset: datetime
    expires: datetime
    area: Area
    area_description: str
    targeting: Targeting
    texts: tuple[tuple[str, WarningText], ...] = ()
    response_types: tuple[ResponseType, ...] = ()
    status: Status = Status.ACTUAL
    incident_id: uuid.UUID | None = None
    marking: Tlp = Tlp.AMBER
    audience: frozenset[Principal] = frozenset()


@dataclass(frozen=True, kw_only=True)
class ReviseWarning(Command):
    """Change what the draft says; None leaves a field as it is. `texts` sets those languages' texts."""

    warning_id: uuid.UUID
    expected_revision: int
    texts: tuple[tuple[str, WarningText], ...] = ()
    remove_languages: tuple[str, ...] = ()
    hazard: str | None = None
    category: Category | None = None
    awareness_type: int | None = None
    severity: Severity | None = None
    urgency: Urgency | None = None
    certainty: Certainty | None = None
    response_types: tuple[ResponseType, ...] | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    area: Area | None = None  # a new area comes with its new targeting
    targeting: Targeting | None = None
    area_description: str | None = None


@dataclass(frozen=True, kw_only=True)
class ApplyTemplate(Command):
    """Fill texts from the hazard's template. `values` fill its placeholders; {area}, {onset} and {expires}
    default to the warning's own. No `languages`: every language the area needs that the template has."""

    warning_id: uuid.UUID
    expected_revision: int
    values: tuple[tuple[str, str], ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SubmitForApproval(Command):
    warning_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CommentOnWarning(Command):
    warning_id: uuid.UUID
    text: str


@dataclass(frozen=True, kw_only=True)
class RequestChanges(Command):
    """`revision` is the revision the approver read: a decision is about what they saw."""

    warning_id: uuid.UUID
    country: str
    revision: int
    comment: str


@dataclass(frozen=True, kw_only=True)
class ApproveWarning(Command):
    warning_id: uuid.UUID
    country: str
    revision: int
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class ScheduleParts(Command):
    """The time each named country's part goes out, chosen by that country."""

    warning_id: uuid.UUID
    times: tuple[tuple[str, datetime], ...]


@dataclass(frozen=True, kw_only=True)
class IssueWarning(Command):
    """Issue now the named parts; none named: every part not scheduled for later."""

    warning_id: uuid.UUID
    countries: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class IssueUpdate(Command):
    """Send the approved revision of an issued warning as a CAP Update."""

    warning_id: uuid.UUID
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CancelWarning(Command):
    warning_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExpireWarning(Command):
    warning_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RunWarningSchedule(Command):
    """Time-driven work: issue the parts whose time has come, mark warnings past their expiry expired."""
