"""What happened to datasets. Each event carries the dataset's label, and names the dataset as its context:
the live feed delivers it only to readers who may see the dataset now.

One event per accepted batch, however many observations it held, so the outbox and the live feed carry
facts people act on, not every reading.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.datasets.model import finite
from crisislink.kernel.messages import Event


@dataclass(frozen=True, kw_only=True)
class DatasetEvent(Event):
    CONTEXT = "dataset_id"
    dataset_id: uuid.UUID


@dataclass(frozen=True)
class SeriesReading:
    series: str
    observed_at: datetime
    value: float | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", finite(self.value))


@dataclass(frozen=True)
class CrossedThreshold:
    series: str
    threshold: str
    direction: str  # "up" | "down"
    reading: SeriesReading


@dataclass(frozen=True, kw_only=True)
class DatasetPublished(DatasetEvent):
    TYPE = "crisislink.datasets.published"
    title: str
    kind: str
    contact_point_id: uuid.UUID
    series: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DatasetUpdated(DatasetEvent):
    TYPE = "crisislink.datasets.updated"
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DatasetRelabelled(DatasetEvent):
    """Sent under the old label, so those who could see the dataset learn it left their view."""

    TYPE = "crisislink.datasets.relabelled"


@dataclass(frozen=True, kw_only=True)
class DatasetObservationsReceived(DatasetEvent):
    """One accepted batch: how many observations were stored, the time they span, each series' newest."""

    TYPE = "crisislink.datasets.observations_received"
    count: int
    duplicates: int
    first_observed_at: datetime
    last_observed_at: datetime
    latest: tuple[SeriesReading, ...]  # the series whose newest observation moved


@dataclass(frozen=True, kw_only=True)
class ThresholdCrossed(DatasetEvent):
    """A series passed a declared threshold: for an incident's log, a warning draft, the followers."""

    TYPE = "crisislink.datasets.threshold_crossed"
    series: str
    threshold: str
    level: float | None
    direction: str  # "up" | "down"
    reading: SeriesReading
    previous: float | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", finite(self.level))
        object.__setattr__(self, "previous", finite(self.previous))


@dataclass(frozen=True, kw_only=True)
class FollowersAlerted(DatasetEvent):
    """Thresholds crossed, addressed to the people who follow the dataset (its label names them)."""

    TYPE = "crisislink.datasets.followers_alerted"
    title: str
    crossings: tuple[CrossedThreshold, ...]
    followers: tuple[uuid.UUID, ...]


@dataclass(frozen=True, kw_only=True)
class DatasetStale(DatasetEvent):
    """No new observation for longer than expected: call the point of contact responsible for it."""

    TYPE = "crisislink.datasets.stale"
    contact_point_id: uuid.UUID
    last_observed_at: datetime | None
    expected_every_seconds: int


@dataclass(frozen=True, kw_only=True)
class DatasetFresh(DatasetEvent):
    TYPE = "crisislink.datasets.fresh"
    last_observed_at: datetime | None
    stale_since: datetime | None


ALL_EVENTS: tuple[type[Event], ...] = (
    DatasetPublished,
    DatasetUpdated,
    DatasetRelabelled,
    DatasetObservationsReceived,
    ThresholdCrossed,
    FollowersAlerted,
    DatasetStale,
    DatasetFresh,
)
