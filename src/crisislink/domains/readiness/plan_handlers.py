"""Command handlers of communication-test plans: plan one, change it (its schedule, scope, text)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness import events as e
from crisislink.domains.readiness.labels import known_partners, run_label
from crisislink.domains.readiness.permissions import organiser_of, require_organiser
from crisislink.domains.readiness.plans import (
    MAX_MESSAGE,
    MAX_NAME,
    CommTestPlan,
    Recurrence,
    check_answer_minutes,
    check_text,
    check_zone,
)
from crisislink.domains.readiness.ports import ReadinessUnitOfWork
from crisislink.domains.readiness.rota import aware, not_before_now
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.ids import new_id

Now = Callable[[], datetime]


def _first_run(recurrence: Recurrence, first_run_at: datetime | None, moment: datetime) -> datetime | None:
    if recurrence is Recurrence.AD_HOC:
        return None
    if first_run_at is None:
        raise InvalidInput(f"a {recurrence.value} plan needs the time of its first run")
    return not_before_now(aware(first_run_at, "the first run"), moment, "the first run")


def plan_comm_test(cmd: c.PlanCommTest, uow: ReadinessUnitOfWork, now: Now) -> uuid.UUID:
    organiser = organiser_of(cmd.actor, cmd.organiser_id)
    partners = known_partners(uow.readiness_network, cmd.partners)
    moment = now()
    check_zone(cmd.timezone)
    plan = CommTestPlan(
        id=new_id(),
        label=run_label(organiser, uow.node_id, partners),
        name=check_text(cmd.name, "the name of the plan", MAX_NAME),
        recurrence=cmd.recurrence,
        timezone=cmd.timezone,
        first_run_at=_first_run(cmd.recurrence, cmd.first_run_at, moment),
        next_run_at=None,
        partners=partners,
        message=check_text(cmd.message, "the test message", MAX_MESSAGE),
        answer_minutes=check_answer_minutes(cmd.answer_minutes),
        active=True,
        created_at=moment,
        created_by=cmd.actor.user_id,
    )
    plan.advance(moment)
    plan.record(
        e.CommTestPlanned(
            label=plan.label,
            plan_id=plan.id,
            name=plan.name,
            recurrence=plan.recurrence.value,
            next_run_at=plan.next_run_at,
        )
    )
    uow.comm_test_plans.add(plan)
    uow.commit()
    return plan.id


def _schedule(
    cmd: c.ChangeCommTestPlan, plan: CommTestPlan, moment: datetime
) -> tuple[Recurrence, datetime | None]:
    recurrence = cmd.recurrence or plan.recurrence
    if cmd.first_run_at is not None:
        return recurrence, _first_run(recurrence, cmd.first_run_at, moment)
    if recurrence is Recurrence.AD_HOC:
        return recurrence, None
    if plan.first_run_at is None:
        raise InvalidInput(f"a {recurrence.value} plan needs the time of its first run")
    return recurrence, plan.first_run_at


def _apply(
    cmd: c.ChangeCommTestPlan, plan: CommTestPlan, uow: ReadinessUnitOfWork, moment: datetime
) -> list[str]:
    changed: list[str] = []
    if cmd.name is not None and cmd.name.strip() != plan.name:
        plan.name = check_text(cmd.name, "the name of the plan", MAX_NAME)
        changed.append("name")
    if cmd.message is not None and cmd.message.strip() != plan.message:
        plan.message = check_text(cmd.message, "the test message", MAX_MESSAGE)
        changed.append("message")
    if cmd.answer_minutes is not None and cmd.answer_minutes != plan.answer_minutes:
        plan.answer_minutes = check_answer_minutes(cmd.answer_minutes)
        changed.append("answer_minutes")
    if cmd.partners is not None and cmd.partners != plan.partners:
        plan.partners = known_partners(uow.readiness_network, cmd.partners)
        changed.append("partners")
    if cmd.active is not None and cmd.active != plan.active:
        plan.active = cmd.active
        changed.append("active")
    if cmd.timezone is not None and cmd.timezone != plan.timezone:
        check_zone(cmd.timezone)
        plan.timezone = cmd.timezone
        changed.append("timezone")
    if cmd.recurrence is not None or cmd.first_run_at is not None:
        plan.recurrence, plan.first_run_at = _schedule(cmd, plan, moment)
        changed.append("schedule")
    return changed


def change_plan(cmd: c.ChangeCommTestPlan, uow: ReadinessUnitOfWork, now: Now) -> None:
    plan = uow.comm_test_plans.get(cmd.plan_id)
    require_organiser(cmd.actor, plan.label.owner_partner_id)
    check_version(plan, cmd.expected_version, "plan")
    moment = now()
    changed = _apply(cmd, plan, uow, moment)
    if not changed:
        return
    old_label = plan.label
    owner = old_label.owner_partner_id
    assert owner is not None, "plans always have an organiser"
    plan.label = run_label(owner, old_label.home_node_id, plan.partners)
    if plan.label != old_label:
        # Told under the old label, without content: those who lose sight of the plan drop it.
        plan.record(
            e.CommTestPlanChanged(label=old_label, plan_id=plan.id, changed=("label",), next_run_at=None)
        )
    plan.advance(moment)
    plan.record(
        e.CommTestPlanChanged(
            label=plan.label, plan_id=plan.id, changed=tuple(changed), next_run_at=plan.next_run_at
        )
    )
    uow.commit()
