"""What partners (and the platform's schedule) ask of mutual assistance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.assistance.model import HostNationSupport, Point, StagingArea, UnitStatus
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Command


@dataclass(frozen=True, kw_only=True)
class RegisterUnit(Command):
    partner_id: uuid.UUID  # the owner; a partner's own staff, or a node administrator, registers it
    capability: str
    name: str
    home_base: Point
    call_sign: str | None = None
    crew_languages: tuple[str, ...] = ()
    radio: tuple[str, ...] = ()
    arrangements: tuple[str, ...] = ()
    status: UnitStatus = UnitStatus.AVAILABLE
    marking: Tlp = Tlp.AMBER  # with no audience: the owner's staff only, until shared
    audience: frozenset[Principal] = frozenset()


@dataclass(frozen=True, kw_only=True)
class UpdateUnit(Command):
    unit_id: uuid.UUID
    expected_version: int
    name: str | None = None
    call_sign: str | None = None
    home_base: Point | None = None
    crew_languages: tuple[str, ...] | None = None
    radio: tuple[str, ...] | None = None
    arrangements: tuple[str, ...] | None = None
    marking: Tlp | None = None
    audience: frozenset[Principal] | None = None


@dataclass(frozen=True, kw_only=True)
class SetUnitStatus(Command):
    unit_id: uuid.UUID
    status: UnitStatus
    position: Point | None = None  # only while deployed


@dataclass(frozen=True, kw_only=True)
class CreateAssistanceRequest(Command):
    """Ask for help. With addressees it is sent at once; without, it stays a draft of the requester's."""

    capability: str
    quantity: int
    staging: StagingArea
    starts_at: datetime
    ends_at: datetime
    respond_by: datetime | None = None  # None: when the help is needed (starts_at)
    support: HostNationSupport = field(default_factory=HostNationSupport)
    description: str = ""
    incident_id: uuid.UUID | None = None
    addressees: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True, kw_only=True)
class SendAssistanceRequest(Command):
    request_id: uuid.UUID
    addressees: frozenset[uuid.UUID]


@dataclass(frozen=True, kw_only=True)
class CloseAssistanceRequest(Command):
    request_id: uuid.UUID
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CancelAssistanceRequest(Command):
    request_id: uuid.UUID
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ExpireAssistanceRequests(Command):
    """Time-driven: requests whose deadline passed with no offer accepted expire; their open offers lapse."""


@dataclass(frozen=True, kw_only=True)
class MakeOffer(Command):
    """Offer named units (the quantity is their number) or a quantity of a type without registered units."""

    request_id: uuid.UUID
    available_from: datetime
    unit_ids: tuple[uuid.UUID, ...] = ()
    quantity: int | None = None
    conditions: str = ""


@dataclass(frozen=True, kw_only=True)
class AcceptOffer(Command):
    """Accept all of an offer, or part: a quantity (the first units offered) or the units chosen."""

    offer_id: uuid.UUID
    quantity: int | None = None
    unit_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DeclineOffer(Command):
    offer_id: uuid.UUID
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class WithdrawOffer(Command):
    offer_id: uuid.UUID
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class MobiliseOffer(Command):
    offer_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class DeployOffer(Command):
    offer_id: uuid.UUID
    position: Point | None = None  # where the units are; None: the staging area


@dataclass(frozen=True, kw_only=True)
class DemobiliseOffer(Command):
    offer_id: uuid.UUID
    reason: str = ""
