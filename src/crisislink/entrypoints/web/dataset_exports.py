"""Exports of a dataset's observations as CSV and GeoJSON (rows from policy-filtered queries).

Both carry the dataset's TLP marking and say whether the values are synthetic: an exported file travels
without the page that explained it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from crisislink.adapters.db.queries.datasets import Export
from crisislink.entrypoints.web.exports import _cell

CSV_COLUMNS = (
    "dataset_id",
    "series",
    "observed_at",
    "value",
    "unit",
    "lon",
    "lat",
    "attributes",
    "received_at",
    "marking",
    "synthetic",
)


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def observations_csv(export: Export) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(CSV_COLUMNS)
    synthetic = "yes" if export.dataset.synthetic else "no"
    for row in export.rows:
        place: list[float | None] = [*(row.location or export.locations.get(row.series) or (None, None))]
        out.writerow(
            [
                str(export.dataset.id),
                _cell(row.series),
                row.observed_at.isoformat(),
                _number(row.value),
                _cell(export.units.get(row.series, "")),
                _number(place[0]),
                _number(place[1]),
                _cell(json.dumps(row.attributes, ensure_ascii=False, sort_keys=True))
                if row.attributes
                else "",
                row.received_at.isoformat(),
                export.dataset.marking,
                synthetic,
            ]
        )
    return buffer.getvalue()


def observations_geojson(export: Export) -> dict[str, Any]:
    dataset = export.dataset
    contact = dataset.contact
    features = []
    for row in export.rows:
        place = row.location or export.locations.get(row.series)
        features.append(
            {
                "type": "Feature",
                "id": f"{row.series}@{row.observed_at.isoformat()}",
                "geometry": None if place is None else {"type": "Point", "coordinates": place},
                "properties": {
                    "series": row.series,
                    "observed_at": row.observed_at.isoformat(),
                    "value": row.value,
                    "unit": export.units.get(row.series, ""),
                    "attributes": row.attributes,
                    "synthetic": dataset.synthetic,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        # A foreign member (RFC 7946 section 6.1): what the data is, whose it is, and who to call about it.
        "dataset": {
            "id": str(dataset.id),
            "title": dataset.title,
            "kind": dataset.kind,
            "owner_partner_id": str(dataset.owner_partner_id),
            "marking": dataset.marking,
            "synthetic": dataset.synthetic,
            "contact": None if contact is None else {"name": contact.name, "role": contact.role},
        },
        "features": features,
    }
