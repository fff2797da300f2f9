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


class SqlUnitOfWork:
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
        self.connection.begin()
        self._open_repositories()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()
        self.connection.close()

    def _open_repositories(self) -> None:
        self.nodes = r.NodeRepository(self.connection)
        self.partners = r.PartnerRepository(self.connection)
        self.users = r.UserRepository(self.connection)
        self.tokens = r.TokenRepository(self.connection)
        self.contact_points = r.ContactPointRepository(self.connection)
        self.incidents = ir.IncidentRepository(self.connection, self._now)
        self.log = ir.LogRepository(self.connection)
        self.tasks = ir.TaskRepository(self.connection, self._now)
        self.sitreps = ir.SitrepRepository(self.connection, self._now)
        self.notifications = ir.NotificationRepository(self.connection, self._now)
        self.warnings = wr.WarningRepository(self.connection, self._now)
        self.external_feeds = xr.ExternalFeedRepository(self.connection, self._now)
        self.external_alerts = xr.ExternalAlertRepository(self.connection, self._now)
        self.units = ar.UnitRepository(self.connection, self._now)  # mutual assistance (line 2)
        self.assistance_requests = ar.AssistanceRequestRepository(self.connection, self._now)
        self.assistance_offers = ar.OfferRepository(self.connection, self._now)
        self.hospitals = hr.HospitalRepository(self.connection, self._now)  # hospital register (line 2)
        # --- datasets (line 4): the aggregate, and its bulk rows and directory reads beside it
        self.datasets = dr.DatasetRepository(self.connection, self._now)
        self.dataset_observations = dr.ObservationStore(self.connection)
        self.dataset_followers = dr.FollowerStore(self.connection)
        self.dataset_directory = dr.SqlDatasetDirectory(self.connection)
        # --- readiness (line 4): the rota of each desk, and communication tests
        self.duty_shifts = rr.ShiftRepository(self.connection, self._now)
        self.duty_desks = rr.DeskRepository(self.connection, self._now)
        self.handovers = rr.HandoverRepository(self.connection, self._now)
        self.comm_test_plans = cr.PlanRepository(self.connection, self._now)
        self.comm_test_runs = cr.RunRepository(self.connection, self._now)
        self.readiness_network = SqlReadinessNetwork(self.connection)
        self.directory = SqlDirectory(self.connection)
        self.warning_directory = SqlWarningDirectory(self.connection)
        self._repositories: tuple[r._Repository[Any], ...] = (
            self.nodes,
            self.partners,
            self.users,
            self.tokens,
            self.contact_points,
            self.incidents,
            self.log,
            self.tasks,
            self.sitreps,
            self.notifications,
            *self._readiness_repositories(),  # readiness (line 4)
            self.warnings,
            self.external_feeds,
            self.external_alerts,
            self.units,
            self.assistance_requests,
            self.assistance_offers,
            self.hospitals,
            self.datasets,  # datasets (line 4)
        )

    def _readiness_repositories(self) -> tuple[r._Repository[Any], ...]:
        return (self.duty_shifts, self.duty_desks, self.handovers, self.comm_test_plans, self.comm_test_runs)

    def audit_as(self, context: AuditContext) -> None:
        self.context = context

    def touched(self, record_id: str) -> None:
        """Name a record changed outside the repositories (sessions, cursors), for the audit entry."""
        self._extra_records.append(record_id)

    def emit(self, event: Event) -> None:
        """Publish an event that belongs to no aggregate (e.g. a sign-in)."""
        self._extra_events.append(event)

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
