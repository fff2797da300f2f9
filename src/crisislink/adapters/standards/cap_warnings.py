"""CAP 1.2 alerts from the public-warning domain's message records: what the platform emits.

One message record of a warning's chain (`chain.CapMessageRecord`) is one CAP alert. Everything the alert
says comes from the record and the content snapshot it keeps, never from the warning's current draft: a
message emitted again later (a part issued at its country's time, a channel retrying, an auditor asking)
is the same message, byte for byte, with its original `sent`.

A country's part (`country="BE"`) is the same message as its country's channel sends it: the language
tags name that country's variety (nl-BE, fr-BE, de-BE) and the area carries that country's geocodes only.
Identifier, sent and references stay those of the record: a part is not a message of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from crisislink.adapters.standards import cap, cap_validation
from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.warnings.awareness import level_for
from crisislink.domains.warnings.chain import CapMessageRecord, CapReference, WarningContent
from crisislink.domains.warnings.model import PublicWarning
from crisislink.domains.warnings.values import Geocode, Hazard, Targeting, WarningText
from crisislink.domains.warnings.values import country as country_code
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area

# Every warning the platform drafts is for the public; restricted exchange between partners is not CAP's job.
SCOPE: Final = "Public"
AWARENESS_LEVEL: Final = "awareness_level"
AWARENESS_TYPE: Final = "awareness_type"
# The languages each country speaks as its own: a text in one of them is tagged with the country's variety
# in that country's part (fr-BE, not fr-FR, is what a Belgian reader and BE-Alert expect). Any other text
# (English, or French in the Dutch part) keeps its plain tag: it is not written in that country's variety.
NATIONAL_LANGUAGES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "BE": frozenset({"nl", "fr", "de"}),
        "NL": frozenset({"nl"}),
        "LU": frozenset({"lb", "fr", "de"}),
        "DE": frozenset({"de"}),
        "FR": frozenset({"fr"}),
    }
)
# Geocode systems whose codes begin with their country's ISO code (NUTS3 BE332, EMMA_ID NL012). A code of
# another system (a municipality code) does not say its country, so it is left out of a country's part.
_COUNTRY_PREFIXED: Final = re.compile(r"NUTS[-_ ]?[0-3]?|EMMA_ID", re.IGNORECASE)


def alert_for(
    record: CapMessageRecord,
    warning: PublicWarning,
    *,
    country: str | None = None,
    area_description: str | None = None,
) -> cap.Alert:
    """The CAP alert of one message of `warning`'s chain; for one country's part when `country` is given.

    `area_description` replaces the snapshot's own `areaDesc` (e.g. the names of the country's targeted
    municipalities, which the domain does not keep). Raises InvalidInput when the record is not one of the
    warning's messages or the message does not cover `country`.
    """
    _require_own_message(record, warning)
    part = None if country is None else _covered_country(record, country)
    return cap.Alert(
        identifier=record.identifier,
        sender=record.sender,
        sent=record.sent,  # stamped once by the domain, never again
        status=record.content.status.value,
        msg_type=record.msg_type.value,
        scope=SCOPE,
        note=record.note or None,
        references=cap_references(record.references),
        infos=infos_for(record.content, part, area_description),
    )


def cap_xml_for(
    record: CapMessageRecord,
    warning: PublicWarning,
    *,
    country: str | None = None,
    area_description: str | None = None,
) -> bytes:
    """`alert_for` as CAP 1.2 XML, checked against the schema and every rule, warnings included.

    The platform never emits an invalid CAP message: if its own output fails, InvalidInput lists why and
    nothing is returned to send.
    """
    alert = alert_for(record, warning, country=country, area_description=area_description)
    xml = cap.to_xml(alert)
    report = cap_validation.validate(xml)
    if not report.is_valid(strict=True):
        raise InvalidInput(
            f"the CAP message {record.identifier} built for this warning is not valid CAP, so it was not "
            f"emitted: {'; '.join(problems_in(report))}"
        )
    return xml


def problems_in(report: cap_validation.Report) -> tuple[str, ...]:
    """What makes `report` fail a strict check, one line each: unreadable, schema errors, rule findings."""
    unreadable = (report.unreadable,) if report.unreadable else ()
    findings = tuple(f"{found.code} at {found.where}: {found.message}" for found in report.violations)
    return (*unreadable, *report.schema_errors, *findings)


# ---------------------------------------------------------------------------------------------------------
# The alert.


def _require_own_message(record: CapMessageRecord, warning: PublicWarning) -> None:
    if record not in warning.messages:
        raise InvalidInput(
            f"the CAP message {record.identifier} is not one of this warning's messages "
            f"({', '.join(message.identifier for message in warning.messages) or 'none sent yet'})"
        )


def _covered_country(record: CapMessageRecord, country: str) -> str:
    code = country_code(country)
    covered = record.content.targeting.countries
    if code not in covered:
        raise InvalidInput(
            f"the CAP message {record.identifier} does not cover {code}; it covers {', '.join(covered)}"
        )
    return code


def cap_references(references: Sequence[CapReference]) -> tuple[cap.Reference, ...]:
    """The chain's references as CAP writes them: sender,identifier,sent of every earlier message."""
    return tuple(cap.Reference(ref.sender, ref.identifier, ref.sent) for ref in references)


# ---------------------------------------------------------------------------------------------------------
# One info per language.


def infos_for(
    content: WarningContent, country: str | None, area_description: str | None
) -> tuple[cap.Info, ...]:
    # One area for every language: CAP repeats it per info, and readers compare infos by language only.
    area = area_for(content, country, area_description)
    return tuple(
        _info(content, language_tag(language, country), text, area) for language, text in content.texts
    )


def _info(content: WarningContent, language: str, text: WarningText, area: cap.Area) -> cap.Info:
    return cap.Info(
        language=language,
        categories=(content.hazard.category.value,),
        event=event_of(content.hazard),
        response_types=tuple(response.value for response in content.response_types),
        urgency=content.urgency.value,
        severity=content.severity.value,
        certainty=content.certainty.value,
        onset=content.onset,
        expires=content.expires,
        headline=text.headline,
        description=text.description,
        instruction=text.instruction,
        web=text.web,
        contact=text.contact,
        parameters=awareness_parameters(content),
        areas=(area,),
    )


def language_tag(language: str, country: str | None) -> str:
    """nl-BE for Dutch in the Belgian part; plain nl without a part, or where Dutch is not national."""
    if country is not None and language in NATIONAL_LANGUAGES.get(country, frozenset()):
        return f"{language}-{country}"
    return language


def event_of(hazard: Hazard) -> str:
    """The hazard's title in the network's taxonomy (docs/hazards.md); its code if the taxonomy lacks it."""
    known = HAZARDS.get(hazard.code)
    return known.title if known is not None else hazard.code


def awareness_parameters(content: WarningContent) -> tuple[cap.Parameter, ...]:
    """The EU (MeteoAlarm) parameters: the level derived from the severity, the hazard's awareness type.

    Unknown severity has no colour, and only weather and flood hazards have a type: those are left out.
    """
    level = level_for(content.severity)
    kind = content.hazard.awareness_type
    found = []
    if level is not None:
        found.append(cap.Parameter(value_name=AWARENESS_LEVEL, value=level.parameter()))
    if kind is not None:
        found.append(cap.Parameter(value_name=AWARENESS_TYPE, value=kind.parameter()))
    return tuple(found)


# ---------------------------------------------------------------------------------------------------------
# The area.


def area_for(content: WarningContent, country: str | None, description: str | None) -> cap.Area:
    return cap.Area(
        area_desc=_area_description(content, description),
        polygons=polygons_of(content.area),
        geocodes=geocodes_for(content.targeting, country),
    )


def _area_description(content: WarningContent, description: str | None) -> str:
    if description is None:
        return content.area_description
    if not description.strip():
        raise InvalidInput("name the area in words, e.g. the targeted municipalities, or give no description")
    return description


def polygons_of(area: Area) -> tuple[cap.Polygon, ...]:
    """The area as CAP polygons, lat,lon: a GeoJSON Polygon is one, a MultiPolygon one per member."""
    geometry = area.geometry
    members: list[Any] = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return tuple(_cap_polygon(rings) for rings in members)


def _cap_polygon(rings: list[Any]) -> cap.Polygon:
    # CAP polygons have no holes. The outer ring alone warns the people in a hole too: for a public warning
    # that errs on the safe side, where refusing would leave an approved, issued warning unsent.
    polygon = cap.polygon_from_geojson({"type": "Polygon", "coordinates": [rings[0]]})
    # GeoJSON rings are closed by definition; CAP readers reject an open one, so never rely on the input.
    return polygon if polygon[0] == polygon[-1] else (*polygon, polygon[0])


def geocodes_for(targeting: Targeting, country: str | None) -> tuple[cap.Geocode, ...]:
    """The targeting's geocodes (NUTS3, EMMA_ID...); in a country's part, only those of that country."""
    return tuple(
        cap.Geocode(value_name=geocode.system, value=geocode.code)
        for geocode in targeting.geocodes
        if country is None or country_of(geocode) == country
    )


def country_of(geocode: Geocode) -> str | None:
    """The country a geocode lies in, where its system says it (NUTS, EMMA_ID); None where it does not."""
    if _COUNTRY_PREFIXED.fullmatch(geocode.system.strip()):
        return geocode.code.strip()[:2].upper()
    return None
