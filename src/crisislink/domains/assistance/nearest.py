"""Nearest by travel time: the k best of many candidates, and the arrangement that lets a unit cross.

Ranking is exact yet routes few candidates: each candidate has a lower bound on its travel time (the
straight line at the fastest speed any road allows), candidates are tried in order of that bound, and
the search stops once the k-th best time found is no more than the next bound — nobody further down can
beat it. The time found so far is also passed as a search limit, so a router can stop early.

Flagged candidates (a unit no arrangement lets across the border, a hospital whose room is not
confirmed) come after every unflagged one, whatever their time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from crisislink.domains.assistance.arrangements import ARRANGEMENTS, Arrangement

T = TypeVar("T")
MAX_K = 100


class Trip(Protocol):
    """A travel time as a router answers it (adapters/routing's TravelTime has this shape)."""

    @property
    def seconds(self) -> float: ...
    @property
    def metres(self) -> float: ...
    @property
    def estimated(self) -> bool: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def graph(self) -> str | None: ...


# Route a batch of candidates; `limit` (seconds) allows the router to give up beyond it (answer inf).
Route = Callable[[Sequence[T], float | None], Sequence[Trip]]


@dataclass(frozen=True)
class Ranked(Generic[T]):
    item: T
    trip: Trip
    flagged: bool


def rank(
    items: Sequence[T],
    k: int,
    *,
    bound: Callable[[T], float],
    route: Route[T],
    flagged: Callable[[T], bool] = lambda _item: False,
    batch: int = 1,
) -> list[Ranked[T]]:
    """The k fastest items, unflagged ones first; `bound(item)` must never exceed its true time."""
    chosen: list[Ranked[T]] = []
    for flag in (False, True):
        group = [item for item in items if flagged(item) is flag]
        need = k - len(chosen)
        if need <= 0:
            break
        chosen += [Ranked(item, trip, flag) for item, trip in _best(group, need, bound, route, batch)]
    return chosen


def _best(
    items: Sequence[T], need: int, bound: Callable[[T], float], route: Route[T], batch: int
) -> list[tuple[T, Trip]]:
    queue = sorted(range(len(items)), key=lambda i: bound(items[i]))  # stable: ties keep the caller's order
    best: list[tuple[float, int, Trip]] = []
    start = 0
    while start < len(queue):
        worst = best[-1][0] if len(best) == need else None
        if worst is not None and bound(items[queue[start]]) >= worst:
            break
        chunk = queue[start : start + max(1, batch)]
        start += len(chunk)
        for index, trip in zip(chunk, route([items[i] for i in chunk], worst), strict=True):
            if math.isfinite(trip.seconds):
                best.append((trip.seconds, index, trip))
        best.sort(key=lambda found: (found[0], found[1]))
        del best[need:]
    return [(items[index], trip) for _, index, trip in best]


@dataclass(frozen=True)
class Crossing:
    """Whether a run crosses a border, and which of the unit's arrangements allow it."""

    cross_border: bool
    arrangements: tuple[Arrangement, ...]
    flag: str | None  # why no arrangement allows it; None when one does or none is needed

    @property
    def flagged(self) -> bool:
        return self.flag is not None


def crossing(codes: Sequence[str], home: str, destination: str | None, capability: str) -> Crossing:
    """At home no arrangement is needed; abroad, those of the unit's arrangements covering both countries."""
    if destination is None:
        return Crossing(True, (), "the destination's country is not known, so no arrangement can be checked")
    if destination == home:
        return Crossing(False, (), None)
    covering = tuple(
        ARRANGEMENTS[code]
        for code in codes
        if code in ARRANGEMENTS and ARRANGEMENTS[code].covers({home, destination}, capability)
    )
    return Crossing(True, covering, None if covering else f"no arrangement covers {destination}")
