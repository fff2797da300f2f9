"""Queries of communication tests. Each filters with the sharing policy, twice where it must.

A plan or run is seen under its own label (GREEN for the whole network, AMBER for the partners tested).
The result of one point of contact is seen only by those who may see the run *and* the probe, whose label
is the contact's as it was when the run started: a desk you may not see leaves no trace in your results.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.readiness_views import (
    MessageView,
    PartnerResultView,
    PlanView,
    ProbeView,
    RunSummaryView,
    RunView,
)
from crisislink.domains.readiness.results import ProbeResult, summarise
from crisislink.domains.readiness.runs import Outcome, ProbeStatus, RunStatus
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

MAX_PAGE = 200
_PL, _R, _PR, _M = t.comm_test_plans, t.comm_test_runs, t.comm_test_probes, t.comm_test_messages


def _plan_view(row: Mapping[Any, Any]) -> PlanView:
    return PlanView(
        id=row["id"],
        name=row["name"],
        recurrence=row["recurrence"],
        timezone=row["timezone"],
        first_run_at=row["first_run_at"],
        next_run_at=row["next_run_at"],
        partners=[uuid.UUID(p) for p in row["partners"]],
        message=row["message"],
        answer_minutes=row["answer_minutes"],
        active=row["active"],
        owner_partner_id=row["owner_partner_id"],
        marking=row["marking"],
        version=row["version"],
    )


def plans(engine: Engine, viewer: Viewer) -> list[PlanView]:
    query = (
        sa.select(_PL)
        .where(visible_to(viewer, _PL))
        .order_by(_PL.c.next_run_at.is_(None), _PL.c.next_run_at, _PL.c.name)
    )
    with engine.connect() as conn:
        return [_plan_view(row) for row in conn.execute(query).mappings()]


def get_plan(engine: Engine, viewer: Viewer, plan_id: uuid.UUID) -> PlanView:
    query = sa.select(_PL).where(_PL.c.id == plan_id, visible_to(viewer, _PL, correlated=True))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no communication-test plan with id {plan_id} that you may see")
    return _plan_view(row)


def outcome(status: str, acknowledged_step: int | None) -> Outcome:
    if status == ProbeStatus.ACKNOWLEDGED.value:
        return Outcome.AFTER_ESCALATION if acknowledged_step else Outcome.ACKNOWLEDGED
    return Outcome.NO_ANSWER if status == ProbeStatus.NO_ANSWER.value else Outcome.PENDING


def _counts(
    conn: sa.Connection, viewer: Viewer, run_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[Outcome, int]]:
    counts: dict[uuid.UUID, dict[Outcome, int]] = {run_id: dict.fromkeys(Outcome, 0) for run_id in run_ids}
    if not run_ids:
        return counts
    query = sa.select(_PR.c.run_id, _PR.c.status, _PR.c.acknowledged_step).where(
        _PR.c.run_id.in_(run_ids), visible_to(viewer, _PR)
    )
    for row in conn.execute(query):
        counts[row.run_id][outcome(row.status, row.acknowledged_step)] += 1
    return counts


def _summary(row: Mapping[Any, Any], counts: dict[Outcome, int]) -> RunSummaryView:
    return RunSummaryView(
        id=row["id"],
        plan_id=row["plan_id"],
        name=row["name"],
        status=row["status"],
        started_at=row["started_at"],
        closes_at=row["closes_at"],
        closed_at=row["closed_at"],
        owner_partner_id=row["owner_partner_id"],
        marking=row["marking"],
        contacts=sum(counts.values()),
        answered=counts[Outcome.ACKNOWLEDGED] + counts[Outcome.AFTER_ESCALATION],
        after_escalation=counts[Outcome.AFTER_ESCALATION],
        no_answer=counts[Outcome.NO_ANSWER],
    )


def runs(
    engine: Engine, viewer: Viewer, limit: int = 50, plan_id: uuid.UUID | None = None
) -> list[RunSummaryView]:
    """Runs the viewer may see, newest first, with the counts of the results the viewer may see."""
    query = (
        sa.select(_R)
        .where(visible_to(viewer, _R))
        .order_by(_R.c.started_at.desc(), _R.c.id.desc())
        .limit(limit)
    )
    if plan_id is not None:
        query = query.where(_R.c.plan_id == plan_id)
    with engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
        counts = _counts(conn, viewer, [row["id"] for row in rows])
    return [_summary(row, counts[row["id"]]) for row in rows]


def _messages(conn: sa.Connection, probe_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[MessageView]]:
    found: dict[uuid.UUID, list[MessageView]] = {probe_id: [] for probe_id in probe_ids}
    if not probe_ids:
        return found
    query = sa.select(_M).where(_M.c.probe_id.in_(probe_ids)).order_by(_M.c.sent_at, _M.c.id)
    for row in conn.execute(query).mappings():
        found[row["probe_id"]].append(
            MessageView(
                id=row["id"],
                step=row["step"],
                recipient=row["recipient"],
                channel=row["channel"],
                address=row["address"],
                sent_at=row["sent_at"],
                delivery=row["delivery"],
                detail=row["detail"],
                used=row["used_at"] is not None,
            )
        )
    return found


def _probe_view(row: Mapping[Any, Any], messages: list[MessageView]) -> ProbeView:
    at, sent = row["acknowledged_at"], row["sent_at"]
    return ProbeView(
        id=row["id"],
        contact_point_id=row["contact_point_id"],
        contact_name=row["contact_name"],
        partner_id=row["partner_id"],
        outcome=outcome(row["status"], row["acknowledged_step"]).value,
        step=row["step"],
        step_kind=row["chain"][row["step"]][0] if row["chain"] else "contact",
        sent_at=sent,
        acknowledged_at=at,
        delay_seconds=(at - sent).total_seconds() if at else None,
        acknowledged_via=row["acknowledged_via"],
        messages=messages,
    )


def get_run(engine: Engine, viewer: Viewer, run_id: uuid.UUID) -> RunView:
    with engine.connect() as conn:
        row = (
            conn.execute(sa.select(_R).where(_R.c.id == run_id, visible_to(viewer, _R, correlated=True)))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"no communication test with id {run_id} that you may see")
        probes = list(
            conn.execute(
                sa.select(_PR)
                .where(_PR.c.run_id == run_id, visible_to(viewer, _PR))
                .order_by(_PR.c.partner_id, _PR.c.contact_name, _PR.c.id)
            ).mappings()
        )
        messages = _messages(conn, [p["id"] for p in probes])
        counts = _counts(conn, viewer, [run_id])[run_id]
    return RunView(
        summary=_summary(row, counts),
        message=row["message"],
        partners=[uuid.UUID(p) for p in row["partners"]],
        escalate_minutes=row["escalate_seconds"] // 60,
        probes=[_probe_view(p, messages[p["id"]]) for p in probes],
    )


def partner_results(
    engine: Engine, viewer: Viewer, partner_id: uuid.UUID, limit: int = 40
) -> list[PartnerResultView]:
    """The partner's result in each of the latest `limit` runs the viewer may see, oldest first."""
    tested = sa.and_(_PR.c.partner_id == partner_id, visible_to(viewer, _PR), visible_to(viewer, _R))
    latest = (
        sa.select(_R.c.id, _R.c.started_at)
        .join(_PR, _PR.c.run_id == _R.c.id)
        .where(tested)
        .group_by(_R.c.id, _R.c.started_at)
        .order_by(_R.c.started_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        if conn.execute(sa.select(t.partners.c.id).where(t.partners.c.id == partner_id)).first() is None:
            raise NotFound(f"no partner with id {partner_id}")
        run_ids = [row.id for row in conn.execute(latest)]
        if not run_ids:
            return []
        query = (
            sa.select(_R.c.id, _R.c.name, _R.c.started_at, _R.c.status, _PR.c.status.label("probe_status"))
            .add_columns(_PR.c.acknowledged_step, _PR.c.acknowledged_at, _PR.c.sent_at)
            .join(_PR, _PR.c.run_id == _R.c.id)
            .where(_R.c.id.in_(run_ids), tested)
            .order_by(_R.c.started_at, _R.c.id)
        )
        rows = list(conn.execute(query).mappings())
    return _results(rows)


def _results(rows: Sequence[Mapping[Any, Any]]) -> list[PartnerResultView]:
    grouped: dict[uuid.UUID, list[Mapping[Any, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["id"], []).append(row)
    results = []
    for run_id, probes in grouped.items():
        first = probes[0]
        summary = summarise(
            run_id,
            first["started_at"],
            first["status"] == RunStatus.CLOSED.value,
            [
                ProbeResult(
                    outcome(p["probe_status"], p["acknowledged_step"]),
                    (p["acknowledged_at"] - p["sent_at"]).total_seconds() if p["acknowledged_at"] else None,
                )
                for p in probes
            ],
        )
        results.append(
            PartnerResultView(
                run_id=run_id,
                run_name=first["name"],
                started_at=summary.started_at,
                closed=summary.closed,
                contacts=summary.contacts,
                answered=summary.answered,
                after_escalation=summary.after_escalation,
                answer_rate=summary.answer_rate,
                median_seconds=summary.median_seconds,
                max_seconds=summary.max_seconds,
            )
        )
    return results


def partners_tested(engine: Engine, viewer: Viewer) -> list[uuid.UUID]:
    """Partners with a result the viewer may see, by country and code: whose charts the console shows."""
    p = t.partners.c
    query = (
        sa.select(p.id)
        .where(
            p.id.in_(
                sa.select(_PR.c.partner_id)
                .join(_R, _R.c.id == _PR.c.run_id)
                .where(visible_to(viewer, _PR), visible_to(viewer, _R))
            )
        )
        .order_by(p.country, p.code)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())
