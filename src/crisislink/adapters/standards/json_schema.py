"""Record schemas of datasets, with the `jsonschema` library (Draft 2020-12 unless `$schema` says otherwise).

References resolve only inside the schema: a `$ref` to another document is refused when the dataset is
published, and validators get an empty registry, so validating a record never touches the network.
Validators are compiled once per schema and kept (a dataset's schema rarely changes). Records are first
shown to `jsonschema-rs` (compiled, about a hundred times faster, offline); only a record it finds invalid
goes to `jsonschema`, whose messages the publisher reads. A property test holds the two verdicts equal.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jsonschema
import jsonschema_rs
import referencing
import referencing.exceptions
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from crisislink.kernel.errors import InvalidInput

MAX_SCHEMA_BYTES = 64_000
# The drafts both libraries implement alike (jsonschema-rs has no draft 3; on draft 4 the two disagree
# whether 1.0 is an integer). Records of older drafts go to `jsonschema` alone.
_FIRST_LOOK: dict[type[Any], Callable[..., Any]] = {
    jsonschema.Draft6Validator: jsonschema_rs.Draft6Validator,
    jsonschema.Draft7Validator: jsonschema_rs.Draft7Validator,
    jsonschema.Draft201909Validator: jsonschema_rs.Draft201909Validator,
    jsonschema.Draft202012Validator: jsonschema_rs.Draft202012Validator,
}
_REFERENCE_KEYWORDS = ("$ref", "$dynamicRef")
_CACHE_SIZE = 256


def pointer(path: Iterator[object] | Any) -> str:
    """A JSON pointer (RFC 6901) to where an error is, e.g. /value or /readings/3."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _references(node: object) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in _REFERENCE_KEYWORDS and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


class CompiledSchema:
    def __init__(self, validator: Any, fast: Callable[[Mapping[str, Any]], bool] | None = None) -> None:
        self._validator = validator
        self._fast = fast

    def errors(self, record: Mapping[str, Any]) -> list[tuple[str, str]]:
        if self._fast is not None and self._fast(record):
            return []  # jsonschema-rs says valid: jsonschema agrees (held equal by a property test)
        try:
            return [(pointer(e.absolute_path), e.message) for e in self._validator.iter_errors(record)]
        except referencing.exceptions.Unresolvable as error:
            return [("", f"the dataset's schema has a reference that cannot be resolved: {error}")]


class JsonSchemas:
    """The `RecordSchemas` port: checks schemas when published, validates records when they arrive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._compiled: dict[str, CompiledSchema] = {}

    def check(self, schema: Mapping[str, Any]) -> None:
        text = _canonical(schema)
        if len(text) > MAX_SCHEMA_BYTES:
            raise InvalidInput(f"the record schema is larger than {MAX_SCHEMA_BYTES // 1000} kB")
        cls = validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except SchemaError as error:
            where = pointer(error.absolute_path) or "/"
            raise InvalidInput(
                f"the record schema is not valid JSON Schema at {where}: {error.message}"
            ) from None
        if schema.get("type") != "object":
            raise InvalidInput('the record schema must describe a JSON object ("type": "object")')
        outside = sorted({ref for ref in _references(schema) if not ref.startswith("#")})
        if outside:
            raise InvalidInput(
                f"the record schema refers to other documents ({', '.join(outside[:3])}); "
                "inline them: only references inside the schema (#/...) are followed"
            )

    def compile(self, schema: Mapping[str, Any]) -> CompiledSchema:
        key = _canonical(schema)
        with self._lock:
            found = self._compiled.get(key)
        if found is not None:
            return found
        cls = validator_for(schema, default=jsonschema.Draft202012Validator)
        compiled = CompiledSchema(cls(dict(schema), registry=referencing.Registry()), first_look(schema))
        with self._lock:
            if len(self._compiled) >= _CACHE_SIZE:
                self._compiled.clear()
            self._compiled[key] = compiled
        return compiled


def first_look(schema: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool] | None:
    """jsonschema-rs's "is it valid?" for this schema, or None where only `jsonschema` may answer."""
    rs_class = _FIRST_LOOK.get(validator_for(schema, default=jsonschema.Draft202012Validator))
    if rs_class is None or _judged_differently(schema):
        return None
    try:
        # Formats are not asserted, as `jsonschema` without a format checker; never a network fetch.
        validator = rs_class(dict(schema), validate_formats=False, offline=True)
    except Exception:  # noqa: BLE001 -- a schema it cannot compile is checked by jsonschema alone
        return None

    def is_valid(record: Mapping[str, Any]) -> bool:
        try:
            return bool(validator.is_valid(record))
        except Exception:  # noqa: BLE001 -- a record it cannot take: jsonschema decides
            return False

    return is_valid


def _judged_differently(node: object) -> bool:
    """Keywords the two libraries answer differently: regular expressions (Python's `re` and Rust's
    engines disagree on Unicode classes such as \\s and \\W) and fractional `multipleOf` (decimal
    arithmetic against jsonschema's floats: 0.07 is a multiple of 0.01 for one, not for the other)."""
    if isinstance(node, Mapping):
        if "pattern" in node or "patternProperties" in node:
            return True
        divisor = node.get("multipleOf")
        if isinstance(divisor, float) and not divisor.is_integer():
            return True
        return any(_judged_differently(value) for value in node.values())
    if isinstance(node, list):
        return any(_judged_differently(item) for item in node)
    return False


def _canonical(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
