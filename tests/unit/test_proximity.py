"""Border proximity on the shipped reference data: who is told when an incident lies near a border."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from crisislink.adapters.geo.proximity import (
    JURISDICTION_LAYERS,
    MAX_DISTANCE_KM,
    BorderHit,
    Jurisdiction,
    ProximityIndex,
    ProximityResult,
    border_line,
    evaluate_naively,
    from_reference,
    reference_countries,
    reference_jurisdictions,
)
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.kernel.errors import InvalidInput

KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON_AT_EQUATOR = 111.32
ZUID_LIMBURG = "regions:VR24"
LIEGE = "regions:BE33"


def disc(lon: float, lat: float, radius_km: float, vertices: int = 48) -> dict[str, Any]:
    """A GeoJSON polygon approximating a circle (close enough at these sizes; the tests measure, not assume)."""
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        dlon = radius_km / (KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat))) * math.cos(angle)
        ring.append([round(lon + dlon, 6), round(lat + radius_km / KM_PER_DEGREE_LAT * math.sin(angle), 6)])
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


# Places, checked on the shipped 1:20M outlines.
EIJSDEN_VISE = disc(5.70, 50.77, 2.0)  # straddles the Meuse border between Eijsden (NL) and Visé (BE)
UTRECHT = disc(5.12, 52.09, 5.0)  # ~80 km from the nearest border
VALKENSWAARD = disc(5.45, 51.315, 0.5)  # NL, about 3 km north of the Belgian border
MARTELANGE = disc(5.80, 49.95, 1.5)  # across the BE-LU border


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return ReferenceData()


@pytest.fixture(scope="module")
def index(reference: ReferenceData) -> ProximityIndex:
    return from_reference(reference)


def keys(result: ProximityResult) -> set[str]:
    return {jurisdiction.key for jurisdiction in result.touched}


def hit(result: ProximityResult, pair: tuple[str, str]) -> BorderHit:
    found = [border for border in result.borders if border.countries == pair]
    assert len(found) == 1, f"expected one hit for {pair}, got {result.borders}"
    return found[0]


# --------------------------------------------------------------------------- the index on the shipped data


def test_the_shipped_countries_share_the_expected_borders(index: ProximityIndex) -> None:
    assert index.border_pairs == (
        ("BE", "DE"),
        ("BE", "FR"),
        ("BE", "LU"),
        ("BE", "NL"),
        ("DE", "FR"),
        ("DE", "LU"),
        ("DE", "NL"),
        ("FR", "LU"),
    )


def test_an_area_across_the_meuse_border_triggers_and_touches_both_sides(index: ProximityIndex) -> None:
    result = index.evaluate(EIJSDEN_VISE, 5)

    assert result.triggered
    assert result.distance_km == 5.0
    be_nl = hit(result, ("BE", "NL"))
    assert be_nl.crosses
    assert be_nl.distance_km == 0.0
    assert {ZUID_LIMBURG, LIEGE, "countries:BE", "countries:NL"} <= keys(result)
    assert "regions:VR09" not in keys(result)  # Utrecht is far away


def test_the_explanation_names_the_border_and_the_jurisdictions(index: ProximityIndex) -> None:
    text = index.evaluate(EIJSDEN_VISE, 5).explain()

    assert text.startswith("area crosses the BE\N{EN DASH}NL border")
    assert "touches " in text
    assert "Zuid-Limburg" in text
    assert "Province de Liège" in text


def test_touched_jurisdictions_are_sorted_by_country_then_name(index: ProximityIndex) -> None:
    touched = index.evaluate(EIJSDEN_VISE, 5).touched

    assert [(j.country, j.name) for j in touched] == sorted((j.country, j.name) for j in touched)
    assert {j.country for j in touched} == {"BE", "NL"}


def test_an_area_in_the_middle_of_the_netherlands_does_not_trigger(index: ProximityIndex) -> None:
    result = index.evaluate(UTRECHT, 5)

    assert not result.triggered
    assert result.borders == ()
    assert result.explain() == "area is more than 5 km from any border"
    # The facts stay available: the area still lies in the Utrecht safety region.
    assert "regions:VR09" in keys(result)


def test_an_area_3_km_from_the_border_triggers_at_5_km_without_crossing(index: ProximityIndex) -> None:
    result = index.evaluate(VALKENSWAARD, 5)

    assert result.triggered
    be_nl = hit(result, ("BE", "NL"))
    assert not be_nl.crosses
    assert 2.5 < be_nl.distance_km < 3.5
    assert "lies within 5 km of the BE\N{EN DASH}NL border (3.1 km away)" in result.explain()
    # Grown by 5 km the area reaches Belgian Limburg, though the area itself is Dutch.
    assert {"regions:VR22", "regions:BE22"} <= keys(result)


def test_the_same_area_does_not_trigger_at_1_km(index: ProximityIndex) -> None:
    result = index.evaluate(VALKENSWAARD, 1)

    assert not result.triggered
    assert result.borders == ()
    assert keys(result) == {"countries:NL", "regions:VR22"}
    assert result.explain() == "area is more than 1 km from any border"


def test_the_distance_agrees_with_one_measured_in_another_projection(index: ProximityIndex) -> None:
    """An independent check of the metric work: UTM zone 31N instead of ETRS89-LAEA."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True)

    def utm(geometry: Mapping[str, Any]) -> Any:
        return shapely.transform(
            shape(geometry), lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1]))
        )

    reference = ReferenceData()
    line = border_line(
        utm(reference.get("countries", "BE").geometry), utm(reference.get("countries", "NL").geometry)
    )
    utm_km = shapely.distance(utm(VALKENSWAARD), line) / 1000

    assert hit(index.evaluate(VALKENSWAARD, 5), ("BE", "NL")).distance_km == pytest.approx(utm_km, rel=0.01)


def test_an_area_across_the_belgium_luxembourg_border_crosses_it(index: ProximityIndex) -> None:
    result = index.evaluate(MARTELANGE, 5)

    be_lu = hit(result, ("BE", "LU"))
    assert be_lu.crosses
    assert be_lu.distance_km == 0.0
    assert {"countries:BE", "countries:LU", "regions:BE34"} <= keys(result)
    assert all(not border.crosses for border in result.borders if border.countries != ("BE", "LU"))


def test_at_zero_km_only_crossing_triggers(index: ProximityIndex) -> None:
    assert index.evaluate(MARTELANGE, 0).triggered
    assert not index.evaluate(VALKENSWAARD, 0).triggered


def test_a_multipolygon_is_measured_by_its_nearest_part(index: ProximityIndex) -> None:
    parts = [UTRECHT["coordinates"], VALKENSWAARD["coordinates"]]
    result = index.evaluate({"type": "MultiPolygon", "coordinates": parts}, 5)

    assert (
        hit(result, ("BE", "NL")).distance_km
        == hit(index.evaluate(VALKENSWAARD, 5), ("BE", "NL")).distance_km
    )
    assert {"regions:VR09", "regions:VR22"} <= keys(result)


# --------------------------------------------------------------------------- the index agrees with the naive loop


def random_area(rng: random.Random) -> dict[str, Any]:
    """An irregular star-shaped polygon (always simple: angles increase), sometimes two of them."""

    def blob() -> list[list[list[float]]]:
        lon, lat = rng.uniform(2.5, 7.5), rng.uniform(49.3, 53.5)
        radius = rng.uniform(0.3, 25.0)
        vertices = rng.randrange(6, 80)
        ring = disc(lon, lat, radius, vertices)["coordinates"][0][:-1]
        ring = [
            [lon + (x - lon) * factor, lat + (y - lat) * factor]
            for (x, y), factor in ((point, rng.uniform(0.6, 1.0)) for point in ring)
        ]
        return [[*ring, ring[0]]]

    if rng.random() < 0.2:
        return {"type": "MultiPolygon", "coordinates": [blob(), blob()]}
    return {"type": "Polygon", "coordinates": blob()}


@pytest.fixture(scope="module")
def random_cases() -> list[tuple[dict[str, Any], float]]:
    rng = random.Random(20240611)
    cases = [(random_area(rng), round(rng.uniform(0.0, 30.0), 2)) for _ in range(60)]
    return [*cases, (random_area(rng), 0.0), (random_area(rng), MAX_DISTANCE_KM)]


def test_the_index_gives_the_same_results_as_the_naive_loop(
    reference: ReferenceData, index: ProximityIndex, random_cases: list[tuple[dict[str, Any], float]]
) -> None:
    countries = reference_countries(reference)
    jurisdictions = reference_jurisdictions(reference, JURISDICTION_LAYERS)

    results = [index.evaluate(area, distance) for area, distance in random_cases]

    assert results == [evaluate_naively(countries, jurisdictions, area, d) for area, d in random_cases]
    # The sample is only a test if it exercises every branch.
    assert any(r.triggered for r in results)
    assert any(not r.triggered for r in results)
    assert any(border.crosses for r in results for border in r.borders)
    assert any(not border.crosses for r in results for border in r.borders)


def test_concurrent_evaluations_give_the_sequential_results(
    index: ProximityIndex, random_cases: list[tuple[dict[str, Any], float]]
) -> None:
    sequential = [index.evaluate(area, distance) for area, distance in random_cases]

    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda case: index.evaluate(*case), random_cases * 4))

    assert concurrent == sequential * 4


# --------------------------------------------------------------------------- border lines between other data


def test_countries_with_a_sliver_between_them_still_share_a_border() -> None:
    # About 35 m apart at 50 degrees north: as independently digitised outlines are.
    countries = {"AA": square(5.0, 50.0, 5.1, 50.1), "BB": square(5.1005, 50.0, 5.2, 50.1)}
    index = ProximityIndex(countries, [])

    assert index.border_pairs == (("AA", "BB"),)
    result = index.evaluate(disc(5.1, 50.05, 1.0), 1)
    assert result.borders == (BorderHit(("AA", "BB"), 0.0, crosses=True),)


def test_countries_far_apart_or_meeting_in_a_point_share_no_border() -> None:
    countries = {
        "AA": square(5.0, 50.0, 5.1, 50.1),
        "BB": square(5.11, 50.0, 5.2, 50.1),  # ~700 m away
        "CC": square(5.1, 50.1, 5.2, 50.2),  # meets AA only at its north-east corner
    }

    assert ProximityIndex(countries, []).border_pairs == (("BB", "CC"),)


def test_an_area_drawn_up_to_the_border_from_one_side_does_not_cross_it() -> None:
    # The shared edge carries the area's corners as vertices: a straight lon/lat edge bends a little in the
    # metric projection, so only vertices are sure to land exactly on the border there too.
    edge = [[5.1, 50.0], [5.1, 50.04], [5.1, 50.06], [5.1, 50.1]]
    countries = {
        "AA": {"type": "Polygon", "coordinates": [[[5.0, 50.0], *edge, [5.0, 50.1], [5.0, 50.0]]]},
        "BB": {"type": "Polygon", "coordinates": [[*edge, [5.2, 50.1], [5.2, 50.0], edge[0]]]},
    }
    up_to_the_border = square(5.05, 50.04, 5.1, 50.06)
    jurisdiction = Jurisdiction("partner-b", "B region", "BB", countries["BB"])

    result = ProximityIndex(countries, [jurisdiction]).evaluate(up_to_the_border, 0)

    assert result.borders == (BorderHit(("AA", "BB"), 0.0, crosses=False),)
    assert result.touched == (jurisdiction,)


# --------------------------------------------------------------------------- invalid input


def test_a_self_intersecting_area_is_rejected(index: ProximityIndex) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[5.7, 50.7], [5.8, 50.8], [5.8, 50.7], [5.7, 50.8], [5.7, 50.7]]],
    }

    with pytest.raises(InvalidInput, match="not valid"):
        index.evaluate(bow_tie, 5)


def test_a_point_is_not_an_area(index: ProximityIndex) -> None:
    with pytest.raises(InvalidInput, match="Polygon or MultiPolygon"):
        index.evaluate({"type": "Point", "coordinates": [5.7, 50.7]}, 5)


@pytest.mark.parametrize("distance", [-1, -0.001, 100.5, 1e9, math.nan, math.inf])
def test_a_negative_or_absurd_distance_is_rejected(index: ProximityIndex, distance: float) -> None:
    with pytest.raises(InvalidInput, match="distance to a border"):
        index.evaluate(EIJSDEN_VISE, distance)


def test_the_naive_loop_rejects_the_same_input(reference: ReferenceData) -> None:
    with pytest.raises(InvalidInput, match="between 0 and 100 km"):
        evaluate_naively(reference_countries(reference), [], EIJSDEN_VISE, -1)
