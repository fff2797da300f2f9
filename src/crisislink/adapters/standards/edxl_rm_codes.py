"""What crisislink's EDXL-RM export writes and its import reads back: value lists, message ids, texts.

- Value lists of our own (RM carries open codes as a list URN and values): the capability code of the
  catalogue, the UCPM module abbreviation, the deployment state of an offer.
- Message ids: the record's id and the step, `<request id>-request`, `<offer id>-commit`..., so exporting
  again gives the same id and an answer can name the request it answers by its message id alone.
- Host-nation support as text: RM has no element for it, so it is written as labelled lines (in the
  request's Restrictions, the commitment's reporting instructions) and read back from them.
"""

from __future__ import annotations

import re
import uuid
from enum import StrEnum
from typing import Final

from crisislink.domains.assistance.model import HostNationSupport

CAPABILITY_LIST: Final = "urn:crisislink:assistance:capability"
UCPM_LIST: Final = "urn:crisislink:ucpm:module"
DEPLOYMENT_LIST: Final = "urn:crisislink:assistance:deployment-status"


class Step(StrEnum):
    """The steps of a request's life that become a message; the value ends the message id."""

    REQUEST = "request"  # RequestResource
    ENDED = "ended"  # RequestResource recalling the request (closed, cancelled, expired)
    OFFER = "offer"  # ResponseToRequestResource, Accept or Provisional
    DECLINE = "decline"  # ResponseToRequestResource, Decline (declined, withdrawn or lapsed)
    COMMIT = "commit"  # CommitResource
    MOBILISING = "mobilising"  # ReportResourceDeploymentStatus: on its way
    STATUS_QUERY = "status-query"  # RequestResourceDeploymentStatus: the requester asks
    DEPLOYED = "deployed"  # ReportResourceDeploymentStatus: at work
    RELEASE = "release"  # ReleaseResource


_MESSAGE_ID = re.compile(
    r"(?P<record>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(?P<step>[a-z-]+)"
)


def message_id(record_id: uuid.UUID, step: Step) -> str:
    return f"{record_id}-{step.value}"


def record_of(message: str, step: Step) -> uuid.UUID | None:
    """The record id of a message id crisislink wrote for `step`; None for anything else."""
    found = _MESSAGE_ID.fullmatch(message.strip().lower())
    if found is None or found["step"] != step.value:
        return None
    return uuid.UUID(found["record"])


# ---------------------------------------------------------------------------------------------------------
# Host-nation support as labelled lines.

SUPPORT_HEADING: Final = "Host-nation support"
_LIAISON, _LANGUAGES, _LOGISTICS = "Liaison: ", "Languages: ", "Logistics: "


def support_text(support: HostNationSupport) -> str | None:
    lines = [
        f"{_LIAISON}{_one_line(support.liaison)}" if support.liaison else "",
        f"{_LANGUAGES}{', '.join(support.languages)}" if support.languages else "",
        f"{_LOGISTICS}{_one_line(support.logistics)}" if support.logistics else "",
    ]
    kept = [line for line in lines if line]
    return "\n".join([SUPPORT_HEADING, *kept]) if kept else None


def _one_line(text: str) -> str:
    # One line per item is what makes the text readable back: line breaks inside become spaces.
    return " ".join(text.split())


def read_support(text: str) -> tuple[HostNationSupport, str]:
    """Host-nation support from labelled lines, and the rest of the text (anything else it says)."""
    liaison, logistics, rest = "", "", []
    languages: tuple[str, ...] = ()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(_LIAISON):
            liaison = stripped.removeprefix(_LIAISON)
        elif stripped.startswith(_LANGUAGES):
            languages = tuple(x.strip() for x in stripped.removeprefix(_LANGUAGES).split(",") if x.strip())
        elif stripped.startswith(_LOGISTICS):
            logistics = stripped.removeprefix(_LOGISTICS)
        elif stripped and stripped != SUPPORT_HEADING:
            rest.append(stripped)
    return HostNationSupport(liaison, languages, logistics), "\n".join(rest)
