"""ASGI factory for the HTTP server (granian): builds the platform from the environment, per worker."""

from __future__ import annotations

from typing import cast

from granian.utils.proxies import wrap_asgi_with_proxy_headers
from litestar.types import ASGIApp

from crisislink.app.bootstrap import bootstrap
from crisislink.app.seeding import ensure_local_node
from crisislink.app.settings import Settings
from crisislink.entrypoints.web.app import create_app


def app_factory() -> ASGIApp:
    settings = Settings.from_env()
    platform = bootstrap(settings)
    ensure_local_node(platform)
    platform.start_background()
    return behind_proxies(create_app(platform), settings.trusted_proxies)


def behind_proxies(app: ASGIApp, proxies: tuple[str, ...]) -> ASGIApp:
    """Requests relayed by a trusted reverse proxy carry the client's address from X-Forwarded-For
    (granian's helper: the right-most address that is not itself a trusted proxy). Without trusted
    proxies, the peer's address stands, whatever a client writes in that header."""
    if not proxies:
        return app
    return cast(ASGIApp, wrap_asgi_with_proxy_headers(app, list(proxies)))
