"""Dataset events on each entitled partner's NATS subjects (ADR 0010, docs/dataset-delivery.md).

Every dataset event gets one copy on `<prefix>.partner.<partner id>.datasets.<dataset id>.<kind>` for each
partner of the directory whose machine consumers may see it. The one sharing policy decides (`may_see`), for
a viewer standing for those machines: a member of the partner whom no audience names. It must see the event's
label *and* the dataset as labelled now (the event's context, as the live feed requires). Hence a person
named in an audience never brings anything to their partner's subject, and a partner that lost access gets
nothing more. NATS subject permissions then keep each partner on its own tree (`adapters/bus/nats/permissions`).

A copy carries what a member of the partner sees of the event in the live feed (`EventView`): no audience,
so no named person or partner, and no actor.

The copies leave through a relay of their own (its cursor: `nats-partner-datasets`), not through an
in-process consumer: a consumer's handler runs inside a write transaction, which must not wait on NATS, and a
NATS outage would dead-letter every event within a minute. The relay reads without a write lock (decoding
dataset events only), publishes with `Nats-Msg-Id` = `<event id>:<partner id>` (a re-publish after a crash
is dropped by JetStream), moves its cursor once every copy of an event is acknowledged, and backs off while
NATS is away. Its cursor is created at the log's head: the copies begin when NATS is switched on, without
a replay of the dataset history into every partner's stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Final

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.bus.nats.link import JetStreamConfig
from crisislink.adapters.bus.nats.permissions import partner_user_block
from crisislink.adapters.bus.nats.relay import Copy, NatsRelay, Route
from crisislink.adapters.db.queries.dataset_recipients import RecipientContext, recipient_context
from crisislink.adapters.db.queries.views import EventView
from crisislink.app.notifier import Notifier
from crisislink.app.settings import Settings
from crisislink.domains.datasets import events as e
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.kernel.markings import Label, PrincipalKind
from crisislink.kernel.messages import Envelope

log = logging.getLogger(__name__)
RELAY: Final = "nats-partner-datasets"
# The events a machine may act on. FollowersAlerted is addressed to people: its label names the followers.
PUBLISHED: Final = frozenset(event.TYPE for event in e.ALL_EVENTS if event is not e.FollowersAlerted)
_TYPE_ROOT: Final = "crisislink.datasets."
# The user id of a partner's machines: no person has it (people's ids are UUIDv7).
MACHINE: Final = uuid.UUID(int=0)
STOP_CHECK_SECONDS: Final = 0.2
RESTART_SECONDS: Final = 30.0


def machine_viewer(partner_id: uuid.UUID) -> Viewer:
    return Viewer(user_id=MACHINE, partner_id=partner_id)


def _naming_no_person(label: Label) -> Label:
    """The label as it applies to machines: a grant to a named person never reaches a partner's subject."""
    return replace(label, audience=frozenset(p for p in label.audience if p.kind is PrincipalKind.PARTNER))


def receiving_partners(partners: Iterable[uuid.UUID], event: Label, dataset: Label) -> list[uuid.UUID]:
    """The partners whose machine consumers may see an event about a dataset (and the dataset itself)."""
    labels = (_naming_no_person(event), _naming_no_person(dataset))
    return [p for p in partners if all(may_see(machine_viewer(p), label) for label in labels)]


def dataset_event_subject(
    config: JetStreamConfig, partner_id: uuid.UUID, dataset_id: uuid.UUID, event_type: str
) -> str:
    kind = event_type.removeprefix(_TYPE_ROOT)
    return config.partner_subject(partner_id, "datasets", str(dataset_id), kind)


def partner_copies(config: JetStreamConfig, context: RecipientContext, envelope: Envelope) -> list[Copy]:
    dataset_id = envelope.context_id  # a dataset event's context is its dataset
    if envelope.type not in PUBLISHED or dataset_id is None:
        return []
    dataset = context.datasets.get(dataset_id)
    if dataset is None:  # default deny: no dataset, no recipient
        return []
    return [
        Copy(dataset_event_subject(config, partner, dataset_id, envelope.type), f"{envelope.id}:{partner}")
        for partner in receiving_partners(context.partners, envelope.label, dataset)
    ]


def route_to_partners(
    config: JetStreamConfig, conn: sa.Connection, envelopes: Sequence[Envelope]
) -> Mapping[uuid.UUID, Sequence[Copy]]:
    """The relay's route: partner copies of the dataset events among `envelopes`, none of anything else."""
    wanted = [envelope for envelope in envelopes if envelope.type in PUBLISHED]
    if not wanted:
        return {}
    context = recipient_context(conn, {ev.context_id for ev in wanted if ev.context_id is not None})
    return {envelope.id: partner_copies(config, context, envelope) for envelope in wanted}


def feed_record(envelope: Envelope) -> bytes:
    """The body of a partner copy: the event as the live feed sends it, without the label's audience."""
    if envelope.position is None:
        raise ValueError(f"event {envelope.id} was not read from the outbox")
    return msgspec.json.encode(
        EventView(
            position=envelope.position,
            id=envelope.id,
            type=envelope.type,
            version=envelope.version,
            occurred_at=envelope.occurred_at,
            origin_node_id=envelope.origin_node_id,
            owner_partner_id=envelope.label.owner_partner_id,
            marking=envelope.label.marking.value,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.causation_id,
            payload=envelope.payload,
        )
    )


def partner_dataset_relay(engine: Engine, config: JetStreamConfig) -> NatsRelay:
    def copies(conn: sa.Connection, envelopes: Sequence[Envelope]) -> Mapping[uuid.UUID, Sequence[Copy]]:
        return route_to_partners(config, conn, envelopes)

    route = Route(types=PUBLISHED, copies=copies, body=feed_record)
    return NatsRelay(engine, config, name=RELAY, route=route, from_head=True)


def jetstream_config(settings: Settings) -> JetStreamConfig | None:
    """The node's JetStream, or None when NATS is not configured (CRISISLINK_NATS_URL)."""
    if not settings.nats_url:
        return None
    servers = tuple(url.strip() for url in settings.nats_url.split(",") if url.strip())
    return JetStreamConfig(
        servers=servers,
        subject_prefix=settings.nats_subject_prefix,
        client_name=f"crisislink-{settings.node_code}-{RELAY}",
    )


def nats_permissions(
    settings: Settings, partner_id: uuid.UUID, partner_code: str, user: str | None = None
) -> str:
    """The nats-server user entry for one partner's machine consumers (NATS need not be configured yet)."""
    config = jetstream_config(settings) or JetStreamConfig(subject_prefix=settings.nats_subject_prefix)
    name = user or f"partner-{partner_code.lower()}"
    return partner_user_block(
        config, partner_id, name, comment=f"crisislink: machine consumers of {partner_code}"
    )


def start_partner_subjects(
    settings: Settings, engine: Engine, notifier: Notifier, stop: threading.Event
) -> list[threading.Thread]:
    """Start the relay of partner copies if NATS is configured; returns the threads to join at shutdown."""
    config = jetstream_config(settings)
    if config is None:
        return []
    return [relay_in_thread(partner_dataset_relay(engine, config), notifier, stop)]


def relay_in_thread(
    relay: NatsRelay, notifier: Notifier, stop: threading.Event, poll_seconds: float = 1.0
) -> threading.Thread:
    """Run the relay in an event loop of its own until `stop` is set; woken at once by this process's
    commits, and every `poll_seconds` for those of other processes."""
    thread = threading.Thread(
        target=asyncio.run,
        args=(_relay_until(relay, notifier, stop, poll_seconds),),
        name=relay.name,
        daemon=True,
    )
    thread.start()
    return thread


async def _relay_until(relay: NatsRelay, notifier: Notifier, stop: threading.Event, poll: float) -> None:
    stopping = asyncio.Event()
    helpers = [
        asyncio.create_task(_watch(stop, stopping)),
        asyncio.create_task(_kick_on_commit(relay, notifier)),
    ]
    try:
        while not stopping.is_set():
            try:
                await relay.run(stopping, poll)
            except Exception:  # a bug or a broken database must not end the copies for good
                log.exception("the relay of partner dataset copies failed; restarting")
                await _wait(stopping, RESTART_SECONDS)
    finally:
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)


async def _watch(stop: threading.Event, stopping: asyncio.Event) -> None:
    """Carry the platform's (thread) stop signal into this loop."""
    while not stop.is_set():
        await asyncio.sleep(STOP_CHECK_SECONDS)
    stopping.set()


async def _kick_on_commit(relay: NatsRelay, notifier: Notifier) -> None:
    """Wake the relay as soon as this process commits events (others' commits wait for its poll)."""
    seen = notifier.latest
    while True:
        if await notifier.wait(seen, timeout=5.0):
            seen = notifier.latest
            relay.kick()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
