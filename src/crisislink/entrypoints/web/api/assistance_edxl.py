"""EDXL-RM 1.0 exchange of requests for assistance: every step as a message, and received messages in.

Everything goes through the sharing policy: a partner who may not see a request gets a 404 for its
messages, and sees only the messages of the offers it may see.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import assistance as q
from crisislink.adapters.db.queries.assistance_views import OfferView, RequestView
from crisislink.app import assistance_edxl as exchange
from crisislink.app.auth import Caller
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.errors import NotFound

_XML = ".xml"


class MessageLink(msgspec.Struct):
    message_id: str
    message_type: str  # RequestResource, ResponseToRequestResource, CommitResource...
    step: str  # request, offer, commit, mobilising, status-query, deployed, release, decline, ended
    record_id: uuid.UUID  # the request or offer the step is about
    sent_by: uuid.UUID  # the partner
    sent: datetime
    preceding_message_id: str | None
    url: str  # the message as XML; add ?envelope=de for it in an EDXL-DE envelope


class ImportResult(msgspec.Struct):
    message_id: str
    message_type: str
    requests: list[RequestView]  # made from a RequestResource, as drafts: send them to partners next
    offers: list[OfferView]  # made from a ResponseToRequestResource or CommitResource


def _links(state: State, caller: Caller, request_id: uuid.UUID) -> list[MessageLink]:
    base = f"/api/assistance-requests/{request_id}/edxl-rm"
    return [
        MessageLink(
            message_id=m.message_id,
            message_type=m.message_type,
            step=m.step.value,
            record_id=m.record_id,
            sent_by=m.sent_by,
            sent=m.at,
            preceding_message_id=m.message.preceding_message_id,
            url=f"{base}/{m.message_id}{_XML}",
        )
        for m in exchange.messages(platform_of(state), caller.viewer, request_id)
    ]


class AssistanceEdxlController(Controller):
    path = "/api/assistance-requests"
    tags = ["assistance"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get(
        "/{request_id:uuid}/edxl-rm",
        sync_to_thread=True,
        summary="The EDXL-RM messages of every step so far (those you may see)",
    )
    def list_messages(self, state: State, caller: Caller, request_id: uuid.UUID) -> list[MessageLink]:
        return _links(state, caller, request_id)

    @get(
        "/{request_id:uuid}/edxl-rm/{file_name:str}",
        sync_to_thread=True,
        summary="One EDXL-RM message (XML), validated; ?envelope=de wraps it in EDXL-DE 1.0",
    )
    def message(
        self,
        state: State,
        caller: Caller,
        request_id: uuid.UUID,
        file_name: str,
        envelope: Annotated[str | None, Parameter(max_length=8)] = None,
    ) -> Response[bytes]:
        if not file_name.endswith(_XML):
            raise NotFound(f"no EDXL-RM message {file_name!r}; message addresses end in {_XML}")
        message_id = file_name.removesuffix(_XML)
        xml = exchange.message_xml(platform_of(state), caller.viewer, request_id, message_id, envelope)
        suffix = ".de" if envelope else ""
        return Response(
            xml,
            media_type="application/xml",
            headers={"content-disposition": f'attachment; filename="{message_id}{suffix}{_XML}"'},
        )

    @post(
        "/import-edxl-rm",
        summary="Import an EDXL-RM message: a RequestResource as a draft request, a response as an offer",
        description=(
            "Send the message (bare, or in an EDXL-DE envelope) as the body with Content-Type "
            "application/xml. It is validated against its schema first. Times written without an offset "
            "are read in `zone`. When the message lacks what crisislink needs, say it: `capability` (a "
            "catalogue code; used whatever type the message names), `until` (end of a request), `lon` and "
            "`lat` (staging area), `staging_name`, `request_id` (the request an offer answers, when the "
            "message does not answer a RequestResource crisislink exported)."
        ),
    )
    async def import_message(
        self,
        request: Request[Any, Any, Any],
        state: State,
        caller: Caller,
        zone: Annotated[str, Parameter(max_length=64)] = exchange.DEFAULT_ZONE,
        capability: Annotated[str | None, Parameter(max_length=40)] = None,
        request_id: uuid.UUID | None = None,
        until: datetime | None = None,
        lon: Annotated[float | None, Parameter(ge=-180, le=180)] = None,
        lat: Annotated[float | None, Parameter(ge=-90, le=90)] = None,
        staging_name: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> ImportResult:
        body = await request.body()
        platform = platform_of(state)
        given = exchange.ImportRequest(zone, capability, request_id, until, lon, lat, staging_name)
        made = await to_thread.run_sync(exchange.import_message, platform, caller.actor, body, given)
        return await to_thread.run_sync(_result, state, caller, made)


def _result(state: State, caller: Caller, made: exchange.Imported) -> ImportResult:
    engine = platform_of(state).engine
    return ImportResult(
        message_id=made.message_id,
        message_type=made.message_type,
        requests=[q.get_request(engine, caller.viewer, r) for r in made.request_ids],
        offers=[q.get_offer(engine, caller.viewer, o) for o in made.offer_ids],
    )
