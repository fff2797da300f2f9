"""Shared pieces of the benchmarks: scratch directories, a granian server in a subprocess, load generators,
synthetic points of contact inserted with SQLAlchemy Core, and the way results are printed.

Everything here is bounded in count and time and talks only to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.support import World, build_world, make_platform, migrated

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import writer
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours, Window

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"


# --------------------------------------------------------------------------- printing


def heading(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def machine_line() -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now}; {os.cpu_count()} cores; Python {sys.version.split()[0]}; {sys.platform}"


def verdict(name: str, ratio: float, target: str, met: bool) -> None:
    print(f"RESULT {name}: ratio {ratio:.3f} (target {target}) -> {'MET' if met else 'NOT MET'}")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# --------------------------------------------------------------------------- scratch space


@contextmanager
def scratch_dir(base: str | None = None) -> Iterator[Path]:
    """A temporary directory (never inside the repository), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="crisislink-bench-", dir=base) as name:
        path = Path(name)
        if ROOT in path.resolve().parents:
            raise SystemExit(f"refusing to write benchmark data inside the repository ({path})")
        yield path


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def filesystem_of(path: Path) -> str:
    """The file system type the path lives on (tmpfs would make fsync free, and the figures meaningless)."""
    best, kind = "", "unknown"
    resolved = str(path.resolve())
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return kind
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return kind


# --------------------------------------------------------------------------- a server in a subprocess


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    port: int
    pid: int
    log: Path

    def worker_pids(self) -> list[int]:
        """Granian's worker processes (children of the main process), for a profiler to attach to."""
        found: list[int] = []
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            try:
                tasks = Path(f"/proc/{pid}/task").iterdir()
                for task in tasks:
                    children = (task / "children").read_text(encoding="utf-8").split()
                    found.extend(int(child) for child in children)
                    pending.extend(int(child) for child in children)
            except OSError:
                continue
        return found


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"granian exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"granian did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


@contextmanager
def granian(
    target: str, env: Mapping[str, str], workdir: Path, *, ready_path: str = "/", timeout: float = 60.0
) -> Iterator[RunningServer]:
    """Serve `target` (a factory "module:function") with granian, ASGI, 1 worker, on a free loopback port."""
    port = free_port()
    log = workdir / f"granian-{port}.log"
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--workers",
        "1",
        "--factory",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--no-ws",
        "--log-level",
        "warning",
        "--no-access-log",
        target,
    ]
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            command,
            cwd=workdir,
            env={**os.environ, **env, "PYTHONPATH": python_path},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://{LOOPBACK}:{port}"
            _wait_ready(proc, base + ready_path, log, timeout)
            yield RunningServer(base, port, proc.pid, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


# --------------------------------------------------------------------------- load generators


@dataclass(frozen=True)
class LoadResult:
    tool: str
    connections: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"{self.rps:10.1f} req/s  ({self.requests} requests in {self.seconds:.1f} s, "
            f"{self.connections} connections, {self.errors} errors, "
            f"latency p50 {self.p50_ms:.2f} ms p99 {self.p99_ms:.2f} ms, {self.tool})"
        )


def wrk_path() -> str | None:
    return shutil.which("wrk")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(url: str, headers: Mapping[str, str], connections: int, seconds: float) -> LoadResult:
    """wrk, one thread (the other core serves), keep-alive connections, fixed duration."""
    binary = wrk_path()
    assert binary is not None
    command = [
        binary,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    elapsed = float(total.group(2)) * _UNITS[total.group(3)] / 1000.0
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: .*?timeout (\d+)"):
        found = re.search(pattern, out)
        errors += int(found.group(1)) if found else 0
    found_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+)", out)
    if found_errors:
        errors += sum(int(found_errors.group(i)) for i in (1, 2, 3))
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    return LoadResult(
        tool="wrk -t1",
        connections=connections,
        seconds=elapsed,
        requests=int(total.group(1)),
        errors=errors,
        p50_ms=_wrk_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_wrk_ms(p99.group(1)) if p99 else float("nan"),
    )


async def _one_connection(
    host: str, port: int, request: bytes, deadline: float, latencies: list[float], errors: list[int]
) -> None:
    reader, writer_ = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            writer_.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length_match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if length_match is None:
                raise RuntimeError("the socket load generator needs responses with content-length")
            await reader.readexactly(int(length_match.group(1)))
            latencies.append((time.perf_counter() - started) * 1000)
            if not 200 <= status < 400:
                errors.append(status)
    finally:
        writer_.close()


def run_socket_load(url: str, headers: Mapping[str, str], connections: int, seconds: float) -> LoadResult:
    """Fallback when wrk is missing: asyncio keep-alive HTTP/1.1 clients over raw sockets, fixed duration."""
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or 80
    lines = [f"GET {parsed.raw_path.decode()} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> float:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(_one_connection(host, port, request, deadline, latencies, errors) for _ in range(connections))
        )
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    return LoadResult(
        tool="asyncio raw-socket client",
        connections=connections,
        seconds=elapsed,
        requests=len(latencies),
        errors=len(errors),
        p50_ms=percentile(latencies, 50) if latencies else float("nan"),
        p99_ms=percentile(latencies, 99) if latencies else float("nan"),
    )


def run_load(
    url: str, headers: Mapping[str, str], connections: int, seconds: float, *, tool: str = "auto"
) -> LoadResult:
    if tool == "wrk" or (tool == "auto" and wrk_path() is not None):
        return run_wrk(url, headers, connections, seconds)
    return run_socket_load(url, headers, connections, seconds)


# --------------------------------------------------------------------------- synthetic points of contact

MARKING_WEIGHTS = {"CLEAR": 15, "GREEN": 35, "AMBER": 30, "AMBER+STRICT": 10, "RED": 10}
_LANGUAGES = ("nl", "fr", "de", "en", "lb")


def _hours(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        hours = StaffedHours(always=True)
    else:
        hours = StaffedHours(
            always=False,
            timezone="Europe/Brussels",
            windows=(Window(days=frozenset(range(5)), start=dtime(8), end=dtime(17, 30)),),
        )
    value = msgspec.to_builtins(hours, order="sorted")
    assert isinstance(value, dict)
    return value


def _channels(rng: random.Random, n: int) -> list[Any]:
    channels = [Channel(ChannelKind.PHONE, f"+32 2 {rng.randrange(10**6, 10**7)}")]
    if n > 1:
        channels.append(Channel(ChannelKind.EMAIL, f"desk{rng.randrange(10**6)}@partner.example"))
    if n > 2:
        channels.append(Channel(ChannelKind.RADIO, f"ASTRID TG {rng.randrange(1000, 9999)}", "backup"))
    value = msgspec.to_builtins(channels)
    assert isinstance(value, list)
    return value


@dataclass(frozen=True)
class Population:
    """Who exists: partners (with some users each) that records are owned by and shared with."""

    node_id: uuid.UUID
    partners: list[uuid.UUID]
    users: dict[uuid.UUID, list[uuid.UUID]]  # partner -> user ids


def synthetic_contacts(
    rng: random.Random, n: int, population: Population
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`n` contact-point rows with random owners, markings and audiences, and their audience rows."""
    all_users = [user for users in population.users.values() for user in users]
    markings = list(MARKING_WEIGHTS)
    weights = list(MARKING_WEIGHTS.values())
    roles = [role.value for role in ContactRole]
    contacts: list[dict[str, Any]] = []
    audience: list[dict[str, Any]] = []
    for i in range(n):
        record_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        marking = rng.choices(markings, weights)[0]
        contacts.append(
            {
                "id": record_id,
                "owner_partner_id": rng.choice(population.partners),
                "home_node_id": population.node_id,
                "marking": marking,
                "role": rng.choice(roles),
                "name": f"Desk {i:06d} {rng.choice(('North', 'South', 'Coast', 'Ardennes', 'Rhine'))}",
                "channels": _channels(rng, rng.randint(1, 3)),
                "languages": rng.sample(_LANGUAGES, rng.randint(1, 3)),
                "hours": _hours(rng),
                "notes": None if rng.random() < 0.7 else "Ask for the officer of the day.",
                "version": 1,
            }
        )
        principals: set[tuple[str, uuid.UUID]] = set()
        if marking == "AMBER":
            principals |= {("partner", p) for p in rng.sample(population.partners, rng.randint(0, 3))}
            principals |= {("user", u) for u in rng.sample(all_users, rng.randint(0, 2))}
        elif marking == "RED":
            principals |= {("user", u) for u in rng.sample(all_users, rng.randint(1, 3))}
        audience += [
            {"record_id": record_id, "principal_kind": kind, "principal_id": pid} for kind, pid in principals
        ]
    return contacts, audience


def insert_in_chunks(
    engine: Engine, table: sa.Table, rows: Sequence[dict[str, Any]], size: int = 5000
) -> None:
    """Core executemany, a few thousand rows per transaction."""
    for start in range(0, len(rows), size):
        with writer(engine).begin() as conn:
            conn.execute(table.insert(), list(rows[start : start + size]))


def seed_partners(
    engine: Engine, rng: random.Random, node_id: uuid.UUID, count: int, users_each: int
) -> Population:
    """`count` partners on the node (Core inserts), and `users_each` user ids per partner for audiences."""
    partners = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(count)]
    rows: list[dict[str, Any]] = [
        {
            "id": partner_id,
            "code": f"BENCH-P{i:03d}",
            "name": f"Bench partner {i:03d}",
            "names": {},
            "country": rng.choice(("BE", "NL", "LU")),
            "kind": "safety_region",
            "home_node_id": node_id,
            "languages": ["en"],
            "external": False,
            "jurisdiction_ref": None,
            "jurisdiction": None,
            "version": 1,
        }
        for i, partner_id in enumerate(partners)
    ]
    insert_in_chunks(engine, t.partners, rows)
    users = {p: [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(users_each)] for p in partners}
    return Population(node_id=node_id, partners=partners, users=users)


def insert_node(engine: Engine, code: str = "be") -> uuid.UUID:
    node_id = uuid.uuid4()
    with writer(engine).begin() as conn:
        conn.execute(
            t.nodes.insert().values(id=node_id, code=code, name="bench node", country="BE", version=1)
        )
    return node_id


# --------------------------------------------------------------------------- the test world


def prepare_world(url: str) -> World:
    """A migrated database with the small world of tests/support.py (partners, users with PASSWORD)."""
    migrated(url)
    platform = make_platform(url)
    world = build_world(platform)
    platform.stop()
    return world
