"""What a batch of new observations does to a dataset: newest value per series, thresholds crossed, freshness.

Only observations newer than a series' stored latest can cross a threshold: a late observation lands in
its place in history (queries order by `observed_at`) but does not ring anyone now.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.domains.datasets.model import Dataset, Latest, Series, Threshold
from crisislink.domains.datasets.observations import Observation


@dataclass(frozen=True)
class FreshnessRules:
    """A dataset is stale when its newest observation is older than its refresh interval times `grace`.

    2.0 tolerates one missed delivery: a gauge expected every 15 minutes is flagged after 30 minutes
    without a newer reading (docs/datasets.md).
    """

    grace: float = 2.0

    def stale_at(self, dataset: Dataset) -> datetime:
        since = dataset.last_observed_at or dataset.created_at
        return since + dataset.refresh * self.grace


FRESHNESS = FreshnessRules()


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class Crossing:
    series: str
    threshold: Threshold
    direction: Direction
    value: float
    previous: float
    observed_at: datetime


@dataclass(frozen=True)
class Intake:
    latest: dict[str, Latest]  # the series whose newest observation moved, and where to
    crossings: list[Crossing]
    became_fresh: bool


def crossings_of(series: Series, previous: float | None, newer: Sequence[Observation]) -> list[Crossing]:
    """Each threshold passed between consecutive values, upward or downward, in time order.

    A missing value (null) is skipped: the value before the gap is compared with the value after it. The
    first value a series ever gets sets its baseline: there is no earlier value to have crossed from.
    """
    found: list[Crossing] = []
    for observation in newer:
        value = observation.value
        if value is None:
            continue
        if previous is not None:
            for threshold in series.thresholds:
                direction = _direction(previous, value, threshold.level)
                if direction is not None:
                    found.append(
                        Crossing(series.key, threshold, direction, value, previous, observation.observed_at)
                    )
        previous = value
    return found


def _direction(previous: float, value: float, level: float) -> Direction | None:
    if previous < level <= value:
        return Direction.UP
    if value < level <= previous:
        return Direction.DOWN
    return None


def _newer_by_series(dataset: Dataset, observations: Sequence[Observation]) -> dict[str, list[Observation]]:
    grouped: dict[str, list[Observation]] = {}
    for observation in observations:
        latest = dataset.latest.get(observation.series)
        if latest is None or observation.observed_at > latest.observed_at:
            grouped.setdefault(observation.series, []).append(observation)
    for newer in grouped.values():
        newer.sort(key=lambda o: o.observed_at)
    return grouped


def take(
    dataset: Dataset, observations: Sequence[Observation], received_at: datetime, rules: FreshnessRules
) -> Intake:
    """Apply a stored batch to the dataset (the caller stored it; duplicates change nothing here)."""
    declared = dataset.series_by_key()
    moved: dict[str, Latest] = {}
    crossings: list[Crossing] = []
    for key, newer in _newer_by_series(dataset, observations).items():
        previous = dataset.latest.get(key)
        basis = previous.basis if previous else None
        crossings += crossings_of(declared[key], basis, newer)
        basis = next((o.value for o in reversed(newer) if o.value is not None), basis)
        last = newer[-1]
        moved[key] = dataset.latest[key] = Latest(last.observed_at, last.value, last.location, basis)
    newest = max(o.observed_at for o in observations)
    if dataset.last_observed_at is None or newest > dataset.last_observed_at:
        dataset.last_observed_at = newest
    dataset.last_received_at = received_at
    dataset.stale_at = rules.stale_at(dataset)
    became_fresh = dataset.stale_since is not None and dataset.stale_at > received_at
    if became_fresh:
        dataset.stale_since = None
    return Intake(moved, crossings, became_fresh)


def age_of(dataset: Dataset, now: datetime) -> timedelta | None:
    return None if dataset.last_observed_at is None else now - dataset.last_observed_at
