"""The unit of work: the only place that commits.

On commit it flushes changed aggregates (version-checked), writes their events to the outbox and an
entry to the audit chain, all in one transaction. Events leave only after that commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, TypeVar, cast, overload

import sqlalchemy as sa
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


R = TypeVar("R")


class _Opened(Generic[R]):
    """A repository or store of the unit of work, opened on its connection the first time it is used:
    a command touches two or three of the thirty."""

    def __init__(self, factory: Callable[[sa.Connection, Callable[[], datetime]], R]) -> None:
        self._factory = factory
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _Opened[R]: ...
    @overload
    def __get__(self, uow: SqlUnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: SqlUnitOfWork | None, owner: type) -> _Opened[R] | R:
        if uow is None:
            return self
        opened = uow._opened
        if self.name not in opened:
            opened[self.name] = self._factory(uow.connection, uow._now)
        return cast(R, opened[self.name])


def _opens(kind: Callable[[sa.Connection], R]) -> _Opened[R]:
    return _Opened(lambda connection, _now: kind(connection))


def _opens_clocked(kind: Callable[[sa.Connection, Callable[[], datetime]], R]) -> _Opened[R]:
    return _Opened(kind)


class SqlUnitOfWork:
    # Repositories, in the order the unit of work flushes them and collects their events, then the stores
    # beside them; each is opened on the unit's connection the first time a handler uses it.
    nodes = _opens(r.NodeRepository)
    partners = _opens(r.PartnerRepository)
    users = _opens(r.UserRepository)
    tokens = _opens(r.TokenRepository)
    contact_points = _opens(r.ContactPointRepository)
    incidents = _opens_clocked(ir.IncidentRepository)
    log = _opens(ir.LogRepository)
    tasks = _opens_clocked(ir.TaskRepository)
    sitreps = _opens_clocked(ir.SitrepRepository)
    notifications = _opens_clocked(ir.NotificationRepository)
    duty_shifts = _opens_clocked(rr.ShiftRepository)  # readiness (line 4): the rota of each desk
    duty_desks = _opens_clocked(rr.DeskRepository)
    handovers = _opens_clocked(rr.HandoverRepository)
    comm_test_plans = _opens_clocked(cr.PlanRepository)  # readiness (line 4): communication tests
    comm_test_runs = _opens_clocked(cr.RunRepository)
    warnings = _opens_clocked(wr.WarningRepository)
    external_feeds = _opens_clocked(xr.ExternalFeedRepository)
    external_alerts = _opens_clocked(xr.ExternalAlertRepository)
    units = _opens_clocked(ar.UnitRepository)  # mutual assistance (line 2)
    assistance_requests = _opens_clocked(ar.AssistanceRequestRepository)
    assistance_offers = _opens_clocked(ar.OfferRepository)
    hospitals = _opens_clocked(hr.HospitalRepository)  # hospital register (line 2)
    datasets = _opens_clocked(dr.DatasetRepository)  # datasets (line 4)
    dataset_observations = _opens(dr.ObservationStore)  # datasets (line 4): bulk rows and directory reads
    dataset_followers = _opens(dr.FollowerStore)
    dataset_directory = _opens(dr.SqlDatasetDirectory)
    readiness_network = _opens(SqlReadinessNetwork)  # readiness (line 4)
    directory = _opens(SqlDirectory)
    warning_directory = _opens(SqlWarningDirectory)

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
        self._opened: dict[str, object] = {}

    def __enter__(self) -> SqlUnitOfWork:
        self.connection = self._engine.connect()
        try:
            self.connection.begin()
        except BaseException:
            # `__exit__` will not run: give the connection, and the write gate it may hold, back now.
            # Left to the garbage collector, the error's traceback would keep both from the next writer.
            self.connection.close()
            raise
        self._opened = {}  # what an earlier `with` opened is on another connection
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()
        self.connection.close()

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
        opened = self._opened
        return [repository for name in _DECLARED if isinstance(repository := opened.get(name), r._Repository)]

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
        repositories = self._repositories  # what this unit opened; committing opens nothing more
        for repository in repositories:
            repository.flush()
        context = self.context or AuditContext(actor=SYSTEM, command="unattributed")
        events = [*self._settled, *((e, context.causation_id, None) for e in self._collect_events())]
        self._settled = []
        record_ids = self._extra_records + [str(i) for repo in repositories for i in repo.changed]
        if events or record_ids:
            self._write_log(context, events, record_ids)
        self.connection.commit()
        self._extra_records = []
        for repository in repositories:
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


# Declared order: the order of flushing, and of the events of one commit.
_DECLARED = tuple(name for name, member in vars(SqlUnitOfWork).items() if isinstance(member, _Opened))
