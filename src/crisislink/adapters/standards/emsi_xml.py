"""EMSI messages in their XML form: writing, reading, and validating against the schema.

The schema is the copy shipped in this package (`schemas/emsi/EMSI.xsd`, provenance in `emsi`), compiled
once on first use. Received XML is parsed with entity resolution, DTD loading and network access off, huge
trees refused and a DOCTYPE rejected outright, then validated against the schema before anything is read
from it.
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any, Final, TypeVar

from lxml import etree

from crisislink.adapters.standards.emsi import (
    NAMESPACE,
    EmsiMessage,
    fields_of,
    is_element,
    join_path,
    occurrences,
)
from crisislink.adapters.standards.emsi_lexical import lexical_text, scalar_from_text
from crisislink.kernel.errors import InvalidInput

SCHEMA_PACKAGE: Final = "crisislink.adapters.standards"
SCHEMA_PATH: Final = "schemas/emsi/EMSI.xsd"
# Real EMSI messages are a few kilobytes; even one with long polygons stays far below this.
MAX_MESSAGE_BYTES: Final = 5 * 1024 * 1024
# How many schema errors an error message quotes; all of them are on the exception.
QUOTED_ERRORS: Final = 10

_E = TypeVar("_E")


class SchemaViolation(InvalidInput):
    """A message the EMSI schema rejects; `errors` are the schema validator's messages, all of them."""

    def __init__(self, what: str, errors: tuple[str, ...]) -> None:
        quoted = "; ".join(errors[:QUOTED_ERRORS])
        more = f" (and {len(errors) - QUOTED_ERRORS} more)" if len(errors) > QUOTED_ERRORS else ""
        super().__init__(f"{what} does not match the EMSI schema: {quoted}{more}")
        self.errors = errors


# ---------------------------------------------------------------------------------------------------------
# Writing XML.


def _qualified(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def to_xml(message: EmsiMessage) -> bytes:
    """The message as namespaced EMSI XML (UTF-8, with declaration), elements in schema order.

    Raises InvalidInput for values XML or EMSI cannot carry (control characters, naive times, NaN). It does
    not validate: call `validate` on the result where the codes may come from outside the platform.
    """
    default_namespace: dict[Any, str] = {None: NAMESPACE}  # the stubs do not know None means default
    root = etree.Element(_qualified("emsi"), nsmap=default_namespace)
    _write_children(root, message, "")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_children(parent: etree._Element, element: Any, path: str) -> None:
    for spec in fields_of(type(element)):
        for value in occurrences(spec, getattr(element, spec.name)):
            child = etree.SubElement(parent, _qualified(spec.tag))
            where = join_path(path, spec.tag)
            if is_element(spec.kind):
                _write_children(child, value, where)
            else:
                _write_text(child, lexical_text(spec.kind, value, where), where)


def _write_text(element: etree._Element, text: str, where: str) -> None:
    try:
        element.text = text
    except ValueError:  # lxml refuses NUL and other characters XML 1.0 cannot hold
        raise InvalidInput(f"{where}: the text contains characters XML cannot carry") from None


# ---------------------------------------------------------------------------------------------------------
# The schema, compiled once on first use.


class _Schema:
    """The compiled EMSI schema. Compiling is deferred to first use: most processes never see EMSI."""

    def __init__(self) -> None:
        self._compiled: etree.XMLSchema | None = None
        self._compiling = threading.Lock()
        # An XMLSchema keeps the errors of its last run in one log of its own: runs must not interleave.
        self._validating = threading.Lock()

    def compiled(self) -> etree.XMLSchema:
        if self._compiled is None:
            with self._compiling:
                if self._compiled is None:
                    source = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_PATH).read_bytes()
                    self._compiled = etree.XMLSchema(etree.fromstring(source, _hardened_parser()))
        return self._compiled

    def errors(self, document: etree._Element, *, with_lines: bool) -> tuple[str, ...]:
        schema = self.compiled()
        with self._validating:
            if schema.validate(document):
                return ()
            return tuple(
                f"line {entry.line}: {entry.message}" if with_lines else entry.message
                for entry in typing.cast("Iterable[Any]", schema.error_log)  # iterable; the stubs omit it
            )


_SCHEMA = _Schema()


# ---------------------------------------------------------------------------------------------------------
# Reading XML.


def _hardened_parser() -> etree.XMLParser:
    # A fresh parser each time: lxml parsers keep state and must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
    )


def check_size(data: bytes) -> None:
    if not data:
        raise InvalidInput("the EMSI message is empty")
    if len(data) > MAX_MESSAGE_BYTES:
        raise InvalidInput(f"the EMSI message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB")


def _emsi_root(data: bytes) -> etree._Element:
    """The <emsi> element of `data`, parsed safely; InvalidInput says what is wrong otherwise."""
    check_size(data)
    return checked_root(data)


def checked_root(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _hardened_parser())
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"the EMSI message is not well-formed XML: {error}") from None
    # EMSI needs no DTD; one in a received message is at best noise and at worst an entity bomb.
    # lxml reports an internal DTD for any DOCTYPE, even one without an internal subset.
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidInput("the EMSI message has a DOCTYPE; DTDs and entities are refused")
    if root.tag != _qualified("emsi"):
        found = etree.QName(root)
        namespace = f"namespace {found.namespace!r}" if found.namespace else "no namespace"
        raise InvalidInput(
            f"expected an EMSI message (<emsi> in namespace {NAMESPACE!r}), "
            f"got <{found.localname}> in {namespace}"
        )
    return root


def assert_valid(root: etree._Element, what: str, *, with_lines: bool) -> None:
    errors = _SCHEMA.errors(root, with_lines=with_lines)
    if errors:
        raise SchemaViolation(what, errors)


def validate(xml: bytes) -> None:
    """Check EMSI XML against the schema; InvalidInput (a SchemaViolation for schema errors) if it fails."""
    assert_valid(_emsi_root(xml), "the EMSI message", with_lines=True)


def parse_xml(data: bytes) -> EmsiMessage:
    """Read an EMSI XML message, validated against the schema first."""
    root = _emsi_root(data)
    assert_valid(root, "the EMSI message", with_lines=True)
    return _read_xml(EmsiMessage, root, "")


def _read_xml(cls: type[_E], element: etree._Element, path: str) -> _E:
    children: dict[str, list[etree._Element]] = {}
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions carry no data
            children.setdefault(etree.QName(child).localname, []).append(child)
    values: dict[str, Any] = {}
    for spec in fields_of(cls):
        where = join_path(path, spec.tag)
        found = tuple(_read_xml_value(spec.kind, child, where) for child in children.get(spec.tag, ()))
        values[spec.name] = found if spec.repeated else (found[0] if found else None)
    build: Callable[..., _E] = cls
    return build(**values)


def _read_xml_value(kind: Any, element: etree._Element, where: str) -> Any:
    if is_element(kind):
        return _read_xml(kind, element, where)
    return scalar_from_text(kind, element.text or "", where)
