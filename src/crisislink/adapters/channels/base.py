"""What every channel shares: the publication it carries, its receipt, its errors, and the false-alarm guard.

Safety rule (docs/warnings.md, DESIGN §8): never a false alarm. A message whose CAP status is Exercise,
Test, Draft or System never reaches a public channel unless that channel is configured as a test channel.
Every adapter's `deliver` calls `refuse_false_alarm` first, before any network access, so the rule holds
even when a worker forgets to check.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from crisislink.adapters.standards import cap
from crisislink.kernel.errors import InvalidInput

ACTUAL: Final = "Actual"
CAP_STATUSES: Final = frozenset({"Actual", "Exercise", "System", "Test", "Draft"})
# Ack and Error are exchanges between systems, not warnings: no public channel carries them.
PUBLIC_MSG_TYPES: Final = frozenset({"Alert", "Update", "Cancel"})
_COUNTRY: Final = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class PublicText:
    """The warning in one language, as the public reads it; `page_url` is its public web page."""

    language: str
    headline: str
    description: str
    instruction: str
    page_url: str

    def __post_init__(self) -> None:
        if not self.language.strip():
            raise ValueError("a public text needs a language tag (nl, fr-BE, ...)")
        if not self.headline.strip():
            raise ValueError(f"the {self.language} text has no headline")
        if not re.fullmatch(r"https?://\S+", self.page_url):
            raise ValueError(f"the {self.language} page URL {self.page_url!r} is not an http(s) URL")


@dataclass(frozen=True)
class Publication:
    """What one delivery carries: one CAP message of a warning, its bytes as emitted and its texts."""

    warning_id: uuid.UUID
    identifier: str  # the CAP identifier
    sender: str
    sent: datetime
    msg_type: str  # Alert, Update or Cancel
    status: str  # the CAP status: Actual, Exercise, System, Test or Draft
    country: str | None  # the country whose part this is; None for the whole message
    cap_xml: bytes  # the signed CAP message exactly as emitted
    texts: tuple[PublicText, ...]

    def __post_init__(self) -> None:
        if self.status not in CAP_STATUSES:
            raise ValueError(
                f"status {self.status!r} is not a CAP status ({', '.join(sorted(CAP_STATUSES))})"
            )
        if self.msg_type not in PUBLIC_MSG_TYPES:
            raise ValueError(f"msgType {self.msg_type!r} is not for the public; use Alert, Update or Cancel")
        if self.sent.utcoffset() is None:
            raise ValueError("sent needs a time zone")
        if self.country is not None and not _COUNTRY.fullmatch(self.country):
            raise ValueError(f"country {self.country!r} is not a two-letter ISO 3166 code")
        languages = [text.language for text in self.texts]
        if len(set(languages)) != len(languages):
            raise ValueError(f"one text per language, got {', '.join(languages)}")

    @property
    def is_public_alert(self) -> bool:
        return self.status == ACTUAL


@dataclass(frozen=True)
class Receipt:
    """A channel's proof of delivery: the gateway's reference or the posts' URLs, and how many items."""

    channel: str
    detail: str
    items: int


class DeliveryError(Exception):
    """A delivery failed. `retryable` tells the worker whether to try again (after `retry_after` seconds,
    when the other side said so); `reason` says what happened and what to do, in words for an operator."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class NotForPublic(DeliveryError):
    """The message must not reach this channel: retrying would never change that."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def is_test_channel(self) -> bool: ...

    def deliver(self, publication: Publication, *, idempotency_key: str) -> Receipt:
        """Deliver once; the same `idempotency_key` on a retry must never deliver twice."""
        ...


def refuse_false_alarm(channel: Channel, publication: Publication) -> None:
    """Raise NotForPublic unless `publication` may reach `channel`. Call it first in every `deliver`.

    The status is read from the CAP bytes as well: a delivery whose record says Actual while the message
    itself says Exercise would otherwise post an exercise as real on channels that show only the texts.
    """
    in_message = _status_in(channel, publication)
    if in_message != publication.status:
        raise NotForPublic(
            f"{channel.name}: the delivery says status {publication.status} but the CAP message "
            f"{publication.identifier} says {in_message}; nothing was sent, rebuild the delivery from the message"
        )
    if publication.status != ACTUAL and not channel.is_test_channel:
        raise NotForPublic(
            f"{channel.name}: the CAP message {publication.identifier} has status {publication.status}; "
            "never a false alarm: only Actual messages reach a public channel, and Exercise, Test, Draft "
            "and System messages go only to a channel configured as a test channel"
        )


def _status_in(channel: Channel, publication: Publication) -> str:
    try:
        tree = cap.parse_tree(publication.cap_xml)
    except InvalidInput as error:
        raise NotForPublic(
            f"{channel.name}: the CAP message {publication.identifier} cannot be read ({error}); nothing was sent"
        ) from None
    found = tree.root.find(f"{{{tree.namespace}}}status")
    return "(none)" if found is None else cap.text_of(found).strip()
