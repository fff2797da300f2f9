"""A request for assistance and its offers as EDXL-RM 1.0 messages, one per step taken so far.

| step (crisislink)                          | message                                   | sent by   |
|--------------------------------------------|-------------------------------------------|-----------|
| request sent                               | RequestResource                           | requester |
| offer made                                 | ResponseToRequestResource, Accept (all that was asked, no conditions) or Provisional (part, or on conditions) | offerer |
| offer accepted                             | CommitResource (Accept, the quantity accepted) | offerer |
| offer mobilised                            | ReportResourceDeploymentStatus "mobilising" | offerer |
| offer deployed                             | RequestResourceDeploymentStatus (the requester asks), then ReportResourceDeploymentStatus "deployed" | requester, offerer |
| offer demobilised                          | ReleaseResource                           | who released it |
| offer declined, withdrawn or lapsed        | ResponseToRequestResource, Decline, with the reason | who ended it |
| request closed, cancelled or expired       | RequestResource recalling the request (RecallType Cancel) | requester |

Threading: every message's OriginatingMessageID is the request's RequestResource; PrecedingMessageID is the
message before it in the same offer's thread (the request for an offer's first message). Message ids are
the record id and the step (`edxl_rm_codes.message_id`), so exporting again gives the same ids, and the
times are those of the steps (from the event log), so the same messages.

Only what the reader may see is passed in (the caller reads through the sharing policy): the requester
gets every offer's thread, an offerer its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from crisislink.adapters.db.queries.assistance_history import StepView
from crisislink.adapters.db.queries.assistance_views import OfferView, RequestView
from crisislink.adapters.standards import edxl_rm as rm
from crisislink.adapters.standards import edxl_rm_codes as codes
from crisislink.adapters.standards import edxl_rm_offers as offers_out
from crisislink.adapters.standards.edxl_rm_codes import Step
from crisislink.adapters.standards.edxl_rm_parts import Partners, contact, name_of
from crisislink.adapters.standards.edxl_rm_thread import LAST, ExportedMessage, Thread
from crisislink.adapters.standards.edxl_values import XsDateTime

__all__ = ["ExportedMessage", "request_messages"]

ENDED = frozenset({"closed", "cancelled", "expired"})


def request_messages(
    request: RequestView, offers: Sequence[OfferView], steps: Sequence[StepView], partners: Partners
) -> list[ExportedMessage]:
    """Every step of the request and of the given offers as a message, in the order they were taken."""
    if request.status == "draft" or not request.addressees:
        return []  # never sent (a draft, or a draft cancelled): there is no conversation to write down
    thread = Thread(request, partners)
    sent = _first(steps, None, "open")
    messages = [
        _request_resource(thread, sent.at if sent else request.created_at, sent.position if sent else 0)
    ]
    for offer in offers:
        offer_steps = [s for s in steps if s.offer_id == offer.id]
        messages += offers_out.offer_messages(thread, offer, offer_steps)
    if request.status in ENDED:
        ended = _first(steps, None, request.status) or StepView(
            request.id, None, request.status, request.updated_at, request.accepted, "", (), LAST
        )
        messages.append(_ended(thread, ended))
    # By time, then by the order in the log (steps of the same instant); sorted() keeps thread order after.
    return sorted(messages, key=lambda m: (m.at, m.sequence))


def _first(steps: Sequence[StepView], offer_id: uuid.UUID | None, status: str) -> StepView | None:
    return next((s for s in steps if s.offer_id == offer_id and s.status == status), None)


def _request_resource(thread: Thread, at: datetime, sequence: int) -> ExportedMessage:
    request = thread.request
    message = rm.RequestResource(
        message_id=thread.request_message_id,
        sent_date_time=XsDateTime.of(at),
        message_description=thread.asks(),
        originating_message_id=thread.request_message_id,
        incidents=thread.incidents(),
        contacts=(contact(thread.partners, request.owner_partner_id, rm.ContactRole.REQUESTER),),
        resources=(thread.requested(),),
    )
    return ExportedMessage(
        message.message_id,
        Step.REQUEST,
        request.id,
        request.owner_partner_id,
        thread.sent_to,
        at,
        sequence,
        message,
    )


def _ended(thread: Thread, step: StepView) -> ExportedMessage:
    request, at = thread.request, step.at
    said = f"the request was {request.status}" + (f": {step.reason}" if step.reason else "")
    message = rm.RequestResource(
        message_id=codes.message_id(request.id, Step.ENDED),
        sent_date_time=XsDateTime.of(at),
        message_description=f"{name_of(thread.partners, request.owner_partner_id)}: {said}",
        originating_message_id=thread.request_message_id,
        incidents=thread.incidents(),
        message_recall=rm.MessageRecall(
            recall_message_id=thread.request_message_id, recall_type=rm.RecallType.CANCEL
        ),
        contacts=(contact(thread.partners, request.owner_partner_id, rm.ContactRole.REQUESTER),),
        resources=(thread.requested(),),
    )
    return ExportedMessage(
        message.message_id,
        Step.ENDED,
        request.id,
        request.owner_partner_id,
        thread.sent_to,
        at,
        step.position,
        message,
    )
