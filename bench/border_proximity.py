"""Border proximity: the spatial index of the "neighbours are told automatically" rule against a naive loop.

Data:  every shipped boundary of BE, NL, LU and their neighbours as a jurisdiction: the layers countries (5),
       regions (60) and municipalities (746), ~100,000 vertices in all; the 5 countries give the borders.
       The incident area is a polygon of exactly 500 vertices: a circle of 15 km radius around the
       BE-NL-DE tripoint (Vaalserberg) whose radius is jittered by up to 5 % per vertex (fixed seed).
Timed: `ProximityIndex.evaluate(area, D)` (validate, project, query the border and jurisdiction trees,
       measure, test crossing) and `evaluate_naively(...)` (the same rule as a plain loop that projects every
       boundary and recomputes every border on each call), one after the other in this process, after a
       warm-up. Both must return equal results; the run stops if they do not.
       Building the index (projection, border lines, STR trees) happens once at start-up: reported apart.
Why:   medians of the steps of `evaluate`, and the two ways to find the jurisdictions the area grown by D
       touches: `dwithin` on the area (what the index does) or `intersects` on the area buffered by D.

Target: p95 of `ProximityIndex.evaluate` < 20 ms.

    python -m bench.border_proximity [--quick] [--runs 300] [--naive-runs 50] [--distance 5]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _support as s
from crisislink.adapters.geo.proximity import (
    Jurisdiction,
    ProximityIndex,
    ProximityResult,
    evaluate_naively,
    reference_countries,
    reference_jurisdictions,
    to_metric,
)
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.geo.shapes import validate_area

TARGET_P95_MS = 20.0
LAYERS = ("countries", "regions", "municipalities")
VERTICES = 500
TRIPOINT = (6.0208, 50.7543)  # Vaalserberg, where Belgium, Germany and the Netherlands meet
RADIUS_KM = 15.0
JITTER = 0.05
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON_AT_EQUATOR = 111.32
WARM_UP = 5


# --------------------------------------------------------------------------- the data


def incident_area(rng: random.Random) -> dict[str, Any]:
    """A GeoJSON polygon of VERTICES distinct vertices; angles only increase, so it never self-intersects."""
    lon, lat = TRIPOINT
    km_per_degree_lon = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat))
    ring = []
    for i in range(VERTICES):
        angle = 2 * math.pi * i / VERTICES
        radius = RADIUS_KM * (1 + rng.uniform(-JITTER, JITTER))
        ring.append(
            [
                round(lon + radius * math.cos(angle) / km_per_degree_lon, 6),
                round(lat + radius * math.sin(angle) / KM_PER_DEGREE_LAT, 6),
            ]
        )
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@dataclass(frozen=True)
class World:
    countries: dict[str, Any]
    jurisdictions: list[Jurisdiction]
    vertices: int
    load_s: float


def load_world() -> World:
    started = time.perf_counter()
    reference = ReferenceData()
    countries = reference_countries(reference)
    jurisdictions = reference_jurisdictions(reference, LAYERS)
    load_s = time.perf_counter() - started
    vertices = sum(int(shapely.get_num_coordinates(shape(j.geometry))) for j in jurisdictions)
    return World(countries, jurisdictions, vertices, load_s)


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Series:
    name: str
    ms: list[float]

    def line(self) -> str:
        return (
            f"{self.name:<28} p50 {s.median(self.ms):8.2f} ms   p95 {s.percentile(self.ms, 95):8.2f} ms   "
            f"min {min(self.ms):7.2f}   max {max(self.ms):7.2f}   (n={len(self.ms)})"
        )


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def build_index(world: World, runs: int) -> tuple[ProximityIndex, list[float]]:
    samples: list[float] = []
    index: ProximityIndex | None = None
    for _ in range(runs):
        started = time.perf_counter()
        index = ProximityIndex(world.countries, world.jurisdictions)
        samples.append((time.perf_counter() - started) * 1000)
    assert index is not None
    return index, samples


def steps(
    world: World, index: ProximityIndex, area: dict[str, Any], distance_km: float, runs: int
) -> list[tuple[str, float]]:
    """Median ms of the parts of `evaluate` that can be run alone, and of the buffer alternative."""
    metric_area = to_metric(area)
    distance_m = distance_km * 1000
    # The same tree as the index holds, built here so the bench needs none of the index's internals.
    tree = shapely.STRtree([to_metric(j.geometry) for j in world.jurisdictions])
    by_dwithin = set(tree.query(metric_area, predicate="dwithin", distance=distance_m).tolist())
    by_buffer = set(tree.query(shapely.buffer(metric_area, distance_m), predicate="intersects").tolist())
    agree = "same" if by_dwithin == by_buffer else f"DIFFERENT: {len(by_dwithin)} vs {len(by_buffer)}"
    measured: list[tuple[str, Callable[[], object]]] = [
        ("whole evaluate", lambda: index.evaluate(area, distance_km)),
        ("  validate_area (GeoJSON walk + GEOS is_valid)", lambda: validate_area(area)),
        ("  project the area to EPSG:3035", lambda: to_metric(area)),
        (
            f"  touched: tree dwithin on the area ({len(by_dwithin)} found)",
            lambda: tree.query(metric_area, predicate="dwithin", distance=distance_m),
        ),
        (
            f"  alternative: buffer by D + tree intersects ({agree} set)",
            lambda: tree.query(shapely.buffer(metric_area, distance_m), predicate="intersects"),
        ),
        ("    of which the buffer alone", lambda: shapely.buffer(metric_area, distance_m)),
    ]
    medians = [(label, s.median(timed(fn, runs))) for label, fn in measured]
    rest = medians[0][1] - sum(ms for _, ms in medians[1:4])
    return [*medians[:4], ("  the rest: border distances, crossing tests, sorting", rest), *medians[4:]]


# --------------------------------------------------------------------------- the run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (50 indexed, 5 naive runs)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs of the index (default 300)")
    parser.add_argument(
        "--naive-runs", type=int, default=None, help="timed runs of the naive loop (default 50)"
    )
    parser.add_argument("--distance", type=float, default=5.0, help="D, the distance to a border in km")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    args.runs = args.runs or (50 if args.quick else 300)
    args.naive_runs = args.naive_runs or (5 if args.quick else 50)
    return args


def describe(result: ProximityResult) -> str:
    countries = sorted({j.country for j in result.touched})
    return (
        f"triggered {result.triggered}; borders "
        + ", ".join(
            f"{'-'.join(b.countries)} {'crossed' if b.crosses else f'{b.distance_km} km'}"
            for b in result.borders
        )
        + f"; {len(result.touched)} jurisdictions touched in {', '.join(countries)}"
    )


def check_equal(indexed: ProximityResult, naive: ProximityResult) -> None:
    if indexed != naive:
        raise SystemExit(f"the index and the naive loop disagree:\n  index: {indexed}\n  naive: {naive}")


def report_steps(labels: Sequence[tuple[str, float]]) -> None:
    s.heading("in process: where the time of evaluate goes (median, ms)")
    for label, ms in labels:
        print(f"  {ms:8.2f}  {label}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    s.heading("border proximity: ProximityIndex.evaluate vs evaluate_naively")
    print(s.machine_line())
    print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}); D = {args.distance:g} km")

    world = load_world()
    area = incident_area(random.Random(args.seed))
    positions = len(area["coordinates"][0])
    print(
        f"data: {len(world.jurisdictions)} jurisdictions from {', '.join(LAYERS)} ({world.vertices} vertices), "
        f"{len(world.countries)} countries; layers read in {world.load_s * 1000:.0f} ms"
    )
    print(
        f"area: {positions - 1} vertices ({positions} positions with the closing one), radius "
        f"{RADIUS_KM:g} km +/- {JITTER:.0%} around the BE-NL-DE tripoint"
    )

    index, build_ms = build_index(world, 1 if args.quick else 3)
    print(f"index build (once, at start-up): {s.median(build_ms):.0f} ms median of {len(build_ms)}")
    print(f"border pairs: {', '.join('-'.join(pair) for pair in index.border_pairs)}")

    indexed = index.evaluate(area, args.distance)
    check_equal(indexed, evaluate_naively(world.countries, world.jurisdictions, area, args.distance))
    print(f"result: {describe(indexed)}")

    timed(lambda: index.evaluate(area, args.distance), WARM_UP)
    fast = Series("ProximityIndex.evaluate", timed(lambda: index.evaluate(area, args.distance), args.runs))
    slow = Series(
        "evaluate_naively",
        timed(
            lambda: evaluate_naively(world.countries, world.jurisdictions, area, args.distance),
            args.naive_runs,
        ),
    )
    s.heading("latency of one evaluation")
    print(f"  {fast.line()}")
    print(f"  {slow.line()}")
    report_steps(steps(world, index, area, args.distance, min(args.runs, 100)))

    p95 = s.percentile(fast.ms, 95)
    p50_ratio = s.median(slow.ms) / s.median(fast.ms)
    p95_ratio = s.percentile(slow.ms, 95) / p95
    s.heading("results")
    print(f"naive / index: {p50_ratio:.1f}x at p50, {p95_ratio:.1f}x at p95")
    met = p95 < TARGET_P95_MS
    print(
        f"RESULT border proximity: p95 {p95:.2f} ms for ProximityIndex.evaluate "
        f"(target < {TARGET_P95_MS:.0f} ms) -> {'MET' if met else 'NOT MET'}"
    )
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
