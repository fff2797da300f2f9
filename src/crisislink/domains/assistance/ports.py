"""What the assistance capability needs from outside, as protocols its adapters implement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from crisislink.domains.assistance.model import Unit
from crisislink.domains.assistance.offers import Offer
from crisislink.domains.assistance.requests import AssistanceRequest


class PartnerFacts(Protocol):
    """What this capability reads of a partner: who it is and which country it acts for."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def country(self) -> str: ...


class Directory(Protocol):
    def partner(self, partner_id: uuid.UUID) -> PartnerFacts | None: ...
    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None: ...


class UnitRepository(Protocol):
    def add(self, unit: Unit) -> None: ...
    def get(self, unit_id: uuid.UUID) -> Unit: ...


class AssistanceRequestRepository(Protocol):
    def add(self, request: AssistanceRequest) -> None: ...
    def get(self, request_id: uuid.UUID) -> AssistanceRequest: ...
    def due_for_expiry(self, moment: datetime) -> Sequence[AssistanceRequest]:
        """Open requests whose deadline for offers is at or before `moment`."""
        ...


class OfferRepository(Protocol):
    def add(self, offer: Offer) -> None: ...
    def get(self, offer_id: uuid.UUID) -> Offer: ...
    def for_request(self, request_id: uuid.UUID) -> Sequence[Offer]: ...


class AssistanceUnitOfWork(Protocol):
    @property
    def units(self) -> UnitRepository: ...
    @property
    def assistance_requests(self) -> AssistanceRequestRepository: ...
    @property
    def assistance_offers(self) -> OfferRepository: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def node_id(self) -> uuid.UUID: ...

    def commit(self) -> None: ...
