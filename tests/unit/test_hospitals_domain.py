"""The hospital register's domain, with fakes: categories and the capacity rule, matching reports to
hospitals, loading the register, importing status reports (real ones become current, drills never)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from crisislink.domains.assistance import hospital_commands as c
from crisislink.domains.assistance import hospital_events as e
from crisislink.domains.assistance.hospital import Beds, StatusReport
from crisislink.domains.assistance.hospital_capacity import CATEGORIES, category, judge, patients
from crisislink.domains.assistance.hospital_handlers import (
    ImportResult,
    import_hospital_status,
    register_hospitals,
)
from crisislink.domains.assistance.hospital_matching import by_identifier, by_name_and_place, normalised
from crisislink.domains.assistance.model import Point
from crisislink.kernel.errors import InvalidInput, PermissionDenied
from crisislink.kernel.messages import SYSTEM, Actor
from tests.unit.hospital_fakes import T0, FakeHospitalUnitOfWork

DUTY = Actor(user_id=uuid.uuid4(), partner_id=uuid.uuid4(), roles=frozenset({"duty_officer"}))
ANALYST = Actor(user_id=uuid.uuid4(), partner_id=uuid.uuid4(), roles=frozenset({"analyst"}))
CHL = Point(lon=6.10146, lat=49.61881)  # Centre Hospitalier de Luxembourg, Hôpital Municipal


def now() -> datetime:
    return T0


def report(**changes: Any) -> StatusReport:
    base = StatusReport(
        id=uuid.uuid4(),
        message_id="m1",
        distribution="Actual",
        reported_at=T0,
        received_at=T0,
        reported_by=None,
    )
    return dataclasses.replace(base, **changes)


# --- categories and the capacity rule ---------------------------------------------------------------


def test_categories_are_the_have_bed_types_and_emergency_in_any_case() -> None:
    assert "AdultICU" in CATEGORIES
    assert "emergency" in CATEGORIES
    assert category("adulticu") == "AdultICU"
    assert category(" Burn ") == "Burn"
    with pytest.raises(InvalidInput, match=r"'Trauma' is not one of AdultICU, .*emergency"):
        category("Trauma")


@pytest.mark.parametrize("count", [0, -3, 10_001])
def test_patients_are_counted_from_one(count: int) -> None:
    with pytest.raises(InvalidInput, match="patients must be between 1 and 10000"):
        patients(count)


def test_a_bed_type_needs_a_current_report_with_enough_vacant_beds() -> None:
    burn = report(beds=(Beds("Burn", 3, 10, True), Beds("AdultICU", 5, None, False)))
    assert judge("Burn", 3, burn, None).confirmed
    assert judge("Burn", 3, burn, None).available == 3
    assert not judge("Burn", 4, burn, None).able
    assert not judge("AdultICU", 1, burn, None).able  # NotAvailable, whatever the count says
    assert not judge("Pediatrics", 1, burn, None).able  # not reported
    assert not judge("Burn", 1, None, True).able  # the register knows no bed types
    closed = report(beds=burn.beds, facility_status="Evacuating")
    assert not judge("Burn", 1, closed, None).able


def test_emergency_open_with_counted_room_is_confirmed() -> None:
    counted = report(ems_traffic="Normal", ed_capacity=4)
    assert judge("emergency", 4, counted, None).confirmed
    assert not judge("emergency", 5, counted, None).able
    beds = report(ems_traffic="Advisory", beds=(Beds("EmergencyDepartment", 2, None, True),))
    assert judge("emergency", 2, beds, None).available == 2
    uncounted = judge("emergency", 50, report(ems_traffic="Normal"), None)
    assert (uncounted.able, uncounted.confirmed, uncounted.basis) == (True, False, "report")


def test_emergency_closed_to_ambulances_takes_nobody_whatever_the_register_says() -> None:
    assert not judge("emergency", 1, report(ems_traffic="Closed", ed_capacity=9), True).able


def test_without_a_word_on_the_department_the_register_flag_names_an_unconfirmed_candidate() -> None:
    from_register = judge("emergency", 2, None, True)
    assert (from_register.able, from_register.confirmed, from_register.basis) == (True, False, "register")
    assert not judge("emergency", 2, None, None).able
    assert not judge("emergency", 2, report(), False).able


# --- matching --------------------------------------------------------------------------------------


def test_names_are_compared_without_case_accents_or_punctuation() -> None:
    assert normalised("Hôpital  St.-Jean (Bruxelles)") == "hopital st jean bruxelles"


def test_a_report_matches_by_identifier_then_by_name_within_the_radius() -> None:
    uow = FakeHospitalUnitOfWork()
    chl = uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat, site="Hôpital Municipal")
    other = uow.hospital(
        "LU-4", "Centre Hospitalier de Luxembourg", 6.13548, 49.63199, site="Clinique d'Eich"
    )
    hospitals = uow.hospitals.all()
    assert by_identifier(hospitals, (" LU-1 ",)) is not None
    assert by_identifier(hospitals, ("XX",)) is None
    near_chl = Point(lon=CHL.lon + 0.004, lat=CHL.lat)  # about 290 m east
    found = by_name_and_place(hospitals, "CENTRE HOSPITALIER DE LUXEMBOURG - Hopital Municipal", near_chl)
    assert found is not None
    assert found.id == chl.id
    # The bare hospital name fits both sites: the nearer one wins.
    bare = by_name_and_place(hospitals, "Centre Hospitalier de Luxembourg", near_chl)
    assert bare is not None
    assert bare.id == chl.id
    assert by_name_and_place(hospitals, "Clinique d'Eich", near_chl) is None  # 3 km away
    assert other.code == "LU-4"


def test_an_identifier_claimed_by_two_hospitals_is_refused_as_ambiguous() -> None:
    uow = FakeHospitalUnitOfWork()
    uow.hospital("LU-1", "A", 6.1, 49.6)
    uow.hospital("LU-2", "B", 6.1, 49.6)
    with pytest.raises(InvalidInput, match="name several hospitals"):
        by_identifier(uow.hospitals.all(), ("LU-1", "LU-2"))


# --- loading the register --------------------------------------------------------------------------


def registered(code: str) -> c.RegisteredHospital:
    return c.RegisteredHospital(code=code, name=f"Hospital {code}", location=CHL, country="LU")


def test_the_register_is_loaded_once_clear_and_kept_by_its_owner() -> None:
    uow = FakeHospitalUnitOfWork()
    command = c.RegisterHospitals(actor=SYSTEM, owner_partner_id=uow.owner, hospitals=(registered("LU-1"),))
    assert register_hospitals(command, uow, now) == 1
    again = c.RegisterHospitals(
        actor=SYSTEM, owner_partner_id=uow.owner, hospitals=(registered("LU-1"), registered("LU-2"))
    )
    assert register_hospitals(again, uow, now) == 1
    hospitals = uow.hospitals.all()
    assert sorted(h.code for h in hospitals) == ["LU-1", "LU-2"]
    assert {h.label.marking.value for h in hospitals} == {"CLEAR"}
    assert {h.label.owner_partner_id for h in hospitals} == {uow.owner}
    assert [type(event) for event in uow.events] == [e.HospitalsRegistered, e.HospitalsRegistered]


def test_only_a_node_administrator_loads_the_register() -> None:
    uow = FakeHospitalUnitOfWork()
    command = c.RegisterHospitals(actor=DUTY, owner_partner_id=uow.owner, hospitals=(registered("LU-1"),))
    with pytest.raises(PermissionDenied):
        register_hospitals(command, uow, now)


# --- importing status reports ------------------------------------------------------------------------


def message(
    *hospitals: c.ReportedHospital, message_id: str = "sender/1", distribution: str | None = "Actual"
) -> c.ImportHospitalStatus:
    return c.ImportHospitalStatus(
        actor=DUTY,
        message_id=message_id,
        distribution=distribution,
        hospitals=hospitals,
        register_owner=uuid.UUID(int=0),
    )


def reported(name: str = "Centre Hospitalier de Luxembourg", **changes: Any) -> c.ReportedHospital:
    base = c.ReportedHospital(
        name=name,
        reported_at=T0 - timedelta(minutes=5),
        location=CHL,
        beds=(Beds("Burn", 2, 6, True),),
        ems_traffic="Normal",
    )
    return dataclasses.replace(base, **changes)


def run(uow: FakeHospitalUnitOfWork, command: c.ImportHospitalStatus) -> ImportResult:
    command = c.ImportHospitalStatus(
        actor=command.actor,
        message_id=command.message_id,
        distribution=command.distribution,
        hospitals=command.hospitals,
        register_owner=uow.owner,
    )
    try:
        return import_hospital_status(command, uow, now)
    finally:
        uow.rollback()  # the next command starts a new unit of work


def test_a_real_report_of_a_known_hospital_becomes_its_current_status() -> None:
    uow = FakeHospitalUnitOfWork()
    chl = uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat)
    result = run(uow, message(reported(identifiers=("LU-1", "CHL-ED"))))
    stored = uow.hospitals.get(chl.id)
    assert stored.status is not None
    assert stored.status.beds == (Beds("Burn", 2, 6, True),)
    assert stored.status.reported_by == DUTY.partner_id
    assert "CHL-ED" in stored.identifiers  # learnt: the next report matches by identifier
    assert result.current == 1
    assert [type(event) for event in uow.events] == [e.HospitalStatusReported]


def test_a_drill_is_kept_but_never_becomes_current() -> None:
    uow = FakeHospitalUnitOfWork()
    chl = uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat)
    run(uow, message(reported(), message_id="real/1"))
    result = run(
        uow,
        message(
            reported(beds=(Beds("Burn", 99, None, True),), reported_at=T0),
            distribution="Exercise",
            message_id="drill/1",
        ),
    )
    stored = uow.hospitals.get(chl.id)
    assert stored.status is not None
    assert stored.status.message_id == "real/1"
    assert (result.recorded, result.current) == (1, 0)
    drill = [ev for ev in uow.events if isinstance(ev, e.HospitalStatusReported)][-1]
    assert (drill.distribution, drill.current) == ("Exercise", False)


def test_an_older_real_report_is_kept_without_replacing_a_newer_one() -> None:
    uow = FakeHospitalUnitOfWork()
    chl = uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat)
    run(uow, message(reported(), message_id="a"))
    late = run(uow, message(reported(reported_at=T0 - timedelta(hours=2)), message_id="b"))
    assert late.current == 0
    status = uow.hospitals.get(chl.id).status
    assert status is not None
    assert status.message_id == "a"


def test_a_message_delivered_twice_is_recorded_once() -> None:
    uow = FakeHospitalUnitOfWork()
    uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat)
    run(uow, message(reported()))
    again = run(uow, message(reported()))
    assert (again.recorded, again.duplicates) == (0, 1)


def test_an_unknown_hospital_with_a_location_is_created_without_one_refused() -> None:
    uow = FakeHospitalUnitOfWork()
    result = run(uow, message(reported("Hospital 1", location=Point(lon=-71.92, lat=45.256), country=None)))
    created = result.created
    assert len(created) == 1
    hospital = uow.hospitals.get(created[0])
    assert (hospital.source, hospital.code, hospital.country) == ("edxl-have", f"have-{hospital.id}", None)
    assert hospital.label.marking.value == "CLEAR"
    with pytest.raises(InvalidInput, match="gives no location"):
        run(uow, message(reported("Nowhere Clinic", location=None), message_id="m2"))


def test_a_report_from_the_future_or_without_offset_is_refused() -> None:
    uow = FakeHospitalUnitOfWork()
    uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat)
    with pytest.raises(InvalidInput, match="in the future"):
        run(uow, message(reported(reported_at=T0 + timedelta(hours=1))))
    with pytest.raises(InvalidInput, match="needs a time zone"):
        run(uow, message(reported(reported_at=T0.replace(tzinfo=None))))


def test_importing_needs_a_duty_officer_and_a_hospital() -> None:
    uow = FakeHospitalUnitOfWork()
    with pytest.raises(PermissionDenied):
        run(
            uow,
            c.ImportHospitalStatus(
                actor=ANALYST,
                message_id="m",
                distribution=None,
                hospitals=(reported(),),
                register_owner=uow.owner,
            ),
        )
    with pytest.raises(InvalidInput, match="reports no hospital"):
        run(uow, message())


def test_a_hospital_homed_on_another_node_is_not_changed_here() -> None:
    uow = FakeHospitalUnitOfWork()
    uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat)
    uow.node_id = uuid.UUID(int=7)
    with pytest.raises(PermissionDenied, match="another node"):
        run(uow, message(reported(identifiers=("LU-1",))))


def test_identifiers_are_trimmed_and_bounded() -> None:
    uow = FakeHospitalUnitOfWork()
    chl = uow.hospital("LU-1", "Centre Hospitalier de Luxembourg", CHL.lon, CHL.lat)
    far = Point(lon=5.0, lat=50.0)  # no name-and-place match: only the identifier can find it
    assert run(uow, message(reported("CHL", identifiers=(" LU-1 ",), location=far))).hospital_ids == [chl.id]
    with pytest.raises(InvalidInput, match="longer than 200"):
        run(uow, message(reported(identifiers=("x" * 201,)), message_id="m2"))
