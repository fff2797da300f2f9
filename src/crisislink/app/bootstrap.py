"""The one place that chooses concrete adapters and wires them to handlers. Nothing runs at import."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine

from crisislink.adapters.auth import revocation
from crisislink.adapters.auth.passwords import Argon2Hasher
from crisislink.adapters.bus.dispatcher import Consumer, OutboxDispatcher
from crisislink.adapters.db.changes import change_probe
from crisislink.adapters.db.codec import EventRegistry
from crisislink.adapters.db.engine import make_engine, writer
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.standards.cap_keys import StoredIdentity
from crisislink.adapters.standards.cap_signature import NodeIdentity
from crisislink.app import schedule
from crisislink.app.assistance import assistance_handlers, assistance_layers
from crisislink.app.assistance_notifications import desk_notice_consumers, desk_notice_handlers
from crisislink.app.bus import CommandHandler, MessageBus
from crisislink.app.dataset_access import EVENTS as DATASET_ACCESS_EVENTS
from crisislink.app.dataset_access import dataset_access_consumers, dataset_access_handlers
from crisislink.app.dataset_contact_notices import stale_notice_consumers, stale_notice_handlers
from crisislink.app.dataset_subjects import start_partner_subjects
from crisislink.app.datasets import dataset_handlers, dataset_layers
from crisislink.app.external_warnings import external_handlers, external_layers
from crisislink.app.incidents import incident_handlers, incident_layers
from crisislink.app.layers import LayerRegistry, sharing_layers
from crisislink.app.live_tail import LiveTail
from crisislink.app.notifier import Notifier
from crisislink.app.read_cache import ReadCache
from crisislink.app.readiness import comm_test_sender, readiness_handlers
from crisislink.app.settings import Settings
from crisislink.app.warning_channels import ChannelSet, load_channels
from crisislink.app.warning_delivery import DeliveryWorker
from crisislink.app.warning_publications import Publisher
from crisislink.app.warnings import AreaTargeting, warning_handlers
from crisislink.domains.assistance.events import ALL_EVENTS as ASSISTANCE_EVENTS
from crisislink.domains.datasets.events import ALL_EVENTS as DATASET_EVENTS
from crisislink.domains.incidents.events import ALL_EVENTS as INCIDENT_EVENTS
from crisislink.domains.readiness.events import ALL_EVENTS as READINESS_EVENTS
from crisislink.domains.readiness.ports import Sender
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing import handlers as sh
from crisislink.domains.sharing.events import ALL_EVENTS as SHARING_EVENTS
from crisislink.domains.sharing.ports import PasswordHasher
from crisislink.domains.warnings.events import ALL_EVENTS as WARNING_EVENTS
from crisislink.domains.warnings.external_events import EXTERNAL_EVENTS
from crisislink.kernel.clock import Clock, SystemClock
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Command, Envelope


def command_handlers(hasher: PasswordHasher, clock: Clock) -> dict[type[Command], CommandHandler]:
    return {
        sc.RegisterNode: sh.register_node,
        sc.RegisterPartner: sh.register_partner,
        sc.UpdatePartner: sh.update_partner,
        sc.AddUser: partial(sh.add_user, hasher=hasher),
        sc.UpdateUser: sh.update_user,
        sc.SetPassword: partial(sh.set_password, hasher=hasher),
        sc.SetPreferences: sh.set_preferences,
        sc.IssueApiToken: partial(sh.issue_api_token, now=clock.now),
        sc.RevokeApiToken: sh.revoke_api_token,
        sc.CreateContactPoint: sh.create_contact_point,
        sc.UpdateContactPoint: sh.update_contact_point,
        sc.RemoveContactPoint: sh.remove_contact_point,
    }


def built_in_consumers() -> dict[str, Consumer]:
    return {
        revocation.CONSUMER: Consumer(
            revocation.CONSUMER, revocation.EVENT_TYPES, revocation.end_sessions_on_credential_change
        )
    }


def event_registry() -> EventRegistry:
    return EventRegistry(
        (
            *SHARING_EVENTS,
            *INCIDENT_EVENTS,
            *WARNING_EVENTS,
            *EXTERNAL_EVENTS,
            *ASSISTANCE_EVENTS,
            *READINESS_EVENTS,
            *DATASET_EVENTS,
            *DATASET_ACCESS_EVENTS,  # dataset access requests (line 4)
        )
    )


@dataclass
class Platform:
    """Everything a running node needs, built once by the entry point."""

    settings: Settings
    engine: Engine
    clock: Clock
    hasher: PasswordHasher
    registry: EventRegistry
    notifier: Notifier
    node_id: uuid.UUID = field(default_factory=new_id)
    consumers: dict[str, Consumer] = field(default_factory=dict)
    layers: LayerRegistry = field(default_factory=LayerRegistry)
    reference: ReferenceData = field(default_factory=ReferenceData)
    read_cache: ReadCache = field(default_factory=lambda: ReadCache(None))
    targeting: AreaTargeting = field(default_factory=AreaTargeting)
    channels: ChannelSet = field(default_factory=ChannelSet)
    signing_identity: Callable[[], NodeIdentity] | None = None
    comm_sender: Sender | None = None  # communication tests (line 4); from the settings unless given
    live_tail: LiveTail = field(init=False)  # the live feed's one reader of the event log
    delivery: DeliveryWorker = field(init=False)
    bus: MessageBus = field(init=False)
    dispatcher: OutboxDispatcher = field(init=False)
    _write_engine: Engine = field(init=False)  # the engine's writer view, built once
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.live_tail = LiveTail(self.engine)
        self._write_engine = writer(self.engine)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._write_engine, self.node_id, self.clock.now)

    def wire(self, extra_handlers: Mapping[type[Command], CommandHandler] | None = None) -> None:
        handlers = {
            **command_handlers(self.hasher, self.clock),
            **incident_handlers(self.engine, self.reference, self.settings, self.clock),
            **external_handlers(self.clock),
            **warning_handlers(self.settings, self.clock),
            **assistance_handlers(self.settings, self.clock),
            **desk_notice_handlers(self.settings, self.clock, self.comm_sender),  # assistance (line 2)
            **stale_notice_handlers(self.settings, self.clock, self.comm_sender),  # datasets (line 4)
            **readiness_handlers(
                self.settings, self.clock, self.comm_sender or comm_test_sender(self.settings)
            ),
            **dataset_handlers(self.clock),  # datasets (line 4)
            **dataset_access_handlers(self.clock),  # dataset access, webhooks, pull sources (line 4)
            **(extra_handlers or {}),
        }
        identity = self.signing_identity or StoredIdentity(
            self.settings.data_dir / "cap", f"{self.settings.node_code}.crisislink node"
        )
        publisher = Publisher(identity, self.channels, self.clock.now)
        self.delivery = DeliveryWorker(self.engine, self.channels, self.clock.now, self.settings.public_url)
        # The delivery worker wakes when the publisher has queued something, not after every commit.
        publishing = replace(publisher.consumer(), after_commit=self.delivery.kick)
        consumers = {**self.consumers, publishing.name: publishing}
        consumers |= dataset_access_consumers(self.clock)  # dataset webhooks (line 4)
        consumers |= desk_notice_consumers(self.settings, self.clock)  # assistance steps told (line 2)
        consumers |= stale_notice_consumers(self.settings, self.clock)  # stale datasets told (line 4)
        self.dispatcher = OutboxDispatcher(self.engine, self.registry, consumers, self.uow, self.clock.now)
        self.dispatcher.after_delivery = self._committed
        self.bus = MessageBus(handlers, self.uow, self._committed)

    def _committed(self, envelopes: list[Envelope]) -> None:
        positions = [e.position for e in envelopes if e.position is not None]
        if positions:
            self.notifier.notify(max(positions))
        self.dispatcher.kick()

    def start_background(self) -> None:
        outbox = threading.Thread(
            target=self.dispatcher.run_forever, args=(self._stop,), name="outbox", daemon=True
        )
        ticker = threading.Thread(
            target=schedule.run_forever, args=(self.bus, self._stop), name="schedule", daemon=True
        )
        delivery = threading.Thread(
            target=self.delivery.run_forever, args=(self._stop,), name="warning-delivery", daemon=True
        )
        for thread in (outbox, ticker, delivery):
            thread.start()
            self._threads.append(thread)
        self._threads += start_partner_subjects(self.settings, self.engine, self.notifier, self._stop)  # NATS

    def stop(self) -> None:
        self._stop.set()
        self.read_cache.close()
        self.dispatcher.kick()
        self.delivery.kick()
        for thread in self._threads:
            thread.join(timeout=5)
        self.channels.close()
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    *,
    clock: Clock | None = None,
    consumers: Mapping[str, Consumer] | None = None,
    engine_factory: Callable[[str], Engine] = make_engine,
    **overrides: Any,
) -> Platform:
    hasher: PasswordHasher = overrides.get("hasher") or (
        Argon2Hasher.fast_for_tests() if settings.argon2_fast else Argon2Hasher()
    )
    platform = Platform(
        settings=settings,
        engine=engine_factory(settings.database_url),
        clock=clock or SystemClock(),
        hasher=hasher,
        registry=event_registry(),
        notifier=Notifier(),
        consumers={**built_in_consumers(), **(consumers or {})},
        channels=overrides.get("channels") or load_channels(settings.channels_file),
        signing_identity=overrides.get("signing_identity"),
        comm_sender=overrides.get("comm_sender") or comm_test_sender(settings),
    )
    platform.read_cache = ReadCache(change_probe(platform.engine))
    for layer in (
        *sharing_layers(),
        *incident_layers(),
        *external_layers(),
        *assistance_layers(),
        *dataset_layers(),
    ):
        platform.layers.register(layer)
    platform.wire(overrides.get("handlers"))
    return platform
