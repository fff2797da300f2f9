"""Points of contact: who to call, on which channel, in which language, and whether they are staffed now."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries.views import ContactPointView
from crisislink.app.auth import Caller
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import ContactRole
from crisislink.entrypoints.web.api import parse
from crisislink.entrypoints.web.api import schemas as s
from crisislink.entrypoints.web.exports import contacts_csv
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import Actor


def _filter(
    partner_id: uuid.UUID | None,
    country: str | None,
    role: str | None,
    language: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> directory.ContactFilter:
    return directory.ContactFilter(
        partner_id=partner_id,
        country=country,
        role=role,
        language=language,
        search=q,
        limit=limit,
        offset=offset,
    )


def create_command(data: s.ContactBody, actor: Actor) -> sc.CreateContactPoint:
    """The command a POST of a new point of contact stands for (also what bench/ measures)."""
    return sc.CreateContactPoint(
        actor=actor,
        partner_id=data.partner_id,
        role=parse.enum_value(ContactRole, data.role, "role"),
        name=data.name,
        channels=parse.channels(data.channels),
        languages=tuple(data.languages),
        hours=parse.hours(data.hours),
        marking=Tlp(data.marking),
        audience=parse.audience(data.audience),
        notes=data.notes,
    )


class ContactPointController(Controller):
    path = "/api/contact-points"
    tags = ["points of contact"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=True, summary="List the points of contact you may see")
    def list_contacts(
        self,
        state: State,
        caller: Caller,
        partner_id: uuid.UUID | None = None,
        country: Annotated[str | None, Parameter(max_length=2)] = None,
        role: Annotated[str | None, Parameter(max_length=40)] = None,
        language: Annotated[str | None, Parameter(max_length=8)] = None,
        q: Annotated[str | None, Parameter(max_length=100)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> list[ContactPointView]:
        platform = platform_of(state)
        flt = _filter(partner_id, country, role, language, q, limit, offset)
        return directory.list_contact_points(platform.engine, caller.viewer, flt, platform.clock.now())

    @get("/export.csv", sync_to_thread=True, summary="Export the points of contact you may see, as CSV")
    def export_csv(self, state: State, caller: Caller) -> Response[str]:
        platform = platform_of(state)
        rows = directory.all_contact_points(platform.engine, caller.viewer, platform.clock.now())
        return Response(
            contacts_csv(rows),
            media_type="text/csv",
            headers={"content-disposition": 'attachment; filename="contact-points.csv"'},
        )

    @get("/{contact_id:uuid}", sync_to_thread=False, summary="One point of contact")
    def get_contact(self, request: Request[Any, Any, Any], contact_id: uuid.UUID) -> ContactPointView:
        # The hot read: the same checks as the `caller` dependency, called directly (no dependency
        # injection, no per-request copy of the application state).
        caller = provide_caller(request)
        platform = platform_of(request.app.state)
        now = platform.clock.now()
        viewer = caller.viewer
        # The minute (since the epoch) is part of the key: `staffed_now` may change with it.
        key = ("contact_point", contact_id, viewer, int(now.timestamp()) // 60)
        return platform.read_cache.get(
            key, lambda: directory.get_contact_point(platform.engine, viewer, contact_id, now)
        )

    @post("/", sync_to_thread=True, summary="Create a point of contact for your partner")
    def create(self, state: State, caller: Caller, data: s.ContactBody) -> ContactPointView:
        platform = platform_of(state)
        contact_id = platform.bus.handle(create_command(data, caller.actor))
        return directory.get_contact_point(platform.engine, caller.viewer, contact_id, platform.clock.now())

    @patch(
        "/{contact_id:uuid}",
        sync_to_thread=True,
        summary="Change a point of contact (optimistic: send expected_version)",
    )
    def update(
        self, state: State, caller: Caller, contact_id: uuid.UUID, data: s.ContactPatch
    ) -> ContactPointView:
        platform = platform_of(state)
        command = sc.UpdateContactPoint(
            actor=caller.actor,
            contact_point_id=contact_id,
            expected_version=data.expected_version,
            name=data.name,
            channels=parse.channels(data.channels) if data.channels is not None else None,
            languages=tuple(data.languages) if data.languages is not None else None,
            hours=parse.hours(data.hours) if data.hours is not None else None,
            marking=Tlp(data.marking) if data.marking is not None else None,
            audience=parse.audience(data.audience) if data.audience is not None else None,
            notes=data.notes,
        )
        platform.bus.handle(command)
        return directory.get_contact_point(platform.engine, caller.viewer, contact_id, platform.clock.now())

    @delete("/{contact_id:uuid}", sync_to_thread=True, summary="Remove a point of contact")
    def remove(
        self,
        state: State,
        caller: Caller,
        contact_id: uuid.UUID,
        expected_version: Annotated[int, Parameter(ge=1)],
    ) -> None:
        platform_of(state).bus.handle(
            sc.RemoveContactPoint(
                actor=caller.actor, contact_point_id=contact_id, expected_version=expected_version
            )
        )
