"""Who receives a dataset event on a partner subject: exactly the partners the sharing policy lets see it.

The oracle is `may_see` for a member of the partner whom no audience names, on the event's label and on the
dataset's label, both drawn at random (owners, markings, audiences naming partners and people; the people
sometimes include the id that stands for machines, so a forged audience cannot open a partner subject).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisislink.adapters.bus.nats import JetStreamConfig
from crisislink.adapters.bus.nats.permissions import (
    consumer_name,
    inbox_prefix,
    partner_publish_allow,
    partner_subscribe_allow,
    partner_user_block,
)
from crisislink.adapters.db.queries.dataset_recipients import RecipientContext
from crisislink.adapters.db.queries.views import EventView
from crisislink.app.dataset_subjects import (
    MACHINE,
    PUBLISHED,
    feed_record,
    partner_copies,
    receiving_partners,
)
from crisislink.domains.datasets import events as e
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp
from crisislink.kernel.messages import Envelope

NODE = uuid.UUID("00000000-0000-7000-8000-000000000001")
CONFIG = JetStreamConfig(subject_prefix="eu.test")


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[uuid.UUID], Label, Label, list[uuid.UUID]]:
    """Partners, an event label, a dataset label, and people (one per partner at least) who may be named."""
    partners = draw(st.lists(st.uuids(version=4), min_size=1, max_size=6, unique=True))
    people = draw(st.lists(st.uuids(version=4), min_size=len(partners), max_size=12, unique=True))
    nameable = [*people, MACHINE]
    principals = st.sampled_from([Principal.partner(p) for p in partners]) | st.sampled_from(
        [Principal.user(u) for u in nameable]
    )
    label = st.builds(
        Label,
        owner_partner_id=st.sampled_from(partners) | st.none(),
        home_node_id=st.just(NODE),
        marking=st.sampled_from(list(Tlp)),
        audience=st.frozensets(principals, max_size=6),
    )
    return partners, draw(label), draw(label), people


def unnamed_member_sees(partner: uuid.UUID, labels: tuple[Label, ...], named: set[uuid.UUID]) -> bool:
    """The oracle: a person of the partner who appears in no audience."""
    member = uuid.uuid4()
    assert member not in named
    return all(may_see(Viewer(user_id=member, partner_id=partner), label) for label in labels)


def people_named(*labels: Label) -> set[uuid.UUID]:
    return {p.id for label in labels for p in label.audience if p.kind is PrincipalKind.USER}


@settings(max_examples=500)
@given(world=worlds())
def test_the_receivers_are_exactly_the_partners_an_unnamed_member_of_which_may_see_both(
    world: tuple[list[uuid.UUID], Label, Label, list[uuid.UUID]],
) -> None:
    partners, event, dataset, _people = world
    named = people_named(event, dataset)
    expected = [p for p in partners if unnamed_member_sees(p, (event, dataset), named)]
    assert receiving_partners(partners, event, dataset) == expected


@settings(max_examples=300)
@given(world=worlds())
def test_naming_a_person_never_brings_anything_to_a_partner_subject(
    world: tuple[list[uuid.UUID], Label, Label, list[uuid.UUID]],
) -> None:
    partners, event, dataset, _people = world

    def partners_only(label: Label) -> Label:
        kept = frozenset(p for p in label.audience if p.kind is PrincipalKind.PARTNER)
        return Label(label.owner_partner_id, label.home_node_id, label.marking, kept)

    with_people = receiving_partners(partners, event, dataset)
    assert with_people == receiving_partners(partners, partners_only(event), partners_only(dataset))
    for partner in with_people:  # and whoever receives, a plain member of it may read the dataset
        assert may_see(Viewer(user_id=uuid.uuid4(), partner_id=partner), dataset)


def test_an_amber_dataset_shared_with_one_partner_reaches_its_owner_and_that_partner_only() -> None:
    owner, shared, other = (uuid.uuid4() for _ in range(3))
    person_of_other = uuid.uuid4()
    label = Label(
        owner,
        NODE,
        Tlp.AMBER,
        frozenset({Principal.partner(shared), Principal.user(person_of_other)}),
    )
    assert receiving_partners([owner, shared, other], label, label) == [owner, shared]
    red = Label(owner, NODE, Tlp.RED, frozenset({Principal.user(person_of_other)}))
    assert receiving_partners([owner, shared, other], red, red) == [owner]  # the owner's staff only


def _envelope(event_type: str, label: Label, dataset_id: uuid.UUID | None) -> Envelope:
    return Envelope(
        id=uuid.uuid4(),
        correlation_id=uuid.uuid4(),
        causation_id=None,
        type=event_type,
        version=1,
        occurred_at=datetime(2021, 7, 14, 18, 0, tzinfo=UTC),
        origin_node_id=NODE,
        label=label,
        payload={"dataset_id": str(dataset_id)},
        context_id=dataset_id,
    )


def test_copies_name_the_partner_the_dataset_and_the_kind_with_one_message_id_per_partner() -> None:
    owner, other, dataset_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    green = Label(owner, NODE, Tlp.GREEN)
    context = RecipientContext((owner, other), {dataset_id: green})
    envelope = _envelope(e.DatasetObservationsReceived.TYPE, green, dataset_id)
    copies = partner_copies(CONFIG, context, envelope)
    assert [c.subject for c in copies] == [
        f"eu.test.partner.{p}.datasets.{dataset_id}.observations_received" for p in (owner, other)
    ]
    assert [c.msg_id for c in copies] == [f"{envelope.id}:{p}" for p in (owner, other)]


def test_no_copy_for_people_alerts_unknown_datasets_or_other_events() -> None:
    owner, dataset_id = uuid.uuid4(), uuid.uuid4()
    green = Label(owner, NODE, Tlp.GREEN)
    context = RecipientContext((owner,), {dataset_id: green})
    assert e.FollowersAlerted.TYPE not in PUBLISHED
    assert {e.ThresholdCrossed.TYPE, e.DatasetUpdated.TYPE, e.DatasetStale.TYPE} <= PUBLISHED
    for envelope in (
        _envelope(e.FollowersAlerted.TYPE, green, dataset_id),
        _envelope(e.ThresholdCrossed.TYPE, green, uuid.uuid4()),  # a dataset this node does not hold
        _envelope("crisislink.sharing.contact_point_created", green, None),
    ):
        assert partner_copies(CONFIG, context, envelope) == []


def test_a_copys_body_is_the_live_feeds_record_of_the_event_with_nobody_named() -> None:
    owner, shared, person, dataset_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    label = Label(owner, NODE, Tlp.AMBER, frozenset({Principal.partner(shared), Principal.user(person)}))
    envelope = replace(_envelope(e.ThresholdCrossed.TYPE, label, dataset_id), position=42)
    body = feed_record(envelope)
    assert set(json.loads(body)) == set(EventView.__struct_fields__)  # no label, audience, actor or context
    assert str(person).encode() not in body
    assert str(shared).encode() not in body
    view = msgspec.json.decode(body, type=EventView)
    assert (view.position, view.id, view.owner_partner_id) == (42, envelope.id, owner)
    assert view.marking == Tlp.AMBER.value
    assert view.payload == envelope.payload
    with pytest.raises(ValueError, match="outbox"):
        feed_record(replace(envelope, position=None))


def test_the_permissions_of_a_partner_stay_inside_its_own_tree() -> None:
    partner, other = uuid.uuid4(), uuid.uuid4()
    publish, subscribe = partner_publish_allow(CONFIG, partner), partner_subscribe_allow(CONFIG, partner)
    assert subscribe == [f"eu.test.partner.{partner}.>", f"{inbox_prefix(partner)}.>"]
    assert (
        f"$JS.API.CONSUMER.CREATE.CRISISLINK.{consumer_name(partner)}.eu.test.partner.{partner}.>" in publish
    )
    assert all(consumer_name(partner) in subject for subject in publish)  # its own consumer, no other
    assert not any("STREAM" in subject for subject in publish)  # STREAM.MSG.GET would read any message
    block = partner_user_block(CONFIG, partner, "partner-nl-vr23")
    assert str(other) not in block
    assert "password: $CRISISLINK_NATS_PASSWORD_PARTNER_NL_VR23" in block
