"""From car ways and node locations to a compact, strongly connected CSR graph (all numpy, no Python loop).

Only routing-relevant nodes are kept: junctions (a node used twice or more, by one way or several) and
the ends of ways. The nodes between two of them are collapsed into one edge whose length and travel
time are the sums over the segments it replaces. Of parallel edges the fastest is kept. Finally only
the largest *strongly* connected component stays: in it every node reaches every other one, so a point
snapped to the graph can always be routed to and from (with only the largest weakly connected
component, a point snapped to the end of a one-way dead end could be reached but never left).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from crisislink.adapters.routing.estimate import haversine_m
from crisislink.adapters.routing.osm_reader import CarWays, Locations
from crisislink.kernel.errors import InvalidInput

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GraphArrays:
    """A directed road graph in CSR form: edges of node i are indices[indptr[i]:indptr[i + 1]]."""

    lon: npt.NDArray[np.float32]
    lat: npt.NDArray[np.float32]
    indptr: npt.NDArray[np.int32]
    indices: npt.NDArray[np.int32]
    seconds: npt.NDArray[np.float32]
    metres: npt.NDArray[np.float32]

    @property
    def node_count(self) -> int:
        return int(self.lon.size)

    @property
    def edge_count(self) -> int:
        return int(self.indices.size)


@dataclass(frozen=True)
class Built:
    arrays: GraphArrays
    nodes_before: int  # routing nodes before keeping the largest strongly connected component


@dataclass(frozen=True)
class _Edges:
    u: Ints
    v: Ints
    seconds: Floats
    metres: Floats


@dataclass(frozen=True)
class _Chain:
    """Way nodes that have a location, in way order, split into pieces where a location is missing."""

    refs: Ints
    lon: Floats
    lat: Floats
    way: Ints  # index of the way each node belongs to
    piece: Ints  # non-decreasing; consecutive nodes of one piece are joined by a road segment


def build_graph(ways: CarWays, locations: Locations) -> Built:
    chain = _chain(ways, locations)
    if chain.refs.size < 2:
        raise InvalidInput("the file holds no drivable road with known node locations")
    node_of, node_count = _node_numbers(chain.refs)
    edges = _collapsed_edges(chain, ways, node_of)
    edges = _without_loops_and_parallels(edges)
    if edges.u.size == 0:
        raise InvalidInput("the file holds no drivable road with known node locations")
    lon, lat = _node_coordinates(node_of, node_count, chain)
    edges, lon, lat = _used_nodes(edges, lon, lat)
    nodes_before = lon.size
    edges, lon, lat = _largest_strong_component(edges, lon, lat)
    return Built(_csr(edges, lon, lat), nodes_before)


def _chain(ways: CarWays, locations: Locations) -> _Chain:
    way = np.repeat(np.arange(ways.lengths.size, dtype=np.int64), ways.lengths)
    where = np.searchsorted(locations.ids, ways.refs).clip(max=max(locations.ids.size - 1, 0))
    known = locations.ids[where] == ways.refs if locations.ids.size else np.zeros(ways.refs.size, bool)
    position = np.flatnonzero(known)
    kept_way = way[position]
    # A piece starts with a new way, or after a node whose location is missing (cut off by the extract).
    starts = np.ones(position.size, dtype=bool)
    starts[1:] = (kept_way[1:] != kept_way[:-1]) | (position[1:] - position[:-1] > 1)
    located = where[position]
    return _Chain(
        refs=ways.refs[position],
        lon=locations.lon[located],
        lat=locations.lat[located],
        way=kept_way,
        piece=np.cumsum(starts) - 1,
    )


def _node_numbers(refs: Ints) -> tuple[Ints, int]:
    unique, node_of = np.unique(refs, return_inverse=True)
    return node_of.astype(np.int64).ravel(), int(unique.size)


def _collapsed_edges(chain: _Chain, ways: CarWays, node_of: Ints) -> _Edges:
    same_piece = chain.piece[1:] == chain.piece[:-1]
    segment_m = haversine_m(chain.lon[:-1], chain.lat[:-1], chain.lon[1:], chain.lat[1:]) * same_piece
    speed_ms = ways.speeds_kmh[chain.way[:-1]].astype(np.float64) / 3.6
    along_m = np.concatenate(([0.0], np.cumsum(segment_m)))
    along_s = np.concatenate(([0.0], np.cumsum(segment_m / speed_ms)))
    stops = np.flatnonzero(_routing_nodes(node_of, same_piece))
    a, b = stops[:-1], stops[1:]
    joined = chain.piece[a] == chain.piece[b]
    a, b = a[joined], b[joined]
    u, v = node_of[a], node_of[b]
    seconds, metres = along_s[b] - along_s[a], along_m[b] - along_m[a]
    direction = ways.directions[chain.way[a]]
    forward, backward = direction >= 0, direction <= 0
    return _Edges(
        u=np.concatenate((u[forward], v[backward])),
        v=np.concatenate((v[forward], u[backward])),
        seconds=np.concatenate((seconds[forward], seconds[backward])),
        metres=np.concatenate((metres[forward], metres[backward])),
    )


def _routing_nodes(node_of: Ints, same_piece: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Junctions (used twice or more) and the first and last node of every piece."""
    uses = np.bincount(node_of)
    relevant = uses[node_of] >= 2
    relevant[0] = relevant[-1] = True
    relevant[1:] |= ~same_piece
    relevant[:-1] |= ~same_piece
    return relevant


def _without_loops_and_parallels(edges: _Edges) -> _Edges:
    """Drop self-loops; of edges with the same ends keep the fastest. The result is sorted by (u, v)."""
    proper = edges.u != edges.v
    u, v, s, m = edges.u[proper], edges.v[proper], edges.seconds[proper], edges.metres[proper]
    order = np.lexsort((s, v, u))
    u, v, s, m = u[order], v[order], s[order], m[order]
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return _Edges(u[first], v[first], s[first], m[first])


def _node_coordinates(node_of: Ints, node_count: int, chain: _Chain) -> tuple[Floats, Floats]:
    lon, lat = np.empty(node_count), np.empty(node_count)
    lon[node_of], lat[node_of] = chain.lon, chain.lat
    return lon, lat


def _used_nodes(edges: _Edges, lon: Floats, lat: Floats) -> tuple[_Edges, Floats, Floats]:
    used = np.zeros(lon.size, dtype=bool)
    used[edges.u] = used[edges.v] = True
    return _renumbered(edges, used), lon[used], lat[used]


def _largest_strong_component(edges: _Edges, lon: Floats, lat: Floats) -> tuple[_Edges, Floats, Floats]:
    n = lon.size
    matrix = csr_matrix((edges.seconds, (edges.u, edges.v)), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    keep = labels == np.bincount(labels).argmax()
    inside = keep[edges.u] & keep[edges.v]
    kept = _Edges(edges.u[inside], edges.v[inside], edges.seconds[inside], edges.metres[inside])
    return _renumbered(kept, keep), lon[keep], lat[keep]


def _renumbered(edges: _Edges, keep: npt.NDArray[np.bool_]) -> _Edges:
    """Edges between kept nodes, numbered among the kept nodes (order, hence sorting, preserved)."""
    new_number = np.cumsum(keep) - 1
    return _Edges(new_number[edges.u], new_number[edges.v], edges.seconds, edges.metres)


def _csr(edges: _Edges, lon: Floats, lat: Floats) -> GraphArrays:
    indptr = np.zeros(lon.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(edges.u, minlength=lon.size), out=indptr[1:])
    return GraphArrays(
        lon=lon.astype(np.float32),
        lat=lat.astype(np.float32),
        indptr=indptr.astype(np.int32),
        indices=edges.v.astype(np.int32),
        seconds=edges.seconds.astype(np.float32),
        metres=edges.metres.astype(np.float32),
    )
