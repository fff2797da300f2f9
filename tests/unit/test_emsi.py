"""EMSI: incidents exported as schema-valid messages, real messages read without loss, hostile input refused.

The real messages and the official schema come from tests/fixtures/standards/emsi (provenance in
tests/fixtures/standards/SOURCES.md). Without that folder these tests skip, except in CI (CI=true), where they must run.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisislink.adapters.standards import emsi, emsi_json, emsi_xml
from crisislink.adapters.standards.emsi_codes import (
    ACTOR,
    AREA_EGEO,
    DEFAULT_RADIUS_M,
    EVENT_STATUS_OF,
    LOCATION_EGEO,
    MARKING_FROM,
    MISSION_STATUS_OF,
    MISSION_TYPE,
    MODE_FROM,
    MODE_OF,
    RESOURCE_CLASS,
    RESOURCE_STATUS,
    SECLASS_OF,
    TASK_STATUS_FROM,
    hazard_for_category,
)
from crisislink.adapters.standards.emsi_export import incident_to_emsi
from crisislink.adapters.standards.emsi_import import ImportedIncident, emsi_to_import
from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.incidents.model import Incident, IncidentStatus, Mode, Point, Task, TaskStatus
from crisislink.domains.incidents.sitreps import Figures, Sitrep, SitrepStatus, SitrepText
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Label, Tlp

STANDARDS = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "emsi"
EXAMPLES = STANDARDS / "examples"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}  # as tests/support.py, without its imports
CET = timezone(timedelta(hours=1))
NODE = uuid.UUID("00000000-0000-7000-8000-00000000000a")
NCCN = uuid.UUID("00000000-0000-7000-8000-000000000001")  # BE national crisis centre, the lead
VR_ZL = uuid.UUID("00000000-0000-7000-8000-000000000002")  # NL safety region Zuid-Limburg
CGDIS = uuid.UUID("00000000-0000-7000-8000-000000000003")  # LU rescue services
CODES = {NCCN: "be.gov.nccn", VR_ZL: "nl.vr.zuid-limburg", CGDIS: "lu.cgdis"}
NAMES = {NCCN: "Nationaal Crisiscentrum", VR_ZL: "Veiligheidsregio Zuid-Limburg", CGDIS: "CGDIS"}

# A chlorine release at the Meuse, straddling the BE-NL border near Visé and Eijsden.
AREA_RING = [[5.68, 50.75], [5.73, 50.75], [5.73, 50.79], [5.68, 50.79], [5.68, 50.75]]


# --- building domain objects ----------------------------------------------------------------------------


def label(marking: Tlp = Tlp.AMBER) -> Label:
    return Label(owner_partner_id=NCCN, home_node_id=NODE, marking=marking)


def an_incident(**changes: Any) -> Incident:
    values: dict[str, Any] = {
        "id": uuid.UUID("0190a000-0000-7000-8000-0000000000c1"),
        "label": label(),
        "title": "Chlorine release at the Meuse",
        "hazard": "chemical.release",
        "description": "A barge leaks chlorine near the lock of Lanaye; a plume drifts north-east.",
        "area": Area({"type": "Polygon", "coordinates": [AREA_RING]}, ref=None),
        "location": Point(lon=5.7049, lat=50.7712),
        "lead_partner_id": NCCN,
        "involved": frozenset({VR_ZL, CGDIS}),
        "languages": ("nl", "fr", "en"),
        "occurred_at": datetime(2024, 6, 3, 9, 41, 30, tzinfo=CET),
        "declared_at": datetime(2024, 6, 3, 8, 55, tzinfo=UTC),
        "declared_by": None,
        "reference": "BE-NCCN-2024-0042",
    }
    values.update(changes)
    return Incident(**values)


def a_task(incident: Incident, title: str, status: TaskStatus, assignee: uuid.UUID, hours: int) -> Task:
    created = datetime(2024, 6, 3, 9, 10, tzinfo=UTC)
    return Task(
        id=uuid.uuid5(incident.id, title),
        label=label(),
        incident_id=incident.id,
        title=title,
        details=f"{title}: details for the partner, with accents é and ë.",
        assignee_partner_id=assignee,
        assignee_user_id=None,
        due_at=created + timedelta(hours=hours),
        created_at=created,
        created_by=None,
        status=status,
    )


def a_sitrep(incident: Incident) -> Sitrep:
    created = datetime(2024, 6, 3, 10, 0, tzinfo=UTC)
    return Sitrep(
        id=uuid.uuid5(incident.id, "sitrep-2"),
        label=label(),
        incident_id=incident.id,
        number=2,
        author_user_id=None,
        texts={"en": SitrepText(situation="The leak is contained; the plume thins out.")},
        figures=Figures(dead=1, injured=14, missing=2, evacuated=350, displaced=40),
        created_at=created,
        status=SitrepStatus.PUBLISHED,
        publish_at=created,
        published_at=created + timedelta(minutes=5),
    )


def export(
    incident: Incident, *, tasks: tuple[Task, ...] = (), sitrep: Sitrep | None = None
) -> emsi.EmsiMessage:
    return incident_to_emsi(
        incident,
        tasks=tasks,
        sitrep=sitrep,
        partner_codes=CODES,
        partner_names=NAMES,
        message_id=f"crisislink-{uuid.uuid5(incident.id, 'message-1')}",
        created=datetime(2024, 6, 3, 10, 30, tzinfo=UTC),
        first=True,
    )


@pytest.fixture
def incident() -> Incident:
    return an_incident()


@pytest.fixture
def tasks(incident: Incident) -> tuple[Task, Task]:
    return (
        a_task(incident, "Close the Meuse to shipping downstream", TaskStatus.IN_PROGRESS, VR_ZL, 2),
        a_task(incident, "Measure chlorine at the border", TaskStatus.OPEN, CGDIS, 4),
    )


# --- (a) export validates -------------------------------------------------------------------------------


def test_an_exported_incident_is_schema_valid(incident: Incident, tasks: tuple[Task, Task]) -> None:
    xml = emsi_xml.to_xml(export(incident, tasks=tasks, sitrep=a_sitrep(incident)))

    emsi_xml.validate(xml)

    root = etree.fromstring(xml)
    assert root.tag == f"{{{emsi.NAMESPACE}}}emsi"
    assert root.nsmap == {None: emsi.NAMESPACE}


def test_the_export_says_what_the_mapping_promises(incident: Incident, tasks: tuple[Task, Task]) -> None:
    message = export(incident, tasks=tasks, sitrep=a_sitrep(incident))
    context, event = message.context, message.event

    assert (context.mode, context.msgtype, context.seclass) == ("ACTUAL", "ALERT", "RESTRC")
    assert context.origin == emsi.Origin(org_id="be.gov.nccn", name="Nationaal Crisiscentrum")
    assert (event.id, event.main_event_id, event.status) == (str(incident.id), "BE-NCCN-2024-0042", "IPR")
    assert event.etype == emsi.Etype(categories=("POL/CHM",), actors=("PPL",), loctypes=("OTH",))
    assert [(egeo.type, egeo.position.type if egeo.position else None) for egeo in event.egeos] == [
        ("GEN/LOCAT", "POINT"),
        ("GEN/EVENT", "POLYGON"),
    ]
    assert [mission.type for mission in message.missions] == ["FSTT/TA", "FSTT/TA"]
    assert [mission.org_id for mission in message.missions] == ["nl.vr.zuid-limburg", "lu.cgdis"]
    assert [(r.org_id, r.rtype.rclasses, r.status) for r in message.resources] == [
        ("be.gov.nccn", ("ORG",), "IN_USE/ON_SCENE"),
        ("lu.cgdis", ("ORG",), "IN_USE/ON_SCENE"),
        ("nl.vr.zuid-limburg", ("ORG",), "IN_USE/ON_SCENE"),
    ]


def test_times_are_written_with_their_offset(incident: Incident) -> None:
    xml = emsi_xml.to_xml(export(incident))

    assert b"<OCC_DATIME>2024-06-03T09:41:30+01:00</OCC_DATIME>" in xml
    assert b"<DECL_DATIME>2024-06-03T08:55:00+00:00</DECL_DATIME>" in xml


def test_exercises_and_replays_are_never_sent_as_actual() -> None:
    for mode in (Mode.EXERCISE, Mode.REPLAY):
        message = export(an_incident(mode=mode))
        assert message.context.mode == "EXERCS"
        assert emsi_to_import(message).mode is Mode.EXERCISE


def test_an_area_of_several_polygons_is_one_egeo_per_exterior_ring() -> None:
    east = [[5.80, 49.90], [5.85, 49.90], [5.85, 49.95], [5.80, 49.90]]
    hole = [[5.69, 50.76], [5.70, 50.76], [5.70, 50.77], [5.69, 50.76]]
    area = Area({"type": "MultiPolygon", "coordinates": [[AREA_RING, hole], [east]]})
    message = export(an_incident(area=area, location=None))

    emsi_xml.validate(emsi_xml.to_xml(message))
    imported = emsi_to_import(emsi_xml.parse_xml(emsi_xml.to_xml(message)))

    assert imported.area is not None
    assert imported.area.geometry == {"type": "MultiPolygon", "coordinates": [[AREA_RING], [east]]}
    assert imported.location is None


def test_a_draft_report_or_another_incidents_task_is_not_sent(incident: Incident) -> None:
    draft = a_sitrep(incident)
    draft.status = SitrepStatus.DRAFT
    with pytest.raises(InvalidInput, match="not published"):
        export(incident, sitrep=draft)

    other = an_incident(id=uuid.UUID("0190a000-0000-7000-8000-0000000000c2"))
    with pytest.raises(InvalidInput, match="another incident"):
        export(incident, tasks=(a_task(other, "Someone else's task", TaskStatus.OPEN, VR_ZL, 1),))


def test_text_xml_cannot_carry_is_refused_naming_the_element() -> None:
    message = export(an_incident(title="Bad \x00 title"))

    with pytest.raises(InvalidInput, match="EVENT/NAME"):
        emsi_xml.to_xml(message)


# --- the code tables against the schema ----------------------------------------------------------------


def schema_codes(element: str, within: str) -> set[str]:
    """The enumeration the shipped schema gives `element` inside complex type `within`."""
    xs = "{http://www.w3.org/2001/XMLSchema}"
    schema = etree.fromstring(
        resources.files(emsi_xml.SCHEMA_PACKAGE).joinpath(emsi_xml.SCHEMA_PATH).read_bytes()
    )
    (declared,) = schema.findall(f"{xs}complexType[@name='{within}']//{xs}element[@name='{element}']")
    return {str(value.get("value")) for value in declared.iter(f"{xs}enumeration")}


def test_every_code_crisislink_writes_is_in_the_schema() -> None:
    assert set(MODE_OF.values()) <= schema_codes("MODE", "context")
    assert set(SECLASS_OF.values()) <= schema_codes("SECLASS", "context")
    assert set(EVENT_STATUS_OF.values()) <= schema_codes("STATUS", "event")
    assert set(MISSION_STATUS_OF.values()) <= schema_codes("STATUS", "mission")
    assert MISSION_TYPE in schema_codes("TYPE", "mission")
    assert ACTOR in schema_codes("ACTOR", "etype")
    assert RESOURCE_CLASS in schema_codes("RCLASS", "rtype")
    assert RESOURCE_STATUS in schema_codes("STATUS", "resource")
    assert {LOCATION_EGEO, AREA_EGEO} <= schema_codes("TYPE", "egeo")
    assert {hazard.emsi_category for hazard in HAZARDS.values()} <= schema_codes("CATEGORY", "etype")


def test_every_code_the_schema_allows_is_read() -> None:
    assert schema_codes("MODE", "context") <= set(MODE_FROM)
    assert schema_codes("SECLASS", "context") <= set(MARKING_FROM)
    assert schema_codes("STATUS", "mission") <= set(TASK_STATUS_FROM)


# --- TLP and SECLASS ------------------------------------------------------------------------------------

STRICTNESS = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]


@pytest.mark.parametrize("marking", list(Tlp))
def test_a_marking_comes_back_at_least_as_strict(marking: Tlp) -> None:
    imported = MARKING_FROM[SECLASS_OF[marking]]

    assert STRICTNESS.index(imported) >= STRICTNESS.index(marking)


# --- (b) round trip -------------------------------------------------------------------------------------


@pytest.fixture
def round_trip(incident: Incident, tasks: tuple[Task, Task]) -> ImportedIncident:
    xml = emsi_xml.to_xml(export(incident, tasks=tasks, sitrep=a_sitrep(incident)))
    return emsi_to_import(emsi_xml.parse_xml(xml))


def test_round_trip_keeps_the_incident(incident: Incident, round_trip: ImportedIncident) -> None:
    assert round_trip.title == incident.title
    assert round_trip.hazard == incident.hazard
    assert round_trip.description == incident.description
    assert round_trip.occurred_at == incident.occurred_at
    assert round_trip.declared_at == incident.declared_at
    assert round_trip.location == incident.location
    assert round_trip.area is not None
    assert round_trip.area.geometry == {"type": "Polygon", "coordinates": [AREA_RING]}
    assert round_trip.radius_m is None
    assert round_trip.reference == incident.reference
    assert round_trip.mode is Mode.LIVE
    assert round_trip.marking is Tlp.AMBER
    assert (round_trip.origin_org_id, round_trip.origin_name) == ("be.gov.nccn", "Nationaal Crisiscentrum")


def test_round_trip_keeps_the_figures(round_trip: ImportedIncident) -> None:
    assert round_trip.figures == Figures(dead=1, injured=14, missing=2, evacuated=350, displaced=40)


def test_round_trip_keeps_each_task(tasks: tuple[Task, Task], round_trip: ImportedIncident) -> None:
    assert len(round_trip.missions) == len(tasks)
    for task, mission in zip(tasks, round_trip.missions, strict=True):
        assert mission.id == str(task.id)
        assert mission.title == task.title
        assert mission.details == task.details
        assert mission.status is task.status
        assert mission.start == task.created_at
        assert mission.end == task.due_at
        assert mission.org_id == CODES[task.assignee_partner_id]


def test_round_trip_lists_the_partners_as_resources(round_trip: ImportedIncident) -> None:
    assert [(r.id, r.name, r.rtype, r.freetext) for r in round_trip.resources] == [
        (str(NCCN), "Nationaal Crisiscentrum", "ORG", "lead partner"),
        (str(CGDIS), "CGDIS", "ORG", "involved partner"),
        (str(VR_ZL), "Veiligheidsregio Zuid-Limburg", "ORG", "involved partner"),
    ]


def test_round_trip_without_reference_gives_the_incident_id(incident: Incident) -> None:
    bare = an_incident(reference=None)

    imported = emsi_to_import(emsi_xml.parse_xml(emsi_xml.to_xml(export(bare))))

    assert imported.reference == str(bare.id)
    assert not any(note.startswith("EVENT/ID") for note in imported.notes)


def test_a_point_without_polygon_suggests_a_buffer() -> None:
    message = export(an_incident())
    pointed = replace(message, event=replace(message.event, egeos=message.event.egeos[:1]))

    imported = emsi_to_import(pointed)

    assert imported.area is None
    assert imported.radius_m == DEFAULT_RADIUS_M
    assert imported.location == Point(lon=5.7049, lat=50.7712)


# --- (c) the real examples ------------------------------------------------------------------------------


def require_shared(path: Path) -> Path:
    if not path.exists():
        reason = f"{path} is missing (shared standards material)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


def example_names(suffix: str) -> list[Any]:
    names = sorted(path.name for path in EXAMPLES.glob(f"*{suffix}")) if EXAMPLES.is_dir() else []
    return names or [pytest.param("", id="examples-missing")]


def read_example(name: str) -> bytes:
    examples = require_shared(EXAMPLES)
    assert name, f"no example in {examples}"
    return (examples / name).read_bytes()


def leaves(xml: bytes) -> list[tuple[str, str]]:
    """Every element of a document as (name, text), in document order; whitespace between elements ignored."""
    return [(etree.QName(el).localname, (el.text or "").strip()) for el in etree.fromstring(xml).iter()]


@pytest.mark.parametrize("name", example_names(".xml"))
def test_a_real_xml_example_reads_and_writes_back_without_loss(name: str) -> None:
    original = read_example(name)

    message = emsi_xml.parse_xml(original)
    written = emsi_xml.to_xml(message)

    emsi_xml.validate(written)
    assert emsi_xml.parse_xml(written) == message
    assert leaves(written) == leaves(original)  # every element and value, in the same order


@pytest.mark.parametrize("name", example_names(".json"))
def test_a_real_json_example_reads_and_writes_valid_xml(name: str) -> None:
    message = emsi_json.parse_json(read_example(name))

    written = emsi_xml.to_xml(message)

    emsi_xml.validate(written)
    assert emsi_xml.parse_xml(written) == message


def test_the_json_and_xml_forms_of_the_same_message_read_the_same() -> None:
    from_json = emsi_json.parse_json(read_example("EMSI-RDC-message.json"))
    from_xml = emsi_xml.parse_xml(read_example("EMSI-RDC-message.xml"))

    assert from_json == from_xml


def test_the_shipped_schema_is_the_official_one_unchanged() -> None:
    official = require_shared(STANDARDS / "EMSI.xsd")

    shipped = resources.files(emsi_xml.SCHEMA_PACKAGE).joinpath(
        emsi_xml.SCHEMA_PATH
    )  # as the product reads it
    assert shipped.read_bytes() == official.read_bytes()


@pytest.fixture
def dc_message() -> emsi.EmsiMessage:
    return emsi_xml.parse_xml(read_example("emsi-DC-message.xml"))


@pytest.fixture
def dc_import() -> ImportedIncident:
    return emsi_to_import(emsi_xml.parse_xml(read_example("emsi-DC-message.xml")))


def test_the_dc_example_imports_as_an_incident(dc_import: ImportedIncident) -> None:
    assert dc_import.title == "Incident sur voix cyclable"
    assert dc_import.hazard == "transport.road"  # TRP/COL, collision
    assert dc_import.location == Point(lon=4.830608, lat=45.760169)
    assert dc_import.area is None
    assert dc_import.radius_m == DEFAULT_RADIUS_M
    assert dc_import.occurred_at == datetime(2023, 11, 3, 10, 1, tzinfo=CET)
    assert dc_import.declared_at == datetime(2023, 11, 3, 10, 3, tzinfo=CET)
    assert dc_import.description == "Gène de plus en plus importante à la circulation, risque accident"
    assert dc_import.reference == "fr.health.samu690.DRFR15690240430050"
    assert (dc_import.origin_org_id, dc_import.origin_name) == ("fr.health.samu690", "SAMU 69")
    assert dc_import.mode is Mode.LIVE
    assert dc_import.marking is Tlp.AMBER  # RESTRC
    assert dc_import.message_id == "d350c9d2-9d76-4568-b0b7-a747ffadc949"


def test_the_dc_example_gives_its_triage_figures(dc_import: ImportedIncident) -> None:
    # TRIAGERED 0 + TRIAGEYELLOW 1 + TRIAGEGREEN 1 injured, TRIAGEBLACK 0 dead.
    assert dc_import.figures == Figures(dead=0, injured=2, missing=0, evacuated=0, displaced=0)
    assert (
        "EVENT/CASUALTIES: TRIAGERED 0, TRIAGEYELLOW 1, TRIAGEGREEN 1 (counted together as 2 injured)"
        in dc_import.notes
    )


def test_the_dc_example_gives_its_mission(dc_import: ImportedIncident) -> None:
    (mission,) = dc_import.missions

    assert mission.id == "ABC1YU3454"
    assert mission.title == "#DEMANDE_CONCOURS#CARENCE#Z.01.00.00#"
    assert mission.details.startswith("Besoin d'assisance terrain")
    assert mission.org_id == "fr.health.samu690"
    assert mission.status is TaskStatus.IN_PROGRESS
    assert mission.start == datetime(2023, 11, 3, 10, 20, tzinfo=CET)
    assert mission.end is None


def test_the_dc_example_keeps_what_an_incident_cannot_hold_as_notes(dc_import: ImportedIncident) -> None:
    expected = [
        "CONTEXT/MSGTYPE: UPDATE",
        "CONTEXT/CREATION: 2023-11-03T11:10:06+01:00",
        "CONTEXT/ORIGIN/USER_ID: samu690",
        "EVENT/ID: DRFR15690240430050",
        "EVENT/ETYPE/ACTOR: PPL",
        "EVENT/ETYPE/LOCTYPE: OTH",
        "EVENT/ETYPE/ENV: DIS/TRSPRT",
        "EVENT/SOURCE: COMFOR",
        "EVENT/SCALE: 2",
        "EVENT/CERTAINTY: 95",
        "EVENT/OBS_DATIME: 2023-11-03T10:04:00+01:00",
        "EVENT/STATUS: IPR",
        "EVENT/RISK_ASSESMENT: STABLE",
        "EVENT/CAUSE: ACC",
        "EVENT/CASUALTIES/CONTEXT: REQ_ACTION",
        "EVENT/CASUALTIES/DATIME: 2023-11-03T10:01:00+01:00",
        "EVENT/CASUALTIES/DECONT: 0",
        "EVENT/EGEO/DATIME: 2023-11-03T10:04:00+01:00",
        "EVENT/EGEO/TYPE: GEN/ROUTE",
        "EVENT/EGEO/WEATHER: WIN",
        "EVENT/EGEO/POSITION/LOC_ID: 111fb03a-6fd9-41e0-8e81-990c45188887",
        "EVENT/EGEO/POSITION/NAME: Quai des Célestins",
        "EVENT/EGEO/POSITION/HEIGHT_ROLE: MIN",
        "EVENT/EGEO/POSITION/ADDRESS: 8 Quai des Célestins, Lyon",
        "EVENT/EGEO/POSITION/COORD/HEIGHT: 168",
        "MISSION ABC1YU3454/TYPE: FSTT/TA",
        "MISSION ABC1YU3454/POSITION/COORD: 45.760169,4.830608,168",
        "MISSION ABC1YU3454/PRIORITY: 3",
    ]

    assert [line for line in expected if line not in dc_import.notes] == []


def test_the_rdc_example_keeps_a_paused_mission_as_open_with_a_note() -> None:
    imported = emsi_to_import(emsi_xml.parse_xml(read_example("EMSI-RDC-message.xml")))

    (mission,) = imported.missions
    assert (mission.id, mission.org_id, mission.status) == ("ABC1YU3455", "fr.fire.cgo690", TaskStatus.OPEN)
    assert "MISSION ABC1YU3455/STATUS: PAU (imported as open)" in imported.notes
    assert "CONTEXT/LEVEL: OPR" in imported.notes


# --- (d) bad input --------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE emsi [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<emsi xmlns="urn:emergency:eda:1.9:emsi"><CONTEXT><ID>&lol9;</ID></CONTEXT></emsi>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE emsi [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<emsi xmlns="urn:emergency:eda:1.9:emsi"><CONTEXT><ID>&secret;</ID></CONTEXT></emsi>"""


@pytest.fixture
def valid_xml(incident: Incident) -> bytes:
    return emsi_xml.to_xml(export(incident))


@pytest.mark.parametrize("read", [emsi_xml.parse_xml, emsi_xml.validate], ids=["parse_xml", "validate"])
def test_what_is_not_xml_is_refused(read: Any) -> None:
    with pytest.raises(InvalidInput, match="not well-formed XML"):
        read(b"CONTEXT: ACTUAL, EVENT: flood")


@pytest.mark.parametrize(
    "hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"]
)
def test_a_doctype_is_refused_without_expanding_anything(hostile: bytes) -> None:
    # libxml2 stops an entity bomb itself while reading the DTD; anything else with a DOCTYPE is refused after.
    with pytest.raises(InvalidInput, match=r"DOCTYPE|entity amplification") as refused:
        emsi_xml.parse_xml(hostile)

    assert "root:" not in refused.value.message  # nothing of /etc/passwd leaked into the message
    assert len(refused.value.message) < 200


def test_another_namespace_is_refused_naming_it(valid_xml: bytes) -> None:
    foreign = valid_xml.replace(emsi.NAMESPACE.encode(), b"urn:emergency:eda:1.8:emsi")

    with pytest.raises(InvalidInput, match=r"got <emsi> in namespace 'urn:emergency:eda:1\.8:emsi'"):
        emsi_xml.parse_xml(foreign)


def test_another_root_is_refused_naming_it() -> None:
    cap = b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>'

    with pytest.raises(InvalidInput, match=r"expected an EMSI message.*got <alert>"):
        emsi_xml.validate(cap)


def test_a_schema_violation_carries_the_schemas_messages(valid_xml: bytes) -> None:
    invalid = valid_xml.replace(b"<MODE>ACTUAL</MODE>", b"<MODE>LIVE</MODE>")

    with pytest.raises(emsi_xml.SchemaViolation) as violation:
        emsi_xml.parse_xml(invalid)

    assert isinstance(violation.value, InvalidInput)
    (error,) = violation.value.errors
    assert "MODE" in error
    assert "'LIVE' is not an element of the set" in error
    assert error in violation.value.message


def test_elements_out_of_schema_order_are_refused(valid_xml: bytes) -> None:
    root = etree.fromstring(valid_xml)
    context = root[0]
    context.insert(0, context[1])  # MODE before ID

    with pytest.raises(emsi_xml.SchemaViolation, match="ID"):
        emsi_xml.validate(etree.tostring(root))


def test_a_time_without_offset_is_refused(valid_xml: bytes) -> None:
    naive = valid_xml.replace(b"2024-06-03T09:41:30+01:00", b"2024-06-03T09:41:30")

    emsi_xml.validate(naive)  # the schema allows it...
    with pytest.raises(InvalidInput, match=r"EVENT/OCC_DATIME.*no UTC offset"):
        emsi_xml.parse_xml(naive)  # ...but nobody can tell which instant it is


def test_an_oversized_message_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidInput, match="larger than"):
        emsi_xml.parse_xml(b" " * (emsi_xml.MAX_MESSAGE_BYTES + 1))


def json_of(message: dict[str, Any]) -> bytes:
    return json.dumps({"emsi": message}).encode()


def minimal_json(**event: Any) -> dict[str, Any]:
    return {
        "CONTEXT": {"ID": "m-1", "MODE": "ACTUAL", "MSGTYPE": "ALERT"},
        "EVENT": {"ID": "e-1", **event},
    }


def test_json_is_read_bare_or_wrapped() -> None:
    bare = emsi_json.parse_json(json.dumps(minimal_json(NAME="Flood")).encode())
    wrapped = emsi_json.parse_json(json_of(minimal_json(NAME="Flood")))

    assert bare == wrapped
    assert bare.event.name == "Flood"


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (b"{not json", "not valid JSON"),
        (
            b'{"emsi": {"CONTEXT": {"ID": "m", "MODE": "ACTUAL", "MSGTYPE": "ALERT"}, "EVENT": {"ID": NaN}}}',
            "NaN",
        ),
        (b'["CONTEXT"]', "expected an EMSI message"),
        (json_of(minimal_json(COLOUR="red")), "EVENT has members EMSI does not define: COLOUR"),
        (json_of(minimal_json(CERTAINTY="high")), "EVENT/CERTAINTY must be an integer"),
        (json_of(minimal_json(NAME=["a", "b"])), "EVENT/NAME occurs once"),
        (
            json_of({"CONTEXT": {"ID": "m-1", "MODE": "ACTUAL"}, "EVENT": {"ID": "e"}}),
            "CONTEXT/MSGTYPE is required",
        ),
        (json_of(minimal_json(OCC_DATIME="2024-06-03T09:41:30")), "no UTC offset"),
    ],
    ids=[
        "syntax",
        "nan",
        "array",
        "unknown-member",
        "wrong-type",
        "list-for-single",
        "missing",
        "naive-time",
    ],
)
def test_bad_json_is_refused_saying_what_is_wrong(data: bytes, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        emsi_json.parse_json(data)


def test_a_json_code_the_schema_does_not_know_is_refused_with_its_message() -> None:
    message = minimal_json()
    message["CONTEXT"]["MODE"] = "LIVE"

    with pytest.raises(emsi_xml.SchemaViolation, match="'LIVE' is not an element of the set"):
        emsi_json.parse_json(json_of(message))


def test_validation_is_safe_from_several_threads(valid_xml: bytes) -> None:
    invalid = valid_xml.replace(b"<MODE>ACTUAL</MODE>", b"<MODE>LIVE</MODE>")
    start = threading.Barrier(8)

    def check(document: bytes) -> tuple[str, ...]:
        start.wait()  # everybody validates at once, the schema compiled by whoever comes first
        try:
            emsi_xml.validate(document)
        except emsi_xml.SchemaViolation as violation:
            return violation.errors
        return ()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(check, [valid_xml, invalid] * 4))

    assert outcomes[0::2] == [()] * 4
    assert all(len(errors) == 1 and "LIVE" in errors[0] for errors in outcomes[1::2])


# --- (e) every hazard -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(HAZARDS))
def test_every_hazard_exports_as_a_valid_message(code: str) -> None:
    message = export(an_incident(hazard=code, status=IncidentStatus.DE_ESCALATING))

    emsi_xml.validate(emsi_xml.to_xml(message))

    back, inexact = hazard_for_category(HAZARDS[code].emsi_category)
    assert inexact is None
    assert HAZARDS[back].emsi_category == HAZARDS[code].emsi_category


@pytest.mark.parametrize(
    ("category", "hazard"),
    [
        ("PSW", "other"),  # shared by many hazards: the generic one
        ("TRP", "transport.rail"),
        ("POL/CHM", "chemical.release"),
        ("FIR/CLB", "fire.industrial"),  # by family: FIR/UKN, the generic fire
        ("GND/AVL", "geo.earthquake"),  # by family: the only GND hazard
        ("EXP/GAS", "other"),  # no explosion hazard
    ],
)
def test_a_category_finds_the_closest_hazard(category: str, hazard: str) -> None:
    assert hazard_for_category(category)[0] == hazard


def test_a_category_found_by_family_says_so_in_the_notes(dc_message: emsi.EmsiMessage) -> None:
    assert dc_message.event.etype is not None
    etype = replace(dc_message.event.etype, categories=("GND/AVL", "PSW/MIS"))
    message = replace(dc_message, event=replace(dc_message.event, etype=etype))

    imported = emsi_to_import(message)

    assert imported.hazard == "geo.earthquake"
    assert any(note.startswith("EVENT/ETYPE/CATEGORY: GND/AVL (no hazard has") for note in imported.notes)
    assert "EVENT/ETYPE/CATEGORY: PSW/MIS" in imported.notes


def test_a_test_message_is_imported_as_an_exercise_with_a_note(dc_message: emsi.EmsiMessage) -> None:
    message = replace(dc_message, context=replace(dc_message.context, mode="TEST"))

    imported = emsi_to_import(message)

    assert imported.mode is Mode.EXERCISE
    assert "CONTEXT/MODE: TEST (imported as exercise)" in imported.notes
