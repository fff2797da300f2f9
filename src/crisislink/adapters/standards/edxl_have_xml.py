"""EDXL-HAVE 1.0 reports as XML: writing (validated), reading (validated first), validating.

The schema is the OASIS EDXL-HAVE 1.0 XSD shipped in `schemas/edxl_have/`; the CIQ and GML schemas it
imports are the identical copies shipped with EDXL-RM in `schemas/edxl_rm/`. HAVE reports usually travel
in an EDXL-DE envelope: `reports_in` reads a bare report or every report inside an envelope.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from crisislink.adapters.standards import edxl_de
from crisislink.adapters.standards.edxl_have import NAMESPACE, HospitalStatus
from crisislink.adapters.standards.edxl_xml import (
    Schemas,
    describe,
    read_model,
    read_root,
    serialise,
    write_model,
)
from crisislink.kernel.errors import InvalidInput

STANDARD: Final = "EDXL-HAVE 1.0"
WHAT: Final = "the EDXL-HAVE report"
SCHEMA: Final = "edxl-have.xsd"
_ROOT: Final = f"{{{NAMESPACE}}}HospitalStatus"
_SCHEMAS = Schemas(STANDARD, ("schemas/edxl_have", "schemas/edxl_rm"))


def _namespace(_cls: type[Any]) -> str:
    return NAMESPACE  # every HAVE element is in the HAVE namespace; the borrowed parts are kept verbatim


def to_element(report: HospitalStatus) -> etree._Element:
    """The report as an element (not validated), e.g. to embed in an EDXL-DE envelope."""
    prefixes: dict[Any, str] = {"have": NAMESPACE}  # the stubs do not know prefixes may be given as a dict
    root = etree.Element(_ROOT, nsmap=prefixes)
    write_model(root, report, _namespace)
    return root


def to_xml(report: HospitalStatus) -> bytes:
    """The report as EDXL-HAVE 1.0 XML (UTF-8), validated: a SchemaViolation says what the schema refused."""
    root = to_element(report)
    _SCHEMAS.check(root, SCHEMA, "the HospitalStatus written")
    return serialise(root)


def _check_root(root: etree._Element) -> etree._Element:
    if root.tag != _ROOT:
        raise InvalidInput(
            f"expected an EDXL-HAVE 1.0 report (<HospitalStatus> in namespace {NAMESPACE!r}), "
            f"got {describe(root)}"
        )
    return root


def validate(data: bytes) -> None:
    """Check a HospitalStatus report against the schema; InvalidInput (SchemaViolation) if it fails."""
    _SCHEMAS.check(_check_root(read_root(data, WHAT)), SCHEMA, WHAT)


def parse(data: bytes) -> HospitalStatus:
    """Read a HospitalStatus report, validated against the schema first."""
    return from_element(read_root(data, WHAT))


def from_element(root: etree._Element) -> HospitalStatus:
    _SCHEMAS.check(_check_root(root), SCHEMA, WHAT)
    return read_model(HospitalStatus, root, _namespace)


def reports_in(data: bytes) -> tuple[HospitalStatus, ...]:
    """The HAVE reports of `data`: a bare report, or those embedded in an EDXL-DE envelope (in order)."""
    root = read_root(data, WHAT)
    if root.tag == _ROOT:
        return (from_element(root),)
    if edxl_de.find_envelope(root) is None:
        raise InvalidInput(
            f"expected an EDXL-HAVE 1.0 report or an EDXL-DE 1.0 envelope carrying some, got {describe(root)}"
        )
    embedded = (read_root(document, WHAT) for document in edxl_de.from_element(root).documents())
    return tuple(from_element(element) for element in embedded if element.tag == _ROOT)
