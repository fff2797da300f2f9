"""A warning's area from what a drafter has at hand: units picked from the shipped boundaries, MeteoAlarm
EMMA_ID regions, or the polygons and circles of a CAP message. Each becomes one GeoJSON (Multi)Polygon."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import shape

from crisislink.adapters.geo.areas import ShapelyGeometry, _as_geojson, _metric_to_wgs84
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.geo.targeting_index import Targeting
from crisislink.adapters.standards.cap_lexical import read_circle, read_polygon
from crisislink.domains.incidents.model import Point
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area

PICKABLE_LAYERS = ("municipalities", "regions", "countries")
MAX_PARTS = 500


def _area(geometries: Sequence[Any], ref: str) -> Area:
    merged = shapely.union_all([shapely.make_valid(g) for g in geometries])
    polygons = [g for g in getattr(merged, "geoms", [merged]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise InvalidInput("the area has no surface; pick or draw at least one polygon")
    return Area(geometry=_as_geojson(shapely.union_all(polygons)), ref=ref)


def _bounded(items: Sequence[object], what: str) -> None:
    if not items:
        raise InvalidInput(f"name at least one {what}")
    if len(items) > MAX_PARTS:
        raise InvalidInput(f"at most {MAX_PARTS} {what}s in one area; draw the area instead")


def from_units(reference: ReferenceData, units: Sequence[tuple[str, str]]) -> Area:
    """Units as (layer, code), e.g. ("municipalities", "73109") for Voeren or ("regions", "NL-VR23")."""
    _bounded(units, "unit")
    geometries = []
    for layer, code in units:
        if layer not in PICKABLE_LAYERS:
            raise InvalidInput(
                f"{layer!r} is not a layer to pick from; use one of {', '.join(PICKABLE_LAYERS)}"
            )
        try:
            geometries.append(shape(reference.get(layer, code).geometry))
        except KeyError:
            raise InvalidInput(f"there is no {layer} unit with code {code!r}") from None
    return _area(geometries, "units:" + ",".join(f"{layer}/{code}" for layer, code in units))


def from_emma_ids(targeting: Targeting, emma_ids: Sequence[str]) -> Area:
    """MeteoAlarm regions: the union of the units the targeting index assigns to each EMMA_ID."""
    _bounded(emma_ids, "EMMA_ID region")
    wanted = {code.strip().upper() for code in emma_ids}
    units = [unit for unit in targeting.units if unit.emma_id in wanted]
    missing = sorted(wanted - {unit.emma_id for unit in units})
    if missing:
        raise InvalidInput(
            f"no region with EMMA_ID {', '.join(missing)} in the Benelux and its border regions"
        )
    # The index keeps its units in metres (EPSG:3035); the map and CAP want WGS84.
    geometries = [shapely.transform(unit.geometry, _metric_to_wgs84) for unit in units]
    return _area(geometries, "emma:" + ",".join(sorted(wanted)))


def from_cap(polygons: Sequence[str], circles: Sequence[str]) -> Area:
    """CAP `polygon` ("lat,lon lat,lon ...", latitude first) and `circle` ("lat,lon radius_km") texts."""
    _bounded([*polygons, *circles], "CAP polygon or circle")
    geometries: list[Any] = []
    for i, text in enumerate(polygons, 1):
        ring = read_polygon(text, f"polygon {i}")
        geometries.append(shapely.Polygon([(lon, lat) for lat, lon in ring]))
    for i, text in enumerate(circles, 1):
        circle = read_circle(text, f"circle {i}")
        if circle.radius_km <= 0:
            raise InvalidInput(f"circle {i} has no radius; a warning area needs a surface")
        disc = ShapelyGeometry().buffer(Point(lon=circle.lon, lat=circle.lat), circle.radius_km * 1000)
        geometries.append(shape(disc.geometry))
    return _area(geometries, "cap")
