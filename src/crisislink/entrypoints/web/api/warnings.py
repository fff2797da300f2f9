"""Public warnings: draft, target, approve country by country, issue, update and cancel as CAP 1.2."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter

from crisislink.adapters.db.queries import warnings as q
from crisislink.adapters.db.queries.warning_views import DeliveryView, WarningSummary, WarningView
from crisislink.app.auth import Caller
from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings.codes import Category, Certainty, Severity, Urgency
from crisislink.domains.warnings.templates import TEMPLATES
from crisislink.entrypoints.web.api import parse
from crisislink.entrypoints.web.api import warning_parse as wp
from crisislink.entrypoints.web.api import warning_schemas as s
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.markings import Tlp

CAP_MEDIA_TYPE = "application/cap+xml"


class WarningController(Controller):
    path = "/api/warnings"
    tags = ["public warnings"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Warnings you may see, most recently changed first")
    def list_warnings(
        self,
        state: State,
        caller: Caller,
        warning_state: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
        incident_id: uuid.UUID | None = None,
        limit: Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> list[WarningSummary]:
        flt = q.WarningFilter(warning_state, incident_id, limit, offset)
        return q.list_warnings(platform_of(state).engine, caller.viewer, flt)

    @post("/targeting", sync_to_thread=True, summary="Whom an area reaches: places, people, codes, languages")
    def targeting(self, state: State, caller: Caller, data: s.AreaBody) -> dict[str, Any]:
        platform = platform_of(state)
        area = wp.required_area(platform, data)
        result = platform.targeting.evaluate(area)
        found: dict[str, Any] = msgspec.to_builtins(result)
        return {**found, "area": dict(area.geometry)}

    @get("/templates", sync_to_thread=False, summary="Approved wording per hazard and language")
    def templates(self, caller: Caller) -> list[dict[str, Any]]:
        return [msgspec.to_builtins(template) for template in TEMPLATES.values()]

    @post("/", sync_to_thread=True, summary="Draft a warning (its area's targeting is computed)")
    def draft(self, state: State, caller: Caller, data: s.WarningBody) -> WarningView:
        platform = platform_of(state)
        area = wp.required_area(platform, data)
        command = c.DraftWarning(
            actor=caller.actor,
            hazard=data.hazard,
            category=Category(data.category),
            awareness_type=data.awareness_type,
            severity=Severity(data.severity),
            urgency=Urgency(data.urgency),
            certainty=Certainty(data.certainty),
            onset=data.onset,
            expires=data.expires,
            area=area,
            area_description=data.area_description,
            targeting=wp.targeting(platform, area),
            texts=wp.texts(data.texts),
            response_types=wp.responses(data.response_types),
            status=wp.status(data.status),
            incident_id=data.incident_id,
            marking=Tlp(data.marking),
            audience=parse.audience(data.audience),
        )
        warning_id = platform.bus.handle(command)
        return q.get_warning(platform.engine, caller.viewer, warning_id)

    @get("/{warning_id:uuid}", sync_to_thread=True, summary="One warning: texts, approvals, parts, CAP chain")
    def get_warning(self, state: State, caller: Caller, warning_id: uuid.UUID) -> WarningView:
        return q.get_warning(platform_of(state).engine, caller.viewer, warning_id)

    @patch("/{warning_id:uuid}", sync_to_thread=True, summary="Revise (send the revision you read)")
    def revise(
        self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.WarningPatch
    ) -> WarningView:
        platform = platform_of(state)
        area = wp.area(platform, data)
        command = c.ReviseWarning(
            actor=caller.actor,
            warning_id=warning_id,
            expected_revision=data.expected_revision,
            texts=wp.texts(data.texts),
            remove_languages=tuple(data.remove_languages),
            hazard=data.hazard,
            category=wp.category(data.category),
            awareness_type=data.awareness_type,
            severity=wp.severity(data.severity),
            urgency=wp.urgency(data.urgency),
            certainty=wp.certainty(data.certainty),
            response_types=None if data.response_types is None else wp.responses(data.response_types),
            onset=data.onset,
            expires=data.expires,
            area=area,
            targeting=None if area is None else wp.targeting(platform, area),
            area_description=data.area_description,
        )
        platform.bus.handle(command)
        return q.get_warning(platform.engine, caller.viewer, warning_id)

    def _then_view(self, state: State, caller: Caller, command: Any, warning_id: uuid.UUID) -> WarningView:
        platform = platform_of(state)
        platform.bus.handle(command)
        return q.get_warning(platform.engine, caller.viewer, warning_id)

    @post(
        "/{warning_id:uuid}/template",
        sync_to_thread=True,
        summary="Fill the texts from the hazard's template",
    )
    def template(
        self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.TemplateBody
    ) -> WarningView:
        command = c.ApplyTemplate(
            actor=caller.actor,
            warning_id=warning_id,
            expected_revision=data.expected_revision,
            values=tuple(data.values.items()),
            languages=tuple(data.languages),
        )
        return self._then_view(state, caller, command, warning_id)

    @post("/{warning_id:uuid}/submit", sync_to_thread=True, summary="Ask each affected country to approve")
    def submit(self, state: State, caller: Caller, warning_id: uuid.UUID) -> WarningView:
        return self._then_view(
            state, caller, c.SubmitForApproval(actor=caller.actor, warning_id=warning_id), warning_id
        )

    @post("/{warning_id:uuid}/comments", sync_to_thread=True, summary="Comment on the draft")
    def comment(
        self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.CommentBody
    ) -> WarningView:
        command = c.CommentOnWarning(actor=caller.actor, warning_id=warning_id, text=data.text)
        return self._then_view(state, caller, command, warning_id)

    @post("/{warning_id:uuid}/approve", sync_to_thread=True, summary="Approve for your country")
    def approve(
        self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.DecisionBody
    ) -> WarningView:
        command = c.ApproveWarning(
            actor=caller.actor,
            warning_id=warning_id,
            country=data.country.upper(),
            revision=data.revision,
            comment=data.comment,
        )
        return self._then_view(state, caller, command, warning_id)

    @post(
        "/{warning_id:uuid}/request-changes", sync_to_thread=True, summary="Ask for changes for your country"
    )
    def request_changes(
        self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.DecisionBody
    ) -> WarningView:
        command = c.RequestChanges(
            actor=caller.actor,
            warning_id=warning_id,
            country=data.country.upper(),
            revision=data.revision,
            comment=data.comment,
        )
        return self._then_view(state, caller, command, warning_id)

    @post(
        "/{warning_id:uuid}/schedule", sync_to_thread=True, summary="Choose when your country's part goes out"
    )
    def schedule(
        self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.ScheduleBody
    ) -> WarningView:
        times = tuple((code.upper(), at) for code, at in data.times.items())
        command = c.ScheduleParts(actor=caller.actor, warning_id=warning_id, times=times)
        return self._then_view(state, caller, command, warning_id)

    @post("/{warning_id:uuid}/issue", sync_to_thread=True, summary="Issue parts now (none named: all due)")
    def issue(self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.IssueBody) -> WarningView:
        countries = tuple(code.upper() for code in data.countries)
        command = c.IssueWarning(actor=caller.actor, warning_id=warning_id, countries=countries)
        return self._then_view(state, caller, command, warning_id)

    @post(
        "/{warning_id:uuid}/update", sync_to_thread=True, summary="Send the approved revision as a CAP Update"
    )
    def update(self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.UpdateBody) -> WarningView:
        command = c.IssueUpdate(actor=caller.actor, warning_id=warning_id, note=data.note)
        return self._then_view(state, caller, command, warning_id)

    @post(
        "/{warning_id:uuid}/cancel", sync_to_thread=True, summary="Cancel (a CAP Cancel if anything went out)"
    )
    def cancel(self, state: State, caller: Caller, warning_id: uuid.UUID, data: s.CancelBody) -> WarningView:
        command = c.CancelWarning(actor=caller.actor, warning_id=warning_id, reason=data.reason)
        return self._then_view(state, caller, command, warning_id)

    @get("/{warning_id:uuid}/deliveries", sync_to_thread=True, summary="Where each message went, and how")
    def deliveries(self, state: State, caller: Caller, warning_id: uuid.UUID) -> list[DeliveryView]:
        return q.deliveries(platform_of(state).engine, caller.viewer, warning_id)

    @get(
        "/{warning_id:uuid}/cap/{identifier:str}",
        sync_to_thread=True,
        summary="The signed CAP message as it went out (whole, or ?country= for one country's part)",
        media_type=CAP_MEDIA_TYPE,
    )
    def cap(
        self,
        state: State,
        caller: Caller,
        warning_id: uuid.UUID,
        identifier: Annotated[str, Parameter(max_length=200)],
        country: Annotated[str | None, Parameter(max_length=2)] = None,
    ) -> Response[bytes]:
        found = q.cap_message(
            platform_of(state).engine,
            caller.viewer,
            warning_id,
            identifier,
            country.upper() if country else None,
        )
        return Response(found, media_type=CAP_MEDIA_TYPE)
