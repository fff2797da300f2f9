"""The common operational picture as GeoJSON: basemap from shipped data, layers through the sharing policy."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException

from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.web.i18n import translations
from crisislink.entrypoints.web.security import optional_caller, platform_of, provide_viewer
from crisislink.entrypoints.web.ui.context import request_language

GEOJSON = "application/geo+json"
BASEMAP_LAYERS = ("countries", "regions", "municipalities", "rivers")
# Routes whose bodies are gzipped already: the compression middleware must leave them alone.
PRECOMPRESSED = "precompressed"
_encoder = msgspec.json.Encoder()


class LayerInfo(msgspec.Struct):
    id: str
    title: str
    geometry: str
    visible: bool
    style: dict[str, Any]
    url: str


class BasemapInfo(msgspec.Struct):
    id: str
    url: str
    attribution: str


@dataclass(frozen=True)
class EncodedLayer:
    raw: bytes
    gzipped: bytes
    etag: str


def _encode(features: Iterable[dict[str, Any]]) -> EncodedLayer:
    raw = _encoder.encode({"type": "FeatureCollection", "features": list(features)})
    return EncodedLayer(
        raw, gzip.compress(raw, compresslevel=5, mtime=0), f'"{hashlib.sha256(raw).hexdigest()[:20]}"'
    )


@lru_cache(maxsize=8)
def _etag(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:20]


class MapController(Controller):
    path = "/api/map"
    tags = ["map"]
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    @get("/layers", sync_to_thread=False, summary="The map layers available to you, titles in your language")
    def layers(self, request: Request[Any, Any, Any], state: State) -> list[LayerInfo]:
        gettext = translations(request_language(request, optional_caller(request))).gettext
        return [
            LayerInfo(
                layer.id,
                gettext(layer.title),
                layer.geometry,
                layer.visible,
                layer.style,
                f"/api/map/layers/{layer.id}",
            )
            for layer in platform_of(state).layers
        ]

    @get(
        "/layers/{layer_id:str}",
        sync_to_thread=True,
        summary="One layer as GeoJSON, only what you may see",
        opt={PRECOMPRESSED: True},
    )
    def layer(
        self, request: Request[Any, Any, Any], state: State, viewer: Viewer, layer_id: str
    ) -> Response[bytes]:
        platform = platform_of(state)
        layer = platform.layers.get(layer_id)
        if layer is None:
            raise NotFoundException(f"no map layer {layer_id!r}")
        now = platform.clock.now()
        audience: object = viewer.signed_in if layer.shared else viewer
        # Keyed by who looks (the policy decided what they get) and by the minute (staffing changes with it).
        key = ("map-layer", layer.id, audience, now.replace(second=0, microsecond=0))
        encoded = platform.read_cache.get(key, lambda: _encode(layer.features(platform.engine, viewer, now)))
        headers = {
            "cache-control": "private, no-cache",
            "etag": encoded.etag,
            "vary": "accept-encoding, cookie",
        }
        if request.headers.get("if-none-match") == encoded.etag:
            return Response(b"", status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(
                encoded.gzipped, media_type=GEOJSON, headers={**headers, "content-encoding": "gzip"}
            )
        return Response(encoded.raw, media_type=GEOJSON, headers=headers)

    @get("/basemap", sync_to_thread=False, summary="The offline basemap layers and their attribution")
    def basemap(self, state: State) -> list[BasemapInfo]:
        reference = platform_of(state).reference
        return [
            BasemapInfo(name, f"/api/map/basemap/{name}", reference.attribution(name))
            for name in BASEMAP_LAYERS
        ]

    @get(
        "/basemap/{name:str}",
        sync_to_thread=False,
        summary="A basemap layer (shipped open data), gzip-encoded",
        opt={PRECOMPRESSED: True},
    )
    def basemap_layer(self, request: Request[Any, Any, Any], state: State, name: str) -> Response[bytes]:
        if name not in BASEMAP_LAYERS:
            raise NotFoundException(f"no basemap layer {name!r}; use one of {', '.join(BASEMAP_LAYERS)}")
        reference = platform_of(state).reference
        gz = reference.gzip_bytes(name)
        etag = _etag(gz)
        headers = {"cache-control": "public, max-age=86400", "etag": f'"{etag}"', "vary": "accept-encoding"}
        if request.headers.get("if-none-match") == f'"{etag}"':
            return Response(b"", status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["content-encoding"] = "gzip"
            return Response(gz, media_type="application/geo+json", headers=headers)
        return Response(reference.geojson_bytes(name), media_type="application/geo+json", headers=headers)
