"""Rendering pages: Jinja2 with autoescaping and gettext, preference cookies, safe redirects."""

from __future__ import annotations

import hmac
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from crisislink.entrypoints.web.ui.context import CONTRAST_COOKIE, LANGUAGE_COOKIE, Page, page_for
from crisislink.kernel.errors import PermissionDenied
from crisislink.kernel.i18n import INTERFACE_LANGUAGES

YEAR = 365 * 24 * 3600


def template_dir() -> Path:
    return Path(str(resources.files("crisislink.entrypoints.web").joinpath("templates")))


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(template_dir()),
        autoescape=select_autoescape(("html", "xml"), default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    return env


def preference_cookies(request: Request[Any, Any, Any], secure: bool) -> list[Cookie]:
    cookies = []
    language = request.query_params.get("lang")
    if language in INTERFACE_LANGUAGES:
        cookies.append(
            Cookie(key=LANGUAGE_COOKIE, value=language, max_age=YEAR, samesite="lax", secure=secure)
        )
    contrast = request.query_params.get("contrast")
    if contrast in {"on", "off"}:
        cookies.append(
            Cookie(key=CONTRAST_COOKIE, value=contrast, max_age=YEAR, samesite="lax", secure=secure)
        )
    return cookies


def render(
    request: Request[Any, Any, Any],
    page: Page,
    template: str,
    *,
    status: int = 200,
    secure: bool = False,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    return Template(
        template_name=template,
        context=page.template_context(**context),
        status_code=status,
        cookies=[*preference_cookies(request, secure), *(cookies or [])],
        headers={"content-language": page.language, "cache-control": "no-store"},
    )


def safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a fresh login to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def signed_in(request: Request[Any, Any, Any]) -> Page | Redirect:
    """The page context of a signed-in person, or the way to the sign-in form and back."""
    page = page_for(request)
    if page.caller is None:
        return Redirect(f"/login?next={safe_next(request.url.path)}")
    return page


def check_form_token(sent: str, expected: str | None) -> None:
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("this form has expired or came from elsewhere; reload the page and try again")
