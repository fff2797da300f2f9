"""EDXL-DE 1.0 (Distribution Element): the envelope RM messages and HAVE reports travel in.

The schema is the EDXL-DE 1.0 XSD shipped in `schemas/edxl_de/` (as copied in google/cap-library). The
envelope is validated on its own: its schema admits any foreign XML as content (lax), so each embedded
document is validated separately by whoever reads it (`edxl_rm_xml.messages_in`,
`edxl_have_xml.reports_in`), as the standards require: a valid envelope can carry invalid content.

The model types the envelope and its content objects; embedded documents are kept `Verbatim` (each child of
`embeddedXMLContent`, exactly). The elements of other namespaces a content object may end with (its
`xs:any ##other` extension point) are not read.

A received envelope may be the document's root or a direct child of it: services wrap it in their own
request element (XchangeCore's HAVEService sends `<EdxlDeRequest><EDXLDistribution>...`). Deeper nesting is
not searched.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from lxml import etree

from crisislink.adapters.standards.edxl_values import Verbatim, XsDateTime, tag
from crisislink.adapters.standards.edxl_xml import (
    Schemas,
    capture,
    describe,
    read_model,
    read_root,
    serialise,
    standalone,
    write_model,
)
from crisislink.kernel.errors import InvalidInput

NAMESPACE: Final = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
STANDARD: Final = "EDXL-DE 1.0"
WHAT: Final = "the EDXL-DE envelope"
SCHEMA: Final = "edxlde-1_0.xsd"
_SCHEMAS = Schemas(STANDARD, ("schemas/edxl_de",))
_ENVELOPE: Final = f"{{{NAMESPACE}}}EDXLDistribution"


class DistributionStatus(StrEnum):
    ACTUAL = "Actual"
    EXERCISE = "Exercise"  # exercise traffic stays flagged as such end to end
    SYSTEM = "System"
    TEST = "Test"


class DistributionType(StrEnum):
    REPORT = "Report"
    UPDATE = "Update"
    CANCEL = "Cancel"
    REQUEST = "Request"
    RESPONSE = "Response"
    DISPATCH = "Dispatch"
    ACK = "Ack"
    ERROR = "Error"
    SENSOR_CONFIGURATION = "SensorConfiguration"
    SENSOR_CONTROL = "SensorControl"
    SENSOR_STATUS = "SensorStatus"
    SENSOR_DETECTION = "SensorDetection"


@dataclass(frozen=True, kw_only=True)
class ValueList:
    value_list_urn: str = field(metadata=tag("valueListUrn"))
    values: tuple[str, ...] = field(metadata=tag("value"))


@dataclass(frozen=True, kw_only=True)
class ExplicitAddress:
    scheme: str = field(metadata=tag("explicitAddressScheme"))
    values: tuple[str, ...] = field(metadata=tag("explicitAddressValue"))


@dataclass(frozen=True, kw_only=True)
class TargetArea:
    circles: tuple[str, ...] = field(default=(), metadata=tag("circle"))
    polygons: tuple[str, ...] = field(default=(), metadata=tag("polygon"))
    countries: tuple[str, ...] = field(default=(), metadata=tag("country"))
    subdivisions: tuple[str, ...] = field(default=(), metadata=tag("subdivision"))
    un_location_codes: tuple[str, ...] = field(default=(), metadata=tag("locCodeUN"))


@dataclass(frozen=True, kw_only=True)
class NonXmlContent:
    mime_type: str = field(metadata=tag("mimeType"))
    size: int | None = field(default=None, metadata=tag("size"))
    digest: str | None = field(default=None, metadata=tag("digest"))
    uri: str | None = field(default=None, metadata=tag("uri"))
    content_data: str | None = field(default=None, metadata=tag("contentData"))  # base64, as written


@dataclass(frozen=True, kw_only=True)
class XmlContent:
    keys: tuple[Verbatim, ...] = field(default=(), metadata=tag("keyXMLContent"))
    embedded: tuple[Verbatim, ...] = field(default=(), metadata=tag("embeddedXMLContent"))


@dataclass(frozen=True, kw_only=True)
class ContentObject:
    description: str | None = field(default=None, metadata=tag("contentDescription"))
    keywords: tuple[ValueList, ...] = field(default=(), metadata=tag("contentKeyword"))
    incident_id: str | None = field(default=None, metadata=tag("incidentID"))
    incident_description: str | None = field(default=None, metadata=tag("incidentDescription"))
    originator_roles: tuple[ValueList, ...] = field(default=(), metadata=tag("originatorRole"))
    consumer_roles: tuple[ValueList, ...] = field(default=(), metadata=tag("consumerRole"))
    confidentiality: str | None = field(default=None, metadata=tag("confidentiality"))
    non_xml_content: NonXmlContent | None = field(default=None, metadata=tag("nonXMLContent"))
    xml_content: XmlContent | None = field(default=None, metadata=tag("xmlContent"))


@dataclass(frozen=True, kw_only=True)
class Distribution:
    distribution_id: str = field(metadata=tag("distributionID"))
    sender_id: str = field(metadata=tag("senderID"))
    sent: XsDateTime = field(metadata=tag("dateTimeSent"))
    status: DistributionStatus = field(metadata=tag("distributionStatus"))
    type: DistributionType = field(metadata=tag("distributionType"))
    combined_confidentiality: str = field(metadata=tag("combinedConfidentiality"))
    language: str | None = field(default=None, metadata=tag("language"))
    sender_roles: tuple[ValueList, ...] = field(default=(), metadata=tag("senderRole"))
    recipient_roles: tuple[ValueList, ...] = field(default=(), metadata=tag("recipientRole"))
    keywords: tuple[ValueList, ...] = field(default=(), metadata=tag("keyword"))
    references: tuple[str, ...] = field(default=(), metadata=tag("distributionReference"))
    explicit_addresses: tuple[ExplicitAddress, ...] = field(default=(), metadata=tag("explicitAddress"))
    target_areas: tuple[TargetArea, ...] = field(default=(), metadata=tag("targetArea"))
    content_objects: tuple[ContentObject, ...] = field(default=(), metadata=tag("contentObject"))

    def documents(self) -> tuple[bytes, ...]:
        """Every embedded XML document, in order, each as standalone, indented UTF-8 XML."""
        return tuple(
            standalone(document)
            for content in self.content_objects
            if content.xml_content is not None
            for embedded in content.xml_content.embedded
            for document in embedded.children
        )


def _namespace(_cls: type[Any]) -> str:
    return NAMESPACE


# ---------------------------------------------------------------------------------------------------------
# Writing.


def embedded(*documents: bytes | etree._Element) -> XmlContent:
    """XML content carrying `documents` (bytes, read safely, or elements), one embeddedXMLContent each.

    For a content object: `ContentObject(xml_content=embedded(document), incident_id=...)`.
    """
    kept = []
    for document in documents:
        root = read_root(document, "the document to embed") if isinstance(document, bytes) else document
        holder = etree.Element(f"{{{NAMESPACE}}}embeddedXMLContent")
        holder.append(copy.deepcopy(root))  # a copy: appending moves an element out of the caller's tree
        kept.append(capture(holder))
    return XmlContent(embedded=tuple(kept))


def to_xml(distribution: Distribution) -> bytes:
    """The envelope as EDXL-DE 1.0 XML (UTF-8), validated against the envelope schema."""
    prefixes: dict[Any, str] = {"de": NAMESPACE}  # the stubs do not know prefixes may be given as a dict
    root = etree.Element(_ENVELOPE, nsmap=prefixes)
    write_model(root, distribution, _namespace)
    _SCHEMAS.check(root, SCHEMA, "the EDXL-DE envelope written")
    return serialise(root)


def wrap(documents: Sequence[bytes], header: Distribution) -> bytes:
    """`documents` in one envelope, one content object each, after the header's own content objects.

    The envelope is validated; the documents are not (their standard is theirs): pass what `to_xml` of
    their own module wrote, which is.
    """
    contents = (*header.content_objects, *(ContentObject(xml_content=embedded(d)) for d in documents))
    return to_xml(dataclasses.replace(header, content_objects=contents))


# ---------------------------------------------------------------------------------------------------------
# Reading.


def find_envelope(root: etree._Element) -> etree._Element | None:
    """The EDXLDistribution that is `root` or one of its direct children (a service's wrapper)."""
    if root.tag == _ENVELOPE:
        return root
    return next((child for child in root if child.tag == _ENVELOPE), None)


def from_element(root: etree._Element) -> Distribution:
    """The envelope at or directly under `root`, validated against the envelope schema."""
    envelope = find_envelope(root)
    if envelope is None:
        raise InvalidInput(
            f"expected an EDXL-DE 1.0 envelope (<EDXLDistribution> in namespace {NAMESPACE!r}), "
            f"got {describe(root)}"
        )
    _SCHEMAS.check(envelope, SCHEMA, WHAT)
    return read_model(Distribution, envelope, _namespace)


def parse(data: bytes) -> Distribution:
    """Read an EDXL-DE 1.0 envelope (at the root, or directly under a service's wrapper)."""
    return from_element(read_root(data, WHAT))


def unwrap(data: bytes) -> tuple[bytes, ...]:
    """The XML documents embedded in an envelope, each standalone; validate each with its own standard."""
    return parse(data).documents()
