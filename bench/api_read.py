"""Read path: a policy-checked, typed GET of one record through the whole stack, vs a bare endpoint.

Full:  GET /api/contact-points/{id} on the real application (bench/_apps.py `full_app`: bootstrap +
       create_app) with a session cookie: routing, the security headers and compression middleware,
       identity from the session (cached per process), the policy-checked SQL query
       (`directory.get_contact_point`: visible_to + audience look-up), conversion to the msgspec view.
       The record is AMBER, owned by another partner and shared with the viewer's partner through the
       audience, so the policy's audience sub-query is taken; the table holds a few thousand other records.
Bare:  the same route shape on a tiny Litestar + msgspec app (`bare_app`) returning the same typed record
       from memory; the bench checks that both send byte-identical bodies.

Both are served the same way (granian, ASGI, 1 worker, each in its own subprocess) and loaded the same way
(wrk -t1 with keep-alive connections if wrk is installed, else an asyncio raw-socket client), alternating
in rounds of a fixed duration. Target: full >= 0.5x the bare endpoint's requests per second.

    python -m bench.api_read [--quick] [--seconds 10] [--rounds 3] [--connections 16] [--profile]
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import granian
import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import PASSWORD, build_world, make_platform, migrated

from bench import _profile
from bench import _support as s
from bench._apps import ENV_BODY, ENV_DATABASE
from crisislink.adapters.db import tables as t
from crisislink.kernel.markings import Principal, Tlp

TARGET = 0.5
OTHER_RECORDS = 5000
USERNAME = "be.duty"
PROFILE_ROOTS = (
    ("whole request inside Litestar", "Litestar.__call__"),
    ("  of which the GET handler", "ContactPointController.get_contact"),
    ("    of which the policy-checked query and view", "get_contact_point"),
    ("  of which telling who calls (session cache)", "provide_caller"),
)


def prepare(url: str, rng: random.Random) -> uuid.UUID:
    """The test world, one AMBER record shared with BE-NCCN by NL-VR23, and other records around it."""
    migrated(url)
    platform = make_platform(url)
    try:
        world = build_world(platform)
        target = world.contact(
            "NL-VR23",
            Tlp.AMBER,
            frozenset({Principal.partner(world.partners["BE-NCCN"])}),
            name="NL-VR23 desk",
        )
        partners = list(world.partners.values())
        people = world.user_partner.items()
        population = s.Population(
            node_id=platform.node_id,
            partners=partners,
            users={p: [world.users[name] for name, owner in people if owner == p] for p in partners},
        )
        contacts, audience = s.synthetic_contacts(rng, OTHER_RECORDS, population)
        s.insert_in_chunks(platform.engine, t.contact_points, contacts)
        s.insert_in_chunks(platform.engine, t.audience, audience)
    finally:
        platform.stop()
    return target


def sign_in(base_url: str) -> str:
    response = httpx.post(
        base_url + "/api/auth/login", json={"username": USERNAME, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return f"crisislink_session={response.cookies['crisislink_session']}"


@dataclass
class Side:
    name: str
    results: list[s.LoadResult] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.results)

    @property
    def rps(self) -> float:
        return self.requests / sum(r.seconds for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (2 s, 1 round)")
    parser.add_argument("--seconds", type=float, default=None, help="duration of each load (default 10)")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--load", choices=("auto", "wrk", "socket"), default="auto", help="load generator")
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the full app in an extra, uncounted load"
    )
    parser.add_argument("--profile-raw", type=Path, default=None, help="also keep py-spy's raw stacks here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (2.0 if args.quick else 10.0)
    args.rounds = args.rounds or (1 if args.quick else 3)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tool = args.load if args.load != "auto" else ("wrk" if s.wrk_path() else "socket")
    full, bare = Side("full stack"), Side("bare Litestar + msgspec")
    profile: str | None = None
    with s.scratch_dir(args.tmpdir) as work:
        s.heading("read path: GET /api/contact-points/{id}, full stack vs a bare endpoint")
        print(s.machine_line())
        print(
            f"server: granian {granian.__version__}, ASGI, 1 worker each (subprocesses); load: {tool}, "
            f"{args.connections} keep-alive connections, {args.rounds} x {args.seconds:.0f} s alternating"
        )
        url = s.sqlite_url(work / "app.db")
        record = prepare(url, random.Random(7))
        path = f"/api/contact-points/{record}"
        with s.granian(
            "bench._apps:full_app", {ENV_DATABASE: url}, work, ready_path="/api/health"
        ) as full_server:
            headers = {"cookie": sign_in(full_server.base_url)}
            body = httpx.get(
                full_server.base_url + path, headers={**headers, "accept-encoding": "identity"}, timeout=30
            )
            body.raise_for_status()
            (work / "body.json").write_bytes(body.content)
            with s.granian("bench._apps:bare_app", {ENV_BODY: str(work / "body.json")}, work) as bare_server:
                same = (
                    httpx.get(bare_server.base_url + path, headers=headers, timeout=30).content
                    == body.content
                )
                print(f"response body: {len(body.content)} bytes of JSON; identical from both apps: {same}")
                for i in range(args.rounds):
                    order = [(full, full_server), (bare, bare_server)]
                    for side, server in order if i % 2 else reversed(order):
                        side.results.append(
                            s.run_load(
                                server.base_url + path, headers, args.connections, args.seconds, tool=tool
                            )
                        )
            if args.profile:
                profiler = _profile.start(full_server, work)
                if profiler is not None:
                    loaded = s.run_load(
                        full_server.base_url + path, headers, args.connections, args.seconds, tool=tool
                    )
                    profile = _profile.stop(profiler, args.profile_raw, PROFILE_ROOTS, loaded.requests)
    for side in (full, bare):
        s.heading(side.name)
        for result in side.results:
            print(f"  {result.line()}")
        print(f"  overall: {side.rps:.1f} req/s, {side.errors} errors")
    ratio = full.rps / bare.rps
    s.heading("results")
    print(f"full stack {full.rps:.1f} req/s vs bare endpoint {bare.rps:.1f} req/s")
    if full.errors or bare.errors:
        print("WARNING: some responses were errors; the figures are not valid")
    s.verdict("full-stack read vs bare endpoint", ratio, f">= {TARGET}", ratio >= TARGET)
    if profile:
        print()
        print(profile)
    return 1 if args.strict and ratio < TARGET else 0


if __name__ == "__main__":
    raise SystemExit(main())
