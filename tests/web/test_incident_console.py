"""The incident console (server-rendered pages) used through its own forms, signed in as an operator.

Every write goes through the form a browser would send: URL-encoded, with the page's csrf_token, and the
redirect checked rather than followed. A refused form re-renders the page with the reason and changes
nothing. The API is only read, to check what a form recorded.
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from markupsafe import escape

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.model import EntryKind, Mode, Point
from crisislink.domains.incidents.sitreps import SitrepText
from crisislink.domains.sharing import commands as sc
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.web.conftest import MONDAY_MORNING, Client, count
from tests.web.test_console import Doc, console_sign_in, page, post

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ESCAPED = str(escape(PAYLOAD))
HTMX = {"hx-request": "true"}
# Tables a form writes to, and the append-only logs: a refused form must not add a row to any of them.
WRITTEN = (
    t.incidents,
    t.incident_levels,
    t.incident_log,
    t.incident_tasks,
    t.sitreps,
    t.neighbour_notifications,
    t.events,
    t.audit_log,
)
INCIDENT_PATH = re.compile(r"^/incidents/([0-9a-f-]{36})$")


# --- reading pages --------------------------------------------------------------------------------------


class Blocks(HTMLParser):
    """The text of every element whose class list holds `css_class`, as a screen reader would read it."""

    VOID = Doc.VOID

    def __init__(self, text: str, css_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.found: list[str] = []
        self._open: list[list[str]] = []  # text being collected, one per open matching element
        self._depths: list[int] = []
        self._depth = 0
        self._hidden_at: int | None = None  # the depth of an open aria-hidden element
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        self._depth += 1
        values = dict(attrs)
        if values.get("aria-hidden") == "true" and self._hidden_at is None:
            self._hidden_at = self._depth
        classes = (values.get("class") or "").split()
        if self.css_class in classes:
            self._open.append([])
            self._depths.append(self._depth)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self._depths and self._depths[-1] == self._depth:
            self._depths.pop()
            self.found.append(" ".join("".join(self._open.pop()).split()))
        if self._hidden_at == self._depth:
            self._hidden_at = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._hidden_at is not None:
            return
        for collected in self._open:
            collected.append(data)


def blocks(text: str, css_class: str) -> list[str]:
    return Blocks(text, css_class).found


def counts(platform: Platform) -> dict[str, int]:
    return {table.name: count(platform, table) for table in WRITTEN}


def alert_of(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text  # the whole page again, not a bare message
    alerts = blocks(response.text, "alert")
    assert len(alerts) == 1, response.text[:2000]
    assert [attrs for _, attrs in Doc(response.text).tags if attrs.get("role") == "alert"]
    return alerts[0]


def switch_to(client: Client, username: str) -> None:
    client.cookies.clear()
    console_sign_in(client, username)


def form_token(client: Client, path: str = "/incidents") -> str:
    _, doc = page(client, path)
    token = doc.fields["csrf_token"]
    assert token
    return token


def incident_page(client: Client, incident_id: uuid.UUID) -> httpx.Response:
    response, _ = page(client, f"/incidents/{incident_id}")
    return response


def api(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


# --- writing through the forms --------------------------------------------------------------------------


def declare_fields(world: World, **changes: str) -> dict[str, str]:
    fields = {
        "title": "Flooding of the Meuse at Visé",
        "hazard": "flood.river",
        "lead_partner_id": str(world.partners["BE-NCCN"]),
        "marking": "GREEN",
        "description": "The Meuse overflows its banks",
        "lon": "5.69",
        "lat": "50.74",
        "radius_km": "2",
        "mode": "live",
    }
    return {**fields, **changes}


def declare_by_form(client: Client, world: World, **changes: str) -> uuid.UUID:
    data = {**declare_fields(world, **changes), "csrf_token": form_token(client)}
    response = post(client, "/incidents/new", data=data)
    assert response.status_code == 303, response.text[:2000]
    found = INCIDENT_PATH.match(response.headers["location"])
    assert found, response.headers["location"]
    return uuid.UUID(found.group(1))


def send(client: Client, path: str, on_page: uuid.UUID, /, **fields: str) -> httpx.Response:
    """A form of an incident's page, sent with the token that page carries."""
    token = form_token(client, f"/incidents/{on_page}")
    return post(client, path, data={"csrf_token": token, **fields})


def give_jurisdiction(world: World, partner: str, region: str) -> None:
    partner_id = world.partners[partner]
    version = directory.get_partner(world.platform.engine, partner_id).version
    world.platform.bus.handle(
        sc.UpdatePartner(
            actor=SYSTEM,
            partner_id=partner_id,
            expected_version=version,
            jurisdiction=Area(ReferenceData().get("regions", region).geometry, ref=f"regions:{region}"),
        )
    )


def declare_by_bus(world: World, username: str = "be.duty", **changes: Any) -> uuid.UUID:
    command = c.DeclareIncident(
        actor=world.actor(username),
        title=changes.pop("title", "Chemical fire at a storage site"),
        hazard="chemical.fire",
        description="",
        lead_partner_id=world.user_partner[username],
        buffer=c.Buffer(centre=Point(lon=4.35, lat=50.85), radius_m=1000),
        **changes,
    )
    incident_id: uuid.UUID = world.platform.bus.handle(command)
    return incident_id


def update_incident(world: World, incident_id: uuid.UUID, **changes: Any) -> None:
    version = api_version(world, incident_id)
    world.platform.bus.handle(
        c.UpdateIncident(
            actor=world.actor("be.duty"), incident_id=incident_id, expected_version=version, **changes
        )
    )


def api_version(world: World, incident_id: uuid.UUID) -> int:
    with world.platform.engine.connect() as conn:
        version = conn.execute(
            sa.select(t.incidents.c.version).where(t.incidents.c.id == incident_id)
        ).scalar_one()
    assert isinstance(version, int)
    return version


# --- signing in -----------------------------------------------------------------------------------------


def test_the_incident_pages_send_an_anonymous_visitor_to_the_sign_in_page(
    world: World, client: Client
) -> None:
    incident_id = declare_by_bus(world)
    for path in ("/incidents", f"/incidents/{incident_id}", f"/incidents/{incident_id}/timeline"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in {302, 303, 307}, path
        assert response.headers["location"] == f"/login?next={path}"
        assert "Chemical fire" not in response.text
    before = counts(world.platform)

    response = post(client, "/incidents/new", data=declare_fields(world, csrf_token="x"))

    assert response.status_code in {302, 303, 307}
    assert response.headers["location"].startswith("/login")
    assert counts(world.platform) == before


# --- declaring, and the incident page ------------------------------------------------------------------


def test_an_incident_declared_on_the_incidents_page_opens_its_own_page(world: World, client: Client) -> None:
    console_sign_in(client, "be.duty")
    _, doc = page(client, "/incidents")
    assert [f for f in doc.elements("form") if f.get("action") == "/incidents/new"]

    incident_id = declare_by_form(client, world)

    response = incident_page(client, incident_id)
    doc = Doc(response.text)
    assert blocks(response.text, "incident-page")
    assert "Flooding of the Meuse at Visé" in response.text.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "<title>Flooding of the Meuse at Visé" in response.text
    assert not blocks(response.text, "mode-banner")  # a live incident carries no banner
    cards = blocks(response.text, "level-card")
    assert len(cards) == 3
    assert [card.split(" —")[0] for card in cards] == ["Netherlands", "Belgium", "Luxembourg"]
    assert all("No level reported." in card for card in cards)
    # Only the operator's own country's card offers the form to set a level.
    level_forms = [f for f in doc.elements("form") if f.get("action") == f"/incidents/{incident_id}/levels"]
    assert len(level_forms) == 1
    assert [i["value"] for i in doc.elements("input") if i.get("name") == "country"] == ["BE"]

    stored = api(client, f"/api/incidents/{incident_id}")
    assert stored["title"] == "Flooding of the Meuse at Visé"
    assert (stored["hazard"], stored["mode"], stored["marking"]) == ("flood.river", "live", "GREEN")
    assert stored["lead_partner_id"] == str(world.partners["BE-NCCN"])
    assert stored["location"] == [5.69, 50.74]
    assert stored["description"] == "The Meuse overflows its banks"

    listed, _ = page(client, "/incidents")
    links = [a for a in Doc(listed.text).elements("a") if a.get("href") == f"/incidents/{incident_id}"]
    assert links
    assert "Flooding of the Meuse at Visé" in listed.text


@pytest.mark.parametrize(
    ("mode", "banner"),
    [
        ("replay", "REPLAY of a past event — not live data"),
        ("exercise", "EXERCISE — not a real incident"),
    ],
)
def test_a_replay_or_exercise_is_bannered_so_nobody_takes_it_for_live(
    world: World, client: Client, mode: str, banner: str
) -> None:
    console_sign_in(client, "be.duty")

    incident_id = declare_by_form(client, world, mode=mode)

    response = incident_page(client, incident_id)
    assert blocks(response.text, "mode-banner") == [banner]
    assert [a for _, a in Doc(response.text).tags if a.get("class") == f"mode-banner mode-{mode}"]
    listed, _ = page(client, "/incidents")
    assert mode.upper() in blocks(listed.text, f"mode-{mode}")
    assert api(client, f"/api/incidents/{incident_id}")["mode"] == mode


# --- levels ---------------------------------------------------------------------------------------------


def test_each_country_sets_its_own_level_and_the_levels_stand_side_by_side(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world)
    path = f"/incidents/{incident_id}/levels"

    response = send(client, path, incident_id, country="BE", level="PROVINCIAL", reason="Governor in charge")

    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == f"/incidents/{incident_id}"
    update_incident(world, incident_id, involved=frozenset({world.partners["NL-VR23"]}))
    switch_to(client, "nl.duty")
    _, doc = page(client, f"/incidents/{incident_id}")
    assert [i["value"] for i in doc.elements("input") if i.get("name") == "country"] == ["NL"]
    answered = send(client, path, incident_id, country="NL", level="GRIP_2", reason="ROT convened")
    assert answered.status_code == 303, answered.text[:2000]

    switch_to(client, "be.duty")
    cards = blocks(incident_page(client, incident_id).text, "level-card")
    netherlands, belgium, luxembourg = cards
    assert "GRIP 2: source and effect control, ROT" in netherlands
    assert "ROT convened" in netherlands
    assert "NL-VR23" in netherlands
    assert "Provincial phase: the governor coordinates" in belgium
    assert "Governor in charge" in belgium
    assert "GRIP" not in belgium
    assert "No level reported." in luxembourg
    levels = {lv["country"]: lv["level"] for lv in api(client, f"/api/incidents/{incident_id}")["levels"]}
    assert levels == {"BE": "PROVINCIAL", "NL": "GRIP_2"}


def test_nobody_sets_another_countrys_level_even_by_editing_the_form(world: World, client: Client) -> None:
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world)
    before = counts(world.platform)

    response = send(client, f"/incidents/{incident_id}/levels", incident_id, country="NL", level="GRIP_4")

    assert response.status_code == 403
    assert "only a partner from NL" in alert_of(response)
    assert counts(world.platform) == before


# --- the common log -------------------------------------------------------------------------------------


def test_a_decision_is_logged_with_who_decided_and_on_what_basis(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world)

    response = send(
        client,
        f"/incidents/{incident_id}/log",
        incident_id,
        kind="decision",
        text="Evacuate the quays of Visé",
        occurred_at="2025-01-06T10:30",  # the operator's own time: Brussels, UTC+1 in January
        decided_by="Governor of Liège",
        basis="Meuse level forecast above 6 m",
    )

    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == f"/incidents/{incident_id}#timeline"
    items = blocks(incident_page(client, incident_id).text, "tl-item")
    (decision,) = [item for item in items if "Evacuate the quays of Visé" in item]
    assert "Decision" in decision
    assert "Decided by Governor of Liège; basis: Meuse level forecast above 6 m" in decision
    assert "10:30" in decision  # shown in the operator's time, as entered
    (entry,) = api(client, f"/api/incidents/{incident_id}/log")
    assert (entry["kind"], entry["decided_by"], entry["basis"]) == (
        "decision",
        "Governor of Liège",
        "Meuse level forecast above 6 m",
    )
    assert entry["occurred_at"] == "2025-01-06T09:30:00Z"
    assert entry["owner_partner_id"] == str(world.partners["BE-NCCN"])


# --- tasks ----------------------------------------------------------------------------------------------


def test_a_task_is_assigned_and_moved_through_the_forms(clocked_world: World, clocked_client: Client) -> None:
    world, client = clocked_world, clocked_client
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world)

    response = send(
        client,
        f"/incidents/{incident_id}/tasks",
        incident_id,
        title="Close the Meuse quays to traffic",
        assignee_partner_id=str(world.partners["BE-NCCN"]),
        due_in_minutes="90",
    )

    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == f"/incidents/{incident_id}#tasks"
    (task,) = api(client, f"/api/incidents/{incident_id}/tasks")
    assert task["title"] == "Close the Meuse quays to traffic"
    assert task["due_at"] == "2025-01-06T11:30:00Z"
    assert task["status"] == "open"
    text = incident_page(client, incident_id).text
    (shown,) = blocks(text, "task")
    assert "Close the Meuse quays to traffic" in shown
    assert "Open" in shown
    doc = Doc(text)
    assert [f for f in doc.elements("form") if f.get("action") == f"/tasks/{task['id']}/move"]
    assert doc.fields["expected_version"] == str(task["version"])

    move = {"incident_id": str(incident_id), "expected_version": str(task["version"])}
    started = send(client, f"/tasks/{task['id']}/move", incident_id, status="in_progress", **move)

    assert started.status_code == 303, started.text[:2000]
    assert started.headers["location"] == f"/incidents/{incident_id}#tasks"
    (shown,) = blocks(incident_page(client, incident_id).text, "task")
    assert "In progress" in shown
    # The same form sent again carries a version that is out of date: refused, nothing moves.
    before = counts(world.platform)
    stale = send(client, f"/tasks/{task['id']}/move", incident_id, status="done", **move)
    assert stale.status_code == 409
    assert "changed since you read it" in alert_of(stale)
    assert counts(world.platform) == before
    assert api(client, f"/api/tasks/{task['id']}")["status"] == "in_progress"


# --- situation reports ----------------------------------------------------------------------------------


def test_a_sitrep_in_two_of_three_languages_is_drafted_published_and_flagged_for_the_third(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world)
    update_incident(world, incident_id, languages=("en", "fr", "nl"))
    doc = Doc(incident_page(client, incident_id).text)
    areas = {a["name"] for a in doc.elements("textarea")}
    assert {"en.situation", "fr.situation", "nl.situation", "fr.outlook"} <= areas

    response = send(
        client,
        f"/incidents/{incident_id}/sitreps",
        incident_id,
        **{
            "en.situation": "The Meuse is at 6.2 m and rising",
            "en.outlook": "Peak expected tonight",
            "fr.situation": "La Meuse est à 6,2 m et monte",
            "nl.situation": "",
            "dead": "1",
            "injured": "12",
            "missing": "2",
            "evacuated": "300",
            "displaced": "40",
        },
    )

    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == f"/incidents/{incident_id}#sitreps"
    (draft,) = api(client, f"/api/incidents/{incident_id}/sitreps")
    assert draft["status"] == "draft"
    text = incident_page(client, incident_id).text
    (listed,) = blocks(text, "sitreps")
    assert "No. 1" in listed
    assert "Draft" in listed
    publish_forms = [
        f for f in Doc(text).elements("form") if f.get("action") == f"/sitreps/{draft['id']}/publish"
    ]
    assert len(publish_forms) == 1

    published = send(client, f"/sitreps/{draft['id']}/publish", incident_id, incident_id=str(incident_id))

    assert published.status_code == 303, published.text[:2000]
    text = incident_page(client, incident_id).text
    (listed,) = blocks(text, "sitreps")
    assert "Published" in listed
    assert "Draft" not in listed
    assert blocks(text, "missing-languages") == ["No text yet in: Dutch"]
    assert not [f for f in Doc(text).elements("form") if f.get("action", "").startswith("/sitreps/")]
    (report,) = api(client, f"/api/incidents/{incident_id}/sitreps")
    assert report["status"] == "published"
    assert report["figures"] == {"dead": 1, "injured": 12, "missing": 2, "evacuated": 300, "displaced": 40}
    assert sorted(report["texts"]) == ["en", "fr"]
    assert report["texts"]["en"]["outlook"] == "Peak expected tonight"
    assert report["texts"]["fr"]["situation"] == "La Meuse est à 6,2 m et monte"
    assert report["missing_languages"] == ["nl"]


# --- refusals: bad values, missing or wrong tokens ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "mention"),
    [
        pytest.param({"lon": "abc"}, "longitude: 'abc' is not a number", id="longitude"),
        pytest.param({"lat": "91"}, "outside WGS84", id="latitude-range"),
        pytest.param({"radius_km": "900"}, "between 0 and 200 km", id="radius"),
        pytest.param({"hazard": "volcano"}, "unknown hazard type 'volcano'", id="hazard"),
        pytest.param({"title": "   "}, "the title must not be empty", id="title"),
        pytest.param({"marking": "PURPLE"}, "marking: 'PURPLE' is not a valid choice", id="marking"),
        pytest.param({"lead_partner_id": "nobody"}, "choose the lead partner", id="lead"),
    ],
)
def test_a_declaration_with_a_bad_value_is_shown_again_with_the_reason_and_creates_nothing(
    world: World, client: Client, changes: dict[str, str], mention: str
) -> None:
    console_sign_in(client, "be.duty")
    before = counts(world.platform)

    response = post(
        client, "/incidents/new", data={**declare_fields(world, **changes), "csrf_token": form_token(client)}
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    message = alert_of(response)
    assert message.startswith("Not done:")
    assert mention in message
    doc = Doc(response.text)
    assert [f for f in doc.elements("form") if f.get("action") == "/incidents/new"]
    assert [d for d in doc.elements("details") if "open" in d]  # the form is open again to correct it
    assert counts(world.platform) == before


INCIDENT_FORMS: list[Any] = [
    pytest.param(
        "log",
        {"kind": "decision", "text": "Evacuate", "decided_by": "Governor", "basis": ""},
        "a decision records who decided and on what basis",
        id="decision-without-basis",
    ),
    pytest.param(
        "log",
        {"kind": "information", "text": "Noted", "decided_by": "Governor", "basis": ""},
        "only a decision has",
        id="information-with-decider",
    ),
    pytest.param("log", {"kind": "information", "text": "  "}, "must not be empty", id="empty-text"),
    pytest.param(
        "log",
        {"kind": "information", "text": "Noted", "occurred_at": "yesterday"},
        "'yesterday' is not a date and time",
        id="bad-time",
    ),
    pytest.param(
        "log",
        {"kind": "information", "text": "Noted", "occurred_at": "2999-01-01T10:00"},
        "cannot happen in the future",
        id="future-time",
    ),
    pytest.param("log", {"kind": "rumour", "text": "Noted"}, "'rumour' is not a valid choice", id="kind"),
    pytest.param("tasks", {"title": "Sandbags", "due_in_minutes": "soon"}, "not a number", id="due"),
    pytest.param("tasks", {"title": "Sandbags", "due_in_minutes": "-5"}, "before it is created", id="past"),
    pytest.param("tasks", {"title": "", "due_in_minutes": "30"}, "must not be empty", id="no-title"),
    pytest.param("sitreps", {"en.situation": "Rising", "dead": "many"}, "'many' is not a whole", id="figure"),
    pytest.param("sitreps", {"en.situation": "Rising", "injured": "-3"}, "not a whole number", id="negative"),
    pytest.param("sitreps", {"en.situation": ""}, "at least one language", id="no-text"),
    pytest.param("levels", {"country": "BE", "level": "APOCALYPSE"}, "not a level", id="level"),
    pytest.param("status", {"status": "paused"}, "'paused' is not a valid choice", id="status"),
]


@pytest.mark.parametrize(("form", "fields", "mention"), INCIDENT_FORMS)
def test_a_form_of_the_incident_page_with_a_bad_value_is_refused_with_400_and_changes_nothing(
    clocked_world: World, clocked_client: Client, form: str, fields: dict[str, str], mention: str
) -> None:
    world, client = clocked_world, clocked_client
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world)
    if form == "tasks":
        fields = {**fields, "assignee_partner_id": str(world.partners["BE-NCCN"])}
    before = counts(world.platform)

    response = send(client, f"/incidents/{incident_id}/{form}", incident_id, **fields)

    assert response.status_code == 400, response.text[:2000]
    message = alert_of(response)
    assert message.startswith("Not done:")
    assert mention in message
    assert blocks(response.text, "incident-page")  # the incident's page again, with its forms
    assert counts(world.platform) == before


def _declare_data(world: World, _incident: uuid.UUID) -> tuple[str, dict[str, str]]:
    return "/incidents/new", declare_fields(world)


def _level_data(_world: World, incident: uuid.UUID) -> tuple[str, dict[str, str]]:
    return f"/incidents/{incident}/levels", {"country": "BE", "level": "MUNICIPAL"}


def _log_data(_world: World, incident: uuid.UUID) -> tuple[str, dict[str, str]]:
    return f"/incidents/{incident}/log", {"kind": "information", "text": "Forged entry"}


def _task_data(world: World, incident: uuid.UUID) -> tuple[str, dict[str, str]]:
    partner = str(world.partners["BE-NCCN"])
    return f"/incidents/{incident}/tasks", {"title": "Forged", "assignee_partner_id": partner}


def _sitrep_data(_world: World, incident: uuid.UUID) -> tuple[str, dict[str, str]]:
    return f"/incidents/{incident}/sitreps", {"en.situation": "Forged", "dead": "3"}


def _status_data(_world: World, incident: uuid.UUID) -> tuple[str, dict[str, str]]:
    return f"/incidents/{incident}/status", {"status": "closed", "reason": "Forged"}


FORGED_FORMS = {
    "declare": _declare_data,
    "level": _level_data,
    "log": _log_data,
    "task": _task_data,
    "sitrep": _sitrep_data,
    "status": _status_data,
}


TOKENS = ("missing", "empty", "wrong", "another-session")
# Every way of getting the token wrong on two forms; the one most likely to slip through on the others.
FORGERIES = [
    *((form, token) for form in ("declare", "log") for token in TOKENS),
    *((form, "another-session") for form in sorted(FORGED_FORMS) if form not in {"declare", "log"}),
]


@pytest.mark.parametrize(("form", "token"), FORGERIES)
def test_a_form_without_the_sessions_token_is_refused_and_changes_nothing(
    world: World, client: Client, form: str, token: str
) -> None:
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world)
    own = form_token(client)
    path, data = FORGED_FORMS[form](world, incident_id)
    if token == "empty":
        data["csrf_token"] = ""
    elif token == "wrong":
        data["csrf_token"] = own[::-1]
    elif token == "another-session":  # the token of the same user's previous session
        data["csrf_token"] = own
        switch_to(client, "be.duty")
        assert form_token(client) != own
    before = counts(world.platform)

    response = post(client, path, data=data)

    assert response.status_code == 403
    assert "this form has expired" in alert_of(response)
    assert counts(world.platform) == before
    assert api(client, f"/api/incidents/{incident_id}")["status"] == "active"


# --- cross-site scripting -------------------------------------------------------------------------------


def assert_escaped(response: httpx.Response, times: int = 1) -> None:
    """The payload arrives as text: never raw, escaped (so it was shown), and no element of its own."""
    body = response.text
    assert PAYLOAD not in body
    assert "<img src=x" not in body
    assert body.count(ESCAPED) >= times, body[:3000]
    doc = Doc(body)
    assert [code for code in doc.inline_scripts if code.strip()] == []
    assert not doc.elements("img")
    for tag, attrs in doc.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    assert PAYLOAD in html.unescape(body)


def test_markup_in_a_title_and_the_log_is_escaped_on_every_incident_page(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world, title=PAYLOAD, description=PAYLOAD)
    logged = send(
        client,
        f"/incidents/{incident_id}/log",
        incident_id,
        kind="decision",
        text=PAYLOAD,
        decided_by=PAYLOAD,
        basis=PAYLOAD,
    )
    assert logged.status_code == 303, logged.text[:2000]
    assigned = send(
        client,
        f"/incidents/{incident_id}/tasks",
        incident_id,
        title=PAYLOAD,
        assignee_partner_id=str(world.partners["BE-NCCN"]),
    )
    assert assigned.status_code == 303, assigned.text[:2000]

    listed, _ = page(client, "/incidents")
    assert_escaped(listed)
    shown = incident_page(client, incident_id)
    # The <title>, the heading, the description, the log text, who decided, the basis and the task.
    assert_escaped(shown, times=7)
    assert f"<title>{ESCAPED}" in shown.text
    part, _ = page(client, f"/incidents/{incident_id}/timeline", headers=HTMX)
    assert_escaped(part, times=3)
    assert "<html" not in part.text  # a fragment to swap in, not a page
    for language in ("fr", "de"):
        translated, _ = page(client, f"/incidents/{incident_id}", params={"lang": language})
        assert_escaped(translated, times=7)


def test_a_neighbour_sees_the_title_escaped_in_its_inbox_and_acknowledges_it(
    world: World, client: Client
) -> None:
    give_jurisdiction(world, "BE-PROV-LIEGE", "BE33")
    give_jurisdiction(world, "NL-VR23", "VR24")
    world.contact("NL-VR23", Tlp.GREEN, name="Zuid-Limburg 24/7 desk")
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world, title=PAYLOAD, lon="5.70", lat="50.78", radius_km="4")
    (told,) = blocks(incident_page(client, incident_id).text, "status-pending")
    assert "NL-VR23" in told
    assert "Waiting for acknowledgement" in told
    switch_to(client, "nl.duty")

    inbox, doc = page(client, "/incidents")

    assert_escaped(inbox, times=2)  # in the inbox and in the list of incidents
    (waiting,) = blocks(inbox.text, "notification")
    assert "BE\N{EN DASH}NL border" in waiting
    (form,) = [f for f in doc.elements("form") if f.get("action", "").endswith("/acknowledge")]
    acknowledged = post(client, form["action"], data={"csrf_token": doc.fields["csrf_token"]})
    assert acknowledged.status_code == 303, acknowledged.text[:2000]
    assert acknowledged.headers["location"] == "/incidents"
    after, _ = page(client, "/incidents")
    assert not blocks(after.text, "notification")
    assert "Nothing waits for your acknowledgement." in after.text
    switch_to(client, "be.duty")
    (answered,) = blocks(incident_page(client, incident_id).text, "status-acknowledged")
    assert "Acknowledged" in answered


def test_markup_in_a_refused_value_is_escaped_in_the_error(world: World, client: Client) -> None:
    console_sign_in(client, "be.duty")
    before = counts(world.platform)

    response = post(
        client,
        "/incidents/new",
        data={**declare_fields(world, lon=PAYLOAD), "csrf_token": form_token(client)},
    )

    assert response.status_code == 400
    assert_escaped(response)
    assert counts(world.platform) == before


# --- the timeline, page by page -------------------------------------------------------------------------


def timeline_pages(client: Client, incident_id: uuid.UUID) -> list[list[str]]:
    """Every page of the timeline partial, following the "Older entries" button until there is none."""
    pages: list[list[str]] = []
    path = f"/incidents/{incident_id}/timeline"
    while path:
        response, doc = page(client, path, headers=HTMX)
        pages.append(blocks(response.text, "tl-text"))
        more = [b for b in doc.elements("button") if "hx-get" in b]
        assert len(more) <= 1
        if more:
            assert blocks(response.text, "tl-more") == ["Older entries"]
            assert more[0]["hx-target"] == "#tl-more"
        path = more[0]["hx-get"] if more else ""
        assert len(pages) < 20, "the timeline does not end"
    return pages


def add_entries(
    world: World, incident_id: uuid.UUID, times: list[timedelta], base: datetime = MONDAY_MORNING
) -> list[tuple[datetime, str]]:
    """One log entry per time before `base`, each with its own text; returns (occurred_at, text) pairs."""
    added = []
    for n, before in enumerate(times):
        text = f"entry {n:03d}"
        occurred = base - before
        world.platform.bus.handle(
            c.AddLogEntry(
                actor=world.actor("be.duty"),
                incident_id=incident_id,
                kind=EntryKind.INFORMATION,
                text=text,
                occurred_at=occurred,
            )
        )
        added.append((occurred, text))
    return added


def test_older_entries_page_through_the_whole_timeline_without_overlap_or_gap(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    incident_id = declare_by_bus(world)
    added = add_entries(world, incident_id, [timedelta(minutes=n + 1) for n in range(120)])
    console_sign_in(client, "be.duty")

    pages = timeline_pages(client, incident_id)

    assert [len(p) for p in pages] == [50, 50, 20]
    assert [text for p in pages for text in p] == [text for _, text in added]  # newest first
    first_page = blocks(incident_page(client, incident_id).text, "tl-text")
    assert first_page == pages[0]


def test_paging_keeps_entries_that_happened_at_the_same_moment(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    incident_id = declare_by_bus(world)
    # 105 entries at 15 moments, 7 at each: page boundaries fall inside groups of equal times.
    added = add_entries(world, incident_id, [timedelta(minutes=n // 7 + 1) for n in range(105)])
    console_sign_in(client, "be.duty")

    pages = timeline_pages(client, incident_id)

    shown = [text for p in pages for text in p]
    assert [len(p) for p in pages] == [50, 50, 5]
    assert sorted(shown) == sorted(text for _, text in added)
    assert len(set(shown)) == len(shown)
    by_text = {text: occurred for occurred, text in added}
    moments = [by_text[text] for text in shown]
    assert moments == sorted(moments, reverse=True)


# --- who may see an incident ----------------------------------------------------------------------------


def test_an_amber_incident_is_not_found_by_a_partner_outside_its_audience(
    world: World, client: Client
) -> None:
    console_sign_in(client, "be.duty")
    incident_id = declare_by_form(client, world, marking="AMBER", title="Threat against a power plant")
    switch_to(client, "nl.duty")
    for path in (f"/incidents/{incident_id}", f"/incidents/{incident_id}/timeline"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 404, path
        assert "Threat against a power plant" not in response.text
    listed, _ = page(client, "/incidents")
    assert "Threat against a power plant" not in listed.text
    before = counts(world.platform)
    forged = post(
        client,
        f"/incidents/{incident_id}/log",
        data={"csrf_token": form_token(client), "kind": "information", "text": "Seen it"},
    )
    assert forged.status_code == 404
    assert "Threat against a power plant" not in forged.text
    assert counts(world.platform) == before
    switch_to(client, "be.analyst")  # of the same partner as the author: sees it
    assert "Threat against a power plant" in incident_page(client, incident_id).text


def test_an_amber_incident_opens_to_a_partner_it_involves(world: World, client: Client) -> None:
    incident_id = declare_by_bus(world, marking=Tlp.AMBER, mode=Mode.LIVE, title="Threat against a dam")
    console_sign_in(client, "nl.duty")
    assert client.get(f"/incidents/{incident_id}", follow_redirects=False).status_code == 404

    update_incident(world, incident_id, involved=frozenset({world.partners["NL-VR23"]}))

    assert "Threat against a dam" in incident_page(client, incident_id).text


def test_a_report_published_after_a_later_one_still_leads_the_timeline(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    world, client = clocked_world, clocked_client
    incident_id = declare_by_bus(world)
    duty = world.actor("be.duty")
    draft = c.DraftSitrep(actor=duty, incident_id=incident_id, texts=(("en", SitrepText("Rising")),))
    first = world.platform.bus.handle(draft)  # drafted first, at 10:00 ...
    clock.advance(timedelta(minutes=1))
    second = world.platform.bus.handle(draft)
    world.platform.bus.handle(c.PublishSitrep(actor=duty, sitrep_id=second))  # published at 10:01
    clock.advance(timedelta(hours=2))
    # 60 entries between 10:59 and 11:59, then report 1 published at 12:01: the newest thing of all.
    add_entries(world, incident_id, [timedelta(minutes=n + 2) for n in range(60)], base=clock.now())
    world.platform.bus.handle(c.PublishSitrep(actor=duty, sitrep_id=first))
    console_sign_in(client, "be.duty")

    pages = timeline_pages(client, incident_id)

    shown = [text for p in pages for text in p]
    assert shown[0] == "Situation report 1 (Published)"
    assert shown[-1] == "Situation report 2 (Published)"
    assert len(shown) == len(set(shown)) == 62
