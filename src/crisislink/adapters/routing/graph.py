"""A loaded road graph: snap points to it, and travel times from one origin to many targets.

Snapping uses a k-d tree (scipy's cKDTree) over the nodes placed on the unit sphere (x, y, z): the chord
between two points grows monotonically with their great-circle distance, so the nearest node by chord
is the nearest node on the Earth, at 50 degrees north as at the equator, with no projection to choose.

Travel times come from scipy's Dijkstra (one source, all nodes, optionally bounded by `limit`). Road
metres follow the fastest route: the shortest-path tree is read back from Dijkstra's predecessors and
each node's distance along it summed by pointer jumping (log2(depth) vectorised steps over the reached
nodes), which costs about as much as the search itself and needs no second search.

`prepare` + `seconds` is the fast path for "nearest unit": units are snapped once, and a query is one
scalar snap, one Dijkstra and one gather, returning a numpy array.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from crisislink.adapters.routing.build import GraphArrays
from crisislink.adapters.routing.estimate import (
    ACCESS_SPEED_KMH,
    EARTH_RADIUS_M,
    SNAP_LIMIT_M,
    LonLat,
    TravelTime,
    access_seconds,
    check_point,
    estimate,
)
from crisislink.adapters.routing.info import GraphInfo

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
ACCESS_SPEED_MS = ACCESS_SPEED_KMH / 3.6


@dataclass(frozen=True)
class Snapped:
    nodes: Ints
    metres: Floats


@dataclass(frozen=True)
class Targets:
    """Points already snapped to one graph."""

    points: tuple[LonLat, ...]
    nodes: Ints
    snap_m: Floats
    access_s: Floats  # seconds of the leg to the graph; NaN beyond SNAP_LIMIT_M


@dataclass(frozen=True)
class SearchResult:
    """Dijkstra from one node: seconds to every node (inf where not reached) and the tree."""

    source: int
    seconds: Floats
    predecessors: npt.NDArray[np.int32]


class RoadGraph:
    def __init__(self, info: GraphInfo, arrays: GraphArrays) -> None:
        self.info = info
        self.arrays = arrays

    @property
    def name(self) -> str:
        return self.info.name

    @cached_property
    def matrix(self) -> csr_matrix:
        """Travel seconds as the float64 CSR matrix scipy searches (built once: scipy would convert
        the stored float32 weights on every call otherwise)."""
        a = self.arrays
        n = a.node_count
        return csr_matrix((a.seconds.astype(np.float64), a.indices, a.indptr), shape=(n, n))

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(_unit_xyz(self.arrays.lon, self.arrays.lat))

    def snap(self, points: Sequence[LonLat]) -> Snapped:
        """The nearest node of each point and the great-circle distance to it in metres."""
        lonlat = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        chord, nodes = self._tree.query(_unit_xyz(lonlat[:, 0], lonlat[:, 1]))
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(np.asarray(chord) / 2, 1.0))
        return Snapped(np.asarray(nodes, dtype=np.int64), metres)

    def search(self, source: int, limit: float | None = None) -> SearchResult:
        seconds, predecessors = dijkstra(
            self.matrix,
            directed=True,
            indices=source,
            return_predecessors=True,
            limit=np.inf if limit is None else float(limit),
        )
        return SearchResult(source, seconds, predecessors)

    def prepare(self, points: Sequence[LonLat]) -> Targets:
        """Snap targets once, to ask for travel times to them from many origins (a registry of units)."""
        checked = tuple(check_point(point, "target") for point in points)
        if not checked:
            return Targets(checked, np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
        snapped = self.snap(checked)
        # Seconds of the access leg, NaN for a target too far from the graph: NaN survives the sum.
        access = np.where(snapped.metres > SNAP_LIMIT_M, np.nan, snapped.metres / ACCESS_SPEED_MS)
        return Targets(checked, snapped.nodes, snapped.metres, access)

    def seconds(self, origin: LonLat, targets: Targets, limit: float | None = None) -> Floats:
        """The fast path: seconds to each prepared target, access legs included; inf beyond `limit`;
        NaN where this graph cannot answer (a point farther than SNAP_LIMIT_M from it): estimate those."""
        start = self.snap_origin(origin)
        if start is None or not targets.points:
            return np.full(len(targets.points), np.nan)
        node, origin_snap = start
        graph_seconds: Floats = dijkstra(
            self.matrix, indices=node, limit=np.inf if limit is None else float(limit)
        )
        return graph_seconds[targets.nodes] + (targets.access_s + origin_snap / ACCESS_SPEED_MS)

    def travel_times(
        self, origin: LonLat, targets: Sequence[LonLat], limit: float | None = None
    ) -> list[TravelTime]:
        """By car from `origin` to each target, in the targets' order.

        A point more than SNAP_LIMIT_M from the graph gets an estimate (`estimated=True`, with the
        reason). A target beyond `limit` seconds gets `seconds=inf`: it is known to be farther.
        """
        origin = check_point(origin, "origin")
        prepared = self.prepare(targets)
        start = self.snap_origin(origin)
        if start is None:
            snap = float(self.snap([origin]).metres[0])
            reason = f"the origin is {snap / 1000:.1f} km from the nearest road of graph '{self.name}'"
            return [estimate(origin, point, reason) for point in prepared.points]
        if not prepared.points:
            return []
        node, origin_snap = start
        result = self.search(node, limit)
        metres = tree_metres(self.arrays, result, prepared.nodes)
        seconds = result.seconds[prepared.nodes]
        return [
            self._answer(origin, point, float(s), float(m), origin_snap, float(snap), limit)
            for point, s, m, snap in zip(prepared.points, seconds, metres, prepared.snap_m, strict=True)
        ]

    def snap_origin(self, origin: LonLat) -> tuple[int, float] | None:
        """The origin's node and its distance to it, or None when it is too far from the graph."""
        lon, lat = map(math.radians, check_point(origin, "origin"))
        xyz = (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
        chord, node = self._tree.query(xyz)  # one point: the fast scalar form of snap()
        metres = 2 * EARTH_RADIUS_M * math.asin(min(float(chord) / 2, 1.0))
        return None if metres > SNAP_LIMIT_M else (int(node), metres)

    def _answer(
        self,
        origin: LonLat,
        target: LonLat,
        seconds: float,
        metres: float,
        origin_snap: float,
        target_snap: float,
        limit: float | None,
    ) -> TravelTime:
        if target_snap > SNAP_LIMIT_M:
            reason = f"the target is {target_snap / 1000:.1f} km from the nearest road of graph '{self.name}'"
            return estimate(origin, target, reason)
        if not math.isfinite(seconds):
            reason = f"not reached within the search limit of {limit:.0f} s"
            return TravelTime(math.inf, math.inf, False, origin_snap, target_snap, reason, self.name)
        legs = origin_snap + target_snap
        return TravelTime(
            seconds + access_seconds(legs), metres + legs, False, origin_snap, target_snap, None, self.name
        )


def _unit_xyz(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Floats:
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def tree_metres(arrays: GraphArrays, result: SearchResult, targets: Ints) -> Floats:
    """Road metres from the source to each target along Dijkstra's tree (inf where not reached)."""
    reached = np.flatnonzero(np.isfinite(result.seconds))
    local = np.full(arrays.node_count, -1, dtype=np.int64)
    local[reached] = np.arange(reached.size)
    parents = result.predecessors[reached].astype(np.int64)
    child = parents >= 0  # every reached node but the source
    up = np.arange(reached.size)
    up[child] = local[parents[child]]
    along = np.zeros(reached.size)
    along[child] = _edge_metres(arrays, parents[child], reached[child])
    root = int(local[result.source])
    while not np.all(up == root):  # pointer jumping: each step doubles how far `along` reaches
        along += along[up]
        up = up[up]
    out = np.full(targets.size, np.inf)
    found = local[targets] >= 0
    out[found] = along[local[targets[found]]]
    return out


def _edge_metres(arrays: GraphArrays, rows: Ints, cols: Ints) -> Floats:
    """Metres of the edges rows[i] -> cols[i], found by scanning each row (rows hold a handful of edges)."""
    out = np.zeros(rows.size)
    start = arrays.indptr[rows].astype(np.int64)
    stop = arrays.indptr[rows + 1].astype(np.int64)
    pending = np.arange(rows.size)
    offset = 0
    while pending.size:
        position = start[pending] + offset
        inside = position < stop[pending]
        pending, position = pending[inside], position[inside]
        hit = arrays.indices[position] == cols[pending]
        out[pending[hit]] = arrays.metres[position[hit]]
        pending = pending[~hit]
        offset += 1
    return out
