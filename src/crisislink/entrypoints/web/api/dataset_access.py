"""Access requests to AMBER datasets, webhook subscriptions and pull sources (docs/dataset-delivery.md)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.datastructures import State
from litestar.di import Provide

from crisislink.adapters.db.queries import dataset_access as q
from crisislink.adapters.db.queries import pull_sources
from crisislink.adapters.db.queries.dataset_views import PullSourceView
from crisislink.app.auth import Caller
from crisislink.domains.datasets import access_commands as ac
from crisislink.domains.datasets import delivery_commands as dc
from crisislink.domains.datasets.access import AccessScope
from crisislink.entrypoints.web.api.incident_parse import aware
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.errors import NotFound


class AccessRequestBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class GrantBody(msgspec.Struct, forbid_unknown_fields=True):
    scope: Literal["read", "read_subscribe"]
    expires_at: datetime
    note: str = ""


class ReasonBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class WebhookBody(msgspec.Struct, forbid_unknown_fields=True):
    url: str


class PullSourceBody(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    format: Literal["csv", "geojson", "sensorthings"]
    interval_seconds: int


class DatasetAccessController(Controller):
    path = "/api/datasets"
    tags = ["datasets"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @post(
        "/{dataset_id:uuid}/access-requests",
        sync_to_thread=True,
        summary="Ask for access to an AMBER dataset",
    )
    def request_access(
        self, state: State, caller: Caller, dataset_id: uuid.UUID, data: AccessRequestBody
    ) -> dict[str, Any]:
        request_id = platform_of(state).bus.handle(
            ac.RequestDatasetAccess(actor=caller.actor, dataset_id=dataset_id, reason=data.reason)
        )
        return {"id": str(request_id), "status": "pending"}

    @get("/access-requests", sync_to_thread=True, summary="Access requests your partner made or must decide")
    def list_requests(self, state: State, caller: Caller) -> list[dict[str, Any]]:
        return q.access_requests(platform_of(state).engine, caller.viewer)

    @post("/access-requests/{request_id:uuid}/grant", sync_to_thread=True, status_code=204, summary="Grant")
    def grant(self, state: State, caller: Caller, request_id: uuid.UUID, data: GrantBody) -> None:
        platform_of(state).bus.handle(
            ac.GrantDatasetAccess(
                actor=caller.actor,
                request_id=request_id,
                scope=AccessScope(data.scope),
                expires_at=aware(data.expires_at, "expires_at"),
                note=data.note,
            )
        )

    @post("/access-requests/{request_id:uuid}/refuse", sync_to_thread=True, status_code=204, summary="Refuse")
    def refuse(self, state: State, caller: Caller, request_id: uuid.UUID, data: ReasonBody) -> None:
        platform_of(state).bus.handle(
            ac.RefuseDatasetAccess(actor=caller.actor, request_id=request_id, reason=data.reason)
        )

    @post(
        "/access-requests/{request_id:uuid}/revoke", sync_to_thread=True, status_code=204, summary="End early"
    )
    def revoke(self, state: State, caller: Caller, request_id: uuid.UUID, data: ReasonBody) -> None:
        platform_of(state).bus.handle(
            ac.RevokeDatasetAccess(actor=caller.actor, request_id=request_id, reason=data.reason)
        )

    @post(
        "/{dataset_id:uuid}/webhooks",
        sync_to_thread=True,
        summary="Subscribe a URL (the secret is shown once)",
    )
    def subscribe(
        self, state: State, caller: Caller, dataset_id: uuid.UUID, data: WebhookBody
    ) -> dict[str, Any]:
        created: dict[str, Any] = platform_of(state).bus.handle(
            dc.SubscribeWebhook(actor=caller.actor, dataset_id=dataset_id, url=data.url)
        )
        return {"id": str(created["id"]), "secret": created["secret"]}

    @get("/webhooks", sync_to_thread=True, summary="Your webhook subscriptions")
    def list_webhooks(self, state: State, caller: Caller) -> list[dict[str, Any]]:
        return q.webhooks(platform_of(state).engine, caller.viewer)

    @delete("/webhooks/{webhook_id:uuid}", sync_to_thread=True, summary="Cancel a webhook subscription")
    def unsubscribe(self, state: State, caller: Caller, webhook_id: uuid.UUID) -> None:
        platform_of(state).bus.handle(dc.UnsubscribeWebhook(actor=caller.actor, webhook_id=webhook_id))

    @get(
        "/webhooks/{webhook_id:uuid}/deliveries",
        sync_to_thread=True,
        summary="Deliveries, dead letters included",
    )
    def deliveries(self, state: State, caller: Caller, webhook_id: uuid.UUID) -> list[dict[str, Any]]:
        return q.deliveries(platform_of(state).engine, caller.viewer, webhook_id)

    @get(
        "/{dataset_id:uuid}/pull-source",
        sync_to_thread=True,
        summary="Where the dataset is polled from, and how polling goes (credentials hidden)",
    )
    def pull_source_status(self, state: State, caller: Caller, dataset_id: uuid.UUID) -> PullSourceView:
        found = pull_sources.pull_source(platform_of(state).engine, caller.viewer, dataset_id)
        if found is None:
            raise NotFound("this dataset has no pull source: its owner pushes its records")
        return found

    @put("/{dataset_id:uuid}/pull-source", sync_to_thread=True, status_code=204, summary="Poll a partner URL")
    def set_pull_source(
        self, state: State, caller: Caller, dataset_id: uuid.UUID, data: PullSourceBody
    ) -> None:
        platform_of(state).bus.handle(
            dc.SetPullSource(
                actor=caller.actor,
                dataset_id=dataset_id,
                url=data.url,
                format=dc.PullFormat(data.format),
                interval=timedelta(seconds=data.interval_seconds),
            )
        )

    @delete("/{dataset_id:uuid}/pull-source", sync_to_thread=True, summary="Stop polling")
    def remove_pull_source(self, state: State, caller: Caller, dataset_id: uuid.UUID) -> None:
        platform_of(state).bus.handle(dc.RemovePullSource(actor=caller.actor, dataset_id=dataset_id))
