"""Every error leaves as an RFC 9457 problem detail that tells the caller what to do next."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from crisislink.kernel import errors

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://crisislink.example/problems/"

# Each kind of error: its status, and the title every problem of that kind carries (RFC 9457: the same
# for every occurrence; what happened this time is in `detail`).
_KINDS: dict[type[errors.CrisislinkError], tuple[int, str]] = {
    errors.InvalidInput: (400, "Invalid input"),
    errors.AuthenticationFailed: (401, "Not signed in"),
    errors.PermissionDenied: (403, "Not allowed"),
    errors.NotFound: (404, "Not found"),
    errors.Conflict: (409, "Conflict with the current state"),
    errors.TooManyAttempts: (429, "Too many attempts"),
}


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    body = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail, **extra}
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _kind_of(exc: errors.CrisislinkError) -> tuple[int, str]:
    return next((found for kind, found in _KINDS.items() if isinstance(exc, kind)), (400, "Request refused"))


def status_of(exc: errors.CrisislinkError) -> int:
    return _kind_of(exc)[0]


def domain_error(_request: Request[Any, Any, Any], exc: errors.CrisislinkError) -> Response[dict[str, Any]]:
    status, title = _kind_of(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.TooManyAttempts):
        extra["retry_after"] = exc.retry_after_seconds
    return problem(status, exc.code, title, exc.message, **extra)


def validation_error(_request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    issues = exc.extra if isinstance(exc.extra, list) else []
    return problem(
        400,
        "invalid-input",
        "Invalid input",
        f"{exc.detail}. Fix the listed fields and send the request again; nothing was changed.",
        errors=[_issue(item) for item in issues],
    )


def _issue(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return {key: str(value) for key, value in item.items()}
    return {"message": str(item)}


def http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    hints = {
        400: "Fix the request and send it again; nothing was changed.",
        401: "Sign in (POST /api/auth/login) or send 'Authorization: Bearer <token>'.",
        403: "Your role or partner does not allow this.",
        404: "Check the address; GET /api/docs lists every endpoint.",
        405: "This address does not accept that method; see /api/docs.",
        413: "The request body is too large; send less data per request.",
        415: "Send JSON with 'Content-Type: application/json'.",
    }
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    hint = hints.get(exc.status_code, "")
    title = _phrase(exc.status_code)
    return problem(exc.status_code, f"http-{exc.status_code}", title, f"{detail.rstrip('.')}. {hint}".strip())


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Request failed"


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "internal",
        "Internal error",
        "Something failed on the server; nothing was changed. Try again, and tell the node administrator if it persists.",
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    errors.CrisislinkError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
