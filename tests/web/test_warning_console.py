"""The public-warning console (server-rendered pages) used through its own forms, signed in as an operator.

Every write goes through the form a browser would send (multipart where the form uploads a file), with the
page's csrf_token; the redirect is checked, not followed. A refused form re-renders the page with the
reason and changes nothing. The JSON API is only read, to check what a form recorded.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.app.bootstrap import Platform
from crisislink.domains.warnings import commands as c
from crisislink.entrypoints.web.i18n import translations
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from tests import support_warnings as sw
from tests.support import World
from tests.web.conftest import Client, count
from tests.web.test_console import Doc, assert_strict_csp, console_sign_in, page, post
from tests.web.test_incident_console import ESCAPED, PAYLOAD, alert_of, blocks, switch_to

HTMX = {"hx-request": "true"}
WARNING_PATH = re.compile(r"^/warnings/([0-9a-f-]{36})$")
# Tables a warning form writes to, and the append-only logs: a refused form adds no row to any of them.
WRITTEN = (t.public_warnings, t.warning_messages, t.warning_publications, t.events, t.audit_log)
# The Geul and Meuse valleys, as the map script writes a drawn polygon.
DRAWN = json.dumps(sw.GEUL_MEUSE_GEOMETRY)
# Groningen: far from any border, so an AMBER warning there involves Dutch partners only.
GRONINGEN = {
    "type": "Polygon",
    "coordinates": [[[6.50, 53.18], [6.65, 53.18], [6.65, 53.25], [6.50, 53.25], [6.50, 53.18]]],
}


def counts(platform: Platform) -> dict[str, int]:
    return {table.name: count(platform, table) for table in WRITTEN}


def api(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def token(client: Client, path: str = "/warnings/new") -> str:
    _, doc = page(client, path)
    found = doc.fields["csrf_token"]
    assert found
    return found


def forms(doc: Doc, action: str) -> list[dict[str, str]]:
    return [f for f in doc.elements("form") if f.get("action") == action]


def draft_fields(**changes: Any) -> dict[str, Any]:
    """The drafting form as an operator fills it: times in their own zone (Brussels, UTC+1 in January)."""
    fields: dict[str, Any] = {
        "status": "Actual",
        "hazard": "flood.river",
        "hazard_other": "",
        "category": "Met",
        "awareness_type": "12",
        "severity": "Severe",
        "urgency": "Immediate",
        "certainty": "Likely",
        "response_types": ["Evacuate", "Avoid"],
        "onset": "2025-01-06T12:00",
        "expires": "2025-01-07T12:00",
        "area_description": "Valleys of the Geul and the Meuse",
        "marking": "AMBER",
        "area_drawn": DRAWN,
        "nl.headline": "Hoogwater Geul en Maas",
        "nl.description": "De Geul treedt buiten haar oevers.",
        "nl.instruction": "Ga naar boven.",
        "fr.headline": "Crue de la Meuse",
        "fr.description": "La Meuse déborde à Visé.",
        "fr.instruction": "Montez à l'étage.",
    }
    return {**fields, **changes}


def draft_by_form(client: Client, **changes: Any) -> httpx.Response:
    """`files` (an upload) is sent as multipart, like the browser does for this form."""
    files = changes.pop("files", None)
    data = {**draft_fields(**changes), "csrf_token": token(client)}
    return post(client, "/warnings/new", data=data, files=files)


def drafted_id(response: httpx.Response) -> uuid.UUID:
    assert response.status_code == 303, response.text[:3000]
    found = WARNING_PATH.match(response.headers["location"])
    assert found, response.headers["location"]
    return uuid.UUID(found.group(1))


def send(client: Client, warning_id: uuid.UUID, action: str, **fields: Any) -> httpx.Response:
    """A form of a warning's page, sent with the token that page carries."""
    csrf = token(client, f"/warnings/{warning_id}")
    return post(client, f"/warnings/{warning_id}/{action}", data={"csrf_token": csrf, **fields})


# --- signing in and who sees what ------------------------------------------------------------------------


def test_the_warning_pages_send_an_anonymous_visitor_to_the_sign_in_page(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.draft(clocked_world)
    for path in ("/warnings", "/warnings/new", f"/warnings/{warning_id}"):
        response = clocked_client.get(path, follow_redirects=False)
        assert response.status_code in {302, 303, 307}, path
        assert response.headers["location"] == f"/login?next={path}"
        assert "Geul" not in response.text
    before = counts(clocked_world.platform)

    response = post(clocked_client, "/warnings/new", data={**draft_fields(), "csrf_token": "x"})

    assert response.status_code in {302, 303, 307}
    assert response.headers["location"].startswith("/login")
    assert counts(clocked_world.platform) == before


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_every_warning_page_renders_in_each_interface_language(
    clocked_world: World, clocked_client: Client, language: str
) -> None:
    warning_id = sw.issued(clocked_world)
    console_sign_in(clocked_client, "nl.info")
    title = translations(language).gettext("Public warnings")
    assert (language == "en") == (title == "Public warnings")

    for path in ("/warnings", "/warnings/new", f"/warnings/{warning_id}"):
        response, doc = page(clocked_client, path, params={"lang": language})
        assert doc.html_lang == language
        assert_strict_csp(response)
        assert [script for script in doc.inline_scripts if script.strip()] == []
    listed, _ = page(clocked_client, "/warnings", params={"lang": language})
    assert f"<h1>{title}</h1>" in listed.text
    nav = [a for a in Doc(listed.text).elements("a") if a.get("href") == "/warnings"]
    assert nav
    assert nav[0].get("aria-current") == "page"


def test_the_draft_link_is_offered_only_to_those_who_may_draft(world: World, client: Client) -> None:
    for username, offered in (("nl.info", True), ("be.duty", True), ("be.analyst", False)):
        switch_to(client, username)
        _, doc = page(client, "/warnings")
        links = [a for a in doc.elements("a") if a.get("href") == "/warnings/new"]
        assert bool(links) is offered, username


def test_a_warning_nobody_shared_with_you_is_not_found_and_not_listed(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.draft(
        clocked_world, area=Area(GRONINGEN), area_description="Groningen", texts=sw.TEXTS[:1]
    )
    console_sign_in(clocked_client, "be.duty")

    response = clocked_client.get(f"/warnings/{warning_id}")

    assert response.status_code == 404
    assert "Hoogwater" not in response.text
    listed, _ = page(clocked_client, "/warnings")
    assert str(warning_id) not in listed.text
    before = counts(clocked_world.platform)
    csrf = token(clocked_client, "/warnings")
    refused = post(
        clocked_client, f"/warnings/{warning_id}/comments", data={"csrf_token": csrf, "text": "hi"}
    )
    assert refused.status_code == 404
    assert counts(clocked_world.platform) == before


# --- drafting --------------------------------------------------------------------------------------------


def test_a_warning_drafted_on_the_form_lands_with_its_times_area_and_texts(
    clocked_world: World, clocked_client: Client
) -> None:
    console_sign_in(clocked_client, "nl.info")

    warning_id = drafted_id(draft_by_form(clocked_client))

    stored = api(clocked_client, f"/api/warnings/{warning_id}")
    assert stored["state"] == "draft"
    assert stored["status"] == "Actual"
    assert stored["hazard"]["code"] == "flood.river"
    assert stored["onset"] == "2025-01-06T11:00:00Z"  # 12:00 in Brussels
    assert stored["expires"] == "2025-01-07T11:00:00Z"
    assert stored["response_types"] == ["Evacuate", "Avoid"]
    assert sorted(stored["texts"]) == ["fr", "nl"]
    assert stored["missing_languages"] == []
    assert stored["targeting"]["countries"] == ["BE", "NL"]
    assert stored["marking"] == "AMBER"
    response, doc = page(clocked_client, f"/warnings/{warning_id}")
    assert {a.get("lang") for tag, a in doc.tags if tag == "article"} == {"fr", "nl"}
    assert "Hoogwater Geul en Maas" in response.text
    assert not blocks(response.text, "missing-languages")
    listed, _ = page(clocked_client, "/warnings")
    assert f'href="/warnings/{warning_id}"' in listed.text


@pytest.mark.parametrize(
    "area",
    [
        {
            "area_drawn": "",
            "area_geojson": json.dumps({"type": "Feature", "geometry": sw.GEUL_MEUSE_GEOMETRY}),
        },
        {"area_drawn": "", "units": ["municipalities/GM0935", "municipalities/73109"]},
        {"area_drawn": "", "unit_codes": "Maastricht, 73109"},
        {"area_drawn": "", "emma_ids": "NL012"},
    ],
    ids=["pasted", "picked", "typed", "emma"],
)
def test_the_area_can_be_given_each_way(
    clocked_world: World, clocked_client: Client, area: dict[str, Any]
) -> None:
    console_sign_in(clocked_client, "nl.info")

    warning_id = drafted_id(draft_by_form(clocked_client, **area))

    assert "NL" in api(clocked_client, f"/api/warnings/{warning_id}")["targeting"]["countries"]


def test_the_polygons_of_an_uploaded_cap_message_become_the_area(
    clocked_world: World, clocked_client: Client
) -> None:
    sw.issued(clocked_world)
    with clocked_world.platform.engine.connect() as conn:
        cap = conn.execute(sa.select(t.warning_publications.c.cap_xml).limit(1)).scalar_one()
    console_sign_in(clocked_client, "nl.info")

    response = draft_by_form(
        clocked_client, files={"area_file": ("meuse.xml", cap, "application/cap+xml")}, area_drawn=""
    )

    stored = api(clocked_client, f"/api/warnings/{drafted_id(response)}")
    assert stored["targeting"]["countries"] == ["BE", "NL"]
    assert stored["area"]["type"] in {"Polygon", "MultiPolygon"}


def test_compute_targeting_shows_places_people_codes_and_missing_languages(
    clocked_world: World, clocked_client: Client
) -> None:
    console_sign_in(clocked_client, "nl.info")
    fields = {key: value for key, value in draft_fields().items() if not key.startswith("fr.")}
    data = {**fields, "csrf_token": token(clocked_client)}
    before = counts(clocked_world.platform)

    partial = post(clocked_client, "/warnings/new/targeting", data=data, headers=HTMX)

    assert partial.status_code == 200
    assert "<html" not in partial.text  # the fragment htmx swaps in
    assert "Maastricht" in partial.text
    assert "NL423" in partial.text
    assert "Estimated population reached" in partial.text
    missing = blocks(partial.text, "missing-languages")[0]
    assert "French" in missing
    assert "Dutch" not in missing
    whole = post(clocked_client, "/warnings/new/targeting", data=data)
    assert whole.status_code == 200
    assert "<html" in whole.text
    assert "Maastricht" in whole.text
    assert "Hoogwater Geul en Maas" in whole.text  # the form comes back as filled in
    assert counts(clocked_world.platform) == before


def test_a_headline_carrying_markup_is_shown_as_text(clocked_world: World, clocked_client: Client) -> None:
    console_sign_in(clocked_client, "nl.info")

    warning_id = drafted_id(draft_by_form(clocked_client, **{"nl.headline": PAYLOAD[:150]}))

    for path in (f"/warnings/{warning_id}", "/warnings"):
        response, doc = page(clocked_client, path)
        assert PAYLOAD[:40] not in response.text
        assert ESCAPED[:40] in response.text
        assert [img for img in doc.elements("img") if img.get("src") == "x"] == []
        assert [s for s in doc.inline_scripts if s.strip()] == []


@pytest.mark.parametrize(
    ("changes", "mention"),
    [
        ({"area_drawn": ""}, "needs an area"),
        ({"emma_ids": "NL012"}, "one way"),
        ({"area_drawn": "", "unit_codes": "99999"}, "99999"),
        ({"area_drawn": '{"type": "Point", "coordinates": [5.7, 50.8]}'}, "Point"),
        ({"area_drawn": "{not json"}, "not valid JSON"),
        ({"expires": "2025-01-06T11:00"}, "expires"),
        ({"onset": "tomorrow"}, "onset"),
        ({"severity": "Apocalyptic"}, "severity"),
        ({"fr.instruction": ""}, "French"),
        ({"hazard": "", "hazard_other": "Flood River!"}, "hazard"),
        ({"area_description": " "}, "area description"),
    ],
)
def test_bad_input_re_renders_the_form_with_the_reason_and_changes_nothing(
    clocked_world: World, clocked_client: Client, changes: dict[str, Any], mention: str
) -> None:
    console_sign_in(clocked_client, "nl.info")
    before = counts(clocked_world.platform)

    response = draft_by_form(clocked_client, **changes)

    assert response.status_code == 400, response.text[:2000]
    assert mention.lower() in alert_of(response).lower()
    assert counts(clocked_world.platform) == before
    fields = Doc(response.text).fields
    assert fields["area_description"] == changes.get("area_description", "Valleys of the Geul and the Meuse")
    assert fields["nl.headline"] == "Hoogwater Geul en Maas"


def test_a_form_without_its_token_is_refused_and_changes_nothing(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.draft(clocked_world)
    console_sign_in(clocked_client, "nl.info")
    before = counts(clocked_world.platform)

    drafted = post(clocked_client, "/warnings/new", data=draft_fields())
    submitted = post(clocked_client, f"/warnings/{warning_id}/submit", data={"csrf_token": "forged"})
    targeted = post(clocked_client, "/warnings/new/targeting", data=draft_fields(), headers=HTMX)

    assert drafted.status_code == 403
    assert "expired" in alert_of(drafted)
    assert submitted.status_code == 403
    assert "expired" in alert_of(submitted)
    assert "expired" in blocks(targeted.text, "alert")[0]
    assert counts(clocked_world.platform) == before


# --- the approval round, issuing, updating, cancelling ---------------------------------------------------


def test_the_warning_is_approved_by_each_country_and_issued_through_the_forms(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    warning_id = sw.draft(world)
    console_sign_in(client, "nl.info")
    assert send(client, warning_id, "submit").status_code == 303

    _, doc = page(client, f"/warnings/{warning_id}")
    approve_forms = forms(doc, f"/warnings/{warning_id}/approve")
    assert len(approve_forms) == 1  # only the Dutch officer's own country
    assert {i["value"] for i in doc.elements("input") if i.get("name") == "country"} == {"NL"}
    assert doc.fields["revision"] == "1"
    approved = send(client, warning_id, "approve", country="NL", revision="1", comment="Akkoord")
    assert approved.status_code == 303
    assert approved.headers["location"] == f"/warnings/{warning_id}#approvals"
    too_early = send(client, warning_id, "issue")
    assert too_early.status_code == 409
    assert "BE" in alert_of(too_early)

    switch_to(client, "be.info")
    _, doc = page(client, f"/warnings/{warning_id}")
    for action in ("revise", "submit", "update", "cancel", "issue"):  # not the drafter's partner
        assert forms(doc, f"/warnings/{warning_id}/{action}") == [], action
    assert send(client, warning_id, "approve", country="BE", revision="1").status_code == 303
    switch_to(client, "nl.info")
    issued = send(client, warning_id, "issue")
    assert issued.status_code == 303
    sw.publish(world)

    stored = api(client, f"/api/warnings/{warning_id}")
    assert stored["state"] == "issued"
    assert {code: part["status"] for code, part in stored["parts"].items()} == {
        "BE": "issued",
        "NL": "issued",
    }
    response, doc = page(client, f"/warnings/{warning_id}")
    identifier = stored["messages"][0]["identifier"]
    cap_links = [a["href"] for a in doc.elements("a") if "/cap/" in a.get("href", "")]
    assert f"/api/warnings/{warning_id}/cap/{identifier}" in cap_links
    assert f"/api/warnings/{warning_id}/cap/{identifier}?country=BE" in cap_links
    assert client.get(cap_links[0]).headers["content-type"].startswith("application/cap+xml")
    approvals = blocks(response.text, "wstate-approved")
    assert len(approvals) == 2


def test_a_decision_on_a_revision_nobody_sees_any_more_is_refused(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    warning_id = sw.draft(world)
    world.platform.bus.handle(c.SubmitForApproval(actor=world.actor("nl.info"), warning_id=warning_id))
    console_sign_in(client, "be.info")
    stale_token = token(client, f"/warnings/{warning_id}")
    world.platform.bus.handle(
        c.ReviseWarning(
            actor=world.actor("nl.info"), warning_id=warning_id, expected_revision=1, area_description="Geul"
        )
    )
    before = counts(world.platform)

    response = post(
        client,
        f"/warnings/{warning_id}/approve",
        data={"csrf_token": stale_token, "country": "BE", "revision": "1"},
    )

    assert response.status_code == 409
    assert "revision 2" in alert_of(response)
    assert counts(world.platform) == before


def test_revising_through_the_form_makes_a_new_revision_only_when_something_changed(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.draft(clocked_world)
    console_sign_in(clocked_client, "nl.info")
    _, doc = page(clocked_client, f"/warnings/{warning_id}")
    assert forms(doc, f"/warnings/{warning_id}/revise")
    unchanged = _revise_fields(clocked_client, warning_id)

    assert post(clocked_client, f"/warnings/{warning_id}/revise", data=unchanged).status_code == 303
    assert api(clocked_client, f"/api/warnings/{warning_id}")["revision"] == 1

    changed = {**_revise_fields(clocked_client, warning_id), "severity": "Extreme", "lb.headline": ""}
    changed["remove_languages"] = ["de"]
    assert post(clocked_client, f"/warnings/{warning_id}/revise", data=changed).status_code == 303
    stored = api(clocked_client, f"/api/warnings/{warning_id}")
    assert (stored["revision"], stored["severity"]) == (2, "Extreme")
    assert "de" not in stored["texts"]


def test_a_refused_revision_comes_back_as_typed_and_changes_nothing(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.draft(clocked_world)
    console_sign_in(clocked_client, "nl.info")
    fields = {**_revise_fields(clocked_client, warning_id), "area_description": "Only Valkenburg"}
    before = counts(clocked_world.platform)

    response = post(
        clocked_client, f"/warnings/{warning_id}/revise", data={**fields, "expires": "2025-01-06T11:00"}
    )

    assert response.status_code == 400
    assert "expires" in alert_of(response)
    doc = Doc(response.text)
    assert doc.fields["area_description"] == "Only Valkenburg"
    assert [d for tag, d in doc.tags if tag == "details" and "open" in d]
    assert counts(clocked_world.platform) == before


def _revise_fields(client: Client, warning_id: uuid.UUID) -> dict[str, Any]:
    """The revise form as the page fills it (inputs, selected options and textareas)."""
    stored = api(client, f"/api/warnings/{warning_id}")
    fields: dict[str, Any] = {
        "csrf_token": token(client, f"/warnings/{warning_id}"),
        "expected_revision": str(stored["revision"]),
        "hazard": stored["hazard"]["code"],
        "category": stored["hazard"]["category"],
        "awareness_type": str(stored["hazard"]["awareness_type"]["number"]),
        "severity": stored["severity"],
        "urgency": stored["urgency"],
        "certainty": stored["certainty"],
        "response_types": stored["response_types"],
        "onset": "2025-01-06T12:00",
        "expires": "2025-01-07T11:00",
        "area_description": stored["area_description"],
    }
    for code, text in stored["texts"].items():
        fields.update(
            {f"{code}.{name}": text.get(name) or "" for name in ("headline", "description", "instruction")}
        )
    return fields


def test_fill_from_template_writes_every_language_the_area_needs(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.draft(clocked_world, texts=())
    console_sign_in(clocked_client, "nl.info")

    response = send(clocked_client, warning_id, "template", expected_revision="1")

    assert response.status_code == 303, response.text[:2000]
    stored = api(clocked_client, f"/api/warnings/{warning_id}")
    assert {"nl", "fr", "de"} <= set(stored["texts"])
    assert stored["missing_languages"] == []


def test_comments_updates_and_cancelling_through_the_forms(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    warning_id = sw.issued(world)
    console_sign_in(client, "be.info")
    assert send(client, warning_id, "comments", text="Visé evacuates at noon").status_code == 303
    switch_to(client, "nl.info")
    world.platform.bus.handle(
        c.ReviseWarning(
            actor=world.actor("nl.info"), warning_id=warning_id, expected_revision=1, area_description="Geul"
        )
    )
    sw.approve(world, warning_id, revision=2)

    updated = send(client, warning_id, "update", note="the Meuse still rises")
    refused = send(client, warning_id, "cancel", reason=" ")
    cancelled = send(client, warning_id, "cancel", reason="water receding")

    assert updated.status_code == 303
    assert refused.status_code == 400
    assert "reason" in alert_of(refused)
    assert cancelled.status_code == 303
    stored = api(client, f"/api/warnings/{warning_id}")
    assert stored["state"] == "cancelled"
    assert [m["msg_type"] for m in stored["messages"]] == ["Alert", "Update", "Cancel"]
    assert stored["messages"][1]["note"] == "the Meuse still rises"
    response, _ = page(client, f"/warnings/{warning_id}")
    assert "Visé evacuates at noon" in response.text
    assert blocks(response.text, "wstate-cancelled")


def test_an_exercise_is_flagged_wherever_it_is_shown(clocked_world: World, clocked_client: Client) -> None:
    console_sign_in(clocked_client, "nl.info")

    warning_id = drafted_id(draft_by_form(clocked_client, status="Exercise"))

    response, _ = page(clocked_client, f"/warnings/{warning_id}")
    assert "EXERCISE — never reaches the public" in blocks(response.text, "not-actual-banner")[0]
    listed, _ = page(clocked_client, "/warnings")
    assert "EXERCISE" in blocks(listed.text, "not-actual")[0]
    assert api(clocked_client, f"/api/warnings/{warning_id}")["status"] == "Exercise"


def test_the_marking_chosen_on_the_form_is_kept(clocked_world: World, clocked_client: Client) -> None:
    console_sign_in(clocked_client, "nl.info")

    warning_id = drafted_id(draft_by_form(clocked_client, marking=Tlp.GREEN.value))

    assert api(clocked_client, f"/api/warnings/{warning_id}")["marking"] == "GREEN"
