"""The live feed: server-sent events of what the caller may see, resumable with Last-Event-ID."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from functools import lru_cache
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.params import HeaderParameter, Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from crisislink.adapters.db.queries import events as event_queries
from crisislink.adapters.db.queries.live_tail import encoded
from crisislink.app.auth import Caller
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.web.security import cached_caller, optional_caller, platform_of, provide_caller
from crisislink.kernel.errors import InvalidInput

KEEPALIVE_SECONDS = 15.0
RETRY_MS = 3000
PAGE_SIZE = 500
# A stream looks at its session or token again at most this often, in the process's identity cache (which
# asks the database every few seconds): asking the database on every wake-up, for every reader, was most
# of the live feed's cost.
AUTH_RECHECK_SECONDS = 1.0


def _resume_point(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is None:
        return after if after is not None else -1
    try:
        position = int(last_event_id)
    except ValueError:
        position = -1
    if position < 0:
        raise InvalidInput(
            "Last-Event-ID must be the id (0 or more) of an event this stream sent; "
            "leave it out to start at the present"
        )
    return position


class _Encoded(ServerSentEventMessage):
    """A message encoded once for every stream that sends it (Litestar would encode it per stream)."""

    def __init__(self, frame: bytes) -> None:
        super().__init__()
        self._frame = frame

    def encode(self) -> bytes:
        return self._frame


@lru_cache(maxsize=4096)
def _frame(position: int, data: str) -> bytes:
    # No SSE `event:` name: browsers deliver unnamed events to one `onmessage`; the type is in the data.
    return ServerSentEventMessage(data=data, id=position).encode()


def _message(position: int, data: str) -> ServerSentEventMessage:
    return _Encoded(_frame(position, data))


class _SignInCheck:
    """Ends the stream once its session or token is gone."""

    def __init__(self, request: Request[Any, Any, Any]) -> None:
        self._request = request
        self._checked_at = time.monotonic()

    async def still_signed_in(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at < AUTH_RECHECK_SECONDS:
            return True
        self._checked_at = now
        known, caller = cached_caller(self._request)
        if not known:
            caller = await sync_to_thread(optional_caller, self._request)
        return caller is not None


async def _page(platform: Platform, viewer: Viewer, position: int) -> tuple[list[tuple[int, str]], int]:
    """The viewer's next events after `position`: from the shared tail, or from SQL for a reader behind it."""
    tail = platform.live_tail
    await tail.catch_up(platform.notifier.latest)
    window = tail.window
    if window.covers(position):
        events, scanned = window.after(viewer, position, PAGE_SIZE)
        return [(e.position, e.data) for e in events], scanned
    batch, scanned = await sync_to_thread(
        event_queries.next_batch, platform.engine, viewer, position, PAGE_SIZE
    )
    return [(e.position, encoded(e)) for e in batch], scanned


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
    sign_in = _SignInCheck(request)
    while True:
        if not await sign_in.still_signed_in():
            return  # the session ended; the client re-authenticates before reconnecting
        page, scanned = await _page(platform, caller.viewer, position)
        for event_position, data in page:
            yield _message(event_position, data)
        position = scanned
        if page:
            continue
        if not await platform.notifier.wait(position, KEEPALIVE_SECONDS):
            # Nothing committed in this process: look for what another process (a CLI, a second worker)
            # committed to the same database.
            await platform.live_tail.catch_up(platform.notifier.latest, force=True)
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
