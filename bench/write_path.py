"""Write path: commands per second from HTTP to a delivered event, next to the raw SQLite floor.

What is timed: POST /api/contact-points on a real server (granian, ASGI, 1 worker, in a subprocess) ->
Litestar handler -> message bus -> command handler -> unit of work -> one SQLite transaction (contact point,
outbox event, audit entry, audit head; WAL, synchronous=FULL, BEGIN IMMEDIATE) -> commit -> the outbox
dispatcher thread -> an in-process consumer (bench/_apps.py `Probe`) that notes when each event reached it.
The clock stops when the last event of the batch has been delivered.

The baseline, measured in the same run on a copy of the same database: plain `sqlite3` inserting the same
contact-point rows (values copied from a row the app wrote, new ids) with the same pragmas, one
BEGIN IMMEDIATE ... COMMIT per row. For context it also times every row one command writes
(contact point + event + audit entry + audit-head update) per transaction.

Targets: app rate >= 25 % of the raw floor; p99 latency of one command (one client) < 20 ms.

    python -m bench.write_path [--quick] [--requests N] [--clients 2] [--profile]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import granian
import httpx
import msgspec

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import PASSWORD

from bench import _profile, _thread_cpu
from bench import _support as s
from bench._apps import ENV_DATABASE, ENV_PROBE, Deliveries, DeliveryCount
from crisislink.adapters.db.engine import SQLITE_PRAGMAS

TARGET_RATIO = 0.25
TARGET_P99_MS = 20.0
PROFILE_ROOTS = (
    ("HTTP handler, worker thread", "ContactPointController.create"),
    ("  of which the command (bus -> unit of work -> commit)", "MessageBus.handle"),
    ("  of which reading the record back for the response", "get_contact_point"),
    ("event loop (routing, body decoding, response encoding)", "Litestar.__call__"),
    ("outbox dispatcher thread (delivery to the consumer)", "OutboxDispatcher.drain"),
)
USERNAME = "be.duty"  # duty officer of BE-NCCN: may create that partner's points of contact


def contact_body(partner_id: uuid.UUID, i: int) -> bytes:
    return msgspec.json.encode(
        {
            "partner_id": str(partner_id),
            "role": "duty_desk_24_7",
            "name": f"Bench desk {i:06d}",
            "channels": [
                {"kind": "phone", "value": "+32 2 555 01 23"},
                {"kind": "email", "value": f"desk{i}@partner.example"},
            ],
            "languages": ["nl", "fr"],
            "hours": {
                "always": False,
                "timezone": "Europe/Brussels",
                "windows": [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "17:30"}],
            },
            "marking": "GREEN",
            "notes": "Ask for the officer of the day.",
        }
    )


def sign_in(base_url: str) -> dict[str, str]:
    """Headers that carry the session cookie and the CSRF token of a signed-in duty officer."""
    response = httpx.post(
        base_url + "/api/auth/login", json={"username": USERNAME, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    cookie = response.cookies["crisislink_session"]
    return {
        "cookie": f"crisislink_session={cookie}",
        "x-csrf-token": response.json()["csrf_token"],
        "content-type": "application/json",
        "accept-encoding": "identity",
    }


# --------------------------------------------------------------------------- through the application


@dataclass
class Phase:
    """One batch of commands from `clients` clients, timed from the first request to the last delivery."""

    clients: int
    sent_at: dict[str, float] = field(default_factory=dict)  # contact id -> monotonic time the POST started
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    last_response: float = 0.0
    last_delivery: float = 0.0
    delivery_ms: list[float] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.sent_at)


@dataclass
class Totals:
    """Phases of the same kind over all rounds."""

    clients: int
    done: int = 0
    seconds: float = 0.0  # first request -> last event delivered, summed over rounds
    response_seconds: float = 0.0  # first request -> last response
    latencies_ms: list[float] = field(default_factory=list)
    delivery_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    per_round: list[float] = field(default_factory=list)

    def add(self, phase: Phase) -> None:
        self.done += phase.done
        self.seconds += phase.last_delivery - phase.started
        self.response_seconds += phase.last_response - phase.started
        self.latencies_ms += phase.latencies_ms
        self.delivery_ms += phase.delivery_ms
        self.errors += phase.errors
        self.per_round.append(phase.done / (phase.last_delivery - phase.started))

    @property
    def rate(self) -> float:
        return self.done / self.seconds

    def lines(self) -> list[str]:
        lat, lag = self.latencies_ms, self.delivery_ms
        return [
            f"{self.clients} client(s): {self.done} commands, {len(self.errors)} errors",
            f"  {self.rate:8.1f} commands/s until the last event was delivered "
            f"({self.done / self.response_seconds:.1f}/s until the last response); "
            f"per round: {', '.join(f'{r:.0f}' for r in self.per_round)}",
            f"  latency of one command (HTTP round trip): p50 {s.percentile(lat, 50):.2f} ms, "
            f"p99 {s.percentile(lat, 99):.2f} ms, max {max(lat):.2f} ms",
            f"  command sent -> event delivered to the consumer: p50 {s.percentile(lag, 50):.2f} ms, "
            f"p99 {s.percentile(lag, 99):.2f} ms",
        ]


@dataclass
class FloorTotals:
    done: int = 0
    seconds: float = 0.0
    per_round: list[float] = field(default_factory=list)

    def add(self, done: int, seconds: float) -> None:
        self.done += done
        self.seconds += seconds
        self.per_round.append(done / seconds)

    @property
    def rate(self) -> float:
        return self.done / self.seconds

    def line(self) -> str:
        rounds = ", ".join(f"{r:.0f}" for r in self.per_round)
        return f"{self.rate:8.1f}/s ({self.done} transactions; per round: {rounds})"


def _client_loop(
    base_url: str,
    headers: dict[str, str],
    bodies: list[bytes],
    order: itertools.count[int],
    lock: threading.Lock,
    deadline: float,
    phase: Phase,
) -> None:
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        while time.monotonic() < deadline:
            with lock:
                index = next(order)
            if index >= len(bodies):
                return
            started = time.monotonic()
            response = client.post("/api/contact-points", content=bodies[index])
            finished = time.monotonic()
            if response.status_code != 201:
                phase.errors.append(f"{response.status_code}: {response.text[:200]}")
                continue
            phase.sent_at[response.json()["id"]] = started
            phase.latencies_ms.append((finished - started) * 1000)
            phase.last_response = max(phase.last_response, finished)


def _thread_names(base_url: str) -> dict[int, str]:
    names = httpx.get(base_url + "/_bench/threads", timeout=30).json()
    return {int(tid): str(name) for tid, name in names.items()}


def _delivered_count(base_url: str) -> DeliveryCount:
    response = httpx.get(base_url + "/_bench/deliveries/count", timeout=30)
    return msgspec.json.decode(response.content, type=DeliveryCount)


def run_phase(
    base_url: str, headers: dict[str, str], bodies: list[bytes], clients: int, max_seconds: float
) -> Phase:
    phase = Phase(clients=clients)
    already = _delivered_count(base_url).count
    order, lock = itertools.count(), threading.Lock()
    phase.started = time.monotonic()
    deadline = phase.started + max_seconds
    threads = [
        threading.Thread(
            target=_client_loop, args=(base_url, headers, bodies, order, lock, deadline, phase), daemon=True
        )
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max_seconds + 60)
    wait_until = time.monotonic() + 60
    while _delivered_count(base_url).count < already + phase.done:
        if time.monotonic() > wait_until:
            raise RuntimeError("events were not delivered within 60 s of the last response")
        time.sleep(0.01)
    delivered = msgspec.json.decode(
        httpx.get(base_url + "/_bench/deliveries", timeout=30).content, type=Deliveries
    ).delivered
    phase.last_delivery = max(delivered[cid] for cid in phase.sent_at)
    phase.delivery_ms = [(delivered[cid] - sent) * 1000 for cid, sent in phase.sent_at.items()]
    return phase


# --------------------------------------------------------------------------- the raw floor


@dataclass(frozen=True)
class Sample:
    """Rows exactly as one command stored them (the columns and JSON sizes the floor reuses)."""

    contact: dict[str, Any]
    event: dict[str, Any]
    audit: dict[str, Any]


def _last_row(conn: sqlite3.Connection, table: str, order: str) -> dict[str, Any]:
    cursor = conn.execute(f"SELECT * FROM {table} ORDER BY {order} DESC LIMIT 1")
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None, f"no row in {table}"
    return dict(zip(names, row, strict=True))


def sample_rows(db: Path) -> Sample:
    with sqlite3.connect(db, timeout=30) as conn:
        return Sample(
            contact=_last_row(conn, "contact_points", "rowid"),
            event=_last_row(conn, "events", "position"),
            audit=_last_row(conn, "audit_log", "seq"),
        )


def _insert_sql(table: str, row: dict[str, Any]) -> str:
    columns = ", ".join(row)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in row)})"


def raw_floor(db: Path, sample: Sample, n: int, *, every_row: bool, max_seconds: float) -> tuple[int, float]:
    """Rows (or commands' worth of rows) per second through plain sqlite3, one transaction each."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    try:
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        event = {k: v for k, v in sample.event.items() if k != "position"}
        contact_sql = _insert_sql("contact_points", sample.contact)
        event_sql, audit_sql = _insert_sql("events", event), _insert_sql("audit_log", sample.audit)
        seq = int(conn.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0])
        started = time.monotonic()
        deadline, done = started + max_seconds, 0
        while done < n and time.monotonic() < deadline:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(contact_sql, {**sample.contact, "id": uuid.uuid4().hex})
            if every_row:
                seq += 1
                conn.execute(event_sql, {**event, "id": uuid.uuid4().hex, "correlation_id": uuid.uuid4().hex})
                conn.execute(audit_sql, {**sample.audit, "seq": seq})
                conn.execute(
                    "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, sample.audit["hash"])
                )
            conn.execute("COMMIT")
            done += 1
        return done, time.monotonic() - started
    finally:
        conn.close()


def copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--requests", type=int, default=None, help="commands per kind of phase (default 1000)"
    )
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5)")
    parser.add_argument(
        "--clients", type=int, default=2, choices=(1, 2, 3, 4), help="clients, throughput phase"
    )
    parser.add_argument("--max-seconds", type=float, default=None, help="bound on each timed phase")
    parser.add_argument("--tmpdir", default=None, help="where the scratch databases go (not a tmpfs)")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the server in an extra, uncounted phase"
    )
    parser.add_argument("--profile-raw", type=Path, default=None, help="also keep py-spy's raw stacks here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.requests = args.requests or (30 if args.quick else 1000)
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.max_seconds = args.max_seconds or (30.0 if args.quick else 120.0)
    return args


@dataclass
class Results:
    single: Totals
    multi: Totals
    floor: FloorTotals = field(default_factory=FloorTotals)
    every: FloorTotals = field(default_factory=FloorTotals)
    profile: str | None = None
    server_cpu: _thread_cpu.ThreadCpu = field(default_factory=_thread_cpu.ThreadCpu.empty)
    thread_names: dict[int, str] = field(default_factory=dict)
    client_cpu_seconds: float = 0.0

    def cpu_lines(self) -> list[str]:
        """Where the CPU of the throughput phases went: per server thread, and the clients' process."""
        cpu = self.server_cpu
        if not cpu.units:
            return []
        return [
            *cpu.lines(self.thread_names, "command"),
            f"  the benchmark process (clients, delivery polling): "
            f"{1000 * self.client_cpu_seconds / cpu.units:.2f} ms of CPU per command",
        ]


def measure(args: argparse.Namespace, work: Path) -> tuple[Results, Sample]:
    app_db, floor_db = work / "app.db", work / "floor.db"
    world = s.prepare_world(s.sqlite_url(app_db))
    partner = world.partners["BE-NCCN"]
    copy_database(app_db, floor_db)
    env = {ENV_DATABASE: s.sqlite_url(app_db), ENV_PROBE: "1"}
    per_round = max(1, args.requests // args.rounds)
    bodies = iter([contact_body(partner, i) for i in range(2 * per_round * args.rounds + 20 + per_round)])
    results = Results(single=Totals(clients=1), multi=Totals(clients=args.clients))
    with s.granian("bench._apps:full_app", env, work, ready_path="/api/health") as server:
        headers = sign_in(server.base_url)

        def phase(clients: int) -> Phase:
            batch = list(itertools.islice(bodies, per_round))
            return run_phase(server.base_url, headers, batch, clients, args.max_seconds)

        def counted_phase(clients: int) -> Phase:
            """A phase whose CPU, per server thread and in the clients' process, goes into the results."""
            if not _thread_cpu.available():
                return phase(clients)
            pid = (server.worker_pids() or [server.pid])[0]
            before, mine = _thread_cpu.threads(pid), _thread_cpu.process(os.getpid())
            done = phase(clients)
            results.server_cpu.add(
                before, _thread_cpu.threads(pid), done.last_delivery - done.started, done.done
            )
            results.client_cpu_seconds += _thread_cpu.process(os.getpid()) - mine
            return done

        warm = run_phase(server.base_url, headers, list(itertools.islice(bodies, 20)), 1, args.max_seconds)
        if warm.errors:
            raise SystemExit(f"warm-up failed: {warm.errors[:3]}")
        sample = sample_rows(app_db)
        for _ in range(args.rounds):  # interleaved, so that floor and app see the same (noisy) disk
            results.floor.add(
                *raw_floor(floor_db, sample, per_round, every_row=False, max_seconds=args.max_seconds)
            )
            results.single.add(phase(1))
            results.every.add(
                *raw_floor(floor_db, sample, per_round, every_row=True, max_seconds=args.max_seconds)
            )
            results.multi.add(counted_phase(args.clients))
        results.thread_names = _thread_names(server.base_url)
        if args.profile:  # an extra, uncounted phase: the profiler itself slows the server down
            profiler = _profile.start(server, work)
            if profiler is not None:
                profiled = phase(args.clients)
                results.profile = _profile.stop(
                    profiler, args.profile_raw, PROFILE_ROOTS, profiled.done, "command"
                )
    return results, sample


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with s.scratch_dir(args.tmpdir) as work:
        s.heading("write path: POST /api/contact-points -> event delivered, vs raw sqlite3 inserts")
        print(s.machine_line())
        print(f"databases in {work} on {s.filesystem_of(work)} (WAL, synchronous=FULL)")
        print(
            f"server: granian {granian.__version__}, ASGI, 1 worker (subprocess); clients: httpx, one thread each"
        )
        print(f"{args.rounds} interleaved rounds of {args.requests // args.rounds} transactions per kind")
        results, sample = measure(args, work)
    met = report(results, sample)
    if results.profile:
        print()
        print(results.profile)
    return 1 if args.strict and not met else 0


def report(results: Results, sample: Sample) -> bool:
    sizes = {
        k: len(v) for k, v in sample.contact.items() if isinstance(v, str) and k in {"channels", "hours"}
    }
    s.heading(
        "through the application (granian -> Litestar -> bus -> unit of work -> SQLite -> outbox -> consumer)"
    )
    for totals in (results.single, results.multi):
        for line in totals.lines():
            print(line)
        for error in totals.errors[:3]:
            print(f"  error: {error}")
    cpu = results.cpu_lines()
    if cpu:
        print(f"CPU time in the {results.multi.clients}-client phases (user + system, from /proc):")
        print("\n".join(cpu))
    s.heading("raw floor: plain sqlite3, same pragmas, BEGIN IMMEDIATE ... COMMIT per transaction")
    print(f"contact_points row alone (stored JSON sizes {sizes}):")
    print(f"  {results.floor.line()}")
    print("every row one command writes (contact point + outbox event + audit entry + audit-head update):")
    print(f"  {results.every.line()}")
    best = max(results.single, results.multi, key=lambda totals: totals.rate)
    floor = results.floor.rate
    s.heading("results")
    print(
        f"application: {best.rate:.1f} commands/s ({best.clients} client(s)), first request to last delivery"
    )
    print(f"raw floor:   {floor:.1f} rows/s (one contact_points row per transaction)")
    print(
        f"(against all rows of a command per transaction, {results.every.rate:.1f}/s: "
        f"ratio {best.rate / results.every.rate:.3f})"
    )
    ratio = best.rate / floor
    s.verdict("write-path throughput vs raw floor", ratio, f">= {TARGET_RATIO}", ratio >= TARGET_RATIO)
    p50 = s.percentile(results.single.latencies_ms, 50)
    p99 = s.percentile(results.single.latencies_ms, 99)
    print(
        f"RESULT latency of one command (1 client): p50 {p50:.2f} ms, p99 {p99:.2f} ms "
        f"(target p99 < {TARGET_P99_MS:.0f} ms) -> {'MET' if p99 < TARGET_P99_MS else 'NOT MET'}"
    )
    return ratio >= TARGET_RATIO and p99 < TARGET_P99_MS


if __name__ == "__main__":
    raise SystemExit(main())
