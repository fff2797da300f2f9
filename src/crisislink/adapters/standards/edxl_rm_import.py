"""An EDXL-RM message received from another system, read into what crisislink records.

- RequestResource: one new request per ResourceInformation, of the importing partner, as a draft (the
  requester reviews it and sends it to the partners it chooses). The type is a catalogue code
  (`edxl_rm_capability`); how many from the Quantity (one if none is given); the staging area from the
  RequestedArrival (or ReportTo) Location, its description and GML point; from when: the RequestedArrival
  time, else the time the message was sent; until when: the EstimatedReturnDeparture time. Host-nation
  support from the labelled lines crisislink writes in Restrictions; everything else the message says
  goes into the description, with the message's id.
- ResponseToRequestResource, CommitResource: one offer on the request the message answers: its
  PrecedingMessageID (or OriginatingMessageID) is a RequestResource crisislink exported, or the caller
  names the request. The resources not declined are offered: their quantities added up (one each if not
  given), from the BeginAvailable time, else the time the message was sent.

What the message lacks and crisislink needs, the caller gives (`ImportOptions`); without it the import is
refused, naming the option. EDXL times may come without an offset: they are read in the zone the caller
gives (Europe/Brussels by default), never silently in UTC. Every message is validated against its
schema first (`edxl_rm_xml`): an invalid one is refused with the schema's reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from crisislink.adapters.standards import edxl_parts, edxl_rm_xml
from crisislink.adapters.standards import edxl_rm as rm
from crisislink.adapters.standards.edxl_rm_capability import capability_of, catalogue_codes
from crisislink.adapters.standards.edxl_rm_codes import Step, read_support, record_of
from crisislink.adapters.standards.edxl_values import XsDateTime
from crisislink.domains.assistance.model import MAX_NAME, MAX_TEXT, HostNationSupport, Point, StagingArea
from crisislink.kernel.errors import InvalidInput

_ARRIVAL = (rm.ScheduleType.REQUESTED_ARRIVAL, rm.ScheduleType.REPORT_TO)
_END = (rm.ScheduleType.ESTIMATED_RETURN_DEPARTURE, rm.ScheduleType.REQUESTED_RETURN_DEPARTURE)


@dataclass(frozen=True)
class ImportOptions:
    zone: tzinfo  # for times written without an offset
    capability: str | None = None  # the catalogue code, whatever type the message names
    until: datetime | None = None  # until when help is asked, if the message does not say
    staging: Point | None = None  # where the staging area is (the message gives only its name)
    staging_name: str | None = None  # its name, if the message gives no location at all
    request_id: uuid.UUID | None = None  # the request an answer is about, if the message does not say


@dataclass(frozen=True)
class ImportedNeed:
    capability: str
    quantity: int
    staging: StagingArea
    starts_at: datetime
    ends_at: datetime
    support: HostNationSupport
    description: str
    incident_id: uuid.UUID | None


@dataclass(frozen=True)
class ImportedOffer:
    request_id: uuid.UUID
    quantity: int
    resource_ids: tuple[str, ...]  # the ResourceID of each resource offered, where all have one
    capabilities: frozenset[str]  # the catalogue codes the resources name themselves, if any
    available_from: datetime
    conditions: str


@dataclass(frozen=True)
class ImportedMessage:
    message_id: str
    message_type: str
    needs: tuple[ImportedNeed, ...] = ()
    offer: ImportedOffer | None = None

    @property
    def source(self) -> str:
        """What the audit trail names: the standard, the message type and its id."""
        return f"EDXL-RM {self.message_type} {self.message_id}"


def read_message(data: bytes, options: ImportOptions) -> ImportedMessage:
    """The one RM message of `data` (bare or in an EDXL-DE envelope), validated, read for import."""
    messages = edxl_rm_xml.messages_in(data)
    if len(messages) != 1:
        raise InvalidInput(f"import one EDXL-RM message at a time; this document carries {len(messages)}")
    message = messages[0]
    if message.message_recall is not None:
        recalled = message.message_recall.recall_message_id
        raise InvalidInput(
            f"{message.content_type} {message.message_id} recalls message {recalled}; "
            "cancel or withdraw the record in crisislink instead"
        )
    if isinstance(message, rm.RequestResource):
        return ImportedMessage(message.message_id, message.content_type, needs=_needs(message, options))
    if isinstance(message, rm.ResponseToRequestResource | rm.CommitResource):
        return ImportedMessage(message.message_id, message.content_type, offer=_offer(message, options))
    raise InvalidInput(
        f"{message.content_type} is not imported: crisislink imports a RequestResource (as a new request) "
        "and a ResponseToRequestResource or CommitResource (as an offer); take the other steps on the offer"
    )


# ---------------------------------------------------------------------------------------------------------
# What is common.


def _time(value: XsDateTime | None, options: ImportOptions) -> datetime | None:
    return None if value is None else value.assuming(options.zone)


def _sent(message: rm.RmMessage, options: ImportOptions) -> datetime:
    return message.sent_date_time.assuming(options.zone)


def _scheduled(
    info: rm.ResourceInformation, kinds: Sequence[rm.ScheduleType]
) -> list[rm.ScheduleInformation]:
    return sorted(
        (s for s in info.schedules if s.schedule_type in kinds), key=lambda s: kinds.index(s.schedule_type)
    )


def _quantity(info: rm.ResourceInformation) -> int:
    """How many: the measured amount or the first number of the text; one if the message does not say."""
    given = info.assignment_information.quantity if info.assignment_information else None
    if given is None:
        return 1
    if given.measured_quantity is not None:
        amount = given.measured_quantity.amount
    else:
        text = " ".join(given.quantity_texts).strip()
        number = text.split()[0] if text else ""
        try:
            amount = float(number)
        except ValueError:
            raise InvalidInput(
                f"the quantity {text!r} of {info.resource_info_element_id} is not a number"
            ) from None
    if amount != int(amount) or amount < 1:
        raise InvalidInput(
            f"the quantity {amount:g} of {info.resource_info_element_id} is not a whole number of 1 or more"
        )
    return int(amount)


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parties(message: rm.RmMessage) -> str:
    named = []
    for person in message.contacts:
        names = (
            edxl_parts.party_names(person.additional_contact_information)
            if person.additional_contact_information
            else ()
        )
        label = person.contact_description or ", ".join(names) or "?"
        named.append(f"{label} ({person.contact_role})" if person.contact_role else label)
    return "; ".join(named)


# ---------------------------------------------------------------------------------------------------------
# A request.


def _needs(message: rm.RequestResource, options: ImportOptions) -> tuple[ImportedNeed, ...]:
    incident, incident_note = _incident(message)
    return tuple(_need(message, info, options, incident, incident_note) for info in message.resources)


def _incident(message: rm.RmMessage) -> tuple[uuid.UUID | None, str]:
    """crisislink's incident id if the message names one; otherwise what it says, for the description."""
    said = []
    for incident in message.incidents:
        try:
            return uuid.UUID(incident.incident_id or ""), ""
        except ValueError:
            said.append(" ".join(x for x in (incident.incident_id, incident.incident_description) if x))
    return None, "; ".join(said)


def _need(
    message: rm.RequestResource,
    info: rm.ResourceInformation,
    options: ImportOptions,
    incident: uuid.UUID | None,
    incident_note: str,
) -> ImportedNeed:
    code = capability_of(info.resource, options.capability)
    starts = next((_time(s.date_time, options) for s in _scheduled(info, _ARRIVAL) if s.date_time), None)
    starts = starts or _sent(message, options)
    ends = next((_time(s.date_time, options) for s in _scheduled(info, _END) if s.date_time), None)
    ends = ends or options.until
    if ends is None:
        raise InvalidInput(
            f"{message.message_id} does not say until when the resources are needed "
            "(no EstimatedReturnDeparture); give until=<time>"
        )
    assignment = info.assignment_information or rm.AssignmentInformation()
    support, restrictions = read_support(assignment.restrictions or "")
    resource = info.resource or rm.Resource()
    notes = [
        resource.description,
        restrictions,
        assignment.anticipated_function and f"Function: {assignment.anticipated_function}",
        resource.special_requirements and f"Requirements: {resource.special_requirements}",
        incident_note and f"Incident: {incident_note}",
        f"Imported from EDXL-RM RequestResource {message.message_id} ({info.resource_info_element_id}), "
        f"sent {message.sent_date_time.text} by {_parties(message)}.",
    ]
    return ImportedNeed(
        capability=code,
        quantity=_quantity(info),
        staging=_staging(message, info, options),
        starts_at=starts,
        ends_at=ends,
        support=support,
        description=_clip("\n".join(n for n in notes if n)),
        incident_id=incident,
    )


def _staging(message: rm.RmMessage, info: rm.ResourceInformation, options: ImportOptions) -> StagingArea:
    place = next((s.location for s in _scheduled(info, _ARRIVAL) if s.location is not None), None)
    name = (place.location_description or "").strip() if place else ""
    at = edxl_parts.point_of(place.target_area) if place and place.target_area else None
    point = options.staging or (Point(lon=at[1], lat=at[0]) if at else None)
    name = name or (options.staging_name or "").strip()
    if point is None or not name:
        where = f"at {name!r} without coordinates" if name else "nowhere"
        missing = [x for x in ("lon and lat" if point is None else "", "" if name else "staging_name") if x]
        raise InvalidInput(
            f"{message.message_id} places the resources {where}; give the staging area's {' and '.join(missing)}"
        )
    return StagingArea(name[:MAX_NAME], point)


# ---------------------------------------------------------------------------------------------------------
# An offer.


def _answered(message: rm.RmMessage, options: ImportOptions) -> uuid.UUID:
    named = record_of(message.preceding_message_id or "", Step.REQUEST) or record_of(
        message.originating_message_id, Step.REQUEST
    )
    if options.request_id is not None:
        if named is not None and named != options.request_id:
            raise InvalidInput(
                f"{message.message_id} answers request {named}, not request {options.request_id}; "
                "leave out request_id or import it on the right request"
            )
        return options.request_id
    if named is None:
        raise InvalidInput(
            f"{message.message_id} answers {message.preceding_message_id or message.originating_message_id}, "
            "which is not a request crisislink exported; give request_id=<the request's id>"
        )
    return named


def _offer(
    message: rm.ResponseToRequestResource | rm.CommitResource, options: ImportOptions
) -> ImportedOffer:
    request_id = _answered(message, options)
    offered = [
        info
        for info in message.resources
        if info.response_information is None
        or info.response_information.response_type is not rm.ResponseType.DECLINE
    ]
    if not offered:
        raise InvalidInput(f"{message.message_id} declines every resource: there is nothing to offer")
    available = next(
        (
            _time(s.date_time, options)
            for info in offered
            for s in info.schedules
            if s.schedule_type is rm.ScheduleType.BEGIN_AVAILABLE and s.date_time
        ),
        None,
    )
    ids = tuple(info.resource.resource_id for info in offered if info.resource and info.resource.resource_id)
    named = frozenset(code for info in offered if info.resource for code in catalogue_codes(info.resource))
    return ImportedOffer(
        request_id=request_id,
        quantity=sum(_quantity(info) for info in offered),
        resource_ids=ids if len(ids) == len(offered) else (),
        capabilities=named,
        available_from=available or _sent(message, options),
        conditions=_clip(_conditions(message, offered)),
    )


def _conditions(message: rm.RmMessage, offered: Sequence[rm.ResourceInformation]) -> str:
    lines = []
    for info in offered:
        answer, resource = info.response_information, info.resource
        if answer is not None and answer.response_reason:
            lines.append(answer.response_reason)
        if answer is not None and answer.reason_code is not None:
            lines.append(f"{answer.reason_code.value_list_urn}: {', '.join(answer.reason_code.values)}")
        if resource is not None and (resource.name or resource.resource_id):
            lines.append(
                " ".join(
                    x
                    for x in (resource.name, f"({resource.resource_id})" if resource.resource_id else None)
                    if x
                )
            )
    lines.append(
        f"Imported from EDXL-RM {message.content_type} {message.message_id}, sent {message.sent_date_time.text} "
        f"by {_parties(message)}."
    )
    return "\n".join(dict.fromkeys(lines))
