"""Health of this node, for load balancers and the operators' dashboards."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import State

from crisislink import __version__
from crisislink.entrypoints.web.api import schemas as s
from crisislink.entrypoints.web.security import platform_of


class SystemController(Controller):
    path = "/api/health"
    tags = ["system"]

    @get("/", sync_to_thread=False, summary="Liveness of this node (public: says nothing about the data)")
    def health(self, state: State) -> s.Health:
        platform = platform_of(state)
        return s.Health(
            status="ok",
            node=platform.settings.node_code,
            version=__version__,
            database=platform.engine.dialect.name,
        )
