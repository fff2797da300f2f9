"""`GET /api/datasets/{id}/stale-notices`: what a dataset's point of contact was sent, through the policy.

The NCCN publishes a gauge that goes quiet; its point of contact is told. A reader sees the notices of a
dataset they may see (404 otherwise, as for the dataset itself), and the address the contact was reached at
only if they may see that point of contact.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from crisislink.app.schedule import run_once
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.model import DatasetKind, Series
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Tlp
from tests.support import World
from tests.web.conftest import Client, assert_problem, sign_in
from tests.web.test_api_assistance import ok, switch

CONTACT_ADDRESS = "desk@test.example"  # the address `World.contact` gives a point of contact


def quiet_gauge(world: World, clock: FixedClock, marking: Tlp, contact_marking: Tlp) -> uuid.UUID:
    """A gauge of the NCCN, expected hourly, whose last reading is three hours old once the schedule ran."""
    bus = world.platform.bus
    dataset_id: uuid.UUID = bus.handle(
        c.PublishDataset(
            actor=world.actor("be.duty"),
            title="Meuse at Liège",
            kind=DatasetKind.RIVER_GAUGE,
            record_schema={"type": "object"},
            contact_point_id=world.contact("BE-NCCN", contact_marking, name="Hydro desk"),
            refresh=timedelta(hours=1),
            series=(Series("meuse.level", "Meuse level", "cm"),),
            marking=marking,
        )
    )
    record = IncomingRecord({"series": "meuse.level", "observed_at": clock.now().isoformat(), "value": 310})
    bus.handle(
        c.IngestObservations(actor=world.actor("be.duty"), dataset_id=dataset_id, batch=c.Batch((record,)))
    )
    clock.advance(timedelta(hours=3))
    for _ in range(2):  # flag it, then send the notice the dispatcher queued
        run_once(bus)
        world.platform.dispatcher.drain()
    return dataset_id


def notices_seen(client: Client, dataset_id: uuid.UUID) -> list[tuple[str, str | None, str, str | None]]:
    """(kind, address, status, detail) of each notice the signed-in reader may see."""
    listed = ok(client.get(f"/api/datasets/{dataset_id}/stale-notices"), 200)
    return [(n["kind"], n["address"], n["status"], n["detail"]) for n in listed]


def test_the_owner_sees_the_address_a_reader_of_the_dataset_sees_the_notice_without_it(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    # A GREEN gauge whose point of contact only the NCCN's staff may see.
    dataset_id = quiet_gauge(clocked_world, clock, Tlp.GREEN, Tlp.AMBER_STRICT)
    sign_in(clocked_client, "be.duty")
    [(kind, address, status, said)] = notices_seen(clocked_client, dataset_id)
    assert (kind, address, status) == ("stale", CONTACT_ADDRESS, "sent")
    assert said  # what the channel said: shown to those who may see the contact
    switch(clocked_client, "liege.duty")
    [seen] = ok(clocked_client.get(f"/api/datasets/{dataset_id}/stale-notices"), 200)
    assert (seen["kind"], seen["status"], seen["channel"]) == ("stale", "sent", "email")
    hidden = (seen["address"], seen["recipient"], seen["contact_point_id"], seen["detail"])
    assert hidden == (None, None, None, None)
    assert "Meuse at Liège" in seen["body"]


def test_a_reader_who_may_not_see_the_dataset_gets_404(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    dataset_id = quiet_gauge(clocked_world, clock, Tlp.AMBER, Tlp.GREEN)  # the NCCN's staff only
    sign_in(clocked_client, "be.duty")
    assert [kind for kind, *_ in notices_seen(clocked_client, dataset_id)] == ["stale"]
    switch(clocked_client, "nl.duty")
    assert_problem(clocked_client.get(f"/api/datasets/{dataset_id}/stale-notices"), 404)
    clocked_client.cookies.clear()
    assert_problem(clocked_client.get(f"/api/datasets/{dataset_id}/stale-notices"), 401)
