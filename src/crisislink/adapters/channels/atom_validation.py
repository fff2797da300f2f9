"""Validating an Atom feed against the RELAX NG grammar of RFC 4287 shipped in `schemas/`.

The grammar carries three Schematron rules as annotations (an entry needs an alternate link or content,
and an author of its own or its feed's); RELAX NG ignores annotations, so they are read from the same
file and evaluated with XPath here. The product never reads the schema from anywhere else.
"""

from __future__ import annotations

import functools
import threading
import typing
from collections.abc import Iterable
from importlib import resources
from typing import Any, Final, NamedTuple

from lxml import etree

from crisislink.adapters.standards import cap

SCHEMA_PACKAGE: Final = "crisislink.adapters.channels"
SCHEMA_PATH: Final = "schemas/atom_rfc4287.rng"
SCHEMATRON: Final = "http://www.ascc.net/xml/schematron"
NAMESPACES: Final = {"atom": "http://www.w3.org/2005/Atom"}
# A RelaxNG object keeps the errors of its last run in one log of its own: runs must not interleave.
_VALIDATING = threading.Lock()


class _Assertion(NamedTuple):
    context: str
    test: str
    message: str


class _Grammar(NamedTuple):
    schema: etree.RelaxNG
    assertions: tuple[_Assertion, ...]


def validate_atom(data: bytes) -> list[str]:
    """What makes `data` an invalid Atom document, one line each; empty when it is valid."""
    try:
        root = etree.fromstring(data, cap.hardened_parser())
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    if root.getroottree().docinfo.internalDTD is not None:
        return ["the document has a DOCTYPE; a feed needs none, and DTDs and entities are refused"]
    grammar = _grammar()
    with _VALIDATING:
        valid = grammar.schema.validate(root)
        log = typing.cast("Iterable[Any]", grammar.schema.error_log)  # iterable; the stubs omit it
        problems = [] if valid else [f"line {entry.line}: {entry.message}" for entry in log]
    return problems + _broken_rules(root, grammar.assertions)


def _broken_rules(root: etree._Element, assertions: tuple[_Assertion, ...]) -> list[str]:
    found: list[str] = []
    for assertion in assertions:
        contexts = typing.cast(
            "list[etree._Element]",
            root.xpath(f"descendant-or-self::{assertion.context}", namespaces=NAMESPACES),
        )
        found.extend(
            f"line {element.sourceline}: {assertion.message}"
            for element in contexts
            if not element.xpath(f"boolean({assertion.test})", namespaces=NAMESPACES)
        )
    return found


@functools.cache
def _grammar() -> _Grammar:
    """Compiled on first use: most processes never validate a feed."""
    source = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_PATH).read_bytes()
    document = etree.fromstring(source, cap.hardened_parser())
    assertions = tuple(
        _Assertion(rule.get("context", ""), check.get("test", ""), " ".join((check.text or "").split()))
        for rule in document.iter(f"{{{SCHEMATRON}}}rule")
        for check in rule.iter(f"{{{SCHEMATRON}}}assert")
    )
    return _Grammar(etree.RelaxNG(document), assertions)
