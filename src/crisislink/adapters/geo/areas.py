"""Affected areas: checking drawn polygons and growing a point into a circle, in metres, not degrees."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from crisislink.adapters.geo.shapes import validate_area
from crisislink.domains.incidents.model import Point
from crisislink.kernel.geo import Area

# ETRS89-LAEA: equal-area and metric over all of Europe, so a 5 km buffer is 5 km in Aachen and in Arlon.
_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
_CIRCLE_SEGMENTS = 16  # per quarter circle: 64 vertices, round enough on a map and light in CAP and EMSI


def _as_geojson(geometry: Any) -> dict[str, Any]:
    # 6 decimals of a degree is about 10 cm: more precision is noise, and it bloats every map response.
    # The JSON round trip turns shapely's tuples into the lists GeoJSON (and Area) expect.
    document: dict[str, Any] = json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-6)))
    return document


class ShapelyGeometry:
    def check(self, area: Area) -> Area:
        return validate_area(area.geometry, area.ref)

    def buffer(self, centre: Point, radius_m: float) -> Area:
        x, y = _TO_METRIC.transform(centre.lon, centre.lat)
        circle = shapely.Point(x, y).buffer(radius_m, quad_segs=_CIRCLE_SEGMENTS)
        wgs84 = shapely.transform(circle, _metric_to_wgs84)
        return Area(geometry=_as_geojson(wgs84), ref=f"buffer:{radius_m:g}m")


def _metric_to_wgs84(xy: Any) -> Any:
    return np.column_stack(_TO_WGS84.transform(xy[:, 0], xy[:, 1]))
