"""Console forms of incidents. Each builds a command; a refusal re-renders the page with the reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.model import EntryKind, IncidentStatus, Mode, Point, TaskStatus
from crisislink.domains.incidents.sitreps import Figures, SitrepText
from crisislink.entrypoints.web.problems import status_of
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.form_values import enum_value, optional_local_time
from crisislink.entrypoints.web.ui.incident_pages import incident_context, list_context
from crisislink.entrypoints.web.ui.render import check_form_token, render, signed_in
from crisislink.kernel.errors import CrisislinkError, InvalidInput
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import Command

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
SITREP_SECTIONS = ("situation", "casualties", "resources", "actions", "outlook")


class DeclareForm(msgspec.Struct):
    csrf_token: str = ""
    title: str = ""
    hazard: str = ""
    lead_partner_id: str = ""
    marking: str = "GREEN"
    description: str = ""
    lon: str = ""
    lat: str = ""
    radius_km: str = "2"
    mode: str = "live"


class LevelForm(msgspec.Struct):
    csrf_token: str = ""
    country: str = ""
    level: str = ""
    reason: str = ""


class LogForm(msgspec.Struct):
    csrf_token: str = ""
    kind: str = "information"
    text: str = ""
    occurred_at: str = ""
    marking: str = ""
    decided_by: str = ""
    basis: str = ""


class TaskForm(msgspec.Struct):
    csrf_token: str = ""
    title: str = ""
    assignee_partner_id: str = ""
    due_in_minutes: str = "60"
    marking: str = ""


class MoveForm(msgspec.Struct):
    csrf_token: str = ""
    status: str = ""
    expected_version: int = 0
    incident_id: str = ""


class StatusForm(msgspec.Struct):
    csrf_token: str = ""
    status: str = ""
    reason: str = ""


class TokenOnly(msgspec.Struct):
    csrf_token: str = ""
    incident_id: str = ""


def _float(value: str, what: str) -> float:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a number") from None


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"choose {what}") from None


class IncidentForms(Controller):
    include_in_schema = False

    def _run(
        self,
        request: Request[Any, Any, Any],
        state: State,
        token: str,
        build: Callable[[Page], Command],
        done: Callable[[Any], str],
        incident_id: uuid.UUID | None,
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        platform = platform_of(state)
        try:
            check_form_token(token, page.csrf_token)
            result = platform.bus.handle(build(page))
        except CrisislinkError as error:
            return self._refused(request, page, error, incident_id)
        return Redirect(done(result), status_code=303)

    def _refused(
        self,
        request: Request[Any, Any, Any],
        page: Page,
        error: CrisislinkError,
        incident_id: uuid.UUID | None,
    ) -> Template:
        platform = platform_of(request.app.state)
        if incident_id is None:
            context = list_context(platform, page)
            return render(
                request, page, "incidents.html", status=status_of(error), error=error.message, **context
            )
        context = incident_context(platform, page, incident_id)
        return render(request, page, "incident.html", status=status_of(error), error=error.message, **context)

    @post("/incidents/new", sync_to_thread=True)
    def declare(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[DeclareForm, FormBody]
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            centre = Point(lon=_float(data.lon, "longitude"), lat=_float(data.lat, "latitude"))
            return c.DeclareIncident(
                actor=page.caller.actor,
                title=data.title,
                hazard=data.hazard,
                description=data.description,
                lead_partner_id=_uuid(data.lead_partner_id, "the lead partner"),
                buffer=c.Buffer(centre=centre, radius_m=_float(data.radius_km, "radius") * 1000),
                marking=enum_value(Tlp, data.marking, "marking"),
                mode=enum_value(Mode, data.mode, "mode"),
            )

        return self._run(request, state, data.csrf_token, build, lambda new: f"/incidents/{new}", None)

    @post("/incidents/{incident_id:uuid}/levels", sync_to_thread=True)
    def set_level(
        self,
        request: Request[Any, Any, Any],
        state: State,
        incident_id: uuid.UUID,
        data: Annotated[LevelForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.SetLevel(
                actor=page.caller.actor,
                incident_id=incident_id,
                country=data.country,
                level=data.level,
                reason=data.reason,
            )

        return self._run(
            request, state, data.csrf_token, build, lambda _: f"/incidents/{incident_id}", incident_id
        )

    @post("/incidents/{incident_id:uuid}/log", sync_to_thread=True)
    def add_log(
        self,
        request: Request[Any, Any, Any],
        state: State,
        incident_id: uuid.UUID,
        data: Annotated[LogForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.AddLogEntry(
                actor=page.caller.actor,
                incident_id=incident_id,
                kind=enum_value(EntryKind, data.kind, "kind"),
                text=data.text,
                occurred_at=optional_local_time(data.occurred_at, page.timezone, "when it happened"),
                marking=enum_value(Tlp, data.marking, "marking") if data.marking else None,
                decided_by=data.decided_by or None,
                basis=data.basis or None,
            )

        return self._run(
            request,
            state,
            data.csrf_token,
            build,
            lambda _: f"/incidents/{incident_id}#timeline",
            incident_id,
        )

    @post("/incidents/{incident_id:uuid}/tasks", sync_to_thread=True)
    def assign(
        self,
        request: Request[Any, Any, Any],
        state: State,
        incident_id: uuid.UUID,
        data: Annotated[TaskForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            minutes = _float(data.due_in_minutes, "due in minutes")
            return c.AssignTask(
                actor=page.caller.actor,
                incident_id=incident_id,
                title=data.title,
                due_at=platform_of(state).clock.now() + timedelta(minutes=minutes),
                assignee_partner_id=_uuid(data.assignee_partner_id, "the partner to do it"),
                marking=enum_value(Tlp, data.marking, "marking") if data.marking else None,
            )

        return self._run(
            request, state, data.csrf_token, build, lambda _: f"/incidents/{incident_id}#tasks", incident_id
        )

    @post("/tasks/{task_id:uuid}/move", sync_to_thread=True)
    def move_task(
        self,
        request: Request[Any, Any, Any],
        state: State,
        task_id: uuid.UUID,
        data: Annotated[MoveForm, FormBody],
    ) -> Template | Redirect:
        incident_id = _uuid(data.incident_id, "the incident")

        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.MoveTask(
                actor=page.caller.actor,
                task_id=task_id,
                status=enum_value(TaskStatus, data.status, "status"),
                expected_version=data.expected_version,
            )

        return self._run(
            request, state, data.csrf_token, build, lambda _: f"/incidents/{incident_id}#tasks", incident_id
        )

    @post("/incidents/{incident_id:uuid}/status", sync_to_thread=True)
    def change_status(
        self,
        request: Request[Any, Any, Any],
        state: State,
        incident_id: uuid.UUID,
        data: Annotated[StatusForm, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.ChangeIncidentStatus(
                actor=page.caller.actor,
                incident_id=incident_id,
                status=enum_value(IncidentStatus, data.status, "status"),
                reason=data.reason,
            )

        return self._run(
            request, state, data.csrf_token, build, lambda _: f"/incidents/{incident_id}", incident_id
        )

    @post("/notifications/{notification_id:uuid}/acknowledge", sync_to_thread=True)
    def acknowledge(
        self,
        request: Request[Any, Any, Any],
        state: State,
        notification_id: uuid.UUID,
        data: Annotated[TokenOnly, FormBody],
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.AcknowledgeNotification(actor=page.caller.actor, notification_id=notification_id)

        back = f"/incidents/{data.incident_id}" if data.incident_id else "/incidents"
        return self._run(request, state, data.csrf_token, build, lambda _: back, None)

    @post("/incidents/{incident_id:uuid}/sitreps")
    async def draft_sitrep(
        self, request: Request[Any, Any, Any], state: State, incident_id: uuid.UUID
    ) -> Template | Redirect:
        # The fields depend on the incident's languages, so the form is read as a whole; the command then
        # runs in a worker thread like every other write, and the event loop never waits on the database.
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        result: Template | Redirect = await to_thread.run_sync(
            self._draft_sitrep, request, state, incident_id, fields
        )
        return result

    def _draft_sitrep(
        self, request: Request[Any, Any, Any], state: State, incident_id: uuid.UUID, fields: dict[str, str]
    ) -> Template | Redirect:
        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.DraftSitrep(
                actor=page.caller.actor,
                incident_id=incident_id,
                texts=_sitrep_texts(fields),
                figures=_figures(fields),
                next_report_at=optional_local_time(
                    fields.get("next_report_at", ""), page.timezone, "next report"
                ),
                marking=enum_value(Tlp, fields["marking"], "marking") if fields.get("marking") else None,
            )

        return self._run(
            request,
            state,
            fields.get("csrf_token", ""),
            build,
            lambda _: f"/incidents/{incident_id}#sitreps",
            incident_id,
        )

    @post("/sitreps/{sitrep_id:uuid}/publish", sync_to_thread=True)
    def publish(
        self,
        request: Request[Any, Any, Any],
        state: State,
        sitrep_id: uuid.UUID,
        data: Annotated[TokenOnly, FormBody],
    ) -> Template | Redirect:
        incident_id = _uuid(data.incident_id, "the incident")

        def build(page: Page) -> Command:
            assert page.caller is not None
            return c.PublishSitrep(actor=page.caller.actor, sitrep_id=sitrep_id)

        return self._run(
            request, state, data.csrf_token, build, lambda _: f"/incidents/{incident_id}#sitreps", incident_id
        )


def _sitrep_texts(fields: dict[str, str]) -> tuple[tuple[str, SitrepText], ...]:
    """Fields are named `<language>.<section>`; a language whose situation is empty is left out."""
    languages = sorted({key.split(".", 1)[0] for key in fields if key.endswith(".situation")})
    texts = []
    for language in languages:
        if fields.get(f"{language}.situation", "").strip():
            sections = {name: fields.get(f"{language}.{name}", "") for name in SITREP_SECTIONS}
            texts.append((language, SitrepText(**sections)))
    return tuple(texts)


def _figures(fields: dict[str, str]) -> Figures:
    values = {}
    for name in ("dead", "injured", "missing", "evacuated", "displaced"):
        raw = fields.get(name, "").strip() or "0"
        if not raw.isdigit():
            raise InvalidInput(f"{name}: {raw!r} is not a whole number")
        values[name] = int(raw)
    return Figures(**values)
