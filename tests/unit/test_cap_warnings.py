"""CAP 1.2 emitted from the warnings domain's message chain: valid, strict, signed, identical on re-emission.

The running case is the Geul/Meuse flood warning of July 2021 (as in test_warnings_domain): drafted by
Zuid-Limburg, touching NL and BE, in Dutch, French, German and English, approved by both countries and
issued through the domain's handlers against the in-memory fakes; then updated and cancelled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crisislink.adapters.standards import cap, cap_validation
from crisislink.adapters.standards.cap_signature import SignatureState, make_node_identity, sign, verify
from crisislink.adapters.standards.cap_warnings import alert_for, cap_xml_for, polygons_of
from crisislink.domains.warnings import approval_handlers as ah
from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings import handlers as h
from crisislink.domains.warnings import issue_handlers as ih
from crisislink.domains.warnings.chain import CapMessageRecord
from crisislink.domains.warnings.codes import (
    Category,
    Certainty,
    MsgType,
    ResponseType,
    Severity,
    Status,
    Urgency,
)
from crisislink.domains.warnings.model import PublicWarning
from crisislink.domains.warnings.ports import WarningPartner
from crisislink.domains.warnings.values import Geocode, LanguageRule, Targeting, WarningText
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area
from crisislink.kernel.messages import Actor
from tests.unit.warning_fakes import FakeWarningDirectory, FakeWarningsUnitOfWork, SequentialIdentifiers

NOW = datetime(2021, 7, 14, 13, 0, tzinfo=UTC)  # 15:00 in Valkenburg and Visé
ONSET = NOW + timedelta(hours=1)
EXPIRES = NOW + timedelta(hours=24)
UPDATED = NOW + timedelta(minutes=45)
SENDER = "crisislink@vrzl.example.nl"
# GeoJSON, [lon, lat]: Valkenburg (5.83 E, 50.86 N) to Visé and Kelmis. The first vertex is the test's
# witness of the lat/lon order: 5.68 E, 50.70 N.
GEUL_MEUSE = Area(
    {
        "type": "Polygon",
        "coordinates": [
            [[5.68, 50.70], [6.05, 50.68], [6.08, 50.90], [5.85, 50.95], [5.66, 50.88], [5.68, 50.70]]
        ],
    }
)
GEOCODES = ("EMMA_ID:NL012", "EMMA_ID:BE008", "NUTS3:NL423", "NUTS3:BE332", "NUTS3:BE335", "NUTS3:BE336")
TARGETING = Targeting(
    countries=("NL", "BE"),
    required_languages=(
        LanguageRule("nl", "NL", "Zuid-Limburg (Valkenburg aan de Geul, Meerssen)"),
        LanguageRule("fr", "BE", "the French-language area of Wallonia (Visé, Plombières)"),
        LanguageRule("de", "BE", "the German-speaking Community (Kelmis)"),
        LanguageRule("nl", "BE", "the Flemish Region (Voeren)"),
    ),
    optional_languages=("en",),
    population=185_000,
    geocodes=tuple(Geocode(*pair.split(":")) for pair in GEOCODES),
)
NL = WarningText(
    "Hoog water in Valkenburg aan de Geul",
    "De Geul treedt buiten haar oevers.",
    "Blijf uit de buurt van de rivier. Ga naar een hogere verdieping.",
    web="https://www.vrzl.nl/hoogwater",
)
FR = WarningText(
    "Inondation à Plombières et Visé", "La Gueule déborde.", "Éloignez-vous de la rivière. Montez à l'étage."
)
DE = WarningText(
    "Hochwasser in Kelmis",
    "Die Göhl tritt über die Ufer.",
    "Halten Sie sich vom Fluss fern. Gehen Sie in ein höheres Stockwerk.",
)
EN = WarningText(
    "Flooding along the Geul and the Meuse",
    "The Geul is bursting its banks.",
    "Stay away from the river. Go to a higher floor.",
    contact="Zuid-Limburg safety region, +31 88 450 7000",
)
TEXTS = (("nl", NL), ("fr", FR), ("de", DE), ("en", EN))


@dataclass
class World:
    uow: FakeWarningsUnitOfWork
    directory: FakeWarningDirectory
    identifiers: SequentialIdentifiers
    clock: FixedClock
    nl: WarningPartner
    be: WarningPartner

    def officer(self, partner: WarningPartner, role: str = "information_officer") -> Actor:
        return Actor(
            user_id=self.directory.add_user(partner.id), partner_id=partner.id, roles=frozenset({role})
        )

    def warning(self, warning_id: uuid.UUID) -> PublicWarning:
        return self.uow.warnings.get(warning_id)

    def approve_all(self, warning_id: uuid.UUID) -> None:
        for partner in (self.nl, self.be):
            command = c.ApproveWarning(
                actor=self.officer(partner),
                warning_id=warning_id,
                country=partner.country,
                revision=self.warning(warning_id).revision,
            )
            ah.approve_warning(command, self.uow, self.clock.now)


@pytest.fixture
def w() -> World:
    directory = FakeWarningDirectory()
    return World(
        uow=FakeWarningsUnitOfWork(directory),
        directory=directory,
        identifiers=SequentialIdentifiers(sender=SENDER),
        clock=FixedClock(NOW),
        nl=directory.add_partner("NL"),
        be=directory.add_partner("BE"),
    )


def issued(w: World, *, status: Status = Status.ACTUAL, **changes: Any) -> uuid.UUID:
    """The Geul warning drafted, approved by NL and BE, and issued in both countries."""
    role = "information_officer" if status is Status.ACTUAL else "exercise_controller"
    drafter = w.officer(w.nl, role)
    command = c.DraftWarning(
        actor=drafter,
        hazard="flood.river",
        category=Category.MET,
        awareness_type=12,
        severity=Severity.SEVERE,
        urgency=Urgency.IMMEDIATE,
        certainty=Certainty.LIKELY,
        onset=ONSET,
        expires=EXPIRES,
        area=GEUL_MEUSE,
        area_description="Valkenburg aan de Geul, Visé, Plombières, Kelmis",
        targeting=TARGETING,
        texts=TEXTS,
        response_types=(ResponseType.PREPARE, ResponseType.AVOID),
        status=status,
    )
    warning_id = h.draft_warning(replace(command, **changes), w.uow, w.clock.now)
    h.submit_for_approval(c.SubmitForApproval(actor=drafter, warning_id=warning_id), w.uow)
    w.approve_all(warning_id)
    issue = c.IssueWarning(actor=w.officer(w.nl), warning_id=warning_id)  # an exercise too: an officer
    ih.issue_warning(issue, w.uow, w.identifiers, w.clock.now)
    return warning_id


def update(w: World, warning_id: uuid.UUID) -> None:
    """45 minutes on, the revision (Extreme, 12 hours longer) approved by both and sent as an Update."""
    w.clock.advance(timedelta(minutes=45))
    command = c.ReviseWarning(
        actor=w.officer(w.nl),
        warning_id=warning_id,
        expected_revision=w.warning(warning_id).revision,
        severity=Severity.EXTREME,
        expires=EXPIRES + timedelta(hours=12),
    )
    h.revise_warning(command, w.uow)
    w.approve_all(warning_id)
    note = "Longer: the Meuse peaks tonight."
    issue = c.IssueUpdate(actor=w.officer(w.nl), warning_id=warning_id, note=note)
    ih.issue_update(issue, w.uow, w.identifiers, w.clock.now)


def cancel(w: World, warning_id: uuid.UUID, after: timedelta = timedelta(hours=2)) -> None:
    w.clock.advance(after)
    command = c.CancelWarning(actor=w.officer(w.nl), warning_id=warning_id, reason="The water is falling.")
    ih.cancel_warning(command, w.uow, w.identifiers, w.clock.now)


def updated_and_cancelled(w: World) -> uuid.UUID:
    """Issued at NOW, updated 45 minutes later, cancelled 2 hours after that."""
    warning_id = issued(w)
    update(w, warning_id)
    cancel(w, warning_id)
    return warning_id


def emitted(record: CapMessageRecord, warning: PublicWarning, country: str | None = None) -> cap.Alert:
    """The message as emitted, read back from its XML (not the model handed to the writer)."""
    return cap.parse(cap_xml_for(record, warning, country=country)).alert


def strictly_valid(xml: bytes) -> cap_validation.Report:
    report = cap_validation.validate(xml)
    assert report.schema_errors == ()
    assert report.violations == ()
    assert report.is_valid(strict=True)
    return report


# --- the Alert ------------------------------------------------------------------------------------------


def test_the_alert_is_strictly_valid_cap_with_the_records_identity_and_status(w: World) -> None:
    warning = w.warning(issued(w))
    (record,) = warning.messages
    xml = cap_xml_for(record, warning)

    assert strictly_valid(xml).version == "1.2"
    alert = cap.parse(xml).alert
    assert (alert.identifier, alert.sender, alert.sent) == ("CL-000001", SENDER, NOW)
    assert (alert.status, alert.msg_type, alert.scope) == ("Actual", "Alert", "Public")
    assert (alert.references, alert.note) == ((), None)
    assert b"<sent>2021-07-14T13:00:00+00:00</sent>" in xml


def test_one_info_per_language_says_what_each_text_says(w: World) -> None:
    warning = w.warning(issued(w))
    alert = emitted(warning.messages[0], warning)

    assert [info.language for info in alert.infos] == ["en", "nl", "fr", "de"]
    by_language = {info.language: info for info in alert.infos}
    for code, text in TEXTS:
        info = by_language[code]
        assert (info.headline, info.description, info.instruction, info.web, info.contact) == (
            text.headline, text.description, text.instruction, text.web, text.contact
        )  # fmt: skip
    for info in alert.infos:
        assert info.categories == ("Met",)
        assert info.event == "River flood"
        assert info.response_types == ("Prepare", "Avoid")
        assert (info.urgency, info.severity, info.certainty) == ("Immediate", "Severe", "Likely")
        assert (info.onset, info.expires) == (ONSET, EXPIRES)
        assert info.areas[0].area_desc == "Valkenburg aan de Geul, Visé, Plombières, Kelmis"
        assert [f"{g.value_name}:{g.value}" for g in info.areas[0].geocodes] == list(GEOCODES)
        # The EU parameters: the level is the severity's colour (orange: Severe), the type the hazard's.
        assert info.parameter_values("awareness_level") == ("3; orange; Severe",)
        assert info.parameter_values("awareness_type") == ("12; flooding",)


def test_the_polygon_is_written_lat_lon_while_the_area_is_geojson_lon_lat(w: World) -> None:
    warning = w.warning(issued(w))
    xml = cap_xml_for(warning.messages[0], warning)
    (polygon,) = cap.parse(xml).alert.infos[0].areas[0].polygons

    assert polygon[0] == (50.70, 5.68)  # GeoJSON's first vertex is [5.68, 50.70]
    assert polygon[0] != (5.68, 50.70)
    assert polygon == tuple((lat, lon) for lon, lat in GEUL_MEUSE.geometry["coordinates"][0])  # closed
    assert b"<polygon>50.7,5.68 50.68,6.05 " in xml
    assert b"5.68,50.7" not in xml


def test_a_given_area_description_replaces_the_drafted_one(w: World) -> None:
    warning = w.warning(issued(w))
    alert = alert_for(warning.messages[0], warning, country="BE", area_description="Visé, Plombières, Kelmis")
    assert {info.areas[0].area_desc for info in alert.infos} == {"Visé, Plombières, Kelmis"}
    with pytest.raises(InvalidInput, match="name the area in words"):
        alert_for(warning.messages[0], warning, area_description="  ")


# --- the chain: Update and Cancel -----------------------------------------------------------------------


def test_the_update_and_the_cancel_are_new_messages_referencing_the_earlier_ones(w: World) -> None:
    warning = w.warning(updated_and_cancelled(w))
    xmls = [cap_xml_for(record, warning) for record in warning.messages]
    assert all(strictly_valid(xml) for xml in xmls)
    alert, update, cancel = (cap.parse(xml).alert for xml in xmls)

    assert [m.msg_type for m in (alert, update, cancel)] == ["Alert", "Update", "Cancel"]
    assert [m.identifier for m in (alert, update, cancel)] == ["CL-000001", "CL-000002", "CL-000003"]
    assert [m.sent for m in (alert, update, cancel)] == [NOW, UPDATED, UPDATED + timedelta(hours=2)]
    # The Update names the Alert with its ORIGINAL sent; the Cancel names both.
    assert update.references == (cap.Reference(SENDER, "CL-000001", NOW),)
    assert b"<references>crisislink@vrzl.example.nl,CL-000001,2021-07-14T13:00:00+00:00<" in xmls[1]
    assert cancel.references == (*update.references, cap.Reference(SENDER, "CL-000002", UPDATED))
    assert (update.note, cancel.note) == ("Longer: the Meuse peaks tonight.", "The water is falling.")
    for info in (*update.infos, *cancel.infos):  # the revision: Extreme, so red, and the later expiry
        assert info.severity == "Extreme"
        assert info.parameter_values("awareness_level") == ("4; red; Extreme",)
        assert info.expires == EXPIRES + timedelta(hours=12)


def test_an_old_message_is_emitted_again_byte_for_byte_after_the_warning_moved_on(w: World) -> None:
    warning_id = issued(w)
    warning = w.warning(warning_id)
    first = cap_xml_for(warning.messages[0], warning)

    update(w, warning_id)
    cancel(w, warning_id)

    assert warning.severity is Severity.EXTREME  # the warning moved on...
    assert cap_xml_for(warning.messages[0], warning) == first  # ...the message it sent did not
    assert cap_xml_for(warning.messages[0], warning, country="BE") != first  # a part is tagged for BE


# --- per-country parts ----------------------------------------------------------------------------------


def test_the_belgian_part_is_in_belgian_languages_with_belgian_geocodes_only(w: World) -> None:
    warning = w.warning(updated_and_cancelled(w))
    for record in warning.messages:
        xml = cap_xml_for(record, warning, country="BE")
        strictly_valid(xml)
        alert = cap.parse(xml).alert

        assert alert.identifier == record.identifier  # a part is the message, not a message of its own
        assert [info.language for info in alert.infos] == ["en", "nl-BE", "fr-BE", "de-BE"]
        for info in alert.infos:
            (area,) = info.areas
            assert [g.value for g in area.geocodes] == ["BE008", "BE332", "BE335", "BE336"]


def test_the_dutch_part_tags_only_dutch_as_nl_nl(w: World) -> None:
    warning = w.warning(issued(w))
    alert = emitted(warning.messages[0], warning, country="nl")

    assert [info.language for info in alert.infos] == ["en", "nl-NL", "fr", "de"]
    assert [g.value for g in alert.infos[0].areas[0].geocodes] == ["NL012", "NL423"]


def test_a_country_the_message_does_not_cover_or_a_message_of_another_warning_is_refused(w: World) -> None:
    warning = w.warning(issued(w))
    other = w.warning(issued(w))
    with pytest.raises(InvalidInput, match="does not cover LU; it covers NL, BE"):
        alert_for(warning.messages[0], warning, country="LU")
    with pytest.raises(InvalidInput, match="CL-000002 is not one of this warning's messages"):
        alert_for(other.messages[0], warning)


# --- signing, status ------------------------------------------------------------------------------------


def test_the_emitted_message_can_be_signed_and_verifies(w: World) -> None:
    warning = w.warning(updated_and_cancelled(w))
    identity = make_node_identity("crisislink.vrzl.example.nl")

    for record in warning.messages:
        signed = sign(cap_xml_for(record, warning, country="BE"), identity.key_pem, identity.cert_pem)

        assert verify(signed).state is SignatureState.VALID
        assert cap_validation.validate(signed).is_valid(strict=True, require_signature=True)


def test_an_exercise_warning_is_emitted_with_status_exercise(w: World) -> None:
    warning = w.warning(issued(w, status=Status.EXERCISE))
    xml = cap_xml_for(warning.messages[0], warning)

    strictly_valid(xml)
    assert cap.parse(xml).alert.status == "Exercise"


# --- geometry and the guard -----------------------------------------------------------------------------


def test_a_multipolygon_becomes_several_closed_polygons_and_holes_are_dropped() -> None:
    ring = [[5.7, 50.8], [5.9, 50.8], [5.9, 50.9], [5.7, 50.9]]  # not closed: closed on the way out
    hole = [[5.75, 50.82], [5.8, 50.82], [5.8, 50.85], [5.75, 50.82]]
    other = [[6.0, 50.6], [6.1, 50.6], [6.1, 50.7], [6.0, 50.6]]
    area = Area({"type": "MultiPolygon", "coordinates": [[ring, hole], [other]]})

    first, second = polygons_of(area)

    assert first == ((50.8, 5.7), (50.8, 5.9), (50.9, 5.9), (50.9, 5.7), (50.8, 5.7))
    assert second == ((50.6, 6.0), (50.6, 6.1), (50.7, 6.1), (50.6, 6.0))


def test_the_platform_refuses_to_emit_a_message_that_breaks_the_rules(w: World) -> None:
    # A bow tie: the domain keeps geometry as given (topology is the geo adapter's check), CAP forbids it.
    bow_tie = Area(
        {
            "type": "Polygon",
            "coordinates": [[[5.7, 50.7], [6.0, 50.9], [6.0, 50.7], [5.7, 50.9], [5.7, 50.7]]],
        }
    )
    warning = w.warning(issued(w, area=bow_tie))

    with pytest.raises(InvalidInput, match="CAP-POLYGON-SELF-INTERSECTION at alert/info\\[1\\]/area\\[1\\]"):
        cap_xml_for(warning.messages[0], warning)


def test_a_cancel_sent_after_the_expiry_is_refused_as_expired_before_sent(w: World) -> None:
    # The domain lets a warning be cancelled until the schedule has marked it expired; its Cancel then
    # carries the snapshot's expiry, before its own sent, which the strict rules flag (see the report).
    warning_id = issued(w)
    cancel(w, warning_id, after=timedelta(hours=25))
    warning = w.warning(warning_id)
    assert warning.messages[-1].msg_type is MsgType.CANCEL

    with pytest.raises(InvalidInput, match="CAP-EXPIRES-BEFORE-SENT"):
        cap_xml_for(warning.messages[-1], warning)
