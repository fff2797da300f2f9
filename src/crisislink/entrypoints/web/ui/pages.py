"""Console pages: sign-in, the common operational picture, the partner directory."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie, State
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from crisislink.adapters.db.queries import directory
from crisislink.domains.sharing import commands as sc
from crisislink.entrypoints.web.security import SESSION_COOKIE, auth_service, client_address, platform_of
from crisislink.entrypoints.web.ui import labels
from crisislink.entrypoints.web.ui.context import PRELOGIN_COOKIE, Page, new_prelogin_token, page_for
from crisislink.entrypoints.web.ui.render import check_form_token, render, safe_next, signed_in
from crisislink.kernel.errors import AuthenticationFailed, CrisislinkError, PermissionDenied, TooManyAttempts

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)


class LoginForm(msgspec.Struct):
    username: str = ""
    password: str = ""
    csrf_token: str = ""
    next: str = "/"


class TokenForm(msgspec.Struct):
    csrf_token: str = ""
    language: str = ""
    next: str = "/"


def _labels() -> dict[str, Any]:
    return {
        "kinds": labels.PARTNER_KINDS,
        "roles": labels.CONTACT_ROLES,
        "channels": labels.CHANNELS,
        "countries": labels.COUNTRIES,
        "markings": labels.MARKINGS,
        "language_names": labels.LANGUAGES,
    }


class ConsolePages(Controller):
    include_in_schema = False

    @get("/login", sync_to_thread=False)
    def login_form(self, request: Request[Any, Any, Any], state: State, next: str = "/") -> Template:  # noqa: A002
        token = request.cookies.get(PRELOGIN_COOKIE) or new_prelogin_token()
        page = page_for(request, prelogin_token=token)
        cookie = Cookie(
            key=PRELOGIN_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            path="/login",
            secure=platform_of(state).settings.secure_cookies,
        )
        return render(request, page, "login.html", cookies=[cookie], next=safe_next(next), error=None)

    @post("/login", sync_to_thread=True)
    def login(
        self,
        request: Request[Any, Any, Any],
        state: State,
        data: Annotated[LoginForm, FormBody],
    ) -> Template | Redirect:
        expected = request.cookies.get(PRELOGIN_COOKIE)
        page = page_for(request, prelogin_token=expected)
        settings = platform_of(state).settings
        try:
            check_form_token(data.csrf_token, expected)
            session = auth_service(state).sign_in(data.username, data.password, client_address(request))
        except (AuthenticationFailed, PermissionDenied, TooManyAttempts) as error:
            status = 429 if isinstance(error, TooManyAttempts) else 401
            message = _login_error(page, error)
            return render(
                request, page, "login.html", status=status, next=safe_next(data.next), error=message
            )
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            auth_service(state).sign_out(previous)  # a hand-over ends the previous person's session
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=session.token,
            httponly=True,
            samesite="strict",
            path="/",
            secure=settings.secure_cookies,
            max_age=settings.session_hours * 3600,
        )
        return Redirect(safe_next(data.next), cookies=[cookie], status_code=303)

    @post("/logout", sync_to_thread=True)
    def logout(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[TokenForm, FormBody]
    ) -> Redirect:
        page = page_for(request)
        check_form_token(data.csrf_token, page.csrf_token if page.caller else None)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            auth_service(state).sign_out(token)
        response = Redirect("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @post("/preferences", sync_to_thread=True)
    def preferences(
        self, request: Request[Any, Any, Any], state: State, data: Annotated[TokenForm, FormBody]
    ) -> Redirect:
        page = page_for(request)
        if page.caller is None:
            return Redirect("/login", status_code=303)
        check_form_token(data.csrf_token, page.csrf_token)
        platform_of(state).bus.handle(sc.SetPreferences(actor=page.caller.actor, locale=data.language))
        auth_service(state).forget()
        target = safe_next(data.next)
        return Redirect(target + ("&" if "?" in target else "?") + f"lang={data.language}", status_code=303)

    @get("/", sync_to_thread=False)
    def picture(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        settings = platform_of(state).settings
        return render(
            request,
            page,
            "cop.html",
            secure=settings.secure_cookies,
            tile_url=settings.tile_url,
            hazards=labels.HAZARDS,
        )

    @get("/directory", sync_to_thread=False)
    def directory_page(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        return render(request, page, "directory.html", **self._directory(request, state, page), **_labels())

    @get("/directory/results", sync_to_thread=False)
    def directory_results(self, request: Request[Any, Any, Any], state: State) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        return render(
            request, page, "directory_results.html", **self._directory(request, state, page), **_labels()
        )

    def _directory(self, request: Request[Any, Any, Any], state: State, page: Page) -> dict[str, Any]:
        platform = platform_of(state)
        q = request.query_params
        assert page.caller is not None
        flt = directory.ContactFilter(
            country=q.get("country") or None,
            role=q.get("role") or None,
            language=q.get("language") or None,
            search=(q.get("q") or "")[:100] or None,
            limit=directory.MAX_PAGE,
        )
        kind = q.get("kind") or None
        partners = directory.list_partners(platform.engine, country=flt.country, kind=kind)
        contacts = directory.list_contact_points(
            platform.engine, page.caller.viewer, flt, platform.clock.now()
        )
        by_partner: dict[uuid.UUID, list[Any]] = {}
        for contact in contacts:
            by_partner.setdefault(contact.owner_partner_id, []).append(contact)
        if flt.role or flt.language or flt.search:
            partners = [
                p
                for p in partners
                if p.id in by_partner or (flt.search and flt.search.lower() in p.name.lower())
            ]
        filters = {
            "country": flt.country or "",
            "kind": kind or "",
            "role": flt.role or "",
            "language": flt.language or "",
            "q": flt.search or "",
        }
        return {"partners": partners, "contacts": by_partner, "filters": filters, "now": platform.clock.now()}

    @get("/partners/{partner_id:uuid}", sync_to_thread=False)
    def partner_page(
        self,
        request: Request[Any, Any, Any],
        state: State,
        partner_id: uuid.UUID,
        tab: Annotated[str, Parameter(max_length=20)] = "contacts",
    ) -> Template | Redirect:
        page = signed_in(request)
        if isinstance(page, Redirect):
            return page
        assert page.caller is not None
        platform = platform_of(state)
        partner = directory.get_partner(platform.engine, partner_id)
        flt = directory.ContactFilter(partner_id=partner_id, limit=directory.MAX_PAGE)
        contacts = directory.list_contact_points(
            platform.engine, page.caller.viewer, flt, platform.clock.now()
        )
        return render(
            request,
            page,
            "partner.html",
            partner=partner,
            contact_list=contacts,
            tab=tab,
            now=platform.clock.now(),
            **_labels(),
        )


def _login_error(page: Page, error: CrisislinkError) -> str:
    _ = page.gettext
    if isinstance(error, TooManyAttempts):
        return _(
            "Too many failed sign-ins. Wait 15 minutes or ask your partner administrator to reset your password."
        )
    if isinstance(error, PermissionDenied):
        return _("This form has expired. Please sign in again.")
    return _("Unknown user name or wrong password.")
