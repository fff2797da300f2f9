"""Can a hospital take N patients of a category? The categories and the rule, written once.

A category is an EDXL-HAVE 1.0 bed type (the schema's closed list), or `emergency`: an emergency
department open to ambulances. docs/hospitals.md has the table; in short:

* a bed type: the current report lists that type, not NotAvailable, with an AvailableCount >= N;
* `emergency`: the current report's EMS traffic is Normal or Advisory, and its room for N is confirmed by
  the EMS capacity (the sum over triage colours) or the EmergencyDepartment beds when the report gives
  either. An open department whose room is not counted is *unconfirmed*. With no report saying anything
  of the department, the register's emergency flag (Belgium only) makes it an unconfirmed candidate.

A hospital whose facility is Closed or Evacuating takes nobody. Unconfirmed candidates are listed after
confirmed ones, whatever their travel time.
"""

from __future__ import annotations

from dataclasses import dataclass

from crisislink.domains.assistance.hospital import StatusReport
from crisislink.kernel.errors import InvalidInput

BED_TYPES = (
    "AdultICU",
    "PediatricICU",
    "NeonatalICU",
    "EmergencyDepartment",
    "NurseryBeds",
    "MedicalSurgical",
    "RehabLongTermCare",
    "Burn",
    "Pediatrics",
    "AdultPsychiatric",
    "PediatricPsychiatric",
    "NegativeFlowIsolation",
    "OtherIsolation",
    "OperatingRooms",
)
EMERGENCY = "emergency"
CATEGORIES = (*BED_TYPES, EMERGENCY)
ED_BEDS = "EmergencyDepartment"
OPEN_TRAFFIC = frozenset({"Normal", "Advisory"})
SHUT_FACILITY = frozenset({"Closed", "Evacuating"})
MAX_PATIENTS = 10_000


@dataclass(frozen=True)
class Ability:
    able: bool
    confirmed: bool = False  # a current report counts room for the patients
    available: int | None = None  # the count that decided, when there is one
    basis: str | None = None  # "report" or "register"


NOT_ABLE = Ability(able=False)


def category(value: str) -> str:
    """The category named (bed types in any letter case), or a clear error naming the choices."""
    found = next((c for c in CATEGORIES if c.lower() == value.strip().lower()), None)
    if found is None:
        raise InvalidInput(f"category: {value!r} is not one of {', '.join(CATEGORIES)}")
    return found


def patients(value: int) -> int:
    if not 1 <= value <= MAX_PATIENTS:
        raise InvalidInput(f"patients must be between 1 and {MAX_PATIENTS}, not {value}")
    return value


def judge(kind: str, count: int, report: StatusReport | None, register_emergency: bool | None) -> Ability:
    """Whether a hospital with this current report (and register flag) can take `count` of `kind`."""
    if report is not None and report.facility_status in SHUT_FACILITY:
        return NOT_ABLE
    if kind == EMERGENCY:
        return _emergency(count, report, register_emergency)
    beds = None if report is None else report.bed(kind)
    if beds is None or beds.vacant is False or beds.available is None or beds.available < count:
        return NOT_ABLE
    return Ability(able=True, confirmed=True, available=beds.available, basis="report")


def _emergency(count: int, report: StatusReport | None, register_emergency: bool | None) -> Ability:
    traffic = None if report is None else report.ems_traffic
    if traffic is None or traffic == "NotApplicable":
        # The report says nothing of the department: only the register can name a candidate.
        return Ability(able=True, basis="register") if register_emergency else NOT_ABLE
    if traffic not in OPEN_TRAFFIC:
        return NOT_ABLE
    assert report is not None
    room = _ed_room(report)
    if room is None:
        return Ability(able=True, basis="report")
    if room < count:
        return NOT_ABLE
    return Ability(able=True, confirmed=True, available=room, basis="report")


def _ed_room(report: StatusReport) -> int | None:
    if report.ed_capacity is not None:
        return report.ed_capacity
    beds = report.bed(ED_BEDS)
    if beds is None or beds.available is None:
        return None
    return 0 if beds.vacant is False else beds.available
