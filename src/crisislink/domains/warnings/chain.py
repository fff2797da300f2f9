"""The CAP message chain of a warning and what each message carried.

CAP rules kept here: every message has a new identifier, never reused; an Update or Cancel is a new
message whose `references` list sender,identifier,sent of every earlier message of the chain; a message's
`sent` is stamped once (to the second, as CAP writes it) and never again. Each record keeps the content it
carried, so a part issued later, a channel retrying, or an auditor sees exactly what was approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.warnings.codes import Certainty, MsgType, ResponseType, Severity, Status, Urgency
from crisislink.domains.warnings.values import Hazard, Targeting, WarningText, cap_token
from crisislink.kernel.errors import Conflict
from crisislink.kernel.geo import Area


@dataclass(frozen=True)
class WarningContent:
    """A snapshot of everything a message says; one per issued revision."""

    status: Status
    hazard: Hazard
    severity: Severity
    urgency: Urgency
    certainty: Certainty
    response_types: tuple[ResponseType, ...]
    texts: tuple[tuple[str, WarningText], ...]
    onset: datetime
    expires: datetime
    area: Area
    area_description: str
    targeting: Targeting

    def languages(self) -> tuple[str, ...]:
        return tuple(language for language, _ in self.texts)


@dataclass(frozen=True)
class CapReference:
    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True)
class CapMessageRecord:
    identifier: str
    sender: str
    sent: datetime
    msg_type: MsgType
    references: tuple[CapReference, ...]
    revision: int
    content: WarningContent
    note: str = ""  # CAP `note`: why an Update or Cancel was sent

    def reference(self) -> CapReference:
        return CapReference(self.sender, self.identifier, self.sent)


@dataclass(frozen=True)
class Stamp:
    """What a new message gets from outside the warning: a fresh identifier, the sender, and the time."""

    identifier: str
    sender: str
    moment: datetime


def next_message(
    chain: list[CapMessageRecord], stamp: Stamp, revision: int, content: WarningContent, note: str = ""
) -> CapMessageRecord:
    """The next message of `chain`: an Alert first, then Updates referencing every earlier message."""
    return _message(chain, stamp, MsgType.UPDATE if chain else MsgType.ALERT, revision, content, note)


def cancel_message(chain: list[CapMessageRecord], stamp: Stamp, note: str) -> CapMessageRecord:
    """A Cancel of the whole chain: it carries the last content and references every earlier message."""
    last = chain[-1]
    return _message(chain, stamp, MsgType.CANCEL, last.revision, last.content, note)


def _message(
    chain: list[CapMessageRecord],
    stamp: Stamp,
    msg_type: MsgType,
    revision: int,
    content: WarningContent,
    note: str,
) -> CapMessageRecord:
    _check_fresh(chain, stamp.identifier)
    return CapMessageRecord(
        identifier=stamp.identifier,
        sender=cap_token(stamp.sender, "the CAP sender"),
        sent=_sent(chain, stamp.moment),
        msg_type=msg_type,
        references=tuple(message.reference() for message in chain),
        revision=revision,
        content=content,
        note=note,
    )


def _check_fresh(chain: list[CapMessageRecord], identifier: str) -> None:
    cap_token(identifier, "the CAP identifier")
    if any(message.identifier == identifier for message in chain):
        # The generator is broken; sending would make receivers drop or merge two different messages.
        raise Conflict(f"the CAP identifier {identifier!r} was used already; nothing was sent, try again")


def _sent(chain: list[CapMessageRecord], moment: datetime) -> datetime:
    """CAP writes `sent` to the second; a later message is never sent before the one it references."""
    sent = moment.replace(microsecond=0)
    if chain and sent < chain[-1].sent:
        raise Conflict("the clock is behind the last message of this warning; check the node's time")
    return sent
