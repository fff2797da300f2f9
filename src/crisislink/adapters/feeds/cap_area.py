"""The area of a received CAP message as one GeoJSON geometry (longitude first), for the map.

- polygons: CAP's lat,lon pairs turned to GeoJSON's lon,lat (`cap.polygon_to_geojson`);
- circles: drawn as polygons of 64 vertices around the centre, in metres (ETRS89-LAEA), like the
  incidents' buffers; a circle of radius 0 is a point, used only when the message has no surface at all;
- no polygon or circle: NUTS3 geocodes are drawn with the shipped NUTS3 boundaries (the Benelux and its
  neighbouring regions); codes of other systems, or outside the shipped data, are not drawn.
Areas repeated in several infos (one per language) are drawn once. Polygons are returned as a Polygon when
there is one, else a MultiPolygon; points as a Point or MultiPoint; None when nothing can be drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Final

from crisislink.adapters.geo.areas import ShapelyGeometry
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.geo.targeting_units import NUTS_LAYER, statistical_reference
from crisislink.adapters.standards import cap
from crisislink.domains.incidents.model import Point

NUTS3_NAMES: Final = frozenset({"nuts3", "nuts-3", "nuts_3", "nuts 3"})
Rings = list[Any]  # the coordinates of one GeoJSON Polygon


@cache
def _nuts() -> ReferenceData:
    # Built on first use, once per process: most processes never read a feed.
    return statistical_reference()


def area_geometry(infos: Iterable[cap.Info]) -> dict[str, Any] | None:
    areas = list(dict.fromkeys(area for info in infos for area in info.areas))
    polygons = [cap.polygon_to_geojson(p)["coordinates"] for p in _unique(a.polygons for a in areas)]
    circles = list(_unique(a.circles for a in areas))
    polygons += [_circle(c) for c in circles if c.radius_km > 0]
    if not polygons:
        polygons = [rings for code in _unique(_nuts3(a) for a in areas) for rings in _nuts3_polygons(code)]
    if polygons:
        return _polygonal(polygons)
    points = [[c.lon, c.lat] for c in circles]
    if points:
        return (
            {"type": "Point", "coordinates": points[0]}
            if len(points) == 1
            else {"type": "MultiPoint", "coordinates": points}
        )
    return None


def area_description(infos: Iterable[cap.Info]) -> str:
    return "; ".join(dict.fromkeys(area.area_desc.strip() for info in infos for area in info.areas))


def _unique(groups: Iterable[Iterable[Any]]) -> Iterable[Any]:
    return dict.fromkeys(item for group in groups for item in group)


def _polygonal(polygons: list[Rings]) -> dict[str, Any]:
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _circle(circle: cap.Circle) -> Rings:
    area = ShapelyGeometry().buffer(Point(lon=circle.lon, lat=circle.lat), circle.radius_km * 1000)
    coordinates: Rings = area.geometry["coordinates"]
    return coordinates


def _nuts3(area: cap.Area) -> list[str]:
    return [g.value.strip().upper() for g in area.geocodes if g.value_name.strip().casefold() in NUTS3_NAMES]


def _nuts3_polygons(code: str) -> list[Rings]:
    try:
        geometry = _nuts().get(NUTS_LAYER, code).geometry
    except KeyError:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"]) if geometry["type"] == "MultiPolygon" else []
