"""`GET /api/assistance-requests/{id}/notifications`: the notices sent to desks, through the sharing policy.

Liège (liege.duty) asks NL-VR23 and the NCCN; VR23 (nl.duty) offers; Liège accepts. Each reader sees the
notices of the steps they may see (an offer's: its offerer and the requester, not the NCCN), and the
address a desk was reached at only if they may see that desk's point of contact.
"""

from __future__ import annotations

from typing import Any

import pytest

from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.app.assistance_notifications import deliver_assistance_notifications
from crisislink.domains.readiness.ports import DeliveryReport, Notice
from crisislink.kernel.markings import Tlp
from tests.support import World
from tests.web.conftest import Client, assert_problem, sign_in
from tests.web.test_api_assistance import REQUESTS, iso, ok, request_body, switch


def steps_told(client: Client, request_id: str) -> list[tuple[str, str, str | None, str]]:
    """(step, partner, address, status) of each notice the signed-in reader may see."""
    listed = ok(client.get(f"{REQUESTS}/{request_id}/notifications"), 200)
    return [(n["step"], n["partner_id"], n["address"], n["status"]) for n in listed]


def ask_offer_accept(world: World, client: Client) -> dict[str, Any]:
    csrf = sign_in(client, "liege.duty")
    to = [str(world.partners["NL-VR23"]), str(world.partners["BE-NCCN"])]
    request = ok(client.post(REQUESTS, json=request_body(world, send_to=to), headers=csrf))
    csrf = switch(client, "nl.duty")
    offer_body = {"available_from": iso(1), "quantity": 2}
    offer = ok(client.post(f"{REQUESTS}/{request['id']}/offers", json=offer_body, headers=csrf))
    csrf = switch(client, "liege.duty")
    ok(client.post(f"{REQUESTS}/{request['id']}/offers/{offer['id']}/accept", json={}, headers=csrf))
    world.platform.dispatcher.drain()
    deliver_assistance_notifications(world.platform.bus)
    return dict(request)


def test_each_party_sees_the_notices_of_the_steps_it_may_see(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")  # e-mail desk@test.example
    world.contact("BE-NCCN", Tlp.AMBER_STRICT, name="NCCN desk")  # only the NCCN's staff see this one
    request = ask_offer_accept(world, client)
    vr23, nccn, liege = (str(world.partners[code]) for code in ("NL-VR23", "BE-NCCN", "BE-PROV-LIEGE"))
    desk = "desk@test.example"

    # The requester: every step; the NCCN desk's address is not Liège's to see.
    switch(client, "liege.duty")
    assert sorted(steps_told(client, request["id"])) == sorted(
        [
            ("request_sent", vr23, desk, "sent"),
            ("request_sent", nccn, None, "sent"),
            ("offer_made", liege, None, "unreachable"),  # Liège has no 24/7 desk in the directory
            ("offer_status_changed", vr23, desk, "sent"),
            ("request_status_changed", vr23, desk, "sent"),
            ("request_status_changed", nccn, None, "sent"),
        ]
    )
    # The NCCN: the request's steps, its own desk's address; nothing of an offer between the other two.
    switch(client, "be.duty")
    assert sorted(steps_told(client, request["id"])) == sorted(
        [
            ("request_sent", vr23, desk, "sent"),
            ("request_sent", nccn, desk, "sent"),
            ("request_status_changed", vr23, desk, "sent"),
            ("request_status_changed", nccn, desk, "sent"),
        ]
    )


def refused_by_the_relay(_sender: RecordingSender, notice: Notice) -> DeliveryReport:
    """What an SMTP relay says when it refuses a mailbox: it names the address."""
    return DeliveryReport(sent=False, detail=f"SMTP relay.example:25 refused {notice.recipient.address}: 550")


def test_what_a_channel_said_is_shown_only_to_who_may_see_the_desks_address(
    clocked_world: World, clocked_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, client = clocked_world, clocked_client
    world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    world.contact("BE-NCCN", Tlp.AMBER_STRICT, name="NCCN desk")  # only the NCCN's staff see this one
    monkeypatch.setattr(RecordingSender, "send_notice", refused_by_the_relay)
    request = ask_offer_accept(world, client)
    nccn, vr23 = str(world.partners["BE-NCCN"]), str(world.partners["NL-VR23"])
    refusal = "SMTP relay.example:25 refused desk@test.example: 550"

    def details() -> dict[tuple[str, str], str | None]:
        listed = ok(client.get(f"{REQUESTS}/{request['id']}/notifications"), 200)
        return {(n["step"], n["partner_id"]): n["detail"] for n in listed}

    switch(client, "liege.duty")
    seen = details()
    assert seen[("request_sent", nccn)] is None  # the refusal would give the NCCN desk's address away
    assert seen[("request_sent", vr23)] == refusal  # VR23's desk is Liège's to see
    no_desk = seen[("offer_made", str(world.partners["BE-PROV-LIEGE"]))]
    assert "no 24/7 duty desk" in str(no_desk)  # names no address: shown
    switch(client, "be.duty")
    assert details()[("request_sent", nccn)] == refusal


def test_a_request_the_reader_was_not_sent_is_a_404_and_a_guest_is_refused(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "liege.duty")
    request = ok(client.post(REQUESTS, json=request_body(world), headers=csrf))  # to NL-VR23 only
    world.platform.dispatcher.drain()
    assert [step for step, *_ in steps_told(client, request["id"])] == ["request_sent"]
    switch(client, "be.duty")
    assert_problem(client.get(f"{REQUESTS}/{request['id']}/notifications"), 404)
    client.cookies.clear()
    assert_problem(client.get(f"{REQUESTS}/{request['id']}/notifications"), 401)
