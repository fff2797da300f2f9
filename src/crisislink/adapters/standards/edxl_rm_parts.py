"""The parts crisislink's EDXL-RM messages are made of: parties, the staging area, the resource type.

- A party is a partner of the directory: ContactInformation with its name and code as the description,
  the role it plays in the message, and a CIQ party naming the organisation.
- The staging area is a Location: its name, and a GML point (latitude first, as geo-oasis says).
- The resource type is the catalogue code, as TypeStructure and Keyword of our own value list, with the
  UCPM module as a second keyword for a module; TypeInfo spells it out: code, English name, what a
  quantity counts and, when the sender's country has one, what that country calls it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace

from crisislink.adapters.db.queries.assistance_views import OfferedUnitView, StagingView
from crisislink.adapters.db.queries.views import PartnerView
from crisislink.adapters.standards import edxl_parts
from crisislink.adapters.standards.edxl_rm import (
    ContactInformation,
    ContactRole,
    Location,
    Quantity,
    Resource,
    ValueList,
)
from crisislink.adapters.standards.edxl_rm_codes import CAPABILITY_LIST, UCPM_LIST
from crisislink.domains.assistance.catalogue import CAPABILITIES, Match

Partners = Mapping[uuid.UUID, PartnerView]


def contact(partners: Partners, partner_id: uuid.UUID, role: ContactRole) -> ContactInformation:
    partner = partners.get(partner_id)
    if partner is None:  # not in this node's directory: name it by its id rather than leave it out
        return ContactInformation(contact_description=f"partner {partner_id}", contact_role=role)
    return ContactInformation(
        contact_description=f"{partner.name} ({partner.code})",
        contact_role=role,
        additional_contact_information=edxl_parts.party(organisation_name=partner.name),
    )


def name_of(partners: Partners, partner_id: uuid.UUID) -> str:
    partner = partners.get(partner_id)
    return partner.name if partner is not None else f"partner {partner_id}"


def country_of(partners: Partners, partner_id: uuid.UUID) -> str | None:
    partner = partners.get(partner_id)
    return partner.country if partner is not None else None


def staging_location(staging: StagingView) -> Location:
    return Location(
        location_description=staging.name, target_area=edxl_parts.point_area(staging.lat, staging.lon)
    )


def quantity(amount: int) -> Quantity:
    # Free text, as the real messages write it ("4"); the import reads the number back.
    return Quantity(quantity_texts=(str(amount),))


def resource_type(code: str, country: str | None) -> Resource:
    """A resource of catalogue type `code`, described as the sender's `country` knows it."""
    kind = CAPABILITIES.get(code)
    keywords = [ValueList(value_list_urn=CAPABILITY_LIST, values=(code,))]
    info = {"Capability": code}
    if kind is not None:
        info |= {"Name": kind.name, "Measure": kind.measure}
        term = kind.terms.get(country or "")
        if term is not None and term.match is not Match.NONE:
            info |= {"NationalName": term.term, "Country": country or ""}
        if kind.ucpm_module:
            keywords.append(ValueList(value_list_urn=UCPM_LIST, values=(kind.ucpm_module,)))
    return Resource(
        type_structure=ValueList(value_list_urn=CAPABILITY_LIST, values=(code,)),
        type_info=edxl_parts.type_info(info),
        keywords=tuple(keywords),
    )


def unit_resource(kind: Resource, unit: OfferedUnitView) -> Resource:
    """One registered unit: its id and name, of the given type."""
    call_sign = f"call sign {unit.call_sign}" if unit.call_sign else None
    return replace(kind, resource_id=str(unit.unit_id), name=unit.name, description=call_sign)
