"""Warning-area targeting: a unit's MeteoAlarm EMMA_ID, from a table of Benelux provinces, safety regions
and cantons."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

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
