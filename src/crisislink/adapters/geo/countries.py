"""Which country a point lies in, from the shipped boundaries (BE, NL, LU, DE, FR).

The finest layer that covers a place answers: municipalities (NL, Flanders, Brussels and LU, drawn from
detailed sources), then regions (the Walloon provinces, the German and French neighbours; 1:20M), then
the countries layer (1:20M). Near a border covered only by the 1:20M outlines (Wallonia against France,
Luxembourg or Germany) a point close to the line may be given the neighbour: docs/hospitals.md says so. Outside the five countries the answer is None.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import shapely
from shapely.geometry import shape

from crisislink.adapters.geo.reference import Boundary, ReferenceData

LAYERS = ("municipalities", "regions", "countries")


class _Index:
    def __init__(self, boundaries: Sequence[Boundary]) -> None:
        self.countries = [b.country for b in boundaries]
        self.tree = shapely.STRtree([shapely.make_valid(shape(b.geometry)) for b in boundaries])

    def country_at(self, point: shapely.Point) -> str | None:
        hits = self.tree.query(point, predicate="intersects")
        return self.countries[int(min(hits))] if len(hits) else None


class CountryLocator:
    """Built on first use (a few hundred milliseconds) and kept; safe to share between threads."""

    def __init__(self, reference: ReferenceData) -> None:
        self._reference = reference
        self._indexes: list[_Index] | None = None
        self._lock = threading.Lock()

    def _built(self) -> list[_Index]:
        with self._lock:
            if self._indexes is None:
                self._indexes = [_Index(self._reference.layer(name)) for name in LAYERS]
            return self._indexes

    def country(self, lon: float, lat: float) -> str | None:
        point = shapely.Point(lon, lat)
        for index in self._built():
            found = index.country_at(point)
            if found is not None:
                return found
        return None
