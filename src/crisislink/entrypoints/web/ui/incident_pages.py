"""Console pages of incidents: the list with the neighbours' notifications, and one incident's page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.response import Redirect, Template

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import incidents as q
from crisislink.adapters.db.queries import timeline as tl
from crisislink.adapters.db.queries.incident_views import IncidentView
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents.levels import SCHEMES
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui import labels
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.render import render, signed_in

TIMELINE_PAGE = 50


def incident_labels() -> dict[str, Any]:
    return {
        "hazards": labels.HAZARDS,
        "level_titles": labels.LEVELS,
        "scheme_names": labels.SCHEMES,
        "schemes": SCHEMES,
        "statuses": labels.INCIDENT_STATUS,
        "modes": labels.MODES,
        "entry_kinds": labels.ENTRY_KINDS,
        "task_statuses": labels.TASK_STATUS,
        "notification_statuses": labels.NOTIFICATION_STATUS,
        "sitrep_statuses": labels.SITREP_STATUS,
        "timeline_kinds": labels.TIMELINE_KINDS,
        "markings": labels.MARKINGS,
        "countries": labels.COUNTRIES,
        "language_names": labels.LANGUAGES,
    }


def partner_names(platform: Platform) -> dict[uuid.UUID, str]:
    return {p.id: p.name for p in directory.list_partners(platform.engine)}


def list_context(platform: Platform, page: Page, include_closed: bool = False) -> dict[str, Any]:
    assert page.caller is not None
    viewer = page.caller.viewer
    flt = q.IncidentFilter(include_closed=include_closed)
    partner = page.caller.actor.partner_id
    partners = directory.list_partners(platform.engine)
    return {
        "incidents": q.list_incidents(platform.engine, viewer, flt),
        "inbox": q.notifications_for(platform.engine, viewer, partner) if partner else [],
        "partners": partners,
        "partner_names": {p.id: p.name for p in partners},
        "own_partner": partner,
        "include_closed": include_closed,
        **incident_labels(),
    }


def incident_context(platform: Platform, page: Page, incident_id: uuid.UUID) -> dict[str, Any]:
    assert page.caller is not None
    viewer, now = page.caller.viewer, platform.clock.now()
    incident = q.get_incident(platform.engine, viewer, incident_id)
    partners = directory.list_partners(platform.engine)
    names = {p.id: p.name for p in partners}
    own = next((p for p in partners if p.id == page.caller.actor.partner_id), None)
    return {
        "incident": incident,
        "timeline": tl.timeline(platform.engine, viewer, incident_id, limit=TIMELINE_PAGE),
        "tasks": q.tasks(platform.engine, viewer, incident_id, now),
        "notifications": q.notifications(platform.engine, viewer, incident_id),
        "sitreps": q.sitreps(platform.engine, viewer, incident_id),
        "partners": partners,
        "partner_names": names,
        "parties": _parties(incident, names),
        "own_country": own.country if own else None,
        "now": now,
        **incident_labels(),
    }


def _parties(incident: IncidentView, names: dict[uuid.UUID, str]) -> list[tuple[uuid.UUID, str]]:
    ids = [incident.lead_partner_id, *incident.involved]
    return [(i, names.get(i, str(i))) for i in dict.fromkeys(ids)]


class IncidentPages(Controller):
    include_in_schema = False

    @get("/incidents", sync_to_thread=True)
    def incidents_page(
        self, request: Request[Any, Any, Any], state: State, closed: bool = False
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        context = list_context(platform_of(state), page, include_closed=closed)
        return render(request, page, "incidents.html", error=None, **context)

    @get("/incidents/{incident_id:uuid}", sync_to_thread=True)
    def incident_page(
        self, request: Request[Any, Any, Any], state: State, incident_id: uuid.UUID
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        context = incident_context(platform_of(state), page, incident_id)
        return render(request, page, "incident.html", error=None, **context)

    @get("/incidents/{incident_id:uuid}/timeline", sync_to_thread=True)
    def timeline_part(
        self,
        request: Request[Any, Any, Any],
        state: State,
        incident_id: uuid.UUID,
        before: datetime | None = None,
        before_id: str | None = None,
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        assert page.caller is not None
        platform = platform_of(state)
        cursor = (before, before_id or "") if before and before.tzinfo else None
        items = tl.timeline(
            platform.engine, page.caller.viewer, incident_id, before=cursor, limit=TIMELINE_PAGE
        )
        incident = q.get_incident(platform.engine, page.caller.viewer, incident_id)
        return render(
            request,
            page,
            "_timeline.html",
            incident=incident,
            timeline=items,
            partner_names=partner_names(platform),
            appended=cursor is not None,
            **incident_labels(),
        )
