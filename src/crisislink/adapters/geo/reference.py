"""The reference boundaries shipped inside the package (countries, regions, municipalities, rivers).

The layers are gzip-compressed GeoJSON FeatureCollections in `crisislink/adapters/geo/data/`, built by
`scripts/build_reference_data.py`; docs/data.md says where each comes from and NOTICE carries the
attributions. Nothing is read until a layer is first asked for.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any, Final

PACKAGE: Final = "crisislink.adapters.geo"
DATA_FOLDER: Final = "data"
SUFFIX: Final = ".geojson.gz"


@dataclass(frozen=True, slots=True)
class Boundary:
    """One reference feature. `geometry` is a GeoJSON geometry (WGS84); treat it as read-only.

    `parent` is the code of the enclosing unit one layer up (a municipality's safety region,
    province or canton) where the source states it.
    """

    code: str
    name: str
    country: str
    layer: str
    population: int | None
    names: Mapping[str, str] = field(hash=False)
    geometry: dict[str, Any] = field(hash=False, repr=False)
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class _Layer:
    raw: bytes
    attribution: str
    boundaries: tuple[Boundary, ...]
    by_code: Mapping[str, Boundary]


class ReferenceData:
    """Read-only access to the shipped layers; each layer is parsed once per instance, on first use."""

    def __init__(self, root: Traversable | None = None) -> None:
        self._root = root
        self._layers: dict[str, _Layer] = {}
        self._lock = threading.Lock()

    def layer_names(self) -> tuple[str, ...]:
        files = (entry.name for entry in self._folder().iterdir() if entry.is_file())
        return tuple(sorted(name.removesuffix(SUFFIX) for name in files if name.endswith(SUFFIX)))

    def layer(self, name: str) -> Sequence[Boundary]:
        return self._load(name).boundaries

    def get(self, layer: str, code: str) -> Boundary:
        try:
            return self._load(layer).by_code[code]
        except KeyError:
            raise KeyError(f"no boundary with code {code!r} in reference layer {layer!r}") from None

    def feature_collection(self, layer: str) -> dict[str, Any]:
        """A fresh GeoJSON FeatureCollection (with every shipped property), safe for the caller to change."""
        document: dict[str, Any] = json.loads(self._load(layer).raw)
        return document

    def geojson_bytes(self, layer: str) -> bytes:
        """The layer as UTF-8 GeoJSON, for serving to the web map without re-encoding."""
        return self._load(layer).raw

    def gzip_bytes(self, layer: str) -> bytes:
        """The shipped gzip file itself: served as is with `Content-Encoding: gzip`, no work per request."""
        if layer not in self.layer_names():
            raise KeyError(f"unknown reference layer {layer!r}")
        return self._folder().joinpath(layer + SUFFIX).read_bytes()

    def attribution(self, layer: str) -> str:
        """The credit line the licence of the layer's sources asks for; show it with the map."""
        return self._load(layer).attribution

    def _folder(self) -> Traversable:
        return self._root if self._root is not None else resources.files(PACKAGE).joinpath(DATA_FOLDER)

    def _load(self, name: str) -> _Layer:
        loaded = self._layers.get(name)
        if loaded is not None:
            return loaded
        with self._lock:
            if name not in self._layers:
                self._layers[name] = self._read(name)
            return self._layers[name]

    def _read(self, name: str) -> _Layer:
        shipped = self.layer_names()
        if name not in shipped:
            raise KeyError(f"unknown reference layer {name!r}; shipped layers: {', '.join(shipped)}")
        raw = gzip.decompress(self._folder().joinpath(name + SUFFIX).read_bytes())
        document = json.loads(raw)
        boundaries = tuple(_boundary(feature, name) for feature in document["features"])
        return _Layer(
            raw=raw,
            attribution=str(document.get("attribution", "")),
            boundaries=boundaries,
            by_code=MappingProxyType({b.code: b for b in boundaries}),
        )


def _boundary(feature: Mapping[str, Any], layer: str) -> Boundary:
    props: Mapping[str, Any] = feature["properties"]
    population = props.get("population")
    parent = props.get("parent")
    return Boundary(
        code=str(props["code"]),
        name=str(props["name"]),
        country=str(props["country"]),
        layer=layer,
        population=int(population) if population is not None else None,
        names=MappingProxyType({str(lang): str(text) for lang, text in (props.get("names") or {}).items()}),
        geometry=dict(feature["geometry"]),
        parent=str(parent) if parent is not None else None,
    )
