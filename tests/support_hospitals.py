"""Test support for the hospital register: HAVE messages to import, and a quick partial seed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from crisislink.adapters.standards import edxl_de, edxl_have_xml, edxl_parts
from crisislink.adapters.standards import edxl_have as have
from crisislink.adapters.standards.edxl_values import XsDateTime
from crisislink.app.bootstrap import Platform
from crisislink.app.hospitals import register_owner, registered_hospital, shipped_register
from crisislink.domains.assistance.hospital_commands import RegisterHospitals
from crisislink.kernel.messages import SYSTEM

HAVE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "standards" / "edxl" / "have"
REAL_REPORTS = ("EDXL-HAVE1.xml", "HAVE-EdxlDeRequest.xml")  # XchangeCore's, both status Test
# Luxembourg City: the Centre Hospitalier de Luxembourg (LU-1 Hôpital Municipal, LU-2 Clinique
# Pédiatrique, LU-4 Clinique d'Eich), the Hôpitaux Robert Schuman (LU-5 Kirchberg, LU-7 Zithaklinik);
# and LU-12, the Centre Hospitalier du Nord in Ettelbruck, 25 km north, beyond the city's road graph.
LU_SITES = ("LU-1", "LU-2", "LU-4", "LU-5", "LU-7", "LU-12")


def real_report(name: str) -> bytes:
    return (HAVE_FIXTURES / name).read_bytes()


def seed_some(platform: Platform, codes: Sequence[str]) -> int:
    """Register a few shipped sites (the whole register takes a second; most tests need a handful)."""
    wanted = [registered_hospital(row) for row in shipped_register() if row["code"] in codes]
    added: int = platform.bus.handle(
        RegisterHospitals(actor=SYSTEM, owner_partner_id=register_owner(platform), hospitals=tuple(wanted))
    )
    return added


def hospital(
    name: str,
    *,
    at: datetime,
    identifiers: Sequence[str] = (),
    point: tuple[float, float] | None = None,  # lon, lat
    beds: Sequence[tuple[have.BedType, int]] = (),
    ems: have.EmsTrafficStatus | None = None,
) -> have.Hospital:
    location = None if point is None else edxl_parts.point_area(point[1], point[0])
    bed_status = None
    if beds:
        bed_status = have.HospitalBedCapacityStatus(
            beds=tuple(
                have.BedCapacity(
                    bed_types=(kind,),
                    capacities=(
                        have.Capacity(
                            capacity_status=have.CapacityStatus.VACANT_AVAILABLE, available_count=n
                        ),
                    ),
                )
                for kind, n in beds
            )
        )
    ed = (
        None
        if ems is None
        else have.EmergencyDepartmentStatus(ems_traffic=have.EmsTraffic(ems_traffic_status=ems))
    )
    return have.Hospital(
        organization=have.Organization(
            information=edxl_parts.organisation(name, tuple(identifiers)), geo_location=location
        ),
        emergency_department_status=ed,
        hospital_bed_capacity_status=bed_status,
        last_update_time=XsDateTime.of(at),
    )


def enveloped(
    *hospitals: have.Hospital,
    distribution_id: str = "crisislink-test-1",
    status: edxl_de.DistributionStatus = edxl_de.DistributionStatus.ACTUAL,
) -> bytes:
    report = edxl_have_xml.to_xml(have.HospitalStatus(hospitals=hospitals))
    header = edxl_de.Distribution(
        distribution_id=distribution_id,
        sender_id="ghor@crisislink.test.example",
        sent=XsDateTime("2025-01-06T10:55:00+01:00"),
        status=status,
        type=edxl_de.DistributionType.REPORT,
        combined_confidentiality="TLP:CLEAR",
    )
    return edxl_de.wrap([report], header)
