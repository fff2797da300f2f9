"""What partners ask about access to a dataset they cannot see, and what the schedule asks at expiry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.datasets.access import AccessScope
from crisislink.kernel.messages import Command


@dataclass(frozen=True, kw_only=True)
class RequestDatasetAccess(Command):
    dataset_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class GrantDatasetAccess(Command):
    request_id: uuid.UUID
    scope: AccessScope
    expires_at: datetime
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class RefuseDatasetAccess(Command):
    request_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class RevokeDatasetAccess(Command):
    request_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class EndExpiredDatasetAccess(Command):
    """Time-driven: end every grant past its expiry."""
