"""Importing an OpenStreetMap extract as a named car graph: read, build, and only then store."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from crisislink.adapters.routing import storage
from crisislink.adapters.routing.build import Built, build_graph
from crisislink.adapters.routing.info import GraphInfo
from crisislink.adapters.routing.osm_reader import (
    CarWays,
    Progress,
    open_extract,
    read_car_ways,
    read_locations,
)
from crisislink.kernel.clock import Clock, SystemClock
from crisislink.kernel.errors import Conflict

BUILD_STAGE = "building the graph"
SAVE_STAGE = "saving"


def _quiet(stage: str, done: int) -> None:
    """The default progress report: none."""


def import_extract(
    path: Path,
    directory: Path,
    name: str | None = None,
    *,
    replace: bool = False,
    progress: Progress = _quiet,
    clock: Clock | None = None,
) -> GraphInfo:
    """Import `path` as graph `name` (default: from the file name) into `directory`.

    Raises InvalidInput for a missing, unreadable or non-OSM file and for one without drivable roads,
    and Conflict when the name is taken and `replace` is not set; nothing is written in any of those cases.
    """
    name = storage.check_name(name or storage.name_for(path))
    if storage.exists(directory, name) and not replace:
        raise Conflict(f"a road graph named {name!r} exists: choose another --name, or --replace it")
    started = time.perf_counter()
    source = open_extract(path)
    ways = read_car_ways(source, progress)
    locations = read_locations(source, np.unique(ways.refs), progress)
    progress(BUILD_STAGE, 0)
    built = build_graph(ways, locations)
    info = _describe(name, path, built, ways, time.perf_counter() - started, clock)
    progress(SAVE_STAGE, 0)
    storage.save(directory, info, built.arrays)
    return info


def _describe(
    name: str, path: Path, built: Built, ways: CarWays, seconds: float, clock: Clock | None
) -> GraphInfo:
    arrays = built.arrays
    bbox = (
        float(arrays.lon.min()),
        float(arrays.lat.min()),
        float(arrays.lon.max()),
        float(arrays.lat.max()),
    )
    return GraphInfo(
        name=name,
        source=path.name,
        source_bytes=path.stat().st_size,
        imported_at=(clock or SystemClock()).now().isoformat(timespec="seconds"),
        import_seconds=round(seconds, 3),
        nodes=arrays.node_count,
        edges=arrays.edge_count,
        bbox=bbox,
        car_ways=int(ways.lengths.size),
        way_nodes=int(ways.refs.size),
        nodes_before_component=built.nodes_before,
    )
