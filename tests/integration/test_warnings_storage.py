"""A public warning through the real bus and database: drafted, approved by NL and BE, issued, updated,
cancelled, with its CAP chain stored and read back intact — on SQLite and PostgreSQL.

The area is the Geul and the Meuse of July 2021 (Valkenburg, Meerssen, Maastricht, Eijsden, Visé, Voeren),
so the shipped boundaries make it touch the Netherlands and Belgium.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from crisislink.app.bootstrap import Platform
from crisislink.app.schedule import run_once
from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings.codes import Category, Certainty, MsgType, Severity, Urgency
from crisislink.domains.warnings.model import PublicWarning, WarningState
from crisislink.domains.warnings.parts import PartStatus
from crisislink.domains.warnings.values import WarningText
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.errors import Conflict
from crisislink.kernel.geo import Area
from tests.support import World, build_world, make_platform

NOW = datetime(2026, 7, 14, 13, 0, tzinfo=UTC)
GEUL_MEUSE = Area(
    {
        "type": "Polygon",
        "coordinates": [[[5.64, 50.69], [5.90, 50.69], [5.90, 50.89], [5.64, 50.89], [5.64, 50.69]]],
    }
)
TEXTS = (
    (
        "nl",
        WarningText(
            "Hoogwater Geul en Maas", "De Geul treedt buiten haar oevers.", "Ga naar hoger gelegen plekken."
        ),
    ),
    ("fr", WarningText("Crue de la Meuse", "La Meuse déborde à Visé.", "Montez à l'étage.")),
    ("de", WarningText("Hochwasser an der Maas", "Die Maas tritt über die Ufer.", "Gehen Sie nach oben.")),
    ("en", WarningText("Flooding of the Geul and Meuse", "The rivers overflow.", "Move to higher ground.")),
)


@pytest.fixture
def world(db_url: str) -> Iterator[tuple[World, FixedClock]]:
    clock = FixedClock(NOW)
    platform = make_platform(db_url, clock=clock)
    yield build_world(platform), clock
    platform.stop()


def draft(world: World) -> uuid.UUID:
    _, targeting = world.platform.targeting.for_warning(GEUL_MEUSE)
    warning_id: uuid.UUID = world.platform.bus.handle(
        c.DraftWarning(
            actor=world.actor("nl.info"),
            hazard="flood.river",
            category=Category.MET,
            awareness_type=12,
            severity=Severity.SEVERE,
            urgency=Urgency.IMMEDIATE,
            certainty=Certainty.LIKELY,
            onset=NOW + timedelta(hours=1),
            expires=NOW + timedelta(hours=24),
            area=GEUL_MEUSE,
            area_description="Geul and Meuse valleys",
            targeting=targeting,
            texts=TEXTS,
        )
    )
    return warning_id


def stored(platform: Platform, warning_id: uuid.UUID) -> PublicWarning:
    with platform.uow() as uow:
        return uow.warnings.get(warning_id)


def approve_all(world: World, warning_id: uuid.UUID) -> None:
    revision = stored(world.platform, warning_id).revision
    for user, country in (("nl.info", "NL"), ("be.info", "BE")):
        world.platform.bus.handle(
            c.ApproveWarning(
                actor=world.actor(user), warning_id=warning_id, country=country, revision=revision
            )
        )


def test_the_area_reaches_both_countries_in_their_languages(world: tuple[World, FixedClock]) -> None:
    w, _ = world
    warning = stored(w.platform, draft(w))
    assert warning.targeting.countries == ("BE", "NL")
    assert {"nl", "fr"} <= set(warning.targeting.required())
    assert warning.targeting.population
    assert warning.targeting.population > 100_000
    assert warning.missing_languages() == ()
    assert set(warning.required_approvers) == {"BE", "NL"}
    assert warning.state is WarningState.DRAFT


def test_draft_to_cancel_keeps_the_whole_chain(world: tuple[World, FixedClock]) -> None:
    w, clock = world
    bus = w.platform.bus
    warning_id = draft(w)
    bus.handle(c.SubmitForApproval(actor=w.actor("nl.info"), warning_id=warning_id))
    with pytest.raises(Conflict, match="approval"):
        bus.handle(c.IssueWarning(actor=w.actor("nl.info"), warning_id=warning_id))
    approve_all(w, warning_id)
    assert bus.handle(c.IssueWarning(actor=w.actor("nl.info"), warning_id=warning_id)) == ("BE", "NL")

    clock.advance(timedelta(minutes=30))
    revision = stored(w.platform, warning_id).revision
    bus.handle(
        c.ReviseWarning(
            actor=w.actor("nl.info"),
            warning_id=warning_id,
            expected_revision=revision,
            severity=Severity.EXTREME,
        )
    )
    approve_all(w, warning_id)
    bus.handle(c.IssueUpdate(actor=w.actor("nl.info"), warning_id=warning_id, note="the Meuse rises"))
    clock.advance(timedelta(hours=2))
    bus.handle(c.CancelWarning(actor=w.actor("nl.info"), warning_id=warning_id, reason="water receding"))

    warning = stored(w.platform, warning_id)
    assert warning.state is WarningState.CANCELLED
    kinds = [m.msg_type for m in warning.messages]
    assert kinds == [MsgType.ALERT, MsgType.UPDATE, MsgType.CANCEL]
    alert, update, cancel = warning.messages
    assert update.references == (alert.reference(),)
    assert cancel.references == (alert.reference(), update.reference())
    assert alert.sent == NOW
    assert update.sent == NOW + timedelta(minutes=30)
    assert len({m.identifier for m in warning.messages}) == 3
    assert update.content.severity is Severity.EXTREME
    assert alert.content.severity is Severity.SEVERE
    assert alert.content.texts == tuple((code, dict(TEXTS)[code]) for code in ("en", "nl", "fr", "de"))
    assert warning.parts["NL"].status is PartStatus.ISSUED
    assert all(state.approves(warning.revision) for state in warning.required_approvers.values())


def test_a_scheduled_part_goes_out_on_the_schedule_and_the_warning_expires(
    world: tuple[World, FixedClock],
) -> None:
    w, clock = world
    bus = w.platform.bus
    warning_id = draft(w)
    bus.handle(c.SubmitForApproval(actor=w.actor("nl.info"), warning_id=warning_id))
    approve_all(w, warning_id)
    later = NOW + timedelta(hours=2)
    bus.handle(c.ScheduleParts(actor=w.actor("be.info"), warning_id=warning_id, times=(("BE", later),)))
    assert bus.handle(c.IssueWarning(actor=w.actor("nl.info"), warning_id=warning_id)) == ("NL",)
    assert stored(w.platform, warning_id).parts["BE"].status is PartStatus.SCHEDULED

    clock.advance(timedelta(hours=2))
    run_once(bus)
    warning = stored(w.platform, warning_id)
    assert warning.parts["BE"].status is PartStatus.ISSUED
    assert warning.parts["BE"].message_identifier == warning.messages[0].identifier

    clock.advance(timedelta(hours=23))
    run_once(bus)
    assert stored(w.platform, warning_id).state is WarningState.EXPIRED
