"""The on-duty rota of the points of contact: shifts, who holds each desk now, hand-overs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from crisislink.adapters.db.queries import rota as q
from crisislink.adapters.db.queries.readiness_views import HandoverView, OnDutyView, PartnerDuty, ShiftView
from crisislink.app.auth import Caller
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness.rota import ShiftRole
from crisislink.entrypoints.web.api import readiness_schemas as s
from crisislink.entrypoints.web.security import platform_of, provide_caller
from crisislink.kernel.errors import InvalidInput

MAX_WINDOW = timedelta(days=92)


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"{what} needs a time zone offset, e.g. 2025-01-06T08:00:00+01:00")
    return moment


class RotaController(Controller):
    path = "/api/rota"
    tags = ["rota"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/board", sync_to_thread=True, summary="Who holds each 24/7 desk you may see, now, by partner")
    def board(self, state: State, caller: Caller) -> list[PartnerDuty]:
        platform = platform_of(state)
        return q.duty_board(platform.engine, caller.viewer, platform.clock.now())

    @get(
        "/partners/{partner_id:uuid}/on-duty", sync_to_thread=True, summary="Who holds a partner's desks now"
    )
    def partner_on_duty(self, state: State, caller: Caller, partner_id: uuid.UUID) -> list[OnDutyView]:
        platform = platform_of(state)
        return q.partner_on_duty(platform.engine, caller.viewer, partner_id, platform.clock.now())

    @get("/contact-points/{contact_id:uuid}/on-duty", sync_to_thread=True, summary="Who holds this desk now")
    def on_duty(self, state: State, caller: Caller, contact_id: uuid.UUID) -> OnDutyView:
        platform = platform_of(state)
        return q.on_duty(platform.engine, caller.viewer, contact_id, platform.clock.now())

    @get("/contact-points/{contact_id:uuid}/shifts", sync_to_thread=True, summary="The desk's rota")
    def shifts(
        self,
        state: State,
        caller: Caller,
        contact_id: uuid.UUID,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Annotated[int, Parameter(ge=1, le=q.MAX_PAGE)] = q.MAX_PAGE,
    ) -> list[ShiftView]:
        platform = platform_of(state)
        now = platform.clock.now()
        start = _aware(since, "since") if since else now - timedelta(days=1)
        end = _aware(until, "until") if until else now + timedelta(days=14)
        if not timedelta(0) < end - start <= MAX_WINDOW:
            raise InvalidInput(
                "ask for a window of the rota that ends after it starts and spans at most 92 days"
            )
        return q.shifts(platform.engine, caller.viewer, contact_id, start, end, limit)

    @post("/contact-points/{contact_id:uuid}/shifts", sync_to_thread=True, summary="Put someone on the rota")
    def schedule(self, state: State, caller: Caller, contact_id: uuid.UUID, data: s.ShiftBody) -> ShiftView:
        platform = platform_of(state)
        q.require_visible(platform.engine, caller.viewer, contact_id)
        shift_id = platform.bus.handle(
            c.ScheduleShift(
                actor=caller.actor,
                contact_point_id=contact_id,
                person=data.person.person(),
                role=ShiftRole(data.role),
                starts_at=_aware(data.starts_at, "starts_at"),
                ends_at=_aware(data.ends_at, "ends_at"),
            )
        )
        return q.get_shift(platform.engine, caller.viewer, shift_id)

    @get("/shifts/{shift_id:uuid}", sync_to_thread=True, summary="One shift")
    def get_shift(self, state: State, caller: Caller, shift_id: uuid.UUID) -> ShiftView:
        return q.get_shift(platform_of(state).engine, caller.viewer, shift_id)

    @patch("/shifts/{shift_id:uuid}", sync_to_thread=True, summary="Move or change a shift (not a past one)")
    def change(self, state: State, caller: Caller, shift_id: uuid.UUID, data: s.ShiftPatch) -> ShiftView:
        platform = platform_of(state)
        q.get_shift(platform.engine, caller.viewer, shift_id)  # 404 for a shift you may not see
        platform.bus.handle(
            c.ChangeShift(
                actor=caller.actor,
                shift_id=shift_id,
                expected_version=data.expected_version,
                starts_at=_aware(data.starts_at, "starts_at") if data.starts_at else None,
                ends_at=_aware(data.ends_at, "ends_at") if data.ends_at else None,
                person=data.person.person() if data.person else None,
                role=ShiftRole(data.role) if data.role else None,
            )
        )
        return q.get_shift(platform.engine, caller.viewer, shift_id)

    @delete("/shifts/{shift_id:uuid}", sync_to_thread=True, summary="Remove a shift that has not begun")
    def remove(
        self,
        state: State,
        caller: Caller,
        shift_id: uuid.UUID,
        # Optional in the signature so that an anonymous caller hears 401 before any 400.
        expected_version: Annotated[int | None, Parameter(ge=1)] = None,
    ) -> None:
        if expected_version is None:
            raise InvalidInput("give ?expected_version= (the version of the shift you read)")
        platform = platform_of(state)
        q.get_shift(platform.engine, caller.viewer, shift_id)  # 404 for a shift you may not see
        platform.bus.handle(
            c.RemoveShift(actor=caller.actor, shift_id=shift_id, expected_version=expected_version)
        )

    @post(
        "/shifts/{shift_id:uuid}/notes", sync_to_thread=True, summary="Add a note to a shift, even a past one"
    )
    def annotate(self, state: State, caller: Caller, shift_id: uuid.UUID, data: s.NoteBody) -> ShiftView:
        platform = platform_of(state)
        q.get_shift(platform.engine, caller.viewer, shift_id)  # 404 for a shift you may not see
        platform.bus.handle(c.AnnotateShift(actor=caller.actor, shift_id=shift_id, text=data.text))
        return q.get_shift(platform.engine, caller.viewer, shift_id)

    @post("/contact-points/{contact_id:uuid}/handover", sync_to_thread=True, summary="Hand the desk over now")
    def hand_over(
        self, state: State, caller: Caller, contact_id: uuid.UUID, data: s.HandoverBody
    ) -> HandoverView:
        platform = platform_of(state)
        q.require_visible(platform.engine, caller.viewer, contact_id)
        handover_id = platform.bus.handle(
            c.HandOverDesk(
                actor=caller.actor,
                contact_point_id=contact_id,
                note=data.note,
                to_shift_id=data.to_shift_id,
                to_person=data.to_person.person() if data.to_person else None,
                until=_aware(data.until, "until") if data.until else None,
            )
        )
        made = q.handovers(platform.engine, caller.viewer, contact_id)
        return next(h for h in made if h.id == handover_id)

    @get("/contact-points/{contact_id:uuid}/handovers", sync_to_thread=True, summary="The desk's hand-overs")
    def handovers(
        self,
        state: State,
        caller: Caller,
        contact_id: uuid.UUID,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 20,
    ) -> list[HandoverView]:
        return q.handovers(platform_of(state).engine, caller.viewer, contact_id, limit)
