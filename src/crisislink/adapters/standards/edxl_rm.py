"""EDXL-RM 1.0 (OASIS Emergency Data Exchange Language, Resource Messaging): the messages of mutual assistance.

The six messages of a request's life: RequestResource -> ResponseToRequestResource (Accept / Decline /
Provisional) -> CommitResource -> RequestResourceDeploymentStatus / ReportResourceDeploymentStatus ->
ReleaseResource. Each is a frozen dataclass over one common model; `edxl_rm_xml` writes, reads and validates
the XML. The other ten RM messages (quotes, returns, extended durations...) are validated, not modelled.

The model is the union of the six schemas, declared in their (shared) sequence order; what a message may
not carry, its schema refuses when the message is written (a RequestResource has no PrecedingMessageID and
no ResponseInformation; a CommitResource's AssignmentInformation needs a Quantity...). MessageContentType is
not a field: each schema fixes it to the message's own name, so the class says it.

Conventions:
- names follow the standard in snake_case; a repeating element is a tuple with a plural name
  (`contacts` are the ContactInformation elements);
- the closed code lists of the schema (ResponseType, ScheduleType, ContactRole, RecallType) are StrEnums;
  open lists are `ValueList`s (a list URN and its values), as in the standard;
- times are `XsDateTime`s, kept as written (real messages carry times without offset);
- what the model does not type is kept `Verbatim`: TypeInfo (open content), a contact's CIQ party
  details, an xAL address, a GML target area. `edxl_parts` builds and reads the usual ones;
- threading: a response names the request's `resource_info_element_id` in its ResponseInformation's
  `preceding_resource_info_element_id`; `originating_message_id` is the first message of the conversation,
  `preceding_message_id` the one answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Final

from crisislink.adapters.standards.edxl_values import Verbatim, XsDateTime, tag

NAMESPACE: Final = "urn:oasis:names:tc:emergency:EDXL:RM:1.0"  # the common types ("rm")
MESSAGE_NAMESPACE: Final = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"  # the messages ("rmsg")


class MessageType(StrEnum):
    REQUEST_RESOURCE = "RequestResource"
    RESPONSE_TO_REQUEST_RESOURCE = "ResponseToRequestResource"
    COMMIT_RESOURCE = "CommitResource"
    REQUEST_RESOURCE_DEPLOYMENT_STATUS = "RequestResourceDeploymentStatus"
    REPORT_RESOURCE_DEPLOYMENT_STATUS = "ReportResourceDeploymentStatus"
    RELEASE_RESOURCE = "ReleaseResource"


class ResponseType(StrEnum):
    ACCEPT = "Accept"
    DECLINE = "Decline"
    PROVISIONAL = "Provisional"  # then a ReasonCode or a ResponseReason says on what condition


class ContactRole(StrEnum):
    SENDER = "Sender"
    REQUESTER = "Requester"
    SUBJECT_MATTER_EXPERT = "SubjectMatterExpert"
    APPROVER = "Approver"
    RESPONDING_ORG = "RespondingOrg"
    OWNER = "Owner"


class RecallType(StrEnum):
    UPDATE = "Update"
    CANCEL = "Cancel"


class ScheduleType(StrEnum):
    """All schedule types of RM 1.0; each message's schema admits a subset (see docs/assistance-standards.md)."""

    REQUESTED_ARRIVAL = "RequestedArrival"
    ESTIMATED_ARRIVAL = "EstimatedArrival"
    ACTUAL_ARRIVAL = "ActualArrival"
    REQUESTED_DEPARTURE = "RequestedDeparture"
    ESTIMATED_DEPARTURE = "EstimatedDeparture"
    ACTUAL_DEPARTURE = "ActualDeparture"
    ESTIMATED_RETURN_DEPARTURE = "EstimatedReturnDeparture"
    ESTIMATED_RETURN_ARRIVAL = "EstimatedReturnArrival"
    ACTUAL_RETURN_ARRIVAL = "ActualReturnArrival"
    REQUESTED_RETURN_DEPARTURE = "RequestedReturnDeparture"
    REQUESTED_RETURN_ARRIVAL = "RequestedReturnArrival"
    ACTUAL_RETURN_DEPARTURE = "ActualReturnDeparture"
    BEGIN_AVAILABLE = "BeginAvailable"
    END_AVAILABLE = "EndAvailable"
    COMMITTED = "Committed"
    CURRENT = "Current"
    REPORT_TO = "ReportTo"
    ROUTE = "Route"


# ---------------------------------------------------------------------------------------------------------
# The common types (EDXL-RMCommonTypes.xsd).


@dataclass(frozen=True, kw_only=True)
class ValueList:
    """A value from a named list: the list's URN and one or more values (RM's way to carry open codes)."""

    value_list_urn: str
    values: tuple[str, ...] = field(metadata=tag("Value"))


@dataclass(frozen=True, kw_only=True)
class IncidentInformation:
    incident_id: str | None = None  # one of the two is required (the schema cannot say so)
    incident_description: str | None = None


@dataclass(frozen=True, kw_only=True)
class MessageRecall:
    recall_message_id: str
    recall_type: RecallType


@dataclass(frozen=True, kw_only=True)
class Funding:
    fund_code: str | None = None  # one of the two is required (the schema cannot say so)
    funding_info: str | None = None


@dataclass(frozen=True, kw_only=True)
class RadioInformation:
    radio_type: ValueList
    radio_channel: str


@dataclass(frozen=True, kw_only=True)
class Location:
    """One or more of: a description, an xAL address, a GML target area (`edxl_parts.point_area`)."""

    location_description: str | None = None
    address: Verbatim | None = None
    target_area: Verbatim | None = None


@dataclass(frozen=True, kw_only=True)
class ContactInformation:
    contact_description: str | None = None  # this or the role is required (the schema cannot say so)
    contact_role: ContactRole | None = None
    radios: tuple[RadioInformation, ...] = field(default=(), metadata=tag("Radio"))
    contact_location: Location | None = None
    additional_contact_information: Verbatim | None = None  # a CIQ xPIL party (`edxl_parts.party`)


@dataclass(frozen=True, kw_only=True)
class ResponseInformation:
    preceding_resource_info_element_id: str  # the ResourceInfoElementID of the request answered
    response_type: ResponseType
    reason_code: ValueList | None = None
    response_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class MeasuredQuantity:
    amount: float
    unit_of_measure: ValueList | None = None


@dataclass(frozen=True, kw_only=True)
class Quantity:
    """Either free-text quantities ("4", "one strike team") or one measured quantity, not both."""

    quantity_texts: tuple[str, ...] = field(default=(), metadata=tag("QuantityText"))
    measured_quantity: MeasuredQuantity | None = None


@dataclass(frozen=True, kw_only=True)
class OwnershipInformation:
    owner: str | None = None
    owning_jurisdiction: str | None = None
    home_dispatch: str | None = None
    home_unit: str | None = None


@dataclass(frozen=True, kw_only=True)
class AssignmentInstructions:
    mode_of_transportation: str | None = None
    navigation_instructions: str | None = None
    reporting_instructions: str | None = None


# ---------------------------------------------------------------------------------------------------------
# The parts of a message (inline types of the message schemas, in the "rmsg" namespace).


@dataclass(frozen=True, kw_only=True)
class ResourceStatus:
    inventory_refresh_date_time: XsDateTime | None = None
    deployment_status: ValueList | None = None
    availability: str | None = None


@dataclass(frozen=True, kw_only=True)
class Resource:
    """What is requested or offered: an identified unit, a name, and/or a type (one of the first three)."""

    resource_id: str | None = None
    name: str | None = None
    type_structure: ValueList | None = None  # the typing scheme, e.g. a list URN and "MUSAR"
    type_info: Verbatim | None = None  # open content (`edxl_parts.fields`, `edxl_parts.type_info`)
    keywords: tuple[ValueList, ...] = field(default=(), metadata=tag("Keyword"))
    description: str | None = None
    credentials: str | None = None
    certifications: str | None = None
    special_requirements: str | None = None
    responsible_party: ContactInformation | None = None
    ownership_information: OwnershipInformation | None = None
    resource_status: ResourceStatus | None = None


@dataclass(frozen=True, kw_only=True)
class AssignmentInformation:
    quantity: Quantity | None = None  # required in CommitResource and ReleaseResource
    restrictions: str | None = None
    anticipated_function: str | None = None
    price_quote: Quantity | None = None
    order_id: str | None = None
    assignment_instructions: AssignmentInstructions | None = None


@dataclass(frozen=True, kw_only=True)
class ScheduleInformation:
    schedule_type: ScheduleType
    date_time: XsDateTime | None = None
    location: Location | None = None


@dataclass(frozen=True, kw_only=True)
class ResourceInformation:
    """One resource asked for, offered, committed or released; `resource_info_element_id` names it."""

    resource_info_element_id: str
    response_information: ResponseInformation | None = None
    resource: Resource | None = None
    assignment_information: AssignmentInformation | None = None
    schedules: tuple[ScheduleInformation, ...] = field(default=(), metadata=tag("ScheduleInformation"))


# ---------------------------------------------------------------------------------------------------------
# The messages.


@dataclass(frozen=True, kw_only=True)
class RmMessage:
    """The header and body every RM message shares; use one of the six subclasses."""

    content_type: ClassVar[MessageType]

    message_id: str
    sent_date_time: XsDateTime
    message_description: str | None = None
    originating_message_id: str
    preceding_message_id: str | None = None
    incidents: tuple[IncidentInformation, ...] = field(default=(), metadata=tag("IncidentInformation"))
    message_recall: MessageRecall | None = None
    funding: tuple[Funding, ...] = ()
    contacts: tuple[ContactInformation, ...] = field(metadata=tag("ContactInformation"))
    resources: tuple[ResourceInformation, ...] = field(metadata=tag("ResourceInformation"))


@dataclass(frozen=True, kw_only=True)
class RequestResource(RmMessage):
    """A request for resources; starts a conversation (`originating_message_id` is usually its own id)."""

    content_type: ClassVar[MessageType] = MessageType.REQUEST_RESOURCE


@dataclass(frozen=True, kw_only=True)
class ResponseToRequestResource(RmMessage):
    """An answer to a request, per resource: Accept, Decline or Provisional (an offer)."""

    content_type: ClassVar[MessageType] = MessageType.RESPONSE_TO_REQUEST_RESOURCE
    preceding_message_id: str


@dataclass(frozen=True, kw_only=True)
class CommitResource(RmMessage):
    """The commitment of resources to a request (after the requester accepted the offer)."""

    content_type: ClassVar[MessageType] = MessageType.COMMIT_RESOURCE
    preceding_message_id: str


@dataclass(frozen=True, kw_only=True)
class RequestResourceDeploymentStatus(RmMessage):
    content_type: ClassVar[MessageType] = MessageType.REQUEST_RESOURCE_DEPLOYMENT_STATUS


@dataclass(frozen=True, kw_only=True)
class ReportResourceDeploymentStatus(RmMessage):
    content_type: ClassVar[MessageType] = MessageType.REPORT_RESOURCE_DEPLOYMENT_STATUS


@dataclass(frozen=True, kw_only=True)
class ReleaseResource(RmMessage):
    """The host releases resources (demobilisation); their Quantity is required."""

    content_type: ClassVar[MessageType] = MessageType.RELEASE_RESOURCE


Message = (
    RequestResource
    | ResponseToRequestResource
    | CommitResource
    | RequestResourceDeploymentStatus
    | ReportResourceDeploymentStatus
    | ReleaseResource
)
MESSAGE_CLASSES: Final[dict[MessageType, type[RmMessage]]] = {
    cls.content_type: cls
    for cls in (
        RequestResource,
        ResponseToRequestResource,
        CommitResource,
        RequestResourceDeploymentStatus,
        ReportResourceDeploymentStatus,
        ReleaseResource,
    )
}
# Types whose children the message schemas declare inline: their elements are in the "rmsg" namespace.
INLINE_TYPES: Final[frozenset[type]] = frozenset(
    {ResourceInformation, Resource, ResourceStatus, AssignmentInformation, ScheduleInformation}
)
