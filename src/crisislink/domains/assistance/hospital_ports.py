"""What the hospital register needs from outside, as protocols its adapters implement."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

from crisislink.domains.assistance.hospital import Hospital
from crisislink.domains.assistance.model import Point
from crisislink.domains.assistance.ports import Directory
from crisislink.kernel.messages import Event


class HospitalRepository(Protocol):
    def add(self, hospital: Hospital) -> None: ...
    def get(self, hospital_id: uuid.UUID) -> Hospital: ...
    def existing_codes(self, codes: Iterable[str]) -> set[str]: ...
    def with_identifiers(self, identifiers: Sequence[str]) -> Sequence[Hospital]: ...
    def near(self, point: Point, metres: float) -> Sequence[Hospital]:
        """Hospitals within about `metres` of `point` (a box: callers measure the exact distance)."""
        ...

    def has_report(self, hospital_id: uuid.UUID, message_id: str) -> bool:
        """A report of this message for this hospital is stored already (a message delivered twice)."""
        ...


class HospitalUnitOfWork(Protocol):
    @property
    def hospitals(self) -> HospitalRepository: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def node_id(self) -> uuid.UUID: ...

    def emit(self, event: Event) -> None: ...
    def commit(self) -> None: ...
