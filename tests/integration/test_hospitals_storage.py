"""The hospital register on SQLite and PostgreSQL: the shipped seed, both real EDXL-HAVE reports, a real
status becoming current, the export valid against the schema, and a refused message changing nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import hospitals as q
from crisislink.adapters.standards import edxl_de, edxl_have_xml
from crisislink.adapters.standards import edxl_have as have
from crisislink.app.hospital_have import export_have
from crisislink.app.hospitals import import_have, seed_hospitals
from crisislink.app.nearest import nearest_hospitals
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import InvalidInput
from tests.support import World
from tests.support_hospitals import REAL_REPORTS, enveloped, hospital, real_report, seed_some

HOSPITAL_TABLES = (
    t.hospitals,
    t.hospital_identifiers,
    t.hospital_reports,
    t.hospital_beds,
    t.events,
    t.audit_log,
)
CHL = (6.10146, 49.61881)  # LU-1, the Centre Hospitalier de Luxembourg (Hôpital Municipal)


def viewer(world: World, username: str = "be.duty") -> Viewer:
    return Viewer(user_id=world.users[username], partner_id=world.user_partner[username])


def rows(world: World) -> dict[str, Any]:
    with world.platform.engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in HOSPITAL_TABLES
        }


def test_the_shipped_register_is_seeded_once_clear_and_kept_by_the_national_centre(world: World) -> None:
    assert seed_hospitals(world.platform) == 3258
    assert seed_hospitals(world.platform) == 0  # later starts add only what is missing
    listed = q.list_hospitals(
        world.platform.engine, viewer(world, "nl.duty"), q.HospitalFilter(limit=q.MAX_PAGE)
    )
    assert len(listed) == 3258
    luxembourg = q.list_hospitals(world.platform.engine, viewer(world), q.HospitalFilter(country="lu"))
    assert [h.code for h in luxembourg][:3] == ["LU-1", "LU-10", "LU-11"]
    one = q.get_hospital(world.platform.engine, viewer(world), luxembourg[0].id)
    assert (one.marking, one.owner_partner_id, one.identifiers) == (
        "CLEAR",
        world.partners["BE-NCCN"],
        ["LU-1"],
    )
    city = q.list_hospitals(
        world.platform.engine, viewer(world), q.HospitalFilter(bbox=(6.03, 49.55, 6.22, 49.66))
    )
    assert {h.code for h in city} >= {"LU-1", "LU-2", "LU-4", "LU-5", "LU-7"}
    assert all(h.country == "LU" for h in city)


def test_both_real_reports_are_imported_the_second_recognised_as_the_same_message(world: World) -> None:
    actor = world.actor("be.duty")
    first = import_have(world.platform, actor, real_report(REAL_REPORTS[0]))
    second = import_have(world.platform, actor, real_report(REAL_REPORTS[1]))
    assert (first.message_id, first.distribution) == ("RMApplication1@core1/DE_DISTRIBUTION_ID", "Test")
    assert (len(first.created), first.recorded, first.current) == (2, 2, 0)  # a test never becomes current
    # The same report in XchangeCore's wrapper: matched by name and place, and its message known already.
    assert (second.created, second.recorded, second.duplicates) == ([], 0, 2)
    assert second.hospital_ids == first.hospital_ids
    created = q.get_hospital(world.platform.engine, viewer(world), first.hospital_ids[0])
    assert (created.name, created.source, created.country, created.lon, created.lat) == (
        "Hospital 1",
        "edxl-have",
        None,  # Quebec: outside the countries crisislink knows
        -71.92,
        45.256,
    )
    assert created.status is None
    (kept,) = created.recent_reports
    assert (kept.distribution, [(b.bed_type, b.available, b.vacant) for b in kept.beds]) == (
        "Test",
        [("Burn", 100, True)],
    )
    assert kept.reported_at.isoformat() == "2010-11-11T19:59:12.390000+00:00"
    edxl_have_xml.validate(export_have(world.platform.engine, viewer(world), created.id))


def test_a_real_report_becomes_current_and_is_exported_valid(world: World) -> None:
    seed_some(world.platform, ("LU-1", "LU-4"))
    now = world.platform.clock.now()
    message = enveloped(
        hospital(
            "Centre Hospitalier de Luxembourg - Hopital Municipal",
            at=now - timedelta(minutes=3),
            identifiers=("CHL-HM",),
            point=CHL,
            beds=((have.BedType.BURN, 3), (have.BedType.ADULT_ICU, 2)),
            ems=have.EmsTrafficStatus.ADVISORY,
        )
    )
    result = import_have(world.platform, world.actor("be.duty"), message)
    assert (result.created, result.recorded, result.current) == ([], 1, 1)
    chl = q.get_hospital(world.platform.engine, viewer(world), result.hospital_ids[0])
    assert chl.code == "LU-1"
    assert chl.identifiers == ["CHL-HM", "LU-1"]
    assert chl.status is not None
    assert [(b.bed_type, b.available) for b in chl.status.beds] == [("AdultICU", 2), ("Burn", 3)]
    assert (chl.status.ems_traffic, chl.status.distribution) == ("Advisory", "Actual")
    assert chl.status.reported_by == world.partners["BE-NCCN"]

    exported = export_have(world.platform.engine, viewer(world), chl.id)
    edxl_have_xml.validate(exported)
    (report,) = edxl_have_xml.reports_in(exported)
    (written,) = report.hospitals
    assert written.organization.identifiers == ("LU-1", "CHL-HM")
    assert written.organization.point == (CHL[1], CHL[0])
    assert written.hospital_bed_capacity_status is not None
    # Read back bare, the export matches LU-1 again by identifier; being no newer, it is kept, not current.
    again = import_have(world.platform, world.actor("be.duty"), exported)
    assert (again.hospital_ids, again.created, again.recorded, again.current) == ([chl.id], [], 1, 0)

    able = nearest_hospitals(world.platform, viewer(world), Point(lon=6.13, lat=49.61), "Burn", 3, 5)
    assert [h.code for h in able.hospitals] == ["LU-1"]
    assert able.hospitals[0].confirmed
    assert (
        nearest_hospitals(world.platform, viewer(world), Point(lon=6.13, lat=49.61), "Burn", 4, 5).hospitals
        == []
    )


def test_a_message_with_one_bad_hospital_is_refused_whole(world: World) -> None:
    seed_some(world.platform, ("LU-1",))
    now = world.platform.clock.now()
    good = hospital(
        "Centre Hospitalier de Luxembourg", at=now, identifiers=("LU-1",), beds=((have.BedType.BURN, 1),)
    )
    nowhere = hospital("Clinique sans adresse", at=now)  # unknown, and no location to place it
    before = rows(world)
    with pytest.raises(InvalidInput, match="gives no location"):
        import_have(world.platform, world.actor("be.duty"), enveloped(good, nowhere))
    assert rows(world) == before


def test_an_exercise_report_is_kept_apart_from_the_real_status(world: World) -> None:
    seed_some(world.platform, ("LU-1",))
    now = world.platform.clock.now()
    real = hospital("x", at=now - timedelta(hours=1), identifiers=("LU-1",), beds=((have.BedType.BURN, 1),))
    drill = hospital("x", at=now, identifiers=("LU-1",), beds=((have.BedType.BURN, 40),))
    import_have(world.platform, world.actor("be.duty"), enveloped(real))
    exercise = enveloped(drill, distribution_id="drill-1", status=edxl_de.DistributionStatus.EXERCISE)
    assert import_have(world.platform, world.actor("be.duty"), exercise).current == 0
    found = nearest_hospitals(world.platform, viewer(world), Point(lon=6.13, lat=49.61), "Burn", 2, 5)
    assert found.hospitals == []  # 40 beds "free" in the drill: never a real answer
