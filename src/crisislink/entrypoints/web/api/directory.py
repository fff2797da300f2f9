"""Nodes and partner organisations: the network directory."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries.views import NodeView, PartnerView
from crisislink.adapters.geo.shapes import validate_area
from crisislink.app.auth import Caller
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import PartnerKind
from crisislink.entrypoints.web.api import schemas as s
from crisislink.entrypoints.web.api.parse import enum_value
from crisislink.entrypoints.web.security import platform_of, provide_caller


class NodeController(Controller):
    path = "/api/nodes"
    tags = ["directory"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="List the nodes (deployments) of the network")
    def list_nodes(self, state: State, caller: Caller) -> list[NodeView]:
        return directory.list_nodes(platform_of(state).engine)

    @post("/", sync_to_thread=True, summary="Register a node (node administrators)")
    def register(self, state: State, caller: Caller, data: s.NodeBody) -> dict[str, uuid.UUID]:
        command = sc.RegisterNode(
            actor=caller.actor, code=data.code, name=data.name, country=data.country, base_url=data.base_url
        )
        return {"id": platform_of(state).bus.handle(command)}


class PartnerController(Controller):
    path = "/api/partners"
    tags = ["directory"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="List partner organisations")
    def list_partners(
        self,
        state: State,
        caller: Caller,
        country: Annotated[str | None, Parameter(max_length=2)] = None,
        kind: Annotated[str | None, Parameter(max_length=40)] = None,
    ) -> list[PartnerView]:
        return directory.list_partners(platform_of(state).engine, country=country, kind=kind)

    @get("/{partner_id:uuid}", sync_to_thread=False, summary="One partner organisation")
    def get_partner(self, state: State, caller: Caller, partner_id: uuid.UUID) -> PartnerView:
        return directory.get_partner(platform_of(state).engine, partner_id)

    @post("/", sync_to_thread=True, summary="Register a partner organisation (node administrators)")
    def register(self, state: State, caller: Caller, data: s.PartnerBody) -> dict[str, uuid.UUID]:
        command = sc.RegisterPartner(
            actor=caller.actor,
            code=data.code,
            name=data.name,
            country=data.country,
            kind=enum_value(PartnerKind, data.kind, "kind"),
            home_node_id=data.home_node_id,
            languages=tuple(data.languages),
            names=tuple(sorted(data.names.items())),
            external=data.external,
            jurisdiction=validate_area(_geometry(data.jurisdiction)) if data.jurisdiction else None,
        )
        return {"id": platform_of(state).bus.handle(command)}

    @patch("/{partner_id:uuid}", sync_to_thread=True, summary="Change a partner (node administrators)")
    def update(
        self, state: State, caller: Caller, partner_id: uuid.UUID, data: s.PartnerPatch
    ) -> PartnerView:
        platform = platform_of(state)
        platform.bus.handle(
            sc.UpdatePartner(
                actor=caller.actor,
                partner_id=partner_id,
                expected_version=data.expected_version,
                name=data.name,
                languages=tuple(data.languages) if data.languages is not None else None,
                jurisdiction=validate_area(_geometry(data.jurisdiction)) if data.jurisdiction else None,
            )
        )
        return directory.get_partner(platform.engine, partner_id)


def _geometry(body: s.GeoJsonGeometry) -> dict[str, Any]:
    return {"type": body.type, "coordinates": body.coordinates}
