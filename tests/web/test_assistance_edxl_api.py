"""EDXL-RM over HTTP: the July 2021 story told in messages, and received messages imported.

VR Zuid-Limburg (NL-VR23) asks for high-capacity pumping and water-rescue teams; the province of Liège
(BE-PROV-LIEGE) and the CGDIS (LU-CGDIS, added here with its duty officer) offer, the CGDIS by sending an
EDXL-RM response; the water-rescue request is partly accepted, a Liège team declined; the units deploy
and are demobilised. The message of every step validates against its schema, fetched through the API.
The BE-NCCN (be.duty) is asked nothing and sees nothing. The real XchangeCore messages import; the decline
example is refused with the schema's reason and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crisislink.adapters.standards import edxl_de, edxl_rm_xml
from crisislink.adapters.standards import edxl_rm as rm
from crisislink.adapters.standards.edxl_rm_codes import CAPABILITY_LIST
from crisislink.adapters.standards.edxl_values import XsDateTime
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import PartnerKind, Role
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.messages import SYSTEM
from tests.support import PASSWORD, World
from tests.web.conftest import Client, assert_problem, sign_in, snapshot

REQUESTS = "/api/assistance-requests"
IMPORT = f"{REQUESTS}/import-edxl-rm"
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "edxl" / "rm"
VALKENBURG = {"name": "Valkenburg aan de Geul, Polfermolen", "lon": 5.832, "lat": 50.864}
INCIDENT = "01900000-0000-7000-8000-000000002021"
XML = {"content-type": "application/xml"}


def add_cgdis(world: World) -> None:
    """The CGDIS and its duty officer: the shared world has no Luxembourg partner."""
    bus = world.platform.bus
    world.partners["LU-CGDIS"] = bus.handle(
        sc.RegisterPartner(
            actor=SYSTEM,
            code="LU-CGDIS",
            name="CGDIS",
            country="LU",
            kind=PartnerKind.FIRE_RESCUE_SERVICE,
            home_node_id=world.platform.node_id,
            languages=("fr", "de", "lb"),
        )
    )
    world.users["lu.duty"] = bus.handle(
        sc.AddUser(
            actor=SYSTEM,
            username="lu.duty",
            display_name="lu.duty",
            partner_id=world.partners["LU-CGDIS"],
            roles=frozenset({Role.DUTY_OFFICER}),
            password=PASSWORD,
        )
    )


def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass
class Story:
    world: World
    client: Client
    clock: FixedClock
    csrf: dict[str, str] | None = None

    def as_(self, username: str) -> Story:
        self.client.cookies.clear()
        self.csrf = sign_in(self.client, username)
        return self

    def later(self, minutes: float) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    def post(self, path: str, body: Any = None, status: int = 201) -> Any:
        return ok(self.client.post(path, json=body if body is not None else {}, headers=self.csrf), status)

    def get(self, path: str, **params: Any) -> Any:
        return ok(self.client.get(path, params=params), 200)

    def partner(self, code: str) -> str:
        return str(self.world.partners[code])

    def iso(self, hours: float = 0) -> str:
        return (self.clock.now() + timedelta(hours=hours)).isoformat()

    def import_xml(self, data: bytes, **params: Any) -> Any:
        headers = {**(self.csrf or {}), **XML}
        return self.client.post(IMPORT, content=data, params=params, headers=headers)

    def unit(self, capability: str, name: str, arrangements: list[str]) -> str:
        body = {
            "capability": capability,
            "name": name,
            "home_base": {"lon": 6.13, "lat": 49.61},
            "arrangements": arrangements,
        }
        unit_id: str = self.post("/api/units", body)["id"]
        return unit_id


@pytest.fixture
def story(clocked_world: World, clocked_client: Client, clock: FixedClock) -> Story:
    add_cgdis(clocked_world)
    return Story(clocked_world, clocked_client, clock)


def cgdis_response(request_message: rm.RmMessage, units: list[str], capability: str | None = None) -> bytes:
    """What the CGDIS's own system sends back: its teams, from 12:30 Luxembourg time, no offset."""
    kind = None if capability is None else rm.ValueList(value_list_urn=CAPABILITY_LIST, values=(capability,))
    (need,) = request_message.resources
    answer = rm.ResponseInformation(
        preceding_resource_info_element_id=need.resource_info_element_id,
        response_type=rm.ResponseType.PROVISIONAL,
        response_reason="crews speak fr, de, lb",
    )
    resources = tuple(
        rm.ResourceInformation(
            resource_info_element_id=f"CGDIS-{n}",
            response_information=answer,
            resource=rm.Resource(
                resource_id=unit, name=f"Groupe sauvetage aquatique {n}", type_structure=kind
            ),
            assignment_information=rm.AssignmentInformation(quantity=rm.Quantity(quantity_texts=("1",))),
            schedules=(
                rm.ScheduleInformation(
                    schedule_type=rm.ScheduleType.BEGIN_AVAILABLE, date_time=XsDateTime("2025-01-06T12:30:00")
                ),
            ),
        )
        for n, unit in enumerate(units, start=1)
    )
    message = rm.ResponseToRequestResource(
        message_id="CGDIS-2025-0001",
        sent_date_time=XsDateTime("2025-01-06T11:20:00"),
        originating_message_id=request_message.message_id,
        preceding_message_id=request_message.message_id,
        contacts=(
            rm.ContactInformation(contact_description="CGDIS CSU-112", contact_role=rm.ContactRole.SENDER),
        ),
        resources=resources,
    )
    return edxl_rm_xml.to_xml(message)


def fetched(story: Story, link: dict[str, Any]) -> rm.RmMessage:
    """A message fetched through its link, checked against its schema, bare and in an EDXL-DE envelope."""
    response = story.client.get(link["url"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    edxl_rm_xml.validate(response.content)
    message = edxl_rm_xml.parse(response.content)
    assert (message.message_id, str(message.content_type)) == (link["message_id"], link["message_type"])
    wrapped = story.client.get(link["url"], params={"envelope": "de"})
    assert wrapped.status_code == 200, wrapped.text
    assert edxl_rm_xml.messages_in(wrapped.content) == (message,)
    assert edxl_de.parse(wrapped.content).distribution_id == f"{link['message_id']}-de"
    return message


# --- the story ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Told:
    pumps: dict[str, Any]  # the request for high-capacity pumping
    boats: dict[str, Any]  # the request for water-rescue teams
    pump_offer: dict[str, Any]  # Liège's, accepted
    spare: dict[str, Any]  # Liège's water-rescue team, declined
    cgdis_offer: dict[str, Any]  # the CGDIS's two teams, one accepted
    teams: list[str]  # the CGDIS's units


def tell(s: Story) -> Told:
    """July 2021, step by step, each partner acting for itself; the clock moves between the steps."""
    s.as_("nl.duty")
    asked = {
        "staging": VALKENBURG,
        "starts_at": s.iso(),
        "ends_at": s.iso(72),
        "support": {
            "liaison": "CoPI Valkenburg",
            "languages": ["nl", "de", "en"],
            "logistics": "fuel, meals",
        },
        "incident_id": INCIDENT,
        "send_to": [s.partner("BE-PROV-LIEGE"), s.partner("LU-CGDIS")],
    }
    pumps = s.post(REQUESTS, {**asked, "capability": "pumping.high_capacity", "quantity": 1})
    boats = s.post(REQUESTS, {**asked, "capability": "water.rescue", "quantity": 2})

    s.later(10)
    s.as_("liege.duty")
    hcp = s.unit("pumping.high_capacity", "Module HCP Liège (demo)", ["be-nl-treaty"])
    pump_offer = s.post(f"{REQUESTS}/{pumps['id']}/offers", {"available_from": s.iso(1), "unit_ids": [hcp]})
    spare = s.post(f"{REQUESTS}/{boats['id']}/offers", {"available_from": s.iso(2), "quantity": 1})

    s.later(5)
    s.as_("lu.duty")
    teams = [s.unit("water.rescue", f"GSA {n} (demo)", ["ucpm"]) for n in (1, 2)]
    (request_link,) = s.get(f"{REQUESTS}/{boats['id']}/edxl-rm")  # the CGDIS sees the request it was sent
    imported = ok(s.import_xml(cgdis_response(fetched(s, request_link), teams), zone="Europe/Luxembourg"))
    (cgdis_offer,) = imported["offers"]
    assert (cgdis_offer["request_id"], cgdis_offer["quantity"]) == (boats["id"], 2)
    assert [u["unit_id"] for u in cgdis_offer["units"]] == teams  # its own registered units, by ResourceID
    assert cgdis_offer["available_from"] == "2025-01-06T11:30:00Z"  # 12:30 in Luxembourg

    s.later(10)
    s.as_("nl.duty")
    boats_path, pumps_path = f"{REQUESTS}/{boats['id']}", f"{REQUESTS}/{pumps['id']}"
    s.post(f"{pumps_path}/offers/{pump_offer['id']}/accept")
    s.post(f"{boats_path}/offers/{cgdis_offer['id']}/accept", {"quantity": 1})  # partly
    s.post(f"{boats_path}/offers/{spare['id']}/decline", {"reason": "boats cannot reach the Geul"})
    assert s.get(boats_path)["status"] == "partially_covered"

    for username, path, offer in (
        ("liege.duty", pumps_path, pump_offer),
        ("lu.duty", boats_path, cgdis_offer),
    ):
        s.as_(username)
        s.later(5)
        s.post(f"{path}/offers/{offer['id']}/mobilise")
        s.later(60)
        s.post(f"{path}/offers/{offer['id']}/deploy")
    s.later(48 * 60)
    s.as_("nl.duty")
    for path, offer in ((pumps_path, pump_offer), (boats_path, cgdis_offer)):
        s.post(f"{path}/offers/{offer['id']}/demobilise", {"reason": "water receding"})
        s.post(f"{path}/close")
    return Told(pumps, boats, pump_offer, spare, cgdis_offer, teams)


def test_the_july_2021_story_in_edxl_rm_messages(story: Story) -> None:
    s, told = story, tell(story)
    boats_path, cgdis = f"{REQUESTS}/{told.boats['id']}", told.cgdis_offer["id"]

    links = s.get(f"{boats_path}/edxl-rm")
    assert [(link["step"], link["message_type"]) for link in links] == [
        ("request", "RequestResource"),
        ("offer", "ResponseToRequestResource"),  # Liège's spare team
        ("offer", "ResponseToRequestResource"),  # the CGDIS's two teams, on a condition
        ("commit", "CommitResource"),  # one of them accepted
        ("decline", "ResponseToRequestResource"),  # Liège's, at the same minute: the log's order
        ("mobilising", "ReportResourceDeploymentStatus"),
        ("status-query", "RequestResourceDeploymentStatus"),
        ("deployed", "ReportResourceDeploymentStatus"),
        ("release", "ReleaseResource"),
        ("ended", "RequestResource"),
    ]
    messages = [fetched(s, link) for link in links]
    assert {m.originating_message_id for m in messages} == {f"{told.boats['id']}-request"}
    assert {m.incidents for m in messages} == {(rm.IncidentInformation(incident_id=INCIDENT),)}
    by_id = {m.message_id: m for m in messages}
    commit = by_id[f"{cgdis}-commit"]
    assert commit.preceding_message_id == f"{cgdis}-offer"
    (committed,) = commit.resources
    assert committed.resource is not None
    assert committed.resource.resource_id == told.teams[0]
    assert by_id[f"{cgdis}-release"].preceding_message_id == f"{cgdis}-deployed"
    decline = by_id[f"{told.spare['id']}-decline"]
    assert decline.resources[0].response_information is not None
    assert decline.resources[0].response_information.response_reason == (
        "the offer was declined by the requester: boats cannot reach the Geul"
    )

    # Exporting again gives the same messages, byte for byte.
    assert s.get(f"{boats_path}/edxl-rm") == links
    again = [s.client.get(link["url"]).content for link in links]
    assert [edxl_rm_xml.parse(x) for x in again] == messages
    assert again == [s.client.get(link["url"]).content for link in links]

    # Each partner sees its own thread; a partner asked nothing sees nothing.
    s.as_("lu.duty")
    assert {link["record_id"] for link in s.get(f"{boats_path}/edxl-rm")} == {told.boats["id"], cgdis}
    assert_problem(s.client.get(f"{boats_path}/edxl-rm/{told.spare['id']}-decline.xml"), 404)
    s.as_("be.duty")
    assert_problem(s.client.get(f"{boats_path}/edxl-rm"), 404, "that you may see")
    assert_problem(s.client.get(links[0]["url"]), 404, "that you may see")


def test_the_pumps_offered_as_asked_are_accepted_committed_deployed_and_released(story: Story) -> None:
    s, told = story, tell(story)

    links = s.get(f"{REQUESTS}/{told.pumps['id']}/edxl-rm")

    assert [link["step"] for link in links] == [
        "request",
        "offer",
        "commit",
        "mobilising",
        "status-query",
        "deployed",
        "release",
        "ended",
    ]
    answer, *_ = [fetched(s, link) for link in links[1:]]
    assert answer.resources[0].response_information is not None
    assert answer.resources[0].response_information.response_type is rm.ResponseType.ACCEPT  # all asked
    assert [link["sent_by"] for link in links] == [
        s.partner(code)
        for code in ("NL-VR23", *["BE-PROV-LIEGE"] * 3, "NL-VR23", "BE-PROV-LIEGE", "NL-VR23", "NL-VR23")
    ]


def test_a_message_that_does_not_exist_is_a_404_and_an_unknown_envelope_a_400(story: Story) -> None:
    s = story.as_("nl.duty")
    body = {
        "capability": "water.rescue",
        "quantity": 1,
        "staging": VALKENBURG,
        "starts_at": s.iso(),
        "ends_at": s.iso(24),
        "send_to": [s.partner("LU-CGDIS")],
    }
    request = s.post(REQUESTS, body)
    base = f"{REQUESTS}/{request['id']}/edxl-rm"
    assert_problem(s.client.get(f"{base}/{request['id']}-commit.xml"), 404, "no EDXL-RM message")
    assert_problem(s.client.get(f"{base}/{request['id']}-request"), 404, ".xml")
    assert_problem(
        s.client.get(f"{base}/{request['id']}-request.xml", params={"envelope": "cap"}), 400, "envelope"
    )
    draft = s.post(REQUESTS, {**body, "send_to": []})
    assert s.get(f"{REQUESTS}/{draft['id']}/edxl-rm") == []  # nothing was sent yet


# --- the real messages ----------------------------------------------------------------------------------


def test_the_real_request_and_commitment_import_with_what_they_lack(story: Story) -> None:
    s = story.as_("nl.duty")
    request_xml = (EXAMPLES / "RequestResource.1.xml").read_bytes()
    before = snapshot(s.world.platform)
    assert_problem(s.import_xml(request_xml), 400, "Track Dozer", "capability=<code>", "ucpm.other")
    assert_problem(s.import_xml(request_xml, capability="ucpm.other"), 400, "until=")
    assert snapshot(s.world.platform) == before

    imported = ok(s.import_xml(request_xml, capability="ucpm.other", until=s.iso(24), lon=-77.1, lat=38.88))
    assert (imported["message_type"], imported["message_id"]) == ("RequestResource", "RequestResource.1")
    (request,) = imported["requests"]
    assert (request["status"], request["capability"], request["quantity"]) == ("draft", "ucpm.other", 4)
    assert request["owner_partner_id"] == s.partner("NL-VR23")
    assert request["staging"] == {"name": "Arlington Waste Facility", "lon": -77.1, "lat": 38.88}
    assert request["starts_at"] == "2009-06-09T11:00:00Z"  # 13:00 in Brussels, the default zone
    assert "Imported from EDXL-RM RequestResource RequestResource.1" in request["description"]
    s.post(f"{REQUESTS}/{request['id']}/send", {"partners": [s.partner("LU-CGDIS")]})

    s.as_("lu.duty")
    commit_xml = (EXAMPLES / "CommitResource.1.xml").read_bytes()
    assert_problem(s.import_xml(commit_xml), 400, "RequestResource.1", "request_id")
    made = ok(s.import_xml(commit_xml, request_id=request["id"], zone="America/New_York"))
    (offer,) = made["offers"]
    assert (offer["owner_partner_id"], offer["quantity"], offer["units"]) == (s.partner("LU-CGDIS"), 2, [])
    assert offer["available_from"] == "2009-06-09T17:10:00Z"  # 13:10 in New York
    assert "Track Dozer #48 (TD48)" in offer["conditions"]

    s.as_("be.duty")  # a partner the request was not sent to cannot offer on it: it does not exist for it
    assert_problem(s.import_xml(commit_xml, request_id=request["id"]), 404, "that you may see")


def test_the_decline_example_is_refused_with_the_schemas_reason_and_changes_nothing(story: Story) -> None:
    s = story.as_("nl.duty")
    body = {
        "capability": "water.rescue",
        "quantity": 2,
        "staging": VALKENBURG,
        "starts_at": s.iso(),
        "ends_at": s.iso(24),
        "send_to": [s.partner("LU-CGDIS")],
    }
    request = s.post(REQUESTS, body)
    s.as_("lu.duty")
    before = snapshot(s.world.platform)

    refused = s.import_xml((EXAMPLES / "CommitResource-Decline.xml").read_bytes(), request_id=request["id"])

    problem = assert_problem(refused, 400, "does not match the EDXL-RM 1.0 schema", "line 22", "PersonName")
    assert "PartyName" in problem["detail"]  # what the schema expected there
    assert snapshot(s.world.platform) == before


def test_an_offer_of_another_type_than_asked_is_refused(story: Story) -> None:
    s = story.as_("nl.duty")
    body = {
        "capability": "pumping.high_capacity",
        "quantity": 1,
        "staging": VALKENBURG,
        "starts_at": s.iso(),
        "ends_at": s.iso(24),
        "send_to": [s.partner("LU-CGDIS")],
    }
    pumps = s.post(REQUESTS, body)
    s.as_("lu.duty")
    (link,) = s.get(f"{REQUESTS}/{pumps['id']}/edxl-rm")
    boats = cgdis_response(fetched(s, link), ["GSA-1"], capability="water.rescue")
    before = snapshot(s.world.platform)

    assert_problem(s.import_xml(boats), 400, "offers water.rescue", "asks for pumping.high_capacity")

    assert snapshot(s.world.platform) == before


@pytest.mark.parametrize(
    ("data", "params", "mentions"),
    [
        (b"", {}, ("empty",)),
        (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'/>", {}, ("expected an EDXL-RM 1.0 message",)),
        (b"<x/>", {"zone": "Mars/Olympus"}, ("zone",)),
        ((EXAMPLES / "RequestResource.1.xml").read_bytes(), {"capability": "boats"}, ("unknown capability",)),
    ],
)
def test_bad_imports_are_a_clear_400_and_change_nothing(
    story: Story, data: bytes, params: dict[str, str], mentions: tuple[str, ...]
) -> None:
    s = story.as_("nl.duty")
    before = snapshot(s.world.platform)

    assert_problem(s.import_xml(data, **params), 400, *mentions)

    assert snapshot(s.world.platform) == before


def test_importing_needs_a_signed_in_partner(story: Story) -> None:
    assert_problem(story.client.post(IMPORT, content=b"<x/>", headers=XML), 401)
