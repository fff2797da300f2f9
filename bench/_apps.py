"""ASGI factories the benchmarks serve with granian in a subprocess (`bench._apps:full_app`, `:bare_app`).

Configuration comes from the environment the benchmark sets; nothing happens at import.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import msgspec
from litestar import Litestar, get
from litestar.exceptions import NotFoundException

from crisislink.adapters.bus.dispatcher import Consumer
from crisislink.adapters.db.queries.views import ContactPointView
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.app.bootstrap import bootstrap
from crisislink.app.seeding import ensure_local_node
from crisislink.app.settings import Settings
from crisislink.domains.sharing.events import ContactPointCreated
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.messages import Event

ENV_DATABASE = "CRISISLINK_DATABASE_URL"
ENV_PROBE = "CRISISLINK_BENCH_PROBE"
ENV_BODY = "CRISISLINK_BENCH_BODY"
PROBE_CONSUMER = "bench-probe"


class DeliveryCount(msgspec.Struct):
    count: int
    last: float  # time.monotonic() (CLOCK_MONOTONIC: comparable across processes) of the latest delivery


class Deliveries(msgspec.Struct):
    delivered: dict[str, float]  # contact point id -> time.monotonic() when the consumer ran


class Probe:
    """An in-process consumer of ContactPointCreated that notes when each event reached it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._delivered: dict[str, float] = {}
        self._last = 0.0

    def __call__(self, event: Event, _uow: SqlUnitOfWork, /) -> None:
        if isinstance(event, ContactPointCreated):
            now = time.monotonic()
            with self._lock:
                self._delivered[str(event.contact_point_id)] = now
                self._last = max(self._last, now)

    def count(self) -> DeliveryCount:
        with self._lock:
            return DeliveryCount(count=len(self._delivered), last=self._last)

    def all(self) -> Deliveries:
        with self._lock:
            return Deliveries(delivered=dict(self._delivered))


def full_app() -> Litestar:
    """The real application (bootstrap + create_app), plus read-only probe routes under /_bench."""
    settings = Settings(database_url=os.environ[ENV_DATABASE], node_code="be", argon2_fast=True)
    probe = Probe()
    consumers: dict[str, Consumer] = {}
    if os.environ.get(ENV_PROBE) == "1":
        consumers[PROBE_CONSUMER] = Consumer(
            name=PROBE_CONSUMER, event_types=frozenset({ContactPointCreated.TYPE}), handler=probe
        )
    platform = bootstrap(settings, consumers=consumers)
    ensure_local_node(platform)
    platform.start_background()

    @get("/_bench/deliveries/count", sync_to_thread=False, include_in_schema=False)
    def delivery_count() -> DeliveryCount:
        return probe.count()

    @get("/_bench/deliveries", sync_to_thread=False, include_in_schema=False)
    def deliveries() -> Deliveries:
        return probe.all()

    @get("/_bench/threads", sync_to_thread=False, include_in_schema=False)
    def thread_names() -> dict[str, str]:
        """The operating system's id of each Python thread, and its name (for per-thread CPU time)."""
        return {str(thread.native_id): thread.name for thread in threading.enumerate()}

    return create_app(platform, extra_routes=(delivery_count, deliveries, thread_names))


def bare_app() -> Litestar:
    """The floor: the same route shape on Litestar + msgspec, returning a typed record held in memory.

    The record is decoded from the exact JSON bytes the full application served, so both send the same body.
    """
    view = msgspec.json.decode(Path(os.environ[ENV_BODY]).read_bytes(), type=ContactPointView)

    @get("/api/contact-points/{contact_id:uuid}", sync_to_thread=False)
    def one_contact(contact_id: uuid.UUID) -> ContactPointView:
        if contact_id != view.id:
            raise NotFoundException(f"no point of contact with id {contact_id}")
        return view

    return Litestar(route_handlers=[one_contact], debug=False)
