"""Validating a received CAP message: its schema, the rules, its signature, in one report.

The schemas are unchanged copies shipped in `schemas/cap/`: CAP-v1.2.xsd is the OASIS CAP 1.2 schema (as
copied in IBM/cap at 5f5f07c9b075, Apache-2.0, schema (c) OASIS Open 2010); cap10.xsd and cap11.xsd, for
legacy messages, are from google/cap-library at 67dcf2037383 (Apache-2.0). The product never reads them
from anywhere else. The ds:Signature is checked against the XML-Signature schema by signxml, which ships it.
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from lxml import etree

from crisislink.adapters.standards import cap
from crisislink.adapters.standards.cap_rules import CORE, Level, Rule, Subject, Violation
from crisislink.adapters.standards.cap_rules_eu import EU_PROFILE
from crisislink.adapters.standards.cap_signature import SignatureState, SignatureStatus, verify
from crisislink.kernel.errors import InvalidInput

SCHEMA_PACKAGE: Final = "crisislink.adapters.standards"
SCHEMA_PATHS: Final = {
    "1.0": "schemas/cap/cap10.xsd",
    "1.1": "schemas/cap/cap11.xsd",
    "1.2": "schemas/cap/CAP-v1.2.xsd",
}
RULES: Final[tuple[Rule, ...]] = (*CORE.rules, *EU_PROFILE.rules)
UNREADABLE: Final = "CAP-UNREADABLE"  # the message cannot be read into the model: model rules skipped
NOT_CHECKED: Final = SignatureStatus(
    SignatureState.NONE, "not checked: the message is not a readable CAP alert"
)


@dataclass(frozen=True)
class Report:
    """What `validate` found. `unreadable` says why a message is no CAP alert at all (then nothing else ran)."""

    version: str | None
    schema_errors: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = ()
    signature: SignatureStatus = NOT_CHECKED
    unreadable: str | None = None

    @property
    def errors(self) -> tuple[Violation, ...]:
        return tuple(found for found in self.violations if found.level is Level.ERROR)

    @property
    def warnings(self) -> tuple[Violation, ...]:
        return tuple(found for found in self.violations if found.level is Level.WARNING)

    def is_valid(self, *, strict: bool = False, require_signature: bool = False) -> bool:
        """No schema error, no rule error (nor warning when `strict`), no invalid signature (nor none)."""
        refused_signatures = {SignatureState.INVALID, SignatureState.NONE if require_signature else None}
        return not (
            self.unreadable
            or self.schema_errors
            or self.errors
            or (strict and self.warnings)
            or self.signature.state in refused_signatures
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data; `valid` is the default verdict (`is_valid()`)."""
        signature = self.signature
        return {
            "valid": self.is_valid(),
            "version": self.version,
            "unreadable": self.unreadable,
            "schema_errors": list(self.schema_errors),
            "violations": [
                {"code": v.code, "level": str(v.level), "where": v.where, "message": v.message}
                for v in self.violations
            ],
            "signature": {
                "state": str(signature.state),
                "reason": signature.reason,
                "signer": signature.signer,
                "certificate_valid_from": _iso(signature.certificate_valid_from),
                "certificate_valid_until": _iso(signature.certificate_valid_until),
                "notes": list(signature.notes),
            },
        }


def _iso(moment: Any) -> str | None:
    return None if moment is None else str(moment.isoformat())


def validate(data: bytes) -> Report:
    """Schema, rules and signature of `data`, a received message; never raises for bad input."""
    try:
        tree = cap.parse_tree(data)
    except InvalidInput as error:
        return Report(version=None, unreadable=error.message)
    return Report(
        version=tree.version,
        schema_errors=_SCHEMAS.errors(tree),
        violations=check_rules(tree),
        signature=verify(data, root=tree.root),  # the tree parsed above: not parsed a second time
    )


def check_rules(tree: cap.Tree, rules: Iterable[Rule] = RULES) -> tuple[Violation, ...]:
    """Every rule's violations for the received `tree`, in table order."""
    found: list[Violation] = []
    try:
        alert: cap.Alert | None = cap.alert_from_tree(tree)
    except InvalidInput as error:
        alert = None
        where, _, message = error.message.partition(": ")  # model messages start with the path
        found.append(Violation(UNREADABLE, Level.ERROR, where, f"{message}; the model rules were skipped"))
    subject = Subject(tree, alert)
    for rule in rules:
        found.extend(
            Violation(rule.code, rule.level, where, message) for where, message in rule.check(subject)
        )
    return tuple(found)


class _Schemas:
    """The compiled CAP schemas, one per version, compiled on first use: most processes never see CAP."""

    def __init__(self) -> None:
        self._compiled: dict[str, etree.XMLSchema] = {}
        self._compiling = threading.Lock()
        # An XMLSchema keeps the errors of its last run in one log of its own: runs must not interleave.
        self._validating = threading.Lock()

    def compiled(self, version: str) -> etree.XMLSchema:
        with self._compiling:
            if version not in self._compiled:
                source = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_PATHS[version]).read_bytes()
                self._compiled[version] = etree.XMLSchema(etree.fromstring(source, cap.hardened_parser()))
            return self._compiled[version]

    def errors(self, tree: cap.Tree) -> tuple[str, ...]:
        schema = self.compiled(tree.version)
        with self._validating:
            if schema.validate(tree.root):
                return ()
            log = typing.cast("Iterable[Any]", schema.error_log)  # iterable; the stubs omit it
            return tuple(f"line {entry.line}: {entry.message}" for entry in log)


_SCHEMAS = _Schemas()
