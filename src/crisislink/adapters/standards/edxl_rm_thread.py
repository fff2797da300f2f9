"""What every message of one request's conversation shares: its ids, incident, parties and the need itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from crisislink.adapters.db.queries.assistance_views import RequestView
from crisislink.adapters.standards import edxl_rm as rm
from crisislink.adapters.standards import edxl_rm_codes as codes
from crisislink.adapters.standards.edxl_rm_codes import Step
from crisislink.adapters.standards.edxl_rm_parts import (
    Partners,
    country_of,
    name_of,
    quantity,
    resource_type,
    staging_location,
)
from crisislink.adapters.standards.edxl_values import XsDateTime
from crisislink.domains.assistance.catalogue import CAPABILITIES
from crisislink.domains.assistance.model import HostNationSupport

LAST = 2**62  # the sequence of a step the log does not hold (a record copied without its history)


@dataclass(frozen=True)
class ExportedMessage:
    message_id: str
    step: Step
    record_id: uuid.UUID  # the request's or the offer's
    sent_by: uuid.UUID  # the partner that sent it
    sent_to: tuple[uuid.UUID, ...]  # the partners it is for
    at: datetime  # when the step was taken
    sequence: int  # where the step is in the event log: orders messages of the same instant
    message: rm.RmMessage  # one of the six message classes

    @property
    def message_type(self) -> str:
        return str(self.message.content_type)


@dataclass(frozen=True)
class Thread:
    request: RequestView
    partners: Partners

    @property
    def request_message_id(self) -> str:
        return codes.message_id(self.request.id, Step.REQUEST)

    @property
    def need_id(self) -> str:
        """The ResourceInfoElementID of what the request asks for; answers name it."""
        return f"{self.request.id}-need"

    @property
    def sent_to(self) -> tuple[uuid.UUID, ...]:
        return tuple(sorted(self.request.addressees))

    def incidents(self) -> tuple[rm.IncidentInformation, ...]:
        incident = self.request.incident_id
        return () if incident is None else (rm.IncidentInformation(incident_id=str(incident)),)

    @cached_property
    def staging(self) -> rm.Location:
        return staging_location(self.request.staging)

    def kind(self, sender_country: str | None) -> rm.Resource:
        return resource_type(self.request.capability, sender_country)

    def support(self) -> str | None:
        s = self.request.support
        return codes.support_text(HostNationSupport(s.liaison, tuple(s.languages), s.logistics))

    def capability_name(self) -> str:
        kind = CAPABILITIES.get(self.request.capability)
        return f"{kind.name} ({kind.code})" if kind is not None else self.request.capability

    def asks(self) -> str:
        r = self.request
        return (
            f"{name_of(self.partners, r.owner_partner_id)} asks for {r.quantity} x {self.capability_name()} "
            f"at {r.staging.name}"
        )

    def requested(self) -> rm.ResourceInformation:
        """The need: the type asked for, how many, where and when, and what the host provides."""
        r = self.request
        requester_country = country_of(self.partners, r.owner_partner_id)
        resource = self.kind(requester_country)
        if r.description:
            resource = replace(resource, description=r.description)
        return rm.ResourceInformation(
            resource_info_element_id=self.need_id,
            resource=resource,
            assignment_information=rm.AssignmentInformation(
                quantity=quantity(r.quantity), restrictions=self.support()
            ),
            schedules=(
                rm.ScheduleInformation(
                    schedule_type=rm.ScheduleType.REQUESTED_ARRIVAL,
                    date_time=XsDateTime.of(r.starts_at),
                    location=self.staging,
                ),
                rm.ScheduleInformation(
                    schedule_type=rm.ScheduleType.ESTIMATED_RETURN_DEPARTURE,
                    date_time=XsDateTime.of(r.ends_at),
                ),
            ),
        )
