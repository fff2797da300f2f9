"""Geometry as it crosses layers: a GeoJSON (RFC 7946, WGS84) geometry mapping, checked for shape only.

Topology (validity, self-intersection) is checked by the geo adapter, which has the libraries for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

AREA_TYPES = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class Area:
    """A polygonal area, e.g. a partner's jurisdiction. `ref` names the reference boundary it came from."""

    geometry: Mapping[str, Any]
    ref: str | None = None

    def __post_init__(self) -> None:
        kind = self.geometry.get("type")
        if kind not in AREA_TYPES:
            raise ValueError(f"an area must be a GeoJSON Polygon or MultiPolygon, not {kind!r}")
        if not isinstance(self.geometry.get("coordinates"), list):
            raise ValueError("an area needs a 'coordinates' array")
