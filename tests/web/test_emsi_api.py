"""EMSI (ISO/TR 22351) over HTTP: an incident exported as a schema-valid message, real messages imported.

Import is tried with the example messages shipped in the shared standards folder (XML and JSON, as the
French health hub sends them), with bodies that must be refused, and at the level of a whole incident:
exported from one platform and imported into a second, fresh one on its own database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from lxml import etree

from crisislink.adapters.db import tables as t
from crisislink.adapters.standards import emsi, emsi_xml
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.entrypoints.web.app import create_app
from tests.support import IN_CI, World, build_world, fresh_postgres_database, make_platform, migrated
from tests.web.conftest import Client, assert_problem, sign_in, snapshot

Body = dict[str, Any]

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "emsi" / "examples"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir()) if EXAMPLES.is_dir() else ["(no examples)"]
NS = {"e": emsi.NAMESPACE}
IMPORT = "/api/incidents/emsi"
XML = "application/xml"
JSON = "application/json"
KEPT = "Values of the EMSI message kept as received:"
# Every table an import writes to, and the logs: a refused import must leave them as they were.
INCIDENT_TABLES = (
    t.incidents,
    t.incident_levels,
    t.incident_log,
    t.incident_tasks,
    t.sitreps,
    t.neighbour_notifications,
)
# A square of about 2 x 2 km in the Ardennes, well inside Belgium, drawn counter-clockwise.
SQUARE = [[[5.50, 50.40], [5.53, 50.40], [5.53, 50.42], [5.50, 50.42], [5.50, 50.40]]]


def incident_state(platform: Platform) -> dict[str, Any]:
    taken = snapshot(platform)
    with platform.engine.connect() as conn:
        for table in INCIDENT_TABLES:
            rows = conn.execute(sa.select(table)).mappings().all()
            taken[table.name] = sorted((sorted(row.items()) for row in rows), key=repr)
    return taken


def incident_records(platform: Platform) -> dict[str, Any]:
    taken = incident_state(platform)
    return {table.name: taken[table.name] for table in INCIDENT_TABLES}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


# --- what the example messages say, read without crisislink's own parser ---------------------------------


@dataclass(frozen=True)
class Facts:
    message_id: str
    title: str
    reference: str
    category: str
    lon: float
    lat: float
    occurred: datetime
    injured: int
    plain_event_values: dict[str, str]  # EVENT children crisislink has no field for, e.g. SOURCE, CAUSE
    missions: dict[str, str]  # id -> STATUS


UNMAPPED_EVENT_VALUES = ("SOURCE", "CAUSE", "RISK_ASSESMENT", "SCALE", "CERTAINTY", "OBS_DATIME")
TRIAGE = ("TRIAGERED", "TRIAGEYELLOW", "TRIAGEGREEN")


def facts_of(path: Path) -> Facts:
    return _json_facts(path) if path.suffix == ".json" else _xml_facts(path)


def find(at: etree._Element, xpath: str) -> list[etree._Element]:
    found = at.xpath(xpath, namespaces=NS)
    assert isinstance(found, list)
    return [element for element in found if isinstance(element, etree._Element)]


def _xml_facts(path: Path) -> Facts:
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))

    def text(xpath: str, at: etree._Element = root) -> str:
        found = find(at, xpath)
        return str(found[0].text) if found else ""

    (event,) = find(root, "e:EVENT")
    point = find(event, "e:EGEO/e:POSITION[e:TYPE='POINT']/e:COORD")[0]
    return Facts(
        message_id=text("e:CONTEXT/e:ID"),
        title=text("e:NAME", event),
        reference=text("e:MAIN_EVENT_ID", event) or text("e:ID", event),
        category=text("e:ETYPE/e:CATEGORY", event),
        lon=float(text("e:LONG", point)),
        lat=float(text("e:LAT", point)),
        occurred=datetime.fromisoformat(text("e:OCC_DATIME", event)),
        injured=sum(int(text(f"e:CASUALTIES/e:{name}", event) or 0) for name in TRIAGE),
        plain_event_values={
            name: text(f"e:{name}", event) for name in UNMAPPED_EVENT_VALUES if text(f"e:{name}", event)
        },
        missions={text("e:ID", m): text("e:STATUS", m) for m in find(root, "e:MISSION")},
    )


def _json_facts(path: Path) -> Facts:
    message = json.loads(path.read_bytes())["emsi"]
    event = message["EVENT"]
    (coord,) = next(g for g in event["EGEO"] if g["POSITION"]["TYPE"] == "POINT")["POSITION"]["COORD"]
    casualties = event.get("CASUALTIES", [{}])[-1]
    return Facts(
        message_id=message["CONTEXT"]["ID"],
        title=event["NAME"],
        reference=event.get("MAIN_EVENT_ID") or event["ID"],
        category=event["ETYPE"]["CATEGORY"][0],
        lon=float(coord["LONG"]),
        lat=float(coord["LAT"]),
        occurred=datetime.fromisoformat(event["OCC_DATIME"]),
        injured=sum(int(casualties.get(name, 0)) for name in TRIAGE),
        plain_event_values={name: str(event[name]) for name in UNMAPPED_EVENT_VALUES if name in event},
        missions={m["ID"]: m["STATUS"] for m in message.get("MISSION", [])},
    )


@pytest.fixture
def examples() -> Path:
    if not EXAMPLES.is_dir():
        if IN_CI:
            pytest.fail(f"CI=true but the EMSI example messages are missing: {EXAMPLES} does not exist")
        pytest.skip(f"the EMSI example messages are not available here ({EXAMPLES} does not exist)")
    return EXAMPLES


def example(examples: Path, name: str) -> tuple[bytes, str, Facts]:
    path = examples / name
    return path.read_bytes(), JSON if path.suffix == ".json" else XML, facts_of(path)


def import_message(client: Client, csrf: dict[str, str], body: bytes, content_type: str) -> Any:
    return client.post(IMPORT, content=body, headers={"content-type": content_type, **csrf})


# --- building an incident to export, through the API ----------------------------------------------------


def declare(client: Client, csrf: dict[str, str], world: World, **changes: Any) -> Body:
    body = {
        "title": "River flood on the Ourthe",
        "hazard": "flood.river",
        "lead_partner_id": str(world.partners["BE-NCCN"]),
        "description": "The Ourthe left its bed at Durbuy",
        "area": {"type": "Polygon", "coordinates": SQUARE},
        "occurred_at": "2025-01-06T08:15:30+01:00",
        **changes,
    }
    created: Body = ok(client.post("/api/incidents", json=body, headers=csrf), 201)
    return created


def assign(
    client: Client, csrf: dict[str, str], world: World, incident_id: str, title: str, **extra: Any
) -> Body:
    body = {
        "title": title,
        "due_at": (datetime.now(UTC) + timedelta(hours=3)).isoformat(),
        "assignee_partner_id": str(world.partners["BE-NCCN"]),
        **extra,
    }
    created: Body = ok(client.post(f"/api/incidents/{incident_id}/tasks", json=body, headers=csrf), 201)
    return created


def sitrep(
    client: Client, csrf: dict[str, str], incident_id: str, figures: dict[str, int], *, publish: bool
) -> Body:
    body = {"texts": {"en": {"situation": "Water still rising"}}, "figures": figures}
    created: Body = ok(client.post(f"/api/incidents/{incident_id}/sitreps", json=body, headers=csrf), 201)
    if publish:
        created = ok(client.post(f"/api/sitreps/{created['id']}/publish", json={}, headers=csrf), 201)
        assert created["status"] == "published"
    return created


def export(client: Client, incident_id: str) -> bytes:
    response = client.get(f"/api/incidents/{incident_id}/emsi")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert (
        response.headers["content-disposition"] == f'attachment; filename="incident-{incident_id}.emsi.xml"'
    )
    return response.content


FIGURES_1 = {"dead": 1, "injured": 4, "missing": 2, "evacuated": 120, "displaced": 30}
FIGURES_2 = {"dead": 2, "injured": 9, "missing": 1, "evacuated": 450, "displaced": 80}
FIGURES_DRAFT = {"dead": 7, "injured": 70, "missing": 7, "evacuated": 700, "displaced": 700}


# --- export ---------------------------------------------------------------------------------------------


def test_an_export_is_schema_valid_with_its_tasks_and_the_latest_published_figures(
    world: World, client: Client
) -> None:
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world)
    first = assign(client, csrf, world, incident["id"], "Sandbags along the Ourthe")
    second = assign(client, csrf, world, incident["id"], "Evacuate the campsite")
    ok(
        client.patch(
            f"/api/tasks/{second['id']}", json={"expected_version": 1, "status": "in_progress"}, headers=csrf
        )
    )
    sitrep(client, csrf, incident["id"], FIGURES_1, publish=True)
    latest = sitrep(client, csrf, incident["id"], FIGURES_2, publish=True)
    sitrep(client, csrf, incident["id"], FIGURES_DRAFT, publish=False)  # a draft is never sent

    xml = export(client, incident["id"])

    emsi_xml.validate(xml)  # raises if the message breaks the shipped schema
    message = emsi_xml.parse_xml(xml)
    assert message.context.mode == "ACTUAL"
    assert message.context.msgtype == "UPDATE"
    assert message.context.seclass == "RESTRC"
    assert message.context.freetext == "The Ourthe left its bed at Durbuy"
    assert message.context.origin is not None
    assert message.context.origin.org_id == "BE-NCCN"
    event = message.event
    assert (event.id, event.name, event.main_event_id) == (incident["id"], incident["title"], incident["id"])
    assert event.etype is not None
    assert event.etype.categories == (HAZARDS["flood.river"].emsi_category,)
    assert event.occ_datime == datetime.fromisoformat("2025-01-06T08:15:30+01:00")
    assert event.status == "IPR"
    missions = {m.name: m for m in message.missions}
    assert set(missions) == {"Sandbags along the Ourthe", "Evacuate the campsite"}
    assert (missions["Sandbags along the Ourthe"].id, missions["Sandbags along the Ourthe"].status) == (
        first["id"],
        "NST",
    )
    assert missions["Evacuate the campsite"].status == "IPR"
    assert all(m.org_id == "BE-NCCN" for m in message.missions)
    assert missions["Evacuate the campsite"].end_time == datetime.fromisoformat(second["due_at"])
    (casualties,) = event.casualties
    assert casualties.context == "SITREP 2"
    assert casualties.datime == datetime.fromisoformat(latest["published_at"])
    assert (casualties.triageblack, casualties.triageyellow, casualties.missing) == (2, 9, 1)
    (evac,) = event.evacs
    assert (evac.evacuated, evac.displaced) == (450, 80)
    (area,) = [g for g in event.egeos if g.type == "GEN/EVENT"]
    assert area.position is not None
    assert [[c.long, c.lat] for c in area.position.coords] == incident["area"]["coordinates"][0]


def test_an_export_without_a_published_report_carries_no_figures(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    incident = declare(client, csrf, world, mode="exercise")
    sitrep(client, csrf, incident["id"], FIGURES_DRAFT, publish=False)

    xml = export(client, incident["id"])

    emsi_xml.validate(xml)
    message = emsi_xml.parse_xml(xml)
    assert message.context.mode == "EXERCS"  # a receiver must never take an exercise for live
    assert message.event.casualties == ()
    assert message.event.evacs == ()
    assert message.missions == ()


def test_an_export_holds_only_what_the_caller_may_see(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    liege = str(world.partners["BE-PROV-LIEGE"])
    incident = declare(client, csrf, world, marking="AMBER", involved=[liege])
    assign(client, csrf, world, incident["id"], "Shared with Liège")
    assign(client, csrf, world, incident["id"], "For NCCN only", marking="RED")

    own = emsi_xml.parse_xml(export(client, incident["id"]))
    client.cookies.clear()
    sign_in(client, "liege.duty")
    involved = emsi_xml.parse_xml(export(client, incident["id"]))
    client.cookies.clear()
    sign_in(client, "nl.duty")
    outsider = client.get(f"/api/incidents/{incident['id']}/emsi")
    client.cookies.clear()
    anonymous = client.get(f"/api/incidents/{incident['id']}/emsi")

    assert {m.name for m in own.missions} == {"Shared with Liège", "For NCCN only"}
    assert {m.name for m in involved.missions} == {"Shared with Liège"}
    assert_problem(outsider, 404)
    assert "River flood" not in outsider.text
    assert anonymous.status_code == 401
    assert "River flood" not in anonymous.text


# --- import of real messages ----------------------------------------------------------------------------


def log_of(client: Client, incident_id: str) -> list[Body]:
    entries: list[Body] = ok(client.get(f"/api/incidents/{incident_id}/log"))
    return entries


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_real_emsi_message_is_imported_as_an_incident(
    world: World, client: Client, examples: Path, name: str
) -> None:
    body, content_type, facts = example(examples, name)
    csrf = sign_in(client, "be.duty")

    response = import_message(client, csrf, body, content_type)

    incident = ok(response, 201)
    assert incident["title"] == facts.title
    assert incident["reference"] == facts.reference
    assert incident["hazard"] in [h.code for h in HAZARDS.values() if h.emsi_category == facts.category]
    assert incident["location"] == [facts.lon, facts.lat]
    assert datetime.fromisoformat(incident["occurred_at"]) == facts.occurred
    assert incident["lead_partner_id"] == str(world.partners["BE-NCCN"])
    assert incident["mode"] == "live"
    assert incident["marking"] == "AMBER"  # RESTRC: not for the whole network
    assert ok(client.get(f"/api/incidents/{incident['id']}")) == incident
    entries = log_of(client, incident["id"])
    (kept,) = [e for e in entries if e["text"].startswith(KEPT)]
    assert kept["source"] == f"EMSI message {facts.message_id}"
    lines = kept["text"].splitlines()
    assert facts.plain_event_values, "the example carries values crisislink has no field for"
    for tag, value in facts.plain_event_values.items():
        assert f"EVENT/{tag}: {value}" in lines, (tag, kept["text"])
    for mission_id in facts.missions:
        assert any(line.startswith(f"MISSION {mission_id}/") for line in lines)
    (report,) = ok(client.get(f"/api/incidents/{incident['id']}/sitreps"))
    assert report["figures"]["injured"] == facts.injured
    assert report["status"] == "draft"  # figures received are for the lead partner to check and publish


def test_the_examples_cover_both_forms(examples: Path) -> None:
    suffixes = {path.suffix for path in examples.iterdir()}
    assert {".xml", ".json"} <= suffixes


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_same_event_imported_twice_is_refused_and_adds_nothing(
    world: World, client: Client, examples: Path, name: str
) -> None:
    body, content_type, facts = example(examples, name)
    csrf = sign_in(client, "be.duty")
    first = ok(import_message(client, csrf, body, content_type), 201)
    before = incident_state(world.platform)

    again = import_message(client, csrf, body, content_type)

    assert_problem(again, 409, facts.reference, first["id"])
    # The same event in the other form (JSON for XML, XML for JSON) is the same event.
    other = next((n for n in EXAMPLE_NAMES if n != name and Path(n).suffix != Path(name).suffix), None)
    if other is not None:
        other_body, other_type, other_facts = example(examples, other)
        if other_facts.reference == facts.reference:
            assert_problem(import_message(client, csrf, other_body, other_type), 409, facts.reference)
    assert incident_state(world.platform) == before


def test_a_mission_in_progress_is_imported_as_a_task_in_progress(
    world: World, client: Client, examples: Path
) -> None:
    name = next((n for n in EXAMPLE_NAMES if "IPR" in facts_of(examples / n).missions.values()), None)
    if name is None:
        pytest.skip("no example message has a mission in progress")
    body, content_type, facts = example(examples, name)
    csrf = sign_in(client, "be.duty")

    incident = ok(import_message(client, csrf, body, content_type), 201)

    (mission_id,) = [m for m, status in facts.missions.items() if status == "IPR"]
    (task,) = [
        task
        for task in ok(client.get(f"/api/incidents/{incident['id']}/tasks"))
        if f"EMSI mission {mission_id}" in task["details"]
    ]
    kept = "\n".join(e["text"] for e in log_of(client, incident["id"]))
    assert task["status"] == "in_progress" or f"MISSION {mission_id}/STATUS: IPR" in kept


# --- import of bodies that must be refused --------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE emsi [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<emsi xmlns="urn:emergency:eda:1.9:emsi"><CONTEXT><ID>&lol9;</ID></CONTEXT></emsi>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE emsi [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<emsi xmlns="urn:emergency:eda:1.9:emsi"><CONTEXT><ID>&secret;</ID></CONTEXT></emsi>
"""


def with_mode(xml: bytes, mode: str) -> bytes:
    root = etree.fromstring(xml)
    (element,) = find(root, "e:CONTEXT/e:MODE")
    element.text = mode
    written: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return written


def json_value(element: Any) -> Any:
    """An element as EMSI JSON: members by tag, an array for a repeated tag, numbers as numbers."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        text = str(element.text or "")
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text
    members: dict[str, list[Any]] = {}
    for child in children:
        members.setdefault(etree.QName(child).localname, []).append(json_value(child))
    return {tag: values[0] if len(values) == 1 else values for tag, values in members.items()}


def as_json(xml: bytes, mode: str) -> bytes:
    """The message as EMSI JSON, as the health hub sends it, with another MODE."""
    document = {"emsi": json_value(etree.fromstring(xml))}
    document["emsi"]["CONTEXT"]["MODE"] = mode
    return json.dumps(document).encode()


BAD_BODIES: dict[str, tuple[Callable[[bytes], bytes], str, str]] = {
    "not-xml": (lambda _xml: b"this is not an EMSI message", XML, "not well-formed XML"),
    "not-json": (lambda _xml: b'{"emsi": {"CONTEXT": ', JSON, "not valid JSON"),
    "empty": (lambda _xml: b"", XML, "empty"),
    "billion-laughs": (lambda _xml: BILLION_LAUGHS, XML, "the EMSI message"),
    "external-entity": (lambda _xml: EXTERNAL_ENTITY, XML, "DOCTYPE"),
    "another-root": (
        lambda _xml: b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>',
        XML,
        "expected an EMSI",
    ),
    "mode-xml": (lambda xml: with_mode(xml, "LIVE"), XML, "MODE"),
    "mode-json": (lambda xml: as_json(xml, "LIVE"), JSON, "MODE"),
    "json-unknown-member": (
        lambda _xml: (
            b'{"emsi": {"CONTEXT": {"ID": "x", "MODE": "ACTUAL", "MSGTYPE": "ALERT"}, "EVENT": {"ID": "e"}, "HACK": 1}}'
        ),
        JSON,
        "HACK",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
def test_a_bad_body_is_refused_with_400_and_adds_nothing(world: World, client: Client, kind: str) -> None:
    csrf = sign_in(client, "be.duty")
    valid = export(client, declare(client, csrf, world)["id"])
    make, content_type, mention = BAD_BODIES[kind]
    body = make(valid)
    before = incident_state(world.platform)

    response = import_message(client, csrf, body, content_type)

    problem = assert_problem(response, 400, mention)
    assert "root:" not in problem["detail"]  # nothing of /etc/passwd
    assert incident_state(world.platform) == before


def test_the_valid_base_of_the_bad_bodies_is_itself_accepted(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    valid = export(client, declare(client, csrf, world)["id"])

    imported = ok(import_message(client, csrf, with_mode(valid, "EXERCS"), XML), 201)

    assert imported["mode"] == "exercise"
    assert imported["title"] == "River flood on the Ourthe"


def test_an_import_needs_a_writer_and_the_csrf_header(world: World, client: Client) -> None:
    valid = export(client, declare(client, sign_in(client, "be.duty"), world)["id"])
    before = incident_records(world.platform)  # signing in is audited: only the incidents are compared

    refused = client.post(IMPORT, content=valid, headers={"content-type": XML})  # no CSRF header
    client.cookies.clear()
    analyst = import_message(client, sign_in(client, "be.analyst"), valid, XML)
    client.cookies.clear()
    anonymous = client.post(IMPORT, content=valid, headers={"content-type": XML})

    assert refused.status_code == 403
    assert_problem(analyst, 403, "role")
    assert anonymous.status_code == 401
    assert incident_records(world.platform) == before


# --- a whole incident, from one platform to another -----------------------------------------------------


@pytest.fixture
def second_world(db_url: str, tmp_path: Path) -> Iterator[World]:
    """Another platform, on its own fresh database of the same kind as the first."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'second.db'}"
        migrated(url)
        platform = make_platform(url)
        yield build_world(platform)
        platform.stop()
        return
    with fresh_postgres_database() as url:
        migrated(url)
        platform = make_platform(url)
        yield build_world(platform)
        platform.stop()


def test_an_incident_exported_and_imported_elsewhere_keeps_what_matters(
    world: World, client: Client, second_world: World
) -> None:
    csrf = sign_in(client, "be.duty")
    original = declare(client, csrf, world)
    assign(client, csrf, world, original["id"], "Close the N86 at Durbuy")
    sitrep(client, csrf, original["id"], FIGURES_1, publish=True)
    xml = export(client, original["id"])

    with TestClient(create_app(second_world.platform)) as elsewhere:
        other_csrf = sign_in(elsewhere, "nl.duty")
        imported = ok(import_message(elsewhere, other_csrf, xml, XML), 201)
        tasks = ok(elsewhere.get(f"/api/incidents/{imported['id']}/tasks"))
        reports = ok(elsewhere.get(f"/api/incidents/{imported['id']}/sitreps"))
        log = log_of(elsewhere, imported["id"])

    assert imported["id"] != original["id"]
    assert imported["reference"] == original["id"]  # the sender's id, so the next update is recognised
    assert imported["title"] == original["title"]
    assert imported["hazard"] == original["hazard"]
    assert imported["description"] == original["description"]
    assert imported["area"] == original["area"]
    assert datetime.fromisoformat(imported["occurred_at"]) == datetime.fromisoformat(original["occurred_at"])
    assert imported["lead_partner_id"] == str(second_world.partners["NL-VR23"])
    assert [task["title"] for task in tasks] == ["Close the N86 at Durbuy"]
    assert [report["figures"] for report in reports] == [FIGURES_1]
    assert any("BE-NCCN" in entry["text"] for entry in log)  # who sent it
    with world.platform.engine.connect() as conn:  # the first platform was only read
        assert conn.execute(sa.select(sa.func.count()).select_from(t.incidents)).scalar_one() == 1
