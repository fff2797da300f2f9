"""Warning-area targeting: from the measured overlaps (a unit, the square metres of it inside the warning
area) to the `TargetingResult`.

Plain arithmetic on the overlaps, shared by the index and the naive baseline: slivers dropped, population
estimated (`POPULATION_METHOD`), languages required and optional per country and overall, geocodes, notes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Final

from crisislink.adapters.geo.targeting_languages import ENGLISH, LanguageArea, LanguageRequirement
from crisislink.adapters.geo.targeting_result import (
    NUTS3,
    CountryTargeting,
    Geocodes,
    TargetingResult,
    TargetUnit,
    TouchedUnit,
)

# An area drawn along a border meets the unit next door in slivers; the shipped borders are accurate to
# ~1 m (detailed) or ~1 km (1:20M), so an overlap under 0.1 ha is an artefact of drawing, not a place.
MIN_OVERLAP_M2: Final = 1_000.0
# Two sources disagree on a shared border by up to ~100 m (the Belgian and Dutch municipal layers along the
# Meuse), so a unit picked whole meets its neighbours across the border in strips of a few hectares. An
# overlap under both limits is such a strip, not a place the drafter meant to warn.
SLIVER_M2: Final = 250_000.0
SLIVER_SHARE: Final = 0.005
# Below this share of the warning area outside every unit, the remainder is not worth a note.
UNCOVERED_NOTE_SHARE: Final = 0.01
M2_PER_KM2: Final = 1_000_000.0

POPULATION_METHOD: Final = (
    "Estimated population reached = the sum, over the touched units, of the unit's population times the "
    "share of the unit's area inside the warning area. This assumes people are spread evenly over each "
    "unit: it overstates empty countryside and understates towns, most of all for whole arrondissements. "
    "Populations: NL gemeenten CBS 1 January 2022; Flemish and Brussels municipalities and Walloon "
    "arrondissements Statbel 1 January 2020; LU communes STATEC 1 January 2023. German and French units "
    "carry no population in the shipped data and are not counted."
)


Overlap = tuple[TargetUnit, float]  # a unit and the square metres of it inside the warning area


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _share(unit: TargetUnit, overlap_m2: float) -> float:
    return min(1.0, overlap_m2 / unit.area_m2)


def _people(unit: TargetUnit, overlap_m2: float) -> float | None:
    return None if unit.population is None else unit.population * _share(unit, overlap_m2)


def _touched(unit: TargetUnit, overlap_m2: float) -> TouchedUnit:
    people = _people(unit, overlap_m2)
    return TouchedUnit(
        code=unit.code,
        name=unit.name,
        level=unit.level,
        nuts3=unit.nuts3,
        emma_id=unit.emma_id,
        language_area=unit.language_area.key,
        share=round(_share(unit, overlap_m2), 6),
        overlap_km2=round(overlap_m2 / M2_PER_KM2, 4),
        population=unit.population,
        population_reached=None if people is None else round(people),
    )


def _population(overlaps: Sequence[Overlap]) -> float | None:
    known = [people for people in (_people(unit, m2) for unit, m2 in overlaps) if people is not None]
    return sum(known) if known else None


def _required(overlaps: Sequence[Overlap]) -> tuple[LanguageRequirement, ...]:
    """Each language the touched language areas require, the one covering most of the area first; a tie
    keeps the order the rules list them in (Luxembourg: lb, fr, de; Brussels: fr, nl)."""
    by_area: dict[LanguageArea, float] = defaultdict(float)
    for unit, m2 in overlaps:
        by_area[unit.language_area] += m2
    covered: dict[str, float] = {}
    sources: dict[str, list[str]] = defaultdict(list)
    for area in sorted(by_area, key=lambda a: -by_area[a]):
        for language in area.languages:
            covered[language] = covered.get(language, 0.0) + by_area[area]
            sources[language].append(area.name)
    first_seen = list(covered)
    ordered = sorted(covered, key=lambda language: (-covered[language], first_seen.index(language)))
    return tuple(
        LanguageRequirement(language, f"touches {_listing(sources[language])}") for language in ordered
    )


def _deduplicated(
    requirements: Iterable[LanguageRequirement], drop: Iterable[str]
) -> tuple[LanguageRequirement, ...]:
    """One requirement per language (reasons joined), in first-seen order, without the languages in `drop`."""
    reasons: dict[str, list[str]] = {}
    excluded = set(drop)
    for requirement in requirements:
        if requirement.language not in excluded:
            found = reasons.setdefault(requirement.language, [])
            if requirement.reason not in found:
                found.append(requirement.reason)
    return tuple(LanguageRequirement(language, "; ".join(texts)) for language, texts in reasons.items())


def _optional(
    overlaps: Sequence[Overlap],
    required: Sequence[LanguageRequirement],
    elsewhere: Sequence[LanguageRequirement],
) -> tuple[LanguageRequirement, ...]:
    """English, the language facilities of the touched units, and the languages the warning needs in the
    other parts of the area (`elsewhere`): near a border, add the neighbour's language (DOMAIN.md §4.3)."""
    facilities = [facility for facility in (unit.facility() for unit, _ in overlaps) if facility is not None]
    across = [
        LanguageRequirement(other.language, f"near the border: the warning area also {other.reason}")
        for other in elsewhere
    ]
    return _deduplicated([ENGLISH, *facilities, *across], drop=[r.language for r in required])


def _by_country(overlaps: Iterable[Overlap]) -> dict[str, list[Overlap]]:
    grouped: dict[str, list[Overlap]] = defaultdict(list)
    for unit, m2 in overlaps:
        grouped[unit.country].append((unit, m2))
    return dict(sorted(grouped.items()))


def _country_part(
    country: str, overlaps: Sequence[Overlap], all_required: Sequence[LanguageRequirement]
) -> CountryTargeting:
    required = _required(overlaps)
    population = _population(overlaps)
    units = sorted((_touched(unit, m2) for unit, m2 in overlaps), key=lambda u: (u.name, u.code))
    return CountryTargeting(
        country=country,
        units=tuple(units),
        population_reached=None if population is None else round(population),
        required_languages=required,
        optional_languages=_optional(overlaps, required, all_required),
    )


def _geocodes(overlaps: Sequence[Overlap]) -> Geocodes:
    return Geocodes(
        nuts3=tuple(sorted({unit.nuts3 for unit, _ in overlaps})),
        emma_id=tuple(sorted({unit.emma_id for unit, _ in overlaps if unit.emma_id is not None})),
    )


def _notes(overlaps: Sequence[Overlap], area_m2: float) -> tuple[str, ...]:
    if not overlaps:
        return (
            "The area touches no shipped unit (sea, or beyond the neighbouring regions): no country, "
            "language or population could be derived.",
        )
    units = [unit for unit, _ in overlaps]
    notes = []
    walloon = sorted({unit.code for unit in units if unit.country == "BE" and unit.level == NUTS3})
    if walloon:
        notes.append(
            f"Wallonia is targeted at arrondissement level (NUTS3 {', '.join(walloon)}, 1:20M outlines accurate "
            "to about a kilometre): Walloon municipal boundaries are not shipped."
        )
    if any(unit.population is None for unit in units):
        notes.append(
            "Some touched units have no population in the shipped data (the German and French NUTS3 "
            "outlines, 1:20M): they set languages and geocodes but are not counted in the estimate."
        )
    notes += _emma_notes(units)
    uncovered = 1.0 - min(1.0, sum(m2 for _, m2 in overlaps) / area_m2)
    if uncovered >= UNCOVERED_NOTE_SHARE:
        notes.append(
            f"About {uncovered:.0%} of the area lies outside every shipped unit (sea, a country beyond the "
            "neighbours, or a gap between 1:20M outlines and detailed borders): nobody there is counted."
        )
    return tuple(notes)


def _emma_notes(units: Sequence[TargetUnit]) -> list[str]:
    notes = []
    if any(unit.emma_id is not None for unit in units):
        notes.append(
            "EMMA_IDs come from a table of provinces, safety regions and cantons by MeteoAlarm's region names; "
            "MeteoAlarm's region geometry is not shipped (no clear licence), so its sea and coastal-water "
            "regions (BE801, NL801-NL807) are never given."
        )
    if any(unit.emma_id is None for unit in units):
        notes.append("No EMMA_ID for German and French units: only the Benelux regions are known.")
    return notes


def result(overlaps: Iterable[Overlap], area_m2: float) -> TargetingResult:
    touched = [(unit, m2) for unit, m2 in overlaps if m2 >= MIN_OVERLAP_M2]
    kept = [(unit, m2) for unit, m2 in touched if not _sliver(unit, m2)]
    required = _required(kept)
    parts = tuple(_country_part(country, group, required) for country, group in _by_country(kept).items())
    population = _population(kept)
    return TargetingResult(
        countries=parts,
        population_reached=round(population or 0.0),
        population_method=POPULATION_METHOD,
        geocodes=_geocodes(kept),
        required_languages=required,
        optional_languages=_optional(kept, required, []),
        notes=_notes(kept, area_m2) + _sliver_note([unit for unit, m2 in touched if _sliver(unit, m2)]),
    )


def _sliver(unit: TargetUnit, overlap_m2: float) -> bool:
    return overlap_m2 < SLIVER_M2 and overlap_m2 < SLIVER_SHARE * unit.area_m2


def _sliver_note(units: Sequence[TargetUnit]) -> tuple[str, ...]:
    if not units:
        return ()
    names = _listing([f"{unit.name} ({unit.country})" for unit in units])
    return (
        f"Left out as border strips (under 25 ha and 0.5 % of the unit, where two boundary sources "
        f"disagree): {names}. Draw the area into them to warn them.",
    )
