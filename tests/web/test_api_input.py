"""Bad input gets a clear problem detail and changes nothing (DESIGN §8), on SQLite and PostgreSQL.

Every rejected request below is compared against a snapshot of the records and of the event and audit
logs taken just before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from crisislink.adapters.db import tables as t
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.markings import Tlp
from tests.support import World
from tests.web.conftest import Client, assert_problem, count, csp_directives, sign_in, snapshot

SQL = "'); DROP TABLE partners;--"
HTML = "<script>alert(1)</script>"
BOW_TIE = [[[4.0, 50.0], [5.0, 51.0], [5.0, 50.0], [4.0, 51.0], [4.0, 50.0]]]
SQUARE = [[[4.0, 50.0], [5.0, 50.0], [5.0, 51.0], [4.0, 51.0], [4.0, 50.0]]]

Body = dict[str, Any]


def contact(world: World, **changes: Any) -> Body:
    body: Body = {
        "partner_id": str(world.partners["BE-NCCN"]),
        "role": "duty_desk_24_7",
        "name": "NCCN duty desk",
        "channels": [{"kind": "phone", "value": "+32 2 000 00 00"}],
        "languages": ["nl", "fr"],
        "hours": {"always": True},
    }
    return {**body, **changes}


def without(body: Body, key: str) -> Body:
    return {name: value for name, value in body.items() if name != key}


def partner(world: World, **changes: Any) -> Body:
    body: Body = {
        "code": "BE-TEST",
        "name": "Test partner",
        "country": "BE",
        "kind": "government_body",
        "home_node_id": str(world.platform.node_id),
        "languages": ["fr"],
    }
    return {**body, **changes}


def user(world: World, **changes: Any) -> Body:
    body: Body = {
        "username": "new.person",
        "display_name": "New Person",
        "partner_id": str(world.partners["BE-NCCN"]),
        "roles": ["analyst"],
        "password": "a long enough password",
    }
    return {**body, **changes}


def hours(**changes: Any) -> Body:
    window = {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "17:00"}
    return {"always": False, "timezone": "Europe/Brussels", "windows": [{**window, **changes}]}


@dataclass(frozen=True)
class Bad:
    """One rejected request: who sends what where, and what the answer must mention."""

    username: str
    method: str
    path: str
    body: Callable[[World], Body] | None = None
    raw: bytes | None = None
    status: int = 400
    mentions: tuple[str, ...] = ()


def _case(id_: str, bad: Bad, bug: str | None = None) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(bad, id=id_, marks=marks)


CONTACTS = "/api/contact-points"
PARTNERS = "/api/partners"
NOBODY = "0b5e7a5e-0000-4000-8000-000000000000"  # no partner or user has this id

CASES = [
    _case(
        "malformed-json",
        Bad("be.duty", "POST", CONTACTS, raw=b'{"name": Desk}', mentions=("json is malformed",)),
    ),
    _case(
        "truncated-json", Bad("be.duty", "POST", CONTACTS, raw=b'{"name": "Desk", ', mentions=("truncated",))
    ),
    _case(
        "json-array-not-object", Bad("be.duty", "POST", CONTACTS, raw=b"[]", mentions=("expected `object`",))
    ),
    _case(
        "wrong-type-name",
        Bad("be.duty", "POST", CONTACTS, lambda w: contact(w, name=42), mentions=("expected `str`", "name")),
    ),
    _case(
        "wrong-type-channels",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, channels="phone"),
            mentions=("expected `array`",),
        ),
    ),
    _case(
        "wrong-type-partner-id",
        Bad("be.duty", "POST", CONTACTS, lambda w: contact(w, partner_id="BE-NCCN"), mentions=("uuid",)),
    ),
    _case(
        "audience-names-a-partner-that-does-not-exist",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, marking="AMBER", audience=[{"kind": "partner", "id": NOBODY}]),
            mentions=("audience", f"no partner with id {NOBODY}"),
        ),
    ),
    _case(
        "audience-names-a-user-that-does-not-exist",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, marking="AMBER", audience=[{"kind": "user", "id": NOBODY}]),
            mentions=("audience", f"no user with id {NOBODY}"),
        ),
    ),
    _case(
        "partner-that-does-not-exist",
        Bad(
            "admin",
            "POST",
            CONTACTS,
            lambda w: contact(w, partner_id=NOBODY),
            status=404,
            mentions=(f"no partner with id {NOBODY}",),
        ),
    ),
    _case(
        "unknown-field",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, colour="red"),
            mentions=("unknown field `colour`",),
        ),
    ),
    _case(
        "unknown-nested-field",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, channels=[{"kind": "phone", "value": "1", "priority": 1}]),
            mentions=("unknown field `priority`",),
        ),
    ),
    _case(
        "missing-required-field",
        Bad(
            "be.duty", "POST", CONTACTS, lambda w: without(contact(w), "hours"), mentions=("missing", "hours")
        ),
    ),
    _case(
        "role-not-in-list",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, role="boss"),
            mentions=("role", "'boss'", "liaison_officer"),
        ),
    ),
    _case(
        "channel-kind-not-in-list",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, channels=[{"kind": "pigeon", "value": "loft 3"}]),
            mentions=("'pigeon'", "channels[0].kind"),
        ),
    ),
    _case(
        "marking-not-in-list",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, marking="PURPLE"),
            mentions=("'PURPLE'", "marking"),
        ),
    ),
    _case(
        "empty-channel-list",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, channels=[]),
            mentions=("length >= 1", "channels"),
        ),
    ),
    _case(
        "e-mail-channel-without-address",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, channels=[{"kind": "email", "value": "desk"}]),
            mentions=("not an e-mail address",),
        ),
    ),
    _case(
        "language-not-supported",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, languages=["tlh"]),
            mentions=("unsupported language 'tlh'",),
        ),
    ),
    _case(
        "hours-unknown-time-zone",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, hours={"always": True, "timezone": "Mars/Olympus_Mons"}),
            mentions=("unknown time zone", "Mars/Olympus_Mons"),
        ),
    ),
    _case(
        "hours-time-zone-path",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, hours={"always": True, "timezone": "../../../etc/passwd"}),
            mentions=("unknown time zone",),
        ),
    ),
    _case(
        "hours-window-start-not-a-time",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, hours=hours(start="25:00")),
            mentions=("hours.windows[0].start",),
        ),
    ),
    _case(
        "hours-window-day-out-of-range",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, hours=hours(days=[7])),
            mentions=("hours.windows[0].days[0]",),
        ),
    ),
    _case(
        "hours-window-without-days",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, hours=hours(days=[])),
            mentions=("hours.windows[0].days",),
        ),
    ),
    _case(
        "hours-neither-always-nor-windows",
        Bad(
            "be.duty",
            "POST",
            CONTACTS,
            lambda w: contact(w, hours={"always": False, "timezone": "Europe/Brussels"}),
            mentions=("staffed 24/7 or has staffing windows",),
        ),
    ),
    _case(
        "patch-unknown-field",
        Bad(
            "be.duty",
            "PATCH",
            CONTACTS + "/{contact}",
            lambda _: {"expected_version": 1, "owner": "me"},
            mentions=("owner",),
        ),
    ),
    _case(
        "patch-without-expected-version",
        Bad(
            "be.duty",
            "PATCH",
            CONTACTS + "/{contact}",
            lambda _: {"name": "x"},
            mentions=("expected_version",),
        ),
    ),
    _case(
        "patch-language-not-supported",
        Bad(
            "be.duty",
            "PATCH",
            CONTACTS + "/{contact}",
            lambda _: {"expected_version": 1, "languages": ["xx"]},
            mentions=("unsupported language",),
        ),
    ),
    _case(
        "patch-invalid-window",
        Bad(
            "be.duty",
            "PATCH",
            CONTACTS + "/{contact}",
            lambda _: {"expected_version": 1, "hours": hours(end="8am")},
            mentions=("hours.windows[0].end",),
        ),
    ),
    _case(
        "user-role-not-in-list",
        Bad(
            "admin",
            "POST",
            "/api/users",
            lambda w: user(w, roles=["emperor"]),
            mentions=("'emperor'", "node_admin"),
        ),
    ),
    _case(
        "user-locale-not-in-list",
        Bad("admin", "POST", "/api/users", lambda w: user(w, locale="tlh"), mentions=("locale",)),
    ),
    _case(
        "user-password-too-short",
        Bad("admin", "POST", "/api/users", lambda w: user(w, password="short"), mentions=("password",)),
    ),
    _case(
        "user-unknown-time-zone",
        Bad(
            "admin",
            "POST",
            "/api/users",
            lambda w: user(w, timezone="Mars/Olympus_Mons"),
            mentions=("time zone",),
        ),
    ),
    _case(
        "patch-user-unknown-time-zone",
        Bad(
            "admin",
            "PATCH",
            "/api/users/{analyst}",
            lambda _: {"expected_version": 1, "timezone": "Europe/Atlantis"},
            mentions=("time zone",),
        ),
    ),
    _case(
        "partner-kind-not-in-list",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(w, kind="pirate_ship"),
            mentions=("kind", "'pirate_ship'"),
        ),
    ),
    _case(
        "partner-language-not-supported",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(w, languages=["tlh"]),
            mentions=("unsupported language",),
        ),
    ),
    _case(
        "partner-name-in-a-language-not-supported",
        Bad("admin", "POST", PARTNERS, lambda w: partner(w, names={"tlh": "Qo'noS"}), mentions=("language",)),
    ),
    _case(
        "partner-country-not-two-letters",
        Bad("admin", "POST", PARTNERS, lambda w: partner(w, country="BEL"), mentions=("country",)),
    ),
    _case(
        "partner-bow-tie-polygon",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(w, jurisdiction={"type": "Polygon", "coordinates": BOW_TIE}),
            mentions=("self-intersection",),
        ),
    ),
    _case(
        "partner-latitude-out-of-range",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(
                w, jurisdiction={"type": "Polygon", "coordinates": [[[4, 50], [5, 95], [5, 50], [4, 50]]]}
            ),
            mentions=("[5.0, 95.0]", "outside WGS84"),
        ),
    ),
    _case(
        "partner-longitude-out-of-range",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(
                w, jurisdiction={"type": "Polygon", "coordinates": [[[4, 50], [181, 51], [5, 50], [4, 50]]]}
            ),
            mentions=("[181.0, 51.0]", "outside WGS84"),
        ),
    ),
    _case(
        "partner-polygon-with-a-short-ring",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(w, jurisdiction={"type": "Polygon", "coordinates": [[[4, 50], [5, 50]]]}),
            mentions=("polygon",),
        ),
    ),
    _case(
        "partner-geometry-not-an-area",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(w, jurisdiction={"type": "Point", "coordinates": [4, 50]}),
            mentions=("jurisdiction.type",),
        ),
    ),
    _case(
        "partner-position-with-one-number",
        Bad(
            "admin",
            "POST",
            PARTNERS,
            lambda w: partner(
                w, jurisdiction={"type": "Polygon", "coordinates": [[[4], [5, 50], [5, 51], [4]]]}
            ),
            mentions=("longitude",),
        ),
    ),
    _case(
        "patch-partner-bow-tie",
        Bad(
            "admin",
            "PATCH",
            PARTNERS + "/{nccn}",
            lambda _: {"expected_version": 1, "jurisdiction": {"type": "Polygon", "coordinates": BOW_TIE}},
            mentions=("self-intersection",),
        ),
    ),
]


@pytest.mark.parametrize("bad", CASES)
def test_bad_input_gets_a_clear_problem_and_changes_nothing(world: World, client: Client, bad: Bad) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN)
    csrf = sign_in(client, bad.username)
    path = bad.path.format(
        contact=contact_id, nccn=world.partners["BE-NCCN"], analyst=world.users["be.analyst"]
    )
    before = snapshot(world.platform)

    if bad.raw is not None:
        headers = {**csrf, "content-type": "application/json"}
        response = client.request(bad.method, path, content=bad.raw, headers=headers)
    else:
        assert bad.body is not None
        response = client.request(bad.method, path, json=bad.body(world), headers=csrf)

    assert_problem(response, bad.status, *bad.mentions)
    assert snapshot(world.platform) == before


def test_the_well_formed_versions_of_those_requests_are_accepted(world: World, client: Client) -> None:
    """The bodies above differ from these in one field each; these go through (so the 400s are meaningful)."""
    contact_id = world.contact("BE-NCCN", Tlp.GREEN)
    admin = sign_in(client, "admin")

    assert client.post(CONTACTS, json=contact(world), headers=admin).status_code == 201
    assert client.post(CONTACTS, json=contact(world, hours=hours()), headers=admin).status_code == 201
    patched = client.patch(
        f"{CONTACTS}/{contact_id}", json={"expected_version": 1, "hours": hours(end="02:00")}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    assert client.post("/api/users", json=user(world), headers=admin).status_code == 201
    square = {"type": "Polygon", "coordinates": SQUARE}
    created = client.post(PARTNERS, json=partner(world, jurisdiction=square), headers=admin)
    assert created.status_code == 201, created.text


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(world: World) -> None:
    world.platform.settings = replace(world.platform.settings, max_body_bytes=1024)
    small = contact(world, notes="x" * 100)
    large = contact(world, notes="x" * 1500)  # valid in every field (notes may hold 2000), but 1.7 kB in all
    assert len(json.dumps(small)) < 1024 < len(json.dumps(large))

    with TestClient(create_app(world.platform)) as client:
        csrf = sign_in(client, "be.duty")
        before = snapshot(world.platform)
        refused = client.post(CONTACTS, json=large, headers=csrf)

        assert_problem(refused, 413, "too large")
        assert snapshot(world.platform) == before
        assert client.post(CONTACTS, json=small, headers=csrf).status_code == 201


def test_a_stale_expected_version_is_a_409_and_the_first_writer_wins(world: World) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN, name="Original")
    app = create_app(world.platform)
    with TestClient(app) as duty, TestClient(app) as admin:
        duty_csrf, admin_csrf = sign_in(duty, "be.duty"), sign_in(admin, "admin")
        assert duty.get(f"{CONTACTS}/{contact_id}").json()["version"] == 1
        assert admin.get(f"{CONTACTS}/{contact_id}").json()["version"] == 1

        first = duty.patch(
            f"{CONTACTS}/{contact_id}", json={"expected_version": 1, "name": "First"}, headers=duty_csrf
        )
        assert first.status_code == 200, first.text
        before = snapshot(world.platform)
        second = admin.patch(
            f"{CONTACTS}/{contact_id}", json={"expected_version": 1, "name": "Second"}, headers=admin_csrf
        )

        assert_problem(second, 409, "changed since you read it", "version 1", "reload")
        assert snapshot(world.platform) == before
        kept = admin.get(f"{CONTACTS}/{contact_id}").json()
        assert (kept["name"], kept["version"]) == ("First", 2)
        stale_delete = admin.delete(f"{CONTACTS}/{contact_id}?expected_version=1", headers=admin_csrf)
        assert_problem(stale_delete, 409)
        assert duty.get(f"{CONTACTS}/{contact_id}").json()["name"] == "First"


def test_sql_and_html_in_strings_are_stored_and_returned_verbatim(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    body = contact(
        world, name=SQL, notes=HTML, channels=[{"kind": "phone", "value": "+32 2 000 00 00", "note": HTML}]
    )

    created = client.post(CONTACTS, json=body, headers=csrf)

    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]
    fetched = client.get(f"{CONTACTS}/{contact_id}")
    assert fetched.headers["content-type"] == "application/json"
    assert (fetched.json()["name"], fetched.json()["notes"]) == (SQL, HTML)
    assert fetched.json()["channels"][0]["note"] == HTML
    assert json.dumps(HTML) in fetched.text  # a JSON string, not HTML-escaped and not markup
    found = client.get(CONTACTS, params={"q": SQL})
    assert [row["id"] for row in found.json()] == [contact_id]
    assert count(world.platform, t.partners) == 3
    assert len(client.get(PARTNERS).json()) == 3
    with world.platform.engine.connect() as conn:
        stored = conn.execute(sa.select(t.contact_points.c.name, t.contact_points.c.notes)).one()
    assert tuple(stored) == (SQL, HTML)


def _assert_security_headers(response: httpx.Response) -> None:
    directives = csp_directives(response.headers.get("content-security-policy", ""))
    assert directives.get("script-src") == ["'self'"], response.headers  # so no 'unsafe-inline' scripts
    assert directives.get("frame-ancestors") == ["'none'"]
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("x-frame-options") == "DENY"


def test_json_responses_carry_the_security_headers_whatever_they_hold(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    created = client.post(CONTACTS, json=contact(world, name=HTML, notes=SQL), headers=csrf)
    assert created.status_code == 201, created.text

    for response in (created, client.get(CONTACTS), client.get(f"{CONTACTS}/{created.json()['id']}")):
        assert response.headers["content-type"] == "application/json"
        _assert_security_headers(response)


def test_problem_responses_carry_the_security_headers_too(world: World, client: Client) -> None:
    unauthenticated = client.get(CONTACTS)
    csrf = sign_in(client, "be.duty")
    rejected = client.post(CONTACTS, json=contact(world, role=HTML), headers=csrf)
    assert rejected.headers["content-type"] == "application/problem+json"

    for response in (unauthenticated, rejected, client.get("/api/no-such-thing")):
        _assert_security_headers(response)
