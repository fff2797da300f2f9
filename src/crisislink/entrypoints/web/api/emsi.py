"""EMSI (ISO/TR 22351) exchange of incidents with other crisis-management systems."""

from __future__ import annotations

import uuid
from typing import Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import Provide

from crisislink.adapters.db.queries import incidents as q
from crisislink.adapters.db.queries.incident_views import IncidentView
from crisislink.app.auth import Caller
from crisislink.app.emsi_exchange import export_incident, import_message
from crisislink.entrypoints.web.security import platform_of, provide_caller


class EmsiController(Controller):
    path = "/api/incidents"
    tags = ["incidents"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/{incident_id:uuid}/emsi", sync_to_thread=True, summary="The incident as an EMSI message (XML)")
    def export(self, state: State, caller: Caller, incident_id: uuid.UUID) -> Response[bytes]:
        xml = export_incident(platform_of(state), caller.viewer, incident_id)
        return Response(
            xml,
            media_type="application/xml",
            headers={"content-disposition": f'attachment; filename="incident-{incident_id}.emsi.xml"'},
        )

    @post(
        "/emsi",
        summary="Import an EMSI message (XML or JSON) as an incident your partner leads",
        description="Send the message as the request body with Content-Type application/xml or application/json.",
    )
    async def import_emsi(
        self, request: Request[Any, Any, Any], state: State, caller: Caller
    ) -> IncidentView:
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        platform = platform_of(state)
        incident_id = await to_thread.run_sync(import_message, platform, caller.actor, body, content_type)
        found: IncidentView = await to_thread.run_sync(
            q.get_incident, platform.engine, caller.viewer, incident_id
        )
        return found
