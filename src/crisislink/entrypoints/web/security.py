"""Who is calling, and may they do this kind of request. Also the security headers on every response."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request
from litestar.datastructures import State

from crisislink.app.auth import AuthService, Caller
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing.policy import PUBLIC, Viewer
from crisislink.kernel.errors import AuthenticationFailed, PermissionDenied

SESSION_COOKIE = "crisislink_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def content_security_policy(tile_url: str | None = None) -> str:
    """Scripts only from this application; images also from the optional raster-tile server."""
    tiles = ""
    if tile_url:
        scheme, _, rest = tile_url.partition("://")
        tiles = f" {scheme}://{rest.split('/')[0]}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            # The API reference (Redoc) injects its styles at run time; scripts stay locked to 'self'.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{tiles}",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        )
    )


def security_headers(tile_url: str | None = None) -> dict[str, str]:
    return {
        "content-security-policy": content_security_policy(tile_url),
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
    }


def auth_service(state: State) -> AuthService:
    service = state["auth"]
    assert isinstance(service, AuthService)
    return service


def platform_of(state: State) -> Platform:
    platform = state["platform"]
    assert isinstance(platform, Platform)
    return platform


def _bearer(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def optional_caller(request: Request[Any, Any, Any]) -> Caller | None:
    service = auth_service(request.app.state)
    bearer = _bearer(request)
    if bearer is not None:
        caller = service.from_bearer(bearer)
        if caller is None:
            raise AuthenticationFailed("the API token is unknown, expired or revoked; issue a new one")
        return caller
    cookie = request.cookies.get(SESSION_COOKIE)
    return service.from_session(cookie) if cookie else None


def cached_caller(request: Request[Any, Any, Any]) -> tuple[bool, Caller | None]:
    """`optional_caller` from this process's identity cache alone: (False, None) when it would have to ask
    the database. Never blocks, so an event loop may call it."""
    service = auth_service(request.app.state)
    bearer = _bearer(request)
    if bearer is not None:
        return service.peek_bearer(bearer)
    cookie = request.cookies.get(SESSION_COOKIE)
    return service.peek_session(cookie) if cookie else (True, None)


def _check_request_kind(request: Request[Any, Any, Any], caller: Caller) -> None:
    if request.method in SAFE_METHODS:
        return
    if caller.via_token:
        if "write" not in caller.identity.scopes:
            raise PermissionDenied("this API token is read-only; issue one with the 'write' scope")
        return
    sent = request.headers.get(CSRF_HEADER, "")
    expected = caller.identity.csrf_token or ""
    if not sent or not hmac.compare_digest(sent, expected):
        raise PermissionDenied(f"missing or wrong {CSRF_HEADER} header (take it from the sign-in response)")


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    caller = optional_caller(request)
    if caller is None:
        raise AuthenticationFailed("sign in first (POST /api/auth/login) or send an API token")
    _check_request_kind(request, caller)
    return caller


def provide_viewer(request: Request[Any, Any, Any]) -> Viewer:
    caller = optional_caller(request)
    return PUBLIC if caller is None else caller.viewer


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
