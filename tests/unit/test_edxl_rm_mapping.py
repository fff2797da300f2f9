"""Requests for assistance and their offers as EDXL-RM messages, and received messages read back.

Export: every step's message validates against its schema, the conversation is chained by its ids, the
same record exported again gives the same messages. Import: crisislink's own messages come back as they
went out; the real XchangeCore messages (tests/fixtures/standards/edxl/rm) are read with what the caller
adds, and refused, naming what is missing, without it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from crisislink.adapters.db.queries.assistance_history import StepView
from crisislink.adapters.db.queries.assistance_views import (
    OfferedUnitView,
    OfferView,
    RequestView,
    StagingView,
    SupportView,
)
from crisislink.adapters.db.queries.views import PartnerView
from crisislink.adapters.standards import edxl_de, edxl_parts, edxl_rm_xml, edxl_xml
from crisislink.adapters.standards import edxl_rm as rm
from crisislink.adapters.standards.edxl_rm_capability import capability_of
from crisislink.adapters.standards.edxl_rm_codes import CAPABILITY_LIST, DEPLOYMENT_LIST, UCPM_LIST, Step
from crisislink.adapters.standards.edxl_rm_envelope import in_envelope
from crisislink.adapters.standards.edxl_rm_export import ExportedMessage, request_messages
from crisislink.adapters.standards.edxl_rm_import import ImportOptions, read_message
from crisislink.adapters.standards.edxl_values import XsDateTime
from crisislink.domains.assistance.model import HostNationSupport, Point
from crisislink.kernel.errors import InvalidInput

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "edxl" / "rm"
T0 = datetime(2021, 7, 14, 9, 0, tzinfo=UTC)
NODE = uuid.UUID(int=1)
ZL, LIEGE, CGDIS = uuid.UUID(int=23), uuid.UUID(int=4000), uuid.UUID(int=352)
INCIDENT = uuid.UUID("01900000-0000-7000-8000-000000002021")
BRUSSELS = ZoneInfo("Europe/Brussels")


def partner(pid: uuid.UUID, code: str, name: str, country: str) -> PartnerView:
    return PartnerView(pid, code, name, {}, country, "safety_region", NODE, ["en"], False, None, 1)


PARTNERS = {
    ZL: partner(ZL, "NL-VR23", "Veiligheidsregio Zuid-Limburg", "NL"),
    LIEGE: partner(LIEGE, "BE-PROV-LIEGE", "Province de Liège", "BE"),
    CGDIS: partner(CGDIS, "LU-CGDIS", "CGDIS", "LU"),
}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def request_view(**changes: Any) -> RequestView:
    values: dict[str, Any] = {
        "id": uuid.UUID("01900000-0000-7000-8000-00000000a001"),
        "owner_partner_id": ZL,
        "home_node_id": NODE,
        "marking": "AMBER",
        "addressees": [LIEGE, CGDIS],
        "capability": "water.rescue",
        "quantity": 2,
        "accepted": 1,
        "staging": StagingView("Valkenburg, Polfermolen", 5.832, 50.864),
        "starts_at": at(0),
        "ends_at": at(72 * 60),
        "respond_by": at(120),
        "support": SupportView("CoPI Valkenburg, +31 43 000 0000", ["nl", "de", "en"], "fuel and meals"),
        "description": "The Geul floods Valkenburg; people trapped in houses",
        "incident_id": INCIDENT,
        "status": "closed",
        "created_at": at(0),
        "created_by": None,
        "updated_at": at(3000),
        "version": 9,
    }
    return RequestView(**{**values, **changes})


UNIT_1, UNIT_2 = uuid.UUID(int=0xA1), uuid.UUID(int=0xA2)


def offer_view(offer_id: int, offerer: uuid.UUID, **changes: Any) -> OfferView:
    values: dict[str, Any] = {
        "id": uuid.UUID(int=offer_id),
        "request_id": request_view().id,
        "owner_partner_id": offerer,
        "requester_id": ZL,
        "marking": "AMBER",
        "units": [],
        "quantity": 1,
        "available_from": at(30),
        "conditions": "",
        "status": "offered",
        "accepted": 0,
        "accepted_units": [],
        "reason": "",
        "offered_at": at(10),
        "offered_by": None,
        "updated_at": at(10),
        "version": 1,
    }
    return OfferView(**{**values, **changes})


# CGDIS offers two teams, one is accepted, deployed and released; Liège offers one, declined.
CGDIS_OFFER = offer_view(
    0xC1,
    CGDIS,
    units=[
        OfferedUnitView(UNIT_1, "Groupe sauvetage aquatique 1", "CGDIS-SA-1"),
        OfferedUnitView(UNIT_2, "GSA 2", None),
    ],
    quantity=2,
    conditions="crews speak fr, de, lb",
    status="demobilised",
    accepted=1,
    accepted_units=[UNIT_1],
    reason="water receding",
)
LIEGE_OFFER = offer_view(
    0xB1, LIEGE, status="declined", reason="boats cannot reach the Geul", offered_at=at(12)
)


def steps(request: RequestView | None = None) -> list[StepView]:
    rid, c, b = (request or request_view()).id, CGDIS_OFFER.id, LIEGE_OFFER.id
    taken = [
        StepView(rid, None, "open", at(1), 0, "", (LIEGE, CGDIS)),
        StepView(rid, c, "offered", at(10), 2, "", (ZL,)),
        StepView(rid, b, "offered", at(12), 1, "", (ZL,)),
        StepView(rid, c, "accepted", at(20), 1, "", (CGDIS,)),
        StepView(rid, None, "partially_covered", at(20), 1, "", (LIEGE, CGDIS)),
        StepView(rid, b, "declined", at(21), 0, "boats cannot reach the Geul", (LIEGE,)),
        StepView(rid, c, "mobilising", at(25), 1, "", (ZL,)),
        StepView(rid, c, "deployed", at(90), 1, "", (ZL,)),
        StepView(rid, c, "demobilised", at(2880), 1, "water receding", (CGDIS,)),
        StepView(rid, None, "closed", at(3000), 1, "", (LIEGE, CGDIS)),
    ]
    # Positions in the event log, as the query numbers them.
    return [msgspec.structs.replace(step, position=n) for n, step in enumerate(taken, start=1)]


def export(
    request: RequestView | None = None, offers: Sequence[OfferView] = (CGDIS_OFFER, LIEGE_OFFER)
) -> list[ExportedMessage]:
    request = request or request_view()
    return request_messages(request, offers, steps(request), PARTNERS)


def by_step(messages: Sequence[ExportedMessage], step: Step, record: uuid.UUID | None = None) -> rm.RmMessage:
    (found,) = [m.message for m in messages if m.step is step and record in (None, m.record_id)]
    return found


def read(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


# --- export ---------------------------------------------------------------------------------------------


def test_each_step_becomes_its_message_and_every_message_validates_against_its_schema() -> None:
    messages = export()

    assert [(m.step, m.message_type) for m in messages] == [
        (Step.REQUEST, "RequestResource"),
        (Step.OFFER, "ResponseToRequestResource"),  # CGDIS
        (Step.OFFER, "ResponseToRequestResource"),  # Liège
        (Step.COMMIT, "CommitResource"),
        (Step.DECLINE, "ResponseToRequestResource"),
        (Step.MOBILISING, "ReportResourceDeploymentStatus"),
        (Step.STATUS_QUERY, "RequestResourceDeploymentStatus"),
        (Step.DEPLOYED, "ReportResourceDeploymentStatus"),
        (Step.RELEASE, "ReleaseResource"),
        (Step.ENDED, "RequestResource"),
    ]
    for exported in messages:
        xml = edxl_rm_xml.to_xml(exported.message)  # validates before it returns
        edxl_rm_xml.validate(xml)
        assert edxl_rm_xml.parse(xml) == exported.message


def test_the_conversation_is_chained_by_its_message_ids() -> None:
    messages = export()
    request_id = f"{request_view().id}-request"

    assert all(m.message.originating_message_id == request_id for m in messages)
    assert len({m.message_id for m in messages}) == len(messages)
    cgdis = [m.message for m in messages if m.record_id == CGDIS_OFFER.id]
    assert [m.message_id.removeprefix(f"{CGDIS_OFFER.id}-") for m in cgdis] == [
        "offer",
        "commit",
        "mobilising",
        "status-query",
        "deployed",
        "release",
    ]
    assert [m.preceding_message_id for m in cgdis] == [request_id, *(m.message_id for m in cgdis[:-1])]
    decline = by_step(messages, Step.DECLINE)
    assert decline.preceding_message_id == f"{LIEGE_OFFER.id}-offer"
    ended = by_step(messages, Step.ENDED)
    assert ended.message_recall == rm.MessageRecall(
        recall_message_id=request_id, recall_type=rm.RecallType.CANCEL
    )


def test_exporting_again_gives_the_same_messages_byte_for_byte() -> None:
    first = [edxl_rm_xml.to_xml(m.message) for m in export()]
    again = [edxl_rm_xml.to_xml(m.message) for m in export()]

    assert first == again


def test_messages_carry_the_times_of_their_steps() -> None:
    messages = export()

    assert [(m.step, m.at) for m in messages][:4] == [
        (Step.REQUEST, at(1)),
        (Step.OFFER, at(10)),
        (Step.OFFER, at(12)),
        (Step.COMMIT, at(20)),
    ]
    assert by_step(messages, Step.RELEASE).sent_date_time == XsDateTime.of(at(2880))


def test_the_request_says_what_where_when_and_for_which_incident() -> None:
    message = by_step(export(), Step.REQUEST)

    assert message.incidents == (rm.IncidentInformation(incident_id=str(INCIDENT)),)
    (requester,) = message.contacts
    assert requester.contact_description == "Veiligheidsregio Zuid-Limburg (NL-VR23)"
    assert requester.contact_role is rm.ContactRole.REQUESTER
    assert requester.additional_contact_information is not None
    assert edxl_parts.party_names(requester.additional_contact_information) == (
        "Veiligheidsregio Zuid-Limburg",
    )
    (need,) = message.resources
    assert need.resource is not None
    assert need.resource.type_structure == rm.ValueList(
        value_list_urn=CAPABILITY_LIST, values=("water.rescue",)
    )
    assert rm.ValueList(value_list_urn=CAPABILITY_LIST, values=("water.rescue",)) in need.resource.keywords
    assert need.resource.type_info is not None
    info = edxl_parts.fields(need.resource.type_info)
    assert (info["Capability"], info["Measure"], info["Country"]) == ("water.rescue", "team", "NL")
    assert "waterongevallenteam" in info["NationalName"]  # what the requester's country calls it
    assert need.assignment_information is not None
    assert need.assignment_information.quantity == rm.Quantity(quantity_texts=("2",))
    assert need.assignment_information.restrictions == (
        "Host-nation support\nLiaison: CoPI Valkenburg, +31 43 000 0000\nLanguages: nl, de, en\n"
        "Logistics: fuel and meals"
    )
    arrival, until = need.schedules
    assert (arrival.schedule_type, arrival.date_time) == (
        rm.ScheduleType.REQUESTED_ARRIVAL,
        XsDateTime.of(at(0)),
    )
    assert arrival.location is not None
    assert arrival.location.location_description == "Valkenburg, Polfermolen"
    assert arrival.location.target_area is not None
    assert edxl_parts.point_of(arrival.location.target_area) == (50.864, 5.832)  # latitude first
    assert (until.schedule_type, until.date_time) == (
        rm.ScheduleType.ESTIMATED_RETURN_DEPARTURE,
        XsDateTime.of(at(72 * 60)),
    )


def test_an_offer_of_part_or_on_conditions_is_provisional_and_a_full_one_accepts() -> None:
    partial = by_step(export(), Step.OFFER, CGDIS_OFFER.id)
    answers = [r.response_information for r in partial.resources]
    assert [r.resource.resource_id for r in partial.resources if r.resource] == [str(UNIT_1), str(UNIT_2)]
    # All that was asked for, but on a condition: provisional, the condition as the reason.
    assert {(a.response_type, a.response_reason) for a in answers if a} == {
        (rm.ResponseType.PROVISIONAL, "crews speak fr, de, lb")
    }
    full = offer_view(0xD1, LIEGE, quantity=2)
    (answer,) = by_step(export(offers=[full]), Step.OFFER).resources
    assert answer.response_information is not None
    assert answer.response_information.response_type is rm.ResponseType.ACCEPT
    assert answer.response_information.preceding_resource_info_element_id == f"{request_view().id}-need"
    assert answer.assignment_information == rm.AssignmentInformation(
        quantity=rm.Quantity(quantity_texts=("2",))
    )
    half = offer_view(0xD2, LIEGE)
    (answer,) = by_step(export(offers=[half]), Step.OFFER).resources
    assert answer.response_information is not None
    assert (answer.response_information.response_type, answer.response_information.response_reason) == (
        rm.ResponseType.PROVISIONAL,
        "offers 1 of the 2 asked for",
    )


def test_the_commitment_names_the_accepted_units_and_tells_them_where_to_report() -> None:
    messages = export()
    commit = by_step(messages, Step.COMMIT)
    (unit,) = commit.resources  # one of the two offered was accepted
    assert unit.resource is not None
    assert (unit.resource.resource_id, unit.resource.name, unit.resource.description) == (
        str(UNIT_1),
        "Groupe sauvetage aquatique 1",
        "call sign CGDIS-SA-1",
    )
    assert unit.assignment_information is not None
    instructions = unit.assignment_information.assignment_instructions
    assert instructions is not None
    assert instructions.reporting_instructions is not None
    assert instructions.reporting_instructions.startswith(
        "Report to Valkenburg, Polfermolen.\nHost-nation support"
    )
    assert [c.contact_role for c in commit.contacts] == [rm.ContactRole.SENDER, rm.ContactRole.REQUESTER]
    assert commit.contacts[0].contact_description == "CGDIS (LU-CGDIS)"
    deployed = by_step(messages, Step.DEPLOYED)
    (status,) = deployed.resources
    assert status.resource is not None
    assert status.resource.resource_status == rm.ResourceStatus(
        deployment_status=rm.ValueList(value_list_urn=DEPLOYMENT_LIST, values=("deployed",))
    )
    release = by_step(messages, Step.RELEASE)
    assert (
        release.message_description
        == "Veiligheidsregio Zuid-Limburg releases 1 x Water-rescue team (swimmers, divers, boats) (water.rescue): water receding"
    )
    assert release.contacts[0].contact_description == "Veiligheidsregio Zuid-Limburg (NL-VR23)"  # the host


def test_a_declined_offer_is_a_decline_with_the_reason_sent_by_who_declined() -> None:
    decline = by_step(export(), Step.DECLINE)

    (answer,) = decline.resources
    assert answer.response_information is not None
    assert answer.response_information.response_type is rm.ResponseType.DECLINE
    assert answer.response_information.response_reason == (
        "the offer was declined by the requester: boats cannot reach the Geul"
    )
    assert decline.contacts[0].contact_description == "Veiligheidsregio Zuid-Limburg (NL-VR23)"


def test_a_draft_has_no_messages_and_an_offerer_sees_only_its_own_thread() -> None:
    assert export(request_view(status="draft")) == []
    assert export(request_view(status="cancelled", addressees=[])) == []  # a draft called off
    own = export(offers=[LIEGE_OFFER])
    assert {m.record_id for m in own} == {request_view().id, LIEGE_OFFER.id}


def test_an_offer_copied_without_its_history_still_says_where_it_stands() -> None:
    request = request_view(status="partially_covered")
    accepted = offer_view(0xE1, LIEGE, status="accepted", accepted=1, updated_at=at(40))

    messages = request_messages(request, [accepted], [], PARTNERS)

    assert [(m.step, m.at) for m in messages] == [
        (Step.REQUEST, at(0)),
        (Step.OFFER, at(10)),
        (Step.COMMIT, at(40)),
    ]


def test_a_message_travels_in_an_edxl_de_envelope_addressed_to_the_other_party() -> None:
    commit = next(m for m in export() if m.step is Step.COMMIT)

    envelope = in_envelope(commit, edxl_rm_xml.to_xml(commit.message), PARTNERS, "AMBER")

    assert edxl_rm_xml.messages_in(envelope) == (commit.message,)
    header = edxl_de.parse(envelope)
    assert (header.sender_id, header.type, header.combined_confidentiality) == (
        "LU-CGDIS",
        edxl_de.DistributionType.RESPONSE,
        "TLP:AMBER",
    )
    assert header.explicit_addresses == (
        edxl_de.ExplicitAddress(scheme="crisislink:partner", values=("NL-VR23",)),
    )
    assert header.content_objects[0].incident_id == str(INCIDENT)


# --- import ---------------------------------------------------------------------------------------------


def test_an_exported_request_reads_back_as_it_went_out() -> None:
    xml = edxl_rm_xml.to_xml(by_step(export(), Step.REQUEST))

    read_back = read_message(xml, ImportOptions(zone=BRUSSELS))

    (need,) = read_back.needs
    assert (need.capability, need.quantity, need.incident_id) == ("water.rescue", 2, INCIDENT)
    assert (need.staging.name, need.staging.point) == (
        "Valkenburg, Polfermolen",
        Point(lon=5.832, lat=50.864),
    )
    assert (need.starts_at, need.ends_at) == (at(0), at(72 * 60))
    assert need.support == HostNationSupport(
        "CoPI Valkenburg, +31 43 000 0000", ("nl", "de", "en"), "fuel and meals"
    )
    assert need.description.startswith("The Geul floods Valkenburg; people trapped in houses\n")
    assert f"Imported from EDXL-RM RequestResource {request_view().id}-request" in need.description
    assert read_back.source == f"EDXL-RM RequestResource {request_view().id}-request"


def test_an_exported_offer_reads_back_as_an_offer_on_the_request_it_answers() -> None:
    xml = edxl_rm_xml.to_xml(by_step(export(), Step.OFFER, CGDIS_OFFER.id))

    offer = read_message(xml, ImportOptions(zone=BRUSSELS)).offer

    assert offer is not None
    assert (offer.request_id, offer.quantity, offer.available_from) == (request_view().id, 2, at(30))
    assert offer.resource_ids == (str(UNIT_1), str(UNIT_2))
    assert offer.conditions.startswith("crews speak fr, de, lb\nGroupe sauvetage aquatique 1")
    with pytest.raises(InvalidInput, match="leave out request_id"):
        read_message(xml, ImportOptions(zone=BRUSSELS, request_id=uuid.UUID(int=7)))


def test_the_real_request_needs_a_catalogue_type_an_end_and_a_point_and_reads_times_in_the_zone_given() -> (
    None
):
    data = read("RequestResource.1.xml")
    with pytest.raises(InvalidInput) as refused:
        read_message(data, ImportOptions(zone=BRUSSELS))
    assert "NIMS Typing Version X" in refused.value.message
    assert "Track Dozer" in refused.value.message
    assert "capability=<code>" in refused.value.message
    assert "water.rescue" in refused.value.message  # the codes to choose from
    options = ImportOptions(zone=BRUSSELS, capability="ucpm.other")
    with pytest.raises(InvalidInput, match="until="):
        read_message(data, options)
    options = ImportOptions(
        zone=BRUSSELS, capability="ucpm.other", until=datetime(2009, 6, 12, 13, tzinfo=UTC)
    )
    with pytest.raises(
        InvalidInput,
        match="'Arlington Waste Facility' without coordinates; give the staging area's lon and lat",
    ):
        read_message(data, options)

    given = ImportOptions(
        zone=BRUSSELS,
        capability="ucpm.other",
        until=datetime(2009, 6, 12, 13, tzinfo=UTC),
        staging=Point(lon=-77.1, lat=38.88),
    )
    (need,) = read_message(data, given).needs

    assert (need.capability, need.quantity, need.staging.name) == (
        "ucpm.other",
        4,
        "Arlington Waste Facility",
    )
    assert need.starts_at == datetime(2009, 6, 9, 11, 0, tzinfo=UTC)  # 13:00 in Brussels (summer time)
    eastern = read_message(data, replace(given, zone=ZoneInfo("America/New_York")))
    assert eastern.needs[0].starts_at == datetime(2009, 6, 9, 17, 0, tzinfo=UTC)
    assert need.incident_id is None
    assert "Incident: uicds-incident-id" in need.description
    assert "Arlington Fire Station (Requester)" in need.description


def test_the_real_commitment_is_an_offer_of_both_resources_on_the_request_named() -> None:
    data = read("CommitResource.1.xml")
    with pytest.raises(
        InvalidInput, match=r"answers RequestResource\.1, which is not a request crisislink exported"
    ):
        read_message(data, ImportOptions(zone=BRUSSELS))
    wanted = uuid.UUID(int=99)

    read_back = read_message(data, ImportOptions(zone=BRUSSELS, request_id=wanted))

    assert (read_back.message_type, read_back.message_id) == ("CommitResource", "CommitResource.1")
    offer = read_back.offer
    assert offer is not None
    assert (offer.request_id, offer.quantity, offer.resource_ids) == (wanted, 2, ("TD48", "TD7"))
    assert offer.available_from == datetime(2009, 6, 9, 11, 10, tzinfo=UTC)  # sent 13:10, Brussels time
    assert "Track Dozer #48 (TD48)" in offer.conditions
    assert "Fairfax Fire Station (Owner)" in offer.conditions


def test_the_decline_example_is_refused_with_the_schemas_reason() -> None:
    with pytest.raises(edxl_xml.SchemaViolation, match="PersonName"):
        read_message(
            read("CommitResource-Decline.xml"), ImportOptions(zone=BRUSSELS, request_id=uuid.UUID(int=1))
        )


def test_messages_that_are_not_a_request_or_an_offer_are_refused_by_name() -> None:
    report = edxl_rm_xml.to_xml(by_step(export(), Step.DEPLOYED))
    with pytest.raises(InvalidInput, match="ReportResourceDeploymentStatus is not imported"):
        read_message(report, ImportOptions(zone=BRUSSELS))
    ended = edxl_rm_xml.to_xml(by_step(export(), Step.ENDED))
    with pytest.raises(InvalidInput, match="recalls message"):
        read_message(ended, ImportOptions(zone=BRUSSELS))


def _typed(*lists: tuple[str, str], **info: str) -> rm.Resource:
    values = [rm.ValueList(value_list_urn=urn, values=(value,)) for urn, value in lists]
    return rm.Resource(
        type_structure=values[0] if values else None,
        keywords=tuple(values[1:]),
        type_info=edxl_parts.type_info(info) if info else None,
    )


@pytest.mark.parametrize(
    ("resource", "code"),
    [
        (_typed((CAPABILITY_LIST, "pumping.high_capacity")), "pumping.high_capacity"),
        (_typed(("urn:example:types", "x"), (UCPM_LIST, "HCP")), "ucpm.hcp"),
        (_typed(("urn:example:types", "SMUR / MUG")), "medical.physician_team"),
        (_typed(Resource="Mobile power generator"), "power.generator"),
    ],
)
def test_a_resource_type_maps_to_the_catalogue_only_when_it_names_one_type(
    resource: rm.Resource, code: str
) -> None:
    assert capability_of(resource, None) == code
    assert capability_of(resource, "fire.engine") == "fire.engine"  # the caller's choice wins


def test_a_resource_naming_two_catalogue_types_is_refused() -> None:
    both = _typed((CAPABILITY_LIST, "water.rescue"), (CAPABILITY_LIST, "fire.engine"))
    with pytest.raises(InvalidInput, match=r"could be any of fire\.engine, water\.rescue"):
        capability_of(both, None)
    with pytest.raises(InvalidInput, match="unknown capability code 'boats'"):
        capability_of(both, "boats")
