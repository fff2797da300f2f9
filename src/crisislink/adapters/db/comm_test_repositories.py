"""Repositories of communication tests: plans, and runs with their probes and messages. They never commit.

A run is one aggregate: its probes and messages are child rows written with it, the run's version
guarding them all. A probe keeps the label its point of contact had when the run started.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.repositories import Row, _ShareableRepository, write_audience
from crisislink.domains.readiness.plans import CommTestPlan, Recurrence
from crisislink.domains.readiness.runs import (
    CommTestRun,
    Delivery,
    Message,
    Probe,
    ProbeStatus,
    Recipient,
    RunStatus,
    Step,
    StepKind,
)
from crisislink.kernel.errors import NotFound
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp


class PlanRepository(_ShareableRepository[CommTestPlan]):
    table = t.comm_test_plans
    noun = "communication-test plan"

    def __init__(self, connection: sa.Connection, now: Callable[[], datetime]) -> None:
        super().__init__(connection)
        self._now = now

    def _to_row(self, plan: CommTestPlan) -> Row:
        return {
            "id": plan.id,
            **self._label_row(plan.label),
            "name": plan.name,
            "recurrence": plan.recurrence.value,
            "timezone": plan.timezone,
            "first_run_at": plan.first_run_at,
            "next_run_at": plan.next_run_at,
            "partners": sorted(str(p) for p in plan.partners),
            "message": plan.message,
            "answer_minutes": plan.answer_minutes,
            "active": plan.active,
            "created_at": plan.created_at,
            "created_by": plan.created_by,
        }

    def _written_row(self, plan: CommTestPlan) -> Row:
        return {**self._to_row(plan), "updated_at": self._now()}

    def _from_row(self, row: Mapping[str, Any]) -> CommTestPlan:
        return CommTestPlan(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            name=row["name"],
            recurrence=Recurrence(row["recurrence"]),
            timezone=row["timezone"],
            first_run_at=row["first_run_at"],
            next_run_at=row["next_run_at"],
            partners=frozenset(uuid.UUID(p) for p in row["partners"]),
            message=row["message"],
            answer_minutes=row["answer_minutes"],
            active=row["active"],
            created_at=row["created_at"],
            created_by=row["created_by"],
        )

    def due(self, moment: datetime) -> list[CommTestPlan]:
        p = self.table.c
        ids = self._conn.execute(
            sa.select(p.id).where(p.active.is_(True), p.next_run_at <= moment).order_by(p.next_run_at)
        )
        return [self.get(plan_id) for plan_id in ids.scalars()]


def _probe_row(run_id: uuid.UUID, probe: Probe) -> Row:
    return {
        "id": probe.id,
        "owner_partner_id": probe.label.owner_partner_id,
        "home_node_id": probe.label.home_node_id,
        "marking": probe.label.marking.value,
        "run_id": run_id,
        "contact_point_id": probe.contact_point_id,
        "partner_id": probe.partner_id,
        "contact_name": probe.contact_name,
        "chain": [[step.kind.value, str(step.contact_point_id)] for step in probe.chain],
        "step": probe.step,
        "sent_at": probe.sent_at,
        "escalate_at": probe.escalate_at,
        "status": probe.status.value,
        "acknowledged_at": probe.acknowledged_at,
        "acknowledged_step": probe.acknowledged_step,
        "acknowledged_via": probe.acknowledged_via,
        "recorded_by": probe.recorded_by,
    }


def _message_row(run_id: uuid.UUID, probe_id: uuid.UUID, message: Message) -> Row:
    return {
        "id": message.id,
        "run_id": run_id,
        "probe_id": probe_id,
        "step": message.step,
        "recipient": message.recipient.name,
        "channel": message.recipient.channel,
        "address": message.recipient.address,
        "sent_at": message.sent_at,
        "token_hash": message.token_hash,
        "used_at": message.used_at,
        "delivery": message.delivery.value,
        "detail": message.detail,
    }


def _message(row: Mapping[Any, Any]) -> Message:
    return Message(
        id=row["id"],
        step=row["step"],
        recipient=Recipient(name=row["recipient"], channel=row["channel"], address=row["address"]),
        sent_at=row["sent_at"],
        token_hash=row["token_hash"],
        used_at=row["used_at"],
        delivery=Delivery(row["delivery"]),
        detail=row["detail"],
    )


class RunRepository(_ShareableRepository[CommTestRun]):
    """A run with its probes and messages. Changed child rows are written with the run (which is versioned)."""

    table = t.comm_test_runs
    noun = "communication test"

    def __init__(self, connection: sa.Connection, now: Callable[[], datetime]) -> None:
        super().__init__(connection)
        self._now = now

    def _to_row(self, run: CommTestRun) -> Row:
        return {
            "id": run.id,
            **self._label_row(run.label),
            "plan_id": run.plan_id,
            "name": run.name,
            "message": run.message,
            "partners": sorted(str(p) for p in run.partners),
            "started_at": run.started_at,
            "started_by": run.started_by,
            "closes_at": run.closes_at,
            "escalate_seconds": int(run.escalate_after.total_seconds()),
            "status": run.status.value,
            "closed_at": run.closed_at,
        }

    def _children(self, run: CommTestRun) -> dict[uuid.UUID, tuple[sa.Table, Row]]:
        rows: dict[uuid.UUID, tuple[sa.Table, Row]] = {}
        for probe in run.probes:
            rows[probe.id] = (t.comm_test_probes, _probe_row(run.id, probe))
            for message in probe.messages:
                rows[message.id] = (t.comm_test_messages, _message_row(run.id, probe.id, message))
        return rows

    def _state(self, run: CommTestRun) -> Row:
        children = {str(key): row for key, (_, row) in self._children(run).items()}
        return {**super()._state(run), "children": children}

    def _written_row(self, run: CommTestRun) -> Row:
        return {**self._to_row(run), "updated_at": self._now()}

    def _after_insert(self, run: CommTestRun) -> None:
        super()._after_insert(run)
        self._write_children(run, {})

    def _after_update(self, run: CommTestRun) -> None:
        super()._after_update(run)
        before = self._seen[run.id][1]["children"]  # the snapshot the base class has not replaced yet
        self._write_children(run, before)

    def _write_children(self, run: CommTestRun, before: Mapping[str, Row]) -> None:
        new_probes = {p.id for p in run.probes if str(p.id) not in before}
        children = self._children(run)
        # Probes before their messages (foreign keys), in one statement per table where possible.
        for table in (t.comm_test_probes, t.comm_test_messages):
            inserts = [row for key, (tbl, row) in children.items() if tbl is table and str(key) not in before]
            if inserts:
                self._conn.execute(table.insert(), inserts)
            for key, (tbl, row) in children.items():
                if tbl is table and str(key) in before and before[str(key)] != row:
                    self._conn.execute(table.update().where(table.c.id == key).values(row))
        for probe in run.probes:
            if probe.id in new_probes:
                write_audience(self._conn, probe.id, probe.label.audience)

    def _from_row(self, row: Mapping[str, Any]) -> CommTestRun:
        run = CommTestRun(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            plan_id=row["plan_id"],
            name=row["name"],
            message=row["message"],
            partners=frozenset(uuid.UUID(p) for p in row["partners"]),
            started_at=row["started_at"],
            started_by=row["started_by"],
            closes_at=row["closes_at"],
            escalate_after=timedelta(seconds=row["escalate_seconds"]),
            status=RunStatus(row["status"]),
            closed_at=row["closed_at"],
        )
        run.probes = self._probes(run.id)
        return run

    def _probes(self, run_id: uuid.UUID) -> list[Probe]:
        pr, ms = t.comm_test_probes, t.comm_test_messages
        messages: dict[uuid.UUID, list[Message]] = {}
        for m in self._conn.execute(
            sa.select(ms).where(ms.c.run_id == run_id).order_by(ms.c.sent_at, ms.c.id)
        ).mappings():
            messages.setdefault(m["probe_id"], []).append(_message(m))
        audiences = self._probe_audiences(run_id)
        rows = self._conn.execute(sa.select(pr).where(pr.c.run_id == run_id).order_by(pr.c.id)).mappings()
        return [
            self._probe(row, messages.get(row["id"], []), audiences.get(row["id"], set())) for row in rows
        ]

    def _probe_audiences(self, run_id: uuid.UUID) -> dict[uuid.UUID, set[Principal]]:
        """The audiences of all the run's probes in one query (one per probe was most of a load's time)."""
        a = t.audience.c
        probes = sa.select(t.comm_test_probes.c.id).where(t.comm_test_probes.c.run_id == run_id)
        found: dict[uuid.UUID, set[Principal]] = {}
        rows = self._conn.execute(
            sa.select(a.record_id, a.principal_kind, a.principal_id).where(a.record_id.in_(probes))
        )
        for record_id, kind, principal in rows:
            found.setdefault(record_id, set()).add(Principal(PrincipalKind(kind), principal))
        return found

    def _probe(self, row: Mapping[Any, Any], messages: list[Message], audience: set[Principal]) -> Probe:
        label = Label(row["owner_partner_id"], row["home_node_id"], Tlp(row["marking"]), frozenset(audience))
        return Probe(
            id=row["id"],
            label=label,
            contact_point_id=row["contact_point_id"],
            partner_id=row["partner_id"],
            contact_name=row["contact_name"],
            chain=tuple(Step(StepKind(kind), uuid.UUID(cid)) for kind, cid in row["chain"]),
            sent_at=row["sent_at"],
            escalate_at=row["escalate_at"],
            step=row["step"],
            status=ProbeStatus(row["status"]),
            acknowledged_at=row["acknowledged_at"],
            acknowledged_step=row["acknowledged_step"],
            acknowledged_via=row["acknowledged_via"],
            recorded_by=row["recorded_by"],
            messages=messages,
        )

    def with_token(self, token_hash: str) -> CommTestRun:
        ms = t.comm_test_messages
        run_id = self._conn.execute(sa.select(ms.c.run_id).where(ms.c.token_hash == token_hash)).scalar()
        if run_id is None:
            raise NotFound("unknown acknowledgement code; check that the link was copied whole")
        return self.get(run_id)

    def open_runs(self) -> list[CommTestRun]:
        r = self.table.c
        ids = self._conn.execute(
            sa.select(r.id).where(r.status == RunStatus.OPEN.value).order_by(r.started_at)
        )
        return [self.get(run_id) for run_id in ids.scalars()]
