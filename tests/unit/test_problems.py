"""Problem details carry a title a person can read: the same for every problem of a kind (RFC 9457)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.exceptions import HTTPException

from crisislink.entrypoints.web import problems
from crisislink.kernel import errors

REQUEST: Any = None  # the handlers do not look at the request


def _body(response: Any) -> dict[str, Any]:
    content = response.content
    return dict(json.loads(content) if isinstance(content, bytes | str) else content)


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (errors.InvalidInput("the name is empty"), 400, "Invalid input"),
        (errors.AuthenticationFailed("sign in first"), 401, "Not signed in"),
        (errors.PermissionDenied("not your partner's"), 403, "Not allowed"),
        (errors.NotFound("no such incident"), 404, "Not found"),
        (errors.Conflict("changed meanwhile"), 409, "Conflict with the current state"),
        (errors.TooManyAttempts("wait", retry_after_seconds=900), 429, "Too many attempts"),
    ],
)
def test_each_kind_of_error_has_a_readable_title_and_keeps_its_message(
    error: errors.CrisislinkError, status: int, title: str
) -> None:
    body = _body(problems.domain_error(REQUEST, error))
    assert (body["status"], body["title"], body["detail"]) == (status, title, error.message)


def test_an_http_error_is_titled_by_its_status_and_says_what_to_do() -> None:
    body = _body(problems.http_error(REQUEST, HTTPException(status_code=400, detail="Malformed JSON.")))
    assert body["title"] == "Bad Request"
    assert body["detail"] == "Malformed JSON. Fix the request and send it again; nothing was changed."
