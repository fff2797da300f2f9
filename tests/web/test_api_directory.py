"""The network directory over HTTP: partners, people, points of contact, the CSV export and the API docs."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import uuid
from datetime import time, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from litestar.testing import TestClient

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import directory
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
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.web.conftest import Client, assert_problem, count, csp_directives, sign_in, snapshot

OFFICE_HOURS = StaffedHours(
    always=False,
    timezone="Europe/Brussels",
    windows=(Window(days=frozenset(range(5)), start=time(8), end=time(17)),),
)


def _add_contact(
    world: World,
    owner: str,
    name: str,
    role: ContactRole = ContactRole.DUTY_DESK_24_7,
    languages: tuple[str, ...] = ("en",),
    marking: Tlp = Tlp.GREEN,
    hours: StaffedHours = ALWAYS,
    audience: frozenset[Principal] = frozenset(),
) -> uuid.UUID:
    contact_id: uuid.UUID = world.platform.bus.handle(
        sc.CreateContactPoint(
            actor=SYSTEM,
            partner_id=world.partners[owner],
            role=role,
            name=name,
            channels=(
                Channel(ChannelKind.PHONE, "+32 2 000 00 00"),
                Channel(ChannelKind.EMAIL, "desk@test.example"),
            ),
            languages=languages,
            hours=hours,
            marking=marking,
            audience=audience,
        )
    )
    return contact_id


def _directory(world: World) -> dict[str, uuid.UUID]:
    """Contact points of three partners; what be.duty may see is everything but 'VR23 internal desk'."""
    return {
        "NCCN duty desk": _add_contact(world, "BE-NCCN", "NCCN duty desk", languages=("nl", "fr", "en")),
        "Liège liaison": _add_contact(
            world,
            "BE-PROV-LIEGE",
            "Liège liaison",
            role=ContactRole.LIAISON_OFFICER,
            languages=("fr", "de"),
            hours=OFFICE_HOURS,
        ),
        "VR23 spokesperson": _add_contact(
            world, "NL-VR23", "VR23 spokesperson", role=ContactRole.SPOKESPERSON, languages=("nl",)
        ),
        "VR23 desk for NCCN": _add_contact(
            world,
            "NL-VR23",
            "VR23 desk for NCCN",
            marking=Tlp.AMBER,
            audience=frozenset({Principal.partner(world.partners["BE-NCCN"])}),
            languages=("nl", "en"),
        ),
        "VR23 internal desk": _add_contact(
            world, "NL-VR23", "VR23 internal desk", marking=Tlp.AMBER_STRICT, languages=("nl",)
        ),
    }


def _names(rows: Any) -> set[str]:
    assert isinstance(rows, list)
    return {row["name"] for row in rows}


# --- partners --------------------------------------------------------------------------------------------


def test_partners_are_listed_and_filtered_by_country_and_kind(world: World, client: Client) -> None:
    sign_in(client, "be.duty")

    def codes(**params: str) -> list[str]:
        response = client.get("/api/partners", params=params)
        assert response.status_code == 200, response.text
        return [row["code"] for row in response.json()]

    assert sorted(codes()) == ["BE-NCCN", "BE-PROV-LIEGE", "NL-VR23"]
    assert codes(country="NL") == ["NL-VR23"]
    assert sorted(codes(country="be")) == ["BE-NCCN", "BE-PROV-LIEGE"]
    assert codes(country="LU") == []
    assert codes(kind="safety_region") == ["NL-VR23"]
    one = client.get(f"/api/partners/{world.partners['NL-VR23']}").json()
    assert (one["code"], one["country"], one["kind"], one["version"]) == ("NL-VR23", "NL", "safety_region", 1)
    assert_problem(client.get(f"/api/partners/{uuid.uuid4()}"), 404, "no partner")


def test_only_a_node_administrator_registers_or_changes_partners(world: World, client: Client) -> None:
    duty = sign_in(client, "be.duty")
    body = {
        "code": "LU-HCPN",
        "name": "Haut-Commissariat à la Protection nationale",
        "country": "LU",
        "kind": "national_crisis_centre",
        "home_node_id": str(world.platform.node_id),
        "languages": ["lb", "fr", "de"],
        "names": {"fr": "Haut-Commissariat à la Protection nationale"},
    }
    before = snapshot(world.platform)

    assert_problem(client.post("/api/partners", json=body, headers=duty), 403, "node administrator")
    nccn = world.partners["BE-NCCN"]
    patch = {"expected_version": 1, "name": "Renamed by duty"}
    assert_problem(client.patch(f"/api/partners/{nccn}", json=patch, headers=duty), 403)
    assert snapshot(world.platform) == before

    client.cookies.clear()
    admin = sign_in(client, "admin")
    created = client.post("/api/partners", json=body, headers=admin)
    assert created.status_code == 201, created.text
    registered = client.get(f"/api/partners/{created.json()['id']}").json()
    assert (registered["code"], registered["country"], registered["languages"]) == (
        "LU-HCPN",
        "LU",
        ["lb", "fr", "de"],
    )
    assert [row["code"] for row in client.get("/api/partners", params={"country": "LU"}).json()] == [
        "LU-HCPN"
    ]
    renamed = client.patch(
        f"/api/partners/{nccn}", json={"expected_version": 1, "name": "NCCN"}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["version"]) == ("NCCN", 2)
    duplicate = client.post("/api/partners", json=body, headers=admin)
    assert_problem(duplicate, 409, "exists already")
    assert count(world.platform, t.partners) == 4


# --- people ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("be.duty", {"admin", "be.duty", "be.analyst", "be.info"}),
        ("nl.duty", {"nl.duty", "nl.info"}),
        ("admin", {"admin", "be.duty", "be.analyst", "be.info", "liege.duty", "nl.duty", "nl.info"}),
    ],
)
def test_people_are_listed_to_their_own_partner_and_node_administrators_only(
    client: Client, username: str, expected: set[str]
) -> None:
    sign_in(client, username)

    response = client.get("/api/users")

    assert response.status_code == 200
    assert {row["username"] for row in response.json()} == expected
    for row in response.json():
        assert "password_hash" not in row
        assert "password" not in row
    assert "$argon2" not in response.text


def test_a_person_of_another_partner_cannot_be_read_one_by_one_either(world: World, client: Client) -> None:
    sign_in(client, "be.duty")

    assert_problem(client.get(f"/api/users/{world.users['liege.duty']}"), 404)
    own = client.get(f"/api/users/{world.users['be.analyst']}")
    assert own.status_code == 200
    assert own.json()["username"] == "be.analyst"
    assert "$argon2" not in own.text


# --- points of contact -------------------------------------------------------------------------------


def test_points_of_contact_are_listed_as_the_sharing_policy_allows(world: World, client: Client) -> None:
    _directory(world)
    sign_in(client, "be.duty")

    rows = client.get("/api/contact-points").json()

    assert _names(rows) == {"NCCN duty desk", "Liège liaison", "VR23 spokesperson", "VR23 desk for NCCN"}
    for row in rows:
        assert isinstance(row["staffed_now"], bool)
        assert {
            "id",
            "owner_partner_id",
            "marking",
            "role",
            "channels",
            "languages",
            "hours",
            "version",
        } <= set(row)
    client.cookies.clear()
    sign_in(client, "liege.duty")
    assert _names(client.get("/api/contact-points").json()) == {
        "NCCN duty desk",
        "Liège liaison",
        "VR23 spokesperson",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"role": "liaison_officer"}, {"Liège liaison"}, id="role"),
        pytest.param({"role": "duty_desk_24_7"}, {"NCCN duty desk", "VR23 desk for NCCN"}, id="role-desk"),
        pytest.param({"country": "NL"}, {"VR23 spokesperson", "VR23 desk for NCCN"}, id="country"),
        pytest.param({"country": "be"}, {"NCCN duty desk", "Liège liaison"}, id="country-lower-case"),
        pytest.param({"language": "de"}, {"Liège liaison"}, id="language"),
        pytest.param(
            {"language": "NL"},
            {"NCCN duty desk", "VR23 spokesperson", "VR23 desk for NCCN"},
            id="language-nl",
        ),
        pytest.param({"q": "desk"}, {"NCCN duty desk", "VR23 desk for NCCN"}, id="search"),
        pytest.param({"q": "liège"}, {"Liège liaison"}, id="search-accented"),
        pytest.param({"q": "DESK FOR"}, {"VR23 desk for NCCN"}, id="search-any-case"),
        pytest.param({"q": "nothing like this"}, set(), id="search-no-match"),
        pytest.param({"country": "NL", "language": "en"}, {"VR23 desk for NCCN"}, id="combined"),
    ],
)
def test_points_of_contact_are_filtered_by_role_country_language_and_text(
    world: World, client: Client, params: dict[str, str], expected: set[str]
) -> None:
    _directory(world)
    sign_in(client, "be.duty")

    response = client.get("/api/contact-points", params=params)

    assert response.status_code == 200, response.text
    assert _names(response.json()) == expected


def test_a_search_ignores_the_case_of_accented_letters_too(world: World, client: Client) -> None:
    _directory(world)
    sign_in(client, "be.duty")

    found = client.get("/api/contact-points", params={"q": "LIÈGE"}).json()

    assert _names(found) == {"Liège liaison"}


def test_points_of_contact_are_filtered_by_partner_and_paged(world: World, client: Client) -> None:
    _directory(world)
    sign_in(client, "be.duty")

    vr23 = client.get("/api/contact-points", params={"partner_id": str(world.partners["NL-VR23"])}).json()
    assert _names(vr23) == {"VR23 spokesperson", "VR23 desk for NCCN"}
    pages = [
        client.get("/api/contact-points", params={"limit": "1", "offset": str(offset)}).json()
        for offset in range(5)
    ]
    assert [len(page) for page in pages] == [1, 1, 1, 1, 0]
    assert _names([row for page in pages for row in page]) == _names(client.get("/api/contact-points").json())


def test_staffed_now_follows_the_staffing_windows_in_local_time(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    _directory(clocked_world)
    sign_in(clocked_client, "be.duty")

    def staffed() -> dict[str, bool]:
        return {row["name"]: row["staffed_now"] for row in clocked_client.get("/api/contact-points").json()}

    # Monday 11:00 in Brussels: inside office hours.
    assert staffed()["Liège liaison"] is True
    # Monday 17:30 in Brussels (16:30 UTC): office closed; the 24/7 desks are still staffed.
    clock.advance(timedelta(hours=6, minutes=30))
    evening = staffed()
    assert evening["Liège liaison"] is False
    assert evening["NCCN duty desk"] is True
    assert evening["VR23 spokesperson"] is True


def test_the_csv_export_has_a_header_and_one_line_per_visible_contact(world: World, client: Client) -> None:
    contacts = _directory(world)
    sign_in(client, "be.duty")

    response = client.get("/api/contact-points/export.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.text)))
    header, rows = lines[0], lines[1:]
    assert header == [
        "id",
        "owner_partner_id",
        "marking",
        "role",
        "name",
        "channels",
        "languages",
        "staffed_now",
    ]
    visible = client.get("/api/contact-points").json()
    assert len(rows) == len(visible) == 4
    assert {row[0] for row in rows} == {row["id"] for row in visible}
    assert str(contacts["VR23 internal desk"]) not in response.text
    by_name = {row[4]: row for row in rows}
    assert by_name["Liège liaison"][6] == "fr de"
    assert by_name["NCCN duty desk"][5] == "phone: +32 2 000 00 00; email: desk@test.example"
    assert {row[7] for row in rows} <= {"yes", "no"}


def test_a_name_that_looks_like_a_spreadsheet_formula_is_exported_as_text(
    world: World, client: Client
) -> None:
    _add_contact(world, "BE-NCCN", '=HYPERLINK("http://evil.example","call")')
    sign_in(client, "be.duty")

    rows = list(csv.reader(io.StringIO(client.get("/api/contact-points/export.csv").text)))

    assert rows[1][4] == '\'=HYPERLINK("http://evil.example","call")'


def test_the_csv_export_holds_every_visible_point_of_contact_not_one_page(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(directory, "MAX_PAGE", 2)
    names = [f"Export desk {i}" for i in range(3)]
    for name in names:
        _add_contact(world, "BE-NCCN", name)
    _add_contact(world, "NL-VR23", "Not for Belgium", marking=Tlp.RED)
    sign_in(client, "be.duty")

    exported = {
        row["name"] for row in csv.DictReader(io.StringIO(client.get("/api/contact-points/export.csv").text))
    }

    assert set(names) <= exported
    assert "Not for Belgium" not in exported
    assert len(client.get("/api/contact-points?limit=1000").json()) == 2  # the list is still paged


def test_the_csv_export_names_its_charset_once(world: World, client: Client) -> None:
    sign_in(client, "be.duty")

    response = client.get("/api/contact-points/export.csv")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"


# --- the API reference -----------------------------------------------------------------------------------

MAIN_PATHS = (
    "/api/auth/login",
    "/api/auth/logout",
    "/api/tokens",
    "/api/nodes",
    "/api/partners",
    "/api/partners/{partner_id}",
    "/api/users",
    "/api/contact-points",
    "/api/contact-points/{contact_id}",
    "/api/contact-points/export.csv",
    "/api/events",
    "/api/health",
)


def test_the_openapi_document_is_version_3_1_and_lists_the_main_paths(client: Client) -> None:
    response = client.get("/api/docs/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] == "crisislink API"
    for path in MAIN_PATHS:
        assert path in document["paths"], path
    assert set(document["paths"]["/api/contact-points/{contact_id}"]) >= {"get", "patch", "delete"}
    assert "ContactBody" in document["components"]["schemas"]


class _Assets(HTMLParser):
    """Collects what a page loads (script, stylesheet, icon, image, frame) and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for attribute in ("src", "href", "data"):
            value = found.get(attribute)
            if value and tag in {"script", "link", "img", "iframe", "object", "embed", "source"}:
                self.urls.append(value)
        self._in_inline_script = tag == "script" and not found.get("src")
        if self._in_inline_script:
            self.inline_scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts[-1] += data


@pytest.fixture
def docs_page(client: Client) -> tuple[str, dict[str, list[str]]]:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text, csp_directives(response.headers["content-security-policy"])


def test_the_docs_page_loads_nothing_from_outside_the_node(
    client: Client, docs_page: tuple[str, dict[str, list[str]]]
) -> None:
    page, _ = docs_page
    assets = _Assets()
    assets.feed(page)

    assert "/static/vendor/redoc.standalone.js" in assets.urls
    for url in assets.urls:
        assert url.startswith("/static/"), url
        assert client.get(url).status_code == 200, url
    for outside in ("fonts.googleapis.com", "cdn.jsdelivr.net", "unpkg.com", "cdn.redoc.ly"):
        assert outside not in page
    script = client.get("/static/vendor/redoc.standalone.js")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert len(script.content) > 100_000


def test_the_docs_page_runs_no_script_its_own_csp_blocks(docs_page: tuple[str, dict[str, list[str]]]) -> None:
    page, directives = docs_page
    assets = _Assets()
    assets.feed(page)
    allowed = directives.get("script-src", directives.get("default-src", []))

    for script in assets.inline_scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert "'unsafe-inline'" in allowed or f"'sha256-{digest}'" in allowed, script[:80]


def test_the_docs_are_public(world: World) -> None:
    with TestClient(create_app(world.platform)) as anonymous:
        assert anonymous.get("/api/docs").status_code == 200
        assert anonymous.get("/api/docs/openapi.json").status_code == 200
        assert anonymous.get("/static/vendor/redoc.standalone.js").status_code == 200
