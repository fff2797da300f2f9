"""Importing a message received from another system (EDXL-RM): the requests it asks for, or the offer it
makes, recorded in one transaction: all of it, or nothing.

Each part is the command a person would have given, checked by the same handler; only the commit waits
for the last part. The command names its source, so the audit trail says which message it came from.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.handlers import Now
from crisislink.domains.assistance.offer_handlers import make_offer
from crisislink.domains.assistance.ports import (
    AssistanceUnitOfWork,
)
from crisislink.domains.assistance.request_handlers import create_request
from crisislink.kernel.deferred import deferring_commits
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.messages import Command


@dataclass(frozen=True, kw_only=True)
class ImportAssistanceMessage(Command):
    """Requests or offers read from one received message. The parts' actors are replaced by this one's."""

    source: str  # the standard, message type and id, e.g. "EDXL-RM RequestResource RequestResource.1"
    requests: tuple[c.CreateAssistanceRequest, ...] = ()
    offers: tuple[c.MakeOffer, ...] = ()


def import_message(
    cmd: ImportAssistanceMessage, uow: AssistanceUnitOfWork, now: Now
) -> tuple[uuid.UUID, ...]:
    """Record every part; returns the ids of the requests and offers made, in order."""
    if not cmd.requests and not cmd.offers:
        raise InvalidInput(f"{cmd.source} asks for nothing and offers nothing crisislink can record")
    batch = deferring_commits(uow)
    made = [create_request(replace(part, actor=cmd.actor), batch, now) for part in cmd.requests]
    made += [make_offer(replace(part, actor=cmd.actor), batch, now) for part in cmd.offers]
    uow.commit()
    return tuple(made)
