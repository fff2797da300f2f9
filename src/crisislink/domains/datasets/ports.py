"""What the datasets capability needs from outside, as protocols its adapters implement."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from crisislink.domains.datasets.model import Dataset
    from crisislink.domains.datasets.observations import Observation


class RecordSchema(Protocol):
    """A compiled JSON Schema for the records of one dataset."""

    def errors(self, record: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(JSON pointer, message) for each way the record breaks the schema; empty when it is valid."""
        ...


class RecordSchemas(Protocol):
    def check(self, schema: Mapping[str, Any]) -> None:
        """Raise InvalidInput saying what is wrong when `schema` is not a usable JSON Schema."""
        ...

    def compile(self, schema: Mapping[str, Any]) -> RecordSchema: ...


class Directory(Protocol):
    """The network directory, read-only, as this capability needs it."""

    def partner_exists(self, partner_id: uuid.UUID) -> bool: ...
    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None: ...
    def contact_owner(self, contact_point_id: uuid.UUID) -> uuid.UUID | None:
        """The partner a point of contact belongs to; None when there is no such contact."""
        ...


class DatasetRepository(Protocol):
    def add(self, dataset: Dataset) -> None: ...
    def get(self, dataset_id: uuid.UUID) -> Dataset: ...
    def get_for_ingest(self, dataset_id: uuid.UUID) -> Dataset:
        """The dataset, locked against concurrent ingest until commit (one batch at a time per dataset)."""
        ...

    def due_stale(self, moment: datetime) -> Sequence[Dataset]: ...


class ObservationStore(Protocol):
    def existing(self, dataset_id: uuid.UUID, candidates: Sequence[Observation]) -> set[tuple[str, datetime]]:
        """The keys (series, observed_at) among `candidates` that are stored already."""
        ...

    def add(self, dataset_id: uuid.UUID, observations: Sequence[Observation], received_at: datetime) -> None:
        """Store in bulk; an observation whose key is stored already is left as it was."""
        ...


class FollowerStore(Protocol):
    def follow(self, dataset_id: uuid.UUID, user_id: uuid.UUID, since: datetime) -> bool: ...
    def unfollow(self, dataset_id: uuid.UUID, user_id: uuid.UUID) -> bool: ...
    def of(self, dataset_id: uuid.UUID) -> list[uuid.UUID]: ...


class DatasetsUnitOfWork(Protocol):
    @property
    def datasets(self) -> DatasetRepository: ...
    @property
    def dataset_observations(self) -> ObservationStore: ...
    @property
    def dataset_followers(self) -> FollowerStore: ...
    @property
    def dataset_directory(self) -> Directory: ...
    @property
    def node_id(self) -> uuid.UUID: ...

    def touched(self, record_id: str) -> None: ...
    def commit(self) -> None: ...
