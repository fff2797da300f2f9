"""A fast first look at records whose schema is flat: one object of typed, bounded scalar properties.

Most dataset schemas are exactly that (series, time, value, a quality flag). For them this compiles the
schema into a few Python checks that answer "valid or not" in a few microseconds; `jsonschema` takes about
25 microseconds a record, which at thousands of records a second is most of the ingest. A record this says
is invalid is handed to `jsonschema` for the messages, so every error a publisher reads is jsonschema's.

Anything outside the subset below (references, combinators, nested objects, arrays, enums of numbers, ...)
makes `compile_flat` return None, and every record goes to `jsonschema`; so do drafts before 6, whose
vocabulary differs (the caller decides). A property
test holds this equal to `jsonschema` on random schemas of the subset and random records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[object], bool]

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated", "format"}
)
_ROOT_KEYWORDS = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}
_PROPERTY_KEYWORDS = _ANNOTATIONS | {
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
}
_SCALARS = frozenset({"string", "number", "integer", "boolean", "null"})


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(integral_floats: bool) -> Check:
    def check(value: object) -> bool:
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (integral_floats and isinstance(value, float) and value.is_integer())

    return check


def _type_check(kinds: tuple[str, ...], integral_floats: bool) -> Check:
    tests: dict[str, Check] = {
        "string": lambda value: isinstance(value, str),
        "number": _is_number,
        "integer": _integer(integral_floats),
        "boolean": lambda value: isinstance(value, bool),
        "null": lambda value: value is None,
    }
    chosen = tuple(tests[kind] for kind in kinds)
    if len(chosen) == 1:
        return chosen[0]
    if len(chosen) == 2:  # e.g. ["number", "null"], the usual shape of a reading
        first, second = chosen
        return lambda value: first(value) or second(value)
    return lambda value: any(test(value) for test in chosen)


def _bound(keyword: str, limit: float) -> Check:
    compare: dict[str, Callable[[float], bool]] = {
        "minimum": lambda v: v >= limit,
        "maximum": lambda v: v <= limit,
        "exclusiveMinimum": lambda v: v > limit,
        "exclusiveMaximum": lambda v: v < limit,
    }
    test = compare[keyword]
    return lambda value: not _is_number(value) or test(value)  # type: ignore[arg-type]


def _length(keyword: str, limit: int) -> Check:
    if keyword == "minLength":
        return lambda value: not isinstance(value, str) or len(value) >= limit
    return lambda value: not isinstance(value, str) or len(value) <= limit


def _strings(keyword: str, spec: object) -> Check | None:
    """enum and const of strings (and null) only: other values need jsonschema's notion of equality."""
    members = spec if keyword == "enum" else [spec]
    if not isinstance(members, list) or not all(m is None or isinstance(m, str) for m in members):
        return None
    allowed = frozenset(m for m in members if m is not None)
    nullable = None in members
    return lambda value: (value is None and nullable) or (isinstance(value, str) and value in allowed)


def _keyword(keyword: str, spec: object, integral_floats: bool) -> Check | None:
    if keyword == "type":
        kinds = (spec,) if isinstance(spec, str) else spec
        if not isinstance(kinds, list | tuple) or not kinds or not set(kinds) <= _SCALARS:
            return None
        return _type_check(tuple(kinds), integral_floats)
    if keyword in {"enum", "const"}:
        return _strings(keyword, spec)
    if keyword in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        return _bound(keyword, spec) if _is_number(spec) else None  # type: ignore[arg-type]
    if keyword in {"minLength", "maxLength"}:
        return _length(keyword, spec) if isinstance(spec, int) and not isinstance(spec, bool) else None
    if keyword == "pattern":
        if not isinstance(spec, str):
            return None
        pattern = re.compile(spec)
        return lambda value: not isinstance(value, str) or pattern.search(value) is not None
    return lambda _value: True  # an annotation


def _property(spec: object, integral_floats: bool) -> list[Check] | None:
    if not isinstance(spec, Mapping) or not set(spec) <= _PROPERTY_KEYWORDS:
        return None
    checks = []
    for keyword, value in spec.items():
        if keyword in _ANNOTATIONS:
            continue
        check = _keyword(keyword, value, integral_floats)
        if check is None:
            return None
        checks.append(check)
    return checks


def compile_flat(
    schema: Mapping[str, Any], integral_floats: bool
) -> Callable[[Mapping[str, Any]], bool] | None:
    """A validity check for a flat object schema, or None when the schema is outside the subset.

    `integral_floats`: whether the draft counts 1.0 as an integer (draft 6 and later do).
    """
    if not set(schema) <= _ROOT_KEYWORDS or schema.get("type") != "object":
        return None
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    extra = schema.get("additionalProperties", True)
    if not isinstance(properties, Mapping) or not isinstance(required, list) or not isinstance(extra, bool):
        return None
    if not all(isinstance(name, str) for name in required):
        return None
    compiled: dict[str, list[Check]] = {}
    for name, spec in properties.items():
        checks = _property(spec, integral_floats)
        if checks is None:
            return None
        compiled[name] = checks
    needed, known = frozenset(required), frozenset(compiled)

    def valid(record: Mapping[str, Any]) -> bool:
        if not needed.issubset(record) or (not extra and not known.issuperset(record)):
            return False
        for name, value in record.items():
            for check in compiled.get(name, ()):
                if not check(value):
                    return False
        return True

    return valid
