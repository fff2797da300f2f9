"""What partners (and the platform's schedule) ask of datasets."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from crisislink.domains.datasets.model import DatasetKind, IngestMode, Series
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import Command


@dataclass(frozen=True, kw_only=True)
class PublishDataset(Command):
    title: str
    kind: DatasetKind
    record_schema: Mapping[str, Any]
    contact_point_id: uuid.UUID
    refresh: timedelta
    series: tuple[Series, ...]
    description: str = ""
    owner_partner_id: uuid.UUID | None = None  # None: the actor's own partner
    marking: Tlp = Tlp.GREEN
    audience: frozenset[Principal] = frozenset()
    synthetic: bool = False


@dataclass(frozen=True, kw_only=True)
class UpdateDataset(Command):
    dataset_id: uuid.UUID
    expected_version: int
    title: str | None = None
    description: str | None = None
    contact_point_id: uuid.UUID | None = None
    refresh: timedelta | None = None
    series: tuple[Series, ...] | None = None  # replaces the declared series (a series in use must stay)
    marking: Tlp | None = None
    audience: frozenset[Principal] | None = None


@dataclass(frozen=True)
class Batch:
    """Records as pushed. The audit trail keeps their count, not the data (nor the cost of printing it)."""

    records: tuple[IncomingRecord, ...]

    def __str__(self) -> str:
        return f"{len(self.records)} records"


@dataclass(frozen=True, kw_only=True)
class IngestObservations(Command):
    dataset_id: uuid.UUID
    batch: Batch
    mode: IngestMode = IngestMode.KEEP_VALID


@dataclass(frozen=True, kw_only=True)
class FollowDataset(Command):
    dataset_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class UnfollowDataset(Command):
    dataset_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class FlagStaleDatasets(Command):
    """Time-driven: flag every dataset whose newest observation is older than expected."""
