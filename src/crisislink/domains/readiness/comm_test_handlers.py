"""Command handlers of communication tests: start a run, take answers, close it, run the schedule."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness import events as e
from crisislink.domains.readiness.delivery import CommTestRules, chain_for, deliver, escalate
from crisislink.domains.readiness.labels import known_partners, run_label
from crisislink.domains.readiness.permissions import organiser_of, require_organiser, require_system
from crisislink.domains.readiness.plans import MAX_MESSAGE, MAX_NAME, check_answer_minutes, check_text
from crisislink.domains.readiness.ports import ReadinessUnitOfWork, Sender
from crisislink.domains.readiness.rota_handlers import contact_of, refresh_desk
from crisislink.domains.readiness.runs import CommTestRun, Message, Probe, hash_code
from crisislink.kernel.errors import InvalidInput, NotFound
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]
# The shape of the codes this node makes (secrets.token_urlsafe(32)); anything else is no code of ours.
CODE = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class Scope:
    """What a run asks of whom, from a plan or given ad hoc."""

    organiser: uuid.UUID
    partners: frozenset[uuid.UUID]
    name: str
    message: str
    answer_minutes: int
    plan_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AckReceipt:
    """What the person who answered is told."""

    run_name: str
    contact_name: str
    delay: timedelta
    after_escalation: bool


def open_run(
    uow: ReadinessUnitOfWork, scope: Scope, actor: Actor, moment: datetime, rules: CommTestRules
) -> CommTestRun | None:
    """A new run with its first messages (not sent yet); None if the organiser may see no contact."""
    network = uow.readiness_network
    contacts = network.contacts(scope.organiser, scope.partners)
    if not contacts:
        return None
    run = CommTestRun(
        id=new_id(),
        label=run_label(scope.organiser, uow.node_id, scope.partners),
        plan_id=scope.plan_id,
        name=scope.name,
        message=scope.message,
        partners=scope.partners,
        started_at=moment,
        started_by=actor.user_id,
        closes_at=moment + timedelta(minutes=scope.answer_minutes),
        escalate_after=rules.escalate_after,
    )
    for contact in contacts:
        probe = Probe(
            id=new_id(),
            label=contact.label,
            contact_point_id=contact.id,
            partner_id=contact.partner_id,
            contact_name=contact.name,
            chain=chain_for(network, contact, scope.organiser),
            sent_at=moment,
            escalate_at=moment + rules.escalate_after,
        )
        probe.messages = [Message.issue(0, recipient, moment) for recipient in contact.recipients()]
        run.probes.append(probe)
    run.record(
        e.CommTestStarted(
            label=run.label,
            run_id=run.id,
            plan_id=run.plan_id,
            name=run.name,
            contacts=len(run.probes),
            closes_at=run.closes_at,
        )
    )
    uow.comm_test_runs.add(run)
    return run


def _scope(cmd: c.StartCommTest, uow: ReadinessUnitOfWork) -> Scope:
    if cmd.plan_id is not None:
        plan = uow.comm_test_plans.get(cmd.plan_id)
        owner = plan.label.owner_partner_id
        require_organiser(cmd.actor, owner)
        assert owner is not None, "plans always have an organiser"
        return Scope(owner, plan.partners, plan.name, plan.message, plan.answer_minutes, plan.id)
    return Scope(
        organiser=organiser_of(cmd.actor, cmd.organiser_id),
        partners=known_partners(uow.readiness_network, cmd.partners),
        name=check_text(cmd.name, "the name of the test", MAX_NAME),
        message=check_text(cmd.message, "the test message", MAX_MESSAGE),
        answer_minutes=check_answer_minutes(cmd.answer_minutes),
    )


def start_comm_test(
    cmd: c.StartCommTest, uow: ReadinessUnitOfWork, sender: Sender, now: Now, rules: CommTestRules
) -> uuid.UUID:
    scope = _scope(cmd, uow)
    run = open_run(uow, scope, cmd.actor, now(), rules)
    if run is None:
        raise InvalidInput("none of the chosen partners has a point of contact you may see: nobody to test")
    uow.commit()
    deliver(uow, [run], sender)
    return run.id


def acknowledge(cmd: c.AcknowledgeCommTest, uow: ReadinessUnitOfWork, now: Now) -> AckReceipt:
    token = cmd.token.strip()
    if not CODE.match(token):
        raise NotFound("unknown acknowledgement code; check that the link was copied whole")
    token_hash = hash_code(token)
    run = uow.comm_test_runs.with_token(token_hash)
    probe = run.acknowledge(token_hash, now())
    receipt = _acknowledged(run, probe, recorded=False)
    uow.commit()
    return receipt


def _acknowledged(run: CommTestRun, probe: Probe, *, recorded: bool) -> AckReceipt:
    delay = probe.delay
    assert delay is not None
    after = bool(probe.acknowledged_step)
    run.record(
        e.CommTestAcknowledged(
            label=run.label,
            run_id=run.id,
            probe_id=probe.id,
            contact_point_id=probe.contact_point_id,
            partner_id=probe.partner_id,
            delay_seconds=int(delay.total_seconds()),
            after_escalation=after,
            recorded=recorded,
        )
    )
    return AckReceipt(run.name, probe.contact_name, delay, after)


def record_answer(cmd: c.RecordCommTestAnswer, uow: ReadinessUnitOfWork, now: Now) -> None:
    run = uow.comm_test_runs.get(cmd.run_id)
    require_organiser(cmd.actor, run.label.owner_partner_id)
    via = check_text(cmd.via, "how the answer came (e.g. a call back from the duty officer)", 200)
    probe = run.record_answer(cmd.probe_id, now(), cmd.actor.user_id, f"recorded: {via}")
    _acknowledged(run, probe, recorded=True)
    uow.commit()


def _close(run: CommTestRun, moment: datetime) -> None:
    run.close(moment)
    answered = sum(1 for p in run.probes if p.acknowledged_at is not None)
    run.record(e.CommTestClosed(label=run.label, run_id=run.id, contacts=len(run.probes), answered=answered))


def close_comm_test(cmd: c.CloseCommTest, uow: ReadinessUnitOfWork, now: Now) -> None:
    run = uow.comm_test_runs.get(cmd.run_id)
    require_organiser(cmd.actor, run.label.owner_partner_id)
    _close(run, now())
    uow.commit()


def _escalate_due(uow: ReadinessUnitOfWork, run: CommTestRun, moment: datetime) -> int:
    moved = 0
    for probe in run.due_for_escalation(moment):
        messages = escalate(uow, probe, moment, run.escalate_after)
        if not messages:
            continue
        moved += 1
        run.record(
            e.CommTestEscalated(
                label=run.label,
                run_id=run.id,
                probe_id=probe.id,
                contact_point_id=probe.contact_point_id,
                partner_id=probe.partner_id,
                step=probe.step,
                step_kind=probe.chain[probe.step].kind.value,
                recipients=len(messages),
            )
        )
    return moved


def _start_due_plans(uow: ReadinessUnitOfWork, moment: datetime, rules: CommTestRules) -> list[CommTestRun]:
    started = []
    for plan in uow.comm_test_plans.due(moment):
        owner = plan.label.owner_partner_id
        assert owner is not None, "plans always have an organiser"
        scope = Scope(owner, plan.partners, plan.name, plan.message, plan.answer_minutes, plan.id)
        run = open_run(uow, scope, Actor(user_id=None, partner_id=owner, roles=frozenset()), moment, rules)
        # A plan that finds nobody to test is not retried every round: it waits for its next date.
        plan.advance(moment)
        plan.record(
            e.CommTestPlanChanged(
                label=plan.label, plan_id=plan.id, changed=("next_run_at",), next_run_at=plan.next_run_at
            )
        )
        if run is not None:
            started.append(run)
    return started


def _refresh_desks(uow: ReadinessUnitOfWork, moment: datetime) -> int:
    changed = 0
    for desk in uow.duty_desks.tracked():
        try:
            contact = contact_of(uow, desk.id)
        except NotFound:
            continue  # the point of contact was removed; its rota stays for the record
        changed += refresh_desk(uow, contact, moment)
    return changed


def run_schedule(
    cmd: c.RunReadinessSchedule, uow: ReadinessUnitOfWork, sender: Sender, now: Now, rules: CommTestRules
) -> int:
    """Start due plans, escalate, close runs past their deadline, check desks. How many things it did."""
    require_system(cmd.actor)
    moment = now()
    touched = _start_due_plans(uow, moment, rules)
    done = len(touched)
    for run in uow.comm_test_runs.open_runs():
        if run.is_due_to_close(moment):
            _close(run, moment)
            done += 1
        elif moved := _escalate_due(uow, run, moment):
            done += moved
            touched.append(run)
    done += _refresh_desks(uow, moment)
    uow.commit()
    deliver(uow, touched, sender)
    return done
