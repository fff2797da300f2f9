"""Datasets ingest: observations per second pushed over HTTP in batches of 1,000, stored, and fanned out live
to 100 subscribers of the live feed; on SQLite and on PostgreSQL, next to the database driver alone.

Data: the test world of tests/support.py, plus 100 subscriber accounts (spread over its three partners),
each with its own read token, so the feed serves 100 different viewers; one GREEN dataset of BE-NCCN with
100 declared series (with thresholds the values never reach) and a JSON Schema for its records (series,
observed_at, value, quality). Each batch is 1,000 JSON records: ten consecutive minutes of the 100 series,
each batch later than the one before.

Timed: POST /api/datasets/{id}/observations with the publisher's write token, on a real server (granian,
ASGI, 1 worker, subprocess): decode -> every record checked against the schema -> one unit of work (one
bulk INSERT ... ON CONFLICT DO NOTHING ... RETURNING, the dataset's row, one outbox event, the audit entry)
-> commit -> 201 with the counts; then the live feed: the process's shared tail reads the batch's event
once, and each of the 100 subscribers (GET /api/events, raw asyncio sockets in a child process) gets its
copy through the policy applied in memory (ADR 0011). Throughput =
observations stored / (first POST sent .. the last batch's event received by every subscriber). Latency =
received by a subscriber - POST sent, over every (batch, subscriber) pair. `--clients` publishers push
concurrently (default 2, so one batch's HTTP work overlaps another's commit).

Floor (same run, same rows): the driver alone inserting the same observation rows (the stored form of a row
the application wrote, with new keys), 1,000 per transaction with executemany: `sqlite3` with the
application's pragmas (WAL, synchronous=FULL) into a copy of the database, or `psycopg` into the PostgreSQL
database; measured before and after the application, and averaged.

Check: every batch answered 201 with stored=1000; every subscriber received every batch's event exactly
once; the database holds exactly the observations sent.

Targets: >= 20,000 observations/s on SQLite with p99 end-to-end latency < 250 ms.

    python -m bench.datasets_ingest [--quick] [--batches 150] [--clients 2] [--subscribers 100] [--no-postgres]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import granian
import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import fresh_postgres_database, postgres_available

from bench import _profile
from bench import _support as s
from bench._apps import ENV_DATABASE
from bench._dataset_setup import BATCH, SERIES, Setup, batch_body, floor_rate, prepare, stored_count
from bench._sse import Receipts, Subscribers

PROFILE_ROOTS = (
    ("POST handler, worker thread", "_ingest"),
    ("  of which decoding the body", "from_json"),
    ("  of which the command (bus -> unit of work -> commit)", "MessageBus.handle"),
    ("    of which waiting for the write lock (another batch holds it)", "_sqlite_engine.<locals>._on_begin"),
    ("    of which loading the dataset", "DatasetRepository.get_for_ingest"),
    ("    of which checking the records", "check_records"),
    ("    of which the bulk insert", "ObservationStore.add"),
    ("    of which newest values and thresholds", "take"),
    ("    of which the commit (dataset row, outbox, audit, COMMIT)", "SqlUnitOfWork.commit"),
    ("live feed: the shared tail's read of new events (once per wake-up)", "LiveTail.refresh"),
    ("live feed: a reader's catch-up through SQL (behind the tail's window)", "next_batch"),
    ("event loop (routing, bodies, SSE frames)", "Litestar.__call__"),
    ("outbox dispatcher thread", "OutboxDispatcher.drain"),
)
TARGET_RATE = 20_000.0
TARGET_P99_MS = 250.0
RECEIVED = "crisislink.datasets.observations_received"


@dataclass
class Sent:
    at: dict[str, float] = field(default_factory=dict)  # batch key (its first observed_at) -> POST sent
    answered: float = 0.0
    errors: list[str] = field(default_factory=list)


def _publisher(
    base: str,
    setup: Setup,
    bodies: list[tuple[str, bytes]],
    order: itertools.count[int],
    lock: threading.Lock,
    sent: Sent,
) -> None:
    headers = {"authorization": f"Bearer {setup.write_token}", "content-type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        while True:
            with lock:
                position = next(order)
            if position >= len(bodies):
                return
            key, body = bodies[position]
            started = time.monotonic()
            response = client.post(f"/api/datasets/{setup.dataset_id}/observations", content=body)
            finished = time.monotonic()
            if response.status_code != 201 or response.json()["stored"] != BATCH:
                sent.errors.append(f"{response.status_code}: {response.text[:200]}")
                continue
            sent.at[key] = started
            sent.answered = max(sent.answered, finished)


def push(base: str, setup: Setup, indices: list[int], clients: int) -> Sent:
    """Push the batches with `clients` publishers; the bodies are encoded before the clock starts."""
    bodies = [batch_body(index) for index in indices]
    sent, order, lock = Sent(), itertools.count(), threading.Lock()
    threads = [
        threading.Thread(target=_publisher, args=(base, setup, bodies, order, lock, sent), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return sent


@dataclass
class Result:
    database: str
    observations: int
    seconds: float  # first POST .. the last subscriber has the last batch event
    answered_seconds: float  # first POST .. last 201
    latencies_ms: list[float]
    missing: int
    duplicates: int
    errors: list[str]
    floor: float
    floor_runs: list[float]
    subscribers: int
    profile: str | None = None

    @property
    def rate(self) -> float:
        return self.observations / self.seconds


def measure(url: str, label: str, args: argparse.Namespace, work: Path) -> Result:
    setup = prepare(url, args.subscribers)
    with s.granian("bench._apps:full_app", {ENV_DATABASE: url}, work, ready_path="/api/health") as server:
        warm = push(server.base_url, setup, list(range(3)), 1)
        if warm.errors:
            raise SystemExit(f"warm-up failed: {warm.errors[:2]}")
        floors = [floor_rate(url, setup, work, args.floor_batches)]  # the server idles meanwhile
        subscribers = Subscribers(s.LOOPBACK, server.port, setup.read_tokens, RECEIVED, "first_observed_at")
        sent = push(server.base_url, setup, list(range(3, 3 + args.batches)), args.clients)
        receipts = subscribers.wait(len(sent.at), seconds=120)
        floors.append(floor_rate(url, setup, work, args.floor_batches))
        profile = _profiled(server, setup, work, args) if args.profile else None
    expected, stored = (3 + args.batches + (args.batches if profile else 0)) * BATCH, stored_count(url, setup)
    if stored != expected:
        sent.errors.append(f"the database holds {stored} observations of the batches, {expected} were sent")
    result = _result(label, sent, receipts, floors, args.subscribers)
    result.profile = profile
    return result


def _profiled(server: s.RunningServer, setup: Setup, work: Path, args: argparse.Namespace) -> str | None:
    """An extra, uncounted phase under py-spy (the profiler slows the server); subscribers connected."""
    subscribers = Subscribers(s.LOOPBACK, server.port, setup.read_tokens, RECEIVED, "first_observed_at")
    profiler = _profile.start(server, work)
    if profiler is None:
        return None
    first = 3 + args.batches
    sent = push(server.base_url, setup, list(range(first, first + args.batches)), args.clients)
    subscribers.wait(len(sent.at), seconds=120)
    return _profile.stop(profiler, None, PROFILE_ROOTS, len(sent.at), "batch")


def _result(label: str, sent: Sent, receipts: Receipts, floors: list[float], subscribers: int) -> Result:
    start = min(sent.at.values())
    latencies, missing, last = [], 0, start
    for arrived in receipts.arrived:
        for key, at in sent.at.items():
            if key in arrived:
                latencies.append((arrived[key] - at) * 1000)
                last = max(last, arrived[key])
            else:
                missing += 1
    return Result(
        database=label,
        observations=len(sent.at) * BATCH,
        seconds=last - start,
        answered_seconds=sent.answered - start,
        latencies_ms=latencies,
        missing=missing,
        duplicates=receipts.duplicates,
        errors=sent.errors + receipts.errors,
        floor=sum(floors) / len(floors),
        floor_runs=floors,
        subscribers=subscribers,
    )


def report(result: Result) -> bool:
    lat = result.latencies_ms
    p50, p99 = s.percentile(lat, 50), s.percentile(lat, 99)
    s.heading(f"{result.database}: through the application, fanned out to {result.subscribers} subscribers")
    print(
        f"{result.rate:10.0f} observations/s until every subscriber had every batch event "
        f"({result.observations} observations in {result.seconds:.2f} s; "
        f"{result.observations / result.answered_seconds:.0f}/s until the last 201)"
    )
    print(
        f"  end-to-end latency, POST sent -> event at a subscriber: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(lat):.1f} ms"
    )
    print(
        f"  checks: {result.missing} (batch, subscriber) pairs missing, {result.duplicates} duplicates, {len(result.errors)} errors"
    )
    for error in result.errors[:3]:
        print(f"  error: {error}")
    floors = ", ".join(f"{f:.0f}" for f in result.floor_runs)
    print(
        f"raw floor (driver alone, executemany, 1,000 rows per transaction): {result.floor:.0f} rows/s ({floors})"
    )
    ratio = result.rate / result.floor
    print(f"RESULT {result.database} ingest vs driver floor: ratio {ratio:.3f}")
    ok = not result.missing and not result.duplicates and not result.errors
    if result.database == "SQLite":
        met = result.rate >= TARGET_RATE and p99 < TARGET_P99_MS and ok
        print(
            f"RESULT SQLite: {result.rate:.0f} observations/s (target >= {TARGET_RATE:.0f}), p99 {p99:.1f} ms "
            f"(target < {TARGET_P99_MS:.0f} ms) -> {'MET' if met else 'NOT MET'}"
        )
        return met
    return ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--batches", type=int, default=None, help="timed batches of 1,000 (default 150)")
    parser.add_argument("--clients", type=int, default=2, choices=(1, 2, 3, 4), help="concurrent publishers")
    parser.add_argument("--subscribers", type=int, default=100, help="live-feed subscribers")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--tmpdir", default=None, help="where the scratch databases go (not a tmpfs)")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the server in an extra, uncounted phase"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.batches = args.batches or (15 if args.quick else 150)
    args.floor_batches = 10 if args.quick else 50
    if args.quick:
        args.subscribers = min(args.subscribers, 20)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    s.heading(
        "datasets ingest: POST observations (1,000 per batch) -> stored -> live feed, vs the driver alone"
    )
    print(s.machine_line())
    print(
        f"server: granian {granian.__version__}, ASGI, 1 worker (subprocess); {args.clients} publisher(s) (httpx)"
    )
    print(f"{args.batches} timed batches of {BATCH} observations ({SERIES} series x 10 minutes)")
    results: list[Result] = []
    with s.scratch_dir(args.tmpdir) as work:
        print(f"SQLite database in {work} on {s.filesystem_of(work)} (WAL, synchronous=FULL)")
        results.append(measure(s.sqlite_url(work / "app.db"), "SQLite", args, work))
        if args.no_postgres:
            print("PostgreSQL skipped: --no-postgres")
        elif not postgres_available():
            print("PostgreSQL skipped: no server answers at CRISISLINK_TEST_PG_URL (tests/support.py)")
        else:
            with fresh_postgres_database() as url:
                results.append(measure(url, "PostgreSQL", args, work))
    met = [report(result) for result in results]
    for result in results:
        if result.profile:
            s.heading(f"{result.database}: where the server's time goes (py-spy, extra phase)")
            print(result.profile)
    return 1 if args.strict and not all(met) else 0


if __name__ == "__main__":
    raise SystemExit(main())
