"""Demo datasets for `crisislink serve`: Meuse, Geul and Vesdre gauges of 13-17 July 2021, SYNTHETIC.

The publishers are real partners (Rijkswaterstaat, the Walloon waterways service); every value is made up
by `hydrograph` below to follow the shape public reporting gives of the flood (docs/datasets.md), and says
so three times: the dataset is flagged synthetic, its title starts with "SYNTHETIC", and each reading
carries `"quality": "synthetic"`. Seeding is idempotent: a dataset its owner has already (by title) is
left alone, and a partner missing from the directory is skipped.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from crisislink.adapters.db.queries import datasets as queries
from crisislink.adapters.db.queries import directory
from crisislink.app.bootstrap import Platform
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.model import DatasetKind, Location, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM

START = datetime.fromisoformat("2021-07-13T00:00:00+02:00")
HOURS = 5 * 24  # 13 to 17 July, hourly
GAUGE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["series", "observed_at", "value", "quality"],
    "properties": {
        "series": {"type": "string", "maxLength": 100},
        "observed_at": {"type": "string", "format": "date-time"},
        "value": {"type": ["number", "null"]},
        "quality": {"enum": ["raw", "validated", "synthetic"]},
    },
    "additionalProperties": False,
}


def _specs() -> list[dict[str, Any]]:
    text = resources.files("crisislink.app.seed").joinpath("datasets.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, list)
    return data


def hydrograph(shape: Mapping[str, Any], moment: datetime) -> float:
    """A flood wave: a smooth rise over `rise_hours` to `peak` at `peak_at`, then a slower recession."""
    hours = (moment - datetime.fromisoformat(shape["peak_at"])).total_seconds() / 3600
    share: float
    if hours <= 0:
        x = max(0.0, 1 + hours / float(shape["rise_hours"]))
        share = x * x * (3 - 2 * x)
    else:
        share = math.exp(-2 * (hours / float(shape["fall_hours"])) ** 1.2)
    value = float(shape["base"]) + (float(shape["peak"]) - float(shape["base"])) * share
    return round(value, int(shape.get("decimals", 0)))


def readings(series: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for hour in range(HOURS):
        moment = START + timedelta(hours=hour)
        yield {
            "series": series["key"],
            "observed_at": moment.isoformat(),
            "value": hydrograph(series["shape"], moment),
            "quality": "synthetic",
        }


def _series(spec: Mapping[str, Any]) -> Series:
    lon, lat = spec["location"]
    return Series(
        key=spec["key"],
        name=spec["name"],
        unit=spec["unit"],
        thresholds=tuple(Threshold(t["name"], float(t["level"]), t["note"]) for t in spec["thresholds"]),
        location=Location(lon=lon, lat=lat),
    )


def _contact(platform: Platform, partner_id: uuid.UUID, role: str) -> uuid.UUID | None:
    owner = Viewer(user_id=uuid.UUID(int=0), partner_id=partner_id)
    flt = directory.ContactFilter(partner_id=partner_id, role=role)
    found = directory.list_contact_points(platform.engine, owner, flt, platform.clock.now())
    return found[0].id if found else None


def _titles(platform: Platform, partner_id: uuid.UUID) -> set[str]:
    owner = Viewer(user_id=uuid.UUID(int=0), partner_id=partner_id)
    flt = queries.DatasetFilter(owner_partner_id=partner_id, limit=queries.MAX_PAGE)
    return {dataset.title for dataset in queries.list_datasets(platform.engine, owner, flt)}


def _publish(platform: Platform, spec: Mapping[str, Any], owner: uuid.UUID, contact: uuid.UUID) -> uuid.UUID:
    dataset_id: uuid.UUID = platform.bus.handle(
        c.PublishDataset(
            actor=SYSTEM,
            owner_partner_id=owner,
            title=spec["title"],
            kind=DatasetKind(spec["kind"]),
            description=spec["description"],
            record_schema=GAUGE_SCHEMA,
            contact_point_id=contact,
            refresh=timedelta(seconds=spec["refresh_seconds"]),
            series=tuple(_series(s) for s in spec["series"]),
            marking=Tlp(spec["marking"]),
            synthetic=True,
        )
    )
    return dataset_id


def seed_demo_datasets(platform: Platform) -> int:
    partners = {p.code: p.id for p in directory.list_partners(platform.engine)}
    created = 0
    for spec in _specs():
        owner = partners.get(spec["partner"])
        contact = _contact(platform, owner, spec["contact_role"]) if owner else None
        if owner is None or contact is None or spec["title"] in _titles(platform, owner):
            continue
        dataset_id = _publish(platform, spec, owner, contact)
        records = tuple(IncomingRecord(r) for s in spec["series"] for r in readings(s))
        platform.bus.handle(c.IngestObservations(actor=SYSTEM, dataset_id=dataset_id, batch=c.Batch(records)))
        created += 1
    return created
