"""ImportAssistanceMessage: what one received message carries is recorded in one commit, or not at all."""

from __future__ import annotations

from datetime import datetime, timedelta

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance import events as e
from crisislink.domains.assistance.imports import ImportAssistanceMessage, import_message
from crisislink.domains.assistance.requests import RequestStatus
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.messages import SYSTEM
from tests.unit.assistance_world import CHAUDFONTAINE, make_world, rejected

SOURCE = "EDXL-RM RequestResource RequestResource.1"


def _need(now: datetime, capability: str = "water.rescue", quantity: int = 2) -> c.CreateAssistanceRequest:
    return c.CreateAssistanceRequest(
        actor=SYSTEM,  # replaced by the import's actor
        capability=capability,
        quantity=quantity,
        staging=CHAUDFONTAINE,
        starts_at=now,
        ends_at=now + timedelta(days=3),
    )


def test_every_request_of_a_message_is_recorded_in_one_commit_as_a_draft_of_the_importer() -> None:
    world = make_world()
    now = world.clock.now()
    actor = world.actor(world.liege)
    command = ImportAssistanceMessage(
        actor=actor, source=SOURCE, requests=(_need(now), _need(now, "pumping.high_capacity", 1))
    )

    made = import_message(command, world.uow, world.clock.now)

    assert world.uow.commits == 1
    first, second = (world.request(request_id) for request_id in made)
    assert (first.capability, second.capability) == ("water.rescue", "pumping.high_capacity")
    assert {first.requester, second.requester} == {world.liege.id}
    assert {first.status, second.status} == {RequestStatus.DRAFT}
    assert first.created_by == actor.user_id
    assert len(world.events(e.AssistanceRequested)) == 2


def test_one_bad_part_records_nothing() -> None:
    world = make_world()
    now = world.clock.now()
    command = ImportAssistanceMessage(
        actor=world.actor(world.liege), source=SOURCE, requests=(_need(now), _need(now, "boats"))
    )

    with rejected(world.uow, InvalidInput, "unknown capability code 'boats'"):
        import_message(command, world.uow, world.clock.now)

    assert world.uow.assistance_requests.all() == []


def test_an_offer_is_made_by_the_importer_on_the_request_it_answers() -> None:
    world = make_world()
    request_id = world.ask()
    offer = c.MakeOffer(
        actor=world.actor(world.nccn), request_id=request_id, available_from=world.clock.now(), quantity=1
    )
    command = ImportAssistanceMessage(
        actor=world.actor(world.cgdis), source="EDXL-RM CommitResource x", offers=(offer,)
    )

    (offer_id,) = import_message(command, world.uow, world.clock.now)

    assert world.offer(offer_id).offerer == world.cgdis.id
    assert world.offer(offer_id).quantity == 1


def test_a_message_with_nothing_to_record_is_refused() -> None:
    world = make_world()
    command = ImportAssistanceMessage(actor=world.actor(world.liege), source=SOURCE)

    with rejected(world.uow, InvalidInput, "asks for nothing and offers nothing"):
        import_message(command, world.uow, world.clock.now)
