"""Warning-area targeting: whom a public warning reaches, where, and in which languages it must be written.

For a warning area (GeoJSON Polygon or MultiPolygon, WGS84) the result gives, per country, the units the
area touches with the share of each it covers, an estimate of the people reached, the geocodes a CAP
message carries (NUTS3 and MeteoAlarm EMMA_ID), and the languages the rules of those places require
(DOMAIN.md §4.3), each with its reason.

Areas are measured in ETRS89-LAEA (EPSG:3035), which is equal-area, as in proximity.py. `Targeting` builds
its index once and is then read-only, so one instance serves `evaluate` from many threads; `evaluate_naively`
(targeting_naive) is the same evaluation as a plain loop, the benchmark's baseline and the tests' oracle.

The modules: targeting_index (this one, the index), targeting_units (the units from the shipped layers,
`from_reference`), targeting_evaluation (overlaps to result), targeting_result (the value objects),
targeting_languages and targeting_emma (the rules and tables), targeting_geometry, targeting_naive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from crisislink.adapters.geo.targeting_evaluation import result
from crisislink.adapters.geo.targeting_geometry import metric_area
from crisislink.adapters.geo.targeting_result import TargetingResult, TargetUnit


class Targeting:
    """The units in one STR tree, built once; read-only after.

    Thread safety: `evaluate` only reads the tree (complete after the constructor) and immutable arrays;
    what it prepares is the caller's own area, so concurrent calls need no lock.
    """

    def __init__(self, units: Sequence[TargetUnit]) -> None:
        self._units = tuple(units)
        self._geometries = np.array([unit.geometry for unit in self._units], dtype=object)
        self._areas = np.array([unit.area_m2 for unit in self._units], dtype=np.float64)
        self._tree = shapely.STRtree(self._geometries)

    @property
    def units(self) -> tuple[TargetUnit, ...]:
        return self._units

    def evaluate(self, area: Mapping[str, Any]) -> TargetingResult:
        """Countries, units, population, geocodes and languages for one warning area (GeoJSON, WGS84)."""
        metric = metric_area(area)
        found = self.candidates(metric)
        overlaps = self._overlap_m2(metric, found)
        return result(
            zip([self._units[i] for i in found], overlaps.tolist(), strict=True), float(metric.area)
        )

    def candidates(self, metric: Any) -> npt.NDArray[np.intp]:
        """Indexes of the units whose geometry intersects the metric area (the tree, then the exact test)."""
        # Preparing the area once lets the tree's exact test and the containment test below share it.
        shapely.prepare(metric)
        found: npt.NDArray[np.intp] = self._tree.query(metric, predicate="intersects")
        return np.sort(found)

    def _overlap_m2(self, metric: Any, found: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        candidates = self._geometries[found]
        overlap = self._areas[found].copy()
        # A unit wholly inside the area needs no overlay: its overlap is its own area. For the rest, the
        # area is first cut to the unit's bounding box, so the overlay only walks the nearby vertices.
        partial = ~shapely.contains_properly(metric, candidates)
        if partial.any():
            near = [
                shapely.clip_by_rect(metric, *box) for box in shapely.bounds(candidates[partial]).tolist()
            ]
            overlap[partial] = shapely.area(shapely.intersection(near, candidates[partial]))
        return overlap
