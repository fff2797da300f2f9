"""Route each message to the sender of its channel; channels without a gateway go to the fallback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from crisislink.domains.readiness.ports import DeliveryReport, Notice, NoticeSender, OutgoingMessage, Sender


class Gateway(Sender, NoticeSender, Protocol):
    """A channel's sender: communication-test messages and plain notices alike."""


class ChannelRouter:
    def __init__(self, routes: Mapping[str, Gateway], fallback: Gateway) -> None:
        self._routes = dict(routes)
        self.fallback = fallback

    def send(self, message: OutgoingMessage) -> DeliveryReport:
        return self._routes.get(message.recipient.channel, self.fallback).send(message)

    def send_notice(self, notice: Notice) -> DeliveryReport:
        return self._routes.get(notice.recipient.channel, self.fallback).send_notice(notice)
