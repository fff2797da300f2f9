"""The XML machinery the EDXL adapters share: reading safely, the shipped schemas, model <-> elements.

Reading: received XML is parsed with entity resolution, DTD loading and network access off and huge trees
refused; a DOCTYPE is rejected outright (EDXL needs none; one in a received message is at best noise and at
worst an entity bomb), and the size is bounded before parsing.

Schemas: only the copies shipped in `schemas/` are ever read. Their imports (`xPIL.xsd`,
`../../xlink/1.0.0/xlinks.xsd`...) are answered by a resolver that serves the shipped file of the same name
from the schema's folders and refuses every other location, so compiling a schema opens no file and no
network connection of its choosing.

Binding: the models are frozen dataclasses declared in the order of the schemas' sequences. Each field is
one element (a tuple for one that repeats); its name is the field name in CamelCase (`message_id` ->
`MessageID`) unless its metadata names it (`edxl_values.tag`). Writing fields in declaration order writes a
valid order; reading matches children by qualified name, so an element of another namespace with the same
local name is never taken for a field. Whoever binds a model says which namespace each class's children
are in (`Namespaces`), because EDXL-RM puts the children of its named types and of its inline types in
different namespaces.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import threading
import typing
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from typing import Any, Final, TypeVar

from lxml import etree

from crisislink.adapters.standards.edxl_values import Verbatim, XsDateTime
from crisislink.kernel.errors import InvalidInput

SCHEMA_PACKAGE: Final = "crisislink.adapters.standards"
# Real RM messages and HAVE reports are a few kilobytes; an envelope with a region's hospitals stays far below.
MAX_MESSAGE_BYTES: Final = 5 * 1024 * 1024
QUOTED_ERRORS: Final = 10  # how many schema errors a message quotes; all of them are on the exception
XSI_TYPE: Final = "{http://www.w3.org/2001/XMLSchema-instance}type"
_ACRONYMS: Final = {"id": "ID", "urn": "URN", "ems": "EMS", "eoc": "EOC"}

Namespaces = Callable[[type[Any]], str]  # model class -> the namespace of its children's elements
_M = TypeVar("_M")


class SchemaViolation(InvalidInput):
    """XML a schema rejects; `errors` are the validator's messages, all of them."""

    def __init__(self, what: str, standard: str, errors: tuple[str, ...]) -> None:
        quoted = "; ".join(errors[:QUOTED_ERRORS])
        more = f" (and {len(errors) - QUOTED_ERRORS} more)" if len(errors) > QUOTED_ERRORS else ""
        super().__init__(f"{what} does not match the {standard} schema: {quoted}{more}")
        self.errors = errors


# ---------------------------------------------------------------------------------------------------------
# Reading safely.


def hardened_parser() -> etree.XMLParser:
    # A fresh parser each time: lxml parsers keep state and must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, dtd_validation=False, no_network=True, huge_tree=False
    )


def read_root(data: bytes, what: str) -> etree._Element:
    """The root element of `data`, parsed safely; InvalidInput naming `what` says what is wrong otherwise."""
    if not data:
        raise InvalidInput(f"{what} is empty")
    if len(data) > MAX_MESSAGE_BYTES:
        raise InvalidInput(f"{what} is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB")
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"{what} is not well-formed XML: {error}") from None
    # lxml reports an internal DTD for any DOCTYPE, even one without an internal subset.
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidInput(f"{what} has a DOCTYPE; DTDs and entities are refused")
    return root


def describe(element: etree._Element) -> str:
    """`<name> in namespace '...'`, for messages that say what was found instead of what was expected."""
    found = etree.QName(element)
    namespace = f"namespace {found.namespace!r}" if found.namespace else "no namespace"
    return f"<{found.localname}> in {namespace}"


# ---------------------------------------------------------------------------------------------------------
# The shipped schemas.


class _ShippedSchemas(etree.Resolver):
    """Answers a schema's imports with the shipped file of the same name; refuses anything else."""

    def __init__(self, folders: Sequence[str]) -> None:
        super().__init__()
        self._folders = folders

    def resolve(self, system_url: str, _public_id: str, context: Any) -> Any:  # type: ignore[override]  # the stubs omit `context`
        name = system_url.replace("\\", "/").rsplit("/", 1)[-1]
        return self.resolve_string(read_schema(self._folders, name), context, base_url=f"shipped:/{name}")


def read_schema(folders: Sequence[str], name: str) -> bytes:
    for folder in folders:
        shipped = resources.files(SCHEMA_PACKAGE).joinpath(f"{folder}/{name}")
        if shipped.is_file():
            return shipped.read_bytes()
    raise InvalidInput(f"the schema {name!r} is not shipped in {', '.join(folders)}")


class Schemas:
    """Schemas of one standard, each compiled on first use (most processes never see EDXL) and kept."""

    def __init__(self, standard: str, folders: Sequence[str]) -> None:
        self.standard = standard
        self._folders = tuple(folders)
        self._compiled: dict[str, etree.XMLSchema] = {}
        self._compiling = threading.Lock()
        # An XMLSchema keeps the errors of its last run in one log of its own: runs must not interleave.
        self._validating = threading.Lock()

    def compiled(self, name: str) -> etree.XMLSchema:
        with self._compiling:
            if name not in self._compiled:
                parser = hardened_parser()
                parser.resolvers.add(_ShippedSchemas(self._folders))
                source = read_schema(self._folders, name)
                document = etree.fromstring(source, parser, base_url=f"shipped:/{name}")
                self._compiled[name] = etree.XMLSchema(document)
            return self._compiled[name]

    def errors(self, element: etree._Element, name: str) -> tuple[str, ...]:
        schema = self.compiled(name)
        with self._validating:
            if schema.validate(element):
                return ()
            log = typing.cast("Iterable[Any]", schema.error_log)  # iterable; the stubs omit it
            return tuple(_located(entry) for entry in log)

    def check(self, element: etree._Element, name: str, what: str) -> None:
        errors = self.errors(element, name)
        if errors:
            raise SchemaViolation(what, self.standard, errors)


def _located(entry: Any) -> str:
    # Received XML has line numbers; a tree built in memory has none (0), so its errors give the path.
    where = f"line {entry.line}" if entry.line else str(entry.path)
    return f"{where}: {entry.message}"


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# ---------------------------------------------------------------------------------------------------------
# Parts kept verbatim.


def capture(element: etree._Element) -> Verbatim:
    children = tuple(child for child in element if isinstance(child.tag, str))
    return Verbatim(
        attributes=tuple((str(name), str(value)) for name, value in element.attrib.items()),
        text=None if children and _is_layout(element.text) else element.text,
        children=tuple(_canonical(child) for child in children),
    )


def _canonical(element: etree._Element) -> str:
    # Exclusive C14N declares only the namespaces the element uses, so the text does not depend on where
    # the element sat. It cannot see prefixes used inside xsi:type values: those are declared explicitly.
    prefixes = sorted({value.split(":")[0] for value in _xsi_types(element) if ":" in value})
    return etree.tostring(
        _without_layout(element),
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=prefixes or None,
    ).decode()


def _is_layout(text: str | None) -> bool:
    return text is None or not text.strip()


def _has_layout_only(element: etree._Element) -> bool:
    """True for an element with child elements and nothing but whitespace around them (not mixed content)."""
    children = [child for child in element if isinstance(child.tag, str)]
    return bool(children) and _is_layout(element.text) and all(_is_layout(child.tail) for child in element)


def _without_layout(element: etree._Element) -> etree._Element:
    # Indentation is not data: the same report indented with tabs or spaces must be the same value.
    bare = copy.deepcopy(element)
    for inner in bare.iter():
        if isinstance(inner.tag, str) and _has_layout_only(inner):
            inner.text = None
            for child in inner:
                child.tail = None
    return bare


def _xsi_types(element: etree._Element) -> Iterable[str]:
    for inner in element.iter():
        if isinstance(inner.tag, str) and XSI_TYPE in inner.attrib:
            yield str(inner.attrib[XSI_TYPE])


def write_verbatim(element: etree._Element, kept: Verbatim, level: int) -> None:
    for name, value in kept.attributes:
        element.set(name, value)
    for child in kept.elements():
        element.append(child)
        _indent(child, level + 1, deep=True)
    if kept.text is not None:
        element.text = kept.text
    _indent(element, level)


def standalone(document: str) -> bytes:
    """A document kept verbatim, indented, as standalone UTF-8 XML (its schema errors then have lines)."""
    root = etree.fromstring(document.encode(), hardened_parser())
    _indent(root, 0, deep=True)
    return serialise(root)


# ---------------------------------------------------------------------------------------------------------
# Binding the models.


@dataclasses.dataclass(frozen=True)
class ElementField:
    name: str  # the Python attribute
    tag: str  # the element's local name
    kind: Any  # str, int, float, XsDateTime, Verbatim, a StrEnum or a model dataclass
    repeated: bool


_FIELDS: dict[type[Any], tuple[ElementField, ...]] = {}


def fields_of(cls: type[Any]) -> tuple[ElementField, ...]:
    known = _FIELDS.get(cls)
    if known is None:  # threads racing here derive the same value; the last write wins, harmlessly
        hints = typing.get_type_hints(cls)
        known = tuple(_field_of(declared, hints[declared.name]) for declared in dataclasses.fields(cls))
        _FIELDS[cls] = known
    return known


def _field_of(declared: dataclasses.Field[Any], hint: Any) -> ElementField:
    repeated = typing.get_origin(hint) is tuple
    kinds = typing.get_args(hint) if repeated else [a for a in typing.get_args(hint) if a is not type(None)]
    kind = kinds[0] if kinds else hint
    name = declared.metadata.get("tag") or "".join(
        _ACRONYMS.get(part, part.capitalize()) for part in declared.name.split("_")
    )
    return ElementField(declared.name, name, kind, repeated)


def _is_model(kind: Any) -> bool:
    values = (Verbatim, XsDateTime)  # dataclasses too, but each is one element's content
    return isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind not in values


def _values(spec: ElementField, value: Any) -> tuple[Any, ...]:
    if spec.repeated:
        return tuple(value)
    return () if value is None else (value,)


def write_model(parent: etree._Element, model: Any, namespaces: Namespaces, level: int = 0) -> None:
    """Write the fields of `model` as children of `parent`, in declaration order, indented."""
    namespace = namespaces(type(model))
    for spec in fields_of(type(model)):
        for value in _values(spec, getattr(model, spec.name)):
            child = etree.SubElement(parent, f"{{{namespace}}}{spec.tag}")
            if _is_model(spec.kind):
                write_model(child, value, namespaces, level + 1)
            elif spec.kind is Verbatim:
                write_verbatim(child, value, level + 1)
            else:
                _write_text(child, _lexical(spec.kind, value), spec.tag)
    _indent(parent, level)


def _lexical(kind: Any, value: Any) -> str:
    if kind is XsDateTime:
        return str(value.text)
    if kind is float:  # xs:double: plain repr, and the schema's names for the special values
        return {"inf": "INF", "-inf": "-INF", "nan": "NaN"}.get(repr(float(value)), repr(float(value)))
    return str(value)  # a StrEnum member writes its value


def _write_text(element: etree._Element, text: str, where: str) -> None:
    try:
        element.text = text
    except ValueError:  # lxml refuses NUL and other characters XML 1.0 cannot hold
        raise InvalidInput(f"{where}: the text contains characters XML cannot carry") from None


def _indent(element: etree._Element, level: int, *, deep: bool = False) -> None:
    # Layout only where there is nothing but layout: a leaf's text and mixed content are data.
    if not _has_layout_only(element):
        return
    children = [child for child in element if isinstance(child.tag, str)]
    element.text = "\n" + "  " * (level + 1)
    for child in children:
        child.tail = "\n" + "  " * (level + 1)
        if deep:
            _indent(child, level + 1, deep=True)
    children[-1].tail = "\n" + "  " * level


def read_model(cls: type[_M], element: etree._Element, namespaces: Namespaces) -> _M:
    """The `cls` written in `element`: read after the schema accepted it, so the structure is right."""
    namespace = namespaces(cls)
    children: dict[str, list[etree._Element]] = {}
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions carry no data
            children.setdefault(child.tag, []).append(child)
    values: dict[str, Any] = {}
    for spec in fields_of(cls):
        found = [
            _read_value(spec, child, namespaces) for child in children.get(f"{{{namespace}}}{spec.tag}", ())
        ]
        values[spec.name] = tuple(found) if spec.repeated else (found[0] if found else None)
    build: Callable[..., _M] = cls
    return build(**values)


def _read_value(spec: ElementField, element: etree._Element, namespaces: Namespaces) -> Any:
    kind = spec.kind
    if _is_model(kind):
        return read_model(kind, element, namespaces)
    if kind is Verbatim:
        return capture(element)
    text = element.text or ""
    if kind is str:
        return text  # xs:string keeps its whitespace
    try:
        if kind is XsDateTime:
            return XsDateTime(text.strip())
        if kind in (int, float):
            return kind(text.strip())
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return kind(text)
    except ValueError:  # the schema checked the text already; this guards models read without it
        raise InvalidInput(f"{spec.tag}: {text!r} is not a valid value") from None
    raise TypeError(f"no reader for {kind!r}")
