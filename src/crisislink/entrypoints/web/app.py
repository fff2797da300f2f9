"""create_app: the web application for a platform built by bootstrap. Nothing happens at import."""

from __future__ import annotations

import gc
import threading
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import CacheControlHeader, State
from litestar.openapi.config import OpenAPIConfig
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope

from crisislink import __version__
from crisislink.app.auth import AuthService
from crisislink.app.bootstrap import Platform
from crisislink.entrypoints.web.api.assistance import (
    AssistanceRequestController,
    CapabilityController,
    UnitController,
)
from crisislink.entrypoints.web.api.assistance_edxl import AssistanceEdxlController
from crisislink.entrypoints.web.api.assistance_offers import OfferController
from crisislink.entrypoints.web.api.auth import AuthController, TokenController
from crisislink.entrypoints.web.api.comm_tests import AcknowledgementController, CommTestController
from crisislink.entrypoints.web.api.contacts import ContactPointController
from crisislink.entrypoints.web.api.dataset_access import DatasetAccessController
from crisislink.entrypoints.web.api.datasets import DatasetController
from crisislink.entrypoints.web.api.directory import NodeController, PartnerController
from crisislink.entrypoints.web.api.emsi import EmsiController
from crisislink.entrypoints.web.api.events import EventStreamController
from crisislink.entrypoints.web.api.external_feeds import ExternalWarningsController
from crisislink.entrypoints.web.api.hospitals import HospitalController, NearestUnitController
from crisislink.entrypoints.web.api.incidents import (
    IncidentController,
    NotificationController,
    TaskController,
)
from crisislink.entrypoints.web.api.map import PRECOMPRESSED, MapController
from crisislink.entrypoints.web.api.readiness import RotaController
from crisislink.entrypoints.web.api.sitreps import SitrepController
from crisislink.entrypoints.web.api.system import SystemController
from crisislink.entrypoints.web.api.users import UserController
from crisislink.entrypoints.web.api.warnings import WarningController
from crisislink.entrypoints.web.docs_page import LocalRedoc
from crisislink.entrypoints.web.problems import EXCEPTION_HANDLERS
from crisislink.entrypoints.web.security import security_headers
from crisislink.entrypoints.web.ui.assistance_forms import AssistanceForms
from crisislink.entrypoints.web.ui.assistance_pages import AssistancePages
from crisislink.entrypoints.web.ui.dataset_pages import DatasetPages
from crisislink.entrypoints.web.ui.incident_forms import IncidentForms
from crisislink.entrypoints.web.ui.incident_pages import IncidentPages
from crisislink.entrypoints.web.ui.pages import ConsolePages
from crisislink.entrypoints.web.ui.public_warnings import PublicWarningPages
from crisislink.entrypoints.web.ui.readiness_forms import ReadinessForms
from crisislink.entrypoints.web.ui.readiness_pages import ReadinessPages
from crisislink.entrypoints.web.ui.render import environment
from crisislink.entrypoints.web.ui.warning_pages import WarningPages

API_CONTROLLERS = (
    AuthController,
    TokenController,
    NodeController,
    PartnerController,
    UserController,
    ContactPointController,
    EventStreamController,
    SystemController,
    IncidentController,
    TaskController,
    NotificationController,
    SitrepController,
    RotaController,  # readiness (line 4): the on-duty rota
    CommTestController,  # readiness (line 4): communication tests
    AcknowledgementController,  # readiness (line 4): the answer to a test, no sign-in
    EmsiController,
    ExternalWarningsController,
    WarningController,
    CapabilityController,
    UnitController,
    AssistanceRequestController,
    OfferController,
    AssistanceEdxlController,
    HospitalController,  # hospitals, EDXL-HAVE, nearest hospitals (line 2)
    NearestUnitController,  # nearest available units by travel time (line 2)
    DatasetController,  # partners' datasets and live feeds (line 4)
    DatasetAccessController,  # access requests, webhooks, pull sources (line 4)
)


def _static_dir() -> Path:
    return Path(str(resources.files("crisislink.entrypoints.web").joinpath("static")))


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="crisislink API",
        version=__version__,
        description="Cross-border crisis coordination. Errors are RFC 9457 problem details.",
        path="/api/docs",
        render_plugins=[LocalRedoc()],
    )


def _with_headers(headers: dict[str, str]) -> Callable[[Message, Scope], Awaitable[None]]:
    """Security headers on every response, error responses included (they bypass after_request)."""
    encoded = [(name.encode(), value.encode()) for name, value in headers.items()]

    async def add(message: Message, scope: Scope) -> None:  # noqa: ARG001 -- Litestar's hook signature
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name, value) for name, value in encoded if name not in present]
            message["headers"] = [*message.get("headers", []), *extra]

    return add


_frozen = threading.Event()


def _freeze_what_starting_made() -> None:
    """What starting made (modules, mappings, reference data) lives as long as the process. Frozen out of
    the collector's sight, it is no longer walked by every full collection, whose pauses were the live
    feed's slowest deliveries (p99 290 -> 160 ms in bench/datasets_ingest.py). Once per process."""
    if not _frozen.is_set():
        _frozen.set()
        gc.collect()
        gc.freeze()


def create_app(platform: Platform, *, extra_routes: tuple[Callable[..., Any], ...] = ()) -> Litestar:
    auth = AuthService(platform)

    def _on_startup() -> None:
        _freeze_what_starting_made()

    def _on_shutdown() -> None:
        platform.stop()

    return Litestar(
        route_handlers=[
            *API_CONTROLLERS,
            MapController,
            ConsolePages,
            IncidentPages,
            IncidentForms,
            WarningPages,
            PublicWarningPages,
            AssistancePages,  # mutual assistance (line 2)
            AssistanceForms,
            ReadinessPages,  # readiness (line 4)
            ReadinessForms,
            DatasetPages,  # partners' datasets (line 4)
            create_static_files_router(
                "/static", [_static_dir()], cache_control=CacheControlHeader(max_age=3600)
            ),
            *extra_routes,
        ],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment())),
        openapi_config=_openapi(),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[_with_headers(security_headers(platform.settings.tile_url))],
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=1000, gzip_compress_level=6, exclude_opt_key=PRECOMPRESSED
        ),
        request_max_body_size=platform.settings.max_body_bytes,
        state=State({"platform": platform, "auth": auth}),
        on_startup=[_on_startup],
        on_shutdown=[_on_shutdown],
        debug=False,
    )
