"""An offer of assistance: a partner's answer to a request, with named units or a quantity.

The offer belongs to the offering partner and is shared (AMBER) with the requester only: partners a
request was sent to never see each other's offers.

    offered --accept--> accepted --mobilise--> mobilising --deploy--> deployed --demobilise--> demobilised
    offered --decline--> declined          (by the requester)
    offered, accepted, mobilising --withdraw--> withdrawn   (by the offerer; committed units are released)
    accepted, mobilising --demobilise--> demobilised        (stood down before it was deployed)
    offered --lapse--> lapsed              (its request expired, closed or was cancelled first)
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from crisislink.domains.assistance.model import step
from crisislink.kernel.aggregate import Shareable


class OfferStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    MOBILISING = "mobilising"
    DEPLOYED = "deployed"
    DEMOBILISED = "demobilised"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


O = OfferStatus  # noqa: E741 -- a one-letter alias keeps the table readable
OFFER_STEPS = MappingProxyType(
    {
        O.OFFERED: {"accept": O.ACCEPTED, "decline": O.DECLINED, "withdraw": O.WITHDRAWN, "lapse": O.LAPSED},
        O.ACCEPTED: {"mobilise": O.MOBILISING, "withdraw": O.WITHDRAWN, "demobilise": O.DEMOBILISED},
        O.MOBILISING: {"deploy": O.DEPLOYED, "withdraw": O.WITHDRAWN, "demobilise": O.DEMOBILISED},
        O.DEPLOYED: {"demobilise": O.DEMOBILISED},
        O.DEMOBILISED: {},
        O.DECLINED: {},
        O.WITHDRAWN: {},
        O.LAPSED: {},
    }
)
# Accepted and not yet released: these hold units and count towards the request's coverage.
ACTIVE = frozenset({O.ACCEPTED, O.MOBILISING, O.DEPLOYED})


@dataclass(frozen=True)
class OfferedUnit:
    """What the offer tells the requester about a unit (the unit's own record stays under its own label)."""

    unit_id: uuid.UUID
    name: str
    call_sign: str | None


@dataclass(kw_only=True, eq=False)
class Offer(Shareable):
    request_id: uuid.UUID
    requester_id: uuid.UUID
    units: tuple[OfferedUnit, ...]
    quantity: int
    available_from: datetime
    conditions: str
    offered_at: datetime
    offered_by: uuid.UUID | None
    status: OfferStatus = OfferStatus.OFFERED
    accepted: int = 0
    accepted_units: tuple[uuid.UUID, ...] = ()
    reason: str = ""  # why it was declined, withdrawn or stood down
    updated_at: datetime | None = None

    @property
    def offerer(self) -> uuid.UUID:
        owner = self.label.owner_partner_id
        assert owner is not None, "offers always have an owner partner"
        return owner

    def require(self, verb: str) -> None:
        step("offer", self.status, verb, OFFER_STEPS[self.status])

    def move(self, verb: str, at: datetime, reason: str = "") -> OfferStatus:
        """Take one step of the state machine. Returns the previous status."""
        steps = OFFER_STEPS[self.status]
        step("offer", self.status, verb, steps)
        previous, self.status, self.updated_at = self.status, steps[verb], at
        if reason:
            self.reason = reason
        return previous

    @property
    def counted(self) -> int:
        """What this offer adds to its request's coverage: accepted and not withdrawn."""
        return self.accepted if self.status in ACTIVE | {O.DEMOBILISED} else 0
