"""EDXL-HAVE 1.0 in and out of the hospital register.

In: a HospitalStatus report, bare or in an EDXL-DE 1.0 envelope, becomes **one** `ImportHospitalStatus`
command (every hospital of the message recorded, or none). Out: one hospital's current status as a
schema-valid HospitalStatus report. The mapping, field by field, is in docs/hospitals.md.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import hospitals as q
from crisislink.adapters.db.queries.hospital_views import HospitalView, StatusView
from crisislink.adapters.standards import edxl_de, edxl_have_xml, edxl_parts
from crisislink.adapters.standards import edxl_have as have
from crisislink.adapters.standards.edxl_values import XsDateTime
from crisislink.domains.assistance.hospital import Beds
from crisislink.domains.assistance.hospital_commands import ImportHospitalStatus, ReportedHospital
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.messages import Actor

# A LastUpdateTime without an offset (EDXL allows it) is read in the zone of the five countries the
# register covers: BE, NL, LU, DE and FR all keep Central European Time.
REGISTER_ZONE = ZoneInfo("Europe/Brussels")
Locate = Callable[[float, float], str | None]  # (lon, lat) -> country


@dataclass(frozen=True)
class Message:
    message_id: str
    distribution: str | None
    hospitals: tuple[ReportedHospital, ...]


def _message_header(data: bytes) -> tuple[str, str | None]:
    """(message id, distribution status): the envelope's sender and id, or a digest of a bare report."""
    try:
        envelope = edxl_de.parse(data)
    except InvalidInput:
        return f"sha256:{hashlib.sha256(data).hexdigest()}", None
    return f"{envelope.sender_id}/{envelope.distribution_id}", envelope.status.value


def read_message(data: bytes, locate: Locate) -> Message:
    """Every hospital of every report in `data`, validated against the schemas first."""
    reports = edxl_have_xml.reports_in(data)
    hospitals = tuple(_hospital(h, locate) for report in reports for h in report.hospitals)
    if not hospitals:
        raise InvalidInput("the EDXL-DE envelope carries no EDXL-HAVE HospitalStatus report")
    message_id, distribution = _message_header(data)
    return Message(message_id, distribution, hospitals)


def import_command(actor: Actor, message: Message, register_owner: uuid.UUID) -> ImportHospitalStatus:
    return ImportHospitalStatus(
        actor=actor,
        message_id=message.message_id,
        distribution=message.distribution,
        hospitals=message.hospitals,
        register_owner=register_owner,
    )


def _hospital(hospital: have.Hospital, locate: Locate) -> ReportedHospital:
    organisation = hospital.organization
    name = organisation.name
    if not name:
        raise InvalidInput("a Hospital of the report has no OrganisationName: name it")
    point = organisation.point
    location = None if point is None else Point(lon=point[1], lat=point[0])
    ed = hospital.emergency_department_status
    traffic = None if ed is None else ed.ems_traffic
    traffic_status = None if traffic is None else traffic.ems_traffic_status
    facility = hospital.hospital_facility_status
    facility_status = None if facility is None else facility.facility_status
    return ReportedHospital(
        name=name,
        reported_at=hospital.last_update_time.assuming(REGISTER_ZONE),
        identifiers=organisation.identifiers,
        location=location,
        country=None if location is None else locate(location.lon, location.lat),
        ems_traffic=None if traffic_status is None else traffic_status.value,
        ems_reason=None if traffic is None else traffic.ems_traffic_reason,
        ed_capacity=None if ed is None else _triage_total(ed.ems_capacity),
        facility_status=None if facility_status is None else facility_status.value,
        beds=_beds(hospital.hospital_bed_capacity_status),
    )


def _triage_total(count: have.TriageCount | None) -> int | None:
    """How many more patients the department takes, whatever their colour (HAVE counts per colour)."""
    quantities = [q for code in count.codes for q in code.quantities] if count else []
    return sum(quantities) if quantities else None


def _beds(status: have.HospitalBedCapacityStatus | None) -> tuple[Beds, ...]:
    """A BedCapacity's first BedType is its type and its first Capacity that type's figures (the rest are
    sub-categories). A type given twice counts once, as first given: never add up what may be one pool."""
    found: dict[str, Beds] = {}
    for capacity in status.beds if status else ():
        if not capacity.bed_types or capacity.bed_types[0].value in found:
            continue
        figures = capacity.capacities[0] if capacity.capacities else have.Capacity()
        status_given = figures.capacity_status
        vacant = None if status_given is None else status_given is have.CapacityStatus.VACANT_AVAILABLE
        kind = capacity.bed_types[0].value
        found[kind] = Beds(kind, figures.available_count, figures.baseline_count, vacant)
    return tuple(found.values())


# ---------------------------------------------------------------------------------------------------------
# Out.


def _organisation(view: HospitalView) -> have.Organization:
    name = f"{view.name} - {view.site}" if view.site else view.name  # matches "name site" again
    identifiers = list(dict.fromkeys([view.code, *view.identifiers]))
    return have.Organization(
        information=edxl_parts.organisation(name, identifiers),
        geo_location=edxl_parts.point_area(view.lat, view.lon),
    )


def _ed_status(status: StatusView | None) -> have.EmergencyDepartmentStatus | None:
    if status is None or status.ems_traffic is None:
        return None
    traffic = have.EmsTraffic(
        ems_traffic_status=have.EmsTrafficStatus(status.ems_traffic), ems_traffic_reason=status.ems_reason
    )
    return have.EmergencyDepartmentStatus(ems_traffic=traffic)


def _capacity_status(vacant: bool | None) -> have.CapacityStatus | None:
    if vacant is None:
        return None
    return have.CapacityStatus.VACANT_AVAILABLE if vacant else have.CapacityStatus.NOT_AVAILABLE


def _bed_status(status: StatusView | None) -> have.HospitalBedCapacityStatus | None:
    if status is None or not status.beds:
        return None
    return have.HospitalBedCapacityStatus(
        beds=tuple(
            have.BedCapacity(
                bed_types=(have.BedType(b.bed_type),),
                capacities=(
                    have.Capacity(
                        capacity_status=_capacity_status(b.vacant),
                        available_count=b.available,
                        baseline_count=b.baseline,
                    ),
                ),
            )
            for b in status.beds
        )
    )


def report_of(view: HospitalView) -> have.HospitalStatus:
    """The hospital's current (real) status as a HAVE report; with no report yet, who and where it is."""
    status = view.status
    facility = None
    if status is not None and status.facility_status is not None:
        facility = have.HospitalFacilityStatus(
            facility_status=have.FacilityStatusCode(status.facility_status)
        )
    hospital = have.Hospital(
        organization=_organisation(view),
        emergency_department_status=_ed_status(status),
        hospital_bed_capacity_status=_bed_status(status),
        hospital_facility_status=facility,
        last_update_time=XsDateTime.of(status.reported_at if status else view.registered_at),
    )
    return have.HospitalStatus(hospitals=(hospital,))


def export_have(engine: Engine, viewer: Viewer, hospital_id: uuid.UUID) -> bytes:
    """The report of one hospital the viewer may see (the same 404 as a missing one otherwise), validated."""
    view = q.get_hospital(engine, viewer, hospital_id)
    return edxl_have_xml.to_xml(report_of(view))
