"""Where one command's time goes, in-process, without HTTP: the stages `bench/write_path.py` times together.

Stages, each timed per command on a scratch SQLite database (WAL, synchronous=FULL), one thread:

1. the command through the bus: handler, unit of work, outbox, audit entry, COMMIT (wall and CPU time of
   the thread; the difference is mostly the fsync);
2. reading the created record back through the policy, as the API does for its response;
3. delivering its event to one consumer (`OutboxDispatcher.drain`), one event per delivery, and ten
   events per delivery (what the dispatcher's linger under load gives).

The sum of the stages is the floor of the write path in one process before any HTTP work; next to it,
the raw `sqlite3` floor of `bench/write_path.py` measured in the same run.

    python -m bench.write_path_breakdown [--quick] [--commands N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import make_platform

from bench import _support as s
from bench._apps import PROBE_CONSUMER, Probe
from bench.write_path import USERNAME, contact_body, copy_database, raw_floor, sample_rows
from crisislink.adapters.bus.dispatcher import Consumer
from crisislink.adapters.db.queries.directory import get_contact_point
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.events import ContactPointCreated
from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.web.api import schemas
from crisislink.entrypoints.web.api.contacts import create_command
from crisislink.kernel.messages import Actor


def command_from(body: bytes, actor: Actor) -> sc.CreateContactPoint:
    """The command exactly as the API's handler builds it from the request body."""
    return create_command(msgspec.json.decode(body, type=schemas.ContactBody), actor)


class Stage:
    def __init__(self, name: str) -> None:
        self.name = name
        self.wall_ms: list[float] = []
        self.cpu_ms: list[float] = []

    def time(self, work: Callable[[], object], per: int = 1) -> object:
        wall, cpu = time.perf_counter(), time.thread_time()
        result = work()
        self.cpu_ms.append((time.thread_time() - cpu) * 1000 / per)
        self.wall_ms.append((time.perf_counter() - wall) * 1000 / per)
        return result

    def line(self) -> str:
        return (
            f"  {self.name:<58} wall p50 {statistics.median(self.wall_ms):6.3f} ms, "
            f"mean {statistics.fmean(self.wall_ms):6.3f}; CPU mean {statistics.fmean(self.cpu_ms):6.3f} ms"
        )


def measure(platform: Platform, actor: Actor, partner: uuid.UUID, n: int) -> list[Stage]:
    command, read_back = Stage("1. command: bus -> unit of work -> COMMIT"), Stage("2. read back (policy)")
    single, batched = Stage("3a. deliver its event, 1 per delivery"), Stage("3b. deliver, 10 per delivery")
    viewer = Viewer(user_id=actor.user_id, partner_id=actor.partner_id)
    bodies = iter(contact_body(partner, i) for i in range(10**6))
    for _ in range(20):  # warm-up: compiled statements, caches
        platform.bus.handle(command_from(next(bodies), actor))
        platform.dispatcher.drain(retries=False)
    for _ in range(n):
        cmd = command_from(next(bodies), actor)
        created = command.time(lambda cmd=cmd: platform.bus.handle(cmd))  # type: ignore[misc]
        assert isinstance(created, uuid.UUID)
        now = platform.clock.now()
        read_back.time(lambda c=created, t=now: get_contact_point(platform.engine, viewer, c, t))  # type: ignore[misc]
        single.time(lambda: platform.dispatcher.drain(retries=False))
    for _ in range(max(1, n // 10)):
        for _ in range(10):
            platform.bus.handle(command_from(next(bodies), actor))
        batched.time(lambda: platform.dispatcher.drain(retries=False), per=10)
    return [command, read_back, single, batched]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--commands", type=int, default=None, help="commands per stage (default 500)")
    parser.add_argument("--tmpdir", default=None, help="where the scratch databases go (not a tmpfs)")
    args = parser.parse_args(argv)
    n = args.commands or (30 if args.quick else 500)
    with s.scratch_dir(args.tmpdir) as work:
        s.heading("write path, stage by stage, in one process without HTTP")
        print(s.machine_line())
        print(f"databases in {work} on {s.filesystem_of(work)} (WAL, synchronous=FULL); {n} commands")
        world = s.prepare_world(s.sqlite_url(work / "app.db"))
        copy_database(work / "app.db", work / "floor.db")
        probe = Consumer(PROBE_CONSUMER, frozenset({ContactPointCreated.TYPE}), Probe())
        platform = make_platform(s.sqlite_url(work / "app.db"), consumers={PROBE_CONSUMER: probe})
        try:
            stages = measure(platform, world.actor(USERNAME), world.partners["BE-NCCN"], n)
        finally:
            platform.stop()
        done, seconds = raw_floor(
            work / "floor.db", sample_rows(work / "app.db"), n, every_row=False, max_seconds=60
        )
    for stage in stages:
        print(stage.line())
    per_command = sum(statistics.fmean(stage.wall_ms) for stage in stages[:3])
    batched = sum(statistics.fmean(stage.wall_ms) for stage in (stages[0], stages[1], stages[3]))
    floor = done / seconds
    print(f"stages 1+2+3a: {per_command:.3f} ms per command -> at most {1000 / per_command:.0f} commands/s")
    print(f"stages 1+2+3b: {batched:.3f} ms per command -> at most {1000 / batched:.0f} commands/s")
    print(f"raw floor (plain sqlite3, one contact_points row per transaction): {floor:.0f} /s")
    print(
        f"ceiling of one process before HTTP, as a share of the floor: "
        f"{1000 / per_command / floor:.3f} (3a), {1000 / batched / floor:.3f} (3b); target of the whole path 0.25"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
