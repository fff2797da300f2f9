"""Warning-area targeting: whom a public warning reaches, where, and in which languages it must be written.

For a warning area (GeoJSON Polygon or MultiPolygon, WGS84) the result gives, per country, the units the
area touches with the share of each it covers, an estimate of the people reached, the geocodes a CAP
message carries (NUTS3 and MeteoAlarm EMMA_ID), and the languages the rules of those places require
(DOMAIN.md §4.3), each with its reason.

Units are the finest shipped ones:
- municipalities where they are shipped: NL gemeenten, Flemish and Brussels municipalities, LU communes;
- elsewhere NUTS 2024 level-3 units (layer `nuts` in data/statistical/, GISCO 1:20M): the Walloon
  arrondissements (the German-speaking Community is the unit BE336) and the German and French neighbours.
  Each is cut back by the municipalities it overlaps, so that where detailed borders exist they decide.

Areas are measured in ETRS89-LAEA (EPSG:3035), which is equal-area, as in proximity.py. `Targeting` builds
its index once and is then read-only, so one instance serves `evaluate` from many threads; `evaluate_naively`
is the same evaluation as a plain loop, the benchmark's baseline and the tests' oracle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import shapely

from crisislink.adapters.geo.proximity import to_metric
from crisislink.adapters.geo.reference import DATA_FOLDER, PACKAGE, Boundary, ReferenceData
from crisislink.adapters.geo.shapes import validate_area

STATISTICAL_FOLDER: Final = "statistical"
NUTS_LAYER: Final = "nuts"
MUNICIPALITY: Final = "municipality"
NUTS3: Final = "nuts3"
# An area drawn along a border meets the unit next door in slivers; the shipped borders are accurate to
# ~1 m (detailed) or ~1 km (1:20M), so an overlap under 0.1 ha is an artefact of drawing, not a place.
MIN_OVERLAP_M2: Final = 1_000.0
# Below this share of the warning area outside every unit, the remainder is not worth a note.
UNCOVERED_NOTE_SHARE: Final = 0.01
M2_PER_KM2: Final = 1_000_000.0
_POLYGON: Final = 3

POPULATION_METHOD: Final = (
    "Estimated population reached = the sum, over the touched units, of the unit's population times the "
    "share of the unit's area inside the warning area. This assumes people are spread evenly over each "
    "unit: it overstates empty countryside and understates towns, most of all for whole arrondissements. "
    "Populations: NL gemeenten CBS 1 January 2022; Flemish and Brussels municipalities and Walloon "
    "arrondissements Statbel 1 January 2020; LU communes STATEC 1 January 2023. German and French units "
    "carry no population in the shipped data and are not counted."
)


# --------------------------------------------------------------------------- the language rules


@dataclass(frozen=True)
class LanguageArea:
    """A territory whose rules fix the languages of public warnings. `key` is a NUTS code (a country's is
    its NUTS0 code); a unit belongs to the area with the longest key that starts its NUTS3 code."""

    key: str
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class LanguageRequirement:
    language: str  # ISO 639-1, as kernel.i18n.CONTENT_LANGUAGES
    reason: str


# DOMAIN.md §4.3. Belgium by language area (constitution art. 4): the Flemish Region (Voeren included) is
# Dutch, Brussels bilingual, the Walloon Region French except the German-speaking Community, which NUTS
# makes its own level-3 unit BE336 inside BE3. The order of `languages` is the order a warning lists them.
LANGUAGE_AREAS: Final = (
    LanguageArea("BE1", "the bilingual Brussels-Capital Region (BE1)", ("fr", "nl")),
    LanguageArea("BE2", "the Flemish Region, Dutch language area (BE2)", ("nl",)),
    LanguageArea("BE3", "the French language area of the Walloon Region (BE3 without BE336)", ("fr",)),
    LanguageArea("BE336", "the German-speaking Community of Belgium (BE336)", ("de",)),
    LanguageArea("NL", "the Netherlands", ("nl",)),
    LanguageArea(
        "LU", "Luxembourg (three administrative languages, law of 24 February 1984)", ("lb", "fr", "de")
    ),
    LanguageArea("DE", "Germany", ("de",)),
    LanguageArea("FR", "France", ("fr",)),
)
_LONGEST_KEY_FIRST: Final = tuple(sorted(LANGUAGE_AREAS, key=lambda area: -len(area.key)))

ENGLISH: Final = LanguageRequirement(
    "en", "optional everywhere, for visitors and residents who read no local language"
)
# Flemish municipalities with French language facilities (general knowledge; DOMAIN.md §4.3 asks to verify
# the lists): residents may ask for French, so a warning may add it.
FLEMISH_FACILITY_MUNICIPALITIES: Final = frozenset(
    {
        "73109",  # Voeren
        "73028",  # Herstappe
        "33016",  # Mesen
        "34043",  # Spiere-Helkijn
        "45041",  # Ronse
        "23009",  # Bever
        "23098",  # Drogenbos
        "23099",  # Kraainem
        "23100",  # Linkebeek
        "23101",  # Sint-Genesius-Rode
        "23102",  # Wemmel
        "23103",  # Wezembeek-Oppem
    }
)
_AT_ARRONDISSEMENT_LEVEL: Final = "whether the area reaches them cannot be told at arrondissement level"
# Walloon facility municipalities by the NUTS3 unit holding them: their own borders are not shipped.
NUTS3_FACILITIES: Final[Mapping[str, LanguageRequirement]] = MappingProxyType(
    {
        "BE336": LanguageRequirement(
            "fr", "the municipalities of the German-speaking Community have French language facilities"
        ),
        "BE335": LanguageRequirement(
            "de", f"Malmedy and Waimes (BE335) have German language facilities; {_AT_ARRONDISSEMENT_LEVEL}"
        ),
        "BE328": LanguageRequirement(
            "nl",
            f"Comines-Warneton and Mouscron (BE328) have Dutch language facilities; {_AT_ARRONDISSEMENT_LEVEL}",
        ),
        "BE32A": LanguageRequirement(
            "nl", f"Flobecq (BE32A) has Dutch language facilities; {_AT_ARRONDISSEMENT_LEVEL}"
        ),
        "BE32C": LanguageRequirement(
            "nl", f"Enghien (BE32C) has Dutch language facilities; {_AT_ARRONDISSEMENT_LEVEL}"
        ),
    }
)


def language_area_of(nuts3: str) -> LanguageArea:
    for area in _LONGEST_KEY_FIRST:
        if nuts3.startswith(area.key):
            return area
    raise ValueError(f"no language rule for NUTS3 unit {nuts3}")


# --------------------------------------------------------------------------- MeteoAlarm EMMA_ID

# MeteoAlarm's warning regions of the Benelux, by administrative unit, written from the region names
# (cap_rules_eu.BENELUX_EMMA_IDS). MeteoAlarm's region geometry is NOT shipped (no clear licence); a test
# checks this table against it where the shared folder is present. The sea and coastal-water regions
# (BE801, NL801-NL807) have no administrative unit and are never derived.
EMMA_BY_BE_PROVINCE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "BE10": "BE004",  # "Brabant": Brussels and both Brabant provinces
        "BE24": "BE004",
        "BE31": "BE004",
        "BE21": "BE002",
        "BE22": "BE007",
        "BE23": "BE003",
        "BE25": "BE009",
        "BE32": "BE005",
        "BE33": "BE008",
        "BE34": "BE001",
        "BE35": "BE006",
    }
)
# Each safety region lies in one province; the regions are the provinces.
EMMA_BY_NL_SAFETY_REGION: Final[Mapping[str, str]] = MappingProxyType(
    {
        "VR01": "NL007",
        "VR02": "NL017",
        "VR03": "NL018",
        "VR04": "NL016",
        "VR05": "NL016",
        "VR06": "NL014",
        "VR07": "NL014",
        "VR08": "NL014",
        "VR09": "NL015",
        "VR10": "NL011",
        "VR11": "NL011",
        "VR12": "NL011",
        "VR13": "NL011",
        "VR14": "NL011",
        "VR15": "NL009",
        "VR16": "NL009",
        "VR17": "NL009",
        "VR18": "NL009",
        "VR19": "NL010",
        "VR20": "NL013",
        "VR21": "NL013",
        "VR22": "NL013",
        "VR23": "NL012",
        "VR24": "NL012",
        "VR25": "NL008",
    }
)
# The Wadden islands are a region of their own ("Waddeneilanden").
NL_WADDEN_ISLANDS: Final = frozenset({"GM0448", "GM0096", "GM0093", "GM0060", "GM0088"})
NL_WADDEN_EMMA: Final = "NL019"
# Luxembourg North (the Oesling cantons) and South; where MeteoAlarm's line cuts a canton, the commune
# goes with its larger part (Rambrouch, Groussbus-Wal, Beaufort lie mostly in the north).
LU_NORTH_CANTONS: Final = frozenset({"LU-CAN-05", "LU-CAN-06", "LU-CAN-08", "LU-CAN-09"})
LU_NORTH_COMMUNES_ELSEWHERE: Final = frozenset({"0704", "0711", "1001"})
LU_NORTH: Final = "LU002"
LU_SOUTH: Final = "LU001"


def emma_id_of(country: str, code: str, parent: str | None) -> str | None:
    """The EMMA_ID of a unit: `parent` is a municipality's province, safety region or canton, and for a
    NUTS3 unit its NUTS2 code. None outside the Benelux."""
    if country == "BE":
        return EMMA_BY_BE_PROVINCE.get(parent or "")
    if country == "NL":
        return NL_WADDEN_EMMA if code in NL_WADDEN_ISLANDS else EMMA_BY_NL_SAFETY_REGION.get(parent or "")
    if country == "LU":
        north = parent in LU_NORTH_CANTONS or code in LU_NORTH_COMMUNES_ELSEWHERE
        return LU_NORTH if north else LU_SOUTH
    return None


# --------------------------------------------------------------------------- the result


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


# --------------------------------------------------------------------------- building the result

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


def _result(overlaps: Iterable[Overlap], area_m2: float) -> TargetingResult:
    kept = [(unit, m2) for unit, m2 in overlaps if m2 >= MIN_OVERLAP_M2]
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
        notes=_notes(kept, area_m2),
    )


# --------------------------------------------------------------------------- geometry


def _polygonal(geometry: Any) -> Any:
    """Only the polygons: an overlay or a repair can leave lines and points where borders meet."""
    parts = shapely.get_parts(geometry)
    polygons = parts[shapely.get_type_id(parts) == _POLYGON]
    return shapely.multipolygons(polygons) if len(polygons) != 1 else polygons[0]


def _valid_metric(geometry: Mapping[str, Any]) -> Any:
    projected = to_metric(geometry)
    return projected if shapely.is_valid(projected) else _polygonal(shapely.make_valid(projected))


def metric_area(area: Mapping[str, Any]) -> Any:
    """The checked warning area in EPSG:3035; InvalidInput when it is no valid polygonal GeoJSON area."""
    validate_area(area)
    return _valid_metric(area)


# --------------------------------------------------------------------------- the index


class Targeting:
    """The units in one STR tree, built once; read-only after.

    Thread safety: `evaluate` only reads the tree (complete after the constructor) and immutable arrays;
    what it prepares is the caller's own area, so concurrent calls need no lock.
    """

    def __init__(self, units: Sequence[TargetUnit]) -> None:
        self._units = tuple(units)
        self._geometries = np.array([unit.geometry for unit in self._units], dtype=object)
        self._areas = np.array([unit.area_m2 for unit in self._units], dtype=np.float64)
        self._tree = shapely.STRtree(self._geometries)

    @property
    def units(self) -> tuple[TargetUnit, ...]:
        return self._units

    def evaluate(self, area: Mapping[str, Any]) -> TargetingResult:
        """Countries, units, population, geocodes and languages for one warning area (GeoJSON, WGS84)."""
        metric = metric_area(area)
        found = self.candidates(metric)
        overlaps = self._overlap_m2(metric, found)
        return _result(
            zip([self._units[i] for i in found], overlaps.tolist(), strict=True), float(metric.area)
        )

    def candidates(self, metric: Any) -> npt.NDArray[np.intp]:
        """Indexes of the units whose geometry intersects the metric area (the tree, then the exact test)."""
        # Preparing the area once lets the tree's exact test and the containment test below share it.
        shapely.prepare(metric)
        found: npt.NDArray[np.intp] = self._tree.query(metric, predicate="intersects")
        return np.sort(found)

    def _overlap_m2(self, metric: Any, found: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        candidates = self._geometries[found]
        overlap = self._areas[found].copy()
        # A unit wholly inside the area needs no overlay: its overlap is its own area. For the rest, the
        # area is first cut to the unit's bounding box, so the overlay only walks the nearby vertices.
        partial = ~shapely.contains_properly(metric, candidates)
        if partial.any():
            near = [
                shapely.clip_by_rect(metric, *box) for box in shapely.bounds(candidates[partial]).tolist()
            ]
            overlap[partial] = shapely.area(shapely.intersection(near, candidates[partial]))
        return overlap


def evaluate_naively(units: Sequence[TargetUnit], area: Mapping[str, Any]) -> TargetingResult:
    """The same evaluation as a plain loop over every unit: no tree, no prepared area, no shortcut."""
    metric = metric_area(area)
    overlaps = [
        (unit, float(shapely.area(shapely.intersection(metric, unit.geometry))))
        for unit in units
        if shapely.intersects(metric, unit.geometry)
    ]
    return _result(overlaps, float(metric.area))


# --------------------------------------------------------------------------- from the shipped layers


def statistical_reference() -> ReferenceData:
    """The statistical layers (NUTS3), shipped beside the basemap layers in their own folder."""
    return ReferenceData(resources.files(PACKAGE).joinpath(DATA_FOLDER).joinpath(STATISTICAL_FOLDER))


@dataclass(frozen=True)
class _Layer:
    boundaries: Sequence[Boundary]
    geometries: npt.NDArray[np.object_]

    @classmethod
    def of(cls, boundaries: Sequence[Boundary]) -> _Layer:
        return cls(boundaries, np.array([_valid_metric(b.geometry) for b in boundaries], dtype=object))


def _arrondissement_prefixes(statistical: ReferenceData) -> dict[str, str]:
    """Belgian NIS arrondissement prefix -> NUTS3 code. A prefix that two units share (Verviers: BE335 and
    BE336, split by municipality) maps to neither: no shipped municipality lies there."""
    units: dict[str, list[str]] = defaultdict(list)
    for feature in statistical.feature_collection(NUTS_LAYER)["features"]:
        nis = feature["properties"].get("nis")
        if nis:
            units[str(nis)[:2]].append(str(feature["properties"]["code"]))
    return {prefix: codes[0] for prefix, codes in units.items() if len(codes) == 1}


def _largest_overlap(geometry: Any, nuts: _Layer, tree: shapely.STRtree, country: str) -> str:
    """The same-country NUTS3 unit covering most of the geometry, or the nearest one if none overlaps it
    (the 1:20M outlines can miss a small border municipality)."""
    own = np.flatnonzero([b.country == country for b in nuts.boundaries])
    found = np.intersect1d(tree.query(geometry, predicate="intersects"), own)
    if len(found):
        areas = shapely.area(shapely.intersection(geometry, nuts.geometries[found]))
        return nuts.boundaries[int(found[int(np.argmax(areas))])].code
    distances = shapely.distance(geometry, nuts.geometries[own])
    return nuts.boundaries[int(own[int(np.argmin(distances))])].code


def _municipal_nuts3(municipalities: _Layer, nuts: _Layer, prefixes: Mapping[str, str]) -> list[str]:
    """Belgian municipalities by their NIS arrondissement (exact); NL and LU by largest overlap."""
    tree = shapely.STRtree(nuts.geometries)
    codes = []
    for boundary, geometry in zip(municipalities.boundaries, municipalities.geometries, strict=True):
        if boundary.country == "BE":
            if boundary.code[:2] not in prefixes:
                raise ValueError(f"no NUTS3 unit for the arrondissement of municipality {boundary.code}")
            codes.append(prefixes[boundary.code[:2]])
        else:
            codes.append(_largest_overlap(geometry, nuts, tree, boundary.country))
    return codes


def _unit(boundary: Boundary, geometry: Any, level: str, nuts3: str, parent: str | None) -> TargetUnit:
    return TargetUnit(
        code=boundary.code,
        name=boundary.names.get("en", boundary.name),
        country=boundary.country,
        level=level,
        nuts3=nuts3,
        emma_id=emma_id_of(boundary.country, boundary.code, parent),
        population=boundary.population,
        language_area=language_area_of(nuts3),
        geometry=geometry,
        area_m2=float(shapely.area(geometry)),
    )


def _cut_back(geometry: Any, municipalities: _Layer, tree: shapely.STRtree) -> Any:
    """A 1:20M unit without the detailed municipalities it overlaps: where both exist, the detail decides."""
    overlapping = tree.query(geometry, predicate="intersects")
    if not len(overlapping):
        return geometry
    return _polygonal(shapely.difference(geometry, shapely.union_all(municipalities.geometries[overlapping])))


def _nuts3_units(nuts: _Layer, municipalities: _Layer, covered: set[str]) -> list[TargetUnit]:
    """The NUTS3 units that no shipped municipality lies in (Wallonia, DE, FR), cut back by the municipalities."""
    tree = shapely.STRtree(municipalities.geometries)
    units = []
    for boundary, geometry in zip(nuts.boundaries, nuts.geometries, strict=True):
        if boundary.code in covered:
            continue
        remainder = _cut_back(geometry, municipalities, tree)
        if shapely.area(remainder) >= MIN_OVERLAP_M2:
            units.append(_unit(boundary, remainder, NUTS3, boundary.code, boundary.code[:4]))
    return units


def reference_units(reference: ReferenceData, statistical: ReferenceData) -> list[TargetUnit]:
    """Every shipped municipality, and the NUTS3 units where no municipality is shipped."""
    municipalities = _Layer.of(reference.layer("municipalities"))
    nuts = _Layer.of(statistical.layer(NUTS_LAYER))
    nuts3 = _municipal_nuts3(municipalities, nuts, _arrondissement_prefixes(statistical))
    units = [
        _unit(boundary, geometry, MUNICIPALITY, code, boundary.parent)
        for boundary, geometry, code in zip(
            municipalities.boundaries, municipalities.geometries, nuts3, strict=True
        )
    ]
    return units + _nuts3_units(nuts, municipalities, set(nuts3))


def from_reference(
    reference: ReferenceData | None = None, statistical: ReferenceData | None = None
) -> Targeting:
    """The index over the shipped layers (the package's own data unless other readers are given)."""
    return Targeting(reference_units(reference or ReferenceData(), statistical or statistical_reference()))
