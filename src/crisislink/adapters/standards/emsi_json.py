"""EMSI messages in their JSON form, as the French health hub sends them: read, then checked by the schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from crisislink.adapters.standards.emsi import ElementField, EmsiMessage, fields_of, is_element, join_path
from crisislink.adapters.standards.emsi_lexical import KIND_NAMES, scalar_from_text
from crisislink.adapters.standards.emsi_xml import assert_valid, check_size, checked_root, to_xml
from crisislink.kernel.errors import InvalidInput

_E = TypeVar("_E")


# ---------------------------------------------------------------------------------------------------------
# Reading JSON.


def parse_json(data: bytes) -> EmsiMessage:
    """Read an EMSI JSON message: `{"emsi": {...}}` as the health hub sends it, or the bare object.

    Members are the element names; repeated elements are arrays (a single value is taken as one item).
    The structure is checked here and the codes by the XML schema, on the message written back as XML.
    """
    check_size(data)
    try:
        document = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidInput(f"the EMSI message is not valid JSON: {error}") from None
    message = _read_json(EmsiMessage, _unwrapped(document), "")
    # Written by us, so no size limit: the XML form of a message is larger than its JSON form.
    assert_valid(checked_root(to_xml(message)), "the EMSI JSON message", with_lines=False)
    return message


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON or EMSI allows")


def _unwrapped(document: Any) -> Any:
    if isinstance(document, dict) and set(document) == {"emsi"}:
        document = document["emsi"]
    if not isinstance(document, dict) or "CONTEXT" not in document:
        raise InvalidInput(
            'expected an EMSI message: an object with CONTEXT and EVENT, possibly wrapped as {"emsi": {...}}'
        )
    return document


def _read_json(cls: type[_E], value: Any, path: str) -> _E:
    if not isinstance(value, dict):
        raise InvalidInput(f"{path or 'the EMSI message'} must be an object")
    specs = fields_of(cls)
    unknown = sorted(set(value) - {spec.tag for spec in specs})
    if unknown:
        raise InvalidInput(
            f"{path or 'the EMSI message'} has members EMSI does not define: {', '.join(unknown)}"
        )
    values = {
        spec.name: _read_json_member(spec, value.get(spec.tag), join_path(path, spec.tag)) for spec in specs
    }
    build: Callable[..., _E] = cls
    return build(**values)


def _read_json_member(spec: ElementField, raw: Any, where: str) -> Any:
    if raw is None:  # absent, or null
        if spec.required:
            raise InvalidInput(f"{where} is required")
        return () if spec.repeated else None
    if isinstance(raw, list) and not spec.repeated:
        raise InvalidInput(f"{where} occurs once; got an array")
    items = raw if isinstance(raw, list) else [raw]
    found = tuple(_read_json_value(spec.kind, item, where) for item in items)
    return found if spec.repeated else found[0]


def _read_json_value(kind: Any, raw: Any, where: str) -> Any:
    if is_element(kind):
        return _read_json(kind, raw, where)
    if kind is str and isinstance(raw, str):
        return raw
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        return _json_decimal(raw, where)
    if kind is datetime and isinstance(raw, str):
        return scalar_from_text(datetime, raw, where)
    raise InvalidInput(f"{where} must be {KIND_NAMES[kind]}, not {json.dumps(raw)[:80]}")


def _json_decimal(raw: float, where: str) -> float:
    try:
        return float(raw)
    except OverflowError:  # an integer literal beyond any float
        raise InvalidInput(f"{where}: the number is out of range") from None
