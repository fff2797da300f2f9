"""Observations as they arrive: each record checked against the dataset's schema and the platform's key.

Every record names its `series` (one the dataset declares), when it was `observed_at` (with its UTC
offset) and its `value` (a number, or null); its other fields are kept as sent. An observation is keyed
by (dataset, series, observed_at): the same observation sent twice is stored once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crisislink.domains.datasets.model import Dataset, Location
from crisislink.domains.datasets.ports import RecordSchema
from crisislink.kernel.clock import ensure_utc
from crisislink.kernel.errors import InvalidInput

KEY_FIELDS = ("series", "observed_at", "value")
MAX_ERRORS_PER_RECORD = 10


@dataclass(frozen=True)
class RecordError:
    """Why one record of a batch was refused: its position, where in it (a JSON pointer), and what to fix."""

    index: int
    path: str
    message: str


@dataclass(frozen=True)
class IncomingRecord:
    """A record as decoded from JSON, CSV or a GeoJSON feature; `problem` is set when decoding failed."""

    data: Mapping[str, Any]
    location: Location | None = None
    problem: tuple[str, str] | None = None  # (path, message)


@dataclass(frozen=True)
class Observation:
    series: str
    observed_at: datetime
    value: float | None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    location: Location | None = None

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.series, self.observed_at)


class RecordsRejected(InvalidInput):
    """A batch refused as a whole: nothing of it was written. `errors` lists each refused record."""

    def __init__(self, message: str, errors: Sequence[RecordError], received: int) -> None:
        super().__init__(message)
        self.errors = tuple(errors)
        self.received = received


def _observed_at(value: object, now: datetime, skew: timedelta) -> datetime | str:
    """The observation time, or why it is not one."""
    if not isinstance(value, str):
        return "must be a date-time string with its UTC offset, e.g. 2021-07-15T05:00:00+02:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"{value[:40]!r} is not an ISO 8601 date-time"
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "needs its UTC offset (e.g. +02:00 or Z): a time without one is ambiguous"
    if moment > now + skew:
        return "is in the future: observations are what was measured, not forecasts"
    return ensure_utc(moment)


def _remembered_time(
    value: object, now: datetime, skew: timedelta, times: dict[str, datetime | str] | None
) -> datetime | str:
    if times is None or not isinstance(value, str):
        return _observed_at(value, now, skew)
    found = times.get(value)
    if found is None:
        found = times[value] = _observed_at(value, now, skew)
    return found


def _value(value: object) -> float | str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number or null"
    number = float(value)
    return number if math.isfinite(number) else "must be a finite number"


def key_errors(
    index: int,
    record: Mapping[str, Any],
    declared: Set[str],
    now: datetime,
    skew: timedelta,
    times: dict[str, datetime | str] | None = None,
) -> tuple[list[RecordError], Observation | None]:
    """Check the three fields the platform relies on; the schema has had its say already.

    `times` remembers each observation time read in this batch (a batch repeats few of them).
    """
    errors: list[RecordError] = []
    series = record.get("series")
    if not isinstance(series, str) or series not in declared:
        errors.append(RecordError(index, "/series", f"{series!r} is not a series this dataset declares"))
    moment = _remembered_time(record.get("observed_at"), now, skew, times)
    if isinstance(moment, str):
        errors.append(RecordError(index, "/observed_at", moment))
    value = _value(record.get("value"))
    if isinstance(value, str):
        errors.append(RecordError(index, "/value", value))
    if errors or not isinstance(series, str) or isinstance(moment, str) or isinstance(value, str):
        return errors, None
    attributes = {k: v for k, v in record.items() if k not in KEY_FIELDS}
    return [], Observation(series, moment, value, attributes)


@dataclass
class Checked:
    observations: list[Observation] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def check_records(
    records: Sequence[IncomingRecord],
    dataset: Dataset,
    schema: RecordSchema,
    now: datetime,
    skew: timedelta,
) -> Checked:
    checked = Checked()
    declared = dataset.series_by_key().keys()
    times: dict[str, datetime | str] = {}
    for index, incoming in enumerate(records):
        if incoming.problem is not None:
            checked.errors.append(RecordError(index, *incoming.problem))
            continue
        found = schema.errors(incoming.data)
        if found:
            checked.errors += [RecordError(index, p, m) for p, m in found[:MAX_ERRORS_PER_RECORD]]
            continue
        errors, observation = key_errors(index, incoming.data, declared, now, skew, times)
        checked.errors += errors
        if observation is not None:
            located = observation if incoming.location is None else _located(observation, incoming.location)
            checked.observations.append(located)
    return checked


def _located(observation: Observation, location: Location) -> Observation:
    return Observation(
        observation.series, observation.observed_at, observation.value, observation.attributes, location
    )


def first_of_each_key(observations: Sequence[Observation]) -> list[Observation]:
    """One observation per key: a batch that repeats one keeps the first, as the store keeps the first."""
    seen: dict[tuple[str, datetime], Observation] = {}
    for observation in observations:
        seen.setdefault(observation.key, observation)
    return list(seen.values())
