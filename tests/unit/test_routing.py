"""Road routing on two real OpenStreetMap extracts (tests/fixtures/roads, provenance in SOURCES.md).

The graphs are checked against networkx twice: on the very same CSR graph (scipy's Dijkstra must agree
with networkx's), and on an uncollapsed graph built here independently from the raw ways (collapsing
intermediate nodes, dropping parallel edges and keeping the strongly connected part must not change a
single travel time between the nodes that remain).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pytest
from pyproj import Geod
from scipy.spatial import cKDTree

from crisislink.adapters.routing import (
    DETOUR_FACTOR,
    ESTIMATE_SPEED_KMH,
    GraphInfo,
    RoadGraph,
    RoadGraphs,
    estimate,
    import_extract,
    osm_reader,
    storage,
)
from crisislink.adapters.routing.catalogue import NO_GRAPH
from crisislink.adapters.routing.estimate import great_circle_m, haversine_m
from crisislink.adapters.routing.graph import tree_metres
from crisislink.adapters.routing.profile import (
    BACKWARD,
    BOTH,
    FORWARD,
    car_allowed,
    direction_of,
    parse_maxspeed,
    profile_of,
)
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound

ROADS = Path(__file__).resolve().parents[1] / "fixtures" / "roads"
BE = ROADS / "be_kempen_herentals_highways_osm2013.osm.pbf"
LU = ROADS / "lu_luxembourg_city_lust_network_2016.osm"
LUXEMBOURG_STATION = (6.1339, 49.6000)
KIRCHBERG = (6.1580, 49.6280)
HERENTALS = (4.8335, 51.1770)


@dataclass(frozen=True)
class Imported:
    directory: Path
    be: RoadGraph
    lu: RoadGraph


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    directory = tmp_path_factory.mktemp("routing")
    import_extract(BE, directory, "be")
    import_extract(LU, directory, "lu")
    return Imported(directory, storage.load(directory, "be"), storage.load(directory, "lu"))


def graphs(imported: Imported) -> Iterator[RoadGraph]:
    yield imported.be
    yield imported.lu


# --------------------------------------------------------------------------- the car profile


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("30 mph", 30 * 1.609344),
        ("70;50", 70.0),
        ("BE:urban", 50.0),
        ("BE-VLG:rural", 70.0),
        ("BE-WAL:rural", 90.0),
        ("NL:rural", 80.0),
        ("NL:motorway", 100.0),
        ("LU:rural", 90.0),
        ("LU:motorway", 130.0),
        ("DE:zone30", 30.0),
        ("XX:urban", 50.0),
        ("none", 130.0),
        ("walk", 7.0),
        ("signals", None),
        ("0", None),
        ("999", None),
        ("", None),
        (None, None),
    ],
)
def test_maxspeed_values_are_read_or_left_to_the_class_default(
    value: str | None, expected: float | None
) -> None:
    found = parse_maxspeed(value)
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected)


def test_oneway_tags_and_implied_oneways() -> None:
    assert direction_of({"oneway": "yes"}, "residential") == FORWARD
    assert direction_of({"oneway": "1"}, "residential") == FORWARD
    assert direction_of({"oneway": "-1"}, "residential") == BACKWARD
    assert direction_of({}, "residential") == BOTH
    assert direction_of({}, "motorway") == FORWARD
    assert direction_of({"oneway": "no"}, "motorway") == BOTH
    assert direction_of({"junction": "roundabout"}, "tertiary") == FORWARD
    assert direction_of({"oneway": "reversible"}, "primary") is None


def test_access_closes_ways_unless_emergency_vehicles_may_pass() -> None:
    assert car_allowed({})
    assert not car_allowed({"access": "private"})
    assert not car_allowed({"access": "no"})
    assert car_allowed({"access": "no", "motor_vehicle": "yes"})
    assert not car_allowed({"motorcar": "no"})
    assert car_allowed({"access": "destination"})
    assert car_allowed({"access": "no", "emergency": "yes"})


def test_only_drivable_classes_are_kept() -> None:
    for highway in ("footway", "cycleway", "path", "steps", "track", "pedestrian", "construction"):
        assert profile_of({"highway": highway}) is None
    kept = profile_of({"highway": "secondary", "maxspeed": "BE:rural"})
    assert kept is not None
    assert kept.speed_kmh == 90.0
    defaulted = profile_of({"highway": "residential", "maxspeed": "signals"})
    assert defaulted is not None
    assert defaulted.speed_kmh == 30.0
    assert profile_of({"highway": "service", "area": "yes"}) is None


# --------------------------------------------------------------------------- import


def test_both_extracts_import_to_plausible_graphs(imported: Imported) -> None:
    for graph, (lo, hi) in ((imported.be, (2_000, 4_000)), (imported.lu, (1_500, 3_500))):
        info = graph.info
        assert lo <= info.nodes <= hi, info
        assert 2 * info.nodes <= info.edges <= 4 * info.nodes, info  # mostly two-way streets
        # The strongly connected part is almost all of a real network (SOURCES.md: 95-97 % raw).
        assert 0.9 < info.nodes / info.nodes_before_component <= 1.0
    be_box, lu_box = imported.be.info.bbox, imported.lu.info.bbox
    assert 4.66 <= be_box[0] < be_box[2] <= 4.90
    assert 51.20 <= be_box[1] < be_box[3] <= 51.31
    assert 6.03 <= lu_box[0] < lu_box[2] <= 6.22
    assert 49.54 <= lu_box[1] < lu_box[3] <= 49.66


def test_the_graph_is_one_strongly_connected_component(imported: Imported) -> None:
    for graph in graphs(imported):
        forward = graph.search(0).seconds
        assert np.isfinite(forward).all()
        backward = nx.single_source_dijkstra_path_length(_nx_graph(graph).reverse(copy=False), 0)
        assert len(backward) == graph.info.nodes


def test_edges_are_as_long_as_their_ends_are_apart_or_longer(imported: Imported) -> None:
    for graph in graphs(imported):
        a = graph.arrays
        rows = np.repeat(np.arange(a.node_count), np.diff(a.indptr))
        straight = haversine_m(a.lon[rows], a.lat[rows], a.lon[a.indices], a.lat[a.indices])
        assert (a.metres >= straight * 0.999 - 0.5).all()
        speeds_kmh = a.metres / np.maximum(a.seconds, 1e-9) * 3.6
        assert (speeds_kmh[a.metres > 1] <= 200.5).all()


def test_oneway_streets_are_driven_one_way_only(imported: Imported) -> None:
    for graph in graphs(imported):
        u, v, seconds = _oneway_edge(graph)
        there = graph.search(u).seconds[v]
        back = graph.search(v).seconds[u]
        assert there == pytest.approx(seconds, rel=1e-6)
        assert back > there  # the way back goes around the block
        a = graph.arrays
        start, end = (float(a.lon[u]), float(a.lat[u])), (float(a.lon[v]), float(a.lat[v]))
        assert graph.travel_times(start, [end])[0].seconds < graph.travel_times(end, [start])[0].seconds


def test_scipy_agrees_with_networkx_on_the_same_graph(imported: Imported) -> None:
    rng = random.Random(2013)
    for graph in graphs(imported):
        reference = _nx_graph(graph)
        for source in rng.sample(range(graph.info.nodes), 5):
            expected = nx.single_source_dijkstra_path_length(reference, source, weight="weight")
            found = graph.search(source).seconds
            targets = rng.sample(range(graph.info.nodes), 50)
            for target in targets:
                assert found[target] == pytest.approx(expected[target], rel=1e-9, abs=1e-6)


def test_road_metres_follow_the_fastest_path(imported: Imported) -> None:
    rng = random.Random(7)
    for graph in graphs(imported):
        reference = _nx_graph(graph)
        source = rng.randrange(graph.info.nodes)
        targets = np.array(rng.sample(range(graph.info.nodes), 40))
        metres = tree_metres(graph.arrays, graph.search(source), targets)
        for target, found in zip(targets.tolist(), metres.tolist(), strict=True):
            path = nx.dijkstra_path(reference, source, target, weight="weight")
            along = sum(reference[x][y]["metres"] for x, y in itertools.pairwise(path))
            assert found == pytest.approx(along, rel=1e-4, abs=0.5)


@pytest.mark.parametrize("extract", [BE, LU], ids=["be", "lu"])
def test_collapsing_changes_no_travel_time(extract: Path, imported: Imported) -> None:
    graph = imported.be if extract == BE else imported.lu
    raw, coordinates = _raw_graph(extract)
    matched = _match_nodes(graph, coordinates)
    rng = random.Random(51)
    for source in rng.sample(sorted(matched), 4):
        expected = nx.single_source_dijkstra_path_length(raw, matched[source], weight="weight")
        found = graph.search(source).seconds
        for node, osm_id in matched.items():
            assert found[node] == pytest.approx(expected[osm_id], rel=1e-4, abs=0.01)


def test_the_id_filter_path_reads_the_same_graph(
    imported: Imported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(osm_reader, "ID_FILTER_FROM_BYTES", 0)
    import_extract(BE, tmp_path, "be")
    again = storage.load(tmp_path, "be")
    for key in ("lon", "lat", "indptr", "indices", "seconds", "metres"):
        assert np.array_equal(getattr(again.arrays, key), getattr(imported.be.arrays, key)), key


# --------------------------------------------------------------------------- queries and fallback


def test_travel_times_in_luxembourg_city(imported: Imported) -> None:
    (there,) = imported.lu.travel_times(LUXEMBOURG_STATION, [KIRCHBERG])
    assert not there.estimated
    assert there.graph == "lu"
    assert there.reason is None
    crow = great_circle_m(LUXEMBOURG_STATION, KIRCHBERG)
    assert crow < there.metres < 2.5 * crow
    assert 3 * 60 < there.seconds < 15 * 60
    assert there.origin_snap_m < 300
    assert there.target_snap_m < 300
    (same,) = imported.lu.travel_times(LUXEMBOURG_STATION, [LUXEMBOURG_STATION])
    assert same.seconds < 60


def test_a_point_far_from_the_graph_gets_an_estimate(imported: Imported) -> None:
    far = (6.30, 49.60)  # east of the extract: about 7 km from its nearest road
    near, outside = imported.lu.travel_times(LUXEMBOURG_STATION, [KIRCHBERG, far])
    assert not near.estimated
    assert outside.estimated
    assert outside.reason is not None
    assert "km from the nearest road" in outside.reason
    assert outside == estimate(LUXEMBOURG_STATION, far, outside.reason)
    from_outside = imported.lu.travel_times(far, [KIRCHBERG, LUXEMBOURG_STATION])
    assert all(answer.estimated and "origin" in (answer.reason or "") for answer in from_outside)


def test_the_estimate_is_distance_times_detour_at_the_estimate_speed() -> None:
    answer = estimate(LUXEMBOURG_STATION, HERENTALS)
    metres = great_circle_m(LUXEMBOURG_STATION, HERENTALS) * DETOUR_FACTOR
    _, _, ellipsoidal = Geod(ellps="WGS84").inv(*LUXEMBOURG_STATION, *HERENTALS)
    assert great_circle_m(LUXEMBOURG_STATION, HERENTALS) == pytest.approx(ellipsoidal, rel=0.005)
    assert answer.estimated
    assert answer.reason
    assert answer.metres == pytest.approx(metres)
    assert answer.seconds == pytest.approx(metres / (ESTIMATE_SPEED_KMH / 3.6))


def test_a_target_beyond_the_limit_is_infinitely_far_not_estimated(imported: Imported) -> None:
    (beyond,) = imported.lu.travel_times(LUXEMBOURG_STATION, [KIRCHBERG], limit=30)
    assert math.isinf(beyond.seconds)
    assert not beyond.estimated
    assert "limit" in (beyond.reason or "")


def test_the_fast_path_gives_the_same_seconds_and_nan_where_it_cannot_answer(imported: Imported) -> None:
    far = (6.30, 49.60)
    units = imported.lu.prepare([KIRCHBERG, far, LUXEMBOURG_STATION])
    seconds = imported.lu.seconds(LUXEMBOURG_STATION, units)
    answers = imported.lu.travel_times(LUXEMBOURG_STATION, units.points)
    assert seconds[0] == pytest.approx(answers[0].seconds, rel=1e-12)
    assert seconds[2] == pytest.approx(answers[2].seconds, rel=1e-12)
    assert math.isnan(seconds[1])
    assert answers[1].estimated
    assert np.isinf(imported.lu.seconds(LUXEMBOURG_STATION, units, limit=10)[0])
    assert np.isnan(imported.lu.seconds(far, units)).all()
    assert imported.lu.seconds(LUXEMBOURG_STATION, imported.lu.prepare([])).size == 0


def test_the_catalogue_picks_the_graph_that_covers_the_trip(imported: Imported) -> None:
    catalogue = RoadGraphs(imported.directory)
    assert [info.name for info in catalogue.infos()] == ["be", "lu"]
    inside_lu, across, inside_be = catalogue.travel_times(
        LUXEMBOURG_STATION, [KIRCHBERG, HERENTALS, (4.85, 51.25)]
    )
    assert inside_lu.graph == "lu"
    assert not inside_lu.estimated
    assert across.estimated
    assert across.reason == NO_GRAPH
    assert inside_be.estimated  # the origin is in Luxembourg: no graph covers both ends
    (herentals,) = catalogue.travel_times((4.80, 51.22), [(4.85, 51.25)])
    assert herentals.graph == "be"
    assert not herentals.estimated


def test_bad_points_are_refused(imported: Imported) -> None:
    with pytest.raises(InvalidInput, match="longitude, latitude"):
        imported.lu.travel_times((49.6, 200.0), [KIRCHBERG])
    assert imported.lu.travel_times(LUXEMBOURG_STATION, []) == []


# --------------------------------------------------------------------------- storage


def test_a_saved_graph_reloads_identical(imported: Imported) -> None:
    again = storage.load(imported.directory, "lu")
    assert again.info == imported.lu.info
    for key in ("lon", "lat", "indptr", "indices", "seconds", "metres"):
        stored, loaded = getattr(imported.lu.arrays, key), getattr(again.arrays, key)
        assert stored.dtype == loaded.dtype, key
        assert np.array_equal(stored, loaded), key
    assert again.travel_times(LUXEMBOURG_STATION, [KIRCHBERG]) == imported.lu.travel_times(
        LUXEMBOURG_STATION, [KIRCHBERG]
    )
    assert GraphInfo.from_json(again.info.to_json()) == again.info


def test_a_damaged_graph_says_to_import_it_again(imported: Imported, tmp_path: Path) -> None:
    for suffix in (".json", ".npz"):
        source = storage.arrays_path(imported.directory, "lu").with_suffix(suffix)
        (tmp_path / f"lu{suffix}").write_bytes(source.read_bytes())
    storage.arrays_path(tmp_path, "lu").write_bytes(b"not a zip file")
    with pytest.raises(InvalidInput, match="import it again"):
        storage.load(tmp_path, "lu")
    with pytest.raises(NotFound, match="crisislink routing import"):
        storage.load(tmp_path, "nothing")


def test_a_failed_save_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", disk_full)
    with pytest.raises(OSError, match="No space"):
        import_extract(LU, tmp_path, "lu")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- bad files


def _bad_files(directory: Path) -> Iterator[tuple[Path, str]]:
    yield directory / "missing.osm.pbf", "does not exist"
    text = directory / "notes.osm"
    text.write_text("these are not roads\n", encoding="utf-8")
    yield text, "is not an OpenStreetMap extract"
    truncated = directory / "truncated.osm.pbf"
    truncated.write_bytes(BE.read_bytes()[:100_000])
    yield truncated, "is damaged"
    html = directory / "page.osm"
    html.write_text('<?xml version="1.0"?><html><body>roads</body></html>', encoding="utf-8")
    yield html, "is damaged"
    entity = directory / "entity.osm"
    entity.write_text(
        '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
        '<osm version="0.6"><node id="1" lat="1" lon="1"><tag k="a" v="&e;"/></node></osm>',
        encoding="utf-8",
    )
    yield entity, "is damaged"
    empty = directory / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"></osm>', encoding="utf-8")
    yield empty, "no drivable road"


def test_bad_files_are_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    inputs, target = tmp_path / "inputs", tmp_path / "graphs"
    inputs.mkdir()
    for path, message in _bad_files(inputs):
        with pytest.raises(InvalidInput, match=message):
            import_extract(path, target)
    assert not target.exists() or not any(target.iterdir())


def test_names_are_checked_and_never_silently_replaced(imported: Imported, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not allowed"):
        import_extract(LU, tmp_path, "../escape")
    with pytest.raises(Conflict, match="--replace"):
        import_extract(LU, imported.directory, "lu")
    assert storage.name_for(Path("Luxembourg-Latest.osm.pbf")) == "luxembourg-latest"
    assert storage.name_for(BE) == "be_kempen_herentals_highways_osm2013"


def test_the_format_is_told_by_content() -> None:
    assert osm_reader.sniff_format(BE.read_bytes()[:64], BE) == "pbf"
    assert osm_reader.sniff_format(LU.read_bytes()[:64], LU) == "osm"
    assert osm_reader.sniff_format(b"\x1f\x8b\x08\x00", LU) == "osm.gz"
    with pytest.raises(InvalidInput, match="Geofabrik"):
        osm_reader.sniff_format(b"PK\x03\x04", LU)


# --------------------------------------------------------------------------- helpers


def _nx_graph(graph: RoadGraph) -> nx.DiGraph:
    a = graph.arrays
    reference = nx.DiGraph()
    reference.add_nodes_from(range(a.node_count))
    for u in range(a.node_count):
        for k in range(int(a.indptr[u]), int(a.indptr[u + 1])):
            reference.add_edge(u, int(a.indices[k]), weight=float(a.seconds[k]), metres=float(a.metres[k]))
    return reference


def _oneway_edge(graph: RoadGraph) -> tuple[int, int, float]:
    a = graph.arrays
    edges = {}
    for u in range(a.node_count):
        for k in range(int(a.indptr[u]), int(a.indptr[u + 1])):
            edges[(u, int(a.indices[k]))] = float(a.seconds[k])
    oneway = sorted((edge for edge in edges if edge[::-1] not in edges), key=lambda edge: -edges[edge])
    assert oneway, "a real network has one-way streets"
    u, v = oneway[0]
    return u, v, edges[(u, v)]


def _raw_graph(extract: Path) -> tuple[nx.DiGraph, dict[int, tuple[float, float]]]:
    """Every segment of every car way as an edge, straight from osmium, nothing collapsed."""
    coordinates = {
        node.id: (node.location.lon, node.location.lat)
        for node in osmium.FileProcessor(str(extract), osmium.osm.NODE)
        if isinstance(node, osmium.osm.Node) and node.location.valid()
    }
    raw = nx.DiGraph()
    for way in osmium.FileProcessor(str(extract), osmium.osm.WAY):
        assert isinstance(way, osmium.osm.Way)
        profile = profile_of(way.tags)
        if profile is None:
            continue
        refs = [node.ref for node in way.nodes]
        for a, b in itertools.pairwise(refs):
            if a in coordinates and b in coordinates and a != b:
                _add_segment(raw, coordinates, a, b, profile.speed_kmh, profile.direction)
    return raw, coordinates


def _add_segment(
    raw: nx.DiGraph, coordinates: dict[int, tuple[float, float]], a: int, b: int, speed: float, direction: int
) -> None:
    seconds = great_circle_m(coordinates[a], coordinates[b]) / (speed / 3.6)
    pairs = ([(a, b)] if direction >= 0 else []) + ([(b, a)] if direction <= 0 else [])
    for x, y in pairs:
        if not raw.has_edge(x, y) or raw[x][y]["weight"] > seconds:
            raw.add_edge(x, y, weight=seconds)


def _match_nodes(graph: RoadGraph, coordinates: dict[int, tuple[float, float]]) -> dict[int, int]:
    """Graph node -> OSM node id, by position; nodes that share a position with another are left out."""
    ids = np.array(list(coordinates))
    points = np.array(list(coordinates.values()))
    distances, found = cKDTree(points).query(np.column_stack((graph.arrays.lon, graph.arrays.lat)), k=2)
    clear = (distances[:, 0] < 1e-5) & (distances[:, 1] > 1e-5)
    assert clear.mean() > 0.95
    return {int(node): int(ids[found[node, 0]]) for node in np.flatnonzero(clear)}
