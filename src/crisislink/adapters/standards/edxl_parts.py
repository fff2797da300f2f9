"""Building and reading the parts EDXL borrows from other standards, which the models keep `Verbatim`.

EDXL-RM and EDXL-HAVE 1.0 describe parties with OASIS CIQ 3.0 (xPIL, xNL) and places with a GML subset
(geo-oasis). The models keep those parts verbatim so nothing received is lost; these functions write the
shapes crisislink needs and read back what a mapping needs from any received one:

- a point: `point_area(lat, lon)` -> `<gml:Point><gml:pos>lat lon</gml:pos></gml:Point>` (latitude first,
  WGS84, as geo-oasis says), `point_of(area)` -> (lat, lon) or None for other geometries;
- an organisation (HAVE's OrganizationInformation): a name and identifiers;
- a party (RM's AdditionalContactInformation): a person and/or organisation name, telephone numbers and
  e-mail addresses;
- RM's TypeInfo, open content: `type_info({"Kind": "Equipment"})` writes simple elements without a
  namespace, as the XchangeCore messages do; `fields(type_info)` reads such elements back.

CIQ declares its attributes qualified (attributeFormDefault="qualified"): `xpil:Type`, not `Type`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from lxml import etree

from crisislink.adapters.standards.edxl_values import Verbatim
from crisislink.adapters.standards.edxl_xml import capture
from crisislink.kernel.errors import InvalidInput

XPIL: Final = "urn:oasis:names:tc:ciq:xpil:3"
XNL: Final = "urn:oasis:names:tc:ciq:xnl:3"
GML: Final = "http://www.opengis.net/gml"
_HOLDER: Final = "{urn:crisislink:holder}content"  # the element whose content is captured; never written


def _holder() -> etree._Element:
    return etree.Element(_HOLDER, nsmap={"xpil": XPIL, "xnl": XNL, "gml": GML})


def _add(parent: etree._Element, namespace: str, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        try:
            child.text = text
        except ValueError:  # NUL and other characters XML 1.0 cannot hold
            raise InvalidInput(f"{name}: the text contains characters XML cannot carry") from None
    return child


# ---------------------------------------------------------------------------------------------------------
# Places.


def point_area(lat: float, lon: float) -> Verbatim:
    """A geo-oasis area (RM's TargetArea, HAVE's OrganizationGeoLocation) that is one WGS84 point."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(f"({lat}, {lon}) is not a WGS84 latitude and longitude")
    holder = _holder()
    _add(_add(holder, GML, "Point"), GML, "pos", f"{float(lat)!r} {float(lon)!r}")
    return capture(holder)


def point_of(area: Verbatim) -> tuple[float, float] | None:
    """(lat, lon) of an area that is a gml:Point; None for a line, circle, polygon or envelope."""
    for element in area.elements():
        if element.tag == f"{{{GML}}}Point":
            position = element.find(f"{{{GML}}}pos")
            parts = (position.text or "").split() if position is not None else []
            try:
                return float(parts[0]), float(parts[1])
            except (IndexError, ValueError):
                raise InvalidInput(f"gml:pos {parts!r} is not 'latitude longitude'") from None
    return None


# ---------------------------------------------------------------------------------------------------------
# Organisations and parties.


def organisation(name: str, identifiers: Sequence[str] = ()) -> Verbatim:
    """The content of a CIQ OrganisationDetails (HAVE's OrganizationInformation): name, then identifiers."""
    holder = _holder()
    _add(_add(holder, XNL, "OrganisationName"), XNL, "NameElement", name)
    if identifiers:
        listed = _add(holder, XPIL, "Identifiers")
        for identifier in identifiers:
            _add(_add(listed, XPIL, "Identifier"), XPIL, "IdentifierElement", identifier)
    return capture(holder)


def organisation_name(details: Verbatim) -> str | None:
    """The first organisation name, its name elements joined by spaces; None if there is none."""
    for name in _children(details, XNL, "OrganisationName"):
        parts = [(part.text or "").strip() for part in name.iter(f"{{{XNL}}}NameElement")]
        if any(parts):
            return " ".join(part for part in parts if part)
    return None


def organisation_identifiers(details: Verbatim) -> tuple[str, ...]:
    return details.texts("Identifiers", "Identifier", "IdentifierElement")


def party(
    *,
    person: str | None = None,
    organisation_name: str | None = None,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
) -> Verbatim:
    """The content of a CIQ xPIL party (RM's AdditionalContactInformation), in xPIL's order."""
    holder = _holder()
    if person or organisation_name:
        names = _add(holder, XPIL, "PartyName")
        if person:
            _add(_add(names, XNL, "PersonName"), XNL, "NameElement", person)
        if organisation_name:
            _add(_add(names, XNL, "OrganisationName"), XNL, "NameElement", organisation_name)
    if phones:
        numbers = _add(holder, XPIL, "ContactNumbers")
        for phone in phones:
            number = _add(numbers, XPIL, "ContactNumber")
            number.set(f"{{{XPIL}}}CommunicationMediaType", "Telephone")
            _add(number, XPIL, "ContactNumberElement", phone)
    if emails:
        addresses = _add(holder, XPIL, "ElectronicAddressIdentifiers")
        for email in emails:
            _add(addresses, XPIL, "ElectronicAddressIdentifier", email).set(f"{{{XPIL}}}Type", "EMAIL")
    return capture(holder)


def party_names(details: Verbatim) -> tuple[str, ...]:
    """The person and organisation names of a party, each as its name elements joined by spaces."""
    found: list[str] = []
    for names in _children(details, XPIL, "PartyName"):
        for name in names:
            parts = [(part.text or "").strip() for part in name.iter(f"{{{XNL}}}NameElement")]
            if any(parts):
                found.append(" ".join(part for part in parts if part))
    return tuple(found)


def _children(details: Verbatim, namespace: str, name: str) -> list[etree._Element]:
    return [element for element in details.elements() if element.tag == f"{{{namespace}}}{name}"]


# ---------------------------------------------------------------------------------------------------------
# RM's TypeInfo.


def type_info(values: Mapping[str, str]) -> Verbatim:
    """TypeInfo content of simple elements without a namespace, in the order given."""
    holder = etree.Element(_HOLDER)
    for name, value in values.items():
        try:
            element = etree.SubElement(holder, name)
            element.text = value
        except ValueError:
            raise InvalidInput(f"TypeInfo/{name}: not an element name, or text XML cannot carry") from None
    return capture(holder)


def fields(content: Verbatim) -> dict[str, str]:
    """Local name -> stripped text of the simple child elements of open content such as TypeInfo."""
    return {
        etree.QName(element).localname: (element.text or "").strip()
        for element in content.elements()
        if len(element) == 0
    }
