"""Communication tests: plans, runs and their results, the chart per partner, and the acknowledgement.

The acknowledgement (POST /api/comm-tests/ack/{code}) needs no sign-in: the desk that got the message
may have no account on this node. The code is the credential: 256 random bits, one use, kept only as a
hash. It takes no cookie, so it needs no CSRF token; a GET never acknowledges (mail scanners follow links).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import comm_tests as q
from crisislink.adapters.db.queries.readiness_views import (
    PartnerResultView,
    PlanView,
    RunSummaryView,
    RunView,
)
from crisislink.app.auth import Caller
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness.comm_test_handlers import AckReceipt
from crisislink.domains.readiness.plans import Recurrence
from crisislink.entrypoints.web.api import readiness_schemas as s
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.entrypoints.web.ui.context import request_language
from crisislink.entrypoints.web.ui.readiness_chart import partner_chart
from crisislink.kernel.errors import NotFound
from crisislink.kernel.messages import Actor

# Whoever holds a code: no user, no partner, no role. The handler checks nothing but the code.
ANONYMOUS = Actor(user_id=None, partner_id=None, roles=frozenset({"anonymous"}))
MAX_CODE = 100


class CommTestController(Controller):
    path = "/api/comm-tests"
    tags = ["communication tests"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/plans", sync_to_thread=True, summary="Test plans you may see, the next to run first")
    def plans(self, state: State, caller: Caller) -> list[PlanView]:
        return q.plans(platform_of(state).engine, caller.viewer)

    @post("/plans", sync_to_thread=True, summary="Plan a test: ad hoc, or weekly, monthly, quarterly")
    def plan(self, state: State, caller: Caller, data: s.PlanBody) -> PlanView:
        platform = platform_of(state)
        plan_id = platform.bus.handle(
            c.PlanCommTest(
                actor=caller.actor,
                name=data.name,
                message=data.message,
                recurrence=Recurrence(data.recurrence),
                first_run_at=data.first_run_at,
                timezone=data.timezone,
                partners=frozenset(data.partners),
                answer_minutes=data.answer_minutes,
                organiser_id=data.organiser_id,
            )
        )
        return q.get_plan(platform.engine, caller.viewer, plan_id)

    @get("/plans/{plan_id:uuid}", sync_to_thread=True, summary="One test plan")
    def get_plan(self, state: State, caller: Caller, plan_id: uuid.UUID) -> PlanView:
        return q.get_plan(platform_of(state).engine, caller.viewer, plan_id)

    @patch("/plans/{plan_id:uuid}", sync_to_thread=True, summary="Change a plan (send expected_version)")
    def change_plan(self, state: State, caller: Caller, plan_id: uuid.UUID, data: s.PlanPatch) -> PlanView:
        platform = platform_of(state)
        q.get_plan(platform.engine, caller.viewer, plan_id)  # 404 before 403: existence is not told
        platform.bus.handle(
            c.ChangeCommTestPlan(
                actor=caller.actor,
                plan_id=plan_id,
                expected_version=data.expected_version,
                name=data.name,
                message=data.message,
                recurrence=Recurrence(data.recurrence) if data.recurrence else None,
                first_run_at=data.first_run_at,
                timezone=data.timezone,
                partners=frozenset(data.partners) if data.partners is not None else None,
                answer_minutes=data.answer_minutes,
                active=data.active,
            )
        )
        return q.get_plan(platform.engine, caller.viewer, plan_id)

    @post("/plans/{plan_id:uuid}/start", sync_to_thread=True, summary="Run a plan's test now")
    def start_plan(self, state: State, caller: Caller, plan_id: uuid.UUID) -> RunView:
        platform = platform_of(state)
        q.get_plan(platform.engine, caller.viewer, plan_id)  # a plan you may not see is not there (404)
        run_id = platform.bus.handle(c.StartCommTest(actor=caller.actor, plan_id=plan_id))
        return q.get_run(platform.engine, caller.viewer, run_id)

    @get("/runs", sync_to_thread=True, summary="Test runs you may see, newest first")
    def runs(
        self,
        state: State,
        caller: Caller,
        plan_id: uuid.UUID | None = None,
        limit: Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)] = 50,
    ) -> list[RunSummaryView]:
        return q.runs(platform_of(state).engine, caller.viewer, limit, plan_id)

    @post("/runs", sync_to_thread=True, summary="Start a test now, without a plan")
    def start(self, state: State, caller: Caller, data: s.RunBody) -> RunView:
        platform = platform_of(state)
        run_id = platform.bus.handle(
            c.StartCommTest(
                actor=caller.actor,
                name=data.name,
                message=data.message,
                partners=frozenset(data.partners),
                answer_minutes=data.answer_minutes,
                organiser_id=data.organiser_id,
            )
        )
        return q.get_run(platform.engine, caller.viewer, run_id)

    @get("/runs/{run_id:uuid}", sync_to_thread=True, summary="One run: each point of contact's result")
    def get_run(self, state: State, caller: Caller, run_id: uuid.UUID) -> RunView:
        return q.get_run(platform_of(state).engine, caller.viewer, run_id)

    @post("/runs/{run_id:uuid}/close", sync_to_thread=True, summary="Close a run before its deadline")
    def close(self, state: State, caller: Caller, run_id: uuid.UUID) -> RunView:
        platform = platform_of(state)
        q.get_run(platform.engine, caller.viewer, run_id)  # 404 before 403: existence is not told
        platform.bus.handle(c.CloseCommTest(actor=caller.actor, run_id=run_id))
        return q.get_run(platform.engine, caller.viewer, run_id)

    @post(
        "/runs/{run_id:uuid}/probes/{probe_id:uuid}/answer",
        sync_to_thread=True,
        summary="Record an answer heard another way (a call back, the radio)",
    )
    def answer(
        self, state: State, caller: Caller, run_id: uuid.UUID, probe_id: uuid.UUID, data: s.AnswerBody
    ) -> RunView:
        platform = platform_of(state)
        q.get_run(platform.engine, caller.viewer, run_id)  # 404 before 403: existence is not told
        platform.bus.handle(
            c.RecordCommTestAnswer(actor=caller.actor, run_id=run_id, probe_id=probe_id, via=data.via)
        )
        return q.get_run(platform.engine, caller.viewer, run_id)

    @get(
        "/partners/{partner_id:uuid}/results", sync_to_thread=True, summary="A partner's results, run by run"
    )
    def results(self, state: State, caller: Caller, partner_id: uuid.UUID) -> list[PartnerResultView]:
        return q.partner_results(platform_of(state).engine, caller.viewer, partner_id)

    @get(
        "/partners/{partner_id:uuid}/chart.svg",
        sync_to_thread=True,
        summary="A partner's results as an SVG chart",
    )
    def chart(
        self, request: Request[Any, Any, Any], state: State, caller: Caller, partner_id: uuid.UUID
    ) -> Response[str]:
        platform = platform_of(state)
        language = request_language(request, caller)
        svg = partner_chart(platform, caller.viewer, partner_id, language, caller.identity.timezone)
        return Response(
            svg,
            media_type="image/svg+xml",
            headers={"cache-control": "private, no-cache", "content-language": language},
        )


def acknowledge_with(state: State, code: str) -> AckReceipt:
    if len(code) > MAX_CODE:
        raise NotFound("unknown acknowledgement code; check that the link was copied whole")
    receipt: AckReceipt = platform_of(state).bus.handle(c.AcknowledgeCommTest(actor=ANONYMOUS, token=code))
    return receipt


class AcknowledgementController(Controller):
    path = "/api/comm-tests/ack"
    tags = ["communication tests"]

    @post("/{code:str}", sync_to_thread=True, summary="Acknowledge a test message with its code (no sign-in)")
    def acknowledge(self, state: State, code: str) -> s.AckResult:
        receipt = acknowledge_with(state, code)
        return s.AckResult(
            run_name=receipt.run_name,
            contact_name=receipt.contact_name,
            delay_seconds=int(receipt.delay.total_seconds()),
            after_escalation=receipt.after_escalation,
            message="acknowledged: thank you; the organiser sees your answer and its delay",
        )
