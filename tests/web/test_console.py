"""The operator console (server-rendered pages): sign-in, CSRF on forms, languages, escaping, headers, times.

Pages are fetched with `litestar.testing.TestClient` on the usual test world; HTML is inspected with the
standard library's `html.parser`, never with regular expressions over markup where structure matters.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from crisislink.adapters.db import tables as t
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import (
    ALWAYS,
    Channel,
    ChannelKind,
    ContactRole,
    StaffedHours,
    Window,
)
from crisislink.entrypoints.web.app import create_app
from crisislink.entrypoints.web.security import SESSION_COOKIE
from crisislink.entrypoints.web.ui.context import LANGUAGE_COOKIE, PRELOGIN_COOKIE
from crisislink.entrypoints.web.ui.render import template_dir
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import PASSWORD, World
from tests.web.conftest import Client, assert_problem, csp_directives, sign_in, snapshot

WRONG = "not the right password"
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
HTMX = {"hx-request": "true"}


# --- reading pages --------------------------------------------------------------------------------------


class Doc(HTMLParser):
    """What the tests need from a page: forms' fields, <html lang>, badges, scripts, event attributes."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.fields: dict[str, str] = {}
        self.meta: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts: list[str] = []
        self.badges: list[tuple[str, str]] = []  # (class, text a screen reader reads)
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, aria-hidden, starts a badge)
        self._badge: list[str] | None = None
        self._badge_class = ""
        self._script: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        if tag == "html":
            self.html_lang = values.get("lang")
        elif tag == "input" and "name" in values:
            self.fields.setdefault(values["name"], values.get("value", ""))
        elif tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        elif tag == "script":
            self._script = [] if "src" not in values else None
        if tag in self.VOID:
            return
        classes = values.get("class", "").split()
        starts_badge = "badge" in classes and self._badge is None
        if starts_badge:
            self._badge, self._badge_class = [], values.get("class", "")
        self._stack.append((tag, values.get("aria-hidden") == "true", starts_badge))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.inline_scripts.append("".join(self._script))
            self._script = None
        open_tags = [name for name, _, _ in self._stack]
        if tag in self.VOID or tag not in open_tags:
            return
        while self._stack:
            open_tag, _, started_badge = self._stack.pop()
            if started_badge and self._badge is not None:
                self.badges.append((self._badge_class, " ".join("".join(self._badge).split())))
                self._badge = None
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if self._badge is not None and not any(hidden for _, hidden, _ in self._stack):
            self._badge.append(data)

    def elements(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def page(client: Client, path: str, **kwargs: Any) -> tuple[httpx.Response, Doc]:
    response = client.get(path, follow_redirects=False, **kwargs)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return response, Doc(response.text)


def post(client: Client, path: str, **kwargs: Any) -> httpx.Response:
    """A form post as a browser sends it; the redirect is checked, not followed."""
    return client.post(path, follow_redirects=False, **kwargs)


def login_form(client: Client, path: str = "/login") -> dict[str, str]:
    _, doc = page(client, path)
    return doc.fields


def console_sign_in(client: Client, username: str, next_: str = "/") -> httpx.Response:
    """Sign in through the console's form, the way a browser does; returns the POST's response."""
    fields = login_form(client)
    response = post(
        client,
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": fields["csrf_token"], "next": next_},
    )
    assert response.status_code == 303, response.text[:500]
    return response


def session_cookies(response: httpx.Response) -> list[str]:
    return [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]


def csrf_of(client: Client) -> str:
    """The session's CSRF token, as the console hands it to the page (a meta tag and hidden fields)."""
    _, doc = page(client, "/directory")
    token = doc.meta["csrf-token"]
    assert token
    assert doc.fields["csrf_token"] == token
    return token


def user_locale(world: World, username: str) -> str | None:
    with world.platform.engine.connect() as conn:
        locale = conn.execute(sa.select(t.users.c.locale).where(t.users.c.username == username)).scalar_one()
    assert locale is None or isinstance(locale, str)
    return locale


def set_preferences(world: World, username: str, *, locale: str | None = None, tz: str | None = None) -> None:
    world.platform.bus.handle(sc.SetPreferences(actor=world.actor(username), locale=locale, timezone=tz))


def add_contact(world: World, owner: str, name: str, hours: StaffedHours = ALWAYS) -> uuid.UUID:
    contact_id: uuid.UUID = world.platform.bus.handle(
        sc.CreateContactPoint(
            actor=SYSTEM,
            partner_id=world.partners[owner],
            role=ContactRole.DUTY_DESK_24_7,
            name=name,
            channels=(Channel(ChannelKind.PHONE, "+32 2 000 00 00"),),
            languages=("en",),
            hours=hours,
            marking=Tlp.GREEN,
        )
    )
    return contact_id


# --- signing in: redirects and the `next` target --------------------------------------------------------


def test_console_pages_send_an_anonymous_visitor_to_the_sign_in_page(world: World, client: Client) -> None:
    partner = world.partners["BE-NCCN"]
    for path in ("/", "/directory", f"/partners/{partner}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in {302, 303, 307}, path
        assert response.headers["location"] == f"/login?next={path}"
        assert "partner" not in response.text.lower()  # nothing of the page itself


@pytest.mark.parametrize("target", ["/directory", "/partners/{id}"])
def test_after_signing_in_the_visitor_lands_on_the_page_they_asked_for(
    world: World, client: Client, target: str
) -> None:
    target = target.format(id=world.partners["NL-VR23"])
    first = client.get(target)  # followed: ends on the sign-in form
    assert first.url.path == "/login"
    fields = Doc(first.text).fields
    assert fields["next"] == target

    response = post(client, "/login", data={**fields, "username": "be.duty", "password": PASSWORD})

    assert response.status_code == 303
    assert response.headers["location"] == target
    assert client.get("/directory", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example",
        "//evil.example/a/b",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_next_is_honoured_only_for_a_local_path(world: World, client: Client, target: str) -> None:
    _, doc = page(client, "/login", params={"next": target})
    assert doc.fields["next"] == "/"  # the form never carries a foreign target

    fields = login_form(client)
    response = post(
        client,
        "/login",
        data={
            "username": "be.duty",
            "password": PASSWORD,
            "csrf_token": fields["csrf_token"],
            "next": target,
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/%09/evil.example", "/%2F/evil.example"])
def test_a_next_that_a_browser_would_read_as_another_site_is_not_followed_there(
    world: World, client: Client, target: str
) -> None:
    # Browsers drop tabs and newlines from URLs: "/\t/evil.example" would become "//evil.example".
    fields = login_form(client)
    response = post(
        client,
        "/login",
        data={
            "username": "be.duty",
            "password": PASSWORD,
            "csrf_token": fields["csrf_token"],
            "next": target,
        },
    )

    assert response.status_code == 303
    location = re.sub(r"[\t\r\n]", "", response.headers["location"])
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))


def test_a_local_next_with_a_query_is_kept_as_it_is(world: World, client: Client) -> None:
    target = f"/partners/{world.partners['NL-VR23']}?tab=contacts"
    response = console_sign_in(client, "be.duty", next_=target)
    assert response.headers["location"] == target


# --- signing in: the form and its CSRF token -----------------------------------------------------------


def test_the_sign_in_form_carries_a_token_matching_its_own_strict_httponly_cookie(client: Client) -> None:
    response, doc = page(client, "/login")

    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(PRELOGIN_COOKIE))
    parts = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in parts
    assert "samesite=strict" in parts
    assert doc.fields["csrf_token"] == client.cookies[PRELOGIN_COOKIE]
    assert len(doc.fields["csrf_token"]) >= 20
    assert doc.fields["next"] == "/"


@pytest.mark.parametrize("sent", ["missing", "empty", "wrong", "no-cookie"])
def test_a_sign_in_without_the_forms_token_is_refused_and_opens_no_session(
    world: World, client: Client, sent: str
) -> None:
    fields = login_form(client)
    data = {"username": "be.duty", "password": PASSWORD, "next": "/directory"}
    if sent == "empty":
        data["csrf_token"] = ""
    elif sent == "wrong":
        data["csrf_token"] = fields["csrf_token"][::-1]
    elif sent == "no-cookie":  # a cross-site form post: the token may be known, the cookie is not sent
        data["csrf_token"] = fields["csrf_token"]
        client.cookies.delete(PRELOGIN_COOKIE)

    response = post(client, "/login", data=data)

    assert response.status_code in {401, 403}
    assert not session_cookies(response)
    assert SESSION_COOKIE not in client.cookies
    assert "This form has expired" in html.unescape(response.text)
    assert client.get("/directory", follow_redirects=False).status_code in {302, 303}


def test_a_correct_sign_in_redirects_with_an_httponly_strict_session_cookie(
    world: World, client: Client
) -> None:
    response = console_sign_in(client, "be.duty", next_="/directory")

    assert response.headers["location"] == "/directory"
    (cookie,) = session_cookies(response)
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["path"] == "Path=/"
    assert client.cookies[SESSION_COOKIE] not in response.text
    assert client.get("/api/auth/me").json()["username"] == "be.duty"


def test_a_wrong_password_shows_a_translated_error_with_status_401(world: World, client: Client) -> None:
    client.get("/login", params={"lang": "fr"})  # sets the language cookie
    assert client.cookies[LANGUAGE_COOKIE] == "fr"
    fields = login_form(client)

    response = post(
        client,
        "/login",
        data={"username": "be.duty", "password": WRONG, "csrf_token": fields["csrf_token"], "next": "/"},
    )

    assert response.status_code == 401
    assert not session_cookies(response)
    doc = Doc(response.text)
    assert doc.html_lang == "fr"
    assert response.headers["content-language"] == "fr"
    alerts = [attrs for tag, attrs in doc.tags if attrs.get("role") == "alert"]
    assert alerts, "the error must be announced (role=alert)"
    text = html.unescape(response.text)
    assert "Nom d'utilisateur inconnu ou mot de passe erroné." in text
    assert "Unknown user name or wrong password" not in text
    # The form can be sent again at once: the token still matches the cookie.
    retry = post(
        client,
        "/login",
        data={
            "username": "be.duty",
            "password": PASSWORD,
            "csrf_token": doc.fields["csrf_token"],
            "next": "/",
        },
    )
    assert retry.status_code == 303


def test_the_sign_in_form_works_for_someone_already_signed_in(world: World, client: Client) -> None:
    console_sign_in(client, "be.duty")
    fields = login_form(client)

    response = post(
        client,
        "/login",
        data={"username": "nl.duty", "password": PASSWORD, "csrf_token": fields["csrf_token"], "next": "/"},
    )

    assert response.status_code == 303
    assert client.get("/api/auth/me").json()["username"] == "nl.duty"


# --- signing out and preferences: CSRF-protected forms -------------------------------------------------


def test_signing_out_without_the_token_is_a_403_problem_and_the_session_stays(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")
    token = csrf_of(client)
    for data in ({}, {"csrf_token": ""}, {"csrf_token": token[::-1]}):
        response = post(client, "/logout", data=data)
        assert_problem(response, 403, "form")
        assert not session_cookies(response)
    assert client.get("/directory", follow_redirects=False).status_code == 200
    assert client.get("/api/auth/me").status_code == 200


def test_signing_out_with_the_token_ends_the_session(world: World, client: Client) -> None:
    console_sign_in(client, "be.duty")
    old_session = client.cookies[SESSION_COOKIE]

    response = post(client, "/logout", data={"csrf_token": csrf_of(client)})

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    (cleared,) = session_cookies(response)
    assert "max-age=0" in cleared.lower()
    assert client.get("/directory", follow_redirects=False).status_code in {302, 303}
    # The old cookie value itself is dead, not just forgotten by this browser.
    client.cookies.set(SESSION_COOKIE, old_session)
    assert client.get("/directory", follow_redirects=False).status_code in {302, 303}


def test_changing_preferences_without_the_token_is_a_403_problem_and_changes_nothing(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")
    token = csrf_of(client)
    before = snapshot(world.platform)
    for data in (
        {"language": "de", "next": "/directory"},
        {"csrf_token": "", "language": "de"},
        {"csrf_token": token[::-1], "language": "de"},
    ):
        response = post(client, "/preferences", data=data)
        assert_problem(response, 403, "form")
    assert user_locale(world, "be.duty") is None  # never chose one: the browser decides
    assert snapshot(world.platform) == before


def test_preferences_store_the_language_for_later_sign_ins_on_any_browser(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")

    response = post(
        client, "/preferences", data={"csrf_token": csrf_of(client), "language": "de", "next": "/directory"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/directory?lang=de"
    assert user_locale(world, "be.duty") == "de"
    with TestClient(create_app(world.platform)) as fresh:
        assert LANGUAGE_COOKIE not in fresh.cookies
        console_sign_in(fresh, "be.duty")
        response, doc = page(fresh, "/directory", headers={"accept-language": "en"})
        assert LANGUAGE_COOKIE not in fresh.cookies
    assert doc.html_lang == "de"
    assert response.headers["content-language"] == "de"
    assert "Verzeichnis" in response.text


def test_a_preference_for_a_language_the_console_does_not_speak_is_refused(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")
    response = post(
        client, "/preferences", data={"csrf_token": csrf_of(client), "language": "xx", "next": "/"}
    )
    assert_problem(response, 400, "xx")
    assert user_locale(world, "be.duty") is None  # never chose one: the browser decides


# --- language negotiation ------------------------------------------------------------------------------

WORD_FOR_DIRECTORY = {"en": "Directory", "nl": "Adresboek", "fr": "Annuaire", "de": "Verzeichnis"}
WORD_FOR_SIGN_IN = {"en": "Sign in", "nl": "Aanmelden", "fr": "Se connecter", "de": "Anmelden"}
BROWSERS = [
    ("de-DE,de;q=0.9", "de"),
    ("fr-BE, nl;q=0.8, en;q=0.5", "fr"),
    ("ja, nl-BE;q=0.7", "nl"),
    ("en-GB;q=0.4, de;q=0.9", "de"),
    ("xx-YY, ja", "en"),
    ("", "en"),
]


def assert_language(response: httpx.Response, language: str) -> None:
    doc = Doc(response.text)
    assert doc.html_lang == language
    assert response.headers["content-language"] == language
    if response.url.path == "/login":
        assert f"<title>{WORD_FOR_SIGN_IN[language]} · crisislink</title>" in response.text
    else:
        assert f">{WORD_FOR_DIRECTORY[language]}</a>" in response.text


@pytest.mark.parametrize(("accept", "expected"), BROWSERS)
def test_the_browsers_accept_language_chooses_the_page_language(
    client: Client, accept: str, expected: str
) -> None:
    response, _ = page(client, "/login", headers={"accept-language": accept})
    assert_language(response, expected)


@pytest.mark.parametrize(("accept", "expected"), BROWSERS[:4])
def test_a_signed_in_user_who_never_chose_a_language_gets_the_browsers(
    world: World, client: Client, accept: str, expected: str
) -> None:
    console_sign_in(client, "be.duty")
    response, _ = page(client, "/directory", headers={"accept-language": accept})
    assert_language(response, expected)


def test_the_users_stored_preference_beats_accept_language(world: World, client: Client) -> None:
    set_preferences(world, "be.duty", locale="fr")
    console_sign_in(client, "be.duty")
    response, _ = page(client, "/directory", headers={"accept-language": "de-DE,de;q=0.9"})
    assert_language(response, "fr")


def test_an_explicit_choice_beats_both_and_is_remembered_in_a_cookie(world: World, client: Client) -> None:
    set_preferences(world, "be.duty", locale="fr")
    console_sign_in(client, "be.duty")
    german = {"accept-language": "de-DE,de;q=0.9"}

    chosen, _ = page(client, "/directory", params={"lang": "nl"}, headers=german)
    assert_language(chosen, "nl")
    assert client.cookies[LANGUAGE_COOKIE] == "nl"

    later, _ = page(client, "/directory", headers=german)  # no ?lang= any more: the cookie speaks
    assert_language(later, "nl")


@pytest.mark.parametrize("unknown", ["xx", "lb", "EN", "../de", "<b>"])
def test_an_unknown_language_choice_falls_back_to_english(world: World, client: Client, unknown: str) -> None:
    console_sign_in(client, "be.duty")
    response, _ = page(client, "/directory", params={"lang": unknown}, headers={"accept-language": "ja"})
    assert_language(response, "en")
    assert LANGUAGE_COOKIE not in client.cookies
    client.cookies.set(LANGUAGE_COOKIE, unknown)
    response, _ = page(client, "/directory", headers={"accept-language": "ja"})
    assert_language(response, "en")


def test_the_sign_in_page_is_negotiated_too(client: Client) -> None:
    response, doc = page(client, "/login", headers={"accept-language": "de-DE,de;q=0.9"})
    assert doc.html_lang == "de"
    assert response.headers["content-language"] == "de"
    assert "Anmelden" in response.text


# --- cross-site scripting: user-written text is escaped wherever it is shown ---------------------------

MARKUP = (SCRIPT, BREAKOUT)
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;")
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def assert_no_live_markup(response: httpx.Response) -> None:
    """No payload arrives as markup: never raw, always escaped, and the parsed page has no foreign element."""
    body = response.text
    for raw in MARKUP:
        assert raw not in body
    assert "<img src=x" not in body
    doc = Doc(body)
    assert doc.inline_scripts == []
    assert not doc.elements("img")
    for tag, attrs in doc.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)


def assert_shown_escaped(response: httpx.Response, *labels: str) -> None:
    """Each labelled payload reached the page (so the check above was not vacuous), escaped."""
    for label in labels:
        for escaped in ESCAPED:
            assert f"{label} {escaped}" in response.text, (label, escaped)


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*strings_in(key), *strings_in(item))]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def assert_json_keeps_markup_in_strings(response: httpx.Response, *expected: str) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(("application/json", "application/geo+json"))
    assert response.headers["x-content-type-options"] == "nosniff"
    outside_strings = JSON_STRING.sub('""', response.text)
    assert "<" not in outside_strings
    assert ">" not in outside_strings
    strings = strings_in(json.loads(response.text))
    for text in expected:
        assert text in strings, text


def hostile(label: str) -> str:
    return f"{label} {SCRIPT} {label} {BREAKOUT}"


@pytest.fixture
def hostile_world(world: World, client: Client) -> dict[str, str]:
    """Markup in every user-writable text the console shows, written through the API."""
    texts = {
        "partner": hostile("PARTNER"),
        "contact": hostile("CONTACT"),
        "value": hostile("VALUE"),
        "note": hostile("NOTE"),
        "notes": hostile("NOTES"),
        "display": hostile("DISPLAY"),
        "email": f"{BREAKOUT}@x.example",
    }
    csrf = sign_in(client, "admin")
    partner = world.partners["BE-NCCN"]
    version = client.get(f"/api/partners/{partner}").json()["version"]
    liege = ReferenceData().get("regions", "BE33").geometry
    response = client.patch(
        f"/api/partners/{partner}",
        json={"expected_version": version, "name": texts["partner"], "jurisdiction": liege},
        headers=csrf,
    )
    assert response.status_code == 200, response.text
    user = world.users["be.duty"]
    version = client.get(f"/api/users/{user}").json()["version"]
    response = client.patch(
        f"/api/users/{user}",
        json={"expected_version": version, "display_name": texts["display"]},
        headers=csrf,
    )
    assert response.status_code == 200, response.text

    csrf = sign_in(client, "be.duty")
    response = client.post(
        "/api/contact-points",
        json={
            "partner_id": str(partner),
            "role": "liaison_officer",
            "name": texts["contact"],
            "channels": [
                {"kind": "phone", "value": texts["value"], "note": texts["note"]},
                {"kind": "radio", "value": texts["value"]},
                {"kind": "email", "value": texts["email"]},
            ],
            "languages": ["fr"],
            "hours": {"always": True},
            "marking": "GREEN",
            "notes": texts["notes"],
        },
        headers=csrf,
    )
    assert response.status_code == 201, response.text
    client.cookies.clear()
    return texts


def test_markup_in_partner_and_contact_text_is_escaped_on_every_console_page(
    world: World, client: Client, hostile_world: dict[str, str]
) -> None:
    console_sign_in(client, "be.duty")
    everything = ("PARTNER", "CONTACT", "VALUE", "NOTE", "NOTES")
    shown_on = {
        "/directory": everything,
        "/directory/results": everything,
        "/directory/results?q=CONTACT&country=BE": everything,
        "/": (),
    }
    for language in ("en", "fr"):
        for path, labels in shown_on.items():
            headers = HTMX if path.startswith("/directory/results") else {}
            response, _ = page(client, path, params={"lang": language}, headers=headers)
            assert_console_escapes(response, labels)


def assert_console_escapes(response: httpx.Response, labels: tuple[str, ...]) -> None:
    assert_no_live_markup(response)
    assert_shown_escaped(response, *labels)
    # The display name is not shown by the console (it shows the user name); were it shown, escaped.
    assert "DISPLAY" not in response.text or "DISPLAY &lt;script&gt;" in response.text
    if labels:
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;@x.example" in response.text


def test_markup_in_partner_and_contact_text_is_escaped_on_the_partner_page(
    world: World, client: Client, hostile_world: dict[str, str]
) -> None:
    console_sign_in(client, "be.duty")
    for language in ("en", "fr"):
        response, _ = page(client, f"/partners/{world.partners['BE-NCCN']}", params={"lang": language})
        assert_console_escapes(response, ("PARTNER", "CONTACT", "VALUE", "NOTE", "NOTES"))
        title = response.text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "PARTNER &lt;script&gt;" in title


def test_markup_in_a_search_or_next_parameter_is_escaped_too(world: World, client: Client) -> None:
    _, doc = page(client, "/login", params={"next": f"/directory{BREAKOUT}{SCRIPT}"})
    assert doc.fields["next"] == f"/directory{BREAKOUT}{SCRIPT}"  # kept as text in the attribute
    assert_no_live_markup(client.get("/login", params={"next": f"/directory{BREAKOUT}{SCRIPT}"}))
    console_sign_in(client, "be.duty")
    for path in ("/directory", "/directory/results"):
        response, doc = page(client, path, params={"q": f"{BREAKOUT}{SCRIPT}"})
        assert_no_live_markup(response)
        if path == "/directory":
            assert doc.fields["q"] == f"{BREAKOUT}{SCRIPT}"


def test_markup_in_map_features_stays_inside_json_strings(
    world: World, client: Client, hostile_world: dict[str, str]
) -> None:
    sign_in(client, "be.duty")
    contacts = client.get("/api/map/layers/contact_points")
    assert_json_keeps_markup_in_strings(
        contacts, hostile_world["partner"], hostile_world["contact"], hostile_world["value"]
    )
    assert hostile_world["note"] in strings_in(contacts.json())
    jurisdictions = client.get("/api/map/layers/jurisdictions")
    assert_json_keeps_markup_in_strings(jurisdictions, hostile_world["partner"])
    # The same text through the JSON API: inside strings only, and served as JSON, not HTML.
    listed = client.get("/api/contact-points")
    assert_json_keeps_markup_in_strings(listed, hostile_world["contact"], hostile_world["notes"])


# --- headers and templates: no script the CSP would have to allow --------------------------------------


def console_responses(world: World, client: Client) -> list[httpx.Response]:
    responses = [client.get("/login"), client.get("/login", params={"lang": "de"})]
    fields = login_form(client)
    responses.append(
        post(client, "/login", data={**fields, "username": "be.duty", "password": WRONG})
    )  # 401, HTML
    console_sign_in(client, "be.duty")
    responses.extend(client.get(path) for path in ("/", "/directory", "/directory?q=desk&country=NL"))
    responses.append(client.get("/directory/results", headers=HTMX, params={"country": "BE"}))
    return responses


def test_every_console_page_carries_a_strict_content_security_policy(world: World, client: Client) -> None:
    responses = console_responses(world, client)
    assert {r.status_code for r in responses} == {200, 401}
    for response in responses:
        assert_strict_csp(response)


def test_the_partner_page_renders_with_the_same_strict_policy(world: World, client: Client) -> None:
    world.contact("NL-VR23", Tlp.GREEN, name="VR23 duty desk")
    console_sign_in(client, "be.duty")
    partner = world.partners["NL-VR23"]
    for path in (f"/partners/{partner}", f"/partners/{partner}?tab=contacts"):
        response, doc = page(client, path)
        assert_strict_csp(response)
        assert "VR23 duty desk" in response.text
        assert [h for h in doc.elements("a") if h.get("href") == "/directory"]


def assert_strict_csp(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("text/html"), response.url
    directives = csp_directives(response.headers["content-security-policy"])
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "*" not in script_src
    assert not [s for s in script_src if s.endswith(":") and s != "'self'"]  # no https:, data: ...
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


JINJA = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
JINJA_OUTPUT = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def template_files() -> list[Path]:
    files = sorted(template_dir().glob("*.html"))
    assert len(files) >= 5
    return files


@pytest.mark.parametrize("template", template_files(), ids=lambda path: path.name)
def test_templates_hold_no_inline_script_or_event_handler(template: Path) -> None:
    source = JINJA_OUTPUT.sub("X", JINJA.sub(" ", template.read_text(encoding="utf-8")))
    doc = Doc(source)
    for script in doc.elements("script"):
        assert script.get("src", "").startswith("/static/"), script
    assert [code for code in doc.inline_scripts if code.strip()] == []
    for tag, attrs in doc.tags:
        handlers = [name for name in attrs if name.startswith(("on", "hx-on"))]
        assert not handlers, (template.name, tag, handlers)
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), (template.name, tag)
    assert "|safe" not in template.read_text(encoding="utf-8").replace(" ", "")
    assert "autoescape false" not in template.read_text(encoding="utf-8")


def test_htmx_is_configured_not_to_evaluate_or_inject_scripts(world: World, client: Client) -> None:
    console_sign_in(client, "be.duty")
    _, doc = page(client, "/directory")
    config = json.loads(doc.meta["htmx-config"])
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False


# --- dates and times: the user's time zone, with its offset --------------------------------------------


def staffing_as_of(client: Client) -> str:
    response, _ = page(client, "/directory", params={"lang": "en"})
    text = " ".join(html.unescape(response.text).split())
    found = re.search(r"staffing as of (.+?\(UTC[+-]\d\d:\d\d\))", text)
    assert found, text[:2000]
    return found.group(1)


def test_the_staffing_time_is_shown_in_each_users_time_zone_with_its_offset(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    world, client = clocked_world, clocked_client
    set_preferences(world, "be.duty", tz="Europe/Luxembourg")
    set_preferences(world, "nl.duty", tz="America/New_York")
    add_contact(world, "BE-NCCN", "NCCN desk")

    seen: dict[str, list[str]] = {"be.duty": [], "nl.duty": []}
    for _season in ("winter", "summer"):
        for username, times in seen.items():
            client.cookies.clear()
            console_sign_in(client, username)
            times.append(staffing_as_of(client))
        clock.advance(timedelta(days=180))  # into summer time

    # 2025-01-06 10:00 UTC, then 2025-07-05 10:00 UTC, each in the viewer's zone with its offset.
    assert seen["be.duty"] == ["Jan 6, 2025, 11:00:00 AM (UTC+01:00)", "Jul 5, 2025, 12:00:00 PM (UTC+02:00)"]
    assert seen["nl.duty"] == ["Jan 6, 2025, 5:00:00 AM (UTC-05:00)", "Jul 5, 2025, 6:00:00 AM (UTC-04:00)"]


def test_the_partner_page_shows_the_same_local_time(clocked_world: World, clocked_client: Client) -> None:
    set_preferences(clocked_world, "nl.duty", tz="America/New_York")
    console_sign_in(clocked_client, "nl.duty")
    response, _ = page(clocked_client, f"/partners/{clocked_world.partners['BE-NCCN']}")
    assert "(UTC-05:00)" in html.unescape(response.text)


# --- staffed-now badges: words, not colour only --------------------------------------------------------

WEEKEND_ONLY = StaffedHours(
    always=False,
    timezone="Europe/Brussels",
    windows=(Window(days=frozenset({5, 6}), start=time(8), end=time(17)),),
)


BADGE_WORDS = [
    ("en", "Staffed now", "Not staffed now"),
    ("fr", "Occupé actuellement", "Non occupé actuellement"),
    ("de", "Derzeit besetzt", "Derzeit nicht besetzt"),
]


@pytest.mark.parametrize(("language", "staffed", "unstaffed"), BADGE_WORDS)
def test_staffed_now_badges_say_it_in_words(
    clocked_world: World, clocked_client: Client, language: str, staffed: str, unstaffed: str
) -> None:
    add_contact(clocked_world, "BE-NCCN", "Always there")  # Monday 11:00 in Brussels
    add_contact(clocked_world, "BE-PROV-LIEGE", "Weekend desk", hours=WEEKEND_ONLY)
    console_sign_in(clocked_client, "be.duty")
    for path, headers in (("/directory", {}), ("/directory/results", HTMX)):
        _, doc = page(clocked_client, path, params={"lang": language}, headers=headers)
        assert sorted(doc.badges) == [("badge staffed", staffed), ("badge unstaffed", unstaffed)]


def test_staffed_now_badges_on_the_partner_page_say_it_in_words(
    clocked_world: World, clocked_client: Client
) -> None:
    add_contact(clocked_world, "BE-PROV-LIEGE", "Weekend desk", hours=WEEKEND_ONLY)
    console_sign_in(clocked_client, "be.duty")
    _, doc = page(clocked_client, f"/partners/{clocked_world.partners['BE-PROV-LIEGE']}")
    assert doc.badges == [("badge unstaffed", "Not staffed now")]
