"""Console pages of partners' datasets and live feeds: the list, one dataset with a chart per series, the
follow form, and the charts themselves (SVG, drawn on the server: documents/series_chart.py).

Everything read goes through the datasets queries, which filter with the sharing policy: a dataset the
reader may not see is a 404 on its page and on each of its charts, as on the API.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from crisislink.adapters.db.queries import datasets as q
from crisislink.adapters.db.queries import directory, pull_sources
from crisislink.adapters.db.queries.dataset_views import DatasetView, SeriesView
from crisislink.adapters.documents.series_chart import ChartText, ChartThreshold, series_chart
from crisislink.app.bootstrap import Platform
from crisislink.app.layers import N_
from crisislink.domains.datasets import commands as c
from crisislink.entrypoints.web.i18n import translations
from crisislink.entrypoints.web.problems import status_of
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui import labels
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.render import check_form_token, render, signed_in
from crisislink.kernel.errors import CrisislinkError, NotFound

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
CHART_WINDOW = timedelta(days=7)  # the chart shows the last week before the newest reading

KINDS = {
    "river_gauge": N_("River gauges"),
    "hospital_capacity": N_("Hospital capacity"),
    "closures": N_("Road and rail closures"),
    "shelter_capacity": N_("Shelter capacity"),
    "power_outages": N_("Power outages"),
    "sensor_readings": N_("Sensor readings"),
}
CHART_TITLE = N_("%(series)s (%(unit)s)")
CHART_SUMMARY = N_(
    "%(count)s readings from %(first)s to %(last)s. Newest: %(value)s %(unit)s. Thresholds: %(thresholds)s."
)
CHART_EMPTY = N_("No reading yet.")
NO_THRESHOLD = N_("none")
# The names of the formats a pull source serves: names of standards, the same in every language.
PULL_FORMATS = {"csv": "CSV", "geojson": "GeoJSON", "sensorthings": "OGC SensorThings"}


class FollowForm(msgspec.Struct):
    csrf_token: str = ""


def _partner_names(platform: Platform, language: str) -> dict[uuid.UUID, str]:
    return {p.id: p.names.get(language, p.name) for p in directory.list_partners(platform.engine)}


def _labels() -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "markings": labels.MARKINGS,
        "roles": labels.CONTACT_ROLES,
        "channels": labels.CHANNELS,
        "pull_formats": PULL_FORMATS,
    }


def list_context(platform: Platform, page: Page) -> dict[str, Any]:
    assert page.caller is not None
    viewer, engine = page.caller.viewer, platform.engine
    datasets = q.list_datasets(engine, viewer, q.DatasetFilter(limit=q.MAX_PAGE))
    return {
        "datasets": datasets,
        "series": {d.id: q.series_of(engine, viewer, d.id) for d in datasets},
        "partner_names": _partner_names(platform, page.language),
        **_labels(),
    }


def detail_context(platform: Platform, page: Page, dataset_id: uuid.UUID) -> dict[str, Any]:
    assert page.caller is not None
    dataset = q.get_dataset(platform.engine, page.caller.viewer, dataset_id)
    return {
        "dataset": dataset,
        "pull_source": pull_sources.pull_source(platform.engine, page.caller.viewer, dataset_id),
        "owner_name": _partner_names(platform, page.language).get(dataset.owner_partner_id, "?"),
        **_labels(),
    }


def _series(dataset: DatasetView, key: str) -> SeriesView:
    found = next((s for s in dataset.series if s.key == key), None)
    if found is None:
        raise NotFound(f"the dataset declares no series {key!r}")
    return found


def chart_svg(platform: Platform, page: Page, dataset_id: uuid.UUID, key: str) -> str:
    assert page.caller is not None
    viewer = page.caller.viewer
    dataset = q.get_dataset(platform.engine, viewer, dataset_id)
    series = _series(dataset, key)
    since = series.latest_at - CHART_WINDOW if series.latest_at else None
    found = q.observations(platform.engine, viewer, dataset_id, key, q.TimeRange(since=since), q.MAX_PAGE)
    points = [(o.observed_at, o.value) for o in found.items]
    gettext = translations(page.language).gettext
    thresholds = ", ".join(f"{t.name} {t.level:g} {series.unit}" for t in series.thresholds)
    if points:
        description = gettext(CHART_SUMMARY) % {
            "count": len(points),
            "first": page.when(points[0][0]),
            "last": page.when(points[-1][0]),
            "value": "-" if series.latest_value is None else f"{series.latest_value:g}",
            "unit": series.unit,
            "thresholds": thresholds or gettext(NO_THRESHOLD),
        }
    else:
        description = gettext(CHART_EMPTY)
    text = ChartText(
        title=gettext(CHART_TITLE) % {"series": series.name, "unit": series.unit},
        description=description,
        value_axis=series.unit,
        empty=gettext(CHART_EMPTY),
    )
    thresholds_drawn = [ChartThreshold(t.name, t.level) for t in series.thresholds]
    return series_chart(points, thresholds_drawn, series.unit, page.timezone, text)


class DatasetPages(Controller):
    include_in_schema = False

    @get("/datasets", sync_to_thread=True)
    def datasets_page(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        return render(request, page, "datasets.html", **list_context(platform_of(state), page))

    @get("/datasets/{dataset_id:uuid}", sync_to_thread=True)
    def dataset_page(
        self, request: Request[Any, Any, Any], state: State, dataset_id: uuid.UUID
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        context = detail_context(platform_of(state), page, dataset_id)
        return render(request, page, "dataset.html", error=None, **context)

    @get("/datasets/{dataset_id:uuid}/series/{key:str}/chart.svg", sync_to_thread=True)
    def chart(
        self, request: Request[Any, Any, Any], state: State, dataset_id: uuid.UUID, key: str
    ) -> Response[str] | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        svg = chart_svg(platform_of(state), page, dataset_id, key)
        return Response(
            svg,
            media_type="image/svg+xml",
            headers={"cache-control": "private, no-cache", "content-language": page.language},
        )

    def _follow(
        self, request: Request[Any, Any, Any], state: State, dataset_id: uuid.UUID, token: str, follow: bool
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        platform = platform_of(state)
        try:
            check_form_token(token, page.csrf_token)
            assert page.caller is not None
            actor = page.caller.actor
            command = (
                c.FollowDataset(actor=actor, dataset_id=dataset_id)
                if follow
                else c.UnfollowDataset(actor=actor, dataset_id=dataset_id)
            )
            platform.bus.handle(command)
        except CrisislinkError as error:
            context = detail_context(platform, page, dataset_id)
            return render(
                request, page, "dataset.html", status=status_of(error), error=error.message, **context
            )
        return Redirect(f"/datasets/{dataset_id}#follow", status_code=303)

    @post("/datasets/{dataset_id:uuid}/follow", sync_to_thread=True)
    def follow(
        self,
        request: Request[Any, Any, Any],
        state: State,
        dataset_id: uuid.UUID,
        data: Annotated[FollowForm, FormBody],
    ) -> Template | Redirect:
        return self._follow(request, state, dataset_id, data.csrf_token, True)

    @post("/datasets/{dataset_id:uuid}/unfollow", sync_to_thread=True)
    def unfollow(
        self,
        request: Request[Any, Any, Any],
        state: State,
        dataset_id: uuid.UUID,
        data: Annotated[FollowForm, FormBody],
    ) -> Template | Redirect:
        return self._follow(request, state, dataset_id, data.csrf_token, False)
