"""Nearest by travel time on a real road graph: the Luxembourg City extract (tests/fixtures/roads/), imported
into the node's routing folder as a user would. Inside the city the answer is routed on it; a trip that
leaves the graph (to Ettelbruck, 25 km north) is estimated, and says why."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crisislink.adapters.routing import RoadGraphs, import_extract
from crisislink.adapters.standards import edxl_have as have
from crisislink.app.hospitals import import_have
from crisislink.app.nearest import nearest_hospitals, nearest_units
from crisislink.domains.assistance.commands import RegisterUnit
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import PartnerKind
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.support_hospitals import LU_SITES, enveloped, hospital, seed_some

LU_CITY_OSM = (
    Path(__file__).resolve().parents[1] / "fixtures" / "roads" / "lu_luxembourg_city_lust_network_2016.osm"
)
GARE = Point(lon=6.1336, lat=49.5999)  # Luxembourg, the railway station quarter: inside the graph
ETTELBRUCK = Point(lon=6.0947, lat=49.8535)  # outside it
NO_GRAPH = "no imported road graph covers both ends of this trip"


@pytest.fixture
def routed(world: World, tmp_path: Path) -> World:
    """The world's node with the Luxembourg City graph imported, an LU partner and its ambulances."""
    data_dir = tmp_path / "node"
    import_extract(LU_CITY_OSM, data_dir / "routing", "lu")
    world.platform.settings = dataclasses.replace(world.platform.settings, data_dir=data_dir)
    cgdis = world.platform.bus.handle(
        sc.RegisterPartner(
            actor=SYSTEM,
            code="LU-CGDIS",
            name="CGDIS",
            country="LU",
            kind=PartnerKind.FIRE_RESCUE_SERVICE,
            home_node_id=world.platform.node_id,
            languages=("fr", "de", "lb"),
        )
    )
    for name, lon, lat in (
        ("Ambulance Gasperich (demo)", 6.1210, 49.5820),
        ("Ambulance Kirchberg (demo)", 6.1680, 49.6290),
    ):
        world.platform.bus.handle(
            RegisterUnit(
                actor=SYSTEM,
                partner_id=cgdis,
                capability="medical.ambulance",
                name=name,
                home_base=Point(lon=lon, lat=lat),
                marking=Tlp.GREEN,
            )
        )
    return world


def viewer(world: World) -> Viewer:
    return Viewer(user_id=world.users["be.duty"], partner_id=world.partners["BE-NCCN"])


def test_inside_the_city_units_are_ranked_on_the_road_graph(routed: World) -> None:
    found = nearest_units(routed.platform, viewer(routed), GARE, "medical.ambulance", 5)
    assert found.place.country == "LU"
    assert [u.name for u in found.units] == ["Ambulance Gasperich (demo)", "Ambulance Kirchberg (demo)"]
    for near in found.units:
        assert (near.travel.estimated, near.travel.reason, near.travel.graph) == (False, None, "lu")
        assert (near.country, near.cross_border, near.flag) == ("LU", False, None)
    # The same trip asked of the routing adapter directly: unit -> place, on graph "lu".
    gasperich = found.units[0]
    direct = RoadGraphs(routed.platform.settings.routing_dir()).travel_times(
        (gasperich.lon, gasperich.lat), [(GARE.lon, GARE.lat)]
    )[0]
    assert gasperich.travel.seconds == pytest.approx(direct.seconds, abs=0.1)
    assert gasperich.travel.road_metres == pytest.approx(direct.metres, abs=1)


def test_outside_the_graph_the_answer_is_an_estimate_that_says_so(routed: World) -> None:
    found = nearest_units(routed.platform, viewer(routed), ETTELBRUCK, "medical.ambulance", 1)
    (near,) = found.units
    assert (near.travel.estimated, near.travel.reason, near.travel.graph) == (True, NO_GRAPH, None)
    assert near.name == "Ambulance Kirchberg (demo)"  # the one nearer to Ettelbruck as the crow flies


def test_hospitals_are_routed_inside_the_city_and_estimated_beyond_it(routed: World) -> None:
    seed_some(routed.platform, LU_SITES)
    at = routed.platform.clock.now()
    open_ed = have.EmsTrafficStatus.NORMAL
    beds = ((have.BedType.EMERGENCY_DEPARTMENT, 8),)
    message = enveloped(
        *(
            hospital(code, at=at, identifiers=(code,), beds=beds, ems=open_ed)
            for code in ("LU-1", "LU-5", "LU-12")
        )
    )
    import_have(routed.platform, routed.actor("be.duty"), message)
    found = nearest_hospitals(routed.platform, viewer(routed), GARE, "emergency", 4, 3)
    by_code = {h.code: h for h in found.hospitals}
    assert list(by_code) == ["LU-1", "LU-5", "LU-12"]
    assert all(h.confirmed and h.available == 8 for h in found.hospitals)
    assert (by_code["LU-1"].travel.estimated, by_code["LU-1"].travel.graph) == (False, "lu")
    assert (by_code["LU-5"].travel.estimated, by_code["LU-5"].travel.graph) == (False, "lu")
    assert (by_code["LU-12"].travel.estimated, by_code["LU-12"].travel.reason) == (True, NO_GRAPH)
