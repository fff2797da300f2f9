"""Signing in and out (session cookie + CSRF token) and personal API tokens."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie, State
from litestar.di import Provide

from crisislink.adapters.db.queries import tokens as token_queries
from crisislink.adapters.db.queries.views import TokenView
from crisislink.app.auth import Caller
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.handlers import IssuedToken
from crisislink.domains.sharing.model import Scope
from crisislink.entrypoints.web.api import schemas as s
from crisislink.entrypoints.web.security import (
    SESSION_COOKIE,
    auth_service,
    client_address,
    platform_of,
    provide_caller,
)


def _login_result(caller: Caller, csrf: str) -> s.LoginResult:
    i = caller.identity
    return s.LoginResult(
        user_id=i.user_id,
        username=i.username,
        partner_id=i.partner_id,
        roles=sorted(i.roles),
        csrf_token=csrf,
        expires_at=i.expires_at,
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["authentication"]

    @post("/login", sync_to_thread=True, summary="Sign in; sets an HttpOnly session cookie")
    def login(
        self, request: Request[Any, Any, Any], state: State, data: s.LoginBody
    ) -> Response[s.LoginResult]:
        platform = platform_of(state)
        session = auth_service(state).sign_in(data.username, data.password, client_address(request))
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            auth_service(state).sign_out(previous)
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=session.token,
            httponly=True,
            samesite="strict",
            path="/",
            secure=platform.settings.secure_cookies,
            max_age=platform.settings.session_hours * 3600,
        )
        return Response(_login_result(session.caller, session.csrf_token), cookies=[cookie])

    @post(
        "/logout",
        sync_to_thread=True,
        status_code=204,
        summary="Sign out",
        dependencies={"caller": Provide(provide_caller, sync_to_thread=False)},
    )
    def logout(self, request: Request[Any, Any, Any], state: State, caller: Caller) -> Response[None]:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            auth_service(state).sign_out(token)
        response: Response[None] = Response(None, status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get(
        "/me",
        sync_to_thread=False,
        summary="Who am I",
        dependencies={"caller": Provide(provide_caller, sync_to_thread=False)},
    )
    def me(self, caller: Caller) -> s.LoginResult:
        return _login_result(caller, caller.identity.csrf_token or "")


class TokenController(Controller):
    path = "/api/tokens"
    tags = ["authentication"]
    dependencies = {"caller": Provide(provide_caller, sync_to_thread=False)}

    @get("/", sync_to_thread=False, summary="Your API tokens (never their secrets)")
    def list_tokens(self, state: State, caller: Caller) -> list[TokenView]:
        return token_queries.tokens_of(platform_of(state).engine, caller.identity.user_id)

    @post("/", sync_to_thread=True, summary="Issue a personal API token; the secret is shown once")
    def issue(self, state: State, caller: Caller, data: s.TokenBody) -> s.TokenIssued:
        issued: IssuedToken = platform_of(state).bus.handle(
            sc.IssueApiToken(
                actor=caller.actor,
                name=data.name,
                scopes=frozenset(Scope(x) for x in data.scopes),
                expires_at=data.expires_at,
            )
        )
        return s.TokenIssued(id=issued.token_id, token=issued.secret, expires_at=issued.expires_at)

    @delete("/{token_id:uuid}", sync_to_thread=True, summary="Revoke a token")
    def revoke(self, state: State, caller: Caller, token_id: uuid.UUID) -> None:
        platform_of(state).bus.handle(sc.RevokeApiToken(actor=caller.actor, token_id=token_id))
        auth_service(state).forget()
