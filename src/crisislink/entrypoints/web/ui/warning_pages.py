"""Console pages of public warnings: the list, drafting (with the area's targeting), and one warning with its
approval round, parts, CAP message chain and deliveries.

Every form is read whole (`form_values.read_form`: the drafting form carries an uploaded file, the text
fields depend on the languages) and checked for the page's CSRF token; the command then runs in a worker
thread like every other write. A refusal re-renders the page with the reason and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import Parameter, QueryParameter
from litestar.response import Redirect, Template

from crisislink.adapters.db.queries import warnings as q
from crisislink.app.bootstrap import Platform
from crisislink.domains.warnings import commands as c
from crisislink.entrypoints.web.problems import status_of
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui import warning_context as ctx
from crisislink.entrypoints.web.ui import warning_forms as wf
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.form_values import FormInput, local_time, read_form
from crisislink.entrypoints.web.ui.render import check_form_token, render, signed_in
from crisislink.entrypoints.web.ui.warning_labels import warning_labels
from crisislink.kernel.errors import CrisislinkError, InvalidInput
from crisislink.kernel.messages import Command

Build = Callable[[Platform, Page, FormInput], Command]


def _actor(page: Page) -> Any:
    assert page.caller is not None
    return page.caller.actor


class WarningPages(Controller):
    include_in_schema = False

    # --- reading ---------------------------------------------------------------------------------------

    @get("/warnings", sync_to_thread=True)
    def warnings_page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        warning_state: Annotated[str, QueryParameter(name="state", max_length=20)] = "",
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        context = ctx.list_context(platform_of(state), page, warning_state)
        return render(request, page, "warnings.html", **context)

    @get("/warnings/new", sync_to_thread=True)
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
        return render(request, page, "warning_new.html", error=None, **ctx.new_context(platform, page, form))

    @get("/warnings/{warning_id:uuid}", sync_to_thread=True)
    def warning_page(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        context = ctx.detail_context(platform_of(state), page, warning_id)
        return render(request, page, "warning.html", error=None, **context)

    # --- drafting --------------------------------------------------------------------------------------

    @post("/warnings/new/targeting")
    async def compute_targeting(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        form = await read_form(request)
        result: Template | Redirect = await to_thread.run_sync(self._targeting, request, state, form)
        return result

    def _targeting(
        self, request: Request[Any, Any, Any], state: State, form: FormInput
    ) -> Template | Redirect:
        """With htmx, the targeting partial alone; without script, the whole form again with it. An error
        is answered 200 to htmx (which swaps only successful answers) with the reason in the partial."""
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        platform = platform_of(state)
        partial = request.headers.get("hx-request") == "true"
        targeting, error = None, None
        try:
            check_form_token(form.get("csrf_token"), page.csrf_token)
            area = wf.required_area(platform, form)
            targeting = ctx.targeting_view(platform.targeting.evaluate(area), wf.written_languages(form))
        except CrisislinkError as refused:
            error = refused
        if partial:
            return render(
                request,
                page,
                "_warning_targeting.html",
                targeting=targeting,
                targeting_error=_text(error),
                **warning_labels(),
            )
        context = ctx.new_context(platform, page, form, targeting)
        status = status_of(error) if error else 200
        return render(request, page, "warning_new.html", status=status, error=_text(error), **context)

    @post("/warnings/new")
    async def draft(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        form = await read_form(request)
        result: Template | Redirect = await to_thread.run_sync(self._draft, request, state, form)
        return result

    def _draft(self, request: Request[Any, Any, Any], state: State, form: FormInput) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        platform = platform_of(state)
        try:
            check_form_token(form.get("csrf_token"), page.csrf_token)
            warning_id = platform.bus.handle(wf.draft(platform, _actor(page), page.timezone, form))
        except CrisislinkError as error:
            context = ctx.new_context(platform, page, form)
            return render(
                request, page, "warning_new.html", status=status_of(error), error=error.message, **context
            )
        return Redirect(f"/warnings/{warning_id}", status_code=303)

    # --- one warning's forms ---------------------------------------------------------------------------

    async def _form(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID, build: Build, anchor: str
    ) -> Template | Redirect:
        form = await read_form(request)
        result: Template | Redirect = await to_thread.run_sync(
            self._run, request, state, warning_id, form, build, anchor
        )
        return result

    def _run(
        self,
        request: Request[Any, Any, Any],
        state: State,
        warning_id: uuid.UUID,
        form: FormInput,
        build: Build,
        anchor: str,
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        platform = platform_of(state)
        try:
            check_form_token(form.get("csrf_token"), page.csrf_token)
            platform.bus.handle(build(platform, page, form))
        except CrisislinkError as error:
            # The revise form comes back as the operator typed it; other forms are short.
            kept = form if anchor == "revise" else None
            context = ctx.detail_context(platform, page, warning_id, kept)
            return render(
                request, page, "warning.html", status=status_of(error), error=error.message, **context
            )
        return Redirect(f"/warnings/{warning_id}#{anchor}", status_code=303)

    @post("/warnings/{warning_id:uuid}/revise")
    async def revise(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(platform: Platform, page: Page, form: FormInput) -> Command:
            return wf.revise(platform, _actor(page), page.timezone, warning_id, form)

        return await self._form(request, state, warning_id, build, "revise")

    @post("/warnings/{warning_id:uuid}/template")
    async def template(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(platform: Platform, page: Page, form: FormInput) -> Command:
            assert page.caller is not None
            view = q.get_warning(platform.engine, page.caller.viewer, warning_id)
            placeholders = ctx.template_placeholders(view.hazard["code"])
            if placeholders is None:
                raise InvalidInput(
                    f"there is no template for {view.hazard['code']!r}; write the texts yourself"
                )
            return wf.template(_actor(page), warning_id, form, placeholders)

        return await self._form(request, state, warning_id, build, "texts")

    @post("/warnings/{warning_id:uuid}/submit")
    async def submit(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, _form: FormInput) -> Command:
            return c.SubmitForApproval(actor=_actor(page), warning_id=warning_id)

        return await self._form(request, state, warning_id, build, "approvals")

    @post("/warnings/{warning_id:uuid}/comments")
    async def comment(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            return c.CommentOnWarning(actor=_actor(page), warning_id=warning_id, text=form.get("text"))

        return await self._form(request, state, warning_id, build, "comments")

    @post("/warnings/{warning_id:uuid}/approve")
    async def approve(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            country, revision, comment = wf.decision_fields(form)
            return c.ApproveWarning(
                actor=_actor(page), warning_id=warning_id, country=country, revision=revision, comment=comment
            )

        return await self._form(request, state, warning_id, build, "approvals")

    @post("/warnings/{warning_id:uuid}/request-changes")
    async def request_changes(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            country, revision, comment = wf.decision_fields(form)
            return c.RequestChanges(
                actor=_actor(page), warning_id=warning_id, country=country, revision=revision, comment=comment
            )

        return await self._form(request, state, warning_id, build, "approvals")

    @post("/warnings/{warning_id:uuid}/schedule")
    async def schedule(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            at = local_time(form.get("at"), page.timezone, "issue time")
            return c.ScheduleParts(actor=_actor(page), warning_id=warning_id, times=((wf.country(form), at),))

        return await self._form(request, state, warning_id, build, "parts")

    @post("/warnings/{warning_id:uuid}/issue")
    async def issue(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            # No country named: every part not scheduled for later (the domain's rule).
            countries = (wf.country(form),) if form.get("country") else ()
            return c.IssueWarning(actor=_actor(page), warning_id=warning_id, countries=countries)

        return await self._form(request, state, warning_id, build, "parts")

    @post("/warnings/{warning_id:uuid}/update")
    async def update(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            return c.IssueUpdate(actor=_actor(page), warning_id=warning_id, note=form.get("note").strip())

        return await self._form(request, state, warning_id, build, "messages")

    @post("/warnings/{warning_id:uuid}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], state: State, warning_id: uuid.UUID
    ) -> Template | Redirect:
        def build(_platform: Platform, page: Page, form: FormInput) -> Command:
            reason = form.get("reason").strip()
            if not reason:
                raise InvalidInput("reason: say why the warning is cancelled (it goes out as the CAP note)")
            return c.CancelWarning(actor=_actor(page), warning_id=warning_id, reason=reason)

        return await self._form(request, state, warning_id, build, "messages")


def _text(error: CrisislinkError | None) -> str | None:
    return error.message if error else None
