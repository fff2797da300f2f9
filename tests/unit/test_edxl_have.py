"""EDXL-HAVE 1.0: real hospital reports unwrapped from their EDXL-DE envelopes and read without loss, reports
built from the model and validated, bad and hostile input refused.

The real reports are in tests/fixtures/standards/edxl/have (provenance in tests/fixtures/standards/SOURCES.md):
both are EDXL-DE 1.0 envelopes, the second inside XchangeCore's HAVEService request element.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from crisislink.adapters.standards import edxl_de, edxl_have, edxl_have_xml, edxl_parts, edxl_rm_xml, edxl_xml
from crisislink.adapters.standards.edxl_have import (
    NAMESPACE,
    ActiveStatus,
    Adequacy,
    BedCapacity,
    BedType,
    Capacity,
    CapacityStatus,
    ClinicalStatus,
    EmergencyDepartmentStatus,
    EmsTraffic,
    EmsTrafficStatus,
    FacilityStatusCode,
    Hospital,
    HospitalBedCapacityStatus,
    HospitalFacilityStatus,
    HospitalResourcesStatus,
    HospitalStatus,
    MorgueCapacity,
    MorgueCapacityStatus,
    Offload,
    OffloadStatus,
    Organization,
    SecurityStatus,
    TriageCode,
    TriageColour,
    TriageCount,
)
from crisislink.adapters.standards.edxl_values import Verbatim, XsDateTime
from crisislink.kernel.errors import InvalidInput

MODEL_CLASSES = frozenset(
    value
    for value in vars(edxl_have).values()
    if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == edxl_have.__name__
)
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "edxl" / "have"
CEST = timezone(timedelta(hours=2))


def read(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def leaves(element: etree._Element) -> list[tuple[str, str]]:
    """Every element under `element` as (name, text), in document order; whitespace between elements ignored."""
    return [(etree.QName(el).localname, (el.text or "").strip()) for el in element.iter()]


def embedded_report(envelope: bytes) -> etree._Element:
    (report,) = etree.fromstring(envelope).iter(f"{{{NAMESPACE}}}HospitalStatus")
    return report


def kept(xml: str) -> Verbatim:
    """The content of a HAVE element written by hand, as the model keeps it."""
    return edxl_xml.capture(etree.fromstring(f'<have:x xmlns:have="{NAMESPACE}">{xml}</have:x>'))


# --- (a) the real reports -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["EDXL-HAVE1.xml", "HAVE-EdxlDeRequest.xml"])
def test_a_real_report_is_unwrapped_and_written_back_valid_with_nothing_lost(name: str) -> None:
    envelope = read(name)

    (report,) = edxl_have_xml.reports_in(envelope)
    written = edxl_have_xml.to_xml(report)

    edxl_have_xml.validate(written)
    assert edxl_have_xml.parse(written) == report
    assert leaves(etree.fromstring(written)) == leaves(embedded_report(envelope))


def test_both_real_envelopes_carry_the_same_report() -> None:
    # One bare, one inside the service's <EdxlDeRequest>: the wrapper changes nothing in the report.
    assert edxl_have_xml.reports_in(read("EDXL-HAVE1.xml")) == edxl_have_xml.reports_in(
        read("HAVE-EdxlDeRequest.xml")
    )


def test_the_real_report_gives_what_a_capacity_view_needs() -> None:
    (report,) = edxl_have_xml.reports_in(read("EDXL-HAVE1.xml"))

    first, second = report.hospitals
    assert (first.organization.name, second.organization.name) == ("Hospital 1", "Hospital 2")
    assert first.organization.point == (45.256, -71.92)  # latitude first, as geo-oasis says
    assert first.hospital_bed_capacity_status == HospitalBedCapacityStatus(
        beds=(
            BedCapacity(
                bed_types=(BedType.BURN,),
                capacities=(Capacity(capacity_status=CapacityStatus.VACANT_AVAILABLE, available_count=100),),
            ),
        )
    )
    assert second.hospital_bed_capacity_status is None
    assert first.last_update_time.moment == datetime(2010, 11, 11, 19, 59, 12, 390000, tzinfo=UTC)


def test_the_real_envelope_reads_and_writes_back() -> None:
    envelope = edxl_de.parse(read("HAVE-EdxlDeRequest.xml"))

    assert (envelope.distribution_id, envelope.status, envelope.type) == (
        "DE_DISTRIBUTION_ID",
        edxl_de.DistributionStatus.TEST,
        edxl_de.DistributionType.REPORT,
    )
    assert edxl_de.parse(edxl_de.to_xml(envelope)) == envelope
    (document,) = edxl_de.unwrap(read("HAVE-EdxlDeRequest.xml"))
    edxl_have_xml.validate(document)


# --- (b) reports built from the model -------------------------------------------------------------------

SERVICES = kept(
    "<have:Burn>false</have:Burn>"
    "<have:CardiologyIndicator><have:Cardiology>true</have:Cardiology></have:CardiologyIndicator>"
    "<have:TraumaCenterServicesIndicator><have:TraumaCenterServices>true</have:TraumaCenterServices>"
    "<have:TraumaCenterServicesLevel>Level1</have:TraumaCenterServicesLevel></have:TraumaCenterServicesIndicator>"
)


def a_hospital() -> Hospital:
    return Hospital(
        organization=Organization(
            information=edxl_parts.organisation("Maastricht UMC+", identifiers=["NL-AGB-06010001"]),
            geo_location=edxl_parts.point_area(50.8424, 5.7118),
            comments=("Level 1 trauma centre for Zuid-Limburg",),
        ),
        emergency_department_status=EmergencyDepartmentStatus(
            ems_traffic=EmsTraffic(
                ems_traffic_status=EmsTrafficStatus.ADVISORY,
                ems_traffic_reason="no burn patients",
                comment="burn unit closed",
            ),
            ems_capacity=TriageCount(
                triage_code_list_urn="urn:oasis:names:tc:emergency:have:1.0:triagecolorcode",
                codes=(
                    TriageCode(values=(TriageColour.RED,), quantities=(4,)),
                    TriageCode(values=(TriageColour.YELLOW,), quantities=(12,)),
                ),
            ),
            ems_census=TriageCount(codes=(TriageCode(values=(TriageColour.RED,), quantities=(7,)),)),
            ems_ambulance_status=Offload(ems_offload_status=OffloadStatus.DELAYED, ems_offload_minutes=25),
            ems_air_transport_status=Offload(ems_offload_status=OffloadStatus.NORMAL),
            comments=("helipad open",),
        ),
        hospital_bed_capacity_status=HospitalBedCapacityStatus(
            beds=(
                BedCapacity(
                    bed_types=(BedType.ADULT_ICU,),
                    sub_category_bed_types=(kept("cardiac"),),
                    capacities=(
                        Capacity(
                            capacity_status=CapacityStatus.VACANT_AVAILABLE,
                            available_count=3,
                            baseline_count=40,
                            additional_capacity_count_24h=6,
                            additional_capacity_count_72h=10,
                        ),
                    ),
                ),
                BedCapacity(
                    bed_types=(BedType.BURN,),
                    capacities=(Capacity(capacity_status=CapacityStatus.NOT_AVAILABLE, available_count=0),),
                    comments=("burn unit closed for renovation",),
                ),
            )
        ),
        service_coverage_status=SERVICES,
        hospital_facility_status=HospitalFacilityStatus(
            hospital_eoc_status=ActiveStatus.ACTIVE,
            hospital_eoc_plan=ActiveStatus.ACTIVE,
            clinical_status=ClinicalStatus.NORMAL,
            decon_capacity=kept("<have:DeconCapacityStatus>Open</have:DeconCapacityStatus>"),
            morgue_capacity=MorgueCapacity(
                morgue_capacity_status=MorgueCapacityStatus.OPEN, morgue_capacity_units=12
            ),
            facility_status=FacilityStatusCode.NORMAL,
            security_status=SecurityStatus.ELEVATED,
            activity_24h=kept("<have:Admissions>212</have:Admissions><have:Deaths>3</have:Deaths>"),
            comments=("crisis team in session",),
        ),
        hospital_resources_status=HospitalResourcesStatus(
            staffing=Adequacy.INSUFFICIENT,
            facility_operations=Adequacy.ADEQUATE,
            clinical_operations=Adequacy.ADEQUATE,
            resources_information_texts=(kept("oxygen for 36 h"),),
            comments=("staff recalled from leave",),
        ),
        last_update_time=XsDateTime.of(datetime(2021, 7, 14, 17, 45, tzinfo=CEST)),
    )


def test_a_report_built_from_the_model_is_schema_valid_and_reads_back() -> None:
    report = HospitalStatus(hospitals=(a_hospital(),))

    written = edxl_have_xml.to_xml(report)

    edxl_have_xml.validate(written)
    again = edxl_have_xml.parse(written)
    assert again == report
    (hospital,) = again.hospitals
    assert hospital.organization.name == "Maastricht UMC+"
    assert hospital.organization.identifiers == ("NL-AGB-06010001",)
    assert hospital.organization.point == (50.8424, 5.7118)
    assert hospital.service_coverage_status is not None
    assert hospital.service_coverage_status.texts(
        "TraumaCenterServicesIndicator", "TraumaCenterServicesLevel"
    ) == ("Level1",)
    assert hospital.last_update_time.text == "2021-07-14T17:45:00+02:00"


def test_the_built_report_writes_and_reads_every_element_of_the_model() -> None:
    # Element names derive from field names: a field no report sets would be a name nobody checked.
    seen: set[tuple[type, str]] = set()

    def visit(model: object) -> None:
        for spec in edxl_xml.fields_of(type(model)):
            value = getattr(model, spec.name)
            for item in value if spec.repeated else () if value is None else (value,):
                seen.add((type(model), spec.name))
                if type(item) in MODEL_CLASSES:
                    visit(item)

    visit(edxl_have_xml.parse(edxl_have_xml.to_xml(HospitalStatus(hospitals=(a_hospital(),)))))

    every = {(cls, spec.name) for cls in MODEL_CLASSES for spec in edxl_xml.fields_of(cls)}
    assert sorted((cls.__name__, name) for cls, name in every - seen) == []


def test_the_parts_kept_verbatim_are_written_back_exactly() -> None:
    written = edxl_have_xml.to_xml(HospitalStatus(hospitals=(a_hospital(),)))

    root = etree.fromstring(written)
    (sub_category,) = root.iter(f"{{{NAMESPACE}}}SubCategoryBedType")
    (level,) = root.iter(f"{{{NAMESPACE}}}TraumaCenterServicesLevel")
    assert (sub_category.text, level.text) == ("cardiac", "Level1")


def test_a_report_travels_in_an_envelope_with_rm_messages_and_each_reader_takes_its_own() -> None:
    report = HospitalStatus(hospitals=(a_hospital(),))
    header = edxl_de.Distribution(
        distribution_id="crisislink-nl-vrzl-0042",
        sender_id="ghor@crisislink.vrzl.example",
        sent=XsDateTime("2021-07-14T17:50:00+02:00"),
        status=edxl_de.DistributionStatus.ACTUAL,
        type=edxl_de.DistributionType.REPORT,
        combined_confidentiality="TLP:GREEN",
    )
    request = (
        Path(__file__).resolve().parents[1] / "fixtures/standards/edxl/rm/RequestResource.1.xml"
    ).read_bytes()

    envelope = edxl_de.wrap([edxl_have_xml.to_xml(report), request], header)

    assert edxl_have_xml.reports_in(envelope) == (report,)
    assert len(edxl_rm_xml.messages_in(envelope)) == 1


def test_a_content_object_carries_the_document_and_its_own_metadata() -> None:
    report = edxl_have_xml.to_xml(HospitalStatus(hospitals=(a_hospital(),)))
    content = edxl_de.ContentObject(
        description="Hospital capacity, Zuid-Limburg",
        incident_id="NL-VRZL-2021-0714",
        confidentiality="TLP:AMBER",
        xml_content=edxl_de.embedded(report),
    )
    header = edxl_de.parse(read("EDXL-HAVE1.xml"))

    envelope = edxl_de.to_xml(replace(header, content_objects=(content,)))

    (received,) = edxl_de.parse(envelope).content_objects
    assert received == content
    assert edxl_have_xml.reports_in(envelope) == (edxl_have_xml.parse(report),)


# --- (c) bad and hostile input --------------------------------------------------------------------------


def written(report: HospitalStatus | None = None) -> bytes:
    return edxl_have_xml.to_xml(report or HospitalStatus(hospitals=(a_hospital(),)))


def test_a_missing_last_update_time_is_refused_naming_it() -> None:
    root = etree.fromstring(written())
    (last_update,) = root.iter(f"{{{NAMESPACE}}}LastUpdateTime")
    last_update.getparent().remove(last_update)  # type: ignore[union-attr]  # it has one

    with pytest.raises(edxl_xml.SchemaViolation, match=r"Missing child element.*LastUpdateTime"):
        edxl_have_xml.parse(etree.tostring(root))


def test_a_code_outside_the_list_is_refused_naming_it() -> None:
    invalid = written().replace(b">Advisory<", b">Open<")

    with pytest.raises(
        edxl_xml.SchemaViolation, match=r"EMSTrafficStatus.*'Open' is not an element of the set"
    ):
        edxl_have_xml.parse(invalid)


def test_a_model_the_schema_refuses_is_not_written() -> None:
    empty = replace(a_hospital(), hospital_bed_capacity_status=HospitalBedCapacityStatus(beds=()))

    with pytest.raises(edxl_xml.SchemaViolation, match=r"the HospitalStatus written.*BedCapacity"):
        edxl_have_xml.to_xml(HospitalStatus(hospitals=(empty,)))


def test_an_envelope_with_an_invalid_report_is_refused_for_the_report() -> None:
    header = edxl_de.parse(read("EDXL-HAVE1.xml"))
    invalid = written().replace(b">Advisory<", b">Open<")

    envelope = edxl_de.wrap([invalid], replace(header, content_objects=()))  # a valid envelope...

    with pytest.raises(edxl_xml.SchemaViolation, match="'Open'"):  # ...carrying an invalid report
        edxl_have_xml.reports_in(envelope)


def test_an_invalid_envelope_is_refused_naming_what_is_wrong() -> None:
    invalid = read("EDXL-HAVE1.xml").replace(b"<de:distributionStatus>Test", b"<de:distributionStatus>Drill")

    with pytest.raises(
        edxl_xml.SchemaViolation, match=r"EDXL-DE 1\.0 schema.*'Drill' is not an element of the set"
    ):
        edxl_have_xml.reports_in(invalid)


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b"beds: 100", "the EDXL-HAVE report is not well-formed XML"),
        (b"", "the EDXL-HAVE report is empty"),
        (
            b'<HospitalStatus xmlns="urn:oasis:names:tc:emergency:EDXL:HAVE:2.0"/>',
            "got <HospitalStatus> in namespace 'urn:oasis:names:tc:emergency:EDXL:HAVE:2.0'",
        ),
        (b"<HospitalStatus/>", "got <HospitalStatus> in no namespace"),
        (
            b'<!DOCTYPE h [<!ENTITY x SYSTEM "file:///etc/passwd">]><h>&x;</h>',
            "has a DOCTYPE; DTDs and entities are refused",
        ),
        (b" " * (edxl_xml.MAX_MESSAGE_BYTES + 1), "larger than 5 MiB"),
    ],
    ids=["not-xml", "empty", "have-2.0", "no-namespace", "doctype", "oversized"],
)
def test_bad_input_is_refused_with_a_clear_reason(data: bytes, refusal: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        edxl_have_xml.parse(data)

    assert refusal in refused.value.message
    assert "root:" not in refused.value.message  # nothing of /etc/passwd in the message


def test_a_doctype_inside_the_envelope_is_refused() -> None:
    envelope = read("EDXL-HAVE1.xml")
    hostile = b'<!DOCTYPE de:EDXLDistribution [<!ENTITY x "x">]>\n' + envelope

    with pytest.raises(InvalidInput, match="DOCTYPE"):
        edxl_have_xml.reports_in(hostile)


def test_an_rm_message_is_not_a_have_report() -> None:
    request = (
        Path(__file__).resolve().parents[1] / "fixtures/standards/edxl/rm/RequestResource.1.xml"
    ).read_bytes()

    with pytest.raises(InvalidInput, match=r"expected an EDXL-HAVE 1\.0 report.*got <RequestResource>"):
        edxl_have_xml.parse(request)
