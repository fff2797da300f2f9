"""Warning-area targeting: the indexed evaluation against a naive loop over every unit.

Data:  the shipped targeting units: 746 municipalities (NL, Flanders + Brussels, LU) and the NUTS3 units where
       no municipality is shipped (Walloon arrondissements incl. BE336, German and French neighbours), cut back
       by the municipalities; about 880 units in all.
       The warning area is a band of exactly 1,000 vertices, ~10 km wide and ~200 km long, from Sittard and
       Maastricht through the Liège province and the Eastern Cantons to Mersch in Luxembourg (it crosses NL,
       Flanders, Wallonia, the German-speaking Community BE336 and LU):
       a line buffered by 5 km in EPSG:3035 and resampled to 1,000 points, each moved up to 150 m
       across the ring (fixed seed).
Timed: `Targeting.evaluate(area)` (validate, project, tree query with the prepared area, containment
       shortcut, overlay cut to each unit's box, result) and `evaluate_naively(units, area)` (intersects +
       intersection on every unit, one by one), in this process, one after the other, after a warm-up. Both
       must return the same units, shares and languages; the run stops if they do not.
       Building the index (reading the layers, projecting, assigning NUTS3, cutting back the 1:20M units,
       the STR tree) happens once at start-up: reported apart.
Why:   medians of the steps of `evaluate`, and of the overlay with and without the bounding-box cut.

Target: p95 of `Targeting.evaluate` < 50 ms.

    python -m bench.warning_targeting [--quick] [--runs 300] [--naive-runs 30] [--strict]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _support as s
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.geo.shapes import validate_area
from crisislink.adapters.geo.targeting_geometry import metric_area
from crisislink.adapters.geo.targeting_index import Targeting
from crisislink.adapters.geo.targeting_naive import evaluate_naively
from crisislink.adapters.geo.targeting_result import TargetingResult, TargetUnit
from crisislink.adapters.geo.targeting_units import reference_units, statistical_reference

TARGET_P95_MS = 50.0
VERTICES = 1000
# Sittard, Maastricht, Liège, Spa, Sankt Vith, Clervaux, Wiltz, Ettelbruck, Mersch: NL, Flanders (Riemst,
# Voeren), Wallonia, the German-speaking Community (BE336) and Luxembourg, about 200 km.
WAYPOINTS = (
    (5.87, 51.00),
    (5.69, 50.85),
    (5.58, 50.64),
    (5.86, 50.49),
    (6.12, 50.29),
    (6.03, 50.06),
    (5.93, 49.95),
    (6.10, 49.85),
    (6.10, 49.75),
)
HALF_WIDTH_M = 5_000.0
JITTER_M = 150.0
WARM_UP = 5
SHARE_TOLERANCE = 1e-6


# --------------------------------------------------------------------------- the data


def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _nearest_on(line: Any, x: float, y: float) -> Any:
    return shapely.get_coordinates(shapely.line_interpolate_point(line, line.project(shapely.Point(x, y))))[0]


def warning_band(rng: random.Random) -> dict[str, Any]:
    """A GeoJSON polygon of exactly VERTICES distinct vertices along WAYPOINTS; checked simple and valid."""
    to_metric = _transformer("EPSG:4326", "EPSG:3035")
    to_wgs84 = _transformer("EPSG:3035", "EPSG:4326")
    line = shapely.LineString([to_metric.transform(lon, lat) for lon, lat in WAYPOINTS])
    ring = shapely.buffer(line, HALF_WIDTH_M).exterior
    points = []
    for i in range(VERTICES):
        x, y = shapely.get_coordinates(shapely.line_interpolate_point(ring, i / VERTICES, normalized=True))[0]
        # Move each point along the ring's normal (on a buffer, the direction from the nearest point of the
        # centre line), by far less than the ~300 m between points, so the ring cannot cross itself.
        nearest = _nearest_on(line, x, y)
        direction = np.array([x, y]) - nearest
        direction /= max(float(np.hypot(*direction)), 1.0)
        offset = rng.uniform(-JITTER_M, JITTER_M)
        lon, lat = to_wgs84.transform(x + direction[0] * offset, y + direction[1] * offset)
        points.append([round(lon, 6), round(lat, 6)])
    area = {"type": "Polygon", "coordinates": [[*points, points[0]]]}
    validate_area(area)
    if len({tuple(p) for p in points}) != VERTICES:
        raise SystemExit("the band has repeated vertices; change the seed")
    return area


@dataclass(frozen=True)
class World:
    units: list[TargetUnit]
    vertices: int
    build_ms: list[float]
    index: Targeting


def build_world(runs: int) -> World:
    samples: list[float] = []
    units: list[TargetUnit] = []
    for _ in range(runs):
        started = time.perf_counter()
        # Fresh readers each time, so the figure includes reading and parsing the shipped layers.
        units = reference_units(ReferenceData(), statistical_reference())
        index = Targeting(units)
        samples.append((time.perf_counter() - started) * 1000)
    vertices = sum(int(shapely.get_num_coordinates(unit.geometry)) for unit in units)
    return World(units, vertices, samples, index)


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Series:
    name: str
    ms: list[float]

    def line(self) -> str:
        return (
            f"{self.name:<24} p50 {s.median(self.ms):8.2f} ms   p95 {s.percentile(self.ms, 95):8.2f} ms   "
            f"min {min(self.ms):7.2f}   max {max(self.ms):7.2f}   (n={len(self.ms)})"
        )


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def steps(world: World, area: dict[str, Any], runs: int) -> list[tuple[str, float]]:
    """Median ms of the parts of `evaluate` that can be run alone, and of the overlay without the box cut."""
    metric = metric_area(area)
    found = world.index.candidates(metric)
    geometries = np.array([world.units[i].geometry for i in found], dtype=object)
    inside = shapely.contains_properly(metric, geometries)
    partial = geometries[~inside]
    boxes = shapely.bounds(partial).tolist()

    def cut_overlay() -> object:
        return shapely.area(shapely.intersection([shapely.clip_by_rect(metric, *b) for b in boxes], partial))

    measured: list[tuple[str, Callable[[], object]]] = [
        ("whole evaluate", lambda: world.index.evaluate(area)),
        ("validate_area", lambda: validate_area(area)),
        ("metric_area", lambda: metric_area(area)),
        # A fresh area each time: the query prepares it, and a prepared one would make the query look free.
        ("metric_area + query", lambda: world.index.candidates(metric_area(area))),
        ("containment", lambda: shapely.contains_properly(metric, geometries)),
        ("cut overlay", cut_overlay),
        ("whole overlay", lambda: shapely.area(shapely.intersection(metric, partial))),
    ]
    ms = {label: s.median(timed(fn, runs)) for label, fn in measured}
    query = ms["metric_area + query"] - ms["metric_area"]
    rest = ms["whole evaluate"] - ms["metric_area + query"] - ms["containment"] - ms["cut overlay"]
    return [
        ("whole evaluate", ms["whole evaluate"]),
        ("  metric_area: validate and project to EPSG:3035", ms["metric_area"]),
        ("    of which validate_area (GeoJSON walk + GEOS is_valid)", ms["validate_area"]),
        (f"  tree query with the prepared area ({len(found)} units found)", query),
        (f"  containment shortcut ({int(inside.sum())} units wholly inside: no overlay)", ms["containment"]),
        (f"  overlay, the area cut to each unit's box first ({len(partial)} units)", ms["cut overlay"]),
        ("  the rest, by difference: shares, population, languages, geocodes, notes", rest),
        ("  alternative: the same overlays on the whole area", ms["whole overlay"]),
    ]


# --------------------------------------------------------------------------- the run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (50 indexed, 5 naive runs)")
    parser.add_argument(
        "--runs", type=int, default=None, help="timed runs of the index (default 300, at least 200)"
    )
    parser.add_argument(
        "--naive-runs", type=int, default=None, help="timed runs of the naive loop (default 30)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    args.runs = args.runs or (50 if args.quick else 300)
    args.naive_runs = args.naive_runs or (5 if args.quick else 30)
    return args


def comparable(result: TargetingResult) -> tuple[Any, ...]:
    """What must agree between the index and the loop: overlays of cut and whole areas differ in the last bits."""
    units = sorted((u.code, round(u.share / SHARE_TOLERANCE)) for u in result.units())
    return (units, result.languages, result.geocodes, result.notes)


def check_equal(indexed: TargetingResult, naive: TargetingResult) -> None:
    if comparable(indexed) != comparable(naive):
        raise SystemExit(f"the index and the naive loop disagree:\n  index: {indexed}\n  naive: {naive}")


def describe(result: TargetingResult) -> str:
    parts = ", ".join(
        f"{part.country} {len(part.units)} units ({part.population_reached or 0:,} people)"
        for part in result.countries
    )
    return (
        f"{parts}; {result.population_reached:,} people in all; required {', '.join(result.languages)}; "
        f"geocodes {len(result.geocodes.nuts3)} NUTS3, EMMA_ID {', '.join(result.geocodes.emma_id)}"
    )


def report_steps(labels: Sequence[tuple[str, float]]) -> None:
    s.heading("in process: where the time of evaluate goes (median, ms)")
    for label, ms in labels:
        print(f"  {ms:8.2f}  {label}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    s.heading("warning targeting: Targeting.evaluate vs evaluate_naively")
    print(s.machine_line())
    print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string})")

    world = build_world(1 if args.quick else 3)
    area = warning_band(random.Random(args.seed))
    print(f"data: {len(world.units)} units ({world.vertices} vertices)")
    print(
        f"area: {len(area['coordinates'][0]) - 1} vertices, a {2 * HALF_WIDTH_M / 1000:g} km band Sittard - Maastricht - Liège - Sankt Vith - Wiltz - Mersch"
    )
    print(
        f"index build (once, at start-up; reads the layers, projects, assigns NUTS3, cuts back 1:20M units): "
        f"{s.median(world.build_ms):.0f} ms median of {len(world.build_ms)}"
    )

    indexed = world.index.evaluate(area)
    check_equal(indexed, evaluate_naively(world.units, area))
    print(f"result: {describe(indexed)}")

    timed(lambda: world.index.evaluate(area), WARM_UP)
    fast = Series("Targeting.evaluate", timed(lambda: world.index.evaluate(area), args.runs))
    slow = Series("evaluate_naively", timed(lambda: evaluate_naively(world.units, area), args.naive_runs))
    s.heading("latency of one evaluation")
    print(f"  {fast.line()}")
    print(f"  {slow.line()}")
    report_steps(steps(world, area, min(args.runs, 100)))

    p95 = s.percentile(fast.ms, 95)
    s.heading("results")
    print(
        f"naive / index: {s.median(slow.ms) / s.median(fast.ms):.1f}x at p50, "
        f"{s.percentile(slow.ms, 95) / p95:.1f}x at p95"
    )
    met = p95 < TARGET_P95_MS
    print(
        f"RESULT warning targeting: p95 {p95:.2f} ms for Targeting.evaluate "
        f"(target p95 < {TARGET_P95_MS:.0f} ms) -> {'MET' if met else 'NOT MET'}"
    )
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
