"""The lexical forms of EMSI values, and any part of a message described as 'PATH: value' lines.

How a decimal or a time is written as an element's text and read back from it (the JSON form carries the
same texts for times), and `value_lines`, which describes what a message says for the human-readable
notes of an import.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from crisislink.adapters.standards.emsi import Coord, fields_of, is_element, join_path, occurrences
from crisislink.kernel.errors import InvalidInput

# ---------------------------------------------------------------------------------------------------------
# Lexical forms.


def decimal_text(value: float, where: str = "a decimal") -> str:
    """An xs:decimal's text for a float: plain notation, no exponent, no trailing zeros."""
    if not math.isfinite(value):
        raise InvalidInput(f"{where}: {value} is not a number EMSI can carry")
    # repr() is the shortest text that reads back as the same float; Decimal drops the exponent form.
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _datetime_text(moment: datetime, where: str) -> str:
    offset = moment.utcoffset()
    if offset is None:
        raise InvalidInput(f"{where}: {moment.isoformat()} has no time zone; EMSI times carry their offset")
    # xs:dateTime offsets are whole minutes within ±14:00; anything else is written in UTC, same instant.
    if offset % timedelta(minutes=1) or abs(offset) > timedelta(hours=14):
        moment = moment.astimezone(UTC)
    return moment.isoformat()


def lexical_text(kind: Any, value: Any, where: str) -> str:
    if kind is float:
        return decimal_text(value, where)
    if kind is datetime:
        return _datetime_text(value, where)
    return str(value)


def _aware(moment: datetime, text: str, where: str) -> datetime:
    if moment.utcoffset() is None:
        raise InvalidInput(f"{where}: {text!r} has no UTC offset, so nobody can tell which time it means")
    return moment


KIND_NAMES: Final[dict[Any, str]] = {
    str: "a string",
    int: "an integer",
    float: "a decimal number",
    datetime: "a date and time with offset (xs:dateTime)",
}


def scalar_from_text(kind: Any, text: str, where: str) -> Any:
    if kind is str:
        return text  # xs:string keeps its whitespace
    stripped = text.strip()
    try:
        if kind is int:
            return int(stripped)
        if kind is float:  # the schema's xs:decimal has no NaN or infinity, so float() reads only numbers
            return float(stripped)
        if kind is datetime:
            return _aware(datetime.fromisoformat(stripped), stripped, where)
    except ValueError:
        raise InvalidInput(f"{where}: {text!r} is not {KIND_NAMES[kind]}") from None
    raise TypeError(f"no reader for {kind!r}")


# ---------------------------------------------------------------------------------------------------------
# Describing values, for the human-readable notes of an import.


def value_lines(element: object, path: str, *, skip: Collection[str] = ()) -> list[str]:
    """'PATH: value' lines for every value under `element`, except the attributes named in `skip`.

    `skip` names attributes of `element` ("status") or, dotted, of elements inside it ("origin.org_id").
    A position's coordinates make one line: `lat,long[,height]` per point.
    """
    return list(_value_lines(element, path, frozenset(skip)))


def _value_lines(element: object, path: str, skip: frozenset[str]) -> Iterator[str]:
    for spec in fields_of(type(element)):
        if spec.name in skip:
            continue
        inner = frozenset(name.split(".", 1)[1] for name in skip if name.startswith(f"{spec.name}."))
        where = join_path(path, spec.tag)
        values = occurrences(spec, getattr(element, spec.name))
        if spec.kind is Coord and values:
            yield f"{where}: " + " ".join(_coord_text(coord, where) for coord in values)
            continue
        for value in values:
            if is_element(spec.kind):
                yield from _value_lines(value, where, inner)
            else:
                yield f"{where}: {lexical_text(spec.kind, value, where)}"


def _coord_text(coord: Coord, where: str) -> str:
    parts = [coord.lat, coord.long] if coord.height is None else [coord.lat, coord.long, coord.height]
    return ",".join(decimal_text(part, where) for part in parts)
