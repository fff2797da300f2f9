"""The map-layer registry: the extension point through which each capability adds to the common picture.

A layer is an id, a translatable title, a geometry kind, a default visibility, a style hint for the
browser, and a `features` function that yields GeoJSON features for a viewer — always through a
policy-filtered query, so nothing a viewer may not see reaches the browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import map as map_queries
from crisislink.domains.sharing.policy import Viewer

Feature = dict[str, Any]
FeatureSource = Callable[[Engine, Viewer, datetime], Iterable[Feature]]


def N_(message: str) -> str:  # noqa: N802 -- the gettext convention for "mark for translation"
    """Mark a string for the catalogue; it is translated when shown."""
    return message


@dataclass(frozen=True)
class MapLayer:
    id: str
    title: str
    geometry: str  # "polygon" | "point" | "line" | "mixed"
    features: FeatureSource
    visible: bool = True
    order: int = 100
    style: dict[str, Any] = field(default_factory=dict)
    # True when the features depend only on whether the viewer is signed in (one cached copy for all).
    shared: bool = False


class LayerRegistry:
    def __init__(self) -> None:
        self._layers: dict[str, MapLayer] = {}

    def register(self, layer: MapLayer) -> None:
        if layer.id in self._layers:
            raise ValueError(f"map layer {layer.id!r} is registered twice")
        self._layers[layer.id] = layer

    def get(self, layer_id: str) -> MapLayer | None:
        return self._layers.get(layer_id)

    def __iter__(self) -> Iterator[MapLayer]:
        return iter(sorted(self._layers.values(), key=lambda layer: (layer.order, layer.id)))


def _jurisdictions(engine: Engine, viewer: Viewer, now: datetime) -> Iterable[Feature]:  # noqa: ARG001
    return map_queries.jurisdiction_features(engine, viewer)


def sharing_layers() -> list[MapLayer]:
    return [
        MapLayer(
            id="jurisdictions",
            title=N_("Partner jurisdictions"),
            geometry="polygon",
            features=_jurisdictions,
            order=10,
            style={"color": "#1f5fbf", "weight": 1.5, "fillOpacity": 0.06, "dashArray": "4 3"},
            shared=True,
        ),
        MapLayer(
            id="contact_points",
            title=N_("Points of contact"),
            geometry="point",
            features=map_queries.contact_point_features,
            order=20,
            style={"color": "#0b6e4f", "symbol": "phone"},
        ),
    ]
