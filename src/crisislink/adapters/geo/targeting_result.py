"""Warning-area targeting: the value objects, a unit a warning can reach and the result of one evaluation.

A `TargetingResult` gives, per country, the touched units with the share of each the area covers, the
people reached, the geocodes a CAP message carries and the languages required and optional, each with its
reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from crisislink.adapters.geo.targeting_languages import (
    FLEMISH_FACILITY_MUNICIPALITIES,
    NUTS3_FACILITIES,
    LanguageArea,
    LanguageRequirement,
)

MUNICIPALITY: Final = "municipality"
NUTS3: Final = "nuts3"


@dataclass(frozen=True)
class TargetUnit:
    """A unit a warning can reach. `geometry` is in EPSG:3035 metres (for a NUTS3 unit: cut back by the
    municipalities); `nuts3` is the NUTS 2024 level-3 unit it lies in (its own code for a NUTS3 unit)."""

    code: str
    name: str
    country: str
    level: str  # MUNICIPALITY or NUTS3
    nuts3: str
    emma_id: str | None
    population: int | None
    language_area: LanguageArea
    geometry: Any = field(compare=False, repr=False)
    area_m2: float = field(compare=False, repr=False)

    def facility(self) -> LanguageRequirement | None:
        """A language residents may ask for beyond the required ones (Belgian language facilities)."""
        if self.level == MUNICIPALITY and self.code in FLEMISH_FACILITY_MUNICIPALITIES:
            return LanguageRequirement("fr", f"{self.name} has French language facilities")
        return NUTS3_FACILITIES.get(self.code) if self.level == NUTS3 else None


@dataclass(frozen=True)
class TouchedUnit:
    code: str
    name: str
    level: str  # MUNICIPALITY or NUTS3
    nuts3: str
    emma_id: str | None
    language_area: str  # LanguageArea.key
    share: float  # of the unit's shipped area inside the warning area, 0..1
    overlap_km2: float
    population: int | None  # of the whole unit
    population_reached: int | None  # population x share; None where the unit has no population


@dataclass(frozen=True)
class CountryTargeting:
    """One country's part: the warning goes out there through that country's channel and languages."""

    country: str
    units: tuple[TouchedUnit, ...]
    population_reached: int | None  # None when no touched unit of the country has a population
    required_languages: tuple[LanguageRequirement, ...]
    optional_languages: tuple[LanguageRequirement, ...]


@dataclass(frozen=True)
class Geocodes:
    nuts3: tuple[str, ...]
    emma_id: tuple[str, ...]

    def as_cap(self) -> tuple[tuple[str, str], ...]:
        """(valueName, value) pairs for CAP `area/geocode`, named as the EU (MeteoAlarm) profile names them."""
        return (*(("EMMA_ID", code) for code in self.emma_id), *(("NUTS3", code) for code in self.nuts3))


@dataclass(frozen=True)
class TargetingResult:
    countries: tuple[CountryTargeting, ...]  # sorted by country code
    population_reached: int
    population_method: str
    geocodes: Geocodes
    required_languages: tuple[LanguageRequirement, ...]  # most of the area first
    optional_languages: tuple[LanguageRequirement, ...]
    notes: tuple[str, ...]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(requirement.language for requirement in self.required_languages)

    def country(self, code: str) -> CountryTargeting | None:
        return next((part for part in self.countries if part.country == code), None)

    def units(self) -> tuple[TouchedUnit, ...]:
        return tuple(unit for part in self.countries for unit in part.units)
