"""Console pages of readiness: who is on duty at every desk, a desk's rota, tests and their results.

The acknowledgement page (/readiness/ack/{code}) needs no sign-in: a GET only shows a button (a mail
scanner that follows the link acknowledges nothing), the button's POST uses the code once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import Parameter
from litestar.response import Redirect, Template

from crisislink.adapters.db.queries import comm_tests, directory
from crisislink.adapters.db.queries import rota as rota_queries
from crisislink.app.bootstrap import Platform
from crisislink.entrypoints.web.api.comm_tests import acknowledge_with
from crisislink.entrypoints.web.problems import status_of
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui import labels
from crisislink.entrypoints.web.ui.context import Page, page_for
from crisislink.entrypoints.web.ui.readiness_labels import READINESS_LABELS
from crisislink.entrypoints.web.ui.render import render, signed_in
from crisislink.kernel.errors import CrisislinkError


def _partners(platform: Platform) -> dict[str, Any]:
    partners = directory.list_partners(platform.engine)
    return {"partners": partners, "partner_names": {p.id: p.name for p in partners}}


def overview_context(platform: Platform, page: Page, country: str | None = None) -> dict[str, Any]:
    assert page.caller is not None
    viewer, engine = page.caller.viewer, platform.engine
    board = rota_queries.duty_board(engine, viewer, platform.clock.now())
    return {
        "board": [p for p in board if not country or p.country == country],
        "board_countries": sorted({p.country for p in board}),
        "country": country,
        "own_partner": page.caller.actor.partner_id,
        "plans": comm_tests.plans(engine, viewer),
        "runs": comm_tests.runs(engine, viewer, limit=20),
        "charted": comm_tests.partners_tested(engine, viewer),
        "roles": labels.CONTACT_ROLES,
        **READINESS_LABELS,
        **_partners(platform),
    }


def desk_context(platform: Platform, page: Page, contact_id: uuid.UUID) -> dict[str, Any]:
    assert page.caller is not None
    viewer, engine, now = page.caller.viewer, platform.engine, platform.clock.now()
    duty = rota_queries.on_duty(engine, viewer, contact_id, now)
    return {
        "duty": duty,
        "shifts": rota_queries.shifts(
            engine, viewer, contact_id, now - timedelta(days=2), now + timedelta(days=14)
        ),
        "handovers": rota_queries.handovers(engine, viewer, contact_id),
        "contact": directory.get_contact_point(engine, viewer, contact_id, now),
        "now": now,
        "roles": labels.CONTACT_ROLES,
        **READINESS_LABELS,
        **_partners(platform),
    }


def run_context(platform: Platform, page: Page, run_id: uuid.UUID) -> dict[str, Any]:
    assert page.caller is not None
    return {
        "run": comm_tests.get_run(platform.engine, page.caller.viewer, run_id),
        "channels": labels.CHANNELS,
        **READINESS_LABELS,
        **_partners(platform),
    }


class ReadinessPages(Controller):
    include_in_schema = False

    @get("/readiness", sync_to_thread=True)
    def overview(
        self,
        request: Request[Any, Any, Any],
        state: State,
        country: Annotated[str | None, Parameter(max_length=2)] = None,
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        chosen = country.upper() if country else None
        return render(request, page, "readiness.html", **overview_context(platform_of(state), page, chosen))

    @get("/readiness/desks/{contact_id:uuid}", sync_to_thread=True)
    def desk(
        self, request: Request[Any, Any, Any], state: State, contact_id: uuid.UUID
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        return render(
            request, page, "readiness_desk.html", **desk_context(platform_of(state), page, contact_id)
        )

    @get("/readiness/runs/{run_id:uuid}", sync_to_thread=True)
    def run(self, request: Request[Any, Any, Any], state: State, run_id: uuid.UUID) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        return render(request, page, "readiness_run.html", **run_context(platform_of(state), page, run_id))

    @get("/readiness/ack/{code:str}", sync_to_thread=False)
    def ack_form(self, request: Request[Any, Any, Any], code: str) -> Template:
        page = page_for(request)
        return render(request, page, "readiness_ack.html", code=code, receipt=None, error=None)

    @post("/readiness/ack/{code:str}", sync_to_thread=True)
    def ack(self, request: Request[Any, Any, Any], state: State, code: str) -> Template:
        page = page_for(request)
        try:
            receipt = acknowledge_with(state, code)
        except CrisislinkError as error:
            return render(
                request,
                page,
                "readiness_ack.html",
                status=status_of(error),
                code=code,
                receipt=None,
                error=error,
            )
        return render(request, page, "readiness_ack.html", status=200, code=code, receipt=receipt, error=None)
