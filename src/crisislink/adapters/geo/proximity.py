"""Border proximity: is an incident area within D km of an international border, and whom does it touch?

This is the spatial half of the "neighbours are told automatically" rule. An incident area that crosses
a border, or lies within D km of one, triggers the rule; every jurisdiction that the area grown by D km
touches is reported, with a sentence a person can read and the same facts as data for a UI to translate.

Input and output are WGS84 GeoJSON. Every measurement is made in metres in ETRS89-LAEA (EPSG:3035), the
equal-area projection the EU uses for statistics; across the Benelux its distance error is well under 0.1 %,
far below the uncertainty of the 1:20M country outlines.

`ProximityIndex` does the costly work once (projection, border lines, spatial indexes) and is then read-only:
one instance can serve `evaluate` from many threads at once. `evaluate_naively` is the same rule written as a
plain loop, kept as the benchmark's baseline and the tests' oracle.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.geo.shapes import validate_area
from crisislink.kernel.errors import InvalidInput

WGS84: Final = "EPSG:4326"
METRIC_CRS: Final = "EPSG:3035"
MAX_DISTANCE_KM: Final = 100.0
# Two countries from independent sources may leave a sliver between them instead of sharing a line; up to
# this gap (metres) they are still taken to share a border (see `border_line`).
SNAP_TOLERANCE_M: Final = 100.0
MIN_SNAPPED_BORDER_M: Final = 4 * SNAP_TOLERANCE_M
# Border lines are cut into pieces of at most this many segments before indexing: a whole border (BE-FR is
# 400 km) has an envelope so large that the tree could never rule it out.
BORDER_PIECE_SEGMENTS: Final = 16
JURISDICTION_LAYERS: Final = ("countries", "regions")
METRES_PER_KM: Final = 1000.0
DASH: Final = "\N{EN DASH}"
_LINESTRING: Final = 1


@dataclass(frozen=True)
class Jurisdiction:
    """A partner organisation's area. `key` is the caller's (e.g. a partner id); this module never reads it."""

    key: str
    name: str
    country: str
    geometry: Mapping[str, Any] = field(hash=False, repr=False)


@dataclass(frozen=True)
class BorderHit:
    countries: tuple[str, str]  # sorted ISO 3166-1 alpha-2 pair, e.g. ("BE", "NL")
    distance_km: float  # 0.0 when the area crosses it; rounded to the metre
    crosses: bool  # the area reaches into both countries and meets their common border


@dataclass(frozen=True)
class ProximityResult:
    """The facts behind the rule. `touched` is filled even when not triggered; the rule only uses it then."""

    distance_km: float
    borders: tuple[BorderHit, ...]
    touched: tuple[Jurisdiction, ...]
    triggered: bool

    def explain(self) -> str:
        """English sentence for logs and operators; a UI should build its own text from the fields."""
        if not self.triggered:
            return f"area is more than {self.distance_km:g} km from any border"
        clauses = _border_clauses(self.borders, self.distance_km)
        return f"area {' and '.join(clauses)}; {_touched_clause(self.touched)}"


# --------------------------------------------------------------------------- explanation


def _pair(countries: tuple[str, str]) -> str:
    return DASH.join(countries)


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _borders_noun(hits: Sequence[BorderHit]) -> str:
    pairs = _listing([_pair(hit.countries) for hit in hits])
    return f"the {pairs} border{'s' if len(hits) > 1 else ''}"


def _border_clauses(borders: Sequence[BorderHit], distance_km: float) -> list[str]:
    crossed = [hit for hit in borders if hit.crosses]
    near = [hit for hit in borders if not hit.crosses]
    clauses = []
    if crossed:
        clauses.append(f"crosses {_borders_noun(crossed)}")
    if near:
        how_far = _listing([f"{hit.distance_km:.1f}" for hit in near])
        clauses.append(f"lies within {distance_km:g} km of {_borders_noun(near)} ({how_far} km away)")
    return clauses


def _touched_clause(touched: Sequence[Jurisdiction]) -> str:
    if not touched:
        return "touches no known jurisdiction"
    return f"touches {_listing([jurisdiction.name for jurisdiction in touched])}"


# --------------------------------------------------------------------------- geometry helpers


@functools.cache
def _to_metric_transformer() -> Any:
    # Made on first use, not at import (it opens PROJ's database). Pyproj transformers are thread-safe since
    # pyproj 3.1 (one PROJ context per thread), so one is shared; two threads racing here both get a valid one.
    return Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def _project_coordinates(coordinates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    x, y = _to_metric_transformer().transform(coordinates[:, 0], coordinates[:, 1])
    return np.column_stack((x, y))


def to_metric(geometry: Mapping[str, Any]) -> Any:
    """A GeoJSON WGS84 geometry as a shapely geometry in EPSG:3035 metres (all vertices in one PROJ call)."""
    return shapely.transform(shape(geometry), _project_coordinates)


def _metric_country(geometry: Mapping[str, Any]) -> Any:
    # The crossing test runs a full relate against the country, which GEOS refuses on invalid polygons.
    projected = to_metric(geometry)
    return projected if shapely.is_valid(projected) else shapely.make_valid(projected)


def _checked_distance_m(distance_km: float) -> float:
    if isinstance(distance_km, bool) or not isinstance(distance_km, int | float) or math.isnan(distance_km):
        raise InvalidInput(f"the distance to a border must be a number of kilometres, not {distance_km!r}")
    if not 0 <= distance_km <= MAX_DISTANCE_KM:
        raise InvalidInput(
            f"the distance to a border must be between 0 and {MAX_DISTANCE_KM:g} km, not {distance_km:g} km"
        )
    return float(distance_km) * METRES_PER_KM


def _metric_area(area: Mapping[str, Any]) -> Any:
    validate_area(area)
    return to_metric(area)


def _line_parts(geometry: Any) -> Any:
    """Only the lines of an intersection result: where countries meet in a single point there is no border."""
    parts = shapely.get_parts(geometry)
    lines = parts[shapely.get_type_id(parts) == _LINESTRING]
    return shapely.multilinestrings(lines) if len(lines) else shapely.MultiLineString()


def border_line(country_a: Any, country_b: Any) -> Any | None:
    """The common border of two metric country polygons as merged lines, or None when they do not meet.

    The shipped GISCO outlines come from one dataset snapped to a 1e-5 degree grid, so neighbours share
    their border vertices exactly and the plain intersection of the two boundaries is the whole border
    (BE-NL: 294.07 km; intersecting with the neighbour grown by 1 m instead only adds 2-4 m of stubs where the
    boundary turns away). Independently digitised outlines share no vertices; their exact intersection is at
    most a few points, so then the boundary of one is cut by the other grown by SNAP_TOLERANCE_M. Outlines
    that share vertices along part of a border and not elsewhere would lose the unshared part; no shipped
    data does that.
    """
    shared = _line_parts(shapely.intersection(country_a.boundary, country_b.boundary))
    if not shared.is_empty:
        return shapely.line_merge(shared)
    if not shapely.dwithin(country_a, country_b, SNAP_TOLERANCE_M):
        return None
    near = _line_parts(shapely.intersection(country_a.boundary, shapely.buffer(country_b, SNAP_TOLERANCE_M)))
    # Countries meeting only at a corner leave two stubs of about SNAP_TOLERANCE_M each: that is no border.
    return shapely.line_merge(near) if near.length > MIN_SNAPPED_BORDER_M else None


def _country_pairs(codes: Iterable[str]) -> Iterable[tuple[str, str]]:
    return itertools.combinations(sorted(codes), 2)


def _crosses(area: Any, country_a: Any, country_b: Any, distance_m: float) -> bool:
    # Meeting the line is not enough (an area drawn up to the border from one side meets it too): the
    # interior of the area has to reach into the interior of both countries.
    inside = "T********"
    return distance_m == 0 and bool(
        shapely.relate_pattern(area, country_a, inside) and shapely.relate_pattern(area, country_b, inside)
    )


def _hit(countries: tuple[str, str], distance_m: float, crosses: bool) -> BorderHit:
    distance_km = 0.0 if crosses else round(distance_m / METRES_PER_KM, 3)
    return BorderHit(countries=countries, distance_km=distance_km, crosses=crosses)


def _result(
    distance_km: float, hits: Iterable[BorderHit], touched: Iterable[Jurisdiction]
) -> ProximityResult:
    borders = tuple(sorted(hits, key=lambda hit: (hit.distance_km, hit.countries)))
    ordered = tuple(sorted(touched, key=lambda j: (j.country, j.name, j.key)))
    return ProximityResult(float(distance_km), borders, ordered, triggered=bool(borders))


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class _BorderPieces:
    """Border lines cut into short pieces, each labelled with the index of its country pair."""

    pieces: npt.NDArray[np.object_]
    pair_of_piece: npt.NDArray[np.intp]


def _cut(line: Any, max_segments: int) -> list[Any]:
    """The line in pieces of at most `max_segments` segments; consecutive pieces share their end vertex."""
    pieces = []
    for part in shapely.get_parts(line):
        coordinates = shapely.get_coordinates(part)
        starts = range(0, len(coordinates) - 1, max_segments)
        pieces += [shapely.linestrings(coordinates[start : start + max_segments + 1]) for start in starts]
    return pieces


def _border_pieces(lines: Sequence[Any]) -> _BorderPieces:
    pieces: list[Any] = []
    labels: list[int] = []
    for index, line in enumerate(lines):
        cut = _cut(line, BORDER_PIECE_SEGMENTS)
        pieces += cut
        labels += [index] * len(cut)
    return _BorderPieces(np.array(pieces, dtype=object), np.array(labels, dtype=np.intp))


class ProximityIndex:
    """Countries, their common borders and the jurisdictions, projected and indexed once; read-only after.

    Thread safety: queries only read the STR trees (built completely in the constructor) and immutable
    geometries; nothing shared is prepared lazily, so concurrent `evaluate` calls need no lock.
    """

    def __init__(self, countries: Mapping[str, Mapping[str, Any]], jurisdictions: Sequence[Jurisdiction]):
        self._countries = {code: _metric_country(geometry) for code, geometry in countries.items()}
        pairs, lines = self._borders()
        self._pairs = pairs
        self._border = _border_pieces(lines)
        self._border_tree = shapely.STRtree(self._border.pieces)
        self._jurisdictions = tuple(jurisdictions)
        self._jurisdiction_tree = shapely.STRtree([to_metric(j.geometry) for j in self._jurisdictions])

    @property
    def border_pairs(self) -> tuple[tuple[str, str], ...]:
        """The country pairs found to share a border, sorted."""
        return self._pairs

    def _borders(self) -> tuple[tuple[tuple[str, str], ...], list[Any]]:
        pairs: list[tuple[str, str]] = []
        lines: list[Any] = []
        for a, b in _country_pairs(self._countries):
            line = border_line(self._countries[a], self._countries[b])
            if line is not None:
                pairs.append((a, b))
                lines.append(line)
        return tuple(pairs), lines

    def evaluate(self, area: Mapping[str, Any], distance_km: float) -> ProximityResult:
        """The rule for one incident area (GeoJSON Polygon/MultiPolygon, WGS84) and distance D in km."""
        distance_m = _checked_distance_m(distance_km)
        metric_area = _metric_area(area)
        hits = [
            _hit(pair, distance, _crosses(metric_area, *self._pair_countries(pair), distance))
            for pair, distance in self._border_distances(metric_area, distance_m).items()
        ]
        return _result(distance_km, hits, self._touched(metric_area, distance_m))

    def _pair_countries(self, pair: tuple[str, str]) -> tuple[Any, Any]:
        return self._countries[pair[0]], self._countries[pair[1]]

    def _border_distances(self, area: Any, distance_m: float) -> dict[tuple[str, str], float]:
        """Distance from the area to each border within `distance_m`; a border's nearest piece gives it."""
        candidates = self._border_tree.query(area, predicate="dwithin", distance=distance_m)
        distances = shapely.distance(area, self._border.pieces[candidates])
        nearest: dict[tuple[str, str], float] = {}
        for pair_index, distance in zip(self._border.pair_of_piece[candidates], distances, strict=True):
            pair = self._pairs[pair_index]
            nearest[pair] = min(float(distance), nearest.get(pair, math.inf))
        # The tree's dwithin and the computed distance could disagree in the last bit; the distance decides,
        # as it does in evaluate_naively.
        return {pair: distance for pair, distance in nearest.items() if distance <= distance_m}

    def _touched(self, area: Any, distance_m: float) -> list[Jurisdiction]:
        # dwithin on the area itself rather than intersects on the area grown by D: the same answer without
        # buffering a polygon of hundreds of vertices, and exact where a buffer only approximates the round
        # corners (the benchmark compares both).
        found = self._jurisdiction_tree.query(area, predicate="dwithin", distance=distance_m)
        return [self._jurisdictions[i] for i in found]


# --------------------------------------------------------------------------- the baseline


def evaluate_naively(
    countries: Mapping[str, Mapping[str, Any]],
    jurisdictions: Sequence[Jurisdiction],
    area: Mapping[str, Any],
    distance_km: float,
) -> ProximityResult:
    """The same rule without an index or cache: projects and compares everything on every call."""
    distance_m = _checked_distance_m(distance_km)
    metric_area = _metric_area(area)
    metric = {code: _metric_country(geometry) for code, geometry in countries.items()}
    hits = []
    for a, b in _country_pairs(metric):
        line = border_line(metric[a], metric[b])
        if line is None:
            continue
        distance = float(shapely.distance(metric_area, line))
        if distance <= distance_m:
            hits.append(_hit((a, b), distance, _crosses(metric_area, metric[a], metric[b], distance)))
    touched = [j for j in jurisdictions if shapely.dwithin(metric_area, to_metric(j.geometry), distance_m)]
    return _result(distance_km, hits, touched)


# --------------------------------------------------------------------------- from the shipped layers


def _display_name(names: Mapping[str, str], name: str) -> str:
    return names.get("en", name)


def reference_jurisdictions(reference: ReferenceData, layers: Sequence[str]) -> list[Jurisdiction]:
    """Every feature of the given shipped layers as a jurisdiction keyed "layer:code" (e.g. "regions:VR24")."""
    return [
        Jurisdiction(
            key=f"{layer}:{boundary.code}",
            name=_display_name(boundary.names, boundary.name),
            country=boundary.country,
            geometry=boundary.geometry,
        )
        for layer in layers
        for boundary in reference.layer(layer)
    ]


def reference_countries(reference: ReferenceData) -> dict[str, Mapping[str, Any]]:
    return {boundary.code: boundary.geometry for boundary in reference.layer("countries")}


def from_reference(reference: ReferenceData, layers: Sequence[str] = JURISDICTION_LAYERS) -> ProximityIndex:
    """An index over the shipped countries, with every feature of `layers` as a jurisdiction."""
    return ProximityIndex(reference_countries(reference), reference_jurisdictions(reference, layers))
