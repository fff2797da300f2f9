"""The partner copies of dataset events, decided from the database, follow the sharing policy exactly.

Random worlds of partners, people and datasets (marking, audience of partners and people, followers, a later
relabelling), built through the command bus as in test_dataset_policy.py. For every dataset event in the log,
the relay's route must send a copy to exactly the partners a member of which, named in no audience, may see
the event's label and the dataset's label now (the labels the test chose, with `may_see` as the oracle).
"""

from __future__ import annotations

import uuid

from hypothesis import example, given, settings

from crisislink.adapters.bus.nats import JetStreamConfig
from crisislink.adapters.db import outbox
from crisislink.adapters.db.queries import directory
from crisislink.app.dataset_subjects import PUBLISHED, route_to_partners
from crisislink.domains.datasets.events import FollowersAlerted
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.kernel.markings import Label, PrincipalKind
from tests.property.test_dataset_policy import EVERY_CASE, Spec, World, build, dataset_events, running, specs

CONFIG = JetStreamConfig(subject_prefix="eu")


def unnamed_member_may_see(partner: uuid.UUID, *labels: Label) -> bool:
    named = {p.id for label in labels for p in label.audience if p.kind is PrincipalKind.USER}
    member = uuid.uuid4()
    assert member not in named
    return all(may_see(Viewer(user_id=member, partner_id=partner), label) for label in labels)


def receivers(copies: list[str]) -> set[uuid.UUID]:
    """The partner of each subject `eu.partner.<partner id>.datasets.…`."""
    return {uuid.UUID(subject.split(".")[2]) for subject in copies}


def check_every_event(world: World) -> None:
    found = dataset_events(world)  # also checks each event carries the label the test expects
    engine = world.platform.engine
    partners = [p.id for p in directory.list_partners(engine)]
    with engine.connect() as conn:
        envelopes = outbox.read_after(conn, 0, 1_000_000)
        routes = route_to_partners(CONFIG, conn, envelopes)
    assert set(routes) == {x.id for x in envelopes if x.type in PUBLISHED}  # nothing else is considered
    for envelope, dataset in found:
        copies = routes.get(envelope.id, ())
        expected = set()
        if envelope.type != FollowersAlerted.TYPE:
            expected = {p for p in partners if unnamed_member_may_see(p, envelope.label, dataset.now)}
        assert receivers([c.subject for c in copies]) == expected, envelope.type
        assert len(copies) == len(expected)
        assert all(
            c.subject.endswith(f".datasets.{dataset.id}.{envelope.type.split('.')[-1]}") for c in copies
        )


def test_the_routes_of_random_worlds_follow_the_policy(sqlite_url: str) -> None:
    @settings(max_examples=15, deadline=None)
    @given(spec=specs())
    @example(spec=EVERY_CASE)
    def every_partner_receives_exactly_its_share(spec: Spec) -> None:
        with running(sqlite_url) as platform:
            check_every_event(build(platform, spec))

    every_partner_receives_exactly_its_share()


def test_the_always_run_world_sends_some_events_to_some_partners_only(sqlite_url: str) -> None:
    with running(sqlite_url) as platform:
        world = build(platform, EVERY_CASE)
        check_every_event(world)
        with platform.engine.connect() as conn:
            envelopes = outbox.read_after(conn, 0, 1_000_000)
            routes = route_to_partners(CONFIG, conn, envelopes)
        partners = len(directory.list_partners(platform.engine))
    sizes = {len(copies) for copies in routes.values()}
    assert max(sizes) == partners  # GREEN and CLEAR events go to everybody,
    assert min(sizes) == 1  # AMBER+STRICT and RED ones to their owner alone (its staff may see them),
    assert any(1 < size < partners for size in sizes)  # AMBER ones to the owner and its audience's partners
