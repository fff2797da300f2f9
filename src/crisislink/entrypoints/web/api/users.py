"""People: accounts of a partner's staff, with roles (partner administrators manage their own)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, patch, post, put
from litestar.datastructures import State
from litestar.di import Provide

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries.views import UserView
from crisislink.app.auth import Caller
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role
from crisislink.entrypoints.web.api import schemas as s
from crisislink.entrypoints.web.api.parse import enum_value
from crisislink.entrypoints.web.security import platform_of, provide_caller


def _roles(values: list[str]) -> frozenset[Role]:
    return frozenset(enum_value(Role, value, "roles") for value in values)


def _is_node_admin(caller: Caller) -> bool:
    return caller.has_role(Role.NODE_ADMIN.value)


class UserController(Controller):
    path = "/api/users"
    tags = ["people"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="List the users of your partner (all, for node administrators)")
    def list_users(self, state: State, caller: Caller) -> list[UserView]:
        return directory.list_users(
            platform_of(state).engine, caller.viewer, is_node_admin=_is_node_admin(caller)
        )

    @get("/{user_id:uuid}", sync_to_thread=False, summary="One user")
    def get_user(self, state: State, caller: Caller, user_id: uuid.UUID) -> UserView:
        engine = platform_of(state).engine
        return directory.get_user(engine, caller.viewer, user_id, is_node_admin=_is_node_admin(caller))

    @post("/", sync_to_thread=True, summary="Add a user (partner administrators, for their partner)")
    def add(self, state: State, caller: Caller, data: s.UserBody) -> UserView:
        platform = platform_of(state)
        user_id = platform.bus.handle(
            sc.AddUser(
                actor=caller.actor,
                username=data.username,
                display_name=data.display_name,
                partner_id=data.partner_id,
                roles=_roles(data.roles),
                password=data.password,
                email=data.email,
                locale=data.locale,
                timezone=data.timezone,
            )
        )
        return directory.get_user(platform.engine, caller.viewer, user_id, is_node_admin=True)

    @patch("/{user_id:uuid}", sync_to_thread=True, summary="Change a user's roles or details")
    def update(self, state: State, caller: Caller, user_id: uuid.UUID, data: s.UserPatch) -> UserView:
        platform = platform_of(state)
        platform.bus.handle(
            sc.UpdateUser(
                actor=caller.actor,
                user_id=user_id,
                expected_version=data.expected_version,
                display_name=data.display_name,
                roles=_roles(data.roles) if data.roles is not None else None,
                email=data.email,
                locale=data.locale,
                timezone=data.timezone,
                active=data.active,
            )
        )
        return directory.get_user(platform.engine, caller.viewer, user_id, is_node_admin=True)

    @put("/{user_id:uuid}/password", sync_to_thread=True, status_code=204, summary="Set a password")
    def set_password(self, state: State, caller: Caller, user_id: uuid.UUID, data: s.PasswordBody) -> None:
        platform_of(state).bus.handle(
            sc.SetPassword(actor=caller.actor, user_id=user_id, password=data.password)
        )
