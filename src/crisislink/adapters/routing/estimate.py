"""Travel times as answers, and the honest estimate used where no road graph can answer.

The estimate needs no graph: great-circle distance x DETOUR_FACTOR at ESTIMATE_SPEED_KMH. Both
constants are deliberately plain: roads in the Benelux are on average about 1.2-1.4 times longer than
the straight line between two places (a "circuity" of 1.3 is the usual figure for dense European road
networks), and 60 km/h is a mixed urban/rural average for a car, not a blue-light speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from crisislink.kernel.errors import InvalidInput

LonLat = tuple[float, float]

EARTH_RADIUS_M: Final = 6_371_008.8  # mean radius (IUGG); the error against the ellipsoid is < 0.5 %
DETOUR_FACTOR: Final = 1.3  # road distance / great-circle distance, when no graph knows better
ESTIMATE_SPEED_KMH: Final = 60.0  # average speed of the estimate
# A point farther than this from every node of a graph is not routed on it: snapping it would
# invent a road (a farm, a lake, another country the extract does not cover).
SNAP_LIMIT_M: Final = 2_000.0
# The legs between a point and the graph node it snapped to are off the graph: driveways, car parks,
# the last metres. They are counted as straight lines at this speed.
ACCESS_SPEED_KMH: Final = 30.0


@dataclass(frozen=True, slots=True)
class TravelTime:
    """How long a car needs from an origin to one target.

    `seconds` and `metres` include the access legs (origin to its snapped node, target's node to the
    target). `estimated` is True when no road graph answered; `reason` then says why. `seconds` is
    infinite when the target lies beyond the search limit the caller gave.
    """

    seconds: float
    metres: float
    estimated: bool
    origin_snap_m: float = 0.0
    target_snap_m: float = 0.0
    reason: str | None = None
    graph: str | None = None

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0


def great_circle_m(a: LonLat, b: LonLat) -> float:
    """Haversine distance in metres between two (lon, lat) points in degrees."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def haversine_m(
    lon1: npt.NDArray[np.floating], lat1: npt.NDArray[np.floating],
    lon2: npt.NDArray[np.floating], lat2: npt.NDArray[np.floating],
) -> npt.NDArray[np.float64]:  # fmt: skip
    """Vectorised haversine distance in metres (inputs in degrees, any float dtype)."""
    phi1, phi2 = np.radians(lat1, dtype=np.float64), np.radians(lat2, dtype=np.float64)
    dphi = phi2 - phi1
    dlmb = np.radians(lon2, dtype=np.float64) - np.radians(lon1, dtype=np.float64)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    distance: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return distance


def estimate(origin: LonLat, target: LonLat, reason: str = "no road graph covers this trip") -> TravelTime:
    """Great-circle distance x DETOUR_FACTOR at ESTIMATE_SPEED_KMH, marked as an estimate."""
    metres = great_circle_m(origin, target) * DETOUR_FACTOR
    return TravelTime(
        seconds=metres / (ESTIMATE_SPEED_KMH / 3.6), metres=metres, estimated=True, reason=reason
    )


def access_seconds(metres: float) -> float:
    return metres / (ACCESS_SPEED_KMH / 3.6)


def check_point(point: LonLat, what: str) -> LonLat:
    """A (lon, lat) pair in range, as floats; a clear error otherwise (lat first is the usual mistake)."""
    lon, lat = float(point[0]), float(point[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"{what} {point!r} is not a (longitude, latitude) pair in degrees")
    return lon, lat
