"""ASGI factory for the HTTP server (granian): builds the platform from the environment, per worker."""

from __future__ import annotations

from litestar import Litestar

from crisislink.app.bootstrap import bootstrap
from crisislink.app.seeding import ensure_local_node
from crisislink.app.settings import Settings
from crisislink.entrypoints.web.app import create_app


def app_factory() -> Litestar:
    platform = bootstrap(Settings.from_env())
    ensure_local_node(platform)
    platform.start_background()
    return create_app(platform)
