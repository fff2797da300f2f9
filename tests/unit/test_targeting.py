"""Warning-area targeting on the shipped reference data: who a warning reaches, and in which languages."""

from __future__ import annotations

import gzip
import importlib.util
import json
import math
import os
import random
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from crisislink.adapters.geo.proximity import to_metric
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.adapters.geo.targeting_evaluation import POPULATION_METHOD
from crisislink.adapters.geo.targeting_index import Targeting
from crisislink.adapters.geo.targeting_languages import language_area_of
from crisislink.adapters.geo.targeting_naive import evaluate_naively
from crisislink.adapters.geo.targeting_result import (
    MUNICIPALITY,
    NUTS3,
    CountryTargeting,
    TargetingResult,
    TargetUnit,
)
from crisislink.adapters.geo.targeting_units import from_reference, statistical_reference
from crisislink.adapters.standards.cap_rules_eu import BENELUX_EMMA_IDS
from crisislink.kernel.errors import InvalidInput

REPO = Path(__file__).resolve().parents[2]
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON_AT_EQUATOR = 111.32


def disc(lon: float, lat: float, radius_km: float, vertices: int = 48) -> dict[str, Any]:
    """A GeoJSON polygon approximating a circle (close enough at these sizes; the tests measure, not assume)."""
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        dlon = radius_km / (KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat))) * math.cos(angle)
        ring.append([round(lon + dlon, 6), round(lat + radius_km / KM_PER_DEGREE_LAT * math.sin(angle), 6)])
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


# Places, checked on the shipped data.
VALKENBURG_MEERSSEN_MAASTRICHT = disc(5.76, 50.86, 5.0)
EUPEN = disc(6.035, 50.63, 2.0)
BRUSSELS = disc(4.36, 50.845, 2.0)
LUXEMBOURG_CITY = disc(6.13, 49.61, 2.0)
EIJSDEN_VISE_VOEREN = disc(5.70, 50.76, 3.0)  # the Meuse between Eijsden (NL), Visé (Wallonia) and Voeren
AACHEN = disc(6.08, 50.775, 3.0)
NORTH_SEA = disc(3.0, 52.5, 5.0)
PLACES = [VALKENBURG_MEERSSEN_MAASTRICHT, EUPEN, BRUSSELS, LUXEMBOURG_CITY, EIJSDEN_VISE_VOEREN, AACHEN]


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return ReferenceData()


@pytest.fixture(scope="module")
def index(reference: ReferenceData) -> Targeting:
    return from_reference(reference)


def codes(result: TargetingResult) -> set[str]:
    return {unit.code for unit in result.units()}


def part(result: TargetingResult, country: str) -> CountryTargeting:
    found = result.country(country)
    assert found is not None, f"{country} is not among {[p.country for p in result.countries]}"
    return found


def reason(result: TargetingResult, language: str) -> str:
    return next(r.reason for r in result.required_languages if r.language == language)


# --------------------------------------------------------------------------- places


def test_valkenburg_meerssen_maastricht_needs_dutch_and_reaches_the_three_municipalities(
    index: Targeting,
) -> None:
    result = index.evaluate(VALKENBURG_MEERSSEN_MAASTRICHT)

    assert result.languages == ("nl",)
    assert "the Netherlands" in reason(result, "nl")
    assert [p.country for p in result.countries] == ["NL"]
    reached = {unit.name: unit for unit in result.units()}
    for name in ("Valkenburg aan de Geul", "Meerssen", "Maastricht"):
        unit = reached[name]
        assert unit.level == MUNICIPALITY
        assert 0 < unit.share <= 1
        assert unit.population is not None
        assert 0 < (unit.population_reached or 0) <= unit.population
    # A 5 km disc over the east of Maastricht and most of Meerssen and Valkenburg (157,000 people together).
    assert 50_000 < result.population_reached < 157_000
    assert result.population_reached == part(result, "NL").population_reached
    assert result.geocodes.nuts3 == ("NL423",)
    assert result.geocodes.emma_id == ("NL012",)


def test_eupen_needs_german_for_the_german_speaking_community(index: Targeting) -> None:
    result = index.evaluate(EUPEN)

    assert "de" in result.languages
    assert "German-speaking Community" in reason(result, "de")
    assert "BE336" in reason(result, "de")
    eupen = next(unit for unit in result.units() if unit.code == "BE336")
    assert eupen.level == NUTS3
    assert "BE336" in result.geocodes.nuts3
    assert any("arrondissement level" in note for note in result.notes)


def test_sankt_vith_needs_german_only_with_french_facilities(index: Targeting) -> None:
    result = index.evaluate(disc(6.125, 50.28, 1.0))

    assert result.languages == ("de",)
    assert codes(result) == {"BE336"}
    assert "fr" in {r.language for r in result.optional_languages}


def test_brussels_needs_french_and_dutch(index: Targeting) -> None:
    result = index.evaluate(BRUSSELS)

    assert result.languages == ("fr", "nl")
    assert all("Brussels" in r.reason for r in result.required_languages)
    assert {unit.nuts3 for unit in result.units()} == {"BE100"}
    assert result.geocodes.emma_id == ("BE004",)


def test_luxembourg_city_needs_luxembourgish_french_and_german(index: Targeting) -> None:
    result = index.evaluate(LUXEMBOURG_CITY)

    assert result.languages == ("lb", "fr", "de")
    assert "0304" in codes(result)  # the commune of Luxembourg
    assert result.geocodes.as_cap() == (("EMMA_ID", "LU001"), ("NUTS3", "LU000"))


def test_across_the_meuse_dutch_for_eijsden_and_voeren_and_french_for_vise(index: Targeting) -> None:
    result = index.evaluate(EIJSDEN_VISE_VOEREN)

    assert set(result.languages) == {"nl", "fr"}
    assert {"GM1903", "73109", "BE332"} <= codes(result)  # Eijsden-Margraten, Voeren, Arr. Liège (Visé)
    assert "the Netherlands" in reason(result, "nl")
    assert "Flemish Region" in reason(result, "nl")
    assert "Walloon Region" in reason(result, "fr")
    assert [r.language for r in part(result, "NL").required_languages] == ["nl"]
    assert {r.language for r in part(result, "BE").required_languages} == {"nl", "fr"}
    # Near the border each part may add the neighbour's language.
    neighbour = next(r for r in part(result, "NL").optional_languages if r.language == "fr")
    assert "Walloon Region" in neighbour.reason


def test_voeren_alone_needs_dutch_with_french_facilities(index: Targeting) -> None:
    result = index.evaluate(disc(5.80, 50.745, 1.0))  # 's-Gravenvoeren, inside Voeren

    assert result.languages == ("nl",)
    assert {unit.code for unit in result.units()} == {"73109"}
    assert "Voeren has French language facilities" in {r.reason for r in result.optional_languages}


def test_aachen_needs_german_and_has_no_population_figure(index: Targeting) -> None:
    result = index.evaluate(AACHEN)

    assert result.languages == ("de",)
    assert codes(result) == {"DEA2D"}
    assert part(result, "DE").population_reached is None
    assert result.population_reached == 0
    assert result.geocodes.emma_id == ()
    assert any("no population" in note for note in result.notes)


@pytest.mark.parametrize("area", PLACES)
def test_english_is_always_optional_and_never_required(index: Targeting, area: dict[str, Any]) -> None:
    result = index.evaluate(area)

    assert result.optional_languages[0].language == "en"
    assert "en" not in result.languages
    assert all(p.optional_languages[0].language == "en" for p in result.countries)
    assert not {r.language for r in result.optional_languages} & set(result.languages)


def test_the_population_method_is_stated(index: Targeting) -> None:
    result = index.evaluate(BRUSSELS)

    assert result.population_method == POPULATION_METHOD
    assert "share" in POPULATION_METHOD
    assert "evenly" in POPULATION_METHOD


def test_an_area_that_is_one_municipality_reaches_its_population(
    index: Targeting, reference: ReferenceData
) -> None:
    valkenburg = reference.get("municipalities", "GM0994")
    assert valkenburg.population is not None

    result = index.evaluate(valkenburg.geometry)

    assert abs(result.population_reached - valkenburg.population) <= 0.02 * valkenburg.population
    unit = next(unit for unit in result.units() if unit.code == "GM0994")
    assert unit.share == pytest.approx(1.0, abs=1e-6)
    assert unit.population_reached == valkenburg.population


def test_an_area_beyond_a_covering_polygon_counts_the_whole_municipality(
    index: Targeting, reference: ReferenceData
) -> None:
    meerssen = reference.get("municipalities", "GM0938")
    cover = shapely.convex_hull(shape(meerssen.geometry)).buffer(0.01)

    result = index.evaluate(json.loads(shapely.to_geojson(cover)))

    unit = next(unit for unit in result.units() if unit.code == "GM0938")
    assert unit.share == 1.0
    assert unit.population_reached == meerssen.population
    assert result.population_reached > (meerssen.population or 0)


def test_an_area_at_sea_touches_nothing_and_says_so(index: Targeting) -> None:
    result = index.evaluate(NORTH_SEA)

    assert result.countries == ()
    assert result.languages == ()
    assert result.population_reached == 0
    assert [r.language for r in result.optional_languages] == ["en"]
    assert "touches no shipped unit" in result.notes[0]


def test_an_area_partly_at_sea_notes_the_uncounted_part(index: Targeting) -> None:
    result = index.evaluate(disc(3.58, 51.45, 6.0))  # Vlissingen and the Westerschelde

    assert "NL" in {p.country for p in result.countries}
    assert any("outside every shipped unit" in note for note in result.notes)


# --------------------------------------------------------------------------- the units


def test_the_units_are_the_municipalities_and_the_nuts3_units_without_any(index: Targeting) -> None:
    levels = Counter((unit.country, unit.level) for unit in index.units)

    assert levels[("NL", MUNICIPALITY)] == 342
    assert levels[("BE", MUNICIPALITY)] == 304
    assert levels[("LU", MUNICIPALITY)] == 100
    walloon = {unit.code for unit in index.units if unit.country == "BE" and unit.level == NUTS3}
    assert len(walloon) == 21
    assert "BE336" in walloon
    assert all(code.startswith("BE3") for code in walloon)
    assert levels[("FR", NUTS3)] == 6
    assert levels[("DE", NUTS3)] > 50
    # Where municipalities are shipped, they are the units: no NUTS3 unit of NL or LU targets on its own.
    assert levels[("NL", NUTS3)] == levels[("LU", NUTS3)] == 0


def test_belgian_municipalities_lie_in_a_nuts3_unit_of_their_province(index: Targeting) -> None:
    reference = ReferenceData()
    for unit in index.units:
        if unit.country == "BE" and unit.level == MUNICIPALITY:
            assert unit.nuts3.startswith(reference.get("municipalities", unit.code).parent or "?")


def test_every_benelux_unit_has_a_known_emma_id(index: Targeting) -> None:
    for unit in index.units:
        if unit.country in {"BE", "NL", "LU"}:
            assert unit.emma_id in BENELUX_EMMA_IDS, unit
        else:
            assert unit.emma_id is None


def test_the_nuts3_units_are_cut_back_by_the_municipalities(index: Targeting) -> None:
    municipal = shapely.union_all([unit.geometry for unit in index.units if unit.level == MUNICIPALITY])
    for unit in index.units:
        if unit.level == NUTS3:
            assert shapely.intersection(unit.geometry, municipal).area < 1.0, unit.code


@pytest.mark.parametrize(
    ("nuts3", "languages"),
    [
        ("BE336", ("de",)),
        ("BE335", ("fr",)),
        ("BE100", ("fr", "nl")),
        ("BE223", ("nl",)),
        ("NL423", ("nl",)),
        ("LU000", ("lb", "fr", "de")),
        ("DEA2D", ("de",)),
        ("FRF33", ("fr",)),
    ],
)
def test_language_areas_by_nuts_code(nuts3: str, languages: tuple[str, ...]) -> None:
    assert language_area_of(nuts3).languages == languages


def test_the_statistical_layer_is_not_a_basemap_layer(reference: ReferenceData) -> None:
    assert "nuts" not in reference.layer_names()
    assert statistical_reference().layer_names() == ("nuts",)
    assert "EuroGeographics" in statistical_reference().attribution("nuts")


def test_the_nuts3_populations_add_up() -> None:
    nuts = {b.code: b for b in statistical_reference().layer("nuts")}

    # The nine municipalities of the German-speaking Community, Statbel 1 January 2020.
    assert nuts["BE336"].population == 77_949
    assert sum(b.population or 0 for b in nuts.values() if b.code.startswith("BE3")) == 3_645_243
    assert sum(b.population or 0 for b in nuts.values() if b.country == "BE") == 11_492_641
    assert nuts["LU000"].population == 660_809


# --------------------------------------------------------------------------- the index agrees with the naive loop


def random_area(rng: random.Random) -> dict[str, Any]:
    """An irregular star-shaped polygon (always simple: angles increase), sometimes two apart."""

    def blob(lon: float, lat: float) -> list[list[list[float]]]:
        radius = rng.uniform(0.3, 25.0)
        ring = disc(lon, lat, radius, rng.randrange(6, 80))["coordinates"][0][:-1]
        ring = [
            [round(lon + (x - lon) * factor, 6), round(lat + (y - lat) * factor, 6)]
            for (x, y), factor in ((point, rng.uniform(0.6, 1.0)) for point in ring)
        ]
        return [[*ring, ring[0]]]

    lon, lat = rng.uniform(2.5, 7.5), rng.uniform(49.3, 53.5)
    if rng.random() < 0.2:  # two blobs far enough apart (> 2 x 25 km) never overlap
        return {"type": "MultiPolygon", "coordinates": [blob(lon, lat), blob(lon + 1.0, lat)]}
    return {"type": "Polygon", "coordinates": blob(lon, lat)}


def comparable(result: TargetingResult) -> tuple[Any, ...]:
    """Everything but the last bits of the overlays (the index cuts the area to each unit's box first)."""
    units = sorted((u.code, round(u.share, 5), u.population_reached) for u in result.units())
    languages = [(r.language, r.reason) for r in result.required_languages]
    optional = [(r.language, r.reason) for r in result.optional_languages]
    return (units, languages, optional, result.geocodes, result.notes)


@pytest.fixture(scope="module")
def random_areas() -> list[dict[str, Any]]:
    rng = random.Random(20261127)
    return [random_area(rng) for _ in range(60)]


def test_the_index_gives_the_same_results_as_the_naive_loop(
    index: Targeting, random_areas: list[dict[str, Any]]
) -> None:
    results = [index.evaluate(area) for area in random_areas]
    naive = [evaluate_naively(index.units, area) for area in random_areas]

    for indexed, expected in zip(results, naive, strict=True):
        assert comparable(indexed) == comparable(expected)
        assert abs(indexed.population_reached - expected.population_reached) <= 1
    # The sample is only a test if it exercises every branch.
    assert any(len(r.countries) > 1 for r in results)
    assert any(not r.countries for r in results)
    assert any(unit.level == NUTS3 for r in results for unit in r.units())
    assert any(unit.share == 1.0 for r in results for unit in r.units())
    assert {"nl", "fr", "de", "lb"} <= {language for r in results for language in r.languages}


def test_concurrent_evaluations_give_the_sequential_results(
    index: Targeting, random_areas: list[dict[str, Any]]
) -> None:
    sequential = [index.evaluate(area) for area in random_areas[:20]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(index.evaluate, random_areas[:20] * 4))

    assert concurrent == sequential * 4


# --------------------------------------------------------------------------- invalid input


def test_a_self_intersecting_area_is_rejected(index: Targeting) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[5.7, 50.7], [5.8, 50.8], [5.8, 50.7], [5.7, 50.8], [5.7, 50.7]]],
    }

    with pytest.raises(InvalidInput, match="not valid"):
        index.evaluate(bow_tie)
    with pytest.raises(InvalidInput, match="not valid"):
        evaluate_naively(index.units, bow_tie)


def test_a_point_is_not_an_area(index: Targeting) -> None:
    with pytest.raises(InvalidInput, match="Polygon or MultiPolygon"):
        index.evaluate({"type": "Point", "coordinates": [5.7, 50.7]})


def test_swapped_coordinates_are_rejected(index: Targeting) -> None:
    swapped = {"type": "Polygon", "coordinates": [[[50.7, 5.7], [50.8, 5.7], [50.8, 95.8], [50.7, 5.7]]]}

    with pytest.raises(InvalidInput, match="WGS84"):
        index.evaluate(swapped)


# --------------------------------------------------------------------------- against the shared sources


def _shared() -> Path:
    return Path(os.environ.get("CRISISLINK_SHARED_DATA", REPO.parent / "shared" / "data")).parent


EMMA_REGIONS = (
    REPO
    / "tests"
    / "fixtures"
    / "standards"
    / "cap"
    / "profiles"
    / "meteoalarm"
    / "emma_id_geocodes_benelux.geojson"
)


def _emma_regions() -> dict[str, Any]:
    document = json.loads(EMMA_REGIONS.read_text(encoding="utf-8"))
    return {
        f["properties"]["code"]: shapely.make_valid(to_metric(f["geometry"])) for f in document["features"]
    }


def _largest(geometry: Any, regions: dict[str, Any], country: str) -> str:
    overlaps = {code: shapely.intersection(geometry, region).area for code, region in regions.items()}
    return max((code for code in overlaps if code.startswith(country)), key=lambda code: overlaps[code])


def _provinces(reference: ReferenceData) -> Iterator[tuple[str, Any]]:
    for boundary in reference.layer("regions"):
        if boundary.country == "BE":
            yield boundary.code, to_metric(boundary.geometry)


@pytest.mark.skipif(
    not EMMA_REGIONS.is_file(), reason="MeteoAlarm's region polygons (shared) are not available"
)
def test_the_emma_table_agrees_with_meteoalarms_regions(index: Targeting, reference: ReferenceData) -> None:
    regions = _emma_regions()
    by_code: dict[str, TargetUnit] = {unit.code: unit for unit in index.units}
    # NL and LU unit by unit; MeteoAlarm's Belgian polygons are too coarse for that: province by province.
    for unit in index.units:
        if unit.country in {"NL", "LU"}:
            assert unit.emma_id == _largest(unit.geometry, regions, unit.country), unit.name
    for province, geometry in _provinces(reference):
        members = {u.emma_id for u in by_code.values() if u.country == "BE" and u.nuts3[:4] == province}
        assert members == {_largest(geometry, regions, "BE")}, province


def _build_script(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_reference_data", REPO / "scripts" / "build_reference_data.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (_shared() / "data" / "boundaries").is_dir(), reason="the shared source data is not available"
)
def test_rebuilding_the_statistical_layer_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    script = _build_script(monkeypatch)
    layers = script.build_statistical_layers(script.Sources(_shared() / "data"))

    shipped = (
        resources.files("crisislink.adapters.geo")
        .joinpath("data")
        .joinpath("statistical")
        .joinpath("nuts.geojson.gz")
    )
    rebuilt = script.encode_layer("nuts", layers["nuts"])
    assert rebuilt == shipped.read_bytes()
    assert json.loads(gzip.decompress(rebuilt))["name"] == "nuts"
