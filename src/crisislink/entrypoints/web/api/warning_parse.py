"""Turning warning request bodies into domain values, with errors that name the field."""

from __future__ import annotations

from collections.abc import Sequence

from crisislink.adapters.geo import warning_areas
from crisislink.app.bootstrap import Platform
from crisislink.domains.warnings.codes import Category, Certainty, ResponseType, Severity, Status, Urgency
from crisislink.domains.warnings.values import Targeting, WarningText
from crisislink.entrypoints.web.api import incident_parse
from crisislink.entrypoints.web.api import warning_schemas as s
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area


def area(platform: Platform, body: s.AreaBody) -> Area | None:
    """The one area the body gives, or None when it gives none."""
    given = [
        name
        for name, value in (
            ("area", body.area),
            ("cap_area", body.cap_area),
            ("units", body.units),
            ("emma_ids", body.emma_ids),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise InvalidInput(f"give the area one way, not {' and '.join(given)}")
    if body.area is not None:
        drawn = incident_parse.area(body.area)
        assert drawn is not None
        return drawn
    if body.cap_area is not None:
        return warning_areas.from_cap(body.cap_area.polygons, body.cap_area.circles)
    if body.units is not None:
        return warning_areas.from_units(platform.reference, [(u.layer, u.code) for u in body.units])
    if body.emma_ids is not None:
        return warning_areas.from_emma_ids(platform.targeting.index(), body.emma_ids)
    return None


def required_area(platform: Platform, body: s.AreaBody) -> Area:
    found = area(platform, body)
    if found is None:
        raise InvalidInput("a warning needs an area: draw it, upload it, or pick municipalities or regions")
    return found


def targeting(platform: Platform, found: Area) -> Targeting:
    return platform.targeting.for_warning(found)[1]


def texts(bodies: dict[str, s.TextBody]) -> tuple[tuple[str, WarningText], ...]:
    return tuple(
        (code.lower(), WarningText(b.headline, b.description, b.instruction, b.web, b.contact))
        for code, b in bodies.items()
    )


def responses(values: Sequence[str]) -> tuple[ResponseType, ...]:
    return tuple(ResponseType(value) for value in values)


def severity(value: str | None) -> Severity | None:
    return None if value is None else Severity(value)


def urgency(value: str | None) -> Urgency | None:
    return None if value is None else Urgency(value)


def certainty(value: str | None) -> Certainty | None:
    return None if value is None else Certainty(value)


def category(value: str | None) -> Category | None:
    return None if value is None else Category(value)


def status(value: str) -> Status:
    return Status(value)
