"""Reading an OpenStreetMap extract with osmium, in two passes.

Pass 1 reads only ways with a `highway` tag (osmium filters the rest in C++) and keeps the car ways
with their node ids. Pass 2 reads the locations of just those nodes. Two passes instead of osmium's
node-location cache because the cache holds every node of the file (16 bytes each: ~5 GB for the
Benelux's ~300 million nodes) while the car network needs a tenth of them. It also copes with files
whose ids are negative (JOSM edits such as the LuST network), which osmium's cache and id filter
cannot store.

In pass 2 osmium's id filter keeps unneeded nodes out of Python, but it is a bitset over the whole id
range: about 1.6 GB and a few seconds for today's node ids (~13 billion), whatever the extract's size.
Below ID_FILTER_FROM_BYTES it is cheaper to hand every node to Python and keep the needed ones.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import osmium
from osmium.osm.types import OSMEntity

from crisislink.adapters.routing.profile import profile_of
from crisislink.kernel.errors import InvalidInput

# Told now and then how far a stage has got: (stage, items done).
Progress = Callable[[str, int], None]
WAYS_STAGE: Final = "reading roads"
NODES_STAGE: Final = "reading node locations"
_REPORT_EVERY: Final = 20_000
_SNIFF_BYTES: Final = 64
ID_FILTER_FROM_BYTES: Final = 32 * 1024 * 1024
SUPPORTED: Final = "an OpenStreetMap extract: .osm.pbf, or .osm XML (optionally .gz/.bz2)"


@dataclass(frozen=True)
class CarWays:
    """The car ways of a file: every way's node ids one after the other, and per way its profile."""

    refs: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.int64]  # nodes per way
    speeds_kmh: npt.NDArray[np.float32]
    directions: npt.NDArray[np.int8]
    highway_ways: int  # ways with a highway tag, driveable or not


@dataclass(frozen=True)
class Locations:
    ids: npt.NDArray[np.int64]  # sorted, unique
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Extract:
    path: Path
    file: osmium.io.File
    size: int  # bytes


def open_extract(path: Path) -> Extract:
    """The file, with its format told by its first bytes rather than its name; a clear error otherwise."""
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file: give the path of {SUPPORTED}")
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError as error:
        raise InvalidInput(f"{path} cannot be read ({error.strerror}): check its permissions") from None
    return Extract(path, osmium.io.File(str(path), sniff_format(head, path)), path.stat().st_size)


def sniff_format(head: bytes, path: Path) -> str:
    if head.startswith(b"\x1f\x8b"):
        return "osm.gz"
    if head.startswith(b"BZh"):
        return "osm.bz2"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "osm"
    # A PBF file opens with a 4-byte length, then a BlobHeader whose type is "OSMHeader".
    if len(head) > 5 and head[4] == 0x0A and b"OSMHeader" in head[:32]:
        return "pbf"
    raise InvalidInput(f"{path} is not {SUPPORTED}: download one (e.g. from Geofabrik) and import that")


def read_car_ways(source: Extract, progress: Progress) -> CarWays:
    refs, lengths, speeds, directions = array("q"), array("q"), array("f"), array("b")
    seen = 0
    processor = osmium.FileProcessor(source.file, osmium.osm.WAY)
    processor.with_filter(osmium.filter.KeyFilter("highway"))
    for way in _ways(processor, source.path):
        seen += 1
        if seen % _REPORT_EVERY == 0:
            progress(WAYS_STAGE, seen)
        profile = profile_of(way.tags)
        if profile is None:
            continue
        way_refs = [node.ref for node in way.nodes]
        if len(way_refs) < 2:
            continue
        refs.extend(way_refs)
        lengths.append(len(way_refs))
        speeds.append(profile.speed_kmh)
        directions.append(profile.direction)
    progress(WAYS_STAGE, seen)
    return CarWays(
        refs=np.frombuffer(refs, dtype=np.int64),
        lengths=np.frombuffer(lengths, dtype=np.int64),
        speeds_kmh=np.frombuffer(speeds, dtype=np.float32),
        directions=np.frombuffer(directions, dtype=np.int8),
        highway_ways=seen,
    )


def read_locations(source: Extract, needed: npt.NDArray[np.int64], progress: Progress) -> Locations:
    """Locations of the `needed` node ids (sorted, unique) that the file holds."""
    ids, lons, lats = array("q"), array("d"), array("d")
    processor = osmium.FileProcessor(source.file, osmium.osm.NODE)
    filtered = bool(needed.size) and int(needed[0]) >= 0 and source.size >= ID_FILTER_FROM_BYTES
    if filtered:  # osmium's id filter stores unsigned ids only
        processor.with_filter(osmium.filter.IdFilter(needed))
    for node in _nodes(processor, source.path):
        location = node.location
        if location.valid():
            ids.append(node.id)
            lons.append(location.lon)
            lats.append(location.lat)
            if len(ids) % _REPORT_EVERY == 0:
                progress(NODES_STAGE, len(ids))
    progress(NODES_STAGE, len(ids))
    return _sorted_locations(
        np.frombuffer(ids, dtype=np.int64), np.frombuffer(lons), np.frombuffer(lats), needed, filtered
    )


def _sorted_locations(
    ids: npt.NDArray[np.int64],
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    needed: npt.NDArray[np.int64],
    filtered: bool,
) -> Locations:
    keep = np.ones(ids.size, dtype=bool) if filtered else np.isin(ids, needed)
    unique, first = np.unique(ids[keep], return_index=True)
    return Locations(unique, lon[keep][first], lat[keep][first])


def _guarded(processor: osmium.FileProcessor, path: Path) -> Iterator[OSMEntity]:
    """The processor's objects; osmium's parse errors become one clear InvalidInput."""
    try:
        yield from processor
    except (RuntimeError, ValueError) as error:
        raise InvalidInput(
            f"{path} is damaged or is not {SUPPORTED} (osmium: {error}); nothing was imported"
        ) from None


def _ways(processor: osmium.FileProcessor, path: Path) -> Iterator[osmium.osm.Way]:
    return (entity for entity in _guarded(processor, path) if isinstance(entity, osmium.osm.Way))


def _nodes(processor: osmium.FileProcessor, path: Path) -> Iterator[osmium.osm.Node]:
    return (entity for entity in _guarded(processor, path) if isinstance(entity, osmium.osm.Node))
