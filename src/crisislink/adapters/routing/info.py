"""What is known about an imported graph without loading it: the small JSON file beside its arrays."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any, Final

from crisislink.adapters.routing.estimate import LonLat

FORMAT: Final = 1  # of the .npz arrays and this metadata; a graph of another format must be re-imported
_METRES_PER_DEGREE: Final = 111_320.0


@dataclass(frozen=True)
class GraphInfo:
    name: str
    source: str  # file name of the extract (never its full path: that belongs to one machine)
    source_bytes: int
    imported_at: str  # ISO 8601, UTC
    import_seconds: float
    nodes: int
    edges: int
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat of the nodes
    car_ways: int
    way_nodes: int  # node references of the car ways read (the import's input size)
    nodes_before_component: int  # routing nodes before keeping the largest strongly connected component
    profile: str = "car"
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> GraphInfo:
        data: dict[str, Any] = json.loads(text)
        data["bbox"] = tuple(float(value) for value in data["bbox"])
        return cls(**data)

    def covers(self, point: LonLat, margin_m: float) -> bool:
        """The point lies in the bounding box widened by margin_m (a point just outside can still snap)."""
        lon, lat = point
        min_lon, min_lat, max_lon, max_lat = self.bbox
        dlat = margin_m / _METRES_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(max(abs(min_lat), abs(max_lat)))), 0.01)
        return min_lon - dlon <= lon <= max_lon + dlon and min_lat - dlat <= lat <= max_lat + dlat
