"""Imported graphs on disk: `<dir>/<name>.npz` (compressed arrays) and `<dir>/<name>.json` (GraphInfo).

Both are written to temporary files and renamed into place, arrays first: a graph is listed only once
its JSON exists, so an interrupted import never leaves a half graph that looks whole.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Final

import numpy as np

from crisislink.adapters.routing.build import GraphArrays
from crisislink.adapters.routing.graph import RoadGraph
from crisislink.adapters.routing.info import FORMAT, GraphInfo
from crisislink.kernel.errors import InvalidInput, NotFound

NAME_RULE: Final = "1-64 characters: lower-case letters, digits, '-' and '_', starting with a letter or digit"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SUFFIXES: Final = (".osm.pbf", ".osm.gz", ".osm.bz2", ".osm", ".pbf")
_DTYPES: Final = {
    "lon": np.float32,
    "lat": np.float32,
    "indptr": np.int32,
    "indices": np.int32,
    "seconds": np.float32,
    "metres": np.float32,
}
_ARRAYS: Final = tuple(_DTYPES)


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidInput(f"graph name {name!r} is not allowed: use {NAME_RULE}")
    return name


def name_for(path: Path) -> str:
    """A graph name from an extract's file name: 'Luxembourg-latest.osm.pbf' -> 'luxembourg-latest'."""
    stem = path.name
    for suffix in _SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")[:64]
    return cleaned or "roads"


def arrays_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.npz"


def info_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.json"


def exists(directory: Path, name: str) -> bool:
    return info_path(directory, name).is_file()


def save(directory: Path, info: GraphInfo, arrays: GraphArrays) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    _write_atomically(
        arrays_path(directory, info.name),
        lambda sink: np.savez_compressed(sink, **{key: getattr(arrays, key) for key in _ARRAYS}),
    )
    text = (info.to_json() + "\n").encode("utf-8")
    _write_atomically(info_path(directory, info.name), lambda sink: sink.write(text))


def _write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write beside `path`, flush to disk, rename over it; on any failure leave nothing behind."""
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as sink:
        try:
            write(sink)
            sink.flush()
            os.fsync(sink.fileno())
        except BaseException:
            Path(sink.name).unlink(missing_ok=True)
            raise
    os.replace(sink.name, path)


def list_graphs(directory: Path) -> list[GraphInfo]:
    """Every graph in the directory, by name; a missing directory holds none."""
    if not directory.is_dir():
        return []
    return [read_info(directory, path.stem) for path in sorted(directory.glob("*.json"))]


def read_info(directory: Path, name: str) -> GraphInfo:
    path = info_path(directory, name)
    if not path.is_file():
        raise NotFound(
            f"no road graph named {name!r} in {directory}: import one with `crisislink routing import`"
        )
    try:
        info = GraphInfo.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidInput(f"{path} is damaged ({error}): import the graph again") from None
    if info.format != FORMAT:
        raise InvalidInput(f"road graph {name!r} has format {info.format}, not {FORMAT}: import it again")
    return info


def load(directory: Path, name: str) -> RoadGraph:
    info = read_info(directory, name)
    try:
        with np.load(arrays_path(directory, name), allow_pickle=False) as stored:
            arrays = GraphArrays(**{key: stored[key] for key in _ARRAYS})
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise InvalidInput(
            f"the arrays of road graph {name!r} are missing or damaged ({error}): import it again"
        ) from None
    _check_shapes(name, info, arrays)
    return RoadGraph(info, arrays)


def _check_shapes(name: str, info: GraphInfo, arrays: GraphArrays) -> None:
    consistent = (
        arrays.node_count == info.nodes == arrays.lat.size == arrays.indptr.size - 1
        and arrays.edge_count == info.edges == arrays.seconds.size == arrays.metres.size
        and int(arrays.indptr[-1]) == arrays.edge_count
        and all(getattr(arrays, key).dtype == dtype for key, dtype in _DTYPES.items())
    )
    if not consistent:
        raise InvalidInput(f"road graph {name!r} does not match its description: import it again")
