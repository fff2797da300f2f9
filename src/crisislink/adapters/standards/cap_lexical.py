"""The lexical forms of CAP values: how a time, a number, a polygon, a circle or a reference list is read
from an element's text and written back.

Reading is lenient where the meaning is still certain (a `Z` time, surrounding whitespace): the rules in
`cap_rules` judge the exact form of what was received. Writing produces only the forms CAP 1.2 allows.
Coordinates keep CAP's order: a point is (lat, lon), latitude FIRST, unlike GeoJSON.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, NamedTuple

from crisislink.kernel.errors import InvalidInput

Point = tuple[float, float]  # (lat, lon)
Polygon = tuple[Point, ...]

# The one time form CAP 1.2 allows. The schema's own pattern says [-,+]: a comma there is its typo.
CAP_TIME: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d+")
# The form of nearly every polygon: lat,lon pairs of `_DECIMAL` numbers written with ASCII digits. Matching
# it is one pass over the text, where matching each number alone was most of the cost of reading a polygon
# of hundreds of points. Possessive quantifiers (`*+`, `++`, `?+`) never backtrack: the pass stays linear.
_PLAIN_DECIMAL = r"[+-]?+(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)"
_PLAIN_POINT = f"{_PLAIN_DECIMAL},{_PLAIN_DECIMAL}"
_PLAIN_POLYGON = re.compile(rf"\s*+{_PLAIN_POINT}(?:\s++{_PLAIN_POINT})*+\s*+")


class Circle(NamedTuple):
    lat: float
    lon: float
    radius_km: float  # 0 is legal: a point


@dataclass(frozen=True)
class Reference:
    """One earlier message, as <references> names it: sender,identifier,sent."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True)
class Codec:
    """How one kind of value is read from an element's text and written back."""

    name: str
    read: Callable[[str, str], Any]  # (text, where) -> value; raises InvalidInput
    write: Callable[[Any, str], str]  # (value, where) -> text


def read_number(text: str, where: str) -> float:
    # xs:decimal has no exponent, NaN or infinity, which float() would all accept.
    if not _DECIMAL.fullmatch(text.strip()):
        raise InvalidInput(f"{where}: {text.strip()!r} is not a decimal number")
    return float(text)


def decimal_text(value: float, where: str) -> str:
    """An xs:decimal's text: plain notation, no exponent, no trailing zeros."""
    if not math.isfinite(value):
        raise InvalidInput(f"{where}: {value} is not a number CAP can carry")
    text = format(Decimal(repr(float(value))), "f")  # repr: the shortest text that reads back the same
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_integer(text: str, where: str) -> int:
    if not _INTEGER.fullmatch(text.strip()):
        raise InvalidInput(f"{where}: {text.strip()!r} is not an integer")
    return int(text)


def read_time(text: str, where: str) -> datetime:
    """A time, read leniently (`cap_rules` judges its exact form); it must carry a UTC offset."""
    stripped = text.strip()
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise InvalidInput(f"{where}: {stripped!r} is not a date and time") from None
    if moment.utcoffset() is None:
        raise InvalidInput(f"{where}: {stripped!r} has no UTC offset, so nobody can tell which time it means")
    return moment


def time_text(moment: datetime, where: str = "a time") -> str:
    """`YYYY-MM-DDThh:mm:ss±hh:mm`, the only form CAP 1.2 allows: UTC is `+00:00`, microseconds dropped."""
    offset = moment.utcoffset()
    if offset is None:
        raise InvalidInput(f"{where}: {moment.isoformat()} has no time zone; CAP times carry their offset")
    # The pattern has whole-minute offsets within ±14:00; anything else is written in UTC, same instant.
    if offset % timedelta(minutes=1) or abs(offset) > timedelta(hours=14):
        moment = moment.astimezone(UTC)
    return moment.replace(microsecond=0).isoformat()


def _read_point(pair: str, where: str) -> Point:
    parts = pair.split(",")
    if len(parts) != 2:
        raise InvalidInput(f"{where}: {pair!r} is not a lat,lon pair")
    return (read_number(parts[0], where), read_number(parts[1], where))


def _point_text(lat: float, lon: float, where: str) -> str:
    return f"{decimal_text(lat, where)},{decimal_text(lon, where)}"


def read_polygon(text: str, where: str) -> Polygon:
    """Whitespace-separated lat,lon pairs; their number and closure are rules, not syntax."""
    if _PLAIN_POLYGON.fullmatch(text):  # nearly every polygon: no number needs checking on its own
        return tuple(map(_plain_point, text.split()))
    points = tuple(_read_point(pair, where) for pair in text.split())
    if not points:
        raise InvalidInput(f"{where}: the polygon has no points")
    return points


def check_polygon_text(text: str, where: str) -> None:
    """Raise what `read_polygon` would raise for `text`, without working out its points."""
    if not _PLAIN_POLYGON.fullmatch(text):
        read_polygon(text, where)


def _plain_point(pair: str) -> Point:
    lat, lon = pair.split(",")
    return (float(lat), float(lon))


def polygon_text(polygon: Polygon, where: str) -> str:
    return " ".join(_point_text(lat, lon, where) for lat, lon in polygon)


def read_circle(text: str, where: str) -> Circle:
    parts = text.split()
    if len(parts) != 2:
        raise InvalidInput(f"{where}: {text.strip()!r} is not 'lat,lon radius' (radius in km)")
    lat, lon = _read_point(parts[0], where)
    return Circle(lat, lon, read_number(parts[1], where))


def circle_text(circle: Circle, where: str) -> str:
    return f"{_point_text(circle.lat, circle.lon, where)} {decimal_text(circle.radius_km, where)}"


def read_references(text: str, where: str) -> tuple[Reference, ...]:
    """Space-separated sender,identifier,sent triplets (identifiers and senders hold no commas)."""
    found = []
    for triplet in text.split():
        parts = triplet.split(",")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise InvalidInput(f"{where}: {triplet!r} is not a sender,identifier,sent triplet")
        found.append(Reference(parts[0], parts[1], read_time(parts[2], where)))
    return tuple(found)


def references_text(references: tuple[Reference, ...], where: str) -> str:
    return " ".join(f"{ref.sender},{ref.identifier},{time_text(ref.sent, where)}" for ref in references)


def _verbatim(text: str, _where: str) -> str:
    return text


def _stripped(text: str, _where: str) -> str:
    return text.strip()


def _as_text(value: Any, _where: str) -> str:
    return str(value)


TEXT: Final = Codec("text", _verbatim, _as_text)  # free text, kept as received
TOKEN: Final = Codec("token", _stripped, _as_text)  # identifiers and codes: surrounding whitespace dropped
TIME: Final = Codec("time", read_time, time_text)
INTEGER: Final = Codec("integer", read_integer, _as_text)
DECIMAL: Final = Codec("decimal", read_number, decimal_text)
POLYGON: Final = Codec("polygon", read_polygon, polygon_text)
CIRCLE: Final = Codec("circle", read_circle, circle_text)
REFERENCES: Final = Codec("references", read_references, references_text)
