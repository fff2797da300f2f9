"""The live feed: server-sent events of what the caller may see, resumable with Last-Event-ID."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.params import HeaderParameter, Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from crisislink.adapters.db.queries import events as event_queries
from crisislink.adapters.db.queries.views import EventView
from crisislink.app.auth import Caller
from crisislink.entrypoints.web.security import optional_caller, platform_of, provide_caller
from crisislink.kernel.errors import InvalidInput

KEEPALIVE_SECONDS = 15.0
RETRY_MS = 3000
_encoder = msgspec.json.Encoder()


def _resume_point(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is None:
        return after if after is not None else -1
    try:
        return max(int(last_event_id), 0)
    except ValueError:
        raise InvalidInput("Last-Event-ID must be the numeric id of an event this stream sent") from None


def _message(event: EventView) -> ServerSentEventMessage:
    # No SSE `event:` name: browsers deliver unnamed events to one `onmessage`; the type is in the data.
    return ServerSentEventMessage(data=_encoder.encode(event).decode(), id=event.position)


async def _stream(
    request: Request[Any, Any, Any], caller: Caller, position: int
) -> AsyncGenerator[ServerSentEventMessage, None]:
    platform = platform_of(request.app.state)
    if position < 0:
        position = await sync_to_thread(event_queries.head_position, platform.engine)
    # "ready" carries the starting position as the stream's first id: a client that loses the feed before
    # any event arrived still resumes from here, and misses nothing.
    yield ServerSentEventMessage(
        event="ready", data=str(position), id=position, comment="crisislink live feed", retry=RETRY_MS
    )
    while True:
        if await sync_to_thread(optional_caller, request) is None:
            return  # the session ended; the client re-authenticates before reconnecting
        batch, scanned = await sync_to_thread(
            event_queries.next_batch, platform.engine, caller.viewer, position
        )
        for event in batch:
            yield _message(event)
        position = scanned
        if batch:
            continue
        if not await platform.notifier.wait(position, KEEPALIVE_SECONDS):
            yield ServerSentEventMessage(data=None, comment="keep-alive")


class EventStreamController(Controller):
    path = "/api/events"
    tags = ["live feed"]

    @get(
        "/",
        sync_to_thread=False,
        summary="Live feed of the events you may see (text/event-stream)",
        description=(
            "Send `Last-Event-ID` (browsers do this on reconnect) to receive exactly what you missed. Without it, "
            "the stream starts at the present; `after=0` replays everything you may see."
        ),
    )
    def stream(
        self,
        request: Request[Any, Any, Any],
        state: State,
        after: Annotated[int | None, Parameter(ge=0)] = None,
        last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID", max_length=20)] = None,
    ) -> ServerSentEvent:
        caller = provide_caller(request)
        position = _resume_point(last_event_id, after)
        return ServerSentEvent(
            _stream(request, caller, position),
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
