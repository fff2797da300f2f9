"""The public's pages of warnings, with no sign-in: the warnings in force, one warning in every language it
carries, the Atom feeds (all languages, or one) and the signed CAP files they link.

Everything here reads `adapters/db/queries/public_warnings.py`, which serves only whole-message publications
of status Actual: a draft, an exercise or a test never reaches these pages, whoever asks.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import Parameter
from litestar.response import Template

from crisislink.adapters.channels.atom import CAP_MEDIA_TYPE, FEED_MEDIA_TYPE, FeedEntry, FeedText, atom_feed
from crisislink.adapters.db.queries import public_warnings as pw
from crisislink.app.bootstrap import Platform
from crisislink.entrypoints.web.i18n import translations
from crisislink.entrypoints.web.security import platform_of
from crisislink.entrypoints.web.ui.context import Page, page_for
from crisislink.entrypoints.web.ui.render import render
from crisislink.entrypoints.web.ui.warning_labels import TEXT_LANGUAGES, warning_labels
from crisislink.kernel.errors import NotFound
from crisislink.kernel.i18n import INTERFACE_LANGUAGES

FEED_SUFFIX: Final = ".atom"
CAP_SUFFIX: Final = ".xml"
# A published CAP message never changes (a change is a new message); feeds and lists do, so briefly.
CAP_CACHE: Final = "public, max-age=3600"
FEED_CACHE: Final = "public, max-age=60"
# Each language's name in that language: a resident looks for their own.
OWN_NAMES: Final = {
    "nl": "Nederlands",
    "fr": "Français",
    "de": "Deutsch",
    "en": "English",
    "lb": "Lëtzebuergesch",
}


def chosen_language(request: Request[Any, Any, Any], page: Page) -> str:
    wanted = (request.query_params.get("lang") or "").lower()
    return wanted if wanted in TEXT_LANGUAGES else page.language


def _labels(language: str) -> dict[str, Any]:
    return {"text_language": language, "own_names": OWN_NAMES, **warning_labels()}


class PublicWarningPages(Controller):
    include_in_schema = False

    @get("/public/warnings", sync_to_thread=True)
    def warnings_page(self, request: Request[Any, Any, Any], state: State) -> Template:
        platform = platform_of(state)
        page = page_for(request)
        messages = pw.active(platform.engine, platform.clock.now())
        return render(
            request,
            page,
            "public_warnings.html",
            messages=messages,
            **_labels(chosen_language(request, page)),
        )

    @get("/public/warnings.atom", sync_to_thread=True)
    def feed(self, state: State) -> Response[bytes]:
        return _feed(platform_of(state), None)

    @get("/public/warnings/{name:str}", sync_to_thread=True)
    def warning_or_feed(
        self, request: Request[Any, Any, Any], state: State, name: Annotated[str, Parameter(max_length=60)]
    ) -> Response[Any]:
        """One path for both, since Litestar's router cannot tell `{id}` from `{lang}.atom` by type."""
        platform = platform_of(state)
        if name.endswith(FEED_SUFFIX):
            language = name.removesuffix(FEED_SUFFIX)
            if language not in TEXT_LANGUAGES:
                raise NotFound(f"no feed in {language!r}; feeds exist in {', '.join(TEXT_LANGUAGES)}")
            return _feed(platform, language)
        return self._warning(request, platform, name)

    def _warning(self, request: Request[Any, Any, Any], platform: Platform, name: str) -> Template:
        page = page_for(request)
        language = chosen_language(request, page)
        try:
            message = pw.latest(platform.engine, uuid.UUID(name))
        except (ValueError, NotFound):
            return render(request, page, "public_warning.html", status=404, message=None, **_labels(language))
        texts = sorted(message.texts, key=lambda text: text.language != language)
        return render(
            request,
            page,
            "public_warning.html",
            message=message,
            texts=texts,
            in_force=message.in_force(platform.clock.now()),
            cap_url=f"/public/cap/{message.identifier}{CAP_SUFFIX}",
            **_labels(language),
        )

    @get("/public/cap/{name:str}", sync_to_thread=True)
    def cap(self, state: State, name: Annotated[str, Parameter(max_length=220)]) -> Response[bytes]:
        if not name.endswith(CAP_SUFFIX):
            raise NotFound("a public CAP message is at /public/cap/<identifier>.xml")
        found = pw.cap_xml(platform_of(state).engine, name.removesuffix(CAP_SUFFIX))
        return Response(found, media_type=CAP_MEDIA_TYPE, headers={"cache-control": CAP_CACHE})


def _feed(platform: Platform, language: str | None) -> Response[bytes]:
    base = platform.settings.public_url
    messages = pw.feed(platform.engine)
    path = f"/public/warnings/{language}{FEED_SUFFIX}" if language else f"/public/warnings{FEED_SUFFIX}"
    newest = max((m.sent for m in messages), default=None)
    document = atom_feed(
        [_entry(base, message) for message in messages],
        feed_id=f"{base}{path}",
        title=_feed_title(language),
        self_url=f"{base}{path}",
        updated=newest or platform.clock.now(),  # empty: nothing published, as of now
        language=language,
        author="crisislink",
        home_url=f"{base}/public/warnings" + (f"?lang={language}" if language else ""),
    )
    return Response(document, media_type=FEED_MEDIA_TYPE, headers={"cache-control": FEED_CACHE})


def _feed_title(language: str | None) -> str:
    interface = language if language in INTERFACE_LANGUAGES else "en"
    return "crisislink: " + translations(interface).gettext("Public warnings")


def _entry(base: str, message: pw.PublicMessage) -> FeedEntry:
    return FeedEntry(
        warning_id=message.warning_id,
        identifier=message.identifier,
        sender=message.sender,
        sent=message.sent,
        msg_type=message.msg_type,
        status=message.status,
        cap_url=f"{base}/public/cap/{message.identifier}{CAP_SUFFIX}",
        texts=tuple(
            FeedText(
                language=text.language,
                headline=text.headline,
                summary=f"{text.description}\n\n{text.instruction}",
                page_url=f"{base}/public/warnings/{message.warning_id}?lang={text.language}",
            )
            for text in message.texts
        ),
        area_description=message.area_description,
        expires=message.expires,
        severity=message.severity,
        urgency=message.urgency,
        certainty=message.certainty,
    )
