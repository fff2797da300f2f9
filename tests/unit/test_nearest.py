"""Nearest by travel time: the ranking (exact, pruned, flagged last), the arrangement a crossing needs,
and the estimate where no road graph covers a trip."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from crisislink.adapters.routing import DETOUR_FACTOR, ESTIMATE_SPEED_KMH, TravelTime
from crisislink.adapters.routing.estimate import great_circle_m
from crisislink.app.nearest import FASTEST_MS, road_graphs
from crisislink.domains.assistance.nearest import crossing, rank


@dataclass(frozen=True)
class Item:
    name: str
    straight_s: float  # the lower bound
    detour: float  # true time = straight_s * detour (>= 1)
    flagged: bool = False


@dataclass
class Router:
    calls: int = 0
    limits: list[float | None] | None = None

    def __call__(self, batch: Sequence[Item], limit: float | None) -> list[TravelTime]:
        self.calls += len(batch)
        (self.limits if self.limits is not None else []).append(limit)
        return [
            TravelTime(i.straight_s * i.detour, i.straight_s * i.detour * 10, estimated=False) for i in batch
        ]


def ranked_names(items: list[Item], k: int, router: Router, batch: int = 1) -> list[str]:
    found = rank(
        items, k, bound=lambda i: i.straight_s, route=router, flagged=lambda i: i.flagged, batch=batch
    )
    return [r.item.name for r in found]


def test_rank_orders_by_travel_time_not_by_straight_line() -> None:
    items = [
        Item("near but winding", 100, 3.0),
        Item("farther, straight road", 150, 1.1),
        Item("far", 900, 1.0),
    ]
    assert ranked_names(items, 2, Router()) == ["farther, straight road", "near but winding"]


def test_flagged_candidates_come_after_every_unflagged_one() -> None:
    items = [Item("flagged, 1 min", 60, 1.0, flagged=True), Item("allowed, 30 min", 1800, 1.0)]
    assert ranked_names(items, 2, Router()) == ["allowed, 30 min", "flagged, 1 min"]
    assert ranked_names(items, 1, Router()) == ["allowed, 30 min"]


def test_rank_is_exact_yet_routes_few_candidates() -> None:
    rng = random.Random(7)
    items = [
        Item(f"u{i}", rng.uniform(60, 7200), rng.uniform(1.0, 1.6), rng.random() < 0.2) for i in range(500)
    ]
    router = Router(limits=[])
    got = ranked_names(items, 5, router)
    brute = sorted(items, key=lambda i: (i.flagged, i.straight_s * i.detour))[:5]
    assert got == [i.name for i in brute]
    assert router.calls < 100  # pruned by the lower bound, not all 500
    assert router.limits is not None
    assert any(limit is not None for limit in router.limits)  # the k-th best is passed as a search limit


def test_batches_route_several_at_once_with_the_same_answer() -> None:
    rng = random.Random(3)
    items = [Item(f"h{i}", rng.uniform(60, 7200), rng.uniform(1.0, 1.6)) for i in range(300)]
    assert ranked_names(items, 4, Router(), batch=64) == ranked_names(items, 4, Router(), batch=1)


def test_answers_beyond_the_limit_are_left_out() -> None:
    def beyond(batch: Sequence[Item], limit: float | None) -> list[TravelTime]:
        return [TravelTime(math.inf, math.inf, estimated=False) for _ in batch]

    assert rank([Item("x", 1, 1)], 3, bound=lambda i: i.straight_s, route=beyond) == []


# --- the arrangement a crossing needs ------------------------------------------------------------------


def test_at_home_no_arrangement_is_needed() -> None:
    home = crossing((), "BE", "BE", "medical.ambulance")
    assert (home.cross_border, home.arrangements, home.flag) == (False, (), None)


def test_abroad_the_units_arrangements_covering_both_countries_allow_the_run() -> None:
    allowed = crossing(("benelux-ambulance-2009", "emric"), "BE", "NL", "medical.ambulance")
    assert allowed.cross_border
    assert [a.code for a in allowed.arrangements] == ["benelux-ambulance-2009", "emric"]
    assert not allowed.flagged
    to_germany = crossing(("benelux-ambulance-2009", "emric"), "BE", "DE", "medical.ambulance")
    assert [a.code for a in to_germany.arrangements] == ["emric"]


def test_a_unit_no_arrangement_covers_is_flagged_with_the_country() -> None:
    stuck = crossing(("be-lu-convention",), "LU", "NL", "water.rescue")
    assert stuck.flag == "no arrangement covers NL"
    # The ambulance decision covers ambulances only.
    assert crossing(("benelux-ambulance-2009",), "BE", "LU", "fire.engine").flag == "no arrangement covers LU"
    assert crossing((), "BE", None, "fire.engine").flagged  # outside the known countries: cannot check


# --- the estimate where no road graph covers a trip -------------------------------------------------


def test_without_an_imported_graph_the_answer_is_an_estimate_that_says_so(tmp_path: Path) -> None:
    graphs = road_graphs(tmp_path / "routing")
    liege, maastricht = (5.5734, 50.6326), (5.6909, 50.8514)
    trip = graphs.travel_times(liege, [maastricht])[0]
    assert trip.estimated
    assert trip.reason == "no imported road graph covers both ends of this trip"
    expected_m = great_circle_m(liege, maastricht) * DETOUR_FACTOR
    assert trip.metres == pytest.approx(expected_m)
    assert trip.seconds == pytest.approx(expected_m / (ESTIMATE_SPEED_KMH / 3.6))
    assert trip.seconds >= great_circle_m(liege, maastricht) / FASTEST_MS  # the bound holds


def test_the_graphs_are_kept_between_requests_and_reread_after_an_import(tmp_path: Path) -> None:
    directory = tmp_path / "routing"
    first = road_graphs(directory)
    assert road_graphs(directory) is first
    directory.mkdir()
    (directory / "lu.json").write_text("{}", encoding="utf-8")  # what an import writes last
    assert road_graphs(directory) is not first
