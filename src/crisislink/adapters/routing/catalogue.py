"""The imported graphs of a node, and the choice of which one answers a trip."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from crisislink.adapters.routing import storage
from crisislink.adapters.routing.estimate import SNAP_LIMIT_M, LonLat, TravelTime, check_point, estimate
from crisislink.adapters.routing.graph import RoadGraph
from crisislink.adapters.routing.info import GraphInfo

NO_GRAPH = "no imported road graph covers both ends of this trip"


class RoadGraphs:
    """The graphs in one directory, loaded on first use and kept.

    A trip is answered by a graph whose bounding box (widened by SNAP_LIMIT_M) holds both ends; of
    several, the one with most nodes, as a larger extract is cut off less near the trip (a city graph
    inside a country graph would route around a border it does not know). Otherwise: an estimate.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._infos: list[GraphInfo] | None = None
        self._loaded: dict[str, RoadGraph] = {}

    def infos(self) -> list[GraphInfo]:
        if self._infos is None:
            self._infos = storage.list_graphs(self.directory)
        return self._infos

    def refresh(self) -> None:
        """Forget what was read, e.g. after an import by another process."""
        self._infos = None
        self._loaded.clear()

    def graph(self, name: str) -> RoadGraph:
        if name not in self._loaded:
            self._loaded[name] = storage.load(self.directory, name)
        return self._loaded[name]

    def choose(self, origin: LonLat, target: LonLat) -> GraphInfo | None:
        covering = [
            info
            for info in self.infos()
            if info.covers(origin, SNAP_LIMIT_M) and info.covers(target, SNAP_LIMIT_M)
        ]
        return max(covering, key=lambda info: (info.nodes, info.imported_at), default=None)

    def travel_times(
        self, origin: LonLat, targets: Sequence[LonLat], limit: float | None = None
    ) -> list[TravelTime]:
        """Like RoadGraph.travel_times, each target answered by the graph chosen for its trip."""
        origin = check_point(origin, "origin")
        points = [check_point(target, "target") for target in targets]
        answers: list[TravelTime | None] = [None] * len(points)
        by_graph: dict[str, list[int]] = defaultdict(list)
        for index, point in enumerate(points):
            chosen = self.choose(origin, point)
            if chosen is None:
                answers[index] = estimate(origin, point, NO_GRAPH)
            else:
                by_graph[chosen.name].append(index)
        for name, indices in by_graph.items():
            found = self.graph(name).travel_times(origin, [points[i] for i in indices], limit)
            for index, answer in zip(indices, found, strict=True):
                answers[index] = answer
        return [answer for answer in answers if answer is not None]
