"""EDXL-HAVE 1.0 (Hospital AVailability Exchange): the model of a HospitalStatus report.

A report lists hospitals; each says who and where it is, then optionally its emergency department, its
beds per type, its services, its facility and its resources, and when it was last updated. This module
types what a cross-border hospital-capacity view needs: the organisation (name, identifiers, location),
the emergency department (EMS traffic, capacity and census by triage colour, ambulance and air offload),
the bed capacity per bed type, and the status of the facility and of its resources. The rest is kept
`Verbatim`, so a report read and written back loses nothing: the service coverage (a long list of
yes/no specialities), sub-categories of bed types, decontamination and 24-hour activity figures, and the
free-text resource notes, which the schema leaves untyped. `edxl_have_xml` reads, writes and validates.

Conventions as in `edxl_rm`: names follow the standard in snake_case; repeating elements are tuples with
plural names; the schema's closed code lists are StrEnums; times are `XsDateTime`s as written; the CIQ
organisation details and the GML location are `Verbatim` (`edxl_parts.organisation`, `point_area`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from crisislink.adapters.standards import edxl_parts
from crisislink.adapters.standards.edxl_values import Verbatim, XsDateTime, tag

NAMESPACE: Final = "urn:oasis:names:tc:emergency:EDXL:HAVE:1.0"


class EmsTrafficStatus(StrEnum):
    NORMAL = "Normal"
    ADVISORY = "Advisory"  # accepting, with limits the reason explains
    CLOSED = "Closed"  # diverting: no ambulances
    NOT_APPLICABLE = "NotApplicable"


class BedType(StrEnum):
    ADULT_ICU = "AdultICU"
    PEDIATRIC_ICU = "PediatricICU"
    NEONATAL_ICU = "NeonatalICU"
    EMERGENCY_DEPARTMENT = "EmergencyDepartment"
    NURSERY_BEDS = "NurseryBeds"
    MEDICAL_SURGICAL = "MedicalSurgical"
    REHAB_LONG_TERM_CARE = "RehabLongTermCare"
    BURN = "Burn"
    PEDIATRICS = "Pediatrics"
    ADULT_PSYCHIATRIC = "AdultPsychiatric"
    PEDIATRIC_PSYCHIATRIC = "PediatricPsychiatric"
    NEGATIVE_FLOW_ISOLATION = "NegativeFlowIsolation"
    OTHER_ISOLATION = "OtherIsolation"
    OPERATING_ROOMS = "OperatingRooms"


class CapacityStatus(StrEnum):
    VACANT_AVAILABLE = "Vacant/Available"
    NOT_AVAILABLE = "NotAvailable"


class TriageColour(StrEnum):
    RED = "Red"
    YELLOW = "Yellow"
    GREEN = "Green"
    BLACK = "Black"


class OffloadStatus(StrEnum):
    NORMAL = "Normal"
    DELAYED = "Delayed"


class ActiveStatus(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"


class ClinicalStatus(StrEnum):
    NORMAL = "Normal"
    FULL = "Full"


class MorgueCapacityStatus(StrEnum):
    OPEN = "Open"
    FULL = "Full"
    EXCEEDED = "Exceeded"


class FacilityStatusCode(StrEnum):
    NORMAL = "Normal"
    COMPROMISED = "Compromised"
    EVACUATING = "Evacuating"
    CLOSED = "Closed"


class SecurityStatus(StrEnum):
    NORMAL = "Normal"
    ELEVATED = "Elevated"
    RESTRICTED_ACCESS = "RestrictedAccess"
    LOCKDOWN = "Lockdown"
    QUARANTINE = "Quarantine"


class Adequacy(StrEnum):
    ADEQUATE = "Adequate"
    INSUFFICIENT = "Insufficient"


@dataclass(frozen=True, kw_only=True)
class Organization:
    information: Verbatim = field(metadata=tag("OrganizationInformation"))  # CIQ OrganisationDetails
    geo_location: Verbatim | None = field(default=None, metadata=tag("OrganizationGeoLocation"))
    comments: tuple[str, ...] = field(default=(), metadata=tag("CommentText"))

    @property
    def name(self) -> str | None:
        return edxl_parts.organisation_name(self.information)

    @property
    def identifiers(self) -> tuple[str, ...]:
        return edxl_parts.organisation_identifiers(self.information)

    @property
    def point(self) -> tuple[float, float] | None:
        """(lat, lon) WGS84 when the location is a point."""
        return None if self.geo_location is None else edxl_parts.point_of(self.geo_location)


@dataclass(frozen=True, kw_only=True)
class EmsTraffic:
    ems_traffic_status: EmsTrafficStatus | None = None
    ems_traffic_reason: str | None = None
    comment: str | None = field(default=None, metadata=tag("CommentText"))


@dataclass(frozen=True, kw_only=True)
class TriageCode:
    values: tuple[TriageColour, ...] = field(default=(), metadata=tag("TriageCodeValue"))
    quantities: tuple[int, ...] = field(default=(), metadata=tag("TriageCountQuantity"))


@dataclass(frozen=True, kw_only=True)
class TriageCount:
    """Patients by triage colour: how many more the ED can take (capacity) or has now (census)."""

    triage_code_list_urn: str | None = None  # absent means the HAVE colour code list
    codes: tuple[TriageCode, ...] = field(default=(), metadata=tag("TriageCode"))


@dataclass(frozen=True, kw_only=True)
class Offload:
    ems_offload_status: OffloadStatus | None = None
    ems_offload_minutes: int | None = None


@dataclass(frozen=True, kw_only=True)
class EmergencyDepartmentStatus:
    ems_traffic: EmsTraffic | None = None
    ems_capacity: TriageCount | None = None
    ems_census: TriageCount | None = None
    ems_ambulance_status: Offload | None = None
    ems_air_transport_status: Offload | None = None
    comments: tuple[str, ...] = field(default=(), metadata=tag("CommentText"))


@dataclass(frozen=True, kw_only=True)
class Capacity:
    capacity_status: CapacityStatus | None = None
    available_count: int | None = None  # beds a patient can be brought to now
    baseline_count: int | None = None
    additional_capacity_count_24h: int | None = field(
        default=None, metadata=tag("AdditionalCapacityCount24Hr")
    )
    additional_capacity_count_72h: int | None = field(
        default=None, metadata=tag("AdditionalCapacityCount72Hr")
    )


@dataclass(frozen=True, kw_only=True)
class BedCapacity:
    bed_types: tuple[BedType, ...] = field(default=(), metadata=tag("BedType"))
    sub_category_bed_types: tuple[Verbatim, ...] = field(default=(), metadata=tag("SubCategoryBedType"))
    capacities: tuple[Capacity, ...] = field(default=(), metadata=tag("Capacity"))
    comments: tuple[str, ...] = field(default=(), metadata=tag("CommentText"))


@dataclass(frozen=True, kw_only=True)
class HospitalBedCapacityStatus:
    beds: tuple[BedCapacity, ...] = field(metadata=tag("BedCapacity"))


@dataclass(frozen=True, kw_only=True)
class MorgueCapacity:
    morgue_capacity_status: MorgueCapacityStatus | None = None
    morgue_capacity_units: int | None = None


@dataclass(frozen=True, kw_only=True)
class HospitalFacilityStatus:
    hospital_eoc_status: ActiveStatus | None = None  # the hospital's emergency operations centre
    hospital_eoc_plan: ActiveStatus | None = None
    clinical_status: ClinicalStatus | None = None
    decon_capacity: Verbatim | None = None
    morgue_capacity: MorgueCapacity | None = None
    facility_status: FacilityStatusCode | None = None
    security_status: SecurityStatus | None = None
    activity_24h: Verbatim | None = field(default=None, metadata=tag("Activity24Hr"))
    comments: tuple[str, ...] = field(default=(), metadata=tag("CommentText"))


@dataclass(frozen=True, kw_only=True)
class HospitalResourcesStatus:
    staffing: Adequacy | None = None
    facility_operations: Adequacy | None = None
    clinical_operations: Adequacy | None = None
    resources_information_texts: tuple[Verbatim, ...] = field(
        default=(), metadata=tag("ResourcesInformationText")
    )
    comments: tuple[str, ...] = field(default=(), metadata=tag("CommentText"))


@dataclass(frozen=True, kw_only=True)
class Hospital:
    organization: Organization
    emergency_department_status: EmergencyDepartmentStatus | None = None
    hospital_bed_capacity_status: HospitalBedCapacityStatus | None = None
    service_coverage_status: Verbatim | None = None
    hospital_facility_status: HospitalFacilityStatus | None = None
    hospital_resources_status: HospitalResourcesStatus | None = None
    last_update_time: XsDateTime


@dataclass(frozen=True, kw_only=True)
class HospitalStatus:
    hospitals: tuple[Hospital, ...] = field(metadata=tag("Hospital"))
