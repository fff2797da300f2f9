"""Partners' datasets and live feeds: publish, push observations, read and export them, follow them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import dataset_contact_notices as contact_notices
from crisislink.adapters.db.queries import datasets as q
from crisislink.adapters.db.queries.dataset_views import (
    DatasetSummary,
    DatasetView,
    IngestReport,
    ObservationPage,
    RecordErrorView,
    SeriesView,
)
from crisislink.app.auth import Caller
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.ingest_handlers import IngestResult, IngestRules
from crisislink.domains.datasets.model import DatasetKind, IngestMode
from crisislink.domains.datasets.observations import RecordError, RecordsRejected
from crisislink.entrypoints.web.api import dataset_parse as dp
from crisislink.entrypoints.web.api import dataset_schemas as s
from crisislink.entrypoints.web.api import parse
from crisislink.entrypoints.web.api.incident_parse import aware
from crisislink.entrypoints.web.dataset_exports import observations_csv, observations_geojson
from crisislink.entrypoints.web.problems import problem
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.markings import Tlp

Limit = Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)]
SeriesParam = Annotated[str | None, Parameter(max_length=100)]
MAX_RECORDS = IngestRules().max_records


def _errors(errors: tuple[RecordError, ...]) -> list[RecordErrorView]:
    return [RecordErrorView(e.index, e.path, e.message) for e in errors]


def _report(result: IngestResult) -> IngestReport:
    return IngestReport(
        result.received, result.stored, result.duplicates, result.rejected, _errors(result.errors)
    )


def _span(since: datetime | None, until: datetime | None, after: datetime | None = None) -> q.TimeRange:
    return q.TimeRange(
        since=aware(since, "since") if since else None,
        until=aware(until, "until") if until else None,
        after=aware(after, "after") if after else None,
    )


def _rejected(error: RecordsRejected) -> Response[dict[str, Any]]:
    """A refused batch: 400, nothing stored, with every refused record listed (index, path, message)."""
    return problem(
        400,
        error.code,
        "Batch refused",
        error.message,
        received=error.received,
        stored=0,
        errors=msgspec.to_builtins(_errors(error.errors)),
    )


def _ingest(
    state: State, caller: Caller, dataset_id: uuid.UUID, body: bytes, content_type: str, mode: IngestMode
) -> Response[Any]:
    platform = platform_of(state)
    records = dp.records(
        body,
        content_type,
        lambda: q.get_dataset(platform.engine, caller.viewer, dataset_id).record_schema,
        MAX_RECORDS,
    )
    command = c.IngestObservations(
        actor=caller.actor, dataset_id=dataset_id, batch=c.Batch(records), mode=mode
    )
    try:
        result: IngestResult = platform.bus.handle(command)
    except RecordsRejected as error:
        return _rejected(error)
    return Response(_report(result), status_code=201)


class DatasetController(Controller):
    path = "/api/datasets"
    tags = ["datasets"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="Datasets and live feeds you may see, with who to call about each")
    def list_datasets(
        self,
        state: State,
        caller: Caller,
        kind: Annotated[str | None, Parameter(max_length=30)] = None,
        owner_partner_id: uuid.UUID | None = None,
        stale: bool = False,
        limit: Limit = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> list[DatasetSummary]:
        flt = q.DatasetFilter(kind, owner_partner_id, stale, limit, offset)
        return q.list_datasets(platform_of(state).engine, caller.viewer, flt)

    @post("/", sync_to_thread=True, summary="Publish a dataset or live feed of your partner")
    def publish(self, state: State, caller: Caller, data: s.DatasetBody) -> DatasetView:
        platform = platform_of(state)
        dataset_id = platform.bus.handle(
            c.PublishDataset(
                actor=caller.actor,
                title=data.title,
                kind=DatasetKind(data.kind),
                record_schema=data.record_schema,
                contact_point_id=data.contact_point_id,
                refresh=timedelta(seconds=data.refresh_seconds),
                series=dp.series(data.series),
                description=data.description,
                owner_partner_id=data.owner_partner_id,
                marking=Tlp(data.marking),
                audience=parse.audience(data.audience),
                synthetic=data.synthetic,
            )
        )
        return q.get_dataset(platform.engine, caller.viewer, dataset_id)

    @get("/{dataset_id:uuid}", sync_to_thread=True, summary="One dataset: series, newest values, who to call")
    def get_dataset(self, state: State, caller: Caller, dataset_id: uuid.UUID) -> DatasetView:
        return q.get_dataset(platform_of(state).engine, caller.viewer, dataset_id)

    @get(
        "/{dataset_id:uuid}/stale-notices",
        sync_to_thread=True,
        summary="What the dataset's point of contact was sent when its data stopped, and arrived again",
    )
    def stale_notices(
        self, state: State, caller: Caller, dataset_id: uuid.UUID
    ) -> list[contact_notices.ContactNoticeView]:
        engine = platform_of(state).engine
        q.get_dataset(engine, caller.viewer, dataset_id)  # a dataset the caller may not see is a 404
        return contact_notices.notices_for_dataset(engine, caller.viewer, dataset_id)

    @patch("/{dataset_id:uuid}", sync_to_thread=True, summary="Change a dataset (send expected_version)")
    def update(
        self, state: State, caller: Caller, dataset_id: uuid.UUID, data: s.DatasetPatch
    ) -> DatasetView:
        platform = platform_of(state)
        platform.bus.handle(
            c.UpdateDataset(
                actor=caller.actor,
                dataset_id=dataset_id,
                expected_version=data.expected_version,
                title=data.title,
                description=data.description,
                contact_point_id=data.contact_point_id,
                refresh=timedelta(seconds=data.refresh_seconds) if data.refresh_seconds else None,
                series=dp.series(data.series) if data.series is not None else None,
                marking=Tlp(data.marking) if data.marking else None,
                audience=parse.audience(data.audience) if data.audience is not None else None,
            )
        )
        return q.get_dataset(platform.engine, caller.viewer, dataset_id)

    @get(
        "/{dataset_id:uuid}/series",
        sync_to_thread=True,
        summary="Series with their newest value and thresholds",
    )
    def series(self, state: State, caller: Caller, dataset_id: uuid.UUID) -> list[SeriesView]:
        return q.series_of(platform_of(state).engine, caller.viewer, dataset_id)

    @get(
        "/{dataset_id:uuid}/series/{series:str}/observations",
        sync_to_thread=True,
        summary="Observations of one series in time order, a page at a time (continue with ?after=)",
    )
    def observations(
        self,
        state: State,
        caller: Caller,
        dataset_id: uuid.UUID,
        series: str,
        since: datetime | None = None,
        until: datetime | None = None,
        after: datetime | None = None,
        limit: Limit = 500,
    ) -> ObservationPage:
        span = _span(since, until, after)
        return q.observations(platform_of(state).engine, caller.viewer, dataset_id, series, span, limit)

    @get(
        "/{dataset_id:uuid}/export.csv",
        sync_to_thread=True,
        summary="Export observations you may see, as CSV",
    )
    def export_csv(
        self,
        state: State,
        caller: Caller,
        dataset_id: uuid.UUID,
        series: SeriesParam = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Response[str]:
        found = q.export(platform_of(state).engine, caller.viewer, dataset_id, series, _span(since, until))
        return Response(
            observations_csv(found),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="dataset-{dataset_id}.csv"'},
        )

    @get(
        "/{dataset_id:uuid}/export.geojson",
        sync_to_thread=True,
        summary="Export observations you may see, as a GeoJSON FeatureCollection",
    )
    def export_geojson(
        self,
        state: State,
        caller: Caller,
        dataset_id: uuid.UUID,
        series: SeriesParam = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Response[bytes]:
        found = q.export(platform_of(state).engine, caller.viewer, dataset_id, series, _span(since, until))
        return Response(
            msgspec.json.encode(observations_geojson(found)),
            media_type="application/geo+json",
            headers={"content-disposition": f'attachment; filename="dataset-{dataset_id}.geojson"'},
        )

    @post(
        "/{dataset_id:uuid}/observations",
        summary="Push observations (JSON array, CSV or GeoJSON); answered once they are committed",
        description=(
            "mode=keep_valid stores the valid records and lists the refused ones; mode=all_or_nothing refuses "
            "the whole batch if any record is invalid. The same observation (series, observed_at) is stored "
            "once, however often it is sent: a batch can be retried safely."
        ),
    )
    async def ingest(
        self,
        request: Request[Any, Any, Any],
        state: State,
        caller: Caller,
        dataset_id: uuid.UUID,
        mode: Literal["keep_valid", "all_or_nothing"] = "keep_valid",
    ) -> Response[Any]:
        # The raw body: its media type decides how it is read (Litestar would decode JSON by itself).
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        return await sync_to_thread(_ingest, state, caller, dataset_id, body, content_type, IngestMode(mode))

    @post("/{dataset_id:uuid}/follow", sync_to_thread=True, summary="Follow a dataset: its alerts reach you")
    def follow(self, state: State, caller: Caller, dataset_id: uuid.UUID) -> s.FollowState:
        platform_of(state).bus.handle(c.FollowDataset(actor=caller.actor, dataset_id=dataset_id))
        return s.FollowState(dataset_id=dataset_id, following=True)

    @delete("/{dataset_id:uuid}/follow", sync_to_thread=True, summary="Stop following a dataset")
    def unfollow(self, state: State, caller: Caller, dataset_id: uuid.UUID) -> None:
        platform_of(state).bus.handle(c.UnfollowDataset(actor=caller.actor, dataset_id=dataset_id))
