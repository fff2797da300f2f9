"""Neighbours' public warnings: the CAP feeds a partner subscribed to, and the warnings read from them."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import external_alerts as q
from crisislink.app.auth import Caller
from crisislink.domains.warnings import external_commands as c
from crisislink.entrypoints.web.api.schemas import Marking, Name, Strict
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.markings import Tlp

FeedUrl = Annotated[str, msgspec.Meta(min_length=8, max_length=1000, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://")]
Interval = Annotated[int, msgspec.Meta(ge=60, le=86_400)]


class ExternalFeedBody(Strict):
    """A public feed is CLEAR by default: what a neighbour published for everyone may be seen by anyone."""

    name: Name
    url: FeedUrl
    interval_seconds: Interval = 300
    marking: Marking = "CLEAR"


class ExternalWarningsController(Controller):
    path = "/api"
    tags = ["neighbours' warnings"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get(
        "/external-feeds",
        sync_to_thread=True,
        summary="Neighbours' warning feeds you may see, with their last poll",
    )
    def list_feeds(self, state: State, caller: Caller) -> list[q.ExternalFeedView]:
        return q.list_external_feeds(platform_of(state).engine, caller.viewer)

    @get("/external-feeds/{feed_id:uuid}", sync_to_thread=True, summary="One neighbour's warning feed")
    def get_feed(self, state: State, caller: Caller, feed_id: uuid.UUID) -> q.ExternalFeedView:
        return q.get_external_feed(platform_of(state).engine, caller.viewer, feed_id)

    @post(
        "/external-feeds",
        sync_to_thread=True,
        summary="Subscribe to a CAP Atom feed (node or partner administrators); it is read at once",
    )
    def subscribe(self, state: State, caller: Caller, data: ExternalFeedBody) -> q.ExternalFeedView:
        platform = platform_of(state)
        feed_id = platform.bus.handle(
            c.SubscribeFeed(
                actor=caller.actor,
                name=data.name,
                url=data.url,
                interval_seconds=data.interval_seconds,
                marking=Tlp(data.marking),
            )
        )
        return q.get_external_feed(platform.engine, caller.viewer, feed_id)

    @delete(
        "/external-feeds/{feed_id:uuid}",
        sync_to_thread=True,
        summary="Unsubscribe from a feed; the warnings read from it are removed with it",
    )
    def unsubscribe(self, state: State, caller: Caller, feed_id: uuid.UUID) -> None:
        platform_of(state).bus.handle(c.UnsubscribeFeed(actor=caller.actor, feed_id=feed_id))

    @get(
        "/external-alerts", sync_to_thread=True, summary="Warnings read from neighbours' feeds, newest first"
    )
    def list_alerts(
        self,
        state: State,
        caller: Caller,
        active: Annotated[bool | None, Parameter(description="true: in force now; false: ended")] = None,
        feed_id: uuid.UUID | None = None,
        status: Annotated[
            str | None, Parameter(max_length=10, description="a CAP status, e.g. Actual")
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> list[q.ExternalAlertView]:
        platform = platform_of(state)
        flt = q.AlertFilter(active=active, feed_id=feed_id, status=status, limit=limit, offset=offset)
        return q.list_external_alerts(platform.engine, caller.viewer, flt, platform.clock.now())
