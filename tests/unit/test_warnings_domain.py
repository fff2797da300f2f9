"""Public warnings against in-memory fakes: drafting, the approval round, issuing per country, the CAP chain.

The running case is a flood warning for the Geul and the Meuse (July 2021) drafted by the Dutch safety
region of Zuid-Limburg: it touches NL and BE, so both countries' information officers approve it, and it
must carry Dutch, French and German (the Geul rises in the German-speaking Community, at Kelmis).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from crisislink.adapters.db.codec import decode_event, event_payload
from crisislink.domains.warnings import approval_handlers as ah
from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings import events as e
from crisislink.domains.warnings import handlers as h
from crisislink.domains.warnings import issue_handlers as ih
from crisislink.domains.warnings.approvals import ApprovalStatus, CommentKind
from crisislink.domains.warnings.awareness import AwarenessType, awareness_level, level_for
from crisislink.domains.warnings.chain import CapReference
from crisislink.domains.warnings.codes import (
    Category,
    Certainty,
    MsgType,
    ResponseType,
    Severity,
    Status,
    Urgency,
    code,
)
from crisislink.domains.warnings.model import PublicWarning, Routing, WarningState
from crisislink.domains.warnings.parts import PartStatus
from crisislink.domains.warnings.ports import WarningPartner
from crisislink.domains.warnings.templates import TEMPLATES, Template, local_time, render, template_for
from crisislink.domains.warnings.values import Geocode, LanguageRule, Targeting, WarningText
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict, CrisislinkError, InvalidInput, PermissionDenied
from crisislink.kernel.geo import Area
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM, Actor, Event
from tests.unit.warning_fakes import FakeWarningDirectory, FakeWarningsUnitOfWork, SequentialIdentifiers

NOW = datetime(2021, 7, 14, 13, 0, tzinfo=UTC)  # 15:00 in Valkenburg and Visé
ONSET = NOW + timedelta(hours=1)
EXPIRES = NOW + timedelta(hours=24)
GEUL_MEUSE = Area(
    {
        "type": "Polygon",
        "coordinates": [[[5.68, 50.70], [6.05, 50.70], [6.05, 50.92], [5.68, 50.92], [5.68, 50.70]]],
    }
)
KELMIS = "the German-speaking Community (Kelmis)"
TARGETING = Targeting(
    countries=("NL", "BE"),
    required_languages=(
        LanguageRule("nl", "NL", "Zuid-Limburg (Valkenburg aan de Geul, Meerssen)"),
        LanguageRule("fr", "BE", "the French-language area of Wallonia (Visé, Plombières)"),
        LanguageRule("de", "BE", KELMIS),
        LanguageRule("nl", "BE", "the Flemish Region (Voeren)"),
    ),
    optional_languages=("en",),
    population=185_000,
    geocodes=(Geocode("NUTS3", "NL423"), Geocode("NUTS3", "BE332"), Geocode("NUTS3", "BE336")),
)
NL_TEXT = WarningText(
    headline="Hoog water in Valkenburg aan de Geul",
    description="De Geul treedt buiten haar oevers.",
    instruction="Blijf uit de buurt van de rivier. Ga naar een hogere verdieping.",
)
FR_TEXT = WarningText(
    headline="Inondation à Plombières et Visé",
    description="La Gueule déborde.",
    instruction="Éloignez-vous de la rivière. Montez à l'étage.",
)
DE_TEXT = WarningText(
    headline="Hochwasser in Kelmis",
    description="Die Göhl tritt über die Ufer.",
    instruction="Halten Sie sich vom Fluss fern. Gehen Sie in ein höheres Stockwerk.",
)

E = TypeVar("E", bound=Event)
X = TypeVar("X", bound=CrisislinkError)


@dataclass
class World:
    uow: FakeWarningsUnitOfWork
    directory: FakeWarningDirectory
    identifiers: SequentialIdentifiers
    clock: FixedClock
    nl: WarningPartner  # Veiligheidsregio Zuid-Limburg, which drafts
    be: WarningPartner  # NCCN
    be_province: WarningPartner  # the province of Liège: sees the warning, NCCN approves for BE
    lu: WarningPartner

    def officer(self, partner: WarningPartner, *roles: str) -> Actor:
        return Actor(
            user_id=self.directory.add_user(partner.id),
            partner_id=partner.id,
            roles=frozenset(roles or ("information_officer",)),
        )

    def later(self, **delta: float) -> datetime:
        self.clock.advance(timedelta(**delta))
        return self.clock.now()

    def warning(self, warning_id: uuid.UUID) -> PublicWarning:
        return self.uow.warnings.get(warning_id)

    def events(self, kind: type[E]) -> list[E]:
        return [event for event in self.uow.events if isinstance(event, kind)]


@pytest.fixture
def w() -> World:
    directory = FakeWarningDirectory()
    return World(
        uow=FakeWarningsUnitOfWork(directory),
        directory=directory,
        identifiers=SequentialIdentifiers(),
        clock=FixedClock(NOW),
        nl=directory.add_partner("NL"),
        be=directory.add_partner("BE"),
        be_province=directory.add_partner("BE", approves_warnings=False),
        lu=directory.add_partner("LU"),
    )


@contextmanager
def rejected(uow: FakeWarningsUnitOfWork, error: type[X], match: str) -> Iterator[pytest.ExceptionInfo[X]]:
    """The command fails with `error`, commits nothing, and its half-done changes are rolled back."""
    commits, events = uow.commits, len(uow.events)
    with pytest.raises(error, match=match) as info:
        yield info
    uow.rollback()
    assert (uow.commits, len(uow.events)) == (commits, events)


def draft(w: World, actor: Actor | None = None, **changes: Any) -> uuid.UUID:
    command = c.DraftWarning(
        actor=actor or w.officer(w.nl, "duty_officer"),
        hazard="flood.river",
        category=Category.MET,
        awareness_type=12,
        severity=Severity.SEVERE,
        urgency=Urgency.IMMEDIATE,
        certainty=Certainty.LIKELY,
        onset=ONSET,
        expires=EXPIRES,
        area=GEUL_MEUSE,
        area_description="Valkenburg aan de Geul",
        targeting=TARGETING,
        texts=(("nl", NL_TEXT),),
        response_types=(ResponseType.PREPARE, ResponseType.AVOID),
    )
    return h.draft_warning(replace(command, **changes), w.uow, w.clock.now)


def revise(w: World, warning_id: uuid.UUID, actor: Actor | None = None, **changes: Any) -> tuple[str, ...]:
    command = c.ReviseWarning(
        actor=actor or w.officer(w.nl),
        warning_id=warning_id,
        expected_revision=w.warning(warning_id).revision,
    )
    return h.revise_warning(replace(command, **changes), w.uow)


def submit(w: World, warning_id: uuid.UUID) -> tuple[str, ...]:
    return h.submit_for_approval(c.SubmitForApproval(actor=w.officer(w.nl), warning_id=warning_id), w.uow)


def approve(w: World, warning_id: uuid.UUID, partner: WarningPartner, country: str | None = None) -> bool:
    command = c.ApproveWarning(
        actor=w.officer(partner),
        warning_id=warning_id,
        country=country or partner.country,
        revision=w.warning(warning_id).revision,
    )
    return ah.approve_warning(command, w.uow, w.clock.now)


def issue(w: World, warning_id: uuid.UUID, actor: Actor | None = None, *countries: str) -> tuple[str, ...]:
    command = c.IssueWarning(actor=actor or w.officer(w.nl), warning_id=warning_id, countries=countries)
    return ih.issue_warning(command, w.uow, w.identifiers, w.clock.now)


def complete_texts(w: World, warning_id: uuid.UUID) -> None:
    revise(w, warning_id, texts=(("fr", FR_TEXT), ("de", DE_TEXT)))


def approved(w: World) -> uuid.UUID:
    """The Geul warning in nl, fr and de, approved by NL and BE."""
    warning_id = draft(w)
    complete_texts(w, warning_id)
    submit(w, warning_id)
    approve(w, warning_id, w.nl)
    approve(w, warning_id, w.be)
    return warning_id


def issued(w: World) -> uuid.UUID:
    warning_id = approved(w)
    issue(w, warning_id)
    return warning_id


def cancel(w: World, warning_id: uuid.UUID, reason: str = "The water is falling.") -> str | None:
    command = c.CancelWarning(actor=w.officer(w.nl), warning_id=warning_id, reason=reason)
    return ih.cancel_warning(command, w.uow, w.identifiers, w.clock.now)


def update(w: World, warning_id: uuid.UUID, note: str = "Longer: the Meuse peaks tonight.") -> str:
    command = c.IssueUpdate(actor=w.officer(w.nl), warning_id=warning_id, note=note)
    return ih.issue_update(command, w.uow, w.identifiers, w.clock.now)


def schedule(w: World) -> int:
    return ih.run_warning_schedule(c.RunWarningSchedule(actor=SYSTEM), w.uow, w.identifiers, w.clock.now)


# --- drafting -------------------------------------------------------------------------------------------


def test_drafting_asks_every_touched_country_and_labels_the_warning_for_their_partners(w: World) -> None:
    actor = w.officer(w.nl, "duty_officer")
    incident_id = uuid.uuid4()
    warning_id = draft(w, actor=actor, incident_id=incident_id)

    warning = w.warning(warning_id)
    assert warning.state is WarningState.DRAFT
    assert warning.revision == 1
    assert warning.version == 1
    assert warning.incident_id == incident_id
    assert warning.created_by == actor.user_id
    assert warning.label.owner_partner_id == w.nl.id
    assert warning.label.home_node_id == w.uow.node_id
    assert warning.label.marking is Tlp.AMBER
    # Both Belgian partners see it; only NCCN's country approval is asked (the province does not approve).
    assert warning.label.audience == {Principal.partner(w.be.id), Principal.partner(w.be_province.id)}
    assert list(warning.required_approvers) == ["NL", "BE"]
    assert all(state.status is ApprovalStatus.PENDING for state in warning.required_approvers.values())
    assert list(warning.parts) == ["NL", "BE"]
    assert warning.messages == []
    assert w.uow.commits == 1
    assert w.events(e.WarningDrafted) == [
        e.WarningDrafted(
            label=warning.label,
            warning_id=warning_id,
            incident_id=incident_id,
            hazard="flood.river",
            status="Actual",
            revision=1,
            countries=("NL", "BE"),
            missing_languages=("fr", "de"),
        )
    ]


def test_the_draft_shows_which_required_languages_are_missing_and_why(w: World) -> None:
    warning = w.warning(draft(w))
    assert warning.missing_languages() == ("fr", "de")
    assert warning.targeting.required() == ("nl", "fr", "de")
    assert warning.targeting.why("de") == KELMIS


def test_the_awareness_type_and_level_follow_the_eu_profile(w: World) -> None:
    warning = w.warning(draft(w))
    assert warning.hazard.awareness_type == AwarenessType(12, "flooding")
    assert warning.hazard.awareness_type.parameter() == "12; flooding"
    level = warning.awareness_level
    assert level is not None
    assert (level.number, level.colour, level.parameter()) == (3, "orange", "3; orange; Severe")
    assert level_for(Severity.UNKNOWN) is None
    assert awareness_level(2).severity is Severity.MODERATE


def test_a_warning_without_a_weather_hazard_has_no_awareness_type(w: World) -> None:
    warning = w.warning(draft(w, hazard="chemical.fire", category=Category.FIRE, awareness_type=None))
    assert warning.hazard.awareness_type is None
    assert warning.hazard.family == "chemical"


def test_a_country_without_a_partner_gets_no_part_and_is_not_asked(w: World) -> None:
    with_germany = replace(TARGETING, countries=("NL", "BE", "DE"))
    warning = w.warning(draft(w, targeting=with_germany))
    assert list(warning.required_approvers) == ["NL", "BE"]
    assert list(warning.parts) == ["NL", "BE"]


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"onset": ONSET.replace(tzinfo=None)}, InvalidInput, "the onset needs a time zone"),
        ({"expires": EXPIRES.replace(tzinfo=None)}, InvalidInput, "the expiry needs a time zone"),
        ({"expires": ONSET - timedelta(minutes=1)}, InvalidInput, "before it starts"),
        (
            {"onset": NOW - timedelta(days=2), "expires": NOW - timedelta(days=1)},
            InvalidInput,
            "expired already",
        ),
        ({"texts": (("xx", NL_TEXT),)}, InvalidInput, "unsupported language 'xx'"),
        ({"texts": (("nl", NL_TEXT), (" NL", NL_TEXT))}, InvalidInput, "two texts"),
        ({"awareness_type": 11}, InvalidInput, "11 is not an EU awareness type; use one of: 1 Wind"),
        ({"hazard": "Flood River"}, InvalidInput, "not a hazard code"),
        ({"area_description": "  "}, InvalidInput, "name the area in words"),
        ({"response_types": (ResponseType.AVOID, ResponseType.AVOID)}, InvalidInput, "listed twice"),
        ({"marking": Tlp.RED}, InvalidInput, "mark it AMBER"),
        ({"audience": frozenset({Principal.partner(uuid.uuid4())})}, InvalidInput, "unknown partner"),
    ],
)
def test_bad_drafts_are_refused_with_what_to_do(
    w: World, changes: dict[str, Any], error: type[CrisislinkError], match: str
) -> None:
    with rejected(w.uow, error, match):
        draft(w, **changes)
    assert w.uow.warnings.all() == []


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: WarningText("", "d", "i"), "the headline must not be empty"),
        (lambda: WarningText("two\nlines", "d", "i"), "the headline is one line"),
        (lambda: WarningText("h" * 161, "d", "i"), "longer than 160"),
        (lambda: WarningText("h", "d", " "), "the instruction"),
        (lambda: WarningText("h", "d", "i", web="www.crisis.nl"), "https://"),
        (lambda: LanguageRule("xx", "BE", "why"), "unsupported language"),
        (lambda: LanguageRule("de", "Belgium", "why"), "not a country code"),
        (lambda: Targeting(countries=(), required_languages=()), "no country"),
        (lambda: Targeting(("NL",), (LanguageRule("fr", "BE", "Visé"),)), "not one of the countries"),
        (lambda: Targeting(("NL",), (), optional_languages=("tlh",)), "unsupported language"),
        (lambda: Targeting(("NL",), (), population=-1), "cannot be negative"),
    ],
)
def test_bad_values_are_refused(build: Any, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        build()


def test_targeting_and_language_codes_are_normalised() -> None:
    targeting = Targeting(countries=("nl", " be"), required_languages=(LanguageRule(" DE", "be", KELMIS),))
    assert targeting.countries == ("NL", "BE")
    assert targeting.required_languages[0] == LanguageRule("de", "BE", KELMIS)


@pytest.mark.parametrize(
    ("roles", "status", "allowed"),
    [
        (("duty_officer",), Status.ACTUAL, True),
        (("information_officer",), Status.ACTUAL, True),
        (("exercise_controller",), Status.ACTUAL, False),
        (("exercise_controller",), Status.EXERCISE, True),
        (("partner_admin",), Status.ACTUAL, False),
        ((), Status.TEST, False),
    ],
)
def test_drafting_needs_a_duty_or_information_officer(
    w: World, roles: tuple[str, ...], status: Status, allowed: bool
) -> None:
    actor = Actor(user_id=w.directory.add_user(w.nl.id), partner_id=w.nl.id, roles=frozenset(roles))
    if allowed:
        draft(w, actor=actor, status=status)
        return
    with rejected(w.uow, PermissionDenied, "information officer or duty officer"):
        draft(w, actor=actor, status=status)


def test_the_platform_itself_does_not_draft_warnings(w: World) -> None:
    with rejected(w.uow, PermissionDenied, "drafted by a person"):
        draft(w, actor=SYSTEM)


def test_cap_codes_are_read_in_any_capitalisation() -> None:
    assert code(Severity, " severe ", "severity") is Severity.SEVERE
    assert code(ResponseType, "allclear", "response type") is ResponseType.ALL_CLEAR
    with pytest.raises(InvalidInput, match="'Draft' is not a CAP status; use one of: Actual, Exercise, Test"):
        code(Status, "Draft", "status")


# --- revising and templates -----------------------------------------------------------------------------


def test_revising_the_texts_makes_a_new_revision_with_one_event(w: World) -> None:
    warning_id = draft(w)
    changed = revise(w, warning_id, texts=(("fr", FR_TEXT),))

    warning = w.warning(warning_id)
    assert changed == ("texts",)
    assert warning.revision == 2
    assert list(warning.texts) == ["nl", "fr"]
    assert warning.missing_languages() == ("de",)
    assert w.events(e.WarningRevised) == [
        e.WarningRevised(
            label=warning.label,
            warning_id=warning_id,
            revision=2,
            changed=("texts",),
            approvals_reset=(),
            missing_languages=("de",),
        )
    ]


def test_a_revision_that_changes_nothing_is_no_revision(w: World) -> None:
    warning_id = draft(w)
    commits = w.uow.commits
    assert revise(w, warning_id, texts=(("nl", NL_TEXT),)) == ()
    assert w.warning(warning_id).revision == 1
    assert w.uow.commits == commits


def test_a_language_can_be_removed_but_not_one_that_is_not_there(w: World) -> None:
    warning_id = draft(w, texts=(("nl", NL_TEXT), ("fr", FR_TEXT)))
    revise(w, warning_id, remove_languages=("FR",))
    assert list(w.warning(warning_id).texts) == ["nl"]
    with rejected(w.uow, InvalidInput, "no 'de' text to remove"):
        revise(w, warning_id, remove_languages=("de",))


def test_a_new_area_brings_its_targeting_and_asks_the_new_country(w: World) -> None:
    warning_id = draft(w)
    old_label = w.warning(warning_id).label
    with rejected(w.uow, InvalidInput, "a new area needs its targeting"):
        revise(w, warning_id, area=GEUL_MEUSE)
    wider = replace(
        TARGETING,
        countries=("NL", "BE", "LU"),
        required_languages=(*TARGETING.required_languages, LanguageRule("lb", "LU", "Luxembourg (Clervaux)")),
    )
    changed = revise(
        w, warning_id, area=GEUL_MEUSE, targeting=wider, area_description="Geul, Meuse and Clerve"
    )

    warning = w.warning(warning_id)
    assert set(changed) == {"targeting", "area_description"}
    assert list(warning.required_approvers) == ["NL", "BE", "LU"]
    assert list(warning.parts) == ["NL", "BE", "LU"]
    assert Principal.partner(w.lu.id) in warning.label.audience
    assert warning.missing_languages() == ("fr", "de", "lb")
    assert w.events(e.WarningRelabelled) == [e.WarningRelabelled(label=old_label, warning_id=warning_id)]


def test_revising_needs_the_revision_read_and_the_drafting_partner(w: World) -> None:
    warning_id = draft(w)
    stale = c.ReviseWarning(
        actor=w.officer(w.nl), warning_id=warning_id, expected_revision=0, severity=Severity.EXTREME
    )
    with rejected(w.uow, Conflict, "you had revision 0, it is now 1"):
        h.revise_warning(stale, w.uow)
    with rejected(w.uow, PermissionDenied, "comment on it or request changes instead"):
        revise(w, warning_id, actor=w.officer(w.be), severity=Severity.EXTREME)


def test_the_hazard_is_revised_as_a_whole(w: World) -> None:
    warning_id = draft(w)
    with rejected(w.uow, InvalidInput, "give the hazard code together"):
        revise(w, warning_id, awareness_type=13)
    revise(w, warning_id, hazard="flood.flash", awareness_type=13)
    hazard = w.warning(warning_id).hazard
    assert (hazard.code, hazard.category, hazard.awareness_type) == (
        "flood.flash",
        Category.MET,
        AwarenessType(13, "rain-flood"),
    )


def test_applying_the_flood_template_fills_every_language_the_area_needs(w: World) -> None:
    warning_id = draft(w, texts=(("nl", replace(NL_TEXT, web="https://www.vrzl.nl")),))
    command = c.ApplyTemplate(actor=w.officer(w.nl), warning_id=warning_id, expected_revision=1)
    languages = h.apply_template(command, w.uow)

    warning = w.warning(warning_id)
    assert languages == ("nl", "fr", "de", "en")
    assert warning.missing_languages() == ()
    assert warning.texts["nl"].headline == "Hoog water in Valkenburg aan de Geul"
    assert warning.texts["nl"].instruction.startswith("Blijf uit de buurt van de rivier")
    assert warning.texts["nl"].web == "https://www.vrzl.nl"  # kept from the text it replaced
    assert "14-07-2021 16:00" in warning.texts["nl"].description  # 14:00 UTC is 16:00 in Zuid-Limburg
    assert "14.07.2021 16:00" in warning.texts["de"].description
    assert [event.template for event in w.events(e.WarningRevised)] == ["flood"]


def test_a_template_value_overrides_the_default_and_an_unknown_one_is_refused(w: World) -> None:
    warning_id = draft(w)
    command = c.ApplyTemplate(
        actor=w.officer(w.nl),
        warning_id=warning_id,
        expected_revision=1,
        values=(("area", "Meerssen"),),
        languages=("nl",),
    )
    h.apply_template(command, w.uow)
    assert w.warning(warning_id).texts["nl"].headline == "Hoog water in Meerssen"
    with rejected(w.uow, InvalidInput, r"no placeholder \{river\}; it has \{area\}, \{onset\}"):
        h.apply_template(replace(command, expected_revision=2, values=(("river", "Geul"),)), w.uow)


def test_a_template_refuses_a_language_it_does_not_have(w: World) -> None:
    warning_id = draft(w, hazard="storm.wind", awareness_type=1)
    command = c.ApplyTemplate(
        actor=w.officer(w.nl), warning_id=warning_id, expected_revision=1, languages=("lb",)
    )
    with rejected(w.uow, InvalidInput, r"the storm template has no Luxembourgish \(lb\) text; write that"):
        h.apply_template(command, w.uow)


def test_a_hazard_without_a_template_says_so(w: World) -> None:
    warning_id = draft(w, hazard="cyber.attack", category=Category.SECURITY, awareness_type=None)
    command = c.ApplyTemplate(actor=w.officer(w.nl), warning_id=warning_id, expected_revision=1)
    with rejected(w.uow, InvalidInput, "no template for 'cyber.attack'"):
        h.apply_template(command, w.uow)


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=list(TEMPLATES))
def test_every_template_speaks_nl_fr_de_en_with_the_same_placeholders(template: Template) -> None:
    assert {"nl", "fr", "de", "en"} <= set(template.languages())
    for language in template.languages():
        assert template.text(language).placeholders() == template.placeholders(), language
    values = dict.fromkeys(template.placeholders(), "X")
    for language in template.languages():
        rendered = template.render(language, values)
        assert "{" not in rendered.headline + rendered.description + rendered.instruction
        assert len(rendered.headline) <= 160


def test_the_templates_cover_the_common_hazards() -> None:
    assert template_for("flood.flash").key == "flood"
    assert "lb" in template_for("flood.river").languages()
    assert template_for("storm.winter").key == "storm"
    assert template_for("chemical.release").key == "chemical"
    assert template_for("chemical.fire").key == "smoke"  # the exact code wins over its family
    assert template_for("weather.heat").key == "heat"
    assert template_for("infrastructure.power").key == "power"
    smoke = template_for("fire.industrial").render("nl", {"site": "Chemelot", "area": "Geleen en Stein"})
    assert smoke.headline == "Grote brand met veel rook bij Chemelot"
    assert "Sluit ramen en deuren. Zet ventilatie uit." in smoke.instruction


def test_rendering_refuses_unknown_and_missing_placeholders_and_never_expands_twice() -> None:
    with pytest.raises(InvalidInput, match=r"unknown placeholder \{victims\}"):
        render("{victims} in {area}", {"area": "Visé"})
    with pytest.raises(InvalidInput, match=r"fill in \{area\}"):
        render("Hoog water in {area}", {"area": " "})
    assert render("Hoog water in {area}", {"area": "{onset}"}) == "Hoog water in {onset}"


def test_local_times_are_written_as_each_language_writes_them() -> None:
    winter = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert local_time(winter, "nl") == "06-01-2026 00:30"
    assert local_time(winter, "fr") == "06/01/2026 00:30"
    assert local_time(winter, "de") == "06.01.2026 00:30"


# --- the approval round ---------------------------------------------------------------------------------


def test_submitting_asks_each_affected_country_with_one_event(w: World) -> None:
    warning_id = draft(w)
    assert submit(w, warning_id) == ("NL", "BE")

    warning = w.warning(warning_id)
    assert warning.state is WarningState.AWAITING_APPROVAL
    assert w.events(e.WarningSubmitted) == [
        e.WarningSubmitted(
            label=warning.label,
            warning_id=warning_id,
            revision=1,
            approvers=("NL", "BE"),
            missing_languages=("fr", "de"),
        )
    ]


def test_a_warning_nobody_must_approve_is_approved_when_submitted(w: World) -> None:
    only_lu = Targeting(("LU",), (LanguageRule("lb", "LU", "Luxembourg"),))
    w.directory.partners[w.lu.id] = replace(w.lu, approves_warnings=False)
    warning_id = draft(w, targeting=only_lu)
    assert submit(w, warning_id) == ()
    assert w.warning(warning_id).state is WarningState.APPROVED


def test_approvals_come_from_each_country_and_the_last_one_approves_the_warning(w: World) -> None:
    warning_id = draft(w)
    complete_texts(w, warning_id)
    submit(w, warning_id)
    nl_officer = w.officer(w.nl)
    first = ah.approve_warning(
        c.ApproveWarning(
            actor=nl_officer, warning_id=warning_id, country="nl", revision=2, comment="Akkoord."
        ),
        w.uow,
        w.clock.now,
    )
    assert first is False
    assert w.warning(warning_id).state is WarningState.AWAITING_APPROVAL
    assert w.warning(warning_id).pending_approvals() == ("BE",)
    assert approve(w, warning_id, w.be) is True

    warning = w.warning(warning_id)
    assert warning.state is WarningState.APPROVED
    nl = warning.required_approvers["NL"]
    assert nl.status is ApprovalStatus.APPROVED
    assert nl.decision is not None
    assert (nl.decision.revision, nl.decision.by_user_id, nl.decision.at) == (2, nl_officer.user_id, NOW)
    assert [(comment.kind, comment.text, comment.country) for comment in warning.comments] == [
        (CommentKind.APPROVAL, "Akkoord.", "NL")
    ]
    assert [(a.country, a.all_approved) for a in w.events(e.WarningApproved)] == [("NL", False), ("BE", True)]


def test_a_belgian_information_officer_cannot_approve_the_dutch_part(w: World) -> None:
    warning_id = draft(w)
    submit(w, warning_id)
    with rejected(
        w.uow, PermissionDenied, "only an information officer of a partner in NL can approve for NL"
    ):
        approve(w, warning_id, w.be, country="NL")
    assert w.warning(warning_id).required_approvers["NL"].status is ApprovalStatus.PENDING


def test_a_duty_officer_drafts_but_does_not_approve(w: World) -> None:
    warning_id = draft(w)
    submit(w, warning_id)
    command = c.ApproveWarning(
        actor=w.officer(w.nl, "duty_officer"), warning_id=warning_id, country="NL", revision=1
    )
    with rejected(w.uow, PermissionDenied, "you need the information officer role to approve"):
        ah.approve_warning(command, w.uow, w.clock.now)


def test_a_country_the_warning_does_not_touch_is_not_asked(w: World) -> None:
    warning_id = draft(w)
    submit(w, warning_id)
    with rejected(w.uow, InvalidInput, "LU's approval is not asked for this warning.*asked of NL, BE"):
        approve(w, warning_id, w.lu)


def test_editing_the_text_after_nl_approved_resets_nls_approval(w: World) -> None:
    warning_id = draft(w)
    complete_texts(w, warning_id)
    submit(w, warning_id)
    approve(w, warning_id, w.nl)
    approve(w, warning_id, w.be)
    assert w.warning(warning_id).state is WarningState.APPROVED

    revise(w, warning_id, texts=(("nl", replace(NL_TEXT, headline="Hoog water in Meerssen")),))

    warning = w.warning(warning_id)
    assert warning.revision == 3
    assert warning.state is WarningState.AWAITING_APPROVAL
    assert warning.pending_approvals() == ("NL", "BE")
    assert all(state.status is ApprovalStatus.PENDING for state in warning.required_approvers.values())
    assert w.events(e.WarningRevised)[-1].approvals_reset == ("NL", "BE")


def test_an_approval_is_for_the_revision_the_approver_read(w: World) -> None:
    warning_id = draft(w)
    submit(w, warning_id)
    read = w.warning(warning_id).revision
    revise(w, warning_id, texts=(("fr", FR_TEXT),))
    command = c.ApproveWarning(actor=w.officer(w.be), warning_id=warning_id, country="BE", revision=read)
    with rejected(w.uow, Conflict, "revision 2 is current, you saw revision 1; read it again"):
        ah.approve_warning(command, w.uow, w.clock.now)


def test_approving_twice_is_a_conflict(w: World) -> None:
    warning_id = draft(w)
    submit(w, warning_id)
    approve(w, warning_id, w.nl)
    with rejected(w.uow, Conflict, "NL has approved revision 1 already"):
        approve(w, warning_id, w.nl)


def test_requesting_changes_needs_a_comment_and_unapproves_the_draft(w: World) -> None:
    warning_id = approved(w)
    command = c.RequestChanges(
        actor=w.officer(w.be), warning_id=warning_id, country="BE", revision=2, comment=" "
    )
    with rejected(w.uow, InvalidInput, "what must change must not be empty"):
        ah.request_changes(command, w.uow, w.clock.now)
    comment_id = ah.request_changes(
        replace(command, comment="Noem Plombières in de Franse tekst."), w.uow, w.clock.now
    )

    warning = w.warning(warning_id)
    assert warning.state is WarningState.AWAITING_APPROVAL
    assert warning.required_approvers["BE"].status is ApprovalStatus.CHANGES_REQUESTED
    assert warning.comments[-1].id == comment_id
    assert warning.comments[-1].kind is CommentKind.CHANGES_REQUESTED
    assert w.events(e.WarningChangesRequested) == [
        e.WarningChangesRequested(
            label=warning.label,
            warning_id=warning_id,
            country="BE",
            revision=2,
            comment_id=comment_id,
            by_partner_id=w.be.id,
        )
    ]


def test_partners_of_the_covered_countries_comment_and_others_do_not(w: World) -> None:
    warning_id = draft(w)
    command = c.CommentOnWarning(
        actor=w.officer(w.be_province, "duty_officer"), warning_id=warning_id, text="Ok"
    )
    comment_id = ah.comment_on_warning(command, w.uow, w.clock.now)
    comment = w.warning(warning_id).comments[0]
    assert (comment.id, comment.kind, comment.country, comment.revision) == (
        comment_id,
        CommentKind.COMMENT,
        "BE",
        1,
    )
    assert [event.comment_id for event in w.events(e.WarningCommented)] == [comment_id]
    with rejected(w.uow, PermissionDenied, "only the partners of the countries this warning covers"):
        ah.comment_on_warning(replace(command, actor=w.officer(w.lu)), w.uow, w.clock.now)


def test_each_draft_and_approval_step_emits_exactly_one_event_with_the_warnings_label(w: World) -> None:
    def emitted(step: Any) -> list[Event]:
        before = len(w.uow.events)
        step()
        return w.uow.events[before:]

    warning_id = draft(w)
    steps = [
        lambda: revise(w, warning_id, texts=(("fr", FR_TEXT), ("de", DE_TEXT))),
        lambda: submit(w, warning_id),
        lambda: ah.comment_on_warning(
            c.CommentOnWarning(actor=w.officer(w.be), warning_id=warning_id, text="Goed."), w.uow, w.clock.now
        ),
        lambda: ah.request_changes(
            c.RequestChanges(
                actor=w.officer(w.be), warning_id=warning_id, country="BE", revision=2, comment="EN?"
            ),
            w.uow,
            w.clock.now,
        ),
        lambda: approve(w, warning_id, w.nl),
        lambda: approve(w, warning_id, w.be),
    ]
    kinds = []
    for step in steps:
        events = emitted(step)
        assert len(events) == 1, events
        assert events[0].label == w.warning(warning_id).label
        assert isinstance(events[0], e.WarningEvent)
        assert events[0].warning_id == warning_id
        kinds.append(type(events[0]))
    assert kinds == [
        e.WarningRevised,
        e.WarningSubmitted,
        e.WarningCommented,
        e.WarningChangesRequested,
        e.WarningApproved,
        e.WarningApproved,
    ]


# --- issuing --------------------------------------------------------------------------------------------


def test_issue_is_refused_until_every_country_approved_and_every_required_language_is_there(w: World) -> None:
    warning_id = draft(w, texts=(("nl", NL_TEXT), ("fr", FR_TEXT)))
    submit(w, warning_id)
    approve(w, warning_id, w.nl)
    with rejected(
        w.uow,
        Conflict,
        "cannot issue a warning that is awaiting_approval: revision 1 still needs the approval of BE",
    ):
        issue(w, warning_id)
    approve(w, warning_id, w.be)
    with rejected(
        w.uow, InvalidInput, r"must carry German \(de\) for the German-speaking Community \(Kelmis\); add it"
    ):
        issue(w, warning_id)

    revise(w, warning_id, texts=(("de", DE_TEXT),))  # everyone must approve the German text too
    with rejected(w.uow, Conflict, "revision 2 still needs the approval of NL, BE"):
        issue(w, warning_id)
    approve(w, warning_id, w.nl)
    approve(w, warning_id, w.be)
    assert issue(w, warning_id) == ("NL", "BE")
    assert w.identifiers.given == ["CL-000001"]


def test_issuing_together_sends_one_alert_through_every_part(w: World) -> None:
    warning_id = approved(w)
    w.clock.advance(timedelta(microseconds=250_000))  # CAP writes `sent` to the second
    issue(w, warning_id)

    warning = w.warning(warning_id)
    assert warning.state is WarningState.ISSUED
    [alert] = warning.messages
    assert (alert.identifier, alert.sender, alert.msg_type, alert.references) == (
        "CL-000001",
        "crisislink@vrzl.example.nl",
        MsgType.ALERT,
        (),
    )
    assert alert.sent == NOW
    assert alert.revision == 2
    assert alert.content == warning.content()
    assert {code: (part.status, part.message_identifier) for code, part in warning.parts.items()} == {
        "NL": (PartStatus.ISSUED, "CL-000001"),
        "BE": (PartStatus.ISSUED, "CL-000001"),
    }
    assert w.events(e.WarningPartIssued) == [
        e.WarningPartIssued(
            label=warning.label,
            warning_id=warning_id,
            country=country,
            identifier="CL-000001",
            msg_type="Alert",
            sent=NOW,
            status="Actual",
            public=True,
        )
        for country in ("NL", "BE")
    ]


def test_each_part_goes_out_at_its_countrys_chosen_time_with_the_same_message(w: World) -> None:
    warning_id = approved(w)
    at = NOW + timedelta(hours=2)
    command = c.ScheduleParts(actor=w.officer(w.be), warning_id=warning_id, times=(("BE", at),))
    ih.schedule_parts(command, w.uow, w.clock.now)
    assert w.events(e.WarningPartScheduled)[0].at == at

    assert issue(w, warning_id) == ("NL",)  # Belgium chose its own time
    with rejected(w.uow, PermissionDenied, "BE chose to issue its part at .*only BE's information officer"):
        issue(w, warning_id, None, "BE")
    assert schedule(w) == 0

    w.later(hours=2)
    schedule(w)

    warning = w.warning(warning_id)
    [alert] = warning.messages  # no second message, no re-stamped copy
    assert alert.sent == NOW
    assert warning.parts["BE"].status is PartStatus.ISSUED
    assert warning.parts["BE"].issued_at == NOW + timedelta(hours=2)
    assert warning.parts["BE"].message_identifier == alert.identifier
    assert [(event.country, event.identifier, event.sent) for event in w.events(e.WarningPartIssued)] == [
        ("NL", "CL-000001", NOW),
        ("BE", "CL-000001", NOW),
    ]


def test_a_country_issues_its_own_part_earlier_than_it_chose(w: World) -> None:
    warning_id = approved(w)
    ih.schedule_parts(
        c.ScheduleParts(
            actor=w.officer(w.be), warning_id=warning_id, times=(("BE", NOW + timedelta(hours=2)),)
        ),
        w.uow,
        w.clock.now,
    )
    assert issue(w, warning_id, w.officer(w.be), "BE") == ("BE",)
    assert w.warning(warning_id).parts["NL"].status is PartStatus.PENDING


def test_only_a_countrys_own_officer_chooses_its_time_and_only_a_time_to_come(w: World) -> None:
    warning_id = approved(w)
    later = NOW + timedelta(hours=1)
    with rejected(w.uow, PermissionDenied, "only an information officer of a partner in BE can choose"):
        ih.schedule_parts(
            c.ScheduleParts(actor=w.officer(w.nl), warning_id=warning_id, times=(("BE", later),)),
            w.uow,
            w.clock.now,
        )
    own = c.ScheduleParts(actor=w.officer(w.be), warning_id=warning_id, times=(("BE", NOW),))
    with rejected(w.uow, InvalidInput, "choose a time to come"):
        ih.schedule_parts(own, w.uow, w.clock.now)
    with rejected(w.uow, InvalidInput, "expires at .*; choose an earlier time"):
        ih.schedule_parts(replace(own, times=(("BE", EXPIRES),)), w.uow, w.clock.now)
    with rejected(w.uow, InvalidInput, "the BE part needs a time zone"):
        ih.schedule_parts(replace(own, times=(("BE", later.replace(tzinfo=None)),)), w.uow, w.clock.now)


def test_a_part_whose_time_comes_before_the_approvals_is_held_not_sent(w: World) -> None:
    warning_id = draft(w)
    complete_texts(w, warning_id)
    submit(w, warning_id)
    ih.schedule_parts(
        c.ScheduleParts(
            actor=w.officer(w.be), warning_id=warning_id, times=(("BE", NOW + timedelta(minutes=30)),)
        ),
        w.uow,
        w.clock.now,
    )
    w.later(minutes=30)
    schedule(w)

    warning = w.warning(warning_id)
    assert warning.messages == []
    assert warning.parts["BE"].status is PartStatus.HELD
    assert "still needs the approval of NL, BE" in warning.parts["BE"].held_because
    assert [event.country for event in w.events(e.WarningPartHeld)] == ["BE"]
    schedule(w)
    assert len(w.events(e.WarningPartHeld)) == 1  # held once, not again every run


def test_only_an_information_officer_of_the_drafting_partner_or_the_country_issues(w: World) -> None:
    warning_id = approved(w)
    with rejected(w.uow, PermissionDenied, "you need the information officer role to issue the part"):
        issue(w, warning_id, w.officer(w.nl, "duty_officer"))
    with rejected(w.uow, PermissionDenied, "a partner in NL"):
        issue(w, warning_id, w.officer(w.lu))


def test_an_expired_warning_is_not_issued(w: World) -> None:
    warning_id = approved(w)
    w.later(hours=24)
    with rejected(w.uow, InvalidInput, "the warning expired at .*; set a later expiry"):
        issue(w, warning_id)
    assert w.identifiers.given == []


# --- the CAP chain: update, cancel, expire --------------------------------------------------------------


def amend_and_approve(w: World, warning_id: uuid.UUID) -> None:
    revise(w, warning_id, expires=EXPIRES + timedelta(hours=12), severity=Severity.EXTREME)
    approve(w, warning_id, w.nl)
    approve(w, warning_id, w.be)


def test_an_update_is_a_new_message_referencing_the_earlier_one_which_keeps_its_sent(w: World) -> None:
    warning_id = issued(w)
    w.later(minutes=45)
    revise(w, warning_id, expires=EXPIRES + timedelta(hours=12), severity=Severity.EXTREME)
    warning = w.warning(warning_id)
    assert warning.state is WarningState.ISSUED
    assert warning.amendment_pending
    with rejected(w.uow, Conflict, "revision 3 still needs the approval of NL, BE"):
        update(w, warning_id)
    approve(w, warning_id, w.nl)
    approve(w, warning_id, w.be)

    identifier = update(w, warning_id)

    warning = w.warning(warning_id)
    alert, revision = warning.messages
    assert identifier == revision.identifier == "CL-000003"  # CL-000002 went to the failed attempt
    assert alert.sent == NOW  # never re-stamped
    assert revision.msg_type is MsgType.UPDATE
    assert revision.sent == NOW + timedelta(minutes=45)
    assert revision.references == (CapReference("crisislink@vrzl.example.nl", "CL-000001", NOW),)
    assert revision.content.severity is Severity.EXTREME
    assert alert.content.severity is Severity.SEVERE  # what went out first is kept as it was
    assert revision.note == "Longer: the Meuse peaks tonight."
    assert warning.state is WarningState.UPDATED
    assert not warning.amendment_pending
    [updated] = w.events(e.WarningUpdated)
    assert (updated.identifier, updated.references, updated.countries, updated.revision) == (
        "CL-000003",
        ("CL-000001",),
        ("NL", "BE"),
        3,
    )


def test_an_update_needs_a_revision(w: World) -> None:
    warning_id = issued(w)
    with rejected(w.uow, Conflict, "nothing changed since the last message; revise the warning"):
        update(w, warning_id)


def test_cancelling_references_every_earlier_message_and_identifiers_are_never_reused(w: World) -> None:
    warning_id = issued(w)
    w.later(minutes=30)
    amend_and_approve(w, warning_id)
    update(w, warning_id)
    w.later(hours=3)

    identifier = cancel(w, warning_id)

    warning = w.warning(warning_id)
    alert, revision, cancellation = warning.messages
    assert identifier == cancellation.identifier
    assert cancellation.msg_type is MsgType.CANCEL
    assert cancellation.references == (alert.reference(), revision.reference())
    assert [reference.sent for reference in cancellation.references] == [NOW, NOW + timedelta(minutes=30)]
    assert cancellation.content == revision.content
    assert cancellation.note == "The water is falling."
    assert len({message.identifier for message in warning.messages}) == 3
    assert warning.state is WarningState.CANCELLED
    [cancelled] = w.events(e.WarningCancelled)
    assert (cancelled.identifier, cancelled.references, cancelled.countries, cancelled.withdrawn) == (
        identifier,
        (alert.identifier, revision.identifier),
        ("NL", "BE"),
        (),
    )


def test_cancelling_before_anything_went_out_sends_nothing_and_withdraws_the_parts(w: World) -> None:
    warning_id = approved(w)
    assert cancel(w, warning_id, "False report") is None
    warning = w.warning(warning_id)
    assert warning.state is WarningState.CANCELLED
    assert warning.messages == []
    assert {part.status for part in warning.parts.values()} == {PartStatus.WITHDRAWN}
    assert w.identifiers.given == []
    assert w.events(e.WarningCancelled)[0].withdrawn == ("NL", "BE")


def test_a_duty_officer_discards_a_draft_but_does_not_cancel_what_went_out(w: World) -> None:
    duty = w.officer(w.nl, "duty_officer")
    draft_id = draft(w)
    ih.cancel_warning(
        c.CancelWarning(actor=duty, warning_id=draft_id, reason="Duplicate"),
        w.uow,
        w.identifiers,
        w.clock.now,
    )
    assert w.warning(draft_id).state is WarningState.CANCELLED
    warning_id = issued(w)
    command = c.CancelWarning(actor=duty, warning_id=warning_id, reason="Water falling")
    with rejected(w.uow, PermissionDenied, "only an information officer of the partner that drafted"):
        ih.cancel_warning(command, w.uow, w.identifiers, w.clock.now)


def test_cancelling_needs_a_reason_and_the_drafting_partners_officer(w: World) -> None:
    warning_id = issued(w)
    with rejected(w.uow, InvalidInput, "say why the warning is cancelled"):
        cancel(w, warning_id, " ")
    command = c.CancelWarning(actor=w.officer(w.be), warning_id=warning_id, reason="Water falling")
    with rejected(w.uow, PermissionDenied, "only an information officer of the partner that drafted"):
        ih.cancel_warning(command, w.uow, w.identifiers, w.clock.now)


def test_a_repeated_identifier_is_refused_and_nothing_is_sent(w: World) -> None:
    warning_id = issued(w)
    amend_and_approve(w, warning_id)
    w.identifiers.replay = "CL-000001"
    with rejected(w.uow, Conflict, "the CAP identifier 'CL-000001' was used already; nothing was sent"):
        update(w, warning_id)


def test_a_bad_sender_is_refused(w: World) -> None:
    warning_id = approved(w)
    w.identifiers.sender = "crisis link, NL"
    with rejected(w.uow, InvalidInput, "without spaces, commas"):
        issue(w, warning_id)


def test_a_warning_expires_when_its_time_is_up_and_parts_not_out_never_go(w: World) -> None:
    warning_id = approved(w)
    issue(w, warning_id, w.officer(w.nl), "NL")
    expire = c.ExpireWarning(actor=SYSTEM, warning_id=warning_id)
    with rejected(w.uow, Conflict, "the warning runs until .*; cancel it to end it earlier"):
        ih.expire_warning(expire, w.uow, w.clock.now)

    w.later(hours=24)
    assert schedule(w) == 1

    warning = w.warning(warning_id)
    assert warning.state is WarningState.EXPIRED
    assert warning.parts["BE"].status is PartStatus.WITHDRAWN
    assert w.events(e.WarningExpired) == [
        e.WarningExpired(label=warning.label, warning_id=warning_id, withdrawn=("BE",))
    ]
    assert len(warning.messages) == 1  # expiry is in the message; no Cancel is sent


def test_a_part_for_a_country_added_after_issue_waits_for_the_update_that_covers_it(w: World) -> None:
    warning_id = issued(w)
    wider = replace(TARGETING, countries=("NL", "BE", "LU"))
    revise(w, warning_id, area=GEUL_MEUSE, targeting=wider)
    assert w.warning(warning_id).parts["LU"].status is PartStatus.PENDING
    with rejected(w.uow, Conflict, "does not cover LU; issue the update that adds it first"):
        issue(w, warning_id, None, "LU")
    for partner in (w.nl, w.be, w.lu):
        approve(w, warning_id, partner)
    update(w, warning_id)
    assert issue(w, warning_id, None, "LU") == ("LU",)
    assert (
        w.warning(warning_id).parts["LU"].message_identifier == w.warning(warning_id).messages[-1].identifier
    )


# --- never a false alarm --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.EXERCISE, Status.TEST, Status.SYSTEM])
def test_exercise_test_and_system_warnings_carry_their_status_and_are_never_public(
    w: World, status: Status
) -> None:
    warning_id = draft(w, actor=w.officer(w.nl, "exercise_controller"), status=status)
    complete_texts(w, warning_id)
    h.submit_for_approval(
        c.SubmitForApproval(actor=w.officer(w.nl, "exercise_controller"), warning_id=warning_id), w.uow
    )
    approve(w, warning_id, w.nl)
    approve(w, warning_id, w.be)
    issue(w, warning_id)

    warning = w.warning(warning_id)
    assert warning.is_public_alert() is False
    assert warning.messages[0].content.status is status
    assert {(event.status, event.public) for event in w.events(e.WarningPartIssued)} == {
        (status.value, False)
    }
    cancel(w, warning_id)
    assert w.events(e.WarningCancelled)[0].public is False


def test_an_actual_warning_is_a_public_alert(w: World) -> None:
    assert w.warning(draft(w)).is_public_alert() is True


def test_the_status_cannot_change_after_drafting(w: World) -> None:
    warning = w.warning(draft(w))
    exercise = replace(warning.content(), status=Status.EXERCISE)
    with pytest.raises(InvalidInput, match="status \\(Actual\\) is chosen when it is drafted"):
        warning.revise(exercise, Routing(approvers=("NL", "BE"), parts=("NL", "BE")))


# --- illegal moves --------------------------------------------------------------------------------------


def _approve_be(w: World, warning_id: uuid.UUID) -> object:
    return approve(w, warning_id, w.be)


def _expire_now(w: World, warning_id: uuid.UUID) -> None:
    ih.expire_warning(c.ExpireWarning(actor=SYSTEM, warning_id=warning_id), w.uow, w.clock.now)


def _comment(w: World, warning_id: uuid.UUID) -> object:
    command = c.CommentOnWarning(actor=w.officer(w.nl), warning_id=warning_id, text="Too late?")
    return ah.comment_on_warning(command, w.uow, w.clock.now)


@pytest.mark.parametrize(
    ("stage", "step", "match"),
    [
        (
            "draft",
            _approve_be,
            "cannot approve or ask changes to a warning that is draft: submit it for approval",
        ),
        (
            "draft",
            issue,
            "cannot issue a warning that is draft: submit it for approval first",
        ),
        ("draft", update, "cannot update a warning that is draft"),
        ("draft", _expire_now, "cannot expire a warning that is draft"),
        ("submitted", submit, "cannot submit a warning that is awaiting_approval"),
        (
            "approved",
            submit,
            "cannot submit a warning that is approved: issue it, or revise it",
        ),
        (
            "issued",
            _approve_be,
            "cannot approve or ask changes to a warning that is issued: revise it and issue",
        ),
        ("issued", submit, "cannot submit a warning that is issued"),
        ("issued", issue, "no part of this warning is left to issue"),
        (
            "cancelled",
            cancel,
            "cannot cancel a warning that is cancelled: it is cancelled for good",
        ),
        (
            "cancelled",
            lambda w, i: revise(w, i, severity=Severity.MINOR),
            "cannot revise a warning that is cancelled",
        ),
        ("cancelled", lambda w, i: issue(w, i, None, "NL"), "cannot issue a warning that is cancelled"),
        ("cancelled", _comment, "cannot comment on a warning that is cancelled: it is cancelled for good"),
        ("expired", update, "cannot update a warning that is expired: it has expired"),
    ],
)
def test_illegal_moves_are_refused_with_what_to_do_instead(
    w: World, stage: str, step: Any, match: str
) -> None:
    warning_id = draft(w)
    if stage != "draft":
        complete_texts(w, warning_id)
        submit(w, warning_id)
    if stage in {"approved", "issued", "cancelled", "expired"}:
        approve(w, warning_id, w.nl)
        approve(w, warning_id, w.be)
    if stage in {"issued", "cancelled", "expired"}:
        issue(w, warning_id)
    if stage == "cancelled":
        cancel(w, warning_id)
    if stage == "expired":
        w.later(hours=25)
        schedule(w)
    with rejected(w.uow, CrisislinkError, match):
        step(w, warning_id)


def test_the_schedule_runs_as_the_platform_only(w: World) -> None:
    command = c.RunWarningSchedule(actor=w.officer(w.nl))
    with rejected(w.uow, PermissionDenied, "runs as the platform itself"):
        ih.run_warning_schedule(command, w.uow, w.identifiers, w.clock.now)


# --- the whole story, and the events on the wire --------------------------------------------------------


def test_the_geul_warning_from_draft_to_cancel_is_one_event_per_step_and_every_event_survives_json(
    w: World,
) -> None:
    warning_id = draft(w)
    h.apply_template(
        c.ApplyTemplate(actor=w.officer(w.nl), warning_id=warning_id, expected_revision=1), w.uow
    )
    submit(w, warning_id)
    approve(w, warning_id, w.nl)
    approve(w, warning_id, w.be)
    ih.schedule_parts(
        c.ScheduleParts(
            actor=w.officer(w.be), warning_id=warning_id, times=(("BE", NOW + timedelta(hours=1)),)
        ),
        w.uow,
        w.clock.now,
    )
    issue(w, warning_id)
    w.later(hours=1)
    schedule(w)
    amend_and_approve(w, warning_id)
    update(w, warning_id)
    w.later(hours=5)
    cancel(w, warning_id)

    assert [type(event) for event in w.uow.events] == [
        e.WarningDrafted,
        e.WarningRevised,
        e.WarningSubmitted,
        e.WarningApproved,
        e.WarningApproved,
        e.WarningPartScheduled,
        e.WarningPartIssued,
        e.WarningPartIssued,
        e.WarningRevised,
        e.WarningApproved,
        e.WarningApproved,
        e.WarningUpdated,
        e.WarningCancelled,
    ]
    label = w.warning(warning_id).label
    for event in w.uow.events:
        assert event.TYPE.startswith("crisislink.warnings.")
        assert event.label == label
        assert isinstance(event, e.WarningEvent)
        assert event.warning_id == warning_id
        wire = json.loads(json.dumps(event_payload(event)))
        assert decode_event(type(event), wire, event.label) == event
    assert [message.msg_type for message in w.warning(warning_id).messages] == [
        MsgType.ALERT,
        MsgType.UPDATE,
        MsgType.CANCEL,
    ]


def test_every_event_type_has_a_stable_unique_dotted_name() -> None:
    names = [event_type.TYPE for event_type in e.ALL_EVENTS]
    assert len(set(names)) == len(names)
    assert all(name.startswith("crisislink.warnings.") and " " not in name for name in names)
