"""Route each message to the sender of its channel; channels without a gateway go to the fallback."""

from __future__ import annotations

from collections.abc import Mapping

from crisislink.domains.readiness.ports import DeliveryReport, OutgoingMessage, Sender


class ChannelRouter:
    def __init__(self, routes: Mapping[str, Sender], fallback: Sender) -> None:
        self._routes = dict(routes)
        self.fallback = fallback

    def send(self, message: OutgoingMessage) -> DeliveryReport:
        return self._routes.get(message.recipient.channel, self.fallback).send(message)
