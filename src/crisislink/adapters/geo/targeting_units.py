"""Warning-area targeting: the units a warning can reach, built from the shipped layers, and the index
over them (`from_reference`).

Units are the finest shipped ones:
- municipalities where they are shipped: NL gemeenten, Flemish and Brussels municipalities, LU communes;
- elsewhere NUTS 2024 level-3 units (layer `nuts` in data/statistical/, GISCO 1:20M): the Walloon
  arrondissements (the German-speaking Community is the unit BE336) and the German and French neighbours.
  Each is cut back by the municipalities it overlaps, so that where detailed borders exist they decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import shapely

from crisislink.adapters.geo.reference import DATA_FOLDER, PACKAGE, Boundary, ReferenceData
from crisislink.adapters.geo.targeting_emma import emma_id_of
from crisislink.adapters.geo.targeting_evaluation import MIN_OVERLAP_M2
from crisislink.adapters.geo.targeting_geometry import polygonal, valid_metric
from crisislink.adapters.geo.targeting_index import Targeting
from crisislink.adapters.geo.targeting_languages import language_area_of
from crisislink.adapters.geo.targeting_result import MUNICIPALITY, NUTS3, TargetUnit

STATISTICAL_FOLDER: Final = "statistical"
NUTS_LAYER: Final = "nuts"


def statistical_reference() -> ReferenceData:
    """The statistical layers (NUTS3), shipped beside the basemap layers in their own folder."""
    return ReferenceData(resources.files(PACKAGE).joinpath(DATA_FOLDER).joinpath(STATISTICAL_FOLDER))


@dataclass(frozen=True)
class _Layer:
    boundaries: Sequence[Boundary]
    geometries: npt.NDArray[np.object_]

    @classmethod
    def of(cls, boundaries: Sequence[Boundary]) -> _Layer:
        return cls(boundaries, np.array([valid_metric(b.geometry) for b in boundaries], dtype=object))


def _arrondissement_prefixes(statistical: ReferenceData) -> dict[str, str]:
    """Belgian NIS arrondissement prefix -> NUTS3 code. A prefix that two units share (Verviers: BE335 and
    BE336, split by municipality) maps to neither: no shipped municipality lies there."""
    units: dict[str, list[str]] = defaultdict(list)
    for feature in statistical.feature_collection(NUTS_LAYER)["features"]:
        nis = feature["properties"].get("nis")
        if nis:
            units[str(nis)[:2]].append(str(feature["properties"]["code"]))
    return {prefix: codes[0] for prefix, codes in units.items() if len(codes) == 1}


def _largest_overlap(geometry: Any, nuts: _Layer, tree: shapely.STRtree, country: str) -> str:
    """The same-country NUTS3 unit covering most of the geometry, or the nearest one if none overlaps it
    (the 1:20M outlines can miss a small border municipality)."""
    own = np.flatnonzero([b.country == country for b in nuts.boundaries])
    found = np.intersect1d(tree.query(geometry, predicate="intersects"), own)
    if len(found):
        areas = shapely.area(shapely.intersection(geometry, nuts.geometries[found]))
        return nuts.boundaries[int(found[int(np.argmax(areas))])].code
    distances = shapely.distance(geometry, nuts.geometries[own])
    return nuts.boundaries[int(own[int(np.argmin(distances))])].code


def _municipal_nuts3(municipalities: _Layer, nuts: _Layer, prefixes: Mapping[str, str]) -> list[str]:
    """Belgian municipalities by their NIS arrondissement (exact); NL and LU by largest overlap."""
    tree = shapely.STRtree(nuts.geometries)
    codes = []
    for boundary, geometry in zip(municipalities.boundaries, municipalities.geometries, strict=True):
        if boundary.country == "BE":
            if boundary.code[:2] not in prefixes:
                raise ValueError(f"no NUTS3 unit for the arrondissement of municipality {boundary.code}")
            codes.append(prefixes[boundary.code[:2]])
        else:
            codes.append(_largest_overlap(geometry, nuts, tree, boundary.country))
    return codes


def _unit(boundary: Boundary, geometry: Any, level: str, nuts3: str, parent: str | None) -> TargetUnit:
    return TargetUnit(
        code=boundary.code,
        name=boundary.names.get("en", boundary.name),
        country=boundary.country,
        level=level,
        nuts3=nuts3,
        emma_id=emma_id_of(boundary.country, boundary.code, parent),
        population=boundary.population,
        language_area=language_area_of(nuts3),
        geometry=geometry,
        area_m2=float(shapely.area(geometry)),
    )


def _cut_back(geometry: Any, municipalities: _Layer, tree: shapely.STRtree) -> Any:
    """A 1:20M unit without the detailed municipalities it overlaps: where both exist, the detail decides."""
    overlapping = tree.query(geometry, predicate="intersects")
    if not len(overlapping):
        return geometry
    return polygonal(shapely.difference(geometry, shapely.union_all(municipalities.geometries[overlapping])))


def _nuts3_units(nuts: _Layer, municipalities: _Layer, covered: set[str]) -> list[TargetUnit]:
    """The NUTS3 units that no shipped municipality lies in (Wallonia, DE, FR), cut back by the municipalities."""
    tree = shapely.STRtree(municipalities.geometries)
    units = []
    for boundary, geometry in zip(nuts.boundaries, nuts.geometries, strict=True):
        if boundary.code in covered:
            continue
        remainder = _cut_back(geometry, municipalities, tree)
        if shapely.area(remainder) >= MIN_OVERLAP_M2:
            units.append(_unit(boundary, remainder, NUTS3, boundary.code, boundary.code[:4]))
    return units


def reference_units(reference: ReferenceData, statistical: ReferenceData) -> list[TargetUnit]:
    """Every shipped municipality, and the NUTS3 units where no municipality is shipped."""
    municipalities = _Layer.of(reference.layer("municipalities"))
    nuts = _Layer.of(statistical.layer(NUTS_LAYER))
    nuts3 = _municipal_nuts3(municipalities, nuts, _arrondissement_prefixes(statistical))
    units = [
        _unit(boundary, geometry, MUNICIPALITY, code, boundary.parent)
        for boundary, geometry, code in zip(
            municipalities.boundaries, municipalities.geometries, nuts3, strict=True
        )
    ]
    return units + _nuts3_units(nuts, municipalities, set(nuts3))


def from_reference(
    reference: ReferenceData | None = None, statistical: ReferenceData | None = None
) -> Targeting:
    """The index over the shipped layers (the package's own data unless other readers are given)."""
    return Targeting(reference_units(reference or ReferenceData(), statistical or statistical_reference()))
