"""Turning dataset request bodies and pushed batches into domain values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crisislink.adapters.standards import observation_formats as formats
from crisislink.domains.datasets.model import Location, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.entrypoints.web.api import dataset_schemas as s
from crisislink.kernel.errors import InvalidInput


def series(bodies: list[s.SeriesBody]) -> tuple[Series, ...]:
    return tuple(
        Series(
            key=body.key,
            name=body.name,
            unit=body.unit,
            thresholds=tuple(Threshold(t.name, t.level, t.note) for t in body.thresholds),
            location=Location(body.location.lon, body.location.lat) if body.location else None,
        )
        for body in bodies
    )


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def records(
    body: bytes, content_type: str, schema: Callable[[], Mapping[str, Any]], limit: int
) -> tuple[IncomingRecord, ...]:
    """Decode a pushed batch by its media type; `schema` is read only for CSV (it types the cells)."""
    kind = media_type(content_type)
    if kind in formats.JSON_TYPES:
        return formats.from_json(body, limit)
    if kind in formats.GEOJSON_TYPES:
        return formats.from_geojson(body, limit)
    if kind in formats.CSV_TYPES:
        return formats.from_csv(body, schema(), limit)
    raise InvalidInput(
        f"cannot read {kind or 'a body without Content-Type'}: send application/json (an array of records), "
        "text/csv or application/geo+json"
    )
