"""A scenario as data, and loading it from the JSON files shipped in this package.

A scenario is its incidents and its injects: what a partner said or decided at a historical time, with
the level changes it carries and the sources it comes from. `replay` checks it and issues it.
"""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources
from typing import Literal

import msgspec

from crisislink.domains.incidents.model import EntryKind
from crisislink.kernel.errors import InvalidInput, NotFound
from crisislink.kernel.markings import Tlp

PACKAGE = "crisislink.app.scenarios"
_SCENARIO_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_INJECT_PATH = re.compile(r"\$\.injects\[(\d+)\]")


class ScenarioError(InvalidInput):
    """The scenario's data is wrong; raised before anything is written."""


# --- The scenario as data -------------------------------------------------------------------------


class Polygon(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A GeoJSON polygon in WGS84: rings of [longitude, latitude]."""

    type: Literal["Polygon"]
    coordinates: list[list[tuple[float, float]]]


class LevelSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    country: str
    level: str
    reason: str = ""
    at: datetime | None = None  # None: the time of the inject that carries it
    note: str | None = None


class IncidentSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    key: str
    title: str
    hazard: str
    description: str
    lead: str
    involved: tuple[str, ...] = ()
    marking: Tlp = Tlp.GREEN
    languages: tuple[str, ...] = ()
    area: Polygon
    area_note: str | None = None
    location: tuple[float, float] | None = None  # [longitude, latitude] of the map marker
    location_note: str | None = None
    occurred_at: datetime


class InjectSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    n: int  # the inject's number in the source timeline
    at: datetime
    when_text: str  # the source's own wording of the time
    precision: Literal["exact", "part_of_day", "day"]
    incident: str
    partner: str
    kind: EntryKind
    text: str
    sources: tuple[str, ...]
    decided_by: str | None = None
    basis: str | None = None
    levels: tuple[LevelSpec, ...] = ()
    note: str | None = None


class Lesson(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: str
    sources: tuple[str, ...] = ()


class Scenario(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: str
    title: str
    description: str
    historical: bool
    timezone: str
    sources: tuple[str, ...]
    time_conventions: dict[str, str] = {}
    assumptions: tuple[str, ...] = ()
    incidents: tuple[IncidentSpec, ...]
    injects: tuple[InjectSpec, ...]
    lessons: tuple[Lesson, ...] = ()  # shown with the scenario; not replayed (they came later)


# --- Loading --------------------------------------------------------------------------------------


def available_scenarios() -> list[str]:
    files = resources.files(PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".json").replace("_", "-") for f in files if f.name.endswith(".json"))


def load_scenario(scenario_id: str) -> Scenario:
    """The scenario shipped with the package under that id (`floods-2021` is `floods_2021.json`)."""
    if not _SCENARIO_ID.fullmatch(scenario_id):
        raise NotFound(f"{scenario_id!r} is not a scenario id; available: {', '.join(available_scenarios())}")
    resource = resources.files(PACKAGE).joinpath(scenario_id.replace("-", "_") + ".json")
    if not resource.is_file():
        raise NotFound(f"no scenario {scenario_id!r}; available: {', '.join(available_scenarios())}")
    scenario = decode_scenario(resource.read_bytes(), scenario_id)
    if scenario.id != scenario_id:
        raise ScenarioError(f"the file of scenario {scenario_id!r} says its id is {scenario.id!r}")
    return scenario


def decode_scenario(raw: bytes, name: str) -> Scenario:
    try:
        return msgspec.json.decode(raw, type=Scenario)
    except msgspec.ValidationError as error:
        raise ScenarioError(f"scenario {name!r}: {_name_the_inject(str(error), raw)}") from None
    except msgspec.DecodeError as error:
        raise ScenarioError(f"scenario {name!r} is not valid JSON: {error}") from None


def _name_the_inject(message: str, raw: bytes) -> str:
    """msgspec names a position (`$.injects[4]`); people know injects by their number in the timeline."""
    found = _INJECT_PATH.search(message)
    if found is None:
        return message
    injects = msgspec.json.decode(raw).get("injects", [])
    number = injects[int(found.group(1))].get("n", "?")
    return f"inject {number}: {message}"
