"""Console forms of mutual assistance: ask (a draft, or sent at once), send, close, cancel; offer; the steps
of an offer (accept all or part, decline, withdraw, mobilise, deploy, demobilise); a unit's status.

Every form is read whole (the partners and units are repeated fields) and checked for the page's CSRF
token; the command then runs in a worker thread like every other write. A refusal re-renders the page the
form came from with the reason, and changes nothing: the command never reached the bus, or the bus rolled
it back. An offer addressed through a request it does not belong to, or that the viewer may not see, is
a 404, as on the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import Parameter
from litestar.response import Redirect, Template

from crisislink.adapters.db.queries import assistance as q
from crisislink.app.bootstrap import Platform
from crisislink.domains.assistance import commands as c
from crisislink.entrypoints.web.problems import status_of
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui import assistance_context as ctx
from crisislink.entrypoints.web.ui import assistance_input as inp
from crisislink.entrypoints.web.ui.assistance_detail import detail_context
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.form_values import FormInput, read_form
from crisislink.entrypoints.web.ui.render import check_form_token, render, signed_in
from crisislink.kernel.errors import CrisislinkError, NotFound
from crisislink.kernel.messages import Actor, Command

Build = Callable[[Platform, Page, FormInput], Command]
Done = Callable[[Any], str]  # where to go once the command is done, from what it returned
Refused = Callable[[Platform, Page, FormInput], tuple[str, dict[str, Any]]]  # the template and its context
StepBuild = Callable[[Actor, uuid.UUID, FormInput], Command]

# The steps of an offer, by the last part of their form's address.
OFFER_STEPS: dict[str, StepBuild] = {
    "accept": inp.accept_offer,
    "decline": lambda actor, offer, form: c.DeclineOffer(
        actor=actor, offer_id=offer, reason=inp.reason(form)
    ),
    "withdraw": lambda actor, offer, form: c.WithdrawOffer(
        actor=actor, offer_id=offer, reason=inp.reason(form)
    ),
    "mobilise": lambda actor, offer, _form: c.MobiliseOffer(actor=actor, offer_id=offer),
    "deploy": inp.deploy_offer,
    "demobilise": lambda actor, offer, form: c.DemobiliseOffer(
        actor=actor, offer_id=offer, reason=inp.reason(form)
    ),
}


def _actor(page: Page) -> Actor:
    assert page.caller is not None
    return page.caller.actor


def _on_request(request_id: uuid.UUID) -> Refused:
    def refused(platform: Platform, page: Page, _form: FormInput) -> tuple[str, dict[str, Any]]:
        return "assistance_request.html", detail_context(platform, page, request_id)

    return refused


def _on_new(platform: Platform, page: Page, form: FormInput) -> tuple[str, dict[str, Any]]:
    return "assistance_new.html", ctx.new_context(platform, page, form)  # as the operator typed it


def _on_units(platform: Platform, page: Page, _form: FormInput) -> tuple[str, dict[str, Any]]:
    return "units.html", ctx.units_context(platform, page)


def _check_offer(platform: Platform, page: Page, request_id: uuid.UUID, offer_id: uuid.UUID) -> None:
    assert page.caller is not None
    if q.get_offer(platform.engine, page.caller.viewer, offer_id).request_id != request_id:
        raise NotFound(f"no assistance offer with id {offer_id} that you may see")


class AssistanceForms(Controller):
    include_in_schema = False

    async def _form(
        self, request: Request[Any, Any, Any], state: State, build: Build, done: Done, refused: Refused
    ) -> Template | Redirect:
        form = await read_form(request)
        result: Template | Redirect = await to_thread.run_sync(
            self._run, request, state, form, build, done, refused
        )
        return result

    def _run(
        self,
        request: Request[Any, Any, Any],
        state: State,
        form: FormInput,
        build: Build,
        done: Done,
        refused: Refused,
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        platform = platform_of(state)
        try:
            check_form_token(form.get("csrf_token"), page.csrf_token)
            result = platform.bus.handle(build(platform, page, form))
        except CrisislinkError as error:
            template, context = refused(platform, page, form)
            return render(request, page, template, status=status_of(error), error=error.message, **context)
        return Redirect(done(result), status_code=303)

    @get("/assistance/new", sync_to_thread=True)
    def new_page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        incident_id: Annotated[str, Parameter(max_length=36)] = "",
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        platform = platform_of(state)
        form = ctx.new_defaults(platform, page, incident_id)
        return render(
            request, page, "assistance_new.html", error=None, **ctx.new_context(platform, page, form)
        )

    # --- requests --------------------------------------------------------------------------------------

    @post("/assistance/new")
    async def ask(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        form = await read_form(request)
        send = form.get("action") == "send"  # the button pressed: "Send now", or "Save as draft"

        def build(_platform: Platform, page: Page, _form: FormInput) -> Command:
            return inp.create_request(_actor(page), page.timezone, form, send=send)

        def done(request_id: Any) -> str:
            if send:
                return f"/assistance/{request_id}"
            # A draft: its page preselects the partners chosen here in its Send form.
            chosen = urlencode([("send_to", partner) for partner in form.all("partners")])
            return f"/assistance/{request_id}" + (f"?{chosen}" if chosen else "") + "#send"

        result: Template | Redirect = await to_thread.run_sync(
            self._run, request, state, form, build, done, _on_new
        )
        return result

    async def _request_form(
        self, request: Request[Any, Any, Any], state: State, request_id: uuid.UUID, build: Build, anchor: str
    ) -> Template | Redirect:
        """A form of a request's page: back to that page (at `anchor`), or that page again with the reason."""
        return await self._form(
            request, state, build, lambda _: f"/assistance/{request_id}#{anchor}", _on_request(request_id)
        )

    @post("/assistance/{request_id:uuid}/send")
    async def send(
        self, request: Request[Any, Any, Any], state: State, request_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            return inp.send_request(_actor(page), request_id, form)

        return await self._request_form(request, state, request_id, build, "offers")

    @post("/assistance/{request_id:uuid}/close")
    async def close(
        self, request: Request[Any, Any, Any], state: State, request_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            return c.CloseAssistanceRequest(
                actor=_actor(page), request_id=request_id, reason=inp.reason(form)
            )

        return await self._request_form(request, state, request_id, build, "top")

    @post("/assistance/{request_id:uuid}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], state: State, request_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            return c.CancelAssistanceRequest(
                actor=_actor(page), request_id=request_id, reason=inp.reason(form)
            )

        return await self._request_form(request, state, request_id, build, "top")

    # --- offers ----------------------------------------------------------------------------------------

    @post("/assistance/{request_id:uuid}/offers")
    async def offer(
        self, request: Request[Any, Any, Any], state: State, request_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            return inp.make_offer(_actor(page), page.timezone, request_id, form)

        result: Template | Redirect = await self._form(
            request,
            state,
            build,
            lambda offer_id: f"/assistance/{request_id}#offer-{offer_id}",
            _on_request(request_id),
        )
        return result

    @post("/assistance/{request_id:uuid}/offers/{offer_id:uuid}/{step:str}")
    async def offer_step(
        self,
        request: Request[Any, Any, Any],
        state: State,
        request_id: uuid.UUID,
        offer_id: uuid.UUID,
        step: str,
    ) -> Template | Redirect:
        make = OFFER_STEPS.get(step)
        if make is None:
            raise NotFound(f"no step {step!r} of an offer; the steps are {', '.join(OFFER_STEPS)}")

        def build(platform: Platform, page: Page, form: FormInput) -> Command:
            _check_offer(platform, page, request_id, offer_id)
            return make(_actor(page), offer_id, form)

        return await self._request_form(request, state, request_id, build, f"offer-{offer_id}")

    # --- units -----------------------------------------------------------------------------------------

    @post("/units/{unit_id:uuid}/status")
    async def unit_status(
        self, request: Request[Any, Any, Any], state: State, unit_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            return inp.set_unit_status(_actor(page), unit_id, form)

        result: Template | Redirect = await self._form(
            request, state, build, lambda _: f"/units#unit-{unit_id}", _on_units
        )
        return result
