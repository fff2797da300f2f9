"""Turning incident request bodies into domain values, with errors that name the field."""

from __future__ import annotations

from datetime import datetime

from crisislink.domains.incidents.commands import Buffer
from crisislink.domains.incidents.model import Point, TaskStatus
from crisislink.entrypoints.web.api import incident_schemas as s
from crisislink.entrypoints.web.api import schemas as base
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area


def aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"{field}: give the time with its offset, e.g. 2021-07-14T11:30:00+02:00")
    return moment


def area(body: base.GeoJsonGeometry | None) -> Area | None:
    if body is None:
        return None
    try:
        return Area(geometry={"type": body.type, "coordinates": body.coordinates})
    except ValueError as error:
        raise InvalidInput(f"area: {error}") from None


def point(body: s.PointBody | None) -> Point | None:
    return None if body is None else Point(lon=body.lon, lat=body.lat)


def buffer(body: s.BufferBody | None) -> Buffer | None:
    return (
        None
        if body is None
        else Buffer(centre=Point(lon=body.centre.lon, lat=body.centre.lat), radius_m=body.radius_m)
    )


def cursor(before: datetime | None, before_id: str | None) -> tuple[datetime, str] | None:
    if before is None:
        return None
    return (aware(before, "before"), before_id or "")


def task_status(value: str) -> TaskStatus:
    return TaskStatus(value)
