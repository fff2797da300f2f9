"""The delivery worker: sends queued warning messages to their channels, retrying with back-off.

Each attempt uses the delivery's id as the idempotency key, so a retry after a crash or a lost answer never
posts twice on a channel that honours the key. A retryable failure waits 30 s, 1, 2, 4 ... minutes (capped
at 15, or what the other side's Retry-After asks); after the last attempt the delivery is marked failed and
shows in the console and the API: it is never dropped silently.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from crisislink.adapters.channels.base import DeliveryError, NotForPublic, Publication, PublicText
from crisislink.adapters.db import publications as p
from crisislink.app.warning_channels import ChannelSet

log = logging.getLogger(__name__)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
MAX_ATTEMPTS = 12  # about two and a half hours of trying
LEASE = timedelta(minutes=2)  # longer than any channel's timeout


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """The wait after the `attempts`-th failure (1 = the first)."""
    wait: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), LONGEST_WAIT))
    return wait


def publication_of(due: p.DueDelivery, public_url: str) -> Publication:
    content: dict[str, Any] = dict(due.content)
    texts = tuple(
        PublicText(
            language=language,
            headline=text["headline"],
            description=text["description"],
            instruction=text["instruction"],
            page_url=f"{public_url}/public/warnings/{due.warning_id}?lang={language}",
        )
        for language, text in content["texts"]
    )
    return Publication(
        warning_id=due.warning_id,
        identifier=due.identifier,
        sender=due.sender,
        sent=due.sent,
        msg_type=due.msg_type,
        status=content["status"],
        country=due.country,
        cap_xml=due.cap_xml,
        texts=texts,
    )


class DeliveryWorker:
    def __init__(
        self, engine: Engine, channels: ChannelSet, now: Callable[[], datetime], public_url: str
    ) -> None:
        self._engine = engine
        self._channels = channels
        self._now = now
        self._public_url = public_url
        self._wake = threading.Event()

    def kick(self) -> None:
        self._wake.set()

    def run_once(self) -> int:
        """Attempt every due delivery once; returns how many were attempted."""
        due = p.claim_due(self._engine, self._now(), LEASE)
        for delivery in due:
            self._attempt(delivery)
        return len(due)

    def run_forever(self, stop: threading.Event, poll_seconds: float = 5.0) -> None:
        while not stop.is_set():
            try:
                while self.run_once():
                    pass
            except Exception:  # the worker must outlive a bad moment (database away); rows stay queued
                log.exception("warning delivery pass failed; retrying")
            self._wake.wait(poll_seconds)
            self._wake.clear()

    def _attempt(self, due: p.DueDelivery) -> None:
        channel = self._channels.get(due.channel)
        now = self._now()
        if channel is None:
            self._finish(due, p.DeliveryStatus.FAILED, f"the channel {due.channel} is no longer configured")
            return
        try:
            receipt = channel.deliver(publication_of(due, self._public_url), idempotency_key=str(due.id))
        except NotForPublic as refused:
            self._finish(due, p.DeliveryStatus.REFUSED, refused.reason)
        except DeliveryError as error:
            self._failed(due, error, now)
        else:
            p.record_outcome(
                self._engine, due.id, status=p.DeliveryStatus.DELIVERED, now=now, receipt=receipt.detail
            )
            log.info("warning message %s delivered to %s", due.identifier, due.channel)

    def _failed(self, due: p.DueDelivery, error: DeliveryError, now: datetime) -> None:
        attempts = due.attempts + 1
        if not error.retryable or attempts >= MAX_ATTEMPTS:
            self._finish(due, p.DeliveryStatus.FAILED, f"{error.reason} (after {attempts} attempt(s))")
            return
        retry_at = now + backoff(attempts, error.retry_after)
        log.warning(
            "warning message %s to %s failed, retry at %s: %s",
            due.identifier,
            due.channel,
            retry_at,
            error.reason,
        )
        p.record_outcome(
            self._engine,
            due.id,
            status=p.DeliveryStatus.PENDING,
            now=now,
            error=error.reason,
            retry_at=retry_at,
        )

    def _finish(self, due: p.DueDelivery, status: p.DeliveryStatus, reason: str) -> None:
        log.error("warning message %s to %s: %s: %s", due.identifier, due.channel, status.value, reason)
        p.record_outcome(self._engine, due.id, status=status, now=self._now(), error=reason)
