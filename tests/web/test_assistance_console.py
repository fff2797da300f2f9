"""The mutual-assistance console (server-rendered pages) used through its own forms, signed in as an operator.

Every write goes through the form a browser would send (URL-encoded, with the page's csrf_token); the
redirect is checked, not followed. A refused form re-renders the page with the reason and changes nothing.
The JSON API is only read, to check what a form recorded.

The story is July 2021's: VR Zuid-Limburg (NL-VR23, nl.duty) asks for water-rescue teams at Valkenburg;
the province of Liège (liege.duty) and the CGDIS (lu.duty) offer; the BE-NCCN (be.duty) is asked nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.arrangements import ARRANGEMENTS
from crisislink.domains.assistance.catalogue import CAPABILITIES
from crisislink.domains.assistance.model import Point
from crisislink.entrypoints.web.i18n import translations
from crisislink.entrypoints.web.ui import assistance_labels
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.web.conftest import Client, snapshot
from tests.web.test_assistance_edxl_api import add_cgdis
from tests.web.test_console import assert_strict_csp, page, post
from tests.web.test_incident_console import ESCAPED, PAYLOAD, alert_of, switch_to

REQUEST_PATH = re.compile(r"^/assistance/([0-9a-f-]{36})(\?[^#]*)?(#.*)?$")
# Times as the operator types them, in Brussels (UTC+1 in January); the clock stands at 11:00 there.
FROM, UNTIL = "2025-01-06T11:00", "2025-01-09T11:00"


@pytest.fixture
def world(clocked_world: World) -> World:
    add_cgdis(clocked_world)
    return clocked_world


@pytest.fixture
def client(world: World, clocked_client: Client) -> Client:
    return clocked_client


def api(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def token(client: Client, path: str) -> str:
    _, doc = page(client, path)
    found = doc.fields["csrf_token"]
    assert found
    return found


def request_fields(world: World, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "capability": "water.rescue",
        "quantity": "2",
        "staging_name": "Valkenburg aan de Geul, Polfermolen",
        "staging_lon": "5.832",
        "staging_lat": "50.864",
        "starts_at": FROM,
        "ends_at": UNTIL,
        "respond_by": "",
        "liaison": "CoPI Valkenburg, +31 43 000 00 00",
        "languages": ["nl", "de", "en"],
        "logistics": "fuel and meals at the staging area",
        "description": "The Geul floods Valkenburg; boats needed for evacuation",
        "incident_id": "",
        "partners": [str(world.partners["BE-PROV-LIEGE"]), str(world.partners["LU-CGDIS"])],
        "action": "draft",
    }
    return {**fields, **changes}


def ask_by_form(client: Client, world: World, **changes: Any) -> httpx.Response:
    data = {**request_fields(world, **changes), "csrf_token": token(client, "/assistance/new")}
    return post(client, "/assistance/new", data=data)


def request_id_of(response: httpx.Response) -> uuid.UUID:
    assert response.status_code == 303, response.text[:3000]
    found = REQUEST_PATH.match(response.headers["location"])
    assert found, response.headers["location"]
    return uuid.UUID(found.group(1))


def send(client: Client, request_id: uuid.UUID, action: str, **fields: Any) -> httpx.Response:
    """A form of a request's page, sent with the token that page carries."""
    csrf = token(client, f"/assistance/{request_id}")
    return post(client, f"/assistance/{request_id}/{action}", data={"csrf_token": csrf, **fields})


def done(response: httpx.Response) -> str:
    assert response.status_code == 303, alert_of(response) if "<html" in response.text else response.text
    location: str = response.headers["location"]
    return location


def cgdis_team(world: World, name: str = "Groupe sauvetage aquatique Diekirch (demo)") -> uuid.UUID:
    unit_id: uuid.UUID = world.platform.bus.handle(
        c.RegisterUnit(
            actor=SYSTEM,
            partner_id=world.partners["LU-CGDIS"],
            capability="water.rescue",
            name=name,
            call_sign="DEMO-CG-SAQ-1",
            home_base=Point(lon=6.16, lat=49.87),
            crew_languages=("lb", "fr", "de"),
            radio=("RENITA", "TETRA-ISI"),
            arrangements=("be-lu-convention", "ucpm"),
            marking=Tlp.AMBER,
        )
    )
    return unit_id


def sent_request(client: Client, world: World, **changes: Any) -> uuid.UUID:
    switch_to(client, "nl.duty")
    return request_id_of(ask_by_form(client, world, action="send", **changes))


def offers(client: Client, request_id: uuid.UUID) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api(client, f"/api/assistance-requests/{request_id}/offers")
    return found


# --- the labels follow the catalogue ---------------------------------------------------------------------


def test_every_catalogue_type_and_arrangement_has_a_translatable_name() -> None:
    assert set(assistance_labels.CAPABILITIES) == set(CAPABILITIES)
    assert set(assistance_labels.ARRANGEMENTS) == set(ARRANGEMENTS)
    for code, name in assistance_labels.CAPABILITIES.items():
        assert name == CAPABILITIES[code].name


# --- signing in and who sees what ------------------------------------------------------------------------


def test_the_assistance_pages_send_an_anonymous_visitor_to_the_sign_in_page(
    world: World, client: Client
) -> None:
    request_id = sent_request(client, world)
    client.cookies.clear()
    for path in ("/assistance", "/assistance/new", f"/assistance/{request_id}", "/units"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in {302, 303, 307}, path
        assert response.headers["location"] == f"/login?next={path}"
        assert "Valkenburg" not in response.text
    before = snapshot(world.platform)

    response = post(client, "/assistance/new", data={**request_fields(world), "csrf_token": "x"})

    assert response.headers["location"].startswith("/login")
    assert snapshot(world.platform) == before


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_every_assistance_page_renders_in_each_interface_language(
    world: World, client: Client, language: str
) -> None:
    cgdis_team(world)
    request_id = sent_request(client, world)
    title = translations(language).gettext("Mutual assistance")
    assert (language == "en") == (title == "Mutual assistance")

    for username in ("nl.duty", "lu.duty"):
        switch_to(client, username)
        for path in ("/assistance", "/assistance/new", f"/assistance/{request_id}", "/units"):
            response, doc = page(client, path, params={"lang": language})
            assert doc.html_lang == language
            assert_strict_csp(response)
            assert [script for script in doc.inline_scripts if script.strip()] == []
            nav = [a for a in doc.elements("a") if a.get("href") == "/assistance"]
            assert nav[0].get("aria-current") == "page", path
        listed, _ = page(client, "/assistance", params={"lang": language})
        assert f"<h1>{title}</h1>" in listed.text
        assert f"/assistance/{request_id}" in listed.text


def test_a_request_not_sent_to_you_is_not_found_not_listed_and_cannot_be_offered_on(
    world: World, client: Client
) -> None:
    request_id = sent_request(client, world)
    switch_to(client, "be.duty")

    response = client.get(f"/assistance/{request_id}")

    assert response.status_code == 404
    assert "Valkenburg" not in response.text
    listed, _ = page(client, "/assistance")
    assert str(request_id) not in listed.text
    before = snapshot(world.platform)
    csrf = token(client, "/assistance")
    fields = {"csrf_token": csrf, "quantity": "1", "available_from": FROM}
    refused = post(client, f"/assistance/{request_id}/offers", data=fields)
    assert refused.status_code == 404
    assert "Valkenburg" not in refused.text
    assert snapshot(world.platform) == before


def test_the_request_form_is_offered_only_to_those_who_act_for_their_partner(
    world: World, client: Client
) -> None:
    for username, offered in (("nl.duty", True), ("be.analyst", False), ("nl.info", False)):
        switch_to(client, username)
        _, doc = page(client, "/assistance")
        links = [a for a in doc.elements("a") if a.get("href") == "/assistance/new"]
        assert bool(links) is offered, username


# --- the whole flow through the forms --------------------------------------------------------------------


def test_draft_send_offer_accept_in_part_deploy_and_demobilise_through_the_forms(
    world: World, client: Client
) -> None:
    liege, cgdis = str(world.partners["BE-PROV-LIEGE"]), str(world.partners["LU-CGDIS"])
    team = cgdis_team(world)
    switch_to(client, "nl.duty")

    # A draft first: the partners chosen are proposed in its Send form.
    response = ask_by_form(client, world)
    request_id = request_id_of(response)
    assert f"send_to={liege}" in response.headers["location"]
    stored = api(client, f"/api/assistance-requests/{request_id}")
    assert (stored["status"], stored["addressees"], stored["quantity"]) == ("draft", [], 2)
    assert stored["starts_at"] == "2025-01-06T10:00:00Z"  # 11:00 in Brussels
    assert stored["support"]["languages"] == ["nl", "de", "en"]
    _, doc = page(client, response.headers["location"].split("#")[0])
    preselected = [o for o in doc.elements("option") if "selected" in o]
    assert {o["value"] for o in preselected} >= {liege, cgdis}
    done(send(client, request_id, "send", partners=[liege, cgdis]))
    assert api(client, f"/api/assistance-requests/{request_id}")["status"] == "open"

    # Liège offers two teams it has not registered; the CGDIS its registered team.
    switch_to(client, "liege.duty")
    done(
        send(
            client,
            request_id,
            "offers",
            quantity="2",
            available_from="2025-01-06T12:00",
            conditions="fr only",
        )
    )
    switch_to(client, "lu.duty")
    _, doc = page(client, f"/assistance/{request_id}")
    assert str(team) in [box.get("value") for box in doc.elements("input") if box.get("name") == "unit_ids"]
    done(send(client, request_id, "offers", unit_ids=[str(team)], available_from="2025-01-06T12:30"))

    # The requester accepts one of Liège's two (part) and the CGDIS's team: covered.
    switch_to(client, "nl.duty")
    by_partner = {o["owner_partner_id"]: o for o in offers(client, request_id)}
    liege_offer, cgdis_offer = by_partner[liege]["id"], by_partner[cgdis]["id"]
    done(send(client, request_id, f"offers/{liege_offer}/accept", quantity="1"))
    assert api(client, f"/api/assistance-requests/{request_id}")["status"] == "partially_covered"
    done(send(client, request_id, f"offers/{cgdis_offer}/accept", unit_ids=[str(team)]))
    assert api(client, f"/api/assistance-requests/{request_id}")["status"] == "covered"

    # The CGDIS mobilises and deploys its team at a place of its own; the requester sees it at work.
    switch_to(client, "lu.duty")
    done(send(client, request_id, f"offers/{cgdis_offer}/mobilise"))
    done(send(client, request_id, f"offers/{cgdis_offer}/deploy", lon="5.83", lat="50.86"))
    _, doc = page(client, "/units")
    assert ("badge astate astate-deployed", "Deployed") in doc.badges
    assert api(client, f"/api/units/{team}")["position"] == [5.83, 50.86]

    switch_to(client, "nl.duty")
    shown, _ = page(client, f"/assistance/{request_id}")
    assert "Groupe sauvetage aquatique Diekirch (demo)" in shown.text
    done(send(client, request_id, f"offers/{cgdis_offer}/demobilise", reason="water receding"))
    done(send(client, request_id, f"offers/{liege_offer}/demobilise", reason="not needed"))
    assert {o["status"] for o in offers(client, request_id)} == {"demobilised"}
    assert api(client, f"/api/units/{team}")["status"] == "available"
    done(send(client, request_id, "close"))
    assert api(client, f"/api/assistance-requests/{request_id}")["status"] == "closed"

    # Every step has its EDXL-RM message, linked from the page.
    shown, doc = page(client, f"/assistance/{request_id}")
    links = [a["href"] for a in doc.elements("a") if "/edxl-rm/" in a.get("href", "")]
    listed = api(client, f"/api/assistance-requests/{request_id}/edxl-rm")
    assert {link["url"] for link in listed} <= set(links)
    assert "CommitResource" in shown.text
    assert "ReleaseResource" in shown.text


def test_the_offerer_withdraws_and_the_requester_declines_through_the_forms(
    world: World, client: Client
) -> None:
    request_id = sent_request(client, world)
    switch_to(client, "liege.duty")
    done(send(client, request_id, "offers", quantity="1", available_from=FROM))
    done(send(client, request_id, "offers", quantity="2", available_from=FROM))
    first, second = (o["id"] for o in offers(client, request_id))
    done(send(client, request_id, f"offers/{first}/withdraw", reason="boat broke down"))
    switch_to(client, "nl.duty")
    done(send(client, request_id, f"offers/{second}/decline", reason="too far"))
    assert [(o["status"], o["reason"]) for o in offers(client, request_id)] == [
        ("withdrawn", "boat broke down"),
        ("declined", "too far"),
    ]


def test_the_nearest_available_units_are_listed_with_time_country_and_arrangement(
    world: World, client: Client
) -> None:
    team = cgdis_team(world)
    world.platform.bus.handle(c.UpdateUnit(actor=SYSTEM, unit_id=team, expected_version=1, marking=Tlp.GREEN))
    request_id = sent_request(client, world)

    shown, _ = page(client, f"/assistance/{request_id}")

    nearest = shown.text.split('id="nearest"', 1)[1].split("</section>", 1)[0]
    assert "Groupe sauvetage aquatique Diekirch (demo)" in nearest
    assert ">LU<" in nearest
    assert "estimated" in nearest  # no road graph on the test node
    assert "EU Civil Protection Mechanism (UCPM)" in nearest


# --- refusals change nothing -----------------------------------------------------------------------------


def test_a_form_without_its_token_is_refused_and_changes_nothing(world: World, client: Client) -> None:
    request_id = sent_request(client, world)
    switch_to(client, "liege.duty")
    before = snapshot(world.platform)

    response = post(
        client, f"/assistance/{request_id}/offers", data={"quantity": "1", "available_from": FROM}
    )
    also = post(client, "/assistance/new", data=request_fields(world, csrf_token="forged"))

    assert response.status_code == 403
    assert "reload the page" in alert_of(response)
    assert also.status_code == 403
    assert snapshot(world.platform) == before


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"quantity": "lots"}, "quantity"),
        ({"quantity": "0"}, "between 1 and"),
        ({"ends_at": "2025-01-06T10:00"}, "after it starts"),
        ({"staging_lon": "", "staging_lat": ""}, "staging area"),
        ({"staging_lon": "500"}, "outside WGS84"),
        ({"capability": "water.boats"}, "unknown capability"),
        ({"action": "send", "partners": []}, "at least one partner"),
    ],
)
def test_bad_request_input_re_renders_the_form_with_the_reason_and_changes_nothing(
    world: World, client: Client, changes: dict[str, Any], reason: str
) -> None:
    switch_to(client, "nl.duty")
    before = snapshot(world.platform)

    response = ask_by_form(client, world, **changes)

    assert response.status_code == 400
    assert reason in alert_of(response)
    assert "Valkenburg aan de Geul, Polfermolen" in response.text  # what was typed comes back
    assert snapshot(world.platform) == before


def test_a_refused_step_re_renders_the_request_with_the_reason(world: World, client: Client) -> None:
    request_id = sent_request(client, world)
    switch_to(client, "liege.duty")
    done(send(client, request_id, "offers", quantity="2", available_from=FROM))
    (offer,) = offers(client, request_id)
    switch_to(client, "nl.duty")
    before = snapshot(world.platform)

    too_many = send(client, request_id, f"offers/{offer['id']}/accept", quantity="3")
    not_yet = send(client, request_id, f"offers/{offer['id']}/demobilise")
    theirs = send(client, request_id, f"offers/{offer['id']}/mobilise")

    assert too_many.status_code == 400
    assert "at most" in alert_of(too_many)
    assert not_yet.status_code == 409
    assert "what can happen next" in alert_of(not_yet)
    assert theirs.status_code == 403
    assert snapshot(world.platform) == before


def test_a_unit_status_changes_on_the_units_page_and_a_bad_one_is_refused(
    world: World, client: Client
) -> None:
    team = cgdis_team(world)
    switch_to(client, "lu.duty")
    csrf = token(client, "/units")

    done(post(client, f"/units/{team}/status", data={"csrf_token": csrf, "status": "out_of_service"}))
    assert api(client, f"/api/units/{team}")["status"] == "out_of_service"
    before = snapshot(world.platform)
    refused = post(client, f"/units/{team}/status", data={"csrf_token": csrf, "status": "deployed"})

    assert refused.status_code == 400
    assert "position" in alert_of(refused)
    assert snapshot(world.platform) == before


# --- markup stays inert ----------------------------------------------------------------------------------


def test_markup_in_a_staging_area_name_is_shown_as_text(world: World, client: Client) -> None:
    request_id = sent_request(client, world, staging_name=PAYLOAD, description=PAYLOAD, liaison=PAYLOAD)

    for username in ("nl.duty", "liege.duty"):
        switch_to(client, username)
        for path in ("/assistance", f"/assistance/{request_id}"):
            response, doc = page(client, path)
            assert PAYLOAD not in response.text
            assert ESCAPED in response.text
            assert [s for s in doc.inline_scripts if s.strip()] == []
            assert not [attrs for _, attrs in doc.tags if "onerror" in attrs]
    assert api(client, f"/api/assistance-requests/{request_id}")["staging"]["name"] == PAYLOAD


def test_every_status_is_shown_with_a_word_beside_its_colour(world: World, client: Client) -> None:
    """Doc.badges reads a badge as a screen reader does: the aria-hidden icon left out, the word kept."""
    cgdis_team(world)
    request_id = sent_request(client, world)
    switch_to(client, "lu.duty")

    for path, expected in (
        ("/assistance", ("badge astate astate-open", "Open: waiting for offers")),
        (f"/assistance/{request_id}", ("badge astate astate-open", "Open: waiting for offers")),
        ("/units", ("badge astate astate-available", "Available")),
    ):
        _, doc = page(client, path)
        assert expected in doc.badges, path
        assert all(word for _, word in doc.badges), path
