"""Pull adapters: poll a partner's URL on a schedule and ingest what it serves through the push path.

Like the neighbours' CAP feeds, a round is claim (short transaction) -> read (no transaction open, so the
node's one SQLite writer is never held during network work) -> ingest (`IngestObservations`, the same
command a push uses: checked, idempotent) -> record the outcome. A failure doubles the wait before the
next poll (at most a day), shown as `failures` and `last_error` on the pull source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

import httpx
import msgspec

from crisislink.adapters.db import dataset_delivery as store
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.adapters.feeds.http_fetch import fetch, new_client, require_http
from crisislink.adapters.standards import observation_formats as formats
from crisislink.app.bus import MessageBus
from crisislink.domains.datasets.commands import Batch, IngestObservations
from crisislink.domains.datasets.delivery_commands import (
    ClaimDuePullSources,
    DuePull,
    PullFormat,
    RecordPull,
    RemovePullSource,
    SetPullSource,
)
from crisislink.domains.datasets.ingest_handlers import IngestResult, IngestRules
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.domains.datasets.permissions import require_owner
from crisislink.domains.datasets.pull_schedule import wait_after
from crisislink.kernel.errors import CrisislinkError, InvalidInput
from crisislink.kernel.messages import SYSTEM

log = logging.getLogger(__name__)
LEASE: Final = timedelta(minutes=5)
MAX_BYTES: Final = 20 * 1024 * 1024
LIMIT: Final = IngestRules().max_records
ACCEPT: Final = {
    PullFormat.CSV: "text/csv",
    PullFormat.GEOJSON: "application/geo+json, application/json;q=0.9",
    PullFormat.SENSORTHINGS: "application/json",
}
Now = Callable[[], datetime]


def set_source(cmd: SetPullSource, uow: SqlUnitOfWork, now: Now) -> None:
    dataset = uow.datasets.get(cmd.dataset_id)
    require_owner(cmd.actor, dataset)
    if not timedelta(minutes=1) <= cmd.interval <= timedelta(days=1):
        raise InvalidInput("poll every 1 minute to 1 day")
    try:
        url = require_http(cmd.url.strip())
    except CrisislinkError as error:
        raise InvalidInput(error.message) from None
    values: dict[str, Any] = {
        "url": url,
        "format": cmd.format.value,
        "interval_seconds": int(cmd.interval.total_seconds()),
        "next_poll_at": now(),
        "failures": 0,
        "last_error": None,
    }
    p = t.dataset_pull_sources
    if store.pull_source(uow.connection, dataset.id) is None:
        uow.connection.execute(p.insert().values(dataset_id=dataset.id, created_at=now(), **values))
    else:
        uow.connection.execute(p.update().where(p.c.dataset_id == dataset.id).values(**values))
    uow.touched(f"dataset-pull-source:{dataset.id}")
    uow.commit()


def remove_source(cmd: RemovePullSource, uow: SqlUnitOfWork) -> None:
    require_owner(cmd.actor, uow.datasets.get(cmd.dataset_id))
    p = t.dataset_pull_sources
    uow.connection.execute(p.delete().where(p.c.dataset_id == cmd.dataset_id))
    uow.touched(f"dataset-pull-source:{cmd.dataset_id}")
    uow.commit()


def claim(cmd: ClaimDuePullSources, uow: SqlUnitOfWork, now: Now) -> list[DuePull]:  # noqa: ARG001
    due = store.claim_pulls(uow.connection, now(), LEASE, limit=20)
    uow.commit()
    return due


def record(cmd: RecordPull, uow: SqlUnitOfWork, now: Now) -> None:
    source = store.pull_source(uow.connection, cmd.dataset_id)
    if source is None:  # removed meanwhile
        return
    moment = now()
    interval = timedelta(seconds=source["interval_seconds"])
    values: dict[str, Any] = {"last_polled_at": moment}
    if cmd.stored is not None:  # read and ingested (some records may have been refused: last_error says)
        values |= {
            "failures": 0,
            "last_error": cmd.error,
            "last_success_at": moment,
            "last_stored": cmd.stored,
        }
        values["next_poll_at"] = moment + interval
    else:
        failures = source["failures"] + 1
        wait = wait_after(interval, failures)
        values |= {"failures": failures, "last_error": cmd.error, "next_poll_at": moment + wait}
    p = t.dataset_pull_sources
    uow.connection.execute(p.update().where(p.c.dataset_id == cmd.dataset_id).values(**values))
    uow.commit()


def sensorthings(body: bytes, limit: int) -> tuple[IncomingRecord, ...]:
    """OGC SensorThings Observations: {"value": [{"phenomenonTime", "result", "Datastream": {"name"}}]}."""
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise InvalidInput(f"the body is not valid JSON: {error}") from None
    items = data.get("value") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InvalidInput('expected SensorThings Observations: {"value": [...]}')
    if len(items) > limit:
        raise InvalidInput(f"at most {limit} observations per poll")
    return tuple(_observation(item) for item in items)


def _observation(item: object) -> IncomingRecord:
    if not isinstance(item, dict):
        return IncomingRecord({}, problem=("", "an observation must be a JSON object"))
    stream = item.get("Datastream")
    series = item.get("series") or (stream.get("name") if isinstance(stream, dict) else None)
    when = item.get("phenomenonTime")
    if isinstance(when, str) and "/" in when:  # an interval: the observation holds at its end
        when = when.split("/")[-1]
    extra = {k: v for k, v in item.items() if k not in {"Datastream", "phenomenonTime", "result", "series"}}
    extra = {k: v for k, v in extra.items() if not k.startswith("@iot.")}
    return IncomingRecord({"series": series, "observed_at": when, "value": item.get("result"), **extra})


def parse(pull: DuePull, body: bytes) -> tuple[IncomingRecord, ...]:
    if pull.format is PullFormat.CSV:
        return formats.from_csv(body, pull.record_schema, LIMIT)
    if pull.format is PullFormat.GEOJSON:
        return formats.from_geojson(body, LIMIT)
    return sensorthings(body, LIMIT)


def _poll(bus: MessageBus, client: httpx.Client, pull: DuePull) -> int:
    try:
        records = parse(pull, fetch(client, pull.url, max_bytes=MAX_BYTES, accept=ACCEPT[pull.format]).body)
        result: IngestResult = bus.handle(
            IngestObservations(actor=SYSTEM, dataset_id=pull.dataset_id, batch=Batch(records))
        )
    except CrisislinkError as error:
        log.warning("pulling %s failed: %s", pull.url, error.message)
        bus.handle(RecordPull(actor=SYSTEM, dataset_id=pull.dataset_id, stored=None, error=error.message))
        return 0
    refused = f"{result.rejected} record(s) refused" if result.rejected else None
    bus.handle(RecordPull(actor=SYSTEM, dataset_id=pull.dataset_id, stored=result.stored, error=refused))
    return result.stored


def poll_due_sources(bus: MessageBus, client: httpx.Client | None = None) -> int:
    """One round (run by the schedule): returns how many observations were stored."""
    due: list[DuePull] = bus.handle(ClaimDuePullSources(actor=SYSTEM))
    if not due:
        return 0
    http = client or new_client(20.0)
    try:
        return sum(_poll(bus, http, pull) for pull in due)
    finally:
        if client is None:
            http.close()
