"""Road travel times by car from OpenStreetMap extracts the node imports, with an honest estimate elsewhere.

docs/routing.md describes the profile, the speeds, the fallback and the limits.
"""

from __future__ import annotations

from crisislink.adapters.routing.catalogue import RoadGraphs
from crisislink.adapters.routing.estimate import (
    ACCESS_SPEED_KMH,
    DETOUR_FACTOR,
    ESTIMATE_SPEED_KMH,
    SNAP_LIMIT_M,
    LonLat,
    TravelTime,
    estimate,
)
from crisislink.adapters.routing.graph import RoadGraph
from crisislink.adapters.routing.importer import import_extract
from crisislink.adapters.routing.info import GraphInfo

__all__ = [
    "ACCESS_SPEED_KMH",
    "DETOUR_FACTOR",
    "ESTIMATE_SPEED_KMH",
    "SNAP_LIMIT_M",
    "GraphInfo",
    "LonLat",
    "RoadGraph",
    "RoadGraphs",
    "TravelTime",
    "estimate",
    "import_extract",
]
