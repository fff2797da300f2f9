"""EDXL-RM 1.0: real messages read and written back without loss, every message type built and validated,
the schema's refusals passed on, hostile input refused without touching a file or the network.

The real messages are in tests/fixtures/standards/edxl/rm (provenance in tests/fixtures/standards/SOURCES.md).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisislink.adapters.standards import edxl_de, edxl_parts, edxl_rm, edxl_rm_xml, edxl_xml
from crisislink.adapters.standards.edxl_rm import (
    AssignmentInformation,
    AssignmentInstructions,
    CommitResource,
    ContactInformation,
    ContactRole,
    Funding,
    IncidentInformation,
    Location,
    MeasuredQuantity,
    Message,
    MessageRecall,
    OwnershipInformation,
    Quantity,
    RadioInformation,
    RecallType,
    ReleaseResource,
    ReportResourceDeploymentStatus,
    RequestResource,
    RequestResourceDeploymentStatus,
    Resource,
    ResourceInformation,
    ResourceStatus,
    ResponseInformation,
    ResponseToRequestResource,
    ResponseType,
    ScheduleInformation,
    ScheduleType,
    ValueList,
)
from crisislink.adapters.standards.edxl_values import XsDateTime
from crisislink.kernel.errors import InvalidInput

MODEL_CLASSES = frozenset(
    value
    for value in vars(edxl_rm).values()
    if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == edxl_rm.__name__
)


def declaring(cls: type) -> type:
    """The six messages share their fields: count them once, for RmMessage."""
    return edxl_rm.RmMessage if issubclass(cls, edxl_rm.RmMessage) else cls


PREFIXES = {"rmsg": edxl_rm.MESSAGE_NAMESPACE, "rm": edxl_rm.NAMESPACE}
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "edxl" / "rm"
CEST = timezone(timedelta(hours=2))
UCPM_MODULES = "urn:crisislink:ucpm:module"  # a value list of our own: the UCPM module codes
DEPLOYMENT = "urn:crisislink:assistance:deployment-status"


def read(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def leaves(xml: bytes) -> list[tuple[str, str]]:
    """Every element of a document as (name, text), in document order; whitespace between elements ignored."""
    return [(etree.QName(el).localname, (el.text or "").strip()) for el in etree.fromstring(xml).iter()]


# --- (a) the real messages ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["RequestResource.1.xml", "CommitResource.1.xml"])
def test_a_real_message_is_written_back_schema_valid_with_nothing_lost(name: str) -> None:
    original = read(name)

    message = edxl_rm_xml.parse(original)
    written = edxl_rm_xml.to_xml(message)

    edxl_rm_xml.validate(written)
    assert edxl_rm_xml.parse(written) == message
    assert leaves(written) == leaves(original)  # every element and text, in the same order


def test_the_real_request_reads_as_the_sender_wrote_it() -> None:
    request = edxl_rm_xml.parse(read("RequestResource.1.xml"))

    assert isinstance(request, RequestResource)
    assert (request.message_id, request.originating_message_id) == ("RequestResource.1", "RequestResource.1")
    assert request.incidents == (IncidentInformation(incident_id="uicds-incident-id"),)
    (contact,) = request.contacts
    assert (contact.contact_description, contact.contact_role) == (
        "Arlington Fire Station",
        ContactRole.REQUESTER,
    )
    (wanted,) = request.resources
    assert wanted.resource_info_element_id == "ResourceInfoElementID.1"
    assert wanted.resource is not None
    assert wanted.resource.type_info is not None
    assert edxl_parts.fields(wanted.resource.type_info) == {
        "Resource": "Track Dozer",
        "Category": 'Public Works and Engineering (ESF #3)"',  # sic, the sender's stray quote is kept
        "Kind": "Equipment",
        "MinimumCapabilities": "Type I",
    }
    assert wanted.assignment_information == AssignmentInformation(quantity=Quantity(quantity_texts=("4",)))
    (schedule,) = wanted.schedules
    assert schedule.schedule_type is ScheduleType.REQUESTED_ARRIVAL
    assert schedule.location == Location(location_description="Arlington Waste Facility")


def test_the_real_request_has_a_time_without_offset_kept_as_written() -> None:
    request = edxl_rm_xml.parse(read("RequestResource.1.xml"))

    assert request.sent_date_time == XsDateTime("2009-06-09T13:00:00")
    assert request.sent_date_time.moment is None  # nobody can tell which zone it meant
    eastern = timezone(timedelta(hours=-4))
    assert request.sent_date_time.assuming(eastern) == datetime(2009, 6, 9, 17, 0, tzinfo=UTC)


def test_the_real_commitment_answers_the_request_resource_by_resource() -> None:
    commit = edxl_rm_xml.parse(read("CommitResource.1.xml"))

    assert isinstance(commit, CommitResource)
    assert commit.preceding_message_id == "RequestResource.1"
    assert [r.resource.resource_id for r in commit.resources if r.resource] == ["TD48", "TD7"]
    for offered in commit.resources:
        assert offered.response_information == ResponseInformation(
            preceding_resource_info_element_id="ResourceInfoElementID.1", response_type=ResponseType.ACCEPT
        )
        assert offered.resource is not None
        assert offered.resource.keywords[1] == ValueList(
            value_list_urn="urn:vdem#County", values=("Fairfax",)
        )
        assert [s.schedule_type for s in offered.schedules] == [ScheduleType.COMMITTED]


def test_the_decline_example_is_refused_with_the_schemas_reason() -> None:
    # A real implementer's mistake: an xNL PersonName straight inside AdditionalContactInformation, where
    # the schema wants an xPIL party (its PartyName holds the person's name).
    declined = read("CommitResource-Decline.xml")

    with pytest.raises(edxl_xml.SchemaViolation) as refused:
        edxl_rm_xml.parse(declined)

    assert isinstance(refused.value, InvalidInput)
    (error,) = refused.value.errors
    assert error.startswith("line 22:")
    assert "{urn:oasis:names:tc:ciq:xnl:3}PersonName': This element is not expected" in error
    assert "{urn:oasis:names:tc:ciq:xpil:3}PartyName" in error  # what was expected there
    assert refused.value.message.startswith("the EDXL-RM message does not match the EDXL-RM 1.0 schema: ")
    with pytest.raises(edxl_xml.SchemaViolation, match="PersonName"):
        edxl_rm_xml.validate(declined)


def test_the_decline_is_readable_once_the_person_is_an_xpil_party() -> None:
    corrected = (
        read("CommitResource-Decline.xml")
        .replace(b"<xnl:PersonName", b"<xpil:PartyName><xnl:PersonName")
        .replace(b"</xnl:PersonName>", b"</xnl:PersonName></xpil:PartyName>")
    )

    commit = edxl_rm_xml.parse(corrected)

    assert [r.response_information.response_type for r in commit.resources if r.response_information] == [
        ResponseType.DECLINE,
        ResponseType.DECLINE,
    ]
    assert commit.sent_date_time.moment == datetime(2011, 3, 11, 19, 57, 21, 951754, tzinfo=UTC)
    assert commit.sent_date_time.text == "2011-03-11T19:57:21.9517542Z"  # the 7th digit stays in the text
    (contact,) = commit.contacts
    assert contact.additional_contact_information is not None
    assert edxl_parts.party_names(contact.additional_contact_information) == ("Michael Scott",)
    assert commit.funding == (Funding(fund_code="$", funding_info="$"),)
    assert leaves(edxl_rm_xml.to_xml(commit)) == leaves(corrected)


# --- (b) the six messages of a request's life, built from the model ---------------------------------------


def at(hour: int, minute: int = 0) -> XsDateTime:
    return XsDateTime.of(datetime(2021, 7, 14, hour, minute, tzinfo=CEST))


VR_ZL = ContactInformation(
    contact_description="Veiligheidsregio Zuid-Limburg, regionaal operationeel team",
    contact_role=ContactRole.REQUESTER,
    contact_location=Location(
        location_description="Maastricht", target_area=edxl_parts.point_area(50.85, 5.69)
    ),
    additional_contact_information=edxl_parts.party(
        organisation_name="Veiligheidsregio Zuid-Limburg",
        phones=["+31 0 000 0000"],
        emails=["rot@vrzl.example"],
    ),
)
LIEGE = ContactInformation(
    contact_description="Province de Liège, centre de crise",
    contact_role=ContactRole.RESPONDING_ORG,
    radios=(
        RadioInformation(
            radio_type=ValueList(value_list_urn="urn:crisislink:radio-network", values=("ASTRID",)),
            radio_channel="EMRIC-1",
        ),
    ),
    contact_location=Location(location_description="Liège"),
)
PUMPS = Resource(
    type_structure=ValueList(value_list_urn=UCPM_MODULES, values=("HCP",)),
    type_info=edxl_parts.type_info({"Capability": "high capacity pumping", "Couplings": "Storz"}),
    keywords=(ValueList(value_list_urn="urn:crisislink:hazard", values=("flood", "inundation")),),
    description="High-capacity pumps, 1000 m3/h each, with hoses",
)
STAGING = Location(
    location_description="Staging area Roermond, Oolderhuuske",
    address=edxl_xml.capture(
        etree.fromstring(
            '<a xmlns:xal="urn:oasis:names:tc:ciq:xal:3"><xal:Country><xal:NameElement>NL</xal:NameElement>'
            "</xal:Country><xal:Locality><xal:NameElement>Roermond</xal:NameElement></xal:Locality></a>"
        )
    ),
    target_area=edxl_parts.point_area(51.1928, 5.9727),
)


def conversation() -> list[Message]:
    """A flood in Limburg: VR Zuid-Limburg asks for pumps, Liège offers, commits, deploys, is released."""
    request = RequestResource(
        message_id="vrzl-rr-1",
        sent_date_time=at(9),
        message_description="Verzoek om hoge-capaciteitspompen / demande de pompes à haute capacité",
        originating_message_id="vrzl-rr-1",
        incidents=(IncidentInformation(incident_id="NL-VRZL-2021-0714", incident_description="Meuse flood"),),
        funding=(Funding(fund_code="UCPM-TRANSPORT"),),
        contacts=(VR_ZL,),
        resources=(
            ResourceInformation(
                resource_info_element_id="need-1",
                resource=PUMPS,
                assignment_information=AssignmentInformation(
                    quantity=Quantity(quantity_texts=("2",)),
                    restrictions="self-sufficient for 48 h",
                    anticipated_function="drain the Roermond lock area",
                ),
                schedules=(
                    ScheduleInformation(
                        schedule_type=ScheduleType.REQUESTED_ARRIVAL, date_time=at(15), location=STAGING
                    ),
                ),
            ),
        ),
    )
    offer = ResponseToRequestResource(
        message_id="liege-rtr-1",
        sent_date_time=at(10),
        originating_message_id="vrzl-rr-1",
        preceding_message_id="vrzl-rr-1",
        contacts=(LIEGE,),
        resources=(
            ResourceInformation(
                resource_info_element_id="offer-1",
                response_information=ResponseInformation(
                    preceding_resource_info_element_id="need-1",
                    response_type=ResponseType.PROVISIONAL,
                    reason_code=ValueList(
                        value_list_urn="urn:crisislink:assistance:reason", values=("partial",)
                    ),
                    response_reason="one pump now, the second from 18:00",
                ),
                resource=replace(PUMPS, resource_id="LG-HCP-01", name="Pompe HCP 01"),
                assignment_information=AssignmentInformation(quantity=Quantity(quantity_texts=("1",))),
                schedules=(
                    ScheduleInformation(schedule_type=ScheduleType.ESTIMATED_ARRIVAL, date_time=at(14, 30)),
                ),
            ),
        ),
    )
    committed = ResourceInformation(
        resource_info_element_id="commit-1",
        response_information=ResponseInformation(
            preceding_resource_info_element_id="need-1", response_type=ResponseType.ACCEPT
        ),
        resource=replace(
            PUMPS,
            resource_id="LG-HCP-01",
            name="Pompe HCP 01",
            credentials="EU civil protection module, certified 2019",
            certifications="ECPP",
            special_requirements="diesel, 400 l a day",
            responsible_party=LIEGE,
            ownership_information=OwnershipInformation(
                owner="Zone de secours Liège 2",
                owning_jurisdiction="Province de Liège",
                home_dispatch="Centre 112 Liège",
                home_unit="HCP team",
            ),
        ),
        assignment_information=AssignmentInformation(
            quantity=Quantity(
                measured_quantity=MeasuredQuantity(
                    amount=1000.0,
                    unit_of_measure=ValueList(value_list_urn="urn:un:unece:rec20", values=("MQH",)),
                )
            ),
            price_quote=Quantity(quantity_texts=("free of charge (Benelux arrangement)",)),
            order_id="VRZL-2021-0714-07",
            assignment_instructions=AssignmentInstructions(
                mode_of_transportation="road convoy",
                navigation_instructions="A2 to exit 47, then N280",
                reporting_instructions="report to the ROT liaison at staging",
            ),
        ),
        schedules=(
            ScheduleInformation(
                schedule_type=ScheduleType.ESTIMATED_ARRIVAL, date_time=at(14, 30), location=STAGING
            ),
        ),
    )
    commit = CommitResource(
        message_id="liege-cr-1",
        sent_date_time=at(10, 20),
        originating_message_id="vrzl-rr-1",
        preceding_message_id="liege-rtr-1",
        funding=(Funding(fund_code="BENELUX-2009", funding_info="costs borne by the requesting region"),),
        contacts=(LIEGE,),
        resources=(committed,),
    )
    status_request = RequestResourceDeploymentStatus(
        message_id="vrzl-rrds-1",
        sent_date_time=at(16),
        originating_message_id="vrzl-rr-1",
        contacts=(VR_ZL,),
        resources=(
            ResourceInformation(
                resource_info_element_id="status-1", resource=Resource(resource_id="LG-HCP-01")
            ),
        ),
    )
    report = ReportResourceDeploymentStatus(
        message_id="liege-rrds-1",
        sent_date_time=at(16, 5),
        originating_message_id="vrzl-rr-1",
        preceding_message_id="vrzl-rrds-1",
        message_recall=MessageRecall(recall_message_id="liege-rrds-0", recall_type=RecallType.UPDATE),
        contacts=(LIEGE,),
        resources=(
            ResourceInformation(
                resource_info_element_id="report-1",
                resource=Resource(
                    resource_id="LG-HCP-01",
                    resource_status=ResourceStatus(
                        inventory_refresh_date_time=at(16),
                        deployment_status=ValueList(value_list_urn=DEPLOYMENT, values=("DEPLOYED",)),
                        availability="committed until released",
                    ),
                ),
                schedules=(
                    ScheduleInformation(schedule_type=ScheduleType.ACTUAL_ARRIVAL, date_time=at(14, 41)),
                ),
            ),
        ),
    )
    release = ReleaseResource(
        message_id="vrzl-rel-1",
        sent_date_time=XsDateTime.of(datetime(2021, 7, 17, 8, 0, tzinfo=UTC)),
        originating_message_id="vrzl-rr-1",
        preceding_message_id="liege-cr-1",
        contacts=(VR_ZL,),
        resources=(
            ResourceInformation(
                resource_info_element_id="release-1",
                resource=Resource(resource_id="LG-HCP-01"),
                assignment_information=AssignmentInformation(quantity=Quantity(quantity_texts=("1",))),
                schedules=(
                    ScheduleInformation(
                        schedule_type=ScheduleType.ESTIMATED_RETURN_ARRIVAL, date_time=at(18)
                    ),
                ),
            ),
        ),
    )
    return [request, offer, commit, status_request, report, release]


@pytest.mark.parametrize("message", conversation(), ids=lambda message: type(message).__name__)
def test_each_message_type_built_from_the_model_is_schema_valid_and_reads_back(message: Message) -> None:
    written = edxl_rm_xml.to_xml(message)

    edxl_rm_xml.validate(written)
    root = etree.fromstring(written)
    assert root.tag == f"{{urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg}}{message.content_type}"
    assert root[2].text == message.content_type  # MessageContentType, from the class
    assert edxl_rm_xml.parse(written) == message


def test_the_conversation_writes_and_reads_every_element_of_the_model() -> None:
    # Element names derive from field names: a field no message sets would be a name nobody checked.
    seen: set[tuple[type, str]] = set()

    def visit(model: object) -> None:
        for spec in edxl_xml.fields_of(type(model)):
            value = getattr(model, spec.name)
            for item in value if spec.repeated else () if value is None else (value,):
                seen.add((declaring(type(model)), spec.name))
                if dataclasses.is_dataclass(item) and type(item) in MODEL_CLASSES:
                    visit(item)

    for message in conversation():
        visit(edxl_rm_xml.parse(edxl_rm_xml.to_xml(message)))

    every = {(declaring(cls), spec.name) for cls in MODEL_CLASSES for spec in edxl_xml.fields_of(cls)}
    assert sorted((cls.__name__, name) for cls, name in every - seen) == []


def test_funding_is_in_the_message_namespace_only_in_a_request() -> None:
    # RequestResource declares Funding inline; the other messages use the common rm:FundingType.
    request, _, commit, *_ = (etree.fromstring(edxl_rm_xml.to_xml(m)) for m in conversation())

    assert request.find("rmsg:Funding/rmsg:FundCode", PREFIXES) is not None
    assert commit.find("rmsg:Funding/rm:FundCode", PREFIXES) is not None


def test_the_conversation_threads_by_message_and_resource_ids() -> None:
    request, offer, commit, *_ = conversation()

    assert {m.originating_message_id for m in conversation()} == {request.message_id}
    assert offer.preceding_message_id == request.message_id
    assert commit.preceding_message_id == offer.message_id
    answered = commit.resources[0].response_information
    assert answered is not None
    assert answered.preceding_resource_info_element_id == request.resources[0].resource_info_element_id


def test_the_parts_kept_verbatim_read_back_through_the_helpers() -> None:
    request = edxl_rm_xml.parse(edxl_rm_xml.to_xml(conversation()[0]))

    (contact,) = request.contacts
    assert contact.contact_location is not None
    assert contact.contact_location.target_area is not None
    assert edxl_parts.point_of(contact.contact_location.target_area) == (50.85, 5.69)
    assert contact.additional_contact_information is not None
    assert edxl_parts.party_names(contact.additional_contact_information) == (
        "Veiligheidsregio Zuid-Limburg",
    )
    assert contact.additional_contact_information.texts(
        "ElectronicAddressIdentifiers", "ElectronicAddressIdentifier"
    ) == ("rot@vrzl.example",)


def test_what_a_message_type_may_not_carry_is_refused_when_written() -> None:
    request = conversation()[0]
    answered = replace(
        request.resources[0],
        response_information=ResponseInformation(
            preceding_resource_info_element_id="x", response_type=ResponseType.ACCEPT
        ),
    )

    with pytest.raises(edxl_xml.SchemaViolation, match=r"ResponseInformation': This element is not expected"):
        edxl_rm_xml.to_xml(replace(request, resources=(answered,)))


def test_a_commitment_without_a_quantity_is_refused_naming_it() -> None:
    commit = conversation()[2]
    unquantified = replace(commit.resources[0], assignment_information=AssignmentInformation(order_id="7"))

    with pytest.raises(edxl_xml.SchemaViolation, match="Quantity") as refused:
        edxl_rm_xml.to_xml(replace(commit, resources=(unquantified,)))

    assert refused.value.message.startswith(
        "the CommitResource written does not match the EDXL-RM 1.0 schema"
    )
    # A tree built in memory has no lines: the error gives the element's path instead.
    assert refused.value.errors[0].startswith(
        "/rmsg:CommitResource/rmsg:ResourceInformation/rmsg:AssignmentInformation/rmsg:OrderID: "
    )


def test_a_schedule_type_the_message_does_not_admit_is_refused() -> None:
    request = conversation()[0]
    actual = replace(
        request.resources[0], schedules=(ScheduleInformation(schedule_type=ScheduleType.ACTUAL_ARRIVAL),)
    )

    with pytest.raises(edxl_xml.SchemaViolation, match="'ActualArrival' is not an element of the set"):
        edxl_rm_xml.to_xml(replace(request, resources=(actual,)))


def test_open_type_info_is_kept_whole_even_mixed_content() -> None:
    request = conversation()[0]
    info = edxl_parts.type_info({"Kind": "Equipment"})
    mixed = replace(info, children=(*info.children, "<Note>call <b>first</b>, then come</Note>"))
    pumps = replace(request.resources[0], resource=replace(PUMPS, type_info=mixed))

    again = edxl_rm_xml.parse(edxl_rm_xml.to_xml(replace(request, resources=(pumps,))))

    assert again.resources[0].resource is not None
    assert again.resources[0].resource.type_info == mixed


def test_text_xml_cannot_carry_is_refused() -> None:
    with pytest.raises(
        InvalidInput, match="MessageDescription: the text contains characters XML cannot carry"
    ):
        edxl_rm_xml.to_xml(replace(conversation()[0], message_description="pumps\x00"))


def test_times_are_written_with_their_offset_and_naive_ones_refused() -> None:
    assert at(9).text == "2021-07-14T09:00:00+02:00"
    assert XsDateTime.of(datetime(2021, 7, 14, 9, tzinfo=timezone(timedelta(seconds=30)))).text == (
        "2021-07-14T08:59:30+00:00"  # xs:dateTime offsets are whole minutes: written in UTC instead
    )
    with pytest.raises(InvalidInput, match="no time zone"):
        XsDateTime.of(datetime(2021, 7, 14, 9))  # noqa: DTZ001 - the point of the test
    with pytest.raises(InvalidInput, match="is not an xs:dateTime"):
        XsDateTime("14/07/2021 09:00")


# --- (c) in an EDXL-DE envelope -------------------------------------------------------------------------

HEADER = edxl_de.Distribution(
    distribution_id="crisislink-be-nccn-0001",
    sender_id="assistance@crisislink.nccn.example",
    sent=XsDateTime("2021-07-14T10:20:00+02:00"),
    status=edxl_de.DistributionStatus.EXERCISE,
    type=edxl_de.DistributionType.REQUEST,
    combined_confidentiality="TLP:AMBER",
)


def test_messages_travel_in_an_edxl_de_envelope_and_come_back_out() -> None:
    messages = conversation()

    envelope = edxl_de.wrap([edxl_rm_xml.to_xml(m) for m in messages], HEADER)

    assert edxl_de.parse(envelope).status is edxl_de.DistributionStatus.EXERCISE
    assert edxl_rm_xml.messages_in(envelope) == tuple(messages)
    assert [edxl_rm_xml.parse(document) for document in edxl_de.unwrap(envelope)] == messages
    assert edxl_rm_xml.messages_in(edxl_rm_xml.to_xml(messages[0])) == (messages[0],)


def test_an_envelope_carrying_an_invalid_message_is_refused_for_the_message() -> None:
    envelope = edxl_de.wrap([read("CommitResource-Decline.xml")], HEADER)  # the envelope itself is valid

    edxl_de.parse(envelope)
    with pytest.raises(edxl_xml.SchemaViolation, match="PersonName"):
        edxl_rm_xml.messages_in(envelope)


# --- (d) bad and hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize("read_rm", [edxl_rm_xml.parse, edxl_rm_xml.validate, edxl_rm_xml.messages_in])
def test_what_is_not_xml_is_refused(read_rm: Callable[[bytes], Any]) -> None:
    with pytest.raises(InvalidInput, match="the EDXL-RM message is not well-formed XML"):
        read_rm(b"RequestResource: 4 track dozers")
    with pytest.raises(InvalidInput, match="the EDXL-RM message is empty"):
        read_rm(b"")


def test_a_missing_required_element_is_refused_naming_it() -> None:
    original = read("RequestResource.1.xml")
    without_id = original.replace(b"<rmsg:MessageID>RequestResource.1</rmsg:MessageID>", b"")

    with pytest.raises(
        edxl_xml.SchemaViolation,
        match=r"SentDateTime': This element is not expected\. Expected is \( \{urn:oasis:names:tc:emergency:EDXL:RM:1\.0:msg\}MessageID",
    ):
        edxl_rm_xml.parse(without_id)


def test_another_namespace_is_refused_naming_it() -> None:
    foreign = read("RequestResource.1.xml").replace(b"EDXL:RM:1.0:msg", b"EDXL:RM:2.0:msg")

    with pytest.raises(
        InvalidInput,
        match=r"got <RequestResource> in namespace 'urn:oasis:names:tc:emergency:EDXL:RM:2\.0:msg'",
    ):
        edxl_rm_xml.parse(foreign)


def test_another_document_is_refused_naming_it() -> None:
    have = b'<HospitalStatus xmlns="urn:oasis:names:tc:emergency:EDXL:HAVE:1.0"/>'

    with pytest.raises(InvalidInput, match=r"expected an EDXL-RM 1\.0 message.*got <HospitalStatus>"):
        edxl_rm_xml.parse(have)
    with pytest.raises(
        InvalidInput, match=r"or an EDXL-DE 1\.0 envelope carrying some, got <HospitalStatus>"
    ):
        edxl_rm_xml.messages_in(have)


def test_an_rm_message_type_that_is_not_modelled_is_named() -> None:
    quote = read("RequestResource.1.xml").replace(b"RequestResource", b"RequestQuote")

    with pytest.raises(
        InvalidInput, match="RequestQuote is an EDXL-RM message crisislink validates but does not read"
    ):
        edxl_rm_xml.parse(quote)


EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rmsg:RequestResource [<!ENTITY secret SYSTEM "{uri}">]>
<rmsg:RequestResource xmlns:rmsg="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg">
<rmsg:MessageID>&secret;</rmsg:MessageID></rmsg:RequestResource>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE rmsg:RequestResource SYSTEM "{uri}">
<rmsg:RequestResource xmlns:rmsg="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"/>"""
SCHEMA_LOCATION = """<?xml version="1.0"?>
<rmsg:RequestResource xmlns:rmsg="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg {uri}"/>"""


@pytest.mark.parametrize(
    ("template", "refusal"),
    [
        (EXTERNAL_ENTITY, "has a DOCTYPE; DTDs and entities are refused"),
        (EXTERNAL_DTD, "has a DOCTYPE; DTDs and entities are refused"),
        (SCHEMA_LOCATION, "does not match the EDXL-RM 1.0 schema"),  # judged by the shipped schema only
    ],
    ids=["external-entity", "external-dtd", "schema-location"],
)
def test_hostile_references_are_refused_without_opening_them(
    tmp_path: Path, template: str, refusal: str
) -> None:
    # The references point at a FIFO: a parser that opens it blocks until a writer comes, so a read that
    # finishes proves nothing opened it.
    fifo = tmp_path / "secret"
    os.mkfifo(fifo)
    hostile = template.format(uri=fifo.as_uri()).encode()
    outcome: dict[str, BaseException] = {}

    def attempt() -> None:
        try:
            edxl_rm_xml.parse(hostile)
        except InvalidInput as error:
            outcome["error"] = error

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    opened = worker.is_alive()
    if opened:  # release the parser before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    assert not opened, "the parser opened the referenced file"
    assert refusal in str(outcome["error"])


def test_an_entity_bomb_is_refused_without_expanding_it() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE r [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rmsg:RequestResource xmlns:rmsg="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"><rmsg:MessageID>&d;</rmsg:MessageID></rmsg:RequestResource>"""

    with pytest.raises(InvalidInput, match=r"DOCTYPE|entity amplification") as refused:
        edxl_rm_xml.parse(bomb)

    assert len(refused.value.message) < 300


def test_an_oversized_message_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidInput, match="the EDXL-RM message is larger than 5 MiB"):
        edxl_rm_xml.parse(b" " * (edxl_xml.MAX_MESSAGE_BYTES + 1))


def test_a_deeply_nested_document_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not well-formed XML: Excessive depth"):
        edxl_rm_xml.parse(b"<a>" * 10_000 + b"</a>" * 10_000)


def test_a_schema_import_is_only_ever_answered_from_the_shipped_files() -> None:
    parser = edxl_xml.hardened_parser()
    parser.resolvers.add(edxl_xml._ShippedSchemas(("schemas/edxl_rm",)))
    schema = etree.fromstring(
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        b'<xs:import namespace="urn:x" schemaLocation="http://192.0.2.1/evil.xsd"/></xs:schema>',
        parser,
        base_url="shipped:/test.xsd",
    )

    with pytest.raises(etree.XMLSchemaParseError, match=r"evil\.xsd"):
        etree.XMLSchema(schema)
    with pytest.raises(InvalidInput, match="'passwd' is not shipped"):
        edxl_xml.read_schema(("schemas/edxl_rm",), "passwd")


def test_all_sixteen_message_schemas_compile_from_the_shipped_files() -> None:
    schemas = edxl_xml.Schemas("EDXL-RM 1.0", ("schemas/edxl_rm",))

    for message_type in edxl_rm_xml.ALL_MESSAGE_TYPES:
        schemas.compiled(f"EDXL-RM{message_type}.xsd")


def test_concurrent_validations_keep_their_own_errors() -> None:
    valid, invalid = read("CommitResource.1.xml"), read("CommitResource-Decline.xml")

    def outcome(data: bytes) -> str:
        try:
            edxl_rm_xml.validate(data)
        except edxl_xml.SchemaViolation as error:
            return error.errors[0][:8]
        return "valid"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(outcome, [valid, invalid] * 40))

    assert results == ["valid", "line 22:"] * 40
