"""Command handlers of the hospital register: load the register, import status reports.

The register is the node's: one partner keeps it (its owner), it is CLEAR, and only this node changes it.
Any duty officer or partner administrator may import status reports into it: reports come from hospitals
and their regional systems, whichever partner relays them (docs/hospitals.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crisislink.domains.assistance import hospital_commands as c
from crisislink.domains.assistance import hospital_events as e
from crisislink.domains.assistance.hospital import REPORT_SOURCE, Hospital, StatusReport
from crisislink.domains.assistance.hospital_matching import MATCH_RADIUS_M, by_identifier, by_name_and_place
from crisislink.domains.assistance.hospital_ports import HospitalUnitOfWork
from crisislink.domains.assistance.model import MAX_NAME, aware, text
from crisislink.domains.assistance.permissions import require_home, require_writer
from crisislink.kernel.errors import InvalidInput, PermissionDenied
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label, Tlp
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]
MAX_MESSAGE_ID = 300
MAX_IDENTIFIER = 200
# A report dated further ahead than this is refused: a sender's wrong clock would otherwise pin its
# figures as "newest" until the clock catches up.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass
class ImportResult:
    hospital_ids: list[uuid.UUID] = field(default_factory=list)  # in the message's order
    created: list[uuid.UUID] = field(default_factory=list)
    recorded: int = 0  # reports stored
    current: int = 0  # of which became a hospital's current status
    duplicates: int = 0  # reports of this message already stored (a message delivered twice)


def register_label(owner: uuid.UUID, node_id: uuid.UUID) -> Label:
    """Hospitals are public reference data: CLEAR, kept by the register's owner on this node."""
    return Label(owner_partner_id=owner, home_node_id=node_id, marking=Tlp.CLEAR)


def _require_keeper(actor: Actor) -> None:
    if not (actor.is_system or "node_admin" in actor.roles):
        raise PermissionDenied("loading the hospital register is for a node administrator")


def _require_owner(uow: HospitalUnitOfWork, owner: uuid.UUID) -> None:
    if uow.directory.partner(owner) is None:
        raise InvalidInput(f"no partner with id {owner} to keep the hospital register")


def _optional(value: str | None, what: str) -> str | None:
    return None if value is None else text(value, what, MAX_NAME, required=False) or None


def _hospital(spec: c.RegisteredHospital, label: Label, source: str, at: datetime) -> Hospital:
    code = text(spec.code, "a hospital's code", 100)
    return Hospital(
        id=new_id(),
        label=label,
        code=code,
        name=text(spec.name, f"the name of hospital {code}", MAX_NAME),
        site=_optional(spec.site, "a site name"),
        location=spec.location,
        country=spec.country,
        city=_optional(spec.city, "a city"),
        postcode=_optional(spec.postcode, "a postcode"),
        identifiers=(code,),
        beds=spec.beds,
        emergency=spec.emergency,
        kind=spec.kind,
        source=source,
        registered_at=at,
    )


def register_hospitals(cmd: c.RegisterHospitals, uow: HospitalUnitOfWork, now: Now) -> int:
    _require_keeper(cmd.actor)
    _require_owner(uow, cmd.owner_partner_id)
    label = register_label(cmd.owner_partner_id, uow.node_id)
    known = uow.hospitals.existing_codes(spec.code for spec in cmd.hospitals)
    at = now()
    added = 0
    for spec in cmd.hospitals:
        if spec.code in known:
            continue
        known.add(spec.code)
        uow.hospitals.add(_hospital(spec, label, cmd.source, at))
        added += 1
    if added:
        uow.emit(e.HospitalsRegistered(label=label, count=added, source=cmd.source))
    uow.commit()
    return added


def _identifiers(reported: c.ReportedHospital) -> tuple[str, ...]:
    kept = (text(i, "an organisation identifier", MAX_IDENTIFIER) for i in reported.identifiers if i.strip())
    return tuple(dict.fromkeys(kept))


def _find(uow: HospitalUnitOfWork, reported: c.ReportedHospital) -> Hospital | None:
    identifiers = _identifiers(reported)
    if identifiers:
        found = by_identifier(uow.hospitals.with_identifiers(identifiers), identifiers)
        if found is not None:
            return found
    if reported.location is None:
        return None
    return by_name_and_place(
        uow.hospitals.near(reported.location, MATCH_RADIUS_M), reported.name, reported.location
    )


def _create(
    uow: HospitalUnitOfWork, cmd: c.ImportHospitalStatus, reported: c.ReportedHospital, at: datetime
) -> Hospital:
    if reported.location is None:
        raise InvalidInput(
            f"the report names hospital {reported.name!r}, which matches no known identifier, and gives no "
            "location: it can be neither matched nor placed on the map (send OrganizationGeoLocation)"
        )
    hospital_id = new_id()
    label = register_label(cmd.register_owner, uow.node_id)
    hospital = Hospital(
        id=hospital_id,
        label=label,
        code=f"have-{hospital_id}",
        name=text(reported.name, "the hospital's name", MAX_NAME),
        site=None,
        location=reported.location,
        country=reported.country,
        city=None,
        postcode=None,
        identifiers=(f"have-{hospital_id}",),
        beds=None,
        emergency=None,
        kind=None,
        source=REPORT_SOURCE,
        registered_at=at,
    )
    hospital.record(
        e.HospitalRegistered(
            label=label, hospital_id=hospital.id, code=hospital.code, name=hospital.name, source=REPORT_SOURCE
        )
    )
    uow.hospitals.add(hospital)
    return hospital


def _reported_at(reported: c.ReportedHospital) -> datetime:
    return aware(reported.reported_at, f"the LastUpdateTime of {reported.name!r}")


def _report(cmd: c.ImportHospitalStatus, reported: c.ReportedHospital, received: datetime) -> StatusReport:
    reported_at = _reported_at(reported)
    if reported_at > received + CLOCK_SKEW:
        raise InvalidInput(
            f"the LastUpdateTime of {reported.name!r} ({reported_at.isoformat()}) is in the future; "
            "check the sender's clock"
        )
    return StatusReport(
        id=new_id(),
        message_id=cmd.message_id,
        distribution=cmd.distribution,
        reported_at=reported_at,
        received_at=received,
        reported_by=cmd.actor.partner_id,
        ems_traffic=reported.ems_traffic,
        ems_reason=reported.ems_reason,
        ed_capacity=reported.ed_capacity,
        facility_status=reported.facility_status,
        beds=reported.beds,
    )


def import_hospital_status(cmd: c.ImportHospitalStatus, uow: HospitalUnitOfWork, now: Now) -> ImportResult:
    require_writer(cmd.actor)
    text(cmd.message_id, "the message id", MAX_MESSAGE_ID)
    if not cmd.hospitals:
        raise InvalidInput("the message reports no hospital")
    _require_owner(uow, cmd.register_owner)
    received, result = now(), ImportResult()
    for reported in cmd.hospitals:
        hospital = _find(uow, reported)
        if hospital is None:
            hospital = _create(uow, cmd, reported, received)
            result.created.append(hospital.id)
        require_home(hospital, uow.node_id, "hospital")
        result.hospital_ids.append(hospital.id)
        _receive(uow, cmd, hospital, _report(cmd, reported, received), result)
        hospital.learn(_identifiers(reported))
    uow.commit()
    return result


def _receive(
    uow: HospitalUnitOfWork,
    cmd: c.ImportHospitalStatus,
    hospital: Hospital,
    report: StatusReport,
    result: ImportResult,
) -> None:
    if hospital.has_received(cmd.message_id) or uow.hospitals.has_report(hospital.id, cmd.message_id):
        result.duplicates += 1
        return
    current = hospital.receive(report)
    result.recorded += 1
    result.current += int(current)
    hospital.record(
        e.HospitalStatusReported(
            label=hospital.label,
            hospital_id=hospital.id,
            report_id=report.id,
            message_id=report.message_id,
            distribution=report.distribution,
            reported_at=report.reported_at,
            current=current,
            ems_traffic=report.ems_traffic,
            facility_status=report.facility_status,
        )
    )
