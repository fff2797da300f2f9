"""Warning-area targeting: the naive baseline, the same evaluation as `Targeting.evaluate` without the
index; the benchmark's baseline and the tests' oracle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import shapely

from crisislink.adapters.geo.targeting_evaluation import result
from crisislink.adapters.geo.targeting_geometry import metric_area
from crisislink.adapters.geo.targeting_result import TargetingResult, TargetUnit


def evaluate_naively(units: Sequence[TargetUnit], area: Mapping[str, Any]) -> TargetingResult:
    """The same evaluation as a plain loop over every unit: no tree, no prepared area, no shortcut."""
    metric = metric_area(area)
    overlaps = [
        (unit, float(shapely.area(shapely.intersection(metric, unit.geometry))))
        for unit in units
        if shapely.intersects(metric, unit.geometry)
    ]
    return result(overlaps, float(metric.area))
