"""Console forms of readiness. Each builds a command; a refusal re-renders the page with the reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness.plans import Recurrence
from crisislink.domains.readiness.rota import DutyPerson, ShiftRole
from crisislink.entrypoints.web.problems import status_of
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.form_values import local_time
from crisislink.entrypoints.web.ui.readiness_pages import desk_context, overview_context, run_context
from crisislink.entrypoints.web.ui.render import check_form_token, render, signed_in
from crisislink.kernel.errors import CrisislinkError, InvalidInput
from crisislink.kernel.messages import Command

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
Where = tuple[str, Callable[[Page], dict[str, Any]]]  # the template to show a refusal on, and its context


class TestForm(msgspec.Struct):
    csrf_token: str = ""
    name: str = ""
    message: str = ""
    answer_minutes: str = "60"
    partners: list[str] | str = ""  # none: the whole network
    recurrence: str = "ad_hoc"
    first_run_at: str = ""


class ShiftForm(msgspec.Struct):
    csrf_token: str = ""
    person_name: str = ""
    phone: str = ""
    role: str = "primary"
    starts_at: str = ""
    ends_at: str = ""


class HandoverForm(msgspec.Struct):
    csrf_token: str = ""
    note: str = ""
    to_shift_id: str = ""
    person_name: str = ""
    phone: str = ""
    until: str = ""


class NoteForm(msgspec.Struct):
    csrf_token: str = ""
    text: str = ""


class AnswerForm(msgspec.Struct):
    csrf_token: str = ""
    via: str = ""


class TokenOnly(msgspec.Struct):
    csrf_token: str = ""


def _partners(value: list[str] | str) -> frozenset[uuid.UUID]:
    chosen = [value] if isinstance(value, str) else value
    try:
        return frozenset(uuid.UUID(v) for v in chosen if v.strip())
    except ValueError:
        raise InvalidInput("choose partners from the list") from None


def _minutes(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"the time to answer: {value!r} is not a number of minutes") from None


def _person(name: str, phone: str) -> DutyPerson:
    return DutyPerson(name=name.strip(), phone=phone.strip() or None)


class ReadinessForms(Controller):
    include_in_schema = False

    def _run(
        self,
        request: Request[Any, Any, Any],
        state: State,
        token: str,
        build: Callable[[Page], Command],
        done: Callable[[Any], str],
        where: Where,
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        try:
            check_form_token(token, page.csrf_token)
            result = platform_of(state).bus.handle(build(page))
        except CrisislinkError as error:
            template, context = where
            return render(
                request, page, template, status=status_of(error), error=error.message, **context(page)
            )
        return Redirect(done(result), status_code=303)

    def _overview(self, state: State) -> Where:
        return "readiness.html", lambda page: overview_context(platform_of(state), page)

    def _desk(self, state: State, contact_id: uuid.UUID) -> Where:
        return "readiness_desk.html", lambda page: desk_context(platform_of(state), page, contact_id)

    def _run_page(self, state: State, run_id: uuid.UUID) -> Where:
        return "readiness_run.html", lambda page: run_context(platform_of(state), page, run_id)

    @post("/readiness/runs", sync_to_thread=True)
    def start(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[TestForm, FormBody]
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.StartCommTest(
                actor=page.caller.actor,
                name=data.name,
                message=data.message,
                partners=_partners(data.partners),
                answer_minutes=_minutes(data.answer_minutes),
            )

        return self._run(
            request,
            state,
            data.csrf_token,
            build,
            lambda run: f"/readiness/runs/{run}",
            self._overview(state),
        )

    @post("/readiness/plans", sync_to_thread=True)
    def plan(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[TestForm, FormBody]
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            try:
                recurrence = Recurrence(data.recurrence)
            except ValueError:
                raise InvalidInput("choose how often the test runs") from None
            first = (
                local_time(data.first_run_at, page.timezone, "the first run")
                if data.first_run_at.strip()
                else None
            )
            return c.PlanCommTest(
                actor=page.caller.actor,
                name=data.name,
                message=data.message,
                recurrence=recurrence,
                first_run_at=first,
                timezone=page.timezone,
                partners=_partners(data.partners),
                answer_minutes=_minutes(data.answer_minutes),
            )

        return self._run(
            request, state, data.csrf_token, build, lambda _: "/readiness#tests", self._overview(state)
        )

    @post("/readiness/plans/{plan_id:uuid}/start", sync_to_thread=True)
    def start_plan(
        self,
        request: Request[Any, Any, Any],
        state: State,
        plan_id: uuid.UUID,
        data: Annotated[TokenOnly, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.StartCommTest(actor=page.caller.actor, plan_id=plan_id)

        return self._run(
            request,
            state,
            data.csrf_token,
            build,
            lambda run: f"/readiness/runs/{run}",
            self._overview(state),
        )

    @post("/readiness/desks/{contact_id:uuid}/shifts", sync_to_thread=True)
    def schedule(
        self,
        request: Request[Any, Any, Any],
        state: State,
        contact_id: uuid.UUID,
        data: Annotated[ShiftForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            if data.role not in {r.value for r in ShiftRole}:
                raise InvalidInput("choose primary or deputy")
            return c.ScheduleShift(
                actor=page.caller.actor,
                contact_point_id=contact_id,
                person=_person(data.person_name, data.phone),
                role=ShiftRole(data.role),
                starts_at=local_time(data.starts_at, page.timezone, "the start"),
                ends_at=local_time(data.ends_at, page.timezone, "the end"),
            )

        back = f"/readiness/desks/{contact_id}"
        return self._run(
            request, state, data.csrf_token, build, lambda _: back, self._desk(state, contact_id)
        )

    @post("/readiness/desks/{contact_id:uuid}/handover", sync_to_thread=True)
    def hand_over(
        self,
        request: Request[Any, Any, Any],
        state: State,
        contact_id: uuid.UUID,
        data: Annotated[HandoverForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            to_shift = uuid.UUID(data.to_shift_id) if data.to_shift_id.strip() else None
            by_name = to_shift is None and bool(data.person_name.strip())
            return c.HandOverDesk(
                actor=page.caller.actor,
                contact_point_id=contact_id,
                note=data.note,
                to_shift_id=to_shift,
                to_person=_person(data.person_name, data.phone) if by_name else None,
                until=local_time(data.until, page.timezone, "until") if by_name else None,
            )

        back = f"/readiness/desks/{contact_id}"
        return self._run(
            request, state, data.csrf_token, build, lambda _: back, self._desk(state, contact_id)
        )

    @post("/readiness/desks/{contact_id:uuid}/shifts/{shift_id:uuid}/notes", sync_to_thread=True)
    def annotate(
        self,
        request: Request[Any, Any, Any],
        state: State,
        contact_id: uuid.UUID,
        shift_id: uuid.UUID,
        data: Annotated[NoteForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.AnnotateShift(actor=page.caller.actor, shift_id=shift_id, text=data.text)

        back = f"/readiness/desks/{contact_id}"
        return self._run(
            request, state, data.csrf_token, build, lambda _: back, self._desk(state, contact_id)
        )

    @post("/readiness/runs/{run_id:uuid}/probes/{probe_id:uuid}/answer", sync_to_thread=True)
    def answer(
        self,
        request: Request[Any, Any, Any],
        state: State,
        run_id: uuid.UUID,
        probe_id: uuid.UUID,
        data: Annotated[AnswerForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.RecordCommTestAnswer(
                actor=page.caller.actor, run_id=run_id, probe_id=probe_id, via=data.via
            )

        back = f"/readiness/runs/{run_id}"
        return self._run(
            request, state, data.csrf_token, build, lambda _: back, self._run_page(state, run_id)
        )

    @post("/readiness/runs/{run_id:uuid}/close", sync_to_thread=True)
    def close(
        self,
        request: Request[Any, Any, Any],
        state: State,
        run_id: uuid.UUID,
        data: Annotated[TokenOnly, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.CloseCommTest(actor=page.caller.actor, run_id=run_id)

        back = f"/readiness/runs/{run_id}"
        return self._run(
            request, state, data.csrf_token, build, lambda _: back, self._run_page(state, run_id)
        )
