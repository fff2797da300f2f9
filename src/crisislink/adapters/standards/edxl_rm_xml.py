"""EDXL-RM 1.0 messages as XML: writing (validated), reading (validated first), validating.

The schemas are the OASIS EDXL-RM 1.0 set shipped in `schemas/edxl_rm/` (provenance in NOTICE and
docs/assistance-standards.md), one per message type, compiled on first use. Every message written is
validated against its schema before it is returned, so nothing invalid leaves; every message read is
validated before anything is taken from it, and the error names what the schema refused.

RM messages usually travel in an EDXL-DE envelope: `messages_in` reads a bare message or every RM message
inside an envelope; `edxl_de` writes the envelope.
"""

from __future__ import annotations

import typing
from typing import Any, Final

from lxml import etree

from crisislink.adapters.standards import edxl_de
from crisislink.adapters.standards.edxl_rm import (
    INLINE_TYPES,
    MESSAGE_CLASSES,
    MESSAGE_NAMESPACE,
    NAMESPACE,
    Funding,
    Message,
    MessageType,
    RequestResource,
    RmMessage,
)
from crisislink.adapters.standards.edxl_xml import (
    Namespaces,
    Schemas,
    describe,
    read_model,
    read_root,
    serialise,
    write_model,
)
from crisislink.kernel.errors import InvalidInput

STANDARD: Final = "EDXL-RM 1.0"
WHAT: Final = "the EDXL-RM message"
# All sixteen message types of RM 1.0 have a shipped schema; `validate` checks any of them.
ALL_MESSAGE_TYPES: Final = (
    *(str(kind) for kind in MessageType),
    "RequisitionResource",
    "RequestInformation",
    "ResponseToRequestInformation",
    "OfferUnsolicitedResource",
    "RequestReturn",
    "ResponseToRequestReturn",
    "RequestQuote",
    "ResponseToRequestQuote",
    "RequestExtendedDeploymentDuration",
    "ResponseToRequestExtendedDeploymentDuration",
)
_PREFIXES: Final = {"rmsg": MESSAGE_NAMESPACE, "rm": NAMESPACE}
_SCHEMAS = Schemas(STANDARD, ("schemas/edxl_rm",))


def _schema_of(message_type: str) -> str:
    return f"EDXL-RM{message_type}.xsd"


def _namespaces(message_class: type[RmMessage]) -> Namespaces:
    def namespace(cls: type[Any]) -> str:
        # The message schemas declare these types inline, so their children are in the message namespace;
        # Funding is inline only in RequestResource (elsewhere it is the common rm:FundingType).
        inline = cls in INLINE_TYPES or issubclass(cls, RmMessage)
        if inline or (cls is Funding and message_class is RequestResource):
            return MESSAGE_NAMESPACE
        return NAMESPACE

    return namespace


# ---------------------------------------------------------------------------------------------------------
# Writing.


def to_xml(message: RmMessage) -> bytes:
    """The message as EDXL-RM 1.0 XML (UTF-8), validated: a SchemaViolation says what the schema refused."""
    root = to_element(message)
    _SCHEMAS.check(root, _schema_of(message.content_type), f"the {message.content_type} written")
    return serialise(root)


def to_element(message: RmMessage) -> etree._Element:
    """The message as an element (not validated), e.g. to embed in an EDXL-DE envelope."""
    kind = type(message)
    if kind not in MESSAGE_CLASSES.values():
        raise InvalidInput(f"{kind.__name__} is not an EDXL-RM message; use one of the six message classes")
    namespaces: dict[Any, str] = dict(_PREFIXES)  # the stubs do not know prefixes may be given as a dict
    root = etree.Element(f"{{{MESSAGE_NAMESPACE}}}{message.content_type}", nsmap=namespaces)
    write_model(root, message, _namespaces(kind))
    content_type = etree.Element(f"{{{MESSAGE_NAMESPACE}}}MessageContentType")
    content_type.text = str(message.content_type)
    content_type.tail = root[1].tail
    root.insert(2, content_type)  # after MessageID and SentDateTime: the schema's place for it
    return root


# ---------------------------------------------------------------------------------------------------------
# Reading and validating.


def _message_root(root: etree._Element) -> etree._Element:
    name = etree.QName(root)
    if name.namespace != MESSAGE_NAMESPACE or name.localname not in ALL_MESSAGE_TYPES:
        raise InvalidInput(
            f"expected an EDXL-RM 1.0 message (in namespace {MESSAGE_NAMESPACE!r}), got {describe(root)}"
        )
    return root


def validate(data: bytes) -> None:
    """Check any of the sixteen RM 1.0 messages against its schema; InvalidInput (SchemaViolation) if not."""
    root = _message_root(read_root(data, WHAT))
    _SCHEMAS.check(root, _schema_of(etree.QName(root).localname), WHAT)


def parse(data: bytes) -> Message:
    """Read one of the six modelled RM messages, validated against its schema first."""
    return from_element(read_root(data, WHAT))


def from_element(root: etree._Element) -> Message:
    """Read an RM message element, validated here against its schema first."""
    name = etree.QName(_message_root(root)).localname
    try:
        message_class = MESSAGE_CLASSES[MessageType(name)]
    except ValueError:
        supported = ", ".join(MessageType)
        raise InvalidInput(
            f"{name} is an EDXL-RM message crisislink validates but does not read; it reads {supported}"
        ) from None
    _SCHEMAS.check(root, _schema_of(name), WHAT)
    # One of the six message classes, by MESSAGE_CLASSES; the mapping's value type cannot say which.
    return typing.cast("Message", read_model(message_class, root, _namespaces(message_class)))


def messages_in(data: bytes) -> tuple[Message, ...]:
    """The RM messages of `data`: a bare RM message, or those embedded in an EDXL-DE envelope (in order)."""
    root = read_root(data, WHAT)
    if etree.QName(root).namespace == MESSAGE_NAMESPACE:
        return (from_element(root),)
    if edxl_de.find_envelope(root) is None:
        raise InvalidInput(
            f"expected an EDXL-RM 1.0 message or an EDXL-DE 1.0 envelope carrying some, got {describe(root)}"
        )
    embedded = (read_root(document, WHAT) for document in edxl_de.from_element(root).documents())
    return tuple(
        from_element(element) for element in embedded if etree.QName(element).namespace == MESSAGE_NAMESPACE
    )
