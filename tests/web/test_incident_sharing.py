"""A security boundary: records of an incident reach only those who may see both them and the incident.

The scenario of the issue: NCCN leads a GREEN incident and keeps an AMBER+STRICT log entry, task and
situation report on it. Staff of NL-VR23 (another partner, on another node) see the incident and its
GREEN records, and never the AMBER+STRICT ones: not in a list, a single read, the timeline, the changes,
an export, the console pages, the map or the live feed. NCCN's own staff see them everywhere.

Every check reads through the HTTP API (or the console pages), on SQLite and PostgreSQL; the live feed
is read from a real server, like tests/web/test_live_feed.py does.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import events as event_queries
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.domains.sharing import commands as sc
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import PASSWORD, World, live_server
from tests.web.conftest import Client, assert_problem, sign_in

INCIDENTS = "/api/incidents"
LONG_AGO = "2000-01-01T00:00:00Z"
BRUSSELS = {"centre": {"lon": 4.35, "lat": 50.85}, "radius_m": 1000}
NEAR_VISE = {"centre": {"lon": 5.70, "lat": 50.78}, "radius_m": 4000}
REFERENCE = ReferenceData()

# The texts of the AMBER+STRICT records: none may ever reach NL-VR23.
STRICT_LOG = "Informant Jan Peeters reports the tank was tampered with"
STRICT_TASK = "Brief the federal prosecutor on the sabotage lead"
STRICT_SITREP = "Sabotage suspected; prosecutor informed"
STRICT_INCIDENT = "Internal NCCN alert: threat against the Doel plant"
# The GREEN records, which every partner sees: they prove each read path answers at all.
OPEN_LOG = "Road N2 closed between Visé and Eijsden"
OPEN_TASK = "Set up the reception centre in Visé"
OPEN_SITREP = "Fire under control, smoke drifting north"


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in {200, 201}, response.text
    return response.json()


def _switch(client: Client, username: str) -> dict[str, str]:
    client.cookies.clear()
    return sign_in(client, username)


@dataclass(frozen=True)
class Record:
    """One record of the scenario, and the strings that betray it if they appear in a response."""

    kind: str  # entry | task | sitrep
    id: str
    text: str
    alias: str | None = None  # how a timeline names it, where it shows no text of it (a report's number)

    def appears_in(self, text: str) -> bool:
        return self.id in text or self.text in text or (self.alias is not None and self.alias in text)


@dataclass(frozen=True)
class Scenario:
    incident: str  # GREEN, led by NCCN
    strict_incident: str  # AMBER+STRICT, NCCN's own
    open: tuple[Record, ...]
    strict: tuple[Record, ...]
    start: int  # the event log's head before the scenario was built

    def record(self, kind: str, strict: bool) -> Record:
        return next(r for r in (self.strict if strict else self.open) if r.kind == kind)


def _sitrep(client: Client, csrf: dict[str, str], incident: str, text: str, marking: str) -> str:
    body = {"texts": {"en": {"situation": text}}, "marking": marking}
    sitrep_id = str(_ok(client.post(f"{INCIDENTS}/{incident}/sitreps", json=body, headers=csrf))["id"])
    published = _ok(client.post(f"/api/sitreps/{sitrep_id}/publish", json={}, headers=csrf))
    assert published["status"] == "published"
    return sitrep_id


def build_scenario(world: World, client: Client) -> Scenario:
    start = event_queries.head_position(world.platform.engine)
    csrf = _switch(client, "be.duty")
    nccn = str(world.partners["BE-NCCN"])
    incident = _ok(
        client.post(
            INCIDENTS,
            json={
                "title": "Fire at Visé",
                "hazard": "chemical.fire",
                "lead_partner_id": nccn,
                "buffer": BRUSSELS,
            },
            headers=csrf,
        )
    )["id"]
    strict_incident = _ok(
        client.post(
            INCIDENTS,
            json={
                "title": STRICT_INCIDENT,
                "hazard": "security.terrorism",
                "lead_partner_id": nccn,
                "buffer": BRUSSELS,
                "marking": "AMBER+STRICT",
            },
            headers=csrf,
        )
    )["id"]
    log = f"{INCIDENTS}/{incident}/log"
    open_entry = _ok(client.post(log, json={"kind": "information", "text": OPEN_LOG}, headers=csrf))["id"]
    strict_entry = _ok(
        client.post(
            log, json={"kind": "information", "text": STRICT_LOG, "marking": "AMBER+STRICT"}, headers=csrf
        )
    )["id"]
    tasks = f"{INCIDENTS}/{incident}/tasks"
    task = {"due_at": "2099-01-01T00:00:00Z", "assignee_partner_id": nccn}
    open_task = _ok(client.post(tasks, json={**task, "title": OPEN_TASK}, headers=csrf))["id"]
    strict_task = _ok(
        client.post(tasks, json={**task, "title": STRICT_TASK, "marking": "AMBER+STRICT"}, headers=csrf)
    )["id"]
    # The strict report is the latest published one: what an export picks for NCCN, not for others.
    open_sitrep = _sitrep(client, csrf, incident, OPEN_SITREP, "GREEN")
    strict_sitrep = _sitrep(client, csrf, incident, STRICT_SITREP, "AMBER+STRICT")
    return Scenario(
        incident=incident,
        strict_incident=strict_incident,
        open=(
            Record("entry", open_entry, OPEN_LOG),
            Record("task", open_task, OPEN_TASK),
            Record("sitrep", open_sitrep, OPEN_SITREP, "Situation report 1"),
        ),
        strict=(
            Record("entry", strict_entry, STRICT_LOG),
            Record("task", strict_task, STRICT_TASK),
            Record("sitrep", strict_sitrep, STRICT_SITREP, "Situation report 2"),
        ),
        start=start,
    )


# Every read path of one incident, and which kinds of record it carries.
READ_PATHS = {
    "log": ("/api/incidents/{incident}/log", {"entry"}),
    "log export": ("/api/incidents/{incident}/log/export.csv", {"entry"}),
    "timeline": ("/api/incidents/{incident}/timeline?limit=500", {"entry", "task", "sitrep"}),
    "changes": (f"/api/incidents/{{incident}}/changes?since={LONG_AGO}", {"entry", "task", "sitrep"}),
    "tasks": ("/api/incidents/{incident}/tasks", {"task"}),
    "sitreps": ("/api/incidents/{incident}/sitreps", {"sitrep"}),
    "emsi export": ("/api/incidents/{incident}/emsi", {"task"}),
    "console page": ("/incidents/{incident}", {"task", "sitrep", "entry"}),
    "console timeline": ("/incidents/{incident}/timeline", {"entry", "task", "sitrep"}),
}


def _read(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


@pytest.mark.parametrize(
    ("username", "sees_strict"),
    [("be.duty", True), ("be.analyst", True), ("nl.duty", False), ("liege.duty", False)],
)
def test_strict_records_of_a_green_incident_reach_only_their_owner_on_every_read_path(
    world: World, client: Client, username: str, sees_strict: bool
) -> None:
    scenario = build_scenario(world, client)
    _switch(client, username)

    for name, (template, kinds) in READ_PATHS.items():
        text = _read(client, template.format(incident=scenario.incident))
        for kind in kinds:
            assert scenario.record(kind, strict=False).appears_in(text), (name, kind, "open record missing")
            strict = scenario.record(kind, strict=True)
            assert strict.appears_in(text) is sees_strict, (name, kind, username)
        if not sees_strict:
            for record in scenario.strict:
                assert not record.appears_in(text), (name, record.kind)


@pytest.mark.parametrize(("username", "sees_strict"), [("be.duty", True), ("nl.duty", False)])
def test_listings_hold_exactly_the_records_the_viewer_may_see(
    world: World, client: Client, username: str, sees_strict: bool
) -> None:
    scenario = build_scenario(world, client)
    _switch(client, username)
    base = f"{INCIDENTS}/{scenario.incident}"

    def expected(kind: str) -> set[str]:
        records = [scenario.record(kind, strict=False)] + (
            [scenario.record(kind, strict=True)] if sees_strict else []
        )
        return {r.id for r in records}

    assert {e["id"] for e in _ok(client.get(f"{base}/log"))} == expected("entry")
    assert {t["id"] for t in _ok(client.get(f"{base}/tasks"))} == expected("task")
    assert {s["id"] for s in _ok(client.get(f"{base}/sitreps"))} == expected("sitrep")
    export = csv.DictReader(io.StringIO(client.get(f"{base}/log/export.csv").text))
    assert {row["id"] for row in export} == expected("entry")
    for path in (f"{base}/timeline?limit=500", f"{base}/changes?since={LONG_AGO}"):
        items = _ok(client.get(path))
        found = {(i["kind"], i["id"]) for i in items}
        kinds = {"log": "entry", "task": "task", "sitrep": "sitrep"}
        assert {(kinds[k], i) for k, i in found if k in kinds} == {
            (kind, record_id) for kind in ("entry", "task", "sitrep") for record_id in expected(kind)
        }, path
        assert {i["marking"] for i in items} <= ({"GREEN", "AMBER+STRICT"} if sees_strict else {"GREEN"})
    # An EMSI export carries the latest published report the reader may see: the strict no. 2 or the open no. 1.
    emsi = client.get(f"{base}/emsi")
    assert emsi.status_code == 200, emsi.text
    assert ("<CONTEXT>SITREP 2</CONTEXT>" in emsi.text) is sees_strict
    assert ("<CONTEXT>SITREP 1</CONTEXT>" in emsi.text) is not sees_strict


@pytest.mark.parametrize(
    ("username", "sees_strict"), [("be.duty", True), ("nl.duty", False), ("liege.duty", False)]
)
def test_a_strict_record_read_by_its_id_is_a_404_like_a_missing_one(
    world: World, client: Client, username: str, sees_strict: bool
) -> None:
    scenario = build_scenario(world, client)
    _switch(client, username)
    missing = str(uuid.uuid4())
    reads = {
        "task": "/api/tasks/{id}",
        "sitrep": "/api/sitreps/{id}",
        "sitrep page": "/api/sitreps/{id}/document.html",
        "sitrep pdf": "/api/sitreps/{id}/document.pdf",
    }

    for name, template in reads.items():
        kind = name.split()[0]
        open_record = scenario.record(kind, strict=False)
        assert client.get(template.format(id=open_record.id)).status_code == 200, name
        strict = scenario.record(kind, strict=True)
        response = client.get(template.format(id=strict.id))
        if sees_strict:
            assert response.status_code == 200, (name, response.text[:300])
            continue
        absent = client.get(template.format(id=missing))
        body = assert_problem(response, 404)
        assert body["detail"].replace(strict.id, "<id>") == assert_problem(absent, 404)["detail"].replace(
            missing, "<id>"
        ), name
        assert strict.text not in response.text

    # There is no single read of a log entry: an address that looks like one answers nothing about it.
    entry = scenario.record("entry", strict=True)
    response = client.get(f"{INCIDENTS}/{scenario.incident}/log/{entry.id}")
    assert response.status_code in {404, 405}
    assert not entry.appears_in(response.text.replace(f"/log/{entry.id}", ""))


def _incident_ids_on_the_map(client: Client) -> set[str]:
    layer = _ok(client.get("/api/map/layers/incidents"))
    return {f["properties"]["incident_id"] for f in layer["features"]}


@pytest.mark.parametrize(
    ("username", "sees_strict"),
    [("be.duty", True), ("be.analyst", True), ("nl.duty", False), ("liege.duty", False)],
)
def test_the_strict_incident_is_on_the_map_and_in_the_list_of_its_owner_only(
    world: World, client: Client, username: str, sees_strict: bool
) -> None:
    scenario = build_scenario(world, client)
    _switch(client, username)
    expected = {scenario.incident} | ({scenario.strict_incident} if sees_strict else set())

    assert _incident_ids_on_the_map(client) == expected
    assert {row["id"] for row in _ok(client.get(INCIDENTS))} == expected
    strict = client.get(f"{INCIDENTS}/{scenario.strict_incident}")
    assert strict.status_code == (200 if sees_strict else 404)
    page = client.get("/incidents")
    assert page.status_code == 200
    assert (STRICT_INCIDENT in page.text) is sees_strict
    assert (scenario.strict_incident in page.text) is sees_strict
    client.cookies.clear()
    assert _incident_ids_on_the_map(client) == set()  # the public sees no GREEN incident either


# --- an AMBER incident and the partners outside its audience --------------------------------------------


def _amber_incident(world: World, client: Client) -> tuple[str, str, str]:
    """An AMBER incident of NCCN shared with Liège, with a log entry, a task and a report of its own marking."""
    csrf = _switch(client, "be.duty")
    nccn, liege = str(world.partners["BE-NCCN"]), str(world.partners["BE-PROV-LIEGE"])
    incident = _ok(
        client.post(
            INCIDENTS,
            json={
                "title": "Amber: suspected leak at a Seraing plant",
                "hazard": "chemical.release",
                "lead_partner_id": nccn,
                "buffer": BRUSSELS,
                "marking": "AMBER",
                "audience": [{"kind": "partner", "id": liege}],
            },
            headers=csrf,
        )
    )["id"]
    entry = _ok(
        client.post(
            f"{INCIDENTS}/{incident}/log", json={"kind": "action", "text": "Valve closed"}, headers=csrf
        )
    )
    assert (entry["marking"], entry["owner_partner_id"]) == ("AMBER", nccn)
    task = _ok(
        client.post(
            f"{INCIDENTS}/{incident}/tasks",
            json={
                "title": "Sample the river",
                "due_at": "2099-01-01T00:00:00Z",
                "assignee_partner_id": liege,
            },
            headers=csrf,
        )
    )["id"]
    sitrep = _sitrep(client, csrf, incident, "Leak contained", "AMBER")
    return incident, task, sitrep


def test_an_amber_incident_is_invisible_to_a_partner_outside_its_audience_on_every_read_path(
    world: World, client: Client
) -> None:
    incident, task, sitrep = _amber_incident(world, client)
    _switch(client, "nl.duty")
    missing = str(uuid.uuid4())

    hidden = client.get(f"{INCIDENTS}/{incident}")
    absent = client.get(f"{INCIDENTS}/{missing}")
    assert_problem(hidden, 404)
    assert hidden.json()["detail"].replace(incident, "<id>") == absent.json()["detail"].replace(
        missing, "<id>"
    )
    assert incident not in {row["id"] for row in _ok(client.get(INCIDENTS, params={"include_closed": True}))}
    assert incident not in _incident_ids_on_the_map(client)
    for suffix in (
        "",
        "/area",
        "/log",
        "/log/export.csv",
        "/timeline",
        f"/changes?since={LONG_AGO}",
        "/tasks",
        "/sitreps",
        "/notifications",
        "/emsi",
    ):
        response = client.get(f"{INCIDENTS}/{incident}{suffix}")
        assert response.status_code == 404, (suffix, response.text[:300])
        assert "Seraing" not in response.text
    for path in (f"/api/tasks/{task}", f"/api/sitreps/{sitrep}", f"/api/sitreps/{sitrep}/document.html"):
        assert client.get(path).status_code == 404, path
    for page in (f"/incidents/{incident}", f"/incidents/{incident}/timeline"):
        response = client.get(page)
        assert response.status_code == 404, page
        assert "Seraing" not in response.text
    assert "Seraing" not in client.get("/incidents").text

    _switch(client, "liege.duty")  # named in the audience: sees it, and what hangs off it
    assert _ok(client.get(f"{INCIDENTS}/{incident}"))["marking"] == "AMBER"
    assert incident in _incident_ids_on_the_map(client)
    assert [e["text"] for e in _ok(client.get(f"{INCIDENTS}/{incident}/log"))] == ["Valve closed"]
    assert [t["id"] for t in _ok(client.get(f"{INCIDENTS}/{incident}/tasks"))] == [task]


def test_records_of_a_strict_incident_marked_green_stay_with_the_incidents_owner(
    world: World, client: Client
) -> None:
    """A child needs the incident's visibility too: GREEN on the record does not open a hidden incident."""
    csrf = _switch(client, "be.duty")
    nccn = str(world.partners["BE-NCCN"])
    incident = _ok(
        client.post(
            INCIDENTS,
            json={
                "title": "Strict",
                "hazard": "other",
                "lead_partner_id": nccn,
                "buffer": BRUSSELS,
                "marking": "AMBER+STRICT",
            },
            headers=csrf,
        )
    )["id"]
    entry = _ok(
        client.post(
            f"{INCIDENTS}/{incident}/log",
            json={"kind": "information", "text": "Green line", "marking": "GREEN"},
            headers=csrf,
        )
    )
    assert entry["marking"] == "GREEN"
    task = _ok(
        client.post(
            f"{INCIDENTS}/{incident}/tasks",
            json={
                "title": "Green task",
                "due_at": "2099-01-01T00:00:00Z",
                "assignee_partner_id": nccn,
                "marking": "GREEN",
            },
            headers=csrf,
        )
    )["id"]
    sitrep = _sitrep(client, csrf, incident, "Green report", "GREEN")

    for username in ("nl.duty", "liege.duty"):
        _switch(client, username)
        for suffix in (
            "/log",
            "/log/export.csv",
            "/timeline",
            f"/changes?since={LONG_AGO}",
            "/tasks",
            "/sitreps",
        ):
            response = client.get(f"{INCIDENTS}/{incident}{suffix}")
            assert response.status_code == 404, (username, suffix)
            assert "Green" not in response.text
        for path in (f"/api/tasks/{task}", f"/api/sitreps/{sitrep}", f"/api/sitreps/{sitrep}/document.html"):
            response = client.get(path)
            assert response.status_code == 404, (username, path)
            assert "Green" not in response.text
        for page in (f"/incidents/{incident}", f"/incidents/{incident}/timeline"):
            assert client.get(page).status_code == 404
        assert incident not in _incident_ids_on_the_map(client)


@pytest.mark.parametrize("kind", ["task", "sitrep"])
def test_a_green_record_of_a_hidden_incident_is_a_404_like_a_missing_one(
    world: World, client: Client, kind: str
) -> None:
    csrf = _switch(client, "be.duty")
    nccn = str(world.partners["BE-NCCN"])
    incident = _ok(
        client.post(
            INCIDENTS,
            json={
                "title": "Strict",
                "hazard": "other",
                "lead_partner_id": nccn,
                "buffer": BRUSSELS,
                "marking": "AMBER+STRICT",
            },
            headers=csrf,
        )
    )["id"]
    if kind == "task":
        body = {
            "title": "Green task",
            "due_at": "2099-01-01T00:00:00Z",
            "assignee_partner_id": nccn,
            "marking": "GREEN",
        }
        record = _ok(client.post(f"{INCIDENTS}/{incident}/tasks", json=body, headers=csrf))["id"]
        path = "/api/tasks/{id}"
    else:
        record = _sitrep(client, csrf, incident, "Green report", "GREEN")
        path = "/api/sitreps/{id}"
    _switch(client, "nl.duty")
    missing = str(uuid.uuid4())

    hidden = assert_problem(client.get(path.format(id=record)), 404)
    absent = assert_problem(client.get(path.format(id=missing)), 404)

    assert incident not in hidden["detail"]
    assert hidden["detail"].replace(record, "<id>") == absent["detail"].replace(missing, "<id>")


# --- neighbours -----------------------------------------------------------------------------------------------


def _give_jurisdiction(world: World, partner: str, code: str) -> None:
    partner_id = world.partners[partner]
    version = directory.get_partner(world.platform.engine, partner_id).version
    world.platform.bus.handle(
        sc.UpdatePartner(
            actor=SYSTEM,
            partner_id=partner_id,
            expected_version=version,
            jurisdiction=Area(geometry=REFERENCE.get("regions", code).geometry, ref=f"regions:{code}"),
        )
    )


def test_a_neighbours_inbox_does_not_show_an_incident_it_may_no_longer_see(
    world: World, client: Client
) -> None:
    _give_jurisdiction(world, "BE-PROV-LIEGE", "BE33")
    _give_jurisdiction(world, "NL-VR23", "VR24")
    world.contact("NL-VR23", Tlp.GREEN, name="VR desk")
    csrf = _switch(client, "be.duty")
    title = "Explosion at Visé: cause under investigation"
    body = {
        "title": title,
        "hazard": "chemical.fire",
        "lead_partner_id": str(world.partners["BE-NCCN"]),
        "buffer": NEAR_VISE,
    }
    incident = _ok(client.post(INCIDENTS, json=body, headers=csrf))
    _switch(client, "nl.duty")
    assert [n["incident_title"] for n in _ok(client.get("/api/notifications"))] == [title]
    csrf = _switch(client, "be.duty")
    relabelled = client.patch(
        f"{INCIDENTS}/{incident['id']}",
        json={"expected_version": incident["version"], "marking": "AMBER+STRICT"},
        headers=csrf,
    )
    assert _ok(relabelled)["marking"] == "AMBER+STRICT"

    _switch(client, "nl.duty")
    assert_problem(client.get(f"{INCIDENTS}/{incident['id']}"), 404)
    inbox = client.get("/api/notifications")

    assert inbox.status_code == 200
    assert title not in inbox.text
    assert incident["id"] not in inbox.text


# --- the live feed ----------------------------------------------------------------------------------------


@pytest.fixture
def served(world: World) -> Iterator[str]:
    with live_server(create_app(world.platform)) as base:
        yield base


def _feed(base: str, username: str, last_event_id: int, until: str) -> list[dict[str, Any]]:
    """Every event the stream sends after `last_event_id`, up to the first whose payload mentions `until`."""
    with httpx.Client(base_url=base, timeout=10) as client:
        login = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert login.status_code == 201
        events: list[dict[str, Any]] = []
        frame: dict[str, str] = {}
        with client.stream("GET", "/api/events", headers={"Last-Event-ID": str(last_event_id)}) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line == "":
                    if "data" in frame and frame.get("event") != "ready":
                        body = json.loads(frame["data"])
                        assert body["position"] == int(frame["id"]) > last_event_id
                        events.append(body)
                        if until in json.dumps(body["payload"]):
                            return events
                    frame = {}
                elif not line.startswith(":"):
                    key, _, value = line.partition(": ")
                    frame[key] = value
    raise AssertionError("the live feed ended before the last event arrived")


def _mentions(events: list[dict[str, Any]], record_id: str) -> list[str]:
    return [event["type"] for event in events if record_id in json.dumps(event["payload"])]


@pytest.mark.parametrize(
    ("username", "sees_strict"), [("be.duty", True), ("nl.duty", False), ("liege.duty", False)]
)
def test_the_live_feed_never_carries_the_strict_records_to_another_partner(
    world: World, client: Client, served: str, username: str, sees_strict: bool
) -> None:
    scenario = build_scenario(world, client)
    sentinel = str(world.contact("BE-NCCN", Tlp.GREEN, name="Sentinel desk"))

    events = _feed(served, username, scenario.start, until=sentinel)

    positions = [event["position"] for event in events]
    assert positions == sorted(set(positions))
    assert _mentions(events, scenario.incident)  # the GREEN incident's own events arrive
    for record in scenario.open:
        assert _mentions(events, record.id), record.kind
    for record in scenario.strict:
        assert bool(_mentions(events, record.id)) is sees_strict, (record.kind, _mentions(events, record.id))
    assert bool(_mentions(events, scenario.strict_incident)) is sees_strict
    if not sees_strict:
        assert {event["marking"] for event in events} <= {"GREEN", "AMBER"}  # AMBER: only if named
        assert STRICT_INCIDENT not in json.dumps(events)


def test_the_live_feed_does_not_carry_an_amber_incident_to_a_partner_outside_its_audience(
    world: World, client: Client, served: str
) -> None:
    start = event_queries.head_position(world.platform.engine)
    incident, task, sitrep = _amber_incident(world, client)
    sentinel = str(world.contact("BE-NCCN", Tlp.GREEN, name="Sentinel desk"))

    outside = _feed(served, "nl.duty", start, until=sentinel)
    inside = _feed(served, "liege.duty", start, until=sentinel)

    for record_id in (incident, task, sitrep):
        assert _mentions(outside, record_id) == []
        assert _mentions(inside, record_id)


def test_the_live_feed_does_not_carry_green_records_of_a_hidden_incident(
    world: World, client: Client, served: str
) -> None:
    start = event_queries.head_position(world.platform.engine)
    csrf = _switch(client, "be.duty")
    nccn = str(world.partners["BE-NCCN"])
    incident = _ok(
        client.post(
            INCIDENTS,
            json={
                "title": "Strict",
                "hazard": "other",
                "lead_partner_id": nccn,
                "buffer": BRUSSELS,
                "marking": "AMBER+STRICT",
            },
            headers=csrf,
        )
    )["id"]
    _ok(
        client.post(
            f"{INCIDENTS}/{incident}/log",
            json={"kind": "information", "text": "x", "marking": "GREEN"},
            headers=csrf,
        )
    )
    body = {
        "title": "Green task",
        "due_at": "2099-01-01T00:00:00Z",
        "assignee_partner_id": nccn,
        "marking": "GREEN",
    }
    _ok(client.post(f"{INCIDENTS}/{incident}/tasks", json=body, headers=csrf))
    sentinel = str(world.contact("BE-NCCN", Tlp.GREEN, name="Sentinel desk"))

    events = _feed(served, "nl.duty", start, until=sentinel)

    assert _mentions(events, incident) == []
