"""Warning-area targeting: shapes in ETRS89-LAEA (EPSG:3035), which is equal-area, as in proximity.py; the
checked warning area, and repairs that keep only the polygons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import shapely

from crisislink.adapters.geo.proximity import to_metric
from crisislink.adapters.geo.shapes import validate_area

_POLYGON: Final = 3


def polygonal(geometry: Any) -> Any:
    """Only the polygons: an overlay or a repair can leave lines and points where borders meet."""
    parts = shapely.get_parts(geometry)
    polygons = parts[shapely.get_type_id(parts) == _POLYGON]
    return shapely.multipolygons(polygons) if len(polygons) != 1 else polygons[0]


def valid_metric(geometry: Mapping[str, Any]) -> Any:
    projected = to_metric(geometry)
    return projected if shapely.is_valid(projected) else polygonal(shapely.make_valid(projected))


def metric_area(area: Mapping[str, Any]) -> Any:
    """The checked warning area in EPSG:3035; InvalidInput when it is no valid polygonal GeoJSON area."""
    validate_area(area)
    return valid_metric(area)
