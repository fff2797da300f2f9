"""create_app: the web application for a platform built by bootstrap. Nothing happens at import."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from litestar import Litestar, Response, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from crisislink import __version__
from crisislink.app.auth import AuthService
from crisislink.app.bootstrap import Platform
from crisislink.entrypoints.web.api.auth import AuthController, TokenController
from crisislink.entrypoints.web.api.contacts import ContactPointController
from crisislink.entrypoints.web.api.directory import NodeController, PartnerController
from crisislink.entrypoints.web.api.events import EventStreamController
from crisislink.entrypoints.web.api.system import SystemController
from crisislink.entrypoints.web.api.users import UserController
from crisislink.entrypoints.web.problems import EXCEPTION_HANDLERS
from crisislink.entrypoints.web.security import SECURITY_HEADERS

FAVICON = "<link rel='icon' type='image/svg+xml' href='/static/favicon.svg'>"
API_CONTROLLERS = (
    AuthController,
    TokenController,
    NodeController,
    PartnerController,
    UserController,
    ContactPointController,
    EventStreamController,
    SystemController,
)


def _static_dir() -> Path:
    return Path(str(resources.files("crisislink.entrypoints.web").joinpath("static")))


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="crisislink API",
        version=__version__,
        description="Cross-border crisis coordination. Errors are RFC 9457 problem details.",
        path="/api/docs",
        render_plugins=[
            RedocRenderPlugin(
                path="/", js_url="/static/vendor/redoc.standalone.js", google_fonts=False, favicon=FAVICON
            ),
        ],
    )


@get("/", include_in_schema=False, sync_to_thread=False)
def _home() -> Redirect:
    return Redirect("/api/docs")


def _security_headers(response: Response[Any]) -> Response[Any]:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(platform: Platform, *, extra_routes: tuple[Callable[..., Any], ...] = ()) -> Litestar:
    auth = AuthService(platform)

    def _on_shutdown() -> None:
        platform.stop()

    return Litestar(
        route_handlers=[
            *API_CONTROLLERS,
            _home,
            create_static_files_router("/static", [_static_dir()]),
            *extra_routes,
        ],
        openapi_config=_openapi(),
        exception_handlers=EXCEPTION_HANDLERS,
        after_request=_security_headers,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1000, gzip_compress_level=6),
        request_max_body_size=platform.settings.max_body_bytes,
        state=State({"platform": platform, "auth": auth}),
        on_shutdown=[_on_shutdown],
        debug=False,
    )
