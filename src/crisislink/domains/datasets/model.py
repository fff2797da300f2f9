"""A partner's dataset or live feed: what its records look like, its series and thresholds, who to call.

Observations are not part of the aggregate (a gauge sends thousands a day): the dataset keeps only the
newest observation of each series, which is what threshold checks, lists and the map need.
"""

from __future__ import annotations

import enum
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import InvalidInput

MAX_TITLE = 200
MAX_SERIES = 1000
MAX_THRESHOLDS = 10
SERIES_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


class DatasetKind(enum.StrEnum):
    RIVER_GAUGE = "river_gauge"  # water levels and discharges
    HOSPITAL_CAPACITY = "hospital_capacity"
    CLOSURES = "closures"  # road and rail closures
    SHELTER_CAPACITY = "shelter_capacity"
    POWER_OUTAGES = "power_outages"
    SENSOR_READINGS = "sensor_readings"


class IngestMode(enum.StrEnum):
    """What a batch with invalid records does: keep the valid ones, or refuse the batch as a whole."""

    KEEP_VALID = "keep_valid"
    ALL_OR_NOTHING = "all_or_nothing"


def finite(value: float | None) -> float | None:
    """NaN is not a measurement: it is stored and sent as 'no value'."""
    return None if value is None or math.isnan(value) else value


@dataclass(frozen=True)
class Location:
    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise InvalidInput(f"location [{self.lon}, {self.lat}] is outside WGS84 ranges (lon, lat)")


@dataclass(frozen=True)
class Threshold:
    """A named level of a series, e.g. the alarm level of a gauge in cm; `note` says where it comes from."""

    name: str
    level: float
    note: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 60:
            raise InvalidInput("a threshold needs a name of at most 60 characters")
        if not math.isfinite(self.level):
            raise InvalidInput(f"the threshold {self.name!r} needs a finite level")


@dataclass(frozen=True)
class Series:
    """One measured quantity at one place, e.g. the water level of the Meuse at Eijsden."""

    key: str
    name: str
    unit: str
    thresholds: tuple[Threshold, ...] = ()
    location: Location | None = None

    def __post_init__(self) -> None:
        if not SERIES_KEY.match(self.key):
            raise InvalidInput(
                f"series key {self.key!r}: use 1 to 100 letters, digits, '.', '_', ':' or '-', "
                "starting with a letter or digit"
            )
        if not self.name.strip() or len(self.name) > 200:
            raise InvalidInput(f"series {self.key!r} needs a name of at most 200 characters")
        if len(self.unit) > 40:
            raise InvalidInput(f"the unit of series {self.key!r} is longer than 40 characters")
        if len(self.thresholds) > MAX_THRESHOLDS:
            raise InvalidInput(f"series {self.key!r} has more than {MAX_THRESHOLDS} thresholds")
        names = [t.name for t in self.thresholds]
        if len(set(names)) != len(names):
            raise InvalidInput(f"series {self.key!r} names a threshold twice")


@dataclass(frozen=True)
class Latest:
    """The newest observation of a series (by the time it was observed, not received).

    `basis` is the newest value that was not null: what the next value is compared with to tell whether
    it crossed a threshold, so a gap in the readings does not hide a crossing.
    """

    observed_at: datetime
    value: float | None
    location: Location | None = None
    basis: float | None = None


def check_series(series: tuple[Series, ...]) -> tuple[Series, ...]:
    if not series:
        raise InvalidInput("declare at least one series (what is measured, where, in which unit)")
    if len(series) > MAX_SERIES:
        raise InvalidInput(f"a dataset declares at most {MAX_SERIES} series")
    keys = [s.key for s in series]
    if len(set(keys)) != len(keys):
        raise InvalidInput("each series key must be unique within the dataset")
    return series


def check_refresh(refresh: timedelta) -> timedelta:
    if not timedelta(seconds=1) <= refresh <= timedelta(days=366):
        raise InvalidInput("the expected refresh interval must be between 1 second and 366 days")
    return refresh


@dataclass(kw_only=True, eq=False)
class Dataset(Shareable):
    title: str
    kind: DatasetKind
    description: str
    record_schema: Mapping[str, Any]
    contact_point_id: uuid.UUID  # who to call about this data
    refresh: timedelta  # how often new data is expected
    series: tuple[Series, ...]
    created_at: datetime
    created_by: uuid.UUID | None
    stale_at: datetime  # when it turns stale unless newer data arrives
    synthetic: bool = False  # made-up values (demo, exercise): never to be taken for real data
    latest: dict[str, Latest] = field(default_factory=dict)
    last_observed_at: datetime | None = None
    last_received_at: datetime | None = None
    stale_since: datetime | None = None

    def series_by_key(self) -> dict[str, Series]:
        return {s.key: s for s in self.series}

    def is_stale(self) -> bool:
        return self.stale_since is not None
