"""Situation reports: drafted by one partner, one text per working language, read as JSON, HTML or PDF."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post, put
from litestar.datastructures import State
from litestar.di import Provide

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import incidents as q
from crisislink.adapters.db.queries.incident_views import IncidentView, SitrepView
from crisislink.adapters.documents.sitrep import SitrepContext
from crisislink.adapters.documents.sitrep_html import render_html
from crisislink.adapters.documents.sitrep_pdf import render_pdf
from crisislink.app.auth import Caller
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.sitreps import Figures, SitrepText
from crisislink.entrypoints.web.api import incident_schemas as s
from crisislink.entrypoints.web.api import parse
from crisislink.entrypoints.web.api.incident_parse import aware
from crisislink.entrypoints.web.i18n import translations
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.entrypoints.web.ui import labels
from crisislink.kernel.markings import Tlp


def _texts(bodies: dict[str, s.SitrepTextBody]) -> tuple[tuple[str, SitrepText], ...]:
    return tuple(
        (language, SitrepText(b.situation, b.casualties, b.resources, b.actions, b.outlook))
        for language, b in sorted(bodies.items())
    )


def _figures(body: s.FiguresBody) -> Figures:
    return Figures(body.dead, body.injured, body.missing, body.evacuated, body.displaced)


def _document(
    platform: Platform, caller: Caller, sitrep_id: uuid.UUID
) -> tuple[SitrepView, IncidentView, SitrepContext]:
    sitrep = q.get_sitrep(platform.engine, caller.viewer, sitrep_id)
    incident = q.get_incident(platform.engine, caller.viewer, sitrep.incident_id)
    names = {p.id: p.name for p in directory.list_partners(platform.engine)}
    # Names of hazards and levels in the reader's interface language; the report's texts stay as written.
    gettext = translations(caller.identity.locale or "en").gettext
    context = SitrepContext(
        partner_names=names,
        author_partner=names.get(sitrep.owner_partner_id, "?"),
        timezone=caller.identity.timezone,
        hazard_title=gettext(labels.HAZARDS.get(incident.hazard, incident.hazard)),
        level_titles={key: gettext(title) for key, title in labels.LEVELS.items()},
    )
    return sitrep, incident, context


class SitrepController(Controller):
    path = "/api"
    tags = ["situation reports"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get(
        "/incidents/{incident_id:uuid}/sitreps",
        sync_to_thread=True,
        summary="An incident's reports, newest first",
    )
    def list_sitreps(self, state: State, caller: Caller, incident_id: uuid.UUID) -> list[SitrepView]:
        return q.sitreps(platform_of(state).engine, caller.viewer, incident_id)

    @post("/incidents/{incident_id:uuid}/sitreps", sync_to_thread=True, summary="Draft a situation report")
    def draft(self, state: State, caller: Caller, incident_id: uuid.UUID, data: s.SitrepBody) -> SitrepView:
        platform = platform_of(state)
        sitrep_id = platform.bus.handle(
            c.DraftSitrep(
                actor=caller.actor,
                incident_id=incident_id,
                texts=_texts(data.texts),
                figures=_figures(data.figures),
                next_report_at=aware(data.next_report_at, "next_report_at") if data.next_report_at else None,
                marking=Tlp(data.marking) if data.marking else None,
                audience=parse.audience(data.audience) if data.audience is not None else None,
            )
        )
        return q.get_sitrep(platform.engine, caller.viewer, sitrep_id)

    @get("/sitreps/{sitrep_id:uuid}", sync_to_thread=True, summary="One situation report, as JSON")
    def get_sitrep(self, state: State, caller: Caller, sitrep_id: uuid.UUID) -> SitrepView:
        return q.get_sitrep(platform_of(state).engine, caller.viewer, sitrep_id)

    @put("/sitreps/{sitrep_id:uuid}", sync_to_thread=True, summary="Revise a draft (send expected_version)")
    def revise(self, state: State, caller: Caller, sitrep_id: uuid.UUID, data: s.SitrepPatch) -> SitrepView:
        platform = platform_of(state)
        platform.bus.handle(
            c.ReviseSitrep(
                actor=caller.actor,
                sitrep_id=sitrep_id,
                expected_version=data.expected_version,
                texts=_texts(data.texts),
                figures=_figures(data.figures),
                next_report_at=aware(data.next_report_at, "next_report_at") if data.next_report_at else None,
            )
        )
        return q.get_sitrep(platform.engine, caller.viewer, sitrep_id)

    @post("/sitreps/{sitrep_id:uuid}/publish", sync_to_thread=True, summary="Publish now, or at a given time")
    def publish(self, state: State, caller: Caller, sitrep_id: uuid.UUID, data: s.PublishBody) -> SitrepView:
        platform = platform_of(state)
        at = aware(data.at, "at") if data.at else None
        platform.bus.handle(c.PublishSitrep(actor=caller.actor, sitrep_id=sitrep_id, at=at))
        return q.get_sitrep(platform.engine, caller.viewer, sitrep_id)

    @get(
        "/sitreps/{sitrep_id:uuid}/document.html",
        sync_to_thread=True,
        summary="The report as a printable page",
    )
    def as_html(self, state: State, caller: Caller, sitrep_id: uuid.UUID) -> Response[str]:
        sitrep, incident, context = _document(platform_of(state), caller, sitrep_id)
        return Response(render_html(sitrep, incident, context), media_type="text/html")

    @get("/sitreps/{sitrep_id:uuid}/document.pdf", sync_to_thread=True, summary="The report as PDF")
    def as_pdf(self, state: State, caller: Caller, sitrep_id: uuid.UUID) -> Response[bytes]:
        sitrep, incident, context = _document(platform_of(state), caller, sitrep_id)
        name = f"sitrep-{sitrep.number}.pdf"
        return Response(
            render_pdf(sitrep, incident, context),
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="{name}"'},
        )
