"""A small world for the assistance domain tests: partners in four countries, their units, one clock.

July 2021 in miniature: the province of Liège asks for water-rescue teams; Zuid-Limburg (NL) and CGDIS
(LU) can offer; the NCCN is a third Belgian partner that is asked nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance import handlers as h
from crisislink.domains.assistance import offer_handlers as oh
from crisislink.domains.assistance import request_handlers as rh
from crisislink.domains.assistance.model import Point, StagingArea, Unit
from crisislink.domains.assistance.offers import Offer
from crisislink.domains.assistance.requests import AssistanceRequest
from crisislink.domains.incidents.ports import PartnerInfo
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import CrisislinkError
from crisislink.kernel.messages import Actor, Event
from tests.unit.assistance_fakes import FakeAssistanceUnitOfWork
from tests.unit.incident_fakes import FakeDirectory

NOW = datetime(2021, 7, 14, 9, 0, tzinfo=UTC)
CHAUDFONTAINE = StagingArea("Chaudfontaine fire station", Point(5.63, 50.59))
MAASTRICHT = Point(5.69, 50.85)
LUXEMBOURG = Point(6.13, 49.61)

E = TypeVar("E", bound=Event)
X = TypeVar("X", bound=CrisislinkError)


@dataclass
class World:
    uow: FakeAssistanceUnitOfWork
    directory: FakeDirectory
    clock: FixedClock
    liege: PartnerInfo
    zl: PartnerInfo
    cgdis: PartnerInfo
    nccn: PartnerInfo
    aachen: PartnerInfo

    def actor(self, partner: PartnerInfo, *roles: str) -> Actor:
        return Actor(
            user_id=self.directory.add_user(partner.id),
            partner_id=partner.id,
            roles=frozenset(roles or ("duty_officer",)),
        )

    def later(self, **delta: float) -> datetime:
        self.clock.advance(timedelta(**delta))
        return self.clock.now()

    def events(self, kind: type[E]) -> list[E]:
        return [event for event in self.uow.events if isinstance(event, kind)]

    def unit(self, unit_id: uuid.UUID) -> Unit:
        return self.uow.units.get(unit_id)

    def request(self, request_id: uuid.UUID) -> AssistanceRequest:
        return self.uow.assistance_requests.get(request_id)

    def offer(self, offer_id: uuid.UUID) -> Offer:
        return self.uow.assistance_offers.get(offer_id)

    # --- the commands, with defaults that make a valid one -----------------------------------------------

    def register(self, partner: PartnerInfo, **changes: Any) -> uuid.UUID:
        home = {"NL": MAASTRICHT, "LU": LUXEMBOURG}.get(partner.country, CHAUDFONTAINE.point)
        command = c.RegisterUnit(
            actor=self.actor(partner),
            partner_id=partner.id,
            capability="water.rescue",
            name=f"Water rescue {partner.code} {len(self.uow.units.all()) + 1}",
            home_base=home,
            arrangements=("emric", "ucpm") if partner.country != "LU" else ("ucpm", "be-lu-convention"),
            radio=("TETRA-ISI",),
            crew_languages=("fr", "en"),
        )
        return h.register_unit(replace(command, **changes), self.uow, self.clock.now)

    def ask(self, partner: PartnerInfo | None = None, **changes: Any) -> uuid.UUID:
        now = self.clock.now()
        command = c.CreateAssistanceRequest(
            actor=self.actor(partner or self.liege),
            capability="water.rescue",
            quantity=2,
            staging=CHAUDFONTAINE,
            starts_at=now,
            ends_at=now + timedelta(days=3),
            addressees=frozenset({self.zl.id, self.cgdis.id}),
        )
        return rh.create_request(replace(command, **changes), self.uow, self.clock.now)

    def make_offer(self, partner: PartnerInfo, request_id: uuid.UUID, **changes: Any) -> uuid.UUID:
        command = c.MakeOffer(
            actor=self.actor(partner), request_id=request_id, available_from=self.clock.now()
        )
        return oh.make_offer(replace(command, **changes), self.uow, self.clock.now)

    def accept(self, offer_id: uuid.UUID, **changes: Any) -> None:
        command = c.AcceptOffer(actor=self.actor(self.liege), offer_id=offer_id)
        oh.accept_offer(replace(command, **changes), self.uow, self.clock.now)


def make_world() -> World:
    directory = FakeDirectory()
    return World(
        uow=FakeAssistanceUnitOfWork(directory),
        directory=directory,
        clock=FixedClock(NOW),
        liege=directory.add_partner("BE-PROV-LIEGE", "BE", "fr"),
        zl=directory.add_partner("NL-VR24", "NL", "nl"),
        cgdis=directory.add_partner("LU-CGDIS", "LU", "lb", "fr", "de"),
        nccn=directory.add_partner("BE-NCCN", "BE", "nl", "fr"),
        aachen=directory.add_partner("DE-STAEDTEREGION-AACHEN", "DE", "de"),
    )


@contextmanager
def rejected(uow: FakeAssistanceUnitOfWork, error: type[X], match: str) -> Iterator[pytest.ExceptionInfo[X]]:
    """The command fails with `error`, commits nothing, and its half-done changes are rolled back."""
    commits, events = uow.commits, len(uow.events)
    with pytest.raises(error, match=match) as info:
        yield info
    uow.rollback()
    assert (uow.commits, len(uow.events)) == (commits, events)
