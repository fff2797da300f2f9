"""The incidents API over HTTP, on SQLite and PostgreSQL: declare, change, levels, log, tasks, timeline,
changes, the CSV export, neighbour notifications, and bad input (a clear problem, nothing changed).

Most tests run on a platform whose clock moves only when the test says so (`clocked_world`), so due
times, overdue flags and "changed since" are exact.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import incidents as incident_queries
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing import commands as sc
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.web.conftest import MONDAY_MORNING, Client, assert_problem, sign_in, snapshot

Body = dict[str, Any]

INCIDENTS = "/api/incidents"
# A POST that acts on a record (a level, a status, an acknowledgement) answers 200 or 201 with the record.
ACTED = {200, 201}
# 4 km around a point between Visé (BE, Liège province) and Eijsden (NL, Zuid-Limburg): crosses the border.
NEAR_VISE = {"centre": {"lon": 5.70, "lat": 50.78}, "radius_m": 4000}
# 1 km around the centre of Brussels: far from every border.
BRUSSELS = {"centre": {"lon": 4.35, "lat": 50.85}, "radius_m": 1000}
SQUARE = [[[4.30, 50.80], [4.40, 50.80], [4.40, 50.90], [4.30, 50.90], [4.30, 50.80]]]
BOW_TIE = [[[4.0, 50.0], [5.0, 51.0], [5.0, 50.0], [4.0, 51.0], [4.0, 50.0]]]
REFERENCE = ReferenceData()
# Tables of the incidents capability: a rejected request must leave them exactly as they were.
INCIDENT_TABLES = (
    t.incidents,
    t.incident_levels,
    t.incident_log,
    t.incident_tasks,
    t.neighbour_notifications,
)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def incident_body(world: World, **changes: Any) -> Body:
    body: Body = {
        "title": "Chemical fire at a storage site",
        "hazard": "chemical.fire",
        "lead_partner_id": str(world.partners["BE-NCCN"]),
        "buffer": BRUSSELS,
    }
    return {**body, **changes}


def declare(client: Client, csrf: dict[str, str], world: World, **changes: Any) -> Body:
    response = client.post(INCIDENTS, json=incident_body(world, **changes), headers=csrf)
    assert response.status_code == 201, response.text
    created: Body = response.json()
    return created


def log_entry(client: Client, csrf: dict[str, str], incident_id: str, text: str, **changes: Any) -> Body:
    body = {"kind": "information", "text": text, **changes}
    response = client.post(f"{INCIDENTS}/{incident_id}/log", json=body, headers=csrf)
    assert response.status_code == 201, response.text
    created: Body = response.json()
    return created


def assign(client: Client, csrf: dict[str, str], world: World, incident_id: str, **changes: Any) -> Body:
    body = {
        "title": "Measure the smoke plume",
        "due_at": iso(MONDAY_MORNING + timedelta(hours=1)),
        "assignee_partner_id": str(world.partners["BE-NCCN"]),
        **changes,
    }
    response = client.post(f"{INCIDENTS}/{incident_id}/tasks", json=body, headers=csrf)
    assert response.status_code == 201, response.text
    created: Body = response.json()
    return created


def switch(client: Client, username: str) -> dict[str, str]:
    client.cookies.clear()
    return sign_in(client, username)


def get_json(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def give_jurisdiction(world: World, partner: str, code: str) -> None:
    partner_id = world.partners[partner]
    version = directory.get_partner(world.platform.engine, partner_id).version
    boundary = REFERENCE.get("regions", code)
    world.platform.bus.handle(
        sc.UpdatePartner(
            actor=SYSTEM,
            partner_id=partner_id,
            expected_version=version,
            jurisdiction=Area(geometry=boundary.geometry, ref=f"regions:{code}"),
        )
    )


def across_the_border(world: World) -> None:
    """Liège province for BE-PROV-LIEGE, Zuid-Limburg for NL-VR23, and a 24/7 desk at NL-VR23."""
    give_jurisdiction(world, "BE-PROV-LIEGE", "BE33")
    give_jurisdiction(world, "NL-VR23", "VR24")
    world.contact("NL-VR23", Tlp.GREEN, name="VR desk")


def incident_state(platform: Platform) -> dict[str, Any]:
    """The records of the incidents capability, and the length of the event and audit logs."""
    taken = snapshot(platform)
    with platform.engine.connect() as conn:
        for table in INCIDENT_TABLES:
            rows = conn.execute(sa.select(table)).mappings().all()
            taken[table.name] = sorted((sorted(row.items()) for row in rows), key=repr)
    return taken


def public_view(client: Client, incident_id: str) -> dict[str, Any]:
    """What the API shows of the incidents, and of one incident's log, tasks and timeline."""
    return {
        "incidents": get_json(client, INCIDENTS, include_closed=True),
        "incident": get_json(client, f"{INCIDENTS}/{incident_id}"),
        "log": get_json(client, f"{INCIDENTS}/{incident_id}/log"),
        "tasks": get_json(client, f"{INCIDENTS}/{incident_id}/tasks"),
        "timeline": get_json(client, f"{INCIDENTS}/{incident_id}/timeline", limit=500),
    }


# --- declare, read, list, change --------------------------------------------------------------------------


def test_an_incident_is_declared_read_and_listed(clocked_world: World, clocked_client: Client) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    nccn = str(world.partners["BE-NCCN"])

    response = client.post(
        INCIDENTS,
        json=incident_body(
            world, description="Smoke over the canal", occurred_at="2025-01-06T10:40:00+01:00"
        ),
        headers=csrf,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["title"], body["hazard"], body["description"]) == (
        "Chemical fire at a storage site",
        "chemical.fire",
        "Smoke over the canal",
    )
    assert (body["status"], body["mode"], body["marking"], body["version"]) == ("active", "live", "GREEN", 1)
    assert body["lead_partner_id"] == body["owner_partner_id"] == nccn
    assert body["involved"] == []
    assert body["declared_by"] == str(world.users["be.duty"])
    assert at(body["declared_at"]) == MONDAY_MORNING
    assert at(body["occurred_at"]) == MONDAY_MORNING - timedelta(minutes=20)  # 10:40+01:00 is 09:40Z
    assert body["area"]["type"] == "Polygon"
    assert body["location"] == [4.35, 50.85]  # the buffer's centre marks the spot
    assert body["languages"] == ["en"]
    assert body["levels"] == body["level_history"] == []

    fetched = get_json(client, f"{INCIDENTS}/{body['id']}")
    assert fetched == body
    listed = get_json(client, INCIDENTS)
    assert [row["id"] for row in listed] == [body["id"]]
    assert (listed[0]["title"], listed[0]["version"], listed[0]["levels"]) == (body["title"], 1, [])
    assert [row["id"] for row in get_json(client, INCIDENTS, hazard="chemical.fire")] == [body["id"]]
    assert get_json(client, INCIDENTS, hazard="flood.river") == []
    assert get_json(client, INCIDENTS, mode="exercise") == []
    assert_problem(client.get(f"{INCIDENTS}/{uuid.uuid4()}"), 404, "no incident")


def test_incidents_are_listed_newest_first_to_everyone_in_the_network(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    first = declare(client, csrf, world, title="First")
    clock.advance(timedelta(minutes=1))
    second = declare(client, csrf, world, title="Second", hazard="flood.river")

    for username in ("be.analyst", "liege.duty", "nl.duty"):
        switch(client, username)
        assert [row["id"] for row in get_json(client, INCIDENTS)] == [second["id"], first["id"]]
        paged = get_json(client, INCIDENTS, limit=1, offset=1)
        assert [row["id"] for row in paged] == [first["id"]]
    client.cookies.clear()
    assert_problem(client.get(INCIDENTS), 401)


def test_a_change_needs_the_version_read_and_a_stale_one_is_a_409(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    path = f"{INCIDENTS}/{incident['id']}"

    first = client.patch(
        path, json={"expected_version": 1, "title": "Fire at the Visé storage site"}, headers=csrf
    )
    assert first.status_code == 200, first.text
    assert (first.json()["title"], first.json()["version"]) == ("Fire at the Visé storage site", 2)

    stale = client.patch(path, json={"expected_version": 1, "title": "Another title"}, headers=csrf)
    assert_problem(stale, 409, "changed since you read it", "version 1")
    kept = get_json(client, path)
    assert (kept["title"], kept["version"]) == ("Fire at the Visé storage site", 2)

    analyst = switch(client, "be.analyst")
    assert_problem(client.patch(path, json={"expected_version": 2, "title": "x"}, headers=analyst), 403)
    liege = switch(client, "liege.duty")
    refused = client.patch(path, json={"expected_version": 2, "title": "Liège's title"}, headers=liege)
    assert_problem(refused, 403, "declared the incident or its lead partner")
    assert get_json(client, path)["title"] == "Fire at the Visé storage site"


def test_each_country_sets_its_own_level_and_both_are_shown_side_by_side(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    world, client = clocked_world, clocked_client
    nccn, vr23 = str(world.partners["BE-NCCN"]), str(world.partners["NL-VR23"])
    be = sign_in(client, "be.duty")
    incident = declare(client, be, world, buffer=NEAR_VISE)
    path = f"{INCIDENTS}/{incident['id']}"
    phoned_in = "2025-01-06T10:30:00+01:00"  # raised by phone half an hour ago: 09:30Z

    raised = client.post(
        f"{path}/levels",
        json={"country": "BE", "level": "PROVINCIAL", "at": phoned_in, "reason": "Governor"},
        headers=be,
    )
    assert raised.status_code in ACTED, raised.text
    assert_problem(
        client.post(f"{path}/levels", json={"country": "BE", "level": "PROVINCIAL"}, headers=be), 409
    )
    assert_problem(
        client.post(f"{path}/levels", json={"country": "NL", "level": "GRIP_2"}, headers=be), 403, "NL"
    )

    nl = switch(client, "nl.duty")
    not_involved = client.post(f"{path}/levels", json={"country": "NL", "level": "GRIP_2"}, headers=nl)
    assert_problem(not_involved, 403, "involve")

    be = switch(client, "be.duty")
    version = get_json(client, path)["version"]
    involved = client.patch(path, json={"expected_version": version, "involved": [vr23]}, headers=be)
    assert involved.status_code == 200, involved.text
    assert involved.json()["involved"] == [vr23]

    clock.advance(timedelta(minutes=5))
    nl = switch(client, "nl.duty")
    set_by_nl = client.post(f"{path}/levels", json={"country": "nl", "level": "GRIP_2"}, headers=nl)
    assert set_by_nl.status_code in ACTED, set_by_nl.text
    assert_problem(
        client.post(f"{path}/levels", json={"country": "BE", "level": "NATIONAL"}, headers=nl), 403, "BE"
    )

    for username in ("nl.duty", "be.duty", "liege.duty"):
        switch(client, username)
        levels = {level["country"]: level for level in get_json(client, path)["levels"]}
        assert set(levels) == {"BE", "NL"}
        assert (levels["BE"]["level"], levels["BE"]["by_partner_id"]) == ("PROVINCIAL", nccn)
        assert at(levels["BE"]["at"]) == MONDAY_MORNING - timedelta(minutes=30)
        assert at(levels["BE"]["recorded_at"]) == MONDAY_MORNING
        assert levels["BE"]["reason"] == "Governor"
        assert (levels["NL"]["level"], levels["NL"]["by_partner_id"]) == ("GRIP_2", vr23)
        assert levels["NL"]["previous"] is None
        assert at(levels["NL"]["at"]) == MONDAY_MORNING + timedelta(minutes=5)
        summary = next(row for row in get_json(client, INCIDENTS) if row["id"] == incident["id"])
        assert {(lv["country"], lv["level"]) for lv in summary["levels"]} == {
            ("BE", "PROVINCIAL"),
            ("NL", "GRIP_2"),
        }
        feature = next(f for f in get_json(client, "/api/map/layers/incidents")["features"])
        assert feature["properties"]["levels"] == {"BE": "PROVINCIAL", "NL": "GRIP_2"}

    be = switch(client, "be.duty")
    national = client.post(f"{path}/levels", json={"country": "BE", "level": "NATIONAL"}, headers=be)
    assert national.status_code in ACTED, national.text
    history = get_json(client, path)["level_history"]
    assert [(h["country"], h["level"], h["previous"]) for h in history] == [
        ("BE", "PROVINCIAL", None),
        ("NL", "GRIP_2", None),
        ("BE", "NATIONAL", "PROVINCIAL"),
    ]


@pytest.mark.parametrize(
    ("country", "level", "mentions"),
    [
        pytest.param("BE", "GRIP_2", ("'GRIP_2'", "OPERATIONAL, MUNICIPAL, PROVINCIAL, NATIONAL"), id="be"),
        pytest.param("NL", "PROVINCIAL", ("'PROVINCIAL'", "GRIP_0", "GRIP_5", "NATIONAL"), id="nl"),
        pytest.param("LU", "GRIP_1", ("VEILLE", "PRE_ALERTE", "CELLULE_ACTIVE"), id="lu"),
        pytest.param("FR", "NATIONAL", ("'FR'", "levels are kept for", "NL", "BE", "LU"), id="no-scheme"),
    ],
)
def test_a_level_unknown_to_the_country_is_a_400_naming_the_valid_levels(
    clocked_world: World, clocked_client: Client, country: str, level: str, mentions: tuple[str, ...]
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(
        client, "admin"
    )  # a node administrator may set any country's level: only the level is wrong
    incident = declare(client, csrf, world)
    before = incident_state(world.platform)

    response = client.post(
        f"{INCIDENTS}/{incident['id']}/levels", json={"country": country, "level": level}, headers=csrf
    )

    assert_problem(response, 400, *mentions)
    assert incident_state(world.platform) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "mentions"),
    [
        pytest.param(
            "POST",
            INCIDENTS,
            {"occurred_at": "2025-01-06T09:00:00"},
            ("time zone",),
            id="declare-occurred-at",
        ),
        pytest.param(
            "POST",
            "{incident}/log",
            {"kind": "information", "text": "x", "occurred_at": "2025-01-06T09:00:00"},
            ("time zone",),
            id="log-occurred-at",
        ),
        pytest.param(
            "POST",
            "{incident}/tasks",
            {"title": "x", "due_at": "2025-01-06T12:00:00", "assignee_partner_id": "{nccn}"},
            ("due_at", "offset"),
            id="task-due-at",
        ),
        pytest.param(
            "POST",
            "{incident}/levels",
            {"country": "BE", "level": "MUNICIPAL", "at": "2025-01-06T09:00:00"},
            ("time zone",),
            id="level-at",
        ),
        pytest.param(
            "GET", "{incident}/changes?since=2025-01-06T09:00:00", None, ("since", "offset"), id="since"
        ),
        pytest.param(
            "GET", "{incident}/timeline?before=2025-01-06T09:00:00", None, ("before", "offset"), id="timeline"
        ),
        pytest.param(
            "GET",
            "{incident}/log?before=2025-01-06T09:00:00&before_id={nccn}",
            None,
            ("before", "offset"),
            id="log-page",
        ),
    ],
)
def test_a_time_without_its_offset_is_a_400(
    clocked_world: World,
    clocked_client: Client,
    method: str,
    path: str,
    body: Body | None,
    mentions: tuple[str, ...],
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    nccn = str(world.partners["BE-NCCN"])
    url = path.format(incident=f"{INCIDENTS}/{incident['id']}", nccn=nccn)
    payload = None
    if body is not None:
        payload = {
            key: value.format(nccn=nccn) if isinstance(value, str) else value for key, value in body.items()
        }
        if url == INCIDENTS:
            payload = incident_body(world, **payload)
    before = incident_state(world.platform)

    response = client.request(method, url, json=payload, headers=csrf)

    assert_problem(response, 400, *mentions)
    assert incident_state(world.platform) == before


# --- the common log -----------------------------------------------------------------------------------------


def test_the_log_records_information_and_decisions_with_who_decided_and_why(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world, occurred_at="2025-01-06T08:00:00Z")
    path = f"{INCIDENTS}/{incident['id']}/log"

    seen = log_entry(
        client, csrf, incident["id"], "Black smoke seen from the E40", occurred_at="2025-01-06T09:15:00Z"
    )
    decision = log_entry(
        client,
        csrf,
        incident["id"],
        "Shelter in place within 2 km",
        kind="decision",
        decided_by="Governor of Liège",
        basis="Plume model of 09:40 and measurements by the fire service",
    )
    correction = log_entry(
        client, csrf, incident["id"], "Smoke seen from the E42, not the E40", corrects=seen["id"]
    )

    assert (seen["kind"], seen["marking"], seen["owner_partner_id"]) == (
        "information",
        "GREEN",
        str(world.partners["BE-NCCN"]),
    )
    assert at(seen["occurred_at"]) == MONDAY_MORNING - timedelta(minutes=45)
    assert at(seen["recorded_at"]) == MONDAY_MORNING
    assert seen["author_user_id"] == str(world.users["be.duty"])
    assert (decision["decided_by"], decision["basis"]) == (
        "Governor of Liège",
        "Plume model of 09:40 and measurements by the fire service",
    )
    assert at(decision["occurred_at"]) == MONDAY_MORNING  # now, when not given
    assert correction["corrects"] == seen["id"]
    listed = get_json(client, path)
    # Newest first: the two entries of 10:00 (by id, descending), then the one of 09:15.
    assert [row["id"] for row in listed] == [
        *sorted([decision["id"], correction["id"]], reverse=True),
        seen["id"],
    ]
    assert {row["id"]: row for row in listed}[decision["id"]] == decision

    undecided = client.post(
        path, json={"kind": "decision", "text": "Evacuate", "decided_by": "Mayor"}, headers=csrf
    )
    assert_problem(undecided, 400, "who decided and on what basis")
    not_a_decision = client.post(path, json={"kind": "information", "text": "x", "basis": "y"}, headers=csrf)
    assert_problem(not_a_decision, 400, "only a decision")
    future = client.post(
        path, json={"kind": "information", "text": "x", "occurred_at": "2025-01-06T11:00:00Z"}, headers=csrf
    )
    assert_problem(future, 400, "future")
    assert len(get_json(client, path)) == 3


def test_only_the_partners_of_the_incident_add_to_its_log(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    path = f"{INCIDENTS}/{incident['id']}/log"
    body = {"kind": "information", "text": "From Liège"}

    liege = switch(client, "liege.duty")
    assert_problem(client.post(path, json=body, headers=liege), 403, "involve")
    analyst = switch(client, "be.analyst")
    assert_problem(client.post(path, json=body, headers=analyst), 403, "duty officer")

    be = switch(client, "be.duty")
    patched = client.patch(
        f"{INCIDENTS}/{incident['id']}",
        json={"expected_version": 1, "involved": [str(world.partners["BE-PROV-LIEGE"])]},
        headers=be,
    )
    assert patched.status_code == 200, patched.text
    liege = switch(client, "liege.duty")
    entry = log_entry(client, liege, incident["id"], "From Liège")
    assert entry["owner_partner_id"] == str(world.partners["BE-PROV-LIEGE"])  # owned by its author's partner
    assert [row["text"] for row in get_json(client, path)] == ["From Liège"]


def test_the_log_is_exported_as_csv(clocked_world: World, clocked_client: Client) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world, occurred_at="2025-01-06T08:00:00Z")
    first = log_entry(client, csrf, incident["id"], "Fire reported", occurred_at="2025-01-06T09:00:00Z")
    second = log_entry(
        client, csrf, incident["id"], '=HYPERLINK("http://evil.example")', occurred_at="2025-01-06T09:30:00Z"
    )
    decision = log_entry(
        client,
        csrf,
        incident["id"],
        "Evacuate block 4",
        kind="decision",
        decided_by="Mayor",
        basis="Plume, line 3",
    )

    response = client.get(f"{INCIDENTS}/{incident['id']}/log/export.csv")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert f"incident-{incident['id']}-log.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["id"] for row in rows] == [decision["id"], second["id"], first["id"]]  # newest first
    by_id = {row["id"]: row for row in rows}
    assert by_id[first["id"]]["text"] == "Fire reported"
    assert by_id[second["id"]]["text"].startswith("'=")  # stays text in a spreadsheet
    assert (by_id[decision["id"]]["decided_by"], by_id[decision["id"]]["basis"]) == ("Mayor", "Plume, line 3")
    assert {row["marking"] for row in rows} == {"GREEN"}
    assert at(by_id[first["id"]]["occurred_at"]) == MONDAY_MORNING - timedelta(hours=1)


def test_the_log_export_holds_the_whole_log_not_one_page(
    clocked_world: World, clocked_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incident_queries, "MAX_PAGE", 2)  # pages of two, so five entries take three pages
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world, occurred_at="2025-01-06T08:00:00Z")
    times = ["09:00", "09:10", "09:10", "09:10", "09:20"]  # ties: the page boundary falls inside them
    written = [
        log_entry(client, csrf, incident["id"], f"entry {i}", occurred_at=f"2025-01-06T{hhmm}:00Z")["id"]
        for i, hhmm in enumerate(times)
    ]

    rows = list(csv.DictReader(io.StringIO(client.get(f"{INCIDENTS}/{incident['id']}/log/export.csv").text)))

    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    assert set(written) <= set(ids)
    listed = client.get(f"{INCIDENTS}/{incident['id']}/log").json()
    assert len(listed) == 2  # the API's pages are still pages
    newest_first = sorted(rows, key=lambda row: (at(row["occurred_at"]), row["id"]), reverse=True)
    assert rows == newest_first


# --- tasks ----------------------------------------------------------------------------------------------------


def test_a_task_past_its_due_time_is_flagged_overdue_by_the_platform_clock(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    path = f"{INCIDENTS}/{incident['id']}/tasks"
    soon = assign(
        client, csrf, world, incident["id"], title="Soon", due_at=iso(MONDAY_MORNING + timedelta(minutes=10))
    )
    later = assign(client, csrf, world, incident["id"], title="Later", due_at="2025-01-06T13:00:00+01:00")

    assert (soon["status"], soon["overdue"], soon["version"]) == ("open", False, 1)
    assert at(later["due_at"]) == MONDAY_MORNING + timedelta(hours=2)
    assert [row["id"] for row in get_json(client, path)] == [soon["id"], later["id"]]  # by due time
    assert get_json(client, path, overdue=True) == []

    clock.advance(timedelta(minutes=11))

    flagged = {row["id"]: row["overdue"] for row in get_json(client, path)}
    assert flagged == {soon["id"]: True, later["id"]: False}
    assert [row["id"] for row in get_json(client, path, overdue=True)] == [soon["id"]]
    assert get_json(client, f"/api/tasks/{soon['id']}")["overdue"] is True

    done = client.patch(
        f"/api/tasks/{soon['id']}", json={"expected_version": 1, "status": "done"}, headers=csrf
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["overdue"]) == ("done", False)  # done is never overdue
    assert get_json(client, path, overdue=True) == []


def test_a_task_moves_through_its_workflow_and_an_illegal_move_is_a_409(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    task = assign(
        client, csrf, world, incident["id"], assignee_partner_id=str(world.partners["BE-PROV-LIEGE"])
    )
    path = f"/api/tasks/{task['id']}"

    def move(status: str, version: int, headers: dict[str, str]) -> Any:
        return client.patch(path, json={"expected_version": version, "status": status}, headers=headers)

    started = move("in_progress", 1, csrf)
    assert started.status_code == 200, started.text
    assert (started.json()["status"], started.json()["version"]) == ("in_progress", 2)
    assert_problem(move("done", 1, csrf), 409, "changed since you read it")
    assert move("done", 2, csrf).json()["status"] == "done"
    assert_problem(move("in_progress", 3, csrf), 409, "done can move to open, not to in_progress")
    assert_problem(move("cancelled", 3, csrf), 409, "not to cancelled")
    assert get_json(client, path)["status"] == "done"

    # The assigned partner moves its own task, though it does not take part in the incident.
    liege = switch(client, "liege.duty")
    reopened = move("open", 3, liege)
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["version"]) == ("open", 4)
    nl = switch(client, "nl.duty")
    assert_problem(move("cancelled", 4, nl), 403)
    assert get_json(client, path)["status"] == "open"
    assert_problem(client.get(f"/api/tasks/{uuid.uuid4()}"), 404, "no task")


def test_a_closed_incident_refuses_new_records_until_it_is_reopened(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    path = f"{INCIDENTS}/{incident['id']}"

    closed = client.post(f"{path}/status", json={"status": "closed", "reason": "Fire out"}, headers=csrf)
    assert closed.status_code in ACTED, closed.text
    assert closed.json()["status"] == "closed"
    before = incident_state(world.platform)

    refused = client.post(f"{path}/log", json={"kind": "information", "text": "Late news"}, headers=csrf)
    assert_problem(refused, 409, "closed", "reopen")
    assert_problem(
        client.post(
            f"{path}/tasks",
            json={
                "title": "x",
                "due_at": iso(MONDAY_MORNING + timedelta(hours=1)),
                "assignee_partner_id": str(world.partners["BE-NCCN"]),
            },
            headers=csrf,
        ),
        409,
        "closed",
    )
    assert_problem(
        client.post(f"{path}/levels", json={"country": "BE", "level": "MUNICIPAL"}, headers=csrf), 409
    )
    assert_problem(
        client.post(f"{path}/status", json={"status": "closed"}, headers=csrf), 409, "closed already"
    )
    assert incident_state(world.platform) == before

    assert get_json(client, INCIDENTS) == []
    assert [row["id"] for row in get_json(client, INCIDENTS, include_closed=True)] == [incident["id"]]
    assert [row["id"] for row in get_json(client, INCIDENTS, status="closed")] == [incident["id"]]
    assert get_json(client, "/api/map/layers/incidents")["features"] == []

    reopened = client.post(f"{path}/status", json={"status": "active"}, headers=csrf)
    assert reopened.status_code in ACTED, reopened.text
    assert log_entry(client, csrf, incident["id"], "Fire flared up again")["text"] == "Fire flared up again"


# --- timeline and changes -----------------------------------------------------------------------------------


def pages(client: Client, path: str, size: int, time_key: str) -> list[list[Body]]:
    """Every page of a newest-first listing, each continued from the (time, id) of the previous one's last."""
    found: list[list[Body]] = []
    params: dict[str, Any] = {"limit": size}
    while True:
        page = get_json(client, path, **params)
        assert isinstance(page, list)
        if not page:
            return found
        assert len(page) <= size
        found.append(page)
        assert len(found) < 100, "paging does not end"
        last = page[-1]
        params = {"limit": size, "before": last[time_key], "before_id": last["id"]}


def _busy_incident(
    world: World, client: Client, csrf: dict[str, str], times: list[datetime]
) -> tuple[str, list[Body]]:
    incident = declare(client, csrf, world, occurred_at="2025-01-06T06:00:00Z")
    entries = [
        log_entry(client, csrf, incident["id"], f"Entry {n}", occurred_at=iso(moment))
        for n, moment in enumerate(times)
    ]
    assign(client, csrf, world, incident["id"])
    level = client.post(
        f"{INCIDENTS}/{incident['id']}/levels", json={"country": "BE", "level": "MUNICIPAL"}, headers=csrf
    )
    assert level.status_code in ACTED, level.text
    return incident["id"], entries


def test_the_timeline_pages_back_without_repeating_or_skipping_an_item(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    times = [MONDAY_MORNING - timedelta(minutes=3 * n + 1) for n in range(30)]
    incident_id, entries = _busy_incident(world, client, csrf, times)
    path = f"{INCIDENTS}/{incident_id}/timeline"

    everything = get_json(client, path, limit=500)
    paged = pages(client, path, 7, "at")

    assert [len(page) for page in paged] == [7, 7, 7, 7, 4]  # 30 entries, the task and the level
    flat = [(item["kind"], item["id"]) for page in paged for item in page]
    assert len(flat) == len(set(flat)) == 32
    assert flat == [(item["kind"], item["id"]) for item in everything]
    moments = [at(item["at"]) for page in paged for item in page]
    assert moments == sorted(moments, reverse=True)
    assert [item["id"] for item in everything if item["kind"] == "log"] == [e["id"] for e in entries]
    assert {item["kind"] for item in everything} == {"log", "task", "level"}


def test_the_log_pages_back_without_repeating_or_skipping_an_entry(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    times = [MONDAY_MORNING - timedelta(minutes=3 * n + 1) for n in range(30)]
    incident_id, entries = _busy_incident(world, client, csrf, times)

    paged = pages(client, f"{INCIDENTS}/{incident_id}/log", 7, "occurred_at")

    assert [len(page) for page in paged] == [7, 7, 7, 7, 2]
    assert [entry["id"] for page in paged for entry in page] == [e["id"] for e in entries]


@pytest.mark.parametrize("listing", ["timeline", "log"])
def test_entries_recorded_for_the_same_moment_are_paged_by_id_without_loss(
    clocked_world: World, clocked_client: Client, listing: str
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    # 15 entries at 3 moments, 5 to a moment: pages of 4 cut through each group.
    times = [MONDAY_MORNING - timedelta(minutes=10 * (n % 3) + 1) for n in range(15)]
    incident_id, entries = _busy_incident(world, client, csrf, times)
    path = f"{INCIDENTS}/{incident_id}/{listing}"

    everything = get_json(client, path, limit=500)
    paged = pages(client, path, 4, "at" if listing == "timeline" else "occurred_at")

    flat = [item["id"] for page in paged for item in page]
    assert len(flat) == len(set(flat))
    assert flat == [item["id"] for item in everything]
    assert {e["id"] for e in entries} <= set(flat)


def test_a_page_cursor_given_in_another_time_zone_is_the_same_instant(
    clocked_world: World, clocked_client: Client, request: pytest.FixtureRequest
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    times = [MONDAY_MORNING - timedelta(minutes=n + 1) for n in range(10)]
    incident_id, entries = _busy_incident(world, client, csrf, times)
    cursor = entries[3]  # 09:56Z
    in_utc = {"before": "2025-01-06T09:56:00Z", "before_id": cursor["id"]}
    in_brussels = {"before": "2025-01-06T10:56:00+01:00", "before_id": cursor["id"]}

    timeline = [get_json(client, f"{INCIDENTS}/{incident_id}/timeline", **p) for p in (in_utc, in_brussels)]
    assert timeline[0] == timeline[1]
    assert [item["id"] for item in timeline[0]] == [e["id"] for e in entries[4:]]

    log = [get_json(client, f"{INCIDENTS}/{incident_id}/log", **p) for p in (in_utc, in_brussels)]
    assert [e["id"] for e in log[0]] == [e["id"] for e in entries[4:]]
    assert log[1] == log[0]


def test_the_log_pages_by_time_alone_or_refuses_the_cursor(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    times = [MONDAY_MORNING - timedelta(minutes=n + 1) for n in range(6)]
    incident_id, entries = _busy_incident(world, client, csrf, times)

    response = client.get(f"{INCIDENTS}/{incident_id}/log", params={"before": "2025-01-06T09:57:00Z"})

    if response.status_code == 400:
        assert_problem(response, 400, "before_id")
    else:
        assert [e["id"] for e in response.json()] == [e["id"] for e in entries[3:]]


def test_changes_since_a_time_are_only_what_was_recorded_or_changed_after_it(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world, occurred_at="2025-01-06T08:00:00Z")
    path = f"{INCIDENTS}/{incident['id']}"
    old = log_entry(client, csrf, incident["id"], "Before the break", occurred_at="2025-01-06T09:00:00Z")
    task = assign(client, csrf, world, incident["id"])
    untouched = assign(client, csrf, world, incident["id"], title="Untouched")
    clock.advance(timedelta(minutes=30))
    left_at = clock.now()  # the operator leaves at 10:30
    clock.advance(timedelta(minutes=5))

    # Happened long ago, recorded now: a change since 10:30 all the same.
    late = log_entry(client, csrf, incident["id"], "Phoned in late", occurred_at="2025-01-06T08:30:00Z")
    clock.advance(timedelta(minutes=1))
    moved = client.patch(
        f"/api/tasks/{task['id']}", json={"expected_version": 1, "status": "in_progress"}, headers=csrf
    )
    assert moved.status_code == 200, moved.text
    clock.advance(timedelta(minutes=1))
    level = client.post(f"{path}/levels", json={"country": "BE", "level": "MUNICIPAL"}, headers=csrf)
    assert level.status_code in ACTED, level.text

    for since in (iso(left_at), "2025-01-06T11:30:00+01:00"):
        changes = get_json(client, f"{path}/changes", since=since)
        assert [(c["kind"], c["id"]) for c in changes] == [
            ("log", late["id"]),
            ("task", task["id"]),
            ("level", f"{incident['id']}:0"),
        ], since
        assert changes[1]["details"]["status"] == "in_progress"
        assert old["id"] not in str(changes)
        assert untouched["id"] not in str(changes)
    assert get_json(client, f"{path}/changes", since=iso(clock.now())) == []
    everything = get_json(client, f"{path}/changes", since="2025-01-06T00:00:00Z")
    assert {c["id"] for c in everything} == {
        old["id"],
        task["id"],
        untouched["id"],
        late["id"],
        f"{incident['id']}:0",
    }
    recorded = [at(c["recorded_at"]) for c in everything]
    assert recorded == sorted(recorded)  # oldest change first


# --- neighbours -----------------------------------------------------------------------------------------------


def test_the_neighbour_across_the_border_is_told_and_acknowledges_once(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    across_the_border(world)
    vr23 = str(world.partners["NL-VR23"])
    be = sign_in(client, "be.duty")
    incident = declare(client, be, world, title="Fire at Visé", buffer=NEAR_VISE)

    told = get_json(client, f"{INCIDENTS}/{incident['id']}/notifications")
    assert [(n["partner_id"], n["status"]) for n in told] == [(vr23, "pending")]
    assert "BE\u2013NL border" in told[0]["reason"]
    recheck = client.post(f"{INCIDENTS}/{incident['id']}/neighbours", headers=be)
    assert recheck.status_code == 201, recheck.text
    assert recheck.json() == {"notified": []}  # told once, not again
    assert get_json(client, "/api/notifications") == []  # NCCN was told nothing: it declared it

    nl = switch(client, "nl.duty")
    inbox = get_json(client, "/api/notifications")
    assert [(n["id"], n["incident_id"], n["incident_title"]) for n in inbox] == [
        (told[0]["id"], incident["id"], "Fire at Visé")
    ]
    assert inbox[0]["contact_point_id"] == inbox[0]["chain"][0]
    assert at(inbox[0]["escalate_at"]) == MONDAY_MORNING + timedelta(minutes=15)
    assert get_json(client, f"{INCIDENTS}/{incident['id']}")["id"] == incident["id"]
    ack_path = f"/api/notifications/{told[0]['id']}/acknowledge"

    analyst = switch(client, "be.analyst")
    assert_problem(client.post(ack_path, headers=analyst), 403, "notified partner")
    liege = switch(client, "liege.duty")
    assert get_json(client, "/api/notifications") == []
    assert client.post(ack_path, headers=liege).status_code in {403, 404}

    nl = switch(client, "nl.duty")
    acknowledged = client.post(ack_path, headers=nl)
    assert acknowledged.status_code in ACTED, acknowledged.text
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"] == str(world.users["nl.duty"])
    assert at(acknowledged.json()["acknowledged_at"]) == MONDAY_MORNING
    assert_problem(client.post(ack_path, headers=nl), 409, "acknowledged already")
    assert get_json(client, "/api/notifications")[0]["status"] == "acknowledged"


def test_an_amber_incident_across_the_border_is_shared_with_the_neighbour_it_tells(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    across_the_border(world)
    be = sign_in(client, "be.duty")
    incident = declare(client, be, world, title="Amber fire", buffer=NEAR_VISE, marking="AMBER")

    assert {(m["kind"], m["id"]) for m in incident["audience"]} == {
        ("partner", str(world.partners["NL-VR23"]))
    }
    switch(client, "nl.duty")
    assert get_json(client, f"{INCIDENTS}/{incident['id']}")["marking"] == "AMBER"
    switch(client, "liege.duty")  # touched, but no point of contact on record: not told, not shared
    assert_problem(client.get(f"{INCIDENTS}/{incident['id']}"), 404)


def test_an_incident_inland_tells_nobody(clocked_world: World, clocked_client: Client) -> None:
    world, client = clocked_world, clocked_client
    across_the_border(world)
    be = sign_in(client, "be.duty")
    incident = declare(client, be, world)

    assert get_json(client, f"{INCIDENTS}/{incident['id']}/notifications") == []
    switch(client, "nl.duty")
    assert get_json(client, "/api/notifications") == []


# --- bad input ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One rejected request: who sends what where, and what the answer must mention."""

    username: str
    method: str
    path: str
    body: Callable[[World], Body]
    status: int = 400
    mentions: tuple[str, ...] = ()


def _task(world: World, **changes: Any) -> Body:
    body = {
        "title": "Close the lock",
        "due_at": iso(MONDAY_MORNING + timedelta(hours=1)),
        "assignee_partner_id": str(world.partners["BE-NCCN"]),
    }
    return {**body, **changes}


def _without(body: Body, key: str) -> Body:
    return {name: value for name, value in body.items() if name != key}


LOG = "{incident}/log"
TASKS = "{incident}/tasks"

BAD = [
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, hazard="meteor"),
            mentions=("unknown hazard type 'meteor'", "chemical.fire"),
        ),
        id="unknown-hazard",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, area={"type": "Polygon", "coordinates": SQUARE}),
            mentions=("either as a polygon or as a point with a radius",),
        ),
        id="area-both-polygon-and-buffer",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: _without(incident_body(w), "buffer"),
            mentions=("polygon",),
        ),
        id="area-neither-polygon-nor-buffer",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: _without(incident_body(w, area={"type": "Polygon", "coordinates": BOW_TIE}), "buffer"),
            mentions=("self-intersection",),
        ),
        id="self-intersecting-polygon",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, buffer={"centre": {"lon": 5.7, "lat": 95}, "radius_m": 100}),
            mentions=("buffer.centre.lat",),
        ),
        id="buffer-latitude-out-of-range",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, buffer={"centre": {"lon": 5.7, "lat": 50.8}, "radius_m": 500_000}),
            mentions=("buffer.radius_m",),
        ),
        id="buffer-radius-too-large",
    ),
    pytest.param(
        Bad(
            "be.duty", "POST", INCIDENTS, lambda w: incident_body(w, marking="PURPLE"), mentions=("marking",)
        ),
        id="marking-not-in-list",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, lead_partner_id=str(uuid.UUID(int=7))),
            mentions=("no partner", "lead"),
        ),
        id="unknown-lead-partner",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(
                w, marking="AMBER", audience=[{"kind": "partner", "id": str(uuid.UUID(int=7))}]
            ),
            mentions=("unknown partner",),
        ),
        id="audience-names-an-unknown-partner",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, marking="AMBER+STRICT", involved=[str(w.partners["NL-VR23"])]),
            mentions=("stays within its own organisation",),
        ),
        id="strict-incident-with-another-partner",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, occurred_at="2025-01-06T12:00:00Z"),
            mentions=("future",),
        ),
        id="incident-in-the-future",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, languages=["tlh"]),
            mentions=("language",),
        ),
        id="language-not-supported",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            INCIDENTS,
            lambda w: incident_body(w, severity="high"),
            mentions=("unknown field `severity`",),
        ),
        id="unknown-field",
    ),
    pytest.param(
        Bad(
            "be.analyst",
            "POST",
            INCIDENTS,
            incident_body,
            status=403,
            mentions=("duty officer",),
        ),
        id="analyst-declares",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "PATCH",
            "{incident}",
            lambda _: {"title": "No version"},
            mentions=("expected_version",),
        ),
        id="patch-without-expected-version",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "PATCH",
            "{incident}",
            lambda _: {"expected_version": 1, "area": {"type": "Polygon", "coordinates": BOW_TIE}},
            mentions=("self-intersection",),
        ),
        id="patch-self-intersecting-polygon",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            TASKS,
            lambda w: _task(w, due_at=iso(MONDAY_MORNING - timedelta(minutes=1))),
            mentions=("cannot be due", "before it is created"),
        ),
        id="task-due-before-created",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            TASKS,
            lambda w: _task(w, assignee_partner_id=str(uuid.UUID(int=7))),
            mentions=("no partner",),
        ),
        id="task-for-an-unknown-partner",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            TASKS,
            lambda w: _task(w, assignee_user_id=str(w.users["nl.duty"])),
            mentions=("must belong to the assigned partner",),
        ),
        id="task-for-a-person-of-another-partner",
    ),
    pytest.param(
        Bad("be.duty", "POST", TASKS, lambda w: _task(w, title=""), mentions=("title",)),
        id="task-without-title",
    ),
    pytest.param(
        Bad("be.duty", "POST", LOG, lambda _: {"kind": "rumour", "text": "x"}, mentions=("kind",)),
        id="log-kind-not-in-list",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            LOG,
            lambda _: {"kind": "information", "text": "   "},
            mentions=("must not be empty",),
        ),
        id="log-blank-text",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            LOG,
            lambda _: {"kind": "decision", "text": "Evacuate", "basis": "Plume"},
            mentions=("who decided",),
        ),
        id="decision-without-decider",
    ),
    pytest.param(
        Bad(
            "be.duty",
            "POST",
            LOG,
            lambda _: {"kind": "information", "text": "Correction", "corrects": str(uuid.UUID(int=7))},
            mentions=("does not exist",),
        ),
        id="correction-of-a-missing-entry",
    ),
    pytest.param(
        Bad("be.duty", "POST", "{incident}/status", lambda _: {"status": "archived"}, mentions=("status",)),
        id="status-not-in-list",
    ),
]


@pytest.mark.parametrize("bad", BAD)
def test_bad_input_gets_a_clear_problem_and_changes_nothing(
    clocked_world: World, clocked_client: Client, bad: Bad
) -> None:
    world, client = clocked_world, clocked_client
    setup = sign_in(client, "be.duty")
    incident = declare(client, setup, world)
    log_entry(client, setup, incident["id"], "Already there")
    csrf = switch(client, bad.username)
    path = bad.path.format(incident=f"{INCIDENTS}/{incident['id']}")
    before = incident_state(world.platform)
    seen = public_view(client, incident["id"])

    response = client.request(bad.method, path, json=bad.body(world), headers=csrf)

    assert_problem(response, bad.status, *bad.mentions)
    assert incident_state(world.platform) == before
    assert public_view(client, incident["id"]) == seen


def test_the_well_formed_versions_of_those_requests_are_accepted(
    clocked_world: World, clocked_client: Client
) -> None:
    """The bodies above differ from these in one field each; these go through (so the 400s are meaningful)."""
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    polygon = _without(incident_body(world, area={"type": "Polygon", "coordinates": SQUARE}), "buffer")
    assert client.post(INCIDENTS, json=polygon, headers=csrf).status_code == 201
    assert (
        client.post(
            INCIDENTS, json=incident_body(world, occurred_at=iso(MONDAY_MORNING)), headers=csrf
        ).status_code
        == 201
    )
    amber = incident_body(
        world, marking="AMBER", audience=[{"kind": "partner", "id": str(world.partners["NL-VR23"])}]
    )
    assert client.post(INCIDENTS, json=amber, headers=csrf).status_code == 201
    assert (
        client.post(INCIDENTS, json=incident_body(world, marking="AMBER+STRICT"), headers=csrf).status_code
        == 201
    )
    patched = client.patch(
        f"{INCIDENTS}/{incident['id']}",
        json={"expected_version": 1, "area": {"type": "Polygon", "coordinates": SQUARE}},
        headers=csrf,
    )
    assert patched.status_code == 200, patched.text
    assign(client, csrf, world, incident["id"], due_at=iso(MONDAY_MORNING + timedelta(minutes=1)))
    assign(client, csrf, world, incident["id"], assignee_user_id=str(world.users["be.analyst"]))
    log_entry(client, csrf, incident["id"], "Evacuate", kind="decision", decided_by="Mayor", basis="Plume")
