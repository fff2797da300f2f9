"""What every page needs: who is looking, in which language and time zone, and the CSRF token."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request

from crisislink.app.auth import Caller
from crisislink.entrypoints.web.i18n import LANGUAGE_NAMES, local_time, negotiate, translations
from crisislink.entrypoints.web.security import optional_caller

LANGUAGE_COOKIE = "crisislink_lang"
CONTRAST_COOKIE = "crisislink_contrast"
PRELOGIN_COOKIE = "crisislink_prelogin"


def request_language(request: Request[Any, Any, Any], caller: Caller | None = None) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    preferred = caller.identity.locale if caller else None
    return negotiate(chosen, preferred, request.headers.get("accept-language"))


@dataclass(frozen=True)
class Page:
    """The per-request context of a rendered page."""

    caller: Caller | None
    language: str
    timezone: str
    csrf_token: str
    high_contrast: bool
    path: str

    @property
    def gettext(self) -> Callable[[str], str]:
        return translations(self.language).gettext

    def when(self, moment: datetime) -> str:
        return local_time(moment, self.timezone, self.language)

    def template_context(self, **extra: Any) -> dict[str, Any]:
        catalogue = translations(self.language)

        def gettext(message: str, **variables: Any) -> str:
            text = catalogue.gettext(message)
            return text % variables if variables else text

        def ngettext(singular: str, plural: str, count: int, **variables: Any) -> str:
            return catalogue.ngettext(singular, plural, count) % {"num": count, **variables}

        return {
            "page": self,
            "_": gettext,
            "gettext": gettext,
            "ngettext": ngettext,
            "languages": LANGUAGE_NAMES,
            "when": self.when,
            **extra,
        }


def page_for(request: Request[Any, Any, Any], *, prelogin_token: str | None = None) -> Page:
    caller = optional_caller(request)
    language = request_language(request, caller)
    timezone = caller.identity.timezone if caller else "Europe/Brussels"
    # The sign-in form always carries the pre-login token, even for someone signed in already
    # (a shift hand-over on a shared console signs the next person in over the previous one).
    session_csrf = caller.identity.csrf_token if caller else None
    csrf = prelogin_token or session_csrf or ""
    return Page(
        caller=caller,
        language=language,
        timezone=timezone,
        csrf_token=csrf,
        high_contrast=(request.query_params.get("contrast") or request.cookies.get(CONTRAST_COOKIE)) == "on",
        path=request.url.path,
    )


def new_prelogin_token() -> str:
    return secrets.token_urlsafe(24)
