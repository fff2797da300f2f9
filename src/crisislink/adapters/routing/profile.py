"""The car profile: which OpenStreetMap ways a car may drive, in which direction, at what speed.

Every number here is documented in docs/routing.md; change both together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Protocol

# Speed (km/h) of a drivable way without a usable `maxspeed`, by `highway` class. Free-flow guesses for
# the Benelux: a primary road is 50 in town and 70-90 outside, so 70; a residential street 30.
DEFAULT_SPEEDS_KMH: Final[dict[str, float]] = {
    "motorway": 120.0,
    "motorway_link": 60.0,
    "trunk": 100.0,
    "trunk_link": 50.0,
    "primary": 70.0,
    "primary_link": 50.0,
    "secondary": 60.0,
    "secondary_link": 40.0,
    "tertiary": 50.0,
    "tertiary_link": 40.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 20.0,
}

# Implicit limits written as zone tags ("BE:urban"), from the OSM wiki "Default speed limits" page.
# A country-specific entry wins; otherwise the part after the colon is looked up in ZONE_DEFAULTS_KMH.
ZONE_SPEEDS_KMH: Final[dict[str, float]] = {
    "BE:urban": 50.0,
    "BE-BRU:urban": 30.0,  # Brussels: 30 by default since 2021
    "BE-VLG:urban": 50.0,
    "BE-WAL:urban": 50.0,
    "BE:rural": 90.0,
    "BE-VLG:rural": 70.0,  # Flanders: 70 outside built-up areas since 2017
    "BE-WAL:rural": 90.0,
    "BE:trunk": 120.0,
    "BE:motorway": 120.0,
    "BE:living_street": 20.0,
    "NL:urban": 50.0,
    "NL:rural": 80.0,
    "NL:trunk": 100.0,
    "NL:motorway": 100.0,  # 100 by day (06-19 h) since 2020, the hours most deployments happen
    "NL:living_street": 15.0,
    "LU:urban": 50.0,
    "LU:rural": 90.0,
    "LU:motorway": 130.0,
    "LU:living_street": 20.0,
    "DE:urban": 50.0,
    "DE:rural": 100.0,
    "DE:motorway": 130.0,  # no limit; the advisory speed
    "DE:living_street": 7.0,
    "FR:urban": 50.0,
    "FR:rural": 80.0,
    "FR:trunk": 110.0,
    "FR:motorway": 130.0,
    "FR:living_street": 20.0,
}
ZONE_DEFAULTS_KMH: Final[dict[str, float]] = {
    "urban": 50.0,
    "rural": 80.0,
    "trunk": 100.0,
    "motorway": 120.0,
    "living_street": 15.0,
    "bicycle_road": 30.0,
    "cyclestreet": 30.0,
    "walk": 7.0,
}
NO_LIMIT_KMH: Final = 130.0  # maxspeed=none (German motorways): the advisory speed
WALK_KMH: Final = 7.0  # maxspeed=walk
MIN_SPEED_KMH, MAX_SPEED_KMH = 3.0, 200.0  # anything outside is a tagging error: use the class default

_FORWARD: Final = frozenset({"yes", "1", "true"})
_BACKWARD: Final = frozenset({"-1", "reverse"})
_BOTH: Final = frozenset({"no", "0", "false"})
# Open in one direction or the other depending on the hour: never safe to route over.
_TIME_DEPENDENT: Final = frozenset({"reversible", "alternating"})
_ROUNDABOUT: Final = frozenset({"roundabout", "circular"})
# Values of access/vehicle/motor_vehicle/motorcar that close a way to ordinary cars.
_DENIED: Final = frozenset({"no", "private", "agricultural", "forestry", "delivery", "use_sidepath"})
_EMERGENCY_ALLOWED: Final = frozenset({"yes", "designated"})
_ACCESS_KEYS: Final = ("motorcar", "motor_vehicle", "vehicle", "access")  # most specific first

_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?$")
_ZONE_NUMBER = re.compile(r"^(?:[A-Z]{2}(?:-[A-Z]+)?:)?zone:?(\d+)$")
_UNIT_FACTOR: Final = {None: 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}

FORWARD, BOTH, BACKWARD = 1, 0, -1


class Tags(Protocol):
    """What the profile reads of a way's tags: osmium's TagList and a plain dict both fit."""

    def get(self, key: str, /) -> str | None: ...


@dataclass(frozen=True, slots=True)
class WayProfile:
    speed_kmh: float
    direction: int  # FORWARD, BOTH or BACKWARD (against the order of the way's nodes)


def profile_of(tags: Tags) -> WayProfile | None:
    """How a car uses this way, or None when a car may not use it at all."""
    highway = tags.get("highway")
    if highway not in DEFAULT_SPEEDS_KMH or tags.get("area") == "yes" or not car_allowed(tags):
        return None
    direction = direction_of(tags, highway)
    if direction is None:
        return None
    speed = parse_maxspeed(tags.get("maxspeed"))
    if speed is None:
        speed = parse_maxspeed(tags.get("maxspeed:type")) or parse_maxspeed(tags.get("source:maxspeed"))
    return WayProfile(speed or DEFAULT_SPEEDS_KMH[highway], direction)


def car_allowed(tags: Tags) -> bool:
    """access=no/private (or a more specific key saying so) closes a way, unless emergency=yes opens it:
    this routes emergency services, which may use bus gates and emergency accesses."""
    if tags.get("emergency") in _EMERGENCY_ALLOWED:
        return True
    for key in _ACCESS_KEYS:
        value = tags.get(key)
        if value is not None:
            return value.strip().lower() not in _DENIED
    return True


def direction_of(tags: Tags, highway: str) -> int | None:
    """FORWARD, BACKWARD or BOTH; None for ways whose direction changes with the hour."""
    value = (tags.get("oneway") or "").strip().lower()
    if value in _FORWARD:
        return FORWARD
    if value in _BACKWARD:
        return BACKWARD
    if value in _TIME_DEPENDENT:
        return None
    if value in _BOTH:
        return BOTH
    implied = highway == "motorway" or tags.get("junction") in _ROUNDABOUT
    return FORWARD if implied else BOTH


def parse_maxspeed(value: str | None) -> float | None:
    """km/h from a maxspeed value ("50", "50 mph", "BE:urban", "none", "walk"); None if unusable.

    Of several values ("50;70", per lane or per time) the first is taken.
    """
    if not value:
        return None
    text = value.split(";")[0].split("|")[0].strip()
    speed = _number(text) or _zone(text)
    if speed is None or not MIN_SPEED_KMH <= speed <= MAX_SPEED_KMH:
        return None
    return speed


def _number(text: str) -> float | None:
    found = _NUMBER.match(text.lower())
    if found is None:
        return None
    return float(found.group(1).replace(",", ".")) * _UNIT_FACTOR[found.group(2)]


def _zone(text: str) -> float | None:
    if text.lower() == "none":
        return NO_LIMIT_KMH
    if text.lower() == "walk":
        return WALK_KMH
    zone = _ZONE_NUMBER.match(text)
    if zone is not None:
        return float(zone.group(1))
    if text in ZONE_SPEEDS_KMH:
        return ZONE_SPEEDS_KMH[text]
    _, _, kind = text.partition(":")
    return ZONE_DEFAULTS_KMH.get(kind)
