"""What the warnings capability needs from outside, as protocols its adapters implement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crisislink.domains.warnings.model import PublicWarning


@dataclass(frozen=True)
class WarningPartner:
    """A partner as warnings see it. `approves_warnings`: its information officers must approve any warning
    touching its country (configurable per partner; a country is asked when any of its partners says so)."""

    id: uuid.UUID
    country: str
    approves_warnings: bool = True


class Directory(Protocol):
    def partner(self, partner_id: uuid.UUID) -> WarningPartner | None: ...
    def partners_in(self, country: str) -> Sequence[WarningPartner]: ...
    def partner_of_user(self, user_id: uuid.UUID) -> uuid.UUID | None: ...


class IdentifierPort(Protocol):
    """Fresh CAP identifiers for this node's sender: never the same one twice, across restarts and nodes."""

    @property
    def sender(self) -> str: ...

    def new_identifier(self) -> str: ...


class WarningRepository(Protocol):
    def add(self, warning: PublicWarning) -> None: ...
    def get(self, warning_id: uuid.UUID) -> PublicWarning: ...
    def due(self, moment: datetime) -> Sequence[PublicWarning]:
        """Warnings with a part scheduled at or before `moment`, or issued and past their expiry."""
        ...


class WarningsUnitOfWork(Protocol):
    @property
    def warnings(self) -> WarningRepository: ...
    @property
    def warning_directory(self) -> Directory: ...
    @property
    def node_id(self) -> uuid.UUID: ...

    def commit(self) -> None: ...
