"""The demo units `crisislink serve` registers: valid, idempotent, and enough to replay July 2021.

On 14 July 2021 Luxembourg's CGDIS sent a water-rescue team to the province of Liège (DOMAIN.md §7a); here
Liège asks the demo teams of CGDIS and Zuid-Limburg, and both may cross the border under their arrangements.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from crisislink.adapters.db.queries import assistance as q
from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.assistance_seed import seed_demo_units
from crisislink.app.bootstrap import Platform
from crisislink.app.seeding import seed_partners
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.model import Point, StagingArea
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.messages import SYSTEM, Actor
from tests.support import PASSWORD, make_platform

JULY_14 = datetime(2021, 7, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def seeded(sqlite_url: str) -> Iterator[Platform]:
    platform = make_platform(sqlite_url, clock=FixedClock(JULY_14))
    seed_partners(platform, ReferenceData(), progress=lambda _code: None)
    yield platform
    platform.stop()


def _duty_officer(platform: Platform, code: str) -> Actor:
    partner = {p.code: p.id for p in directory.list_partners(platform.engine)}[code]
    user = platform.bus.handle(
        sc.AddUser(
            actor=SYSTEM,
            username=f"{code.lower()}.duty",
            display_name=code,
            partner_id=partner,
            roles=frozenset({Role.DUTY_OFFICER}),
            password=PASSWORD,
        )
    )
    return Actor(user_id=user, partner_id=partner, roles=frozenset({"duty_officer"}))


def test_the_demo_units_are_registered_once_and_shared_as_the_seed_says(seeded: Platform) -> None:
    assert seed_demo_units(seeded) == 9
    assert seed_demo_units(seeded) == 0
    partners = {p.code: p.id for p in directory.list_partners(seeded.engine)}
    liege = Viewer(user_id=uuid.UUID(int=1), partner_id=partners["BE-PROV-LIEGE"])
    nccn = Viewer(user_id=uuid.UUID(int=2), partner_id=partners["BE-NCCN"])
    seen_by_liege = {u.name for u in q.list_units(seeded.engine, liege, q.UnitFilter(limit=q.MAX_PAGE))}
    seen_by_nccn = {u.name for u in q.list_units(seeded.engine, nccn, q.UnitFilter(limit=q.MAX_PAGE))}
    assert len(seen_by_liege) == 9  # GREEN ones, and the AMBER teams shared with Liège
    assert "Waterongevallenteam Maastricht (demo)" not in seen_by_nccn  # AMBER, not shared with the NCCN
    assert all(name.endswith("(demo)") for name in seen_by_liege)


def test_liege_can_receive_the_luxembourg_and_dutch_water_rescue_teams(seeded: Platform) -> None:
    seed_demo_units(seeded)
    liege, zl, cgdis = (_duty_officer(seeded, code) for code in ("BE-PROV-LIEGE", "NL-VR24", "LU-CGDIS"))
    request_id = seeded.bus.handle(
        c.CreateAssistanceRequest(
            actor=liege,
            capability="water.rescue",
            quantity=2,
            staging=StagingArea("Chaudfontaine (demo staging area)", Point(5.63, 50.59)),
            starts_at=JULY_14,
            ends_at=JULY_14 + timedelta(days=3),
            addressees=frozenset(a.partner_id for a in (zl, cgdis) if a.partner_id is not None),
        )
    )
    for actor in (zl, cgdis):
        viewer = Viewer(actor.user_id, actor.partner_id)
        flt = q.UnitFilter(capability="water.rescue", partner_id=actor.partner_id)
        [team] = q.list_units(seeded.engine, viewer, flt)
        offer_id = seeded.bus.handle(
            c.MakeOffer(actor=actor, request_id=request_id, available_from=JULY_14, unit_ids=(team.id,))
        )
        seeded.bus.handle(c.AcceptOffer(actor=liege, offer_id=offer_id))
    viewer = Viewer(liege.user_id, liege.partner_id)
    assert q.get_request(seeded.engine, viewer, request_id).status == "covered"
