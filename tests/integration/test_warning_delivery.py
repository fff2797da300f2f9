"""Issued warnings reach their channels: signed CAP kept once per message and part, one delivery per
channel from the durable outbox, retried with back-off until the gateway recovers — and never a false
alarm: an Exercise reaches no public channel. Real local HTTP servers stand in for the gateways and
for Mastodon; nothing in the HTTP client is mocked."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from lxml import etree

from crisislink.adapters.channels.gateway import CapGateway
from crisislink.adapters.channels.mastodon import Mastodon
from crisislink.adapters.db import tables as t
from crisislink.adapters.standards import cap_validation
from crisislink.adapters.standards.cap_signature import SignatureState
from crisislink.app.bootstrap import Platform
from crisislink.app.warning_channels import ChannelSet, Route
from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings.codes import Category, Certainty, Severity, Status, Urgency
from crisislink.domains.warnings.values import WarningText
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.geo import Area
from tests.support import World, build_world, make_platform
from tests.support_http import Recorded, Reply, ScriptedServer, serving

NOW = datetime(2026, 7, 14, 13, 0, tzinfo=UTC)
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
GEUL_MEUSE = Area(
    {
        "type": "Polygon",
        "coordinates": [[[5.64, 50.69], [5.90, 50.69], [5.90, 50.89], [5.64, 50.89], [5.64, 50.69]]],
    }
)
TEXTS = (
    ("nl", WarningText("Hoogwater Geul en Maas", "De Geul treedt buiten haar oevers.", "Ga naar boven.")),
    ("fr", WarningText("Crue de la Meuse", "La Meuse déborde à Visé.", "Montez à l'étage.")),
    ("de", WarningText("Hochwasser an der Maas", "Die Maas tritt über die Ufer.", "Gehen Sie nach oben.")),
)


def mastodon_emulation() -> object:
    """Like Mastodon: a repeated Idempotency-Key gets the first answer and posts nothing new."""
    seen: dict[str, Reply] = {}
    numbers = itertools.count(1)

    def respond(request: Recorded) -> Reply:
        key = request.header("idempotency-key") or ""
        if key not in seen:
            number = next(numbers)
            seen[key] = Reply.json({"id": str(number), "url": f"https://social.example/@crisislink/{number}"})
        return seen[key]

    return respond


@dataclass
class Setup:
    world: World
    clock: FixedClock
    nl_gateway: ScriptedServer
    be_gateway: ScriptedServer
    social: ScriptedServer

    @property
    def platform(self) -> Platform:
        return self.world.platform

    def deliveries(self) -> list[dict[str, object]]:
        with self.platform.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    t.warning_deliveries,
                    t.warning_publications.c.identifier,
                    t.warning_publications.c.country,
                )
                .join(t.warning_publications)
                .order_by(t.warning_deliveries.c.channel, t.warning_publications.c.identifier)
            ).mappings()
            return [dict(row) for row in rows]

    def publications(self) -> list[dict[str, object]]:
        with self.platform.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(t.warning_publications)).mappings()]


@pytest.fixture
def setup(db_url: str) -> Iterator[Setup]:
    with serving() as nl_gateway, serving() as be_gateway, serving() as social:
        social.respond_with(mastodon_emulation())  # type: ignore[arg-type]
        channels = ChannelSet(
            [
                Route(CapGateway("NL-Alert", nl_gateway.url, token="nl-secret"), frozenset({"NL"})),
                Route(
                    CapGateway("BE-Alert", be_gateway.url, username="nccn", password="pw"), frozenset({"BE"})
                ),
                Route(Mastodon("Mastodon", social.url, "social-token"), None),
            ]
        )
        clock = FixedClock(NOW)
        platform = make_platform(db_url, clock=clock, channels=channels)
        yield Setup(build_world(platform), clock, nl_gateway, be_gateway, social)
        platform.stop()


def issue(setup: Setup, status: Status = Status.ACTUAL) -> uuid.UUID:
    w = setup.world
    bus = w.platform.bus
    _, targeting = w.platform.targeting.for_warning(GEUL_MEUSE)
    warning_id: uuid.UUID = bus.handle(
        c.DraftWarning(
            actor=w.actor("nl.info"),
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
            status=status,
        )
    )
    bus.handle(c.SubmitForApproval(actor=w.actor("nl.info"), warning_id=warning_id))
    for user, country in (("nl.info", "NL"), ("be.info", "BE")):
        bus.handle(c.ApproveWarning(actor=w.actor(user), warning_id=warning_id, country=country, revision=1))
    bus.handle(c.IssueWarning(actor=w.actor("nl.info"), warning_id=warning_id))
    return warning_id


def settle(setup: Setup) -> None:
    """What the background threads do: deliver the events, then send what is due."""
    setup.platform.dispatcher.drain()
    while setup.platform.delivery.run_once():
        pass


def test_each_part_goes_to_its_country_gateway_signed_and_valid(setup: Setup) -> None:
    issue(setup)
    settle(setup)

    publications = {p["country"]: p for p in setup.publications()}
    assert set(publications) == {"", "NL", "BE"}
    for publication in publications.values():
        report = cap_validation.validate(publication["cap_xml"])  # type: ignore[arg-type]
        assert report.is_valid(strict=True), report
        assert report.signature.state is SignatureState.VALID
    (nl_request,) = setup.nl_gateway.requests
    (be_request,) = setup.be_gateway.requests
    assert nl_request.body == publications["NL"]["cap_xml"]
    assert be_request.body == publications["BE"]["cap_xml"]
    assert nl_request.header("authorization") == "Bearer nl-secret"
    assert (
        be_request.header(
            "authorization",
        )
        is not None
    )
    languages = {e.text for e in etree.fromstring(be_request.body).iter(f"{{{CAP_NS}}}language")}
    assert languages == {"nl-BE", "fr-BE", "de-BE"}
    assert len(setup.social.requests) == len(TEXTS)  # one post per language, for the whole message
    assert {d["status"] for d in setup.deliveries()} == {"delivered"}


def test_a_gateway_that_fails_is_retried_with_backoff_until_it_recovers(setup: Setup) -> None:
    setup.be_gateway.fail_then_recover(2, Reply(503, "maintenance"))
    issue(setup)
    settle(setup)
    be = next(d for d in setup.deliveries() if d["channel"] == "BE-Alert")
    assert be["status"] == "pending"
    assert be["attempts"] == 1
    assert "503" in str(be["last_error"])

    setup.clock.advance(timedelta(seconds=31))
    settle(setup)
    setup.clock.advance(timedelta(seconds=61))
    settle(setup)
    be = next(d for d in setup.deliveries() if d["channel"] == "BE-Alert")
    assert be["status"] == "delivered"
    assert be["attempts"] == 3
    keys = {r.header("idempotency-key") for r in setup.be_gateway.requests}
    assert keys == {str(be["id"])}  # the same key on every attempt: the gateway can drop duplicates


def test_an_exercise_never_reaches_a_public_channel(setup: Setup) -> None:
    issue(setup, Status.EXERCISE)
    settle(setup)
    assert setup.nl_gateway.requests == []
    assert setup.be_gateway.requests == []
    assert setup.social.requests == []
    deliveries = setup.deliveries()
    assert deliveries
    assert {d["status"] for d in deliveries} == {"refused"}
    assert all("Exercise" in str(d["last_error"]) for d in deliveries)


def test_a_cancel_follows_the_alert_to_every_channel(setup: Setup) -> None:
    warning_id = issue(setup)
    settle(setup)
    setup.clock.advance(timedelta(hours=1))
    setup.platform.bus.handle(
        c.CancelWarning(actor=setup.world.actor("nl.info"), warning_id=warning_id, reason="water receding")
    )
    settle(setup)
    assert len(setup.nl_gateway.requests) == 2
    cancel = etree.fromstring(setup.nl_gateway.requests[1].body)
    assert cancel.findtext(f"{{{CAP_NS}}}msgType") == "Cancel"
    alert = etree.fromstring(setup.nl_gateway.requests[0].body)
    assert alert.findtext(f"{{{CAP_NS}}}identifier") in cancel.findtext(f"{{{CAP_NS}}}references")  # type: ignore[operator]


def test_publishing_twice_adds_nothing(setup: Setup) -> None:
    issue(setup)
    settle(setup)
    before = (setup.publications(), setup.deliveries())
    # The consumer runs again for the same events (as after a crash before its cursor was saved).
    with setup.platform.engine.begin() as conn:
        conn.execute(
            t.consumer_cursors.delete().where(t.consumer_cursors.c.consumer == "warnings.publications")
        )
    settle(setup)
    assert (setup.publications(), setup.deliveries()) == before
    assert len(setup.nl_gateway.requests) == 1
