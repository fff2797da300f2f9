"""COP GeoJSON: the two policy-filtered map layers with 10,000 visible features, through the real app.

Data:  the test world (tests/support.py) plus ~1,000 partners whose jurisdictions are real polygons from the
       shipped municipalities layer (746 municipalities, reused round-robin), and ~10,000 points of contact
       spread over them, of which 9,000 are visible to the viewer (CLEAR, GREEN, AMBER naming the viewer's
       partner, RED naming the viewer) and 1,000 are not (AMBER+STRICT of their owner, AMBER or RED for
       someone else), so the policy has work to do. Rows go in with SQLAlchemy Core executemany.
Timed: GET /api/map/layers/contact_points and GET /api/map/layers/jurisdictions on the real application
       (bench/_apps.py `full_app`: bootstrap + create_app) served by granian (ASGI, 1 worker, subprocess),
       signed in as be.duty (session cookie), `Accept-Encoding: gzip` (compressed by the app's gzip
       middleware, level 6). One keep-alive client, one request at a time, the two layers alternating in
       order; the latency is to the last byte of the body. Also: both layers requested at once (two
       connections), as map.js does. Sizes are bytes on the wire (compressed) and after decompression.
Floor: the same feature dicts, already in memory in this process, encoded with msgspec and gzipped at the
       same level: no database, no policy, no framework, no network.
Why:   an in-process breakdown (same database, same viewer, no server) of the layer functions: SQL, JSON
       decoding of the jurisdictions, representative points, staffed-now, encoding, gzip.

Targets: p95 of the two layers (sequential sum) < 300 ms; both layers together < 5 MB on the wire.

    python -m bench.cop_geojson [--quick] [--requests 30] [--partners 1000] [--visible 9000] [--profile]
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import time as dtime
from pathlib import Path
from typing import Any

import granian
import httpx
import msgspec
import sqlalchemy as sa

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import PASSWORD, build_world, make_platform, migrated

from bench import _profile
from bench import _support as s
from bench._apps import ENV_DATABASE
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries import map as map_queries
from crisislink.adapters.geo.points import representative_point
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours, Window
from crisislink.domains.sharing.policy import Viewer

TARGET_P95_MS = 300.0
TARGET_WIRE_BYTES = 5_000_000
GZIP_LEVEL = 6  # as the app's CompressionConfig (entrypoints/web/app.py)
USERNAME = "be.duty"
LAYERS = ("contact_points", "jurisdictions")
VISIBLE_MIX = {"CLEAR": 20, "GREEN": 50, "AMBER": 20, "RED": 10}  # how the viewer may see it: see _visible
HIDDEN_MIX = {"AMBER+STRICT": 40, "AMBER": 30, "RED": 30}
PROFILE_ROOTS = (
    ("whole request inside Litestar", "Litestar.__call__"),
    ("  of which the layer handler", "MapController.layer"),
    ("    of which contact_point_features", "contact_point_features"),
    ("    of which jurisdiction_features", "jurisdiction_features"),
    ("  of which gzip (compression middleware)", "GzipCompression.write"),
)


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Seeded:
    viewer: Viewer
    partners: int
    contacts: int
    visible: dict[str, int]  # layer -> features the viewer gets (counted in-process before serving)


def _hours(rng: random.Random) -> dict[str, Any]:
    hours = (
        StaffedHours(always=True)
        if rng.random() < 0.5
        else StaffedHours(
            always=False,
            timezone="Europe/Brussels",
            windows=(Window(days=frozenset(range(5)), start=dtime(8), end=dtime(17, 30)),),
        )
    )
    value = msgspec.to_builtins(hours, order="sorted")
    assert isinstance(value, dict)
    return value


def _channels(rng: random.Random) -> list[Any]:
    channels = [Channel(ChannelKind.PHONE, f"+32 2 {rng.randrange(10**6, 10**7)}")]
    if rng.random() < 0.7:
        channels.append(Channel(ChannelKind.EMAIL, f"desk{rng.randrange(10**6)}@partner.example"))
    if rng.random() < 0.3:
        channels.append(Channel(ChannelKind.RADIO, f"ASTRID TG {rng.randrange(1000, 9999)}", "backup"))
    value = msgspec.to_builtins(channels)
    assert isinstance(value, list)
    return value


def partner_rows(rng: random.Random, node_id: uuid.UUID, count: int) -> list[dict[str, Any]]:
    """`count` partners, each with a shipped municipality as its jurisdiction (round-robin)."""
    municipalities = ReferenceData().layer("municipalities")
    rows: list[dict[str, Any]] = []
    for i in range(count):
        place = municipalities[i % len(municipalities)]
        ref = f"municipalities:{place.code}"
        rows.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "code": f"COP-{i:04d}",
                "name": f"{place.name} crisis cell {i:04d}",
                "names": {},
                "country": place.country,
                "kind": "civil_protection",
                "home_node_id": node_id,
                "languages": ["en"],
                "external": False,
                "jurisdiction_ref": ref,
                "jurisdiction": {"geometry": place.geometry, "ref": ref},
                # As the repository stores it on every write (the marker's place, computed once).
                "jurisdiction_anchor": representative_point(dict(place.geometry)),
                "version": 1,
            }
        )
    return rows


@dataclass(frozen=True)
class Audience:
    viewer_partner: uuid.UUID
    viewer_user: uuid.UUID
    other_partner: uuid.UUID
    other_user: uuid.UUID


def contact_rows(
    rng: random.Random,
    owners: Sequence[uuid.UUID],
    node_id: uuid.UUID,
    visible: int,
    hidden: int,
    who: Audience,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`visible` contact points the viewer may see and `hidden` ones it may not, with their audience rows."""
    roles = [role.value for role in ContactRole]
    contacts: list[dict[str, Any]] = []
    audience: list[dict[str, Any]] = []
    plan = [(True, m) for m in rng.choices(list(VISIBLE_MIX), list(VISIBLE_MIX.values()), k=visible)]
    plan += [(False, m) for m in rng.choices(list(HIDDEN_MIX), list(HIDDEN_MIX.values()), k=hidden)]
    rng.shuffle(plan)
    for i, (seen, marking) in enumerate(plan):
        record_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        named: list[tuple[str, uuid.UUID]] = []
        if marking == "AMBER":
            named = [("partner", who.viewer_partner if seen else who.other_partner)]
        elif marking == "RED":
            named = [("user", who.viewer_user if seen else who.other_user)]
        contacts.append(
            {
                "id": record_id,
                "owner_partner_id": rng.choice(owners),
                "home_node_id": node_id,
                "marking": marking,
                "role": rng.choice(roles),
                "name": f"Desk {i:05d} {rng.choice(('North', 'South', 'Coast', 'Ardennes', 'Rhine'))}",
                "channels": _channels(rng),
                "languages": rng.sample(("nl", "fr", "de", "en", "lb"), rng.randint(1, 3)),
                "hours": _hours(rng),
                "notes": None if rng.random() < 0.7 else "Ask for the officer of the day.",
                "version": 1,
            }
        )
        audience += [{"record_id": record_id, "principal_kind": k, "principal_id": p} for k, p in named]
    return contacts, audience


def prepare(url: str, rng: random.Random, partners: int, visible: int, hidden: int) -> Seeded:
    migrated(url)
    platform = make_platform(url)
    try:
        world = build_world(platform)
        engine = platform.engine
        rows = partner_rows(rng, platform.node_id, partners)
        s.insert_in_chunks(engine, t.partners, rows, size=250)
        who = Audience(
            viewer_partner=world.partners["BE-NCCN"],
            viewer_user=world.users[USERNAME],
            other_partner=world.partners["BE-PROV-LIEGE"],
            other_user=world.users["nl.duty"],
        )
        owners = [row["id"] for row in rows]
        contacts, audience = contact_rows(rng, owners, platform.node_id, visible, hidden, who)
        s.insert_in_chunks(engine, t.contact_points, contacts)
        s.insert_in_chunks(engine, t.audience, audience)
        viewer = Viewer(user_id=world.users[USERNAME], partner_id=world.partners["BE-NCCN"])
        now = platform.clock.now()
        counts = {layer.id: sum(1 for _ in layer.features(engine, viewer, now)) for layer in platform.layers}
    finally:
        platform.stop()
    return Seeded(viewer=viewer, partners=partners, contacts=len(contacts), visible=counts)


# --------------------------------------------------------------------------- over HTTP


@dataclass(frozen=True)
class Fetch:
    ms: float
    wire: int  # bytes on the wire (the body as sent, compressed)
    size: int  # bytes after decompression
    encoding: str
    body: bytes


def fetch(client: httpx.Client, path: str) -> Fetch:
    started = time.perf_counter()
    with client.stream("GET", path) as response:
        wire = b"".join(response.iter_raw())
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}: {wire[:300]!r}")
    encoding = response.headers.get("content-encoding", "")
    body = gzip.decompress(wire) if encoding == "gzip" else wire
    return Fetch(elapsed, len(wire), len(body), encoding, body)


@dataclass
class Series:
    name: str
    ms: list[float] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.name:<38} p50 {s.median(self.ms):8.1f} ms   p95 {s.percentile(self.ms, 95):8.1f} ms   "
            f"min {min(self.ms):7.1f}   max {max(self.ms):7.1f}   (n={len(self.ms)})"
        )


def sign_in(base_url: str) -> str:
    response = httpx.post(
        base_url + "/api/auth/login", json={"username": USERNAME, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return f"crisislink_session={response.cookies['crisislink_session']}"


def client_for(base_url: str, cookie: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url, headers={"cookie": cookie, "accept-encoding": "gzip"}, timeout=120.0
    )


@dataclass
class Http:
    cold: dict[str, Fetch] = field(default_factory=dict)  # first request of each layer in a fresh worker
    last: dict[str, Fetch] = field(default_factory=dict)  # last timed response of each layer
    layers: dict[str, Series] = field(
        default_factory=lambda: {name: Series(f"GET {name}") for name in LAYERS}
    )
    both: Series = field(default_factory=lambda: Series("both layers, one after the other (sum)"))
    parallel: Series = field(default_factory=lambda: Series("both layers at once (2 connections)"))
    health: Series = field(default_factory=lambda: Series("GET /api/health sent 50 ms into those"))
    idle_health: Series = field(default_factory=lambda: Series("GET /api/health, server idle"))


def _health_after(client: httpx.Client, delay: float) -> float:
    time.sleep(delay)
    return fetch(client, "/api/health").ms


def measure_http(base_url: str, cookie: str, requests: int) -> Http:
    """Cold first fetch per layer, `requests` sequential rounds of both, then rounds of both at once
    with a health check sent while they are served (the layer handler runs on the event loop)."""
    run = Http()
    with (
        client_for(base_url, cookie) as one,
        client_for(base_url, cookie) as two,
        client_for(base_url, cookie) as three,
    ):
        run.cold = {layer: fetch(one, f"/api/map/layers/{layer}") for layer in LAYERS}
        for i in range(requests):
            total = 0.0
            for layer in LAYERS if i % 2 == 0 else tuple(reversed(LAYERS)):
                run.last[layer] = fetch(one, f"/api/map/layers/{layer}")
                run.layers[layer].ms.append(run.last[layer].ms)
                total += run.last[layer].ms
            run.both.ms.append(total)
            run.idle_health.ms.append(fetch(three, "/api/health").ms)
        with ThreadPoolExecutor(max_workers=3) as pool:
            for _ in range(max(3, requests // 2)):
                started = time.perf_counter()
                futures = [
                    pool.submit(fetch, client, f"/api/map/layers/{layer}")
                    for client, layer in zip((one, two), LAYERS, strict=True)
                ]
                probe = pool.submit(_health_after, three, 0.05)
                for future in futures:
                    future.result()
                run.parallel.ms.append((time.perf_counter() - started) * 1000)
                run.health.ms.append(probe.result())
    return run


# --------------------------------------------------------------------------- in process: the floor and why


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def floor(bodies: dict[str, bytes], runs: int) -> tuple[dict[str, Series], dict[str, int], Series]:
    """msgspec-encode + gzip the same features, already in memory as dicts: what no framework can beat."""
    encoder = msgspec.json.Encoder()
    series: dict[str, Series] = {}
    sizes: dict[str, int] = {}
    total = Series("floor, both layers (sum)")
    documents = {layer: msgspec.json.decode(body) for layer, body in bodies.items()}
    for layer, document in documents.items():
        sizes[layer] = len(gzip.compress(encoder.encode(document), compresslevel=GZIP_LEVEL))
        series[layer] = Series(f"floor {layer}")
    for _ in range(runs):
        sum_ms = 0.0
        for layer, document in documents.items():
            started = time.perf_counter()
            gzip.compress(encoder.encode(document), compresslevel=GZIP_LEVEL)
            elapsed = (time.perf_counter() - started) * 1000
            series[layer].ms.append(elapsed)
            sum_ms += elapsed
        total.ms.append(sum_ms)
    return series, sizes, total


def breakdown(url: str, viewer: Viewer, runs: int) -> list[tuple[str, float]]:
    """Median ms of each step of the two layer functions, in this process, on the same database."""
    platform = make_platform(url)
    engine = platform.engine
    now = platform.clock.now()
    encoder = msgspec.json.Encoder()
    c, p = t.contact_points.c, t.partners.c
    contact_query = (
        sa.select(c.id, c.owner_partner_id, c.marking, c.role, c.name, c.channels, c.languages, c.hours)
        .where(visible_to(viewer, t.contact_points))
        .order_by(c.owner_partner_id, c.role)
    )
    place_query = sa.select(p.id, p.code, p.name, p.jurisdiction).where(p.jurisdiction.is_not(None))
    raw_place_query = sa.select(p.id, sa.cast(p.jurisdiction, sa.Text)).where(p.jurisdiction.is_not(None))
    try:
        with engine.connect() as conn:
            contacts = conn.execute(contact_query).all()
            places = conn.execute(place_query).all()
        geometries = [row.jurisdiction["geometry"] for row in places]
        points = list(map_queries.contact_point_features(engine, viewer, now))
        areas = list(map_queries.jurisdiction_features(engine, viewer))
        point_bytes = encoder.encode({"type": "FeatureCollection", "features": points})
        area_bytes = encoder.encode({"type": "FeatureCollection", "features": areas})

        def run(query: sa.Select[Any]) -> Callable[[], object]:
            def go() -> object:
                with engine.connect() as conn:
                    return conn.execute(query).all()

            return go

        steps: list[tuple[str, Callable[[], object]]] = [
            (
                "contact_points: whole layer function (list of features)",
                lambda: list(map_queries.contact_point_features(engine, viewer, now)),
            ),
            (f"  policy SQL, {len(contacts)} contact rows (incl. JSON decode)", run(contact_query)),
            (f"  SQL, {len(places)} partner rows with jurisdiction JSON decoded", run(place_query)),
            ("    the same rows, jurisdiction as raw text (no JSON decode)", run(raw_place_query)),
            (
                f"  representative points of {len(places)} areas (cache warm)",
                lambda: [representative_point(g) for g in geometries],
            ),
            (
                f"  staffed now for {len(contacts)} rows (msgspec.convert + is_staffed)",
                lambda: [msgspec.convert(r.hours, StaffedHours).is_staffed(now) for r in contacts],
            ),
            ("  msgspec encode", lambda: encoder.encode({"type": "FeatureCollection", "features": points})),
            (f"  gzip level {GZIP_LEVEL}", lambda: gzip.compress(point_bytes, compresslevel=GZIP_LEVEL)),
            (
                "jurisdictions: whole layer function",
                lambda: list(map_queries.jurisdiction_features(engine, viewer)),
            ),
            ("  msgspec encode", lambda: encoder.encode({"type": "FeatureCollection", "features": areas})),
            (f"  gzip level {GZIP_LEVEL}", lambda: gzip.compress(area_bytes, compresslevel=GZIP_LEVEL)),
        ]
        return [(label, statistics.median(timed(fn, runs))) for label, fn in steps]
    finally:
        platform.stop()


# --------------------------------------------------------------------------- the run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (5 requests per layer)")
    parser.add_argument("--requests", type=int, default=None, help="timed requests per layer (default 30)")
    parser.add_argument("--partners", type=int, default=1000, help="partners with a jurisdiction")
    parser.add_argument("--visible", type=int, default=9000, help="points of contact the viewer may see")
    parser.add_argument("--hidden", type=int, default=1000, help="points of contact it may not see")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the server in an extra, uncounted series of requests"
    )
    parser.add_argument("--profile-raw", type=Path, default=None, help="also keep py-spy's raw stacks here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.requests = args.requests or (5 if args.quick else 30)
    return args


def mb(size: int) -> str:
    return f"{size / 1_000_000:.2f} MB"


@dataclass
class Floor:
    layers: dict[str, Series]
    sizes: dict[str, int]
    total: Series


def measure(args: argparse.Namespace, work: Path) -> tuple[Seeded, Http, Floor, list[tuple[str, float]], str]:
    url = s.sqlite_url(work / "app.db")
    started = time.perf_counter()
    seeded = prepare(url, random.Random(args.seed), args.partners, args.visible, args.hidden)
    print(
        f"data: {seeded.partners} partners with municipal jurisdictions, {seeded.contacts} points of "
        f"contact ({args.visible} visible to {USERNAME}), SQLite on "
        f"{s.filesystem_of(work)}; seeded in {time.perf_counter() - started:.1f} s"
    )
    print(
        "visible features (in-process count): "
        + ", ".join(f"{layer} {n}" for layer, n in seeded.visible.items())
        + f", total {sum(seeded.visible.values())}"
    )
    profile = ""
    with s.granian("bench._apps:full_app", {ENV_DATABASE: url}, work, ready_path="/api/health") as server:
        cookie = sign_in(server.base_url)
        http = measure_http(server.base_url, cookie, args.requests)
        if args.profile:
            profiler = _profile.start(server, work)
            if profiler is not None:
                with client_for(server.base_url, cookie) as client:
                    for _ in range(args.requests):
                        for layer in LAYERS:
                            fetch(client, f"/api/map/layers/{layer}")
                profile = _profile.stop(
                    profiler, args.profile_raw, PROFILE_ROOTS, args.requests, "pair of layer requests"
                )
    bodies = {layer: fetched.body for layer, fetched in http.last.items()}
    floor_ = Floor(*floor(bodies, max(args.requests, 10)))
    steps = breakdown(url, seeded.viewer, 3 if args.quick else 7)
    return seeded, http, floor_, steps, profile


def report(args: argparse.Namespace, http: Http, floor_: Floor, steps: list[tuple[str, float]]) -> bool:
    s.heading("cold: the first request of each layer in a fresh worker")
    for layer, fetched in http.cold.items():
        print(f"  GET {layer:<34} {fetched.ms:8.1f} ms")
    s.heading("full stack (granian, 1 worker, signed in, gzip)")
    features = {layer: len(msgspec.json.decode(f.body)["features"]) for layer, f in http.last.items()}
    for series in (*http.layers.values(), http.both, http.parallel, http.health, http.idle_health):
        print(f"  {series.line()}")
    s.heading("size on the wire")
    wire_total = sum(f.wire for f in http.last.values())
    for layer, fetched in http.last.items():
        print(
            f"  {layer:<16} {features[layer]:6d} features  {mb(fetched.size):>9} JSON  -> "
            f"{mb(fetched.wire):>9} on the wire ({fetched.encoding or 'identity'}, "
            f"{fetched.size / fetched.wire:.1f}x); floor gzip {mb(floor_.sizes[layer])}"
        )
    size_total = sum(f.size for f in http.last.values())
    print(
        f"  {'both':<16} {sum(features.values()):6d} features  {mb(size_total):>9} JSON  -> "
        f"{mb(wire_total):>9} on the wire"
    )
    s.heading(f"floor: msgspec encode + gzip (level {GZIP_LEVEL}) of the same feature dicts, in memory")
    for series in (*floor_.layers.values(), floor_.total):
        print(f"  {series.line()}")
    s.heading("in process: where a layer request's time goes (median, ms)")
    for label, ms in steps:
        print(f"  {ms:8.1f}  {label}")

    p95 = s.percentile(http.both.ms, 95)
    ratio = s.median(http.both.ms) / s.median(floor_.total.ms)
    s.heading("results")
    print(
        f"both layers: p50 {s.median(http.both.ms):.1f} ms, p95 {p95:.1f} ms (sequential sum); floor p50 "
        f"{s.median(floor_.total.ms):.1f} ms, p95 {s.percentile(floor_.total.ms, 95):.1f} ms; "
        f"full stack = {ratio:.1f}x the floor (p50)"
    )
    time_met, size_met = p95 < TARGET_P95_MS, wire_total < TARGET_WIRE_BYTES
    print(
        f"RESULT COP GeoJSON latency: p95 {p95:.1f} ms for both layers "
        f"(target < {TARGET_P95_MS:.0f} ms) -> {'MET' if time_met else 'NOT MET'}"
    )
    print(
        f"RESULT COP GeoJSON size: {mb(wire_total)} on the wire for both layers "
        f"(target < {mb(TARGET_WIRE_BYTES)}) -> {'MET' if size_met else 'NOT MET'}"
    )
    if features != {"contact_points": args.visible, "jurisdictions": args.partners}:
        print(f"WARNING: expected {args.visible} points and {args.partners} areas, got {features}")
    return time_met and size_met


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with s.scratch_dir(args.tmpdir) as work:
        s.heading("COP GeoJSON: GET /api/map/layers/{contact_points,jurisdictions}, full stack vs the floor")
        print(s.machine_line())
        print(
            f"server: granian {granian.__version__}, ASGI, 1 worker (subprocess); client: httpx, keep-alive, "
            f"Accept-Encoding: gzip; {args.requests} sequential rounds of both layers"
        )
        _seeded, http, floor_, steps, profile = measure(args, work)
    met = report(args, http, floor_, steps)
    if profile:
        print()
        print(profile)
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
