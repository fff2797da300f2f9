"""The unit of work: the only place that commits.

On commit it flushes changed aggregates (version-checked), writes their events to the outbox and an
entry to the audit chain, all in one transaction. Events leave only after that commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Engine

from crisislink.adapters.db import assistance_repositories as ar
from crisislink.adapters.db import audit, outbox
from crisislink.adapters.db import comm_test_repositories as cr
from crisislink.adapters.db import dataset_repositories as dr
from crisislink.adapters.db import external_repositories as xr
from crisislink.adapters.db import hospital_repositories as hr
from crisislink.adapters.db import incident_repositories as ir
from crisislink.adapters.db import readiness_repositories as rr
from crisislink.adapters.db import repositories as r
from crisislink.adapters.db import warning_repositories as wr
from crisislink.adapters.db.directory_port import SqlDirectory, SqlWarningDirectory
from crisislink.adapters.db.engine import writer
from crisislink.adapters.db.readiness_network import SqlReadinessNetwork
from crisislink.kernel.aggregate import Aggregate
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import SYSTEM, Actor, Envelope, Event


@dataclass
class AuditContext:
    actor: Actor
    command: str
    details: dict[str, Any] = field(default_factory=dict)
    correlation_id: uuid.UUID = field(default_factory=new_id)
    causation_id: uuid.UUID | None = None


# The repositories a unit of work flushes and collects events from, in this order (events keep it).
_REPOSITORIES = (
    "nodes",
    "partners",
    "users",
    "tokens",
    "contact_points",
    "incidents",
    "log",
    "tasks",
    "sitreps",
    "notifications",
    "duty_shifts",
    "duty_desks",
    "handovers",
    "comm_test_plans",
    "comm_test_runs",
    "warnings",
    "external_feeds",
    "external_alerts",
    "units",
    "assistance_requests",
    "assistance_offers",
    "hospitals",
    "datasets",
)
# Everything else opened on the unit's connection; forgotten with the repositories when it is re-entered.
_STORES = (
    "dataset_observations",
    "dataset_followers",
    "dataset_directory",
    "readiness_network",
    "directory",
    "warning_directory",
)


class SqlUnitOfWork:
    # Repositories are opened on first use: a command touches two or three of the thirty.
    def __init__(self, engine: Engine, node_id: uuid.UUID, now: Callable[[], datetime]) -> None:
        self._engine = writer(engine)
        self.node_id = node_id
        self._now = now
        self.context: AuditContext | None = None
        self.committed: list[Envelope] = []
        self._extra_records: list[str] = []
        self._extra_events: list[Event] = []
        self._settled: list[tuple[Event, uuid.UUID | None, uuid.UUID | None]] = []
        self.commits_held = False

    def __enter__(self) -> SqlUnitOfWork:
        self.connection = self._engine.connect()
        try:
            self.connection.begin()
        except BaseException:
            # `__exit__` will not run: give the connection, and the write gate it may hold, back now.
            # Left to the garbage collector, the error's traceback would keep both from the next writer.
            self.connection.close()
            raise
        for name in (*_REPOSITORIES, *_STORES):  # opened on an earlier connection, if re-entered
            self.__dict__.pop(name, None)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()
        self.connection.close()

    @cached_property
    def nodes(self) -> r.NodeRepository:
        return r.NodeRepository(self.connection)

    @cached_property
    def partners(self) -> r.PartnerRepository:
        return r.PartnerRepository(self.connection)

    @cached_property
    def users(self) -> r.UserRepository:
        return r.UserRepository(self.connection)

    @cached_property
    def tokens(self) -> r.TokenRepository:
        return r.TokenRepository(self.connection)

    @cached_property
    def contact_points(self) -> r.ContactPointRepository:
        return r.ContactPointRepository(self.connection)

    @cached_property
    def incidents(self) -> ir.IncidentRepository:
        return ir.IncidentRepository(self.connection, self._now)

    @cached_property
    def log(self) -> ir.LogRepository:
        return ir.LogRepository(self.connection)

    @cached_property
    def tasks(self) -> ir.TaskRepository:
        return ir.TaskRepository(self.connection, self._now)

    @cached_property
    def sitreps(self) -> ir.SitrepRepository:
        return ir.SitrepRepository(self.connection, self._now)

    @cached_property
    def notifications(self) -> ir.NotificationRepository:
        return ir.NotificationRepository(self.connection, self._now)

    @cached_property
    def warnings(self) -> wr.WarningRepository:
        return wr.WarningRepository(self.connection, self._now)

    @cached_property
    def external_feeds(self) -> xr.ExternalFeedRepository:
        return xr.ExternalFeedRepository(self.connection, self._now)

    @cached_property
    def external_alerts(self) -> xr.ExternalAlertRepository:
        return xr.ExternalAlertRepository(self.connection, self._now)

    @cached_property
    def units(self) -> ar.UnitRepository:
        return ar.UnitRepository(self.connection, self._now)

    @cached_property
    def assistance_requests(self) -> ar.AssistanceRequestRepository:
        return ar.AssistanceRequestRepository(self.connection, self._now)

    @cached_property
    def assistance_offers(self) -> ar.OfferRepository:
        return ar.OfferRepository(self.connection, self._now)

    @cached_property
    def hospitals(self) -> hr.HospitalRepository:
        return hr.HospitalRepository(self.connection, self._now)

    @cached_property
    def datasets(self) -> dr.DatasetRepository:
        return dr.DatasetRepository(self.connection, self._now)

    @cached_property
    def dataset_observations(self) -> dr.ObservationStore:
        return dr.ObservationStore(self.connection)

    @cached_property
    def dataset_followers(self) -> dr.FollowerStore:
        return dr.FollowerStore(self.connection)

    @cached_property
    def dataset_directory(self) -> dr.SqlDatasetDirectory:
        return dr.SqlDatasetDirectory(self.connection)

    @cached_property
    def duty_shifts(self) -> rr.ShiftRepository:
        return rr.ShiftRepository(self.connection, self._now)

    @cached_property
    def duty_desks(self) -> rr.DeskRepository:
        return rr.DeskRepository(self.connection, self._now)

    @cached_property
    def handovers(self) -> rr.HandoverRepository:
        return rr.HandoverRepository(self.connection, self._now)

    @cached_property
    def comm_test_plans(self) -> cr.PlanRepository:
        return cr.PlanRepository(self.connection, self._now)

    @cached_property
    def comm_test_runs(self) -> cr.RunRepository:
        return cr.RunRepository(self.connection, self._now)

    @cached_property
    def readiness_network(self) -> SqlReadinessNetwork:
        return SqlReadinessNetwork(self.connection)

    @cached_property
    def directory(self) -> SqlDirectory:
        return SqlDirectory(self.connection)

    @cached_property
    def warning_directory(self) -> SqlWarningDirectory:
        return SqlWarningDirectory(self.connection)

    def audit_as(self, context: AuditContext) -> None:
        self.context = context

    def touched(self, record_id: str) -> None:
        """Name a record changed outside the repositories (sessions, cursors), for the audit entry."""
        self._extra_records.append(record_id)

    def emit(self, event: Event) -> None:
        """Publish an event that belongs to no aggregate (e.g. a sign-in)."""
        self._extra_events.append(event)

    @property
    def _repositories(self) -> list[r._Repository[Any]]:
        opened = self.__dict__
        return [opened[name] for name in _REPOSITORIES if name in opened]

    def _aggregates(self) -> Iterator[Aggregate]:
        for repository in self._repositories:
            yield from repository.seen()

    def _collect_events(self) -> list[Event]:
        collected: list[Event] = []
        for aggregate in self._aggregates():
            collected.extend(aggregate.events)
            aggregate.events.clear()
        collected.extend(self._extra_events)
        self._extra_events.clear()
        return collected

    def settle(self, caused_by: uuid.UUID, correlation_id: uuid.UUID) -> None:
        """Attribute the events raised so far to the event that caused them (several handlers, one commit)."""
        self._settled.extend((event, caused_by, correlation_id) for event in self._collect_events())

    def commit(self) -> None:
        if self.commits_held:
            raise RuntimeError(
                "event handlers do not commit: the dispatcher commits their work with the delivery"
            )
        for repository in self._repositories:
            repository.flush()
        context = self.context or AuditContext(actor=SYSTEM, command="unattributed")
        events = [*self._settled, *((e, context.causation_id, None) for e in self._collect_events())]
        self._settled = []
        record_ids = self._extra_records + [str(i) for repo in self._repositories for i in repo.changed]
        if events or record_ids:
            self._write_log(context, events, record_ids)
        self.connection.commit()
        self._extra_records = []
        for repository in self._repositories:
            repository.changed.clear()
        # No new transaction here: the connection begins one only if it is used again, so the write
        # lock is not taken for nothing after every commit.

    def _write_log(
        self,
        context: AuditContext,
        events: list[tuple[Event, uuid.UUID | None, uuid.UUID | None]],
        record_ids: list[str],
    ) -> None:
        head = audit.lock_head(self.connection)
        now = self._now()
        envelopes = [
            self._envelope(
                event, now, causation or context.causation_id, correlation or context.correlation_id
            )
            for event, causation, correlation in events
        ]
        for envelope in envelopes:
            position = outbox.write(self.connection, envelope)
            self.committed.append(replace(envelope, position=position))
        entry = audit.AuditEntry(
            at=now,
            actor_user_id=context.actor.user_id,
            actor_partner_id=context.actor.partner_id,
            command=context.command,
            record_ids=sorted(set(record_ids)),
            details={**context.details, "events": [str(envelope.id) for envelope in envelopes]},
        )
        audit.append(self.connection, head, entry)

    def _envelope(
        self, event: Event, now: datetime, causation_id: uuid.UUID | None, correlation_id: uuid.UUID
    ) -> Envelope:
        return outbox.envelope_of(
            event,
            id=new_id(),
            occurred_at=now,
            origin_node_id=self.node_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
        )

    def rollback(self) -> None:
        self.connection.rollback()
