"""create_app: the web application for a platform built by bootstrap. Nothing happens at import."""

from __future__ import annotations

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
from crisislink.entrypoints.web.api.auth import AuthController, TokenController
from crisislink.entrypoints.web.api.contacts import ContactPointController
from crisislink.entrypoints.web.api.directory import NodeController, PartnerController
from crisislink.entrypoints.web.api.emsi import EmsiController
from crisislink.entrypoints.web.api.events import EventStreamController
from crisislink.entrypoints.web.api.incidents import (
    IncidentController,
    NotificationController,
    TaskController,
)
from crisislink.entrypoints.web.api.map import PRECOMPRESSED, MapController
from crisislink.entrypoints.web.api.sitreps import SitrepController
from crisislink.entrypoints.web.api.system import SystemController
from crisislink.entrypoints.web.api.users import UserController
from crisislink.entrypoints.web.docs_page import LocalRedoc
from crisislink.entrypoints.web.problems import EXCEPTION_HANDLERS
from crisislink.entrypoints.web.security import security_headers
from crisislink.entrypoints.web.ui.incident_forms import IncidentForms
from crisislink.entrypoints.web.ui.incident_pages import IncidentPages
from crisislink.entrypoints.web.ui.pages import ConsolePages
from crisislink.entrypoints.web.ui.render import environment

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
    EmsiController,
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


def create_app(platform: Platform, *, extra_routes: tuple[Callable[..., Any], ...] = ()) -> Litestar:
    auth = AuthService(platform)

    def _on_shutdown() -> None:
        platform.stop()

    return Litestar(
        route_handlers=[
            *API_CONTROLLERS,
            MapController,
            ConsolePages,
            IncidentPages,
            IncidentForms,
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
        on_shutdown=[_on_shutdown],
        debug=False,
    )
