"""Webhooks for dataset records: HMAC-signed, retried with back-off, dead-lettered, never beyond the policy.

The consumer (`datasets.webhooks`) queues one delivery per active subscription for each accepted batch and
each threshold crossed, only if the subscriber (the person who subscribed, as member of their partner) may
see the dataset now. The schedule's round claims due deliveries (checking the policy again: a revoked
access drops them), sends each with no transaction open, and records the outcome.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

import httpx
import sqlalchemy as sa

from crisislink.adapters.bus.dispatcher import Consumer
from crisislink.adapters.db import dataset_delivery as store
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.codec import event_payload
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.adapters.feeds.http_fetch import require_http
from crisislink.app.bus import MessageBus
from crisislink.domains.datasets import delivery_commands as c
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets.access import AccessScope, AccessStatus
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.kernel.errors import InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label
from crisislink.kernel.messages import SYSTEM, Event

log = logging.getLogger(__name__)
CONSUMER: Final = "datasets.webhooks"
EVENT_TYPES: Final = frozenset({e.DatasetObservationsReceived.TYPE, e.ThresholdCrossed.TYPE})
SIGNATURE_HEADER: Final = "X-Crisislink-Signature"
DELIVERY_HEADER: Final = "X-Crisislink-Delivery"
FIRST_RETRY: Final = timedelta(seconds=30)
LONGEST_WAIT: Final = timedelta(minutes=30)
MAX_ATTEMPTS: Final = 8  # then dead-lettered: status "dead", visible in the API
LEASE: Final = timedelta(minutes=2)
TIMEOUT_SECONDS: Final = 10.0
_KEYS: Final = uuid.UUID("5b0f3a52-0c53-4a8e-9d55-6e6a7e5f2c01")
Now = Callable[[], datetime]


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    wait: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), LONGEST_WAIT))
    return wait


def _sees(user_id: uuid.UUID, partner_id: uuid.UUID, *labels: Label) -> bool:
    viewer = Viewer(user_id=user_id, partner_id=partner_id)
    return all(may_see(viewer, label) for label in labels)


def _grant_allows_subscribing(uow: SqlUnitOfWork, dataset_id: uuid.UUID, partner_id: uuid.UUID) -> bool:
    a = t.dataset_access_requests
    scope = uow.connection.execute(
        sa.select(a.c.scope).where(
            a.c.dataset_id == dataset_id,
            a.c.partner_id == partner_id,
            a.c.status == AccessStatus.GRANTED.value,
        )
    ).scalar_one_or_none()
    return scope is None or scope == AccessScope.READ_AND_SUBSCRIBE.value


def subscribe(cmd: c.SubscribeWebhook, uow: SqlUnitOfWork, now: Now) -> dict[str, Any]:
    actor = cmd.actor
    if actor.user_id is None or actor.partner_id is None:
        raise PermissionDenied("a person subscribes, as a member of their organisation")
    try:
        dataset = uow.datasets.get(cmd.dataset_id)
    except NotFound:
        dataset = None
    if dataset is None or not _sees(actor.user_id, actor.partner_id, dataset.label):
        raise NotFound(f"no dataset with id {cmd.dataset_id} that you may see")
    if not _grant_allows_subscribing(uow, dataset.id, actor.partner_id):
        raise PermissionDenied("your organisation's access to this dataset is granted for reading only")
    url = _checked_url(cmd.url)
    webhook_id, secret = new_id(), secrets.token_urlsafe(32)
    uow.connection.execute(
        t.dataset_webhooks.insert().values(
            id=webhook_id,
            dataset_id=dataset.id,
            user_id=actor.user_id,
            partner_id=actor.partner_id,
            url=url,
            secret=secret,
            active=True,
            created_at=now(),
        )
    )
    uow.touched(f"dataset-webhook:{webhook_id}")
    uow.commit()
    return {"id": webhook_id, "secret": secret}


def _checked_url(url: str) -> str:
    if len(url) > 2000:
        raise InvalidInput("the webhook URL is longer than 2000 characters")
    try:
        return require_http(url.strip())
    except Exception as error:
        raise InvalidInput(f"the webhook URL must be an http(s) address: {url!r}") from error


def unsubscribe(cmd: c.UnsubscribeWebhook, uow: SqlUnitOfWork) -> None:
    hook = store.webhook(uow.connection, cmd.webhook_id)
    if hook["user_id"] != cmd.actor.user_id and "node_admin" not in cmd.actor.roles:
        raise NotFound(f"no webhook with id {cmd.webhook_id}")
    uow.connection.execute(
        t.dataset_webhooks.update().where(t.dataset_webhooks.c.id == hook["id"]).values(active=False)
    )
    uow.touched(f"dataset-webhook:{hook['id']}")
    uow.commit()


class WebhookQueue:
    """The event consumer: one delivery per subscription that may see the dataset at queue time."""

    def __init__(self, now: Now) -> None:
        self._now = now

    def consumer(self) -> Consumer:
        return Consumer(CONSUMER, EVENT_TYPES, self)

    def __call__(self, event: Event, uow: SqlUnitOfWork) -> None:
        if not isinstance(event, e.DatasetObservationsReceived | e.ThresholdCrossed):
            return
        hooks = store.active_webhooks(uow.connection, event.dataset_id)
        if not hooks:
            return  # the common case, on every batch: nobody to call, so nothing to load or encode
        dataset = uow.datasets.get(event.dataset_id)
        payload = event_payload(event)
        key = uuid.uuid5(_KEYS, event.TYPE + json.dumps(payload, sort_keys=True, default=str))
        for hook in hooks:
            if not _sees(hook["user_id"], hook["partner_id"], event.label, dataset.label):
                continue
            body = json.dumps(
                {"type": event.TYPE, "dataset_id": str(event.dataset_id), "event": payload},
                sort_keys=True,
                default=str,
            ).encode()
            if store.queue(uow.connection, hook["id"], key, event.TYPE, body, self._now()):
                uow.touched(f"dataset-webhook-delivery:{hook['id']}:{key}")


def claim(cmd: c.ClaimWebhookDeliveries, uow: SqlUnitOfWork, now: Now) -> list[c.DueWebhook]:  # noqa: ARG001
    moment = now()
    due: list[c.DueWebhook] = []
    for row in store.due_deliveries(uow.connection, moment, limit=50):
        reason = _stop_reason(uow, row)
        if reason is not None:
            store.set_delivery(
                uow.connection, row["id"], status="dropped", last_error=reason, finished_at=moment
            )
            continue
        store.set_delivery(uow.connection, row["id"], next_attempt_at=moment + LEASE)
        due.append(c.DueWebhook(row["id"], row["url"], row["secret"], row["body"], row["attempts"]))
    uow.commit()
    return due


def _stop_reason(uow: SqlUnitOfWork, row: dict[str, Any]) -> str | None:
    """Checked again at send time: the subscriber may have lost access since the delivery was queued."""
    if not row["active"]:
        return "the subscription was cancelled"
    dataset = uow.datasets.get(row["dataset_id"])
    if not _sees(row["user_id"], row["partner_id"], dataset.label):
        return "the subscriber may no longer see this dataset"
    return None


def record(cmd: c.RecordWebhookAttempt, uow: SqlUnitOfWork, now: Now) -> None:
    moment = now()
    row = store.delivery(uow.connection, cmd.delivery_id)
    attempts = row["attempts"] + 1
    if cmd.error is None:
        values: dict[str, Any] = {"status": "delivered", "finished_at": moment, "last_error": None}
    elif attempts >= MAX_ATTEMPTS:
        values = {
            "status": "dead",
            "finished_at": moment,
            "last_error": f"{cmd.error} (after {attempts} attempts)",
        }
    else:
        values = {"last_error": cmd.error, "next_attempt_at": moment + backoff(attempts, cmd.retry_after)}
    store.set_delivery(uow.connection, cmd.delivery_id, attempts=attempts, **values)
    uow.commit()


def send(client: httpx.Client, due: c.DueWebhook) -> tuple[str | None, float | None]:
    """POST the stored bytes, signed; (error, retry-after seconds) — (None, None) when delivered."""
    headers = {
        "content-type": "application/json",
        SIGNATURE_HEADER: signature(due.secret, due.body),
        DELIVERY_HEADER: str(due.delivery_id),
    }
    try:
        response = client.post(due.url, content=due.body, headers=headers)
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}", None
    if 200 <= response.status_code < 300:
        return None, None
    retry_after = response.headers.get("retry-after", "")
    return f"HTTP {response.status_code}", float(retry_after) if retry_after.isdigit() else None


def deliver_due_webhooks(bus: MessageBus, client: httpx.Client | None = None) -> int:
    """One round of the worker (run by the schedule); returns how many deliveries were attempted."""
    due: list[c.DueWebhook] = bus.handle(c.ClaimWebhookDeliveries(actor=SYSTEM))
    if not due:
        return 0
    owned = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    try:
        for item in due:
            error, retry_after = send(http, item)
            if error is not None:
                log.warning("webhook delivery %s failed: %s", item.delivery_id, error)
            bus.handle(
                c.RecordWebhookAttempt(
                    actor=SYSTEM, delivery_id=item.delivery_id, error=error, retry_after=retry_after
                )
            )
    finally:
        if owned:
            http.close()
    return len(due)
