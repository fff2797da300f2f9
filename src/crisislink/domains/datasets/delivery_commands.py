"""Delivery of dataset records to machines: webhook subscriptions and pull sources (docs/dataset-delivery.md).

The work behind these commands touches the network, so their handlers live in the application layer
(`app/dataset_webhooks.py`, `app/dataset_pull.py`); the commands are here so entry points can build them.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.kernel.messages import Command


class PullFormat(enum.StrEnum):
    CSV = "csv"
    GEOJSON = "geojson"  # also OGC API - Features items (a GeoJSON FeatureCollection)
    SENSORTHINGS = "sensorthings"  # OGC SensorThings Observations ({"value": [...]})


@dataclass(frozen=True, kw_only=True)
class SubscribeWebhook(Command):
    dataset_id: uuid.UUID
    url: str


@dataclass(frozen=True, kw_only=True)
class UnsubscribeWebhook(Command):
    webhook_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ClaimWebhookDeliveries(Command):
    """The worker's first step: due deliveries, each checked against the policy again at send time."""


@dataclass(frozen=True, kw_only=True)
class RecordWebhookAttempt(Command):
    delivery_id: uuid.UUID
    error: str | None  # None: delivered
    retry_after: float | None = None


@dataclass(frozen=True, kw_only=True)
class SetPullSource(Command):
    dataset_id: uuid.UUID
    url: str
    format: PullFormat
    interval: timedelta


@dataclass(frozen=True, kw_only=True)
class RemovePullSource(Command):
    dataset_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ClaimDuePullSources(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class RecordPull(Command):
    dataset_id: uuid.UUID
    stored: int | None  # None: failed
    error: str | None = None


@dataclass(frozen=True)
class DueWebhook:
    delivery_id: uuid.UUID
    url: str
    secret: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class DuePull:
    dataset_id: uuid.UUID
    url: str
    format: PullFormat
    record_schema: dict[str, object]
    claimed_at: datetime
