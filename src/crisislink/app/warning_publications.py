"""After a warning's message goes out: sign its CAP, keep the bytes, and queue a delivery per channel.

An event consumer (`warnings.publications`): its rows are written in the transaction that marks the event
delivered, so each issued part is published exactly once. Sending happens later, in the delivery worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from crisislink.adapters.bus.dispatcher import Consumer
from crisislink.adapters.channels.base import Channel
from crisislink.adapters.db import publications
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.adapters.standards.cap_signature import NodeIdentity, sign
from crisislink.adapters.standards.cap_warnings import cap_xml_for
from crisislink.app.warning_channels import ChannelSet
from crisislink.domains.warnings import events as e
from crisislink.domains.warnings.chain import CapMessageRecord
from crisislink.domains.warnings.model import PublicWarning
from crisislink.kernel.messages import Event

CONSUMER = "warnings.publications"
EVENT_TYPES = frozenset({e.WarningPartIssued.TYPE, e.WarningUpdated.TYPE, e.WarningCancelled.TYPE})


def _record(warning: PublicWarning, identifier: str) -> CapMessageRecord:
    return next(message for message in warning.messages if message.identifier == identifier)


def _parts(event: Event) -> tuple[str, ...]:
    if isinstance(event, e.WarningPartIssued):
        return (event.country,)
    if isinstance(event, e.WarningUpdated | e.WarningCancelled):
        return event.countries
    return ()


class Publisher:
    def __init__(
        self, identity: Callable[[], NodeIdentity], channels: ChannelSet, now: Callable[[], datetime]
    ) -> None:
        self._identity = identity
        self._channels = channels
        self._now = now

    def consumer(self) -> Consumer:
        return Consumer(CONSUMER, EVENT_TYPES, self)

    def __call__(self, event: Event, uow: SqlUnitOfWork) -> None:
        if not isinstance(event, e.WarningPartIssued | e.WarningUpdated | e.WarningCancelled):
            return
        identifier = event.identifier
        if identifier is None:  # a draft discarded before anything went out: nothing to publish
            return
        warning = uow.warnings.get(event.warning_id)
        record = _record(warning, identifier)
        whole = self._publish(uow, warning, record, None)
        self._queue(uow, whole, self._channels.for_whole(), record)
        for country in _parts(event):
            part = self._publish(uow, warning, record, country)
            self._queue(uow, part, self._channels.for_part(country), record)
        uow.touched(f"publications-of:{identifier}")

    def _publish(
        self, uow: SqlUnitOfWork, warning: PublicWarning, record: CapMessageRecord, country: str | None
    ) -> Any:
        known = publications.publication_id(uow.connection, record.identifier, country)
        if known is not None:
            return known
        identity = self._identity()
        signed = sign(cap_xml_for(record, warning, country=country), identity.key_pem, identity.cert_pem)
        return publications.add_publication(
            uow.connection,
            warning_id=warning.id,
            identifier=record.identifier,
            country=country,
            status=record.content.status.value,
            cap_xml=signed,
            now=self._now(),
        )

    def _queue(
        self, uow: SqlUnitOfWork, publication: Any, channels: tuple[Channel, ...], record: CapMessageRecord
    ) -> None:
        status = record.content.status.value
        for channel in channels:
            refused = None
            if status != "Actual" and not channel.is_test_channel:
                refused = (
                    f"not sent: a {status} message never reaches the public channel {channel.name} "
                    "(only a channel configured as a test channel carries exercises and tests)"
                )
            publications.add_delivery(
                uow.connection, publication, channel.name, self._now(), refused_because=refused
            )
