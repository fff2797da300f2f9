"""Console pages of mutual assistance (reading): the requests a partner made or was sent, one request with
its offers, and the units a partner has or was shown. The forms that change anything, and the page of the
form that asks for help (its GET and POST share a path, so one controller holds both), are in
assistance_forms.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.response import Redirect, Template

from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui import assistance_context as ctx
from crisislink.entrypoints.web.ui.assistance_detail import detail_context
from crisislink.entrypoints.web.ui.render import render, signed_in

MAX_PRESELECTED = 100


class AssistancePages(Controller):
    include_in_schema = False

    @get("/assistance", sync_to_thread=True)
    def requests_page(
        self, request: Request[Any, Any, Any], state: State, ended: bool = False
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        context = ctx.list_context(platform_of(state), page, include_ended=ended)
        return render(request, page, "assistance.html", **context)

    @get("/assistance/{request_id:uuid}", sync_to_thread=True)
    def request_page(
        self, request: Request[Any, Any, Any], state: State, request_id: uuid.UUID
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        # A draft saved from the form comes here with the partners chosen, to preselect them in Send.
        send_to = tuple(request.query_params.getall("send_to", []))[:MAX_PRESELECTED]
        context = detail_context(platform_of(state), page, request_id, send_to)
        return render(request, page, "assistance_request.html", error=None, **context)

    @get("/units", sync_to_thread=True)
    def units_page(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        return render(request, page, "units.html", error=None, **ctx.units_context(platform_of(state), page))
