"""EMSI codes and crisislink's vocabulary: what export writes and how import reads it back.

Export (`emsi_export`) and import (`emsi_import`) share these tables, so a new code is one line and the
two directions cannot drift apart. Also here: the hazard an EMSI category stands for
(`hazard_for_category`), and the ring rule both directions follow (a ring is closed: the last vertex
repeats the first).

TLP and SECLASS. TLP says who may receive; SECLASS is a classification. crisislink never claims national
classified levels (SECRET, TOPSRT). Out: CLEAR -> UNCLAS; GREEN and AMBER -> RESTRC (not public);
AMBER+STRICT and RED -> CONFID. In, never less strict than what was sent: UNCLAS -> GREEN (unclassified
is not yet cleared for publication), RESTRC, UNMARK or none -> AMBER, CONFID, SECRET, TOPSRT -> RED.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.incidents.model import IncidentStatus, Mode, TaskStatus
from crisislink.kernel.markings import Tlp

# --- codes crisislink writes, and how it reads them back (tables, so a new code is one line) -------------

MODE_OF: Final[Mapping[Mode, str]] = {Mode.LIVE: "ACTUAL", Mode.EXERCISE: "EXERCS", Mode.REPLAY: "EXERCS"}
# Anything but ACTUAL is not live. EXCERCS is how the published code list spells the schema's EXERCS.
MODE_FROM: Final[Mapping[str, Mode]] = {
    "ACTUAL": Mode.LIVE,
    "EXERCS": Mode.EXERCISE,
    "EXCERCS": Mode.EXERCISE,
    "SYSTEM": Mode.EXERCISE,
    "TEST": Mode.EXERCISE,
}
SECLASS_OF: Final[Mapping[Tlp, str]] = {
    Tlp.CLEAR: "UNCLAS",
    Tlp.GREEN: "RESTRC",
    Tlp.AMBER: "RESTRC",
    Tlp.AMBER_STRICT: "CONFID",
    Tlp.RED: "CONFID",
}
MARKING_FROM: Final[Mapping[str, Tlp]] = {
    "UNCLAS": Tlp.GREEN,
    "UNMARK": Tlp.AMBER,
    "RESTRC": Tlp.AMBER,
    "CONFID": Tlp.RED,
    "SECRET": Tlp.RED,
    "TOPSRT": Tlp.RED,
}
UNMARKED: Final = Tlp.AMBER
EVENT_STATUS_OF: Final[Mapping[IncidentStatus, str]] = {
    IncidentStatus.ACTIVE: "IPR",
    IncidentStatus.DE_ESCALATING: "STOP",
    IncidentStatus.CLOSED: "COM",
}
MISSION_STATUS_OF: Final[Mapping[TaskStatus, str]] = {
    TaskStatus.OPEN: "NST",
    TaskStatus.IN_PROGRESS: "IPR",
    TaskStatus.DONE: "COM",
    TaskStatus.CANCELLED: "CANCLD",
}
# A task has fewer states than a mission: PAU (paused, e.g. a deferred answer) and ABO (refused) keep a note.
TASK_STATUS_FROM: Final[Mapping[str, TaskStatus]] = {
    "NST": TaskStatus.OPEN,
    "IPR": TaskStatus.IN_PROGRESS,
    "PAU": TaskStatus.OPEN,
    "COM": TaskStatus.DONE,
    "CANCLD": TaskStatus.CANCELLED,
    "ABO": TaskStatus.CANCELLED,
}
EXACT_TASK_STATUS: Final = frozenset({"NST", "IPR", "COM", "CANCLD"})

ACTOR: Final = "PPL"
LOCTYPE: Final = "OTH"
MISSION_TYPE: Final = "FSTT/TA"
RESOURCE_CLASS: Final = "ORG"
RESOURCE_STATUS: Final = "IN_USE/ON_SCENE"
LOCATION_EGEO: Final = "GEN/LOCAT"
AREA_EGEO: Final = "GEN/EVENT"
POINT: Final = "POINT"
POLYGON: Final = "POLYGON"
WGS84: Final = "EPSG-4326"
# Spellings of WGS84 seen in COORDSYS, compared without case or punctuation. Other systems are not read.
WGS84_NAMES: Final = frozenset({"EPSG4326", "WGS84", "URNOGCDEFCRSEPSG4326", "CRS84", "OGCCRS84"})

# Where several hazards share an EMSI category, the one an import lands on; otherwise taxonomy order.
PREFERRED_HAZARD: Final[Mapping[str, str]] = {"PSW": "other", "TRP": "transport.rail"}
FALLBACK_HAZARD: Final = "other"
UNKNOWN_SUFFIX: Final = "/UKN"  # the code lists' "unknown" member of a family is its most generic one
# A buffer around the location, suggested when a message has a point but no polygon.
DEFAULT_RADIUS_M: Final = 500.0


# --- hazard from ETYPE/CATEGORY ---


def hazard_for_category(category: str) -> tuple[str, str | None]:
    """The hazard for an EMSI category, and None if it matched exactly, else why it is only the closest.

    Exact match first; then a hazard of the same family (the code before the first '/'); else "other".
    """
    exact = _hazards_with(lambda mine: mine == category)
    if exact:
        return _preferred(category, exact), None
    family = category.split("/", 1)[0]
    related = _hazards_with(lambda mine: mine == family or mine.startswith(f"{family}/"))
    if related:
        return _closest_of_family(family, related), f"no hazard has this category; closest of family {family}"
    return FALLBACK_HAZARD, "no hazard of this family"


def _hazards_with(matches: Callable[[str], bool]) -> list[str]:
    return [code for code, hazard in HAZARDS.items() if matches(hazard.emsi_category)]


def _preferred(category: str, candidates: list[str]) -> str:
    chosen = PREFERRED_HAZARD.get(category)
    return chosen if chosen in candidates else candidates[0]


def _closest_of_family(family: str, candidates: list[str]) -> str:
    for generic in (family, f"{family}{UNKNOWN_SUFFIX}"):
        matching = [code for code in candidates if HAZARDS[code].emsi_category == generic]
        if matching:
            return _preferred(generic, matching)
    return candidates[0]


# --- rings ---


def closed_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return ring if not ring or ring[0] == ring[-1] else [*ring, ring[0]]
