"""An offer's thread as EDXL-RM messages: the response, the commitment, status, release or decline.

See `edxl_rm_export` for the table of steps and messages. The resources of a message are the offer's units
(one ResourceInformation each, ResourceID the unit's id) or, for an offer of a quantity, one
ResourceInformation with that quantity: as offered in the response and a decline, as accepted afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from crisislink.adapters.db.queries.assistance_history import StepView
from crisislink.adapters.db.queries.assistance_views import OfferView
from crisislink.adapters.standards import edxl_rm as rm
from crisislink.adapters.standards import edxl_rm_codes as codes
from crisislink.adapters.standards.edxl_rm_codes import DEPLOYMENT_LIST, Step
from crisislink.adapters.standards.edxl_rm_parts import contact, country_of, name_of, quantity, unit_resource
from crisislink.adapters.standards.edxl_rm_thread import LAST, ExportedMessage, Thread
from crisislink.adapters.standards.edxl_values import XsDateTime

ENDINGS = frozenset({"declined", "withdrawn", "lapsed"})
_ALLOWED = frozenset({"accepted", "mobilising", "deployed", "demobilised"}) | ENDINGS
_SCHEDULE = rm.ScheduleType


@dataclass(frozen=True)
class _Offer:
    """One offer within its request's thread, and what its messages need to say."""

    thread: Thread
    offer: OfferView

    @property
    def offerer(self) -> uuid.UUID:
        return self.offer.owner_partner_id

    @property
    def requester(self) -> uuid.UUID:
        return self.thread.request.owner_partner_id

    def name(self, partner: uuid.UUID) -> str:
        return name_of(self.thread.partners, partner)

    def contacts(self, sender: uuid.UUID) -> tuple[rm.ContactInformation, ...]:
        """The sender, then the other party in the role it plays."""
        other = self.requester if sender == self.offerer else self.offerer
        role = rm.ContactRole.REQUESTER if other == self.requester else rm.ContactRole.RESPONDING_ORG
        partners = self.thread.partners
        return (contact(partners, sender, rm.ContactRole.SENDER), contact(partners, other, role))

    def items(self, *, committed: bool, sender: uuid.UUID) -> list[tuple[str, rm.Resource, int]]:
        """(ResourceInfoElementID, resource, quantity) of what was offered, or of what was accepted."""
        kind = self.thread.kind(country_of(self.thread.partners, sender))
        units = self.offer.units
        if units:
            chosen = set(self.offer.accepted_units) if committed else {u.unit_id for u in units}
            return [
                (f"{self.offer.id}-{n}", unit_resource(kind, unit), 1)
                for n, unit in enumerate(units, start=1)
                if unit.unit_id in chosen
            ]
        amount = self.offer.accepted if committed else self.offer.quantity
        return [(f"{self.offer.id}-1", kind, amount)]

    def amount(self, *, committed: bool) -> str:
        count = self.offer.accepted if committed else self.offer.quantity
        return f"{count} x {self.thread.capability_name()}"

    def message(
        self,
        cls: type[rm.RmMessage],
        step: Step,
        *,
        sender: uuid.UUID,
        at: datetime,
        sequence: int,
        preceding: str,
        description: str,
        resources: tuple[rm.ResourceInformation, ...],
    ) -> ExportedMessage:
        message = cls(
            message_id=codes.message_id(self.offer.id, step),
            sent_date_time=XsDateTime.of(at),
            message_description=description,
            originating_message_id=self.thread.request_message_id,
            preceding_message_id=preceding,
            incidents=self.thread.incidents(),
            contacts=self.contacts(sender),
            resources=resources,
        )
        other = self.requester if sender == self.offerer else self.offerer
        return ExportedMessage(
            message.message_id, step, self.offer.id, sender, (other,), at, sequence, message
        )


def offer_messages(thread: Thread, offer: OfferView, steps: Sequence[StepView]) -> list[ExportedMessage]:
    """The offer's messages, oldest first: its response, then one (or two) for each later step."""
    o = _Offer(thread, offer)
    made = next((s.position for s in steps if s.status == "offered"), 0)
    messages = [_response(o, made)]
    for step in _later_steps(offer, steps):
        messages += _messages_of(o, step, messages[-1].message_id)
    return messages


def _later_steps(offer: OfferView, steps: Sequence[StepView]) -> list[StepView]:
    later = [s for s in steps if s.status in _ALLOWED]
    if offer.status != "offered" and offer.status not in {s.status for s in later}:
        # No event for the state it is in (a copy received without its history): the record says when.
        later.append(
            StepView(
                offer.request_id,
                offer.id,
                offer.status,
                offer.updated_at,
                offer.accepted,
                offer.reason,
                (),
                LAST,
            )
        )
    return later


def _messages_of(o: _Offer, step: StepView, preceding: str) -> list[ExportedMessage]:
    if step.status == "accepted":
        return [_commit(o, step, preceding)]
    if step.status == "mobilising":
        return [_report(o, step, preceding, Step.MOBILISING)]
    if step.status == "deployed":
        query = _status_query(o, step, preceding)
        return [query, _report(o, step, query.message_id, Step.DEPLOYED)]
    if step.status == "demobilised":
        return [_release(o, step, preceding)]
    return [_decline(o, step, preceding)]


def _taken_by(o: _Offer, step: StepView) -> uuid.UUID:
    """Who took a step: each step's event notifies the other party."""
    return o.requester if o.offerer in step.notified else o.offerer


# ---------------------------------------------------------------------------------------------------------
# The messages.


def _response(o: _Offer, sequence: int) -> ExportedMessage:
    offer, request = o.offer, o.thread.request
    conditions = [offer.conditions] if offer.conditions else []
    if offer.quantity < request.quantity:
        conditions.insert(0, f"offers {offer.quantity} of the {request.quantity} asked for")
    answer = rm.ResponseInformation(
        preceding_resource_info_element_id=o.thread.need_id,
        response_type=rm.ResponseType.PROVISIONAL if conditions else rm.ResponseType.ACCEPT,
        response_reason="; ".join(conditions) or None,
    )
    schedules = (
        rm.ScheduleInformation(
            schedule_type=_SCHEDULE.BEGIN_AVAILABLE, date_time=XsDateTime.of(offer.available_from)
        ),
        rm.ScheduleInformation(schedule_type=_SCHEDULE.REPORT_TO, location=o.thread.staging),
    )
    resources = tuple(
        rm.ResourceInformation(
            resource_info_element_id=element,
            response_information=answer,
            resource=resource,
            assignment_information=rm.AssignmentInformation(quantity=quantity(amount)),
            schedules=schedules,
        )
        for element, resource, amount in o.items(committed=False, sender=o.offerer)
    )
    description = f"{o.name(o.offerer)} offers {o.amount(committed=False)}"
    return o.message(
        rm.ResponseToRequestResource,
        Step.OFFER,
        sender=o.offerer,
        at=offer.offered_at,
        sequence=sequence,
        preceding=o.thread.request_message_id,
        description=description + (f": {offer.conditions}" if offer.conditions else ""),
        resources=resources,
    )


def _commit(o: _Offer, step: StepView, preceding: str) -> ExportedMessage:
    answer = rm.ResponseInformation(
        preceding_resource_info_element_id=o.thread.need_id, response_type=rm.ResponseType.ACCEPT
    )
    staging = o.thread.request.staging
    instructions = "\n".join(x for x in (f"Report to {staging.name}.", o.thread.support()) if x)
    resources = tuple(
        rm.ResourceInformation(
            resource_info_element_id=element,
            response_information=answer,
            resource=resource,
            assignment_information=rm.AssignmentInformation(
                quantity=quantity(amount),
                order_id=str(o.offer.id),
                assignment_instructions=rm.AssignmentInstructions(reporting_instructions=instructions),
            ),
            schedules=(
                rm.ScheduleInformation(
                    schedule_type=_SCHEDULE.COMMITTED,
                    date_time=XsDateTime.of(step.at),
                    location=o.thread.staging,
                ),
                rm.ScheduleInformation(
                    schedule_type=_SCHEDULE.ESTIMATED_RETURN_DEPARTURE,
                    date_time=XsDateTime.of(o.thread.request.ends_at),
                ),
            ),
        )
        for element, resource, amount in o.items(committed=True, sender=o.offerer)
    )
    description = f"{o.name(o.offerer)} commits {o.amount(committed=True)}, accepted by {o.name(o.requester)}"
    return o.message(
        rm.CommitResource,
        Step.COMMIT,
        sender=o.offerer,
        at=step.at,
        sequence=step.position,
        preceding=preceding,
        description=description,
        resources=resources,
    )


def _status(value: str) -> rm.ResourceStatus:
    return rm.ResourceStatus(deployment_status=rm.ValueList(value_list_urn=DEPLOYMENT_LIST, values=(value,)))


def _report(o: _Offer, step: StepView, preceding: str, which: Step) -> ExportedMessage:
    on_the_way = which is Step.MOBILISING
    schedule = rm.ScheduleInformation(
        schedule_type=_SCHEDULE.ACTUAL_DEPARTURE if on_the_way else _SCHEDULE.ACTUAL_ARRIVAL,
        date_time=XsDateTime.of(step.at),
        location=None if on_the_way else o.thread.staging,
    )
    resources = tuple(
        rm.ResourceInformation(
            resource_info_element_id=element,
            resource=replace(resource, resource_status=_status(step.status)),
            assignment_information=rm.AssignmentInformation(quantity=quantity(amount)),
            schedules=(schedule,),
        )
        for element, resource, amount in o.items(committed=True, sender=o.offerer)
    )
    where = f"on the way to {o.thread.request.staging.name}" if on_the_way else "deployed"
    return o.message(
        rm.ReportResourceDeploymentStatus,
        which,
        sender=o.offerer,
        at=step.at,
        sequence=step.position,
        preceding=preceding,
        description=f"{o.name(o.offerer)}: {o.amount(committed=True)} {where}",
        resources=resources,
    )


def _status_query(o: _Offer, step: StepView, preceding: str) -> ExportedMessage:
    resources = tuple(
        rm.ResourceInformation(
            resource_info_element_id=element,
            resource=resource,
            assignment_information=rm.AssignmentInformation(quantity=quantity(amount)),
            schedules=(rm.ScheduleInformation(schedule_type=_SCHEDULE.REPORT_TO, location=o.thread.staging),),
        )
        for element, resource, amount in o.items(committed=True, sender=o.offerer)
    )
    return o.message(
        rm.RequestResourceDeploymentStatus,
        Step.STATUS_QUERY,
        sender=o.requester,
        at=step.at,
        sequence=step.position,
        preceding=preceding,
        description=f"{o.name(o.requester)} asks where the {o.amount(committed=True)} are",
        resources=resources,
    )


def _release(o: _Offer, step: StepView, preceding: str) -> ExportedMessage:
    sender = _taken_by(o, step)
    resources = tuple(
        rm.ResourceInformation(
            resource_info_element_id=element,
            resource=replace(resource, resource_status=_status(step.status)),
            assignment_information=rm.AssignmentInformation(quantity=quantity(amount)),
            schedules=(
                rm.ScheduleInformation(
                    schedule_type=_SCHEDULE.ESTIMATED_RETURN_DEPARTURE, date_time=XsDateTime.of(step.at)
                ),
            ),
        )
        for element, resource, amount in o.items(committed=True, sender=o.offerer)
    )
    reason = f": {step.reason}" if step.reason else ""
    return o.message(
        rm.ReleaseResource,
        Step.RELEASE,
        sender=sender,
        at=step.at,
        sequence=step.position,
        preceding=preceding,
        description=f"{o.name(sender)} releases {o.amount(committed=True)}{reason}",
        resources=resources,
    )


def _decline(o: _Offer, step: StepView, preceding: str) -> ExportedMessage:
    sender = _taken_by(o, step)
    side = "requester" if sender == o.requester else "offerer"
    said = "the offer lapsed" if step.status == "lapsed" else f"the offer was {step.status} by the {side}"
    said += f": {step.reason}" if step.reason else ""
    answer = rm.ResponseInformation(
        preceding_resource_info_element_id=o.thread.need_id,
        response_type=rm.ResponseType.DECLINE,
        response_reason=said,
    )
    resources = tuple(
        rm.ResourceInformation(
            resource_info_element_id=element,
            response_information=answer,
            resource=resource,
            assignment_information=rm.AssignmentInformation(quantity=quantity(amount)),
        )
        for element, resource, amount in o.items(committed=False, sender=o.offerer)
    )
    return o.message(
        rm.ResponseToRequestResource,
        Step.DECLINE,
        sender=sender,
        at=step.at,
        sequence=step.position,
        preceding=preceding,
        description=f"{o.name(sender)}: {said}",
        resources=resources,
    )
