"""Replay a scenario: load it from this package, check all of it, then issue it through the message bus.

A historical scenario becomes incidents marked `Mode.REPLAY` (an invented one, `Mode.EXERCISE`), with
level changes and log entries at their historical times, each written as the platform acting for the
partner the inject comes from, so records are owned by that partner.

Every command commits on its own: if one failed midway, the records before it would stay (marked as a
replay, found again by their references, and refused by a second replay). That is why everything the
domain would reject is checked before the first command: partner codes, times and their offsets, levels
and their order, hazards, markings, areas, languages, decisions without who or why, sources.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries.incidents import incident_id_by_reference
from crisislink.adapters.db.queries.views import PartnerView
from crisislink.adapters.geo.shapes import validate_area
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.incidents.levels import SCHEMES
from crisislink.domains.incidents.model import MAX_TEXT, MAX_TITLE, EntryKind, Mode, Point
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound
from crisislink.kernel.geo import Area
from crisislink.kernel.i18n import CONTENT_LANGUAGES
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import Actor, Command

PACKAGE = "crisislink.app.scenarios"
_SCENARIO_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_INJECT_PATH = re.compile(r"\$\.injects\[(\d+)\]")
MAX_SOURCE = 1000  # the log's source column
_CLOSED_MARKINGS = frozenset({Tlp.AMBER_STRICT, Tlp.RED})
_PRECISION = {
    "exact": "",
    "part_of_day": "known by part of day only",
    "day": "known by day only",
}

Progress = Callable[[int, int], None]


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


@dataclass(frozen=True)
class ReplayResult:
    scenario_id: str
    incident_ids: Mapping[str, uuid.UUID]  # by the scenario's incident key
    incidents: int
    levels: int
    log_entries: int


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


# --- Checks (all of them before anything is written) ----------------------------------------------


def check_scenario(scenario: Scenario, partners: Mapping[str, PartnerView], now: datetime) -> None:
    """Raise ScenarioError listing every problem, so bad data is fixed in one go and nothing is half-loaded."""
    zone = _zone(scenario.timezone)
    problems = [
        *([] if zone else [f"unknown time zone {scenario.timezone!r}"]),
        *_incident_problems(scenario, partners, zone, now),
        *_inject_problems(scenario, partners, zone, now),
    ]
    # Times without an offset cannot be ordered; they are reported above, and the order is checked once fixed.
    if _all_times_aware(scenario):
        problems.extend(_level_order_problems(plan_steps(scenario)))
    if problems:
        raise ScenarioError(
            f"scenario {scenario.id!r} cannot be replayed; nothing was written:\n- " + "\n- ".join(problems)
        )


def _all_times_aware(scenario: Scenario) -> bool:
    times = [
        *(spec.occurred_at for spec in scenario.incidents),
        *(inject.at for inject in scenario.injects),
        *(level_time(inject, level) for inject in scenario.injects for level in inject.levels),
    ]
    return _comparable(*times)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _time_problems(moment: datetime, what: str, zone: ZoneInfo | None, now: datetime) -> list[str]:
    offset = moment.utcoffset()
    if offset is None:
        return [f"{what} {moment.isoformat()} has no UTC offset (write e.g. 2021-07-14T11:30:00+02:00)"]
    problems = []
    # A winter offset on a summer date is the typical slip; the domain would store the wrong instant.
    local_offset = moment.astimezone(zone).utcoffset() if zone else offset
    if local_offset != offset:
        problems.append(
            f"{what} {moment.isoformat()} has offset {_hours(offset.total_seconds())}, "
            f"but {zone} was at {_hours(local_offset.total_seconds() if local_offset else 0)} then"
        )
    if moment > now:
        problems.append(f"{what} {moment.isoformat()} is in the future")
    return problems


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:+g} h"


def _unknown_partners(codes: Iterable[str], partners: Mapping[str, PartnerView]) -> list[str]:
    return [f"unknown partner code {code!r}" for code in codes if code not in partners]


def _incident_problems(
    scenario: Scenario, partners: Mapping[str, PartnerView], zone: ZoneInfo | None, now: datetime
) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    mode = mode_of(scenario)
    for spec in scenario.incidents:
        found = [
            *(["the key is used twice"] if spec.key in seen else []),
            *_unknown_partners((spec.lead, *spec.involved), partners),
            *_incident_field_problems(spec, mode),
            *_time_problems(spec.occurred_at, "occurred_at", zone, now),
        ]
        seen.add(spec.key)
        problems.extend(f"incident {spec.key!r}: {problem}" for problem in found)
    return problems


def _incident_field_problems(spec: IncidentSpec, mode: Mode) -> list[str]:
    problems = []
    if not spec.title.strip() or len(incident_title(spec, mode)) > MAX_TITLE:
        problems.append(f"the title must have 1 to {MAX_TITLE} characters with its mode prefix")
    if spec.hazard not in HAZARDS:
        problems.append(f"unknown hazard {spec.hazard!r}")
    if spec.marking in _CLOSED_MARKINGS and spec.involved:
        problems.append(f"an incident marked {spec.marking} cannot involve other partners")
    problems.extend(
        f"unsupported language {code!r}" for code in spec.languages if code not in CONTENT_LANGUAGES
    )
    problems.extend(_geometry_problems(spec))
    return problems


def _geometry_problems(spec: IncidentSpec) -> list[str]:
    problems = []
    try:
        validate_area(incident_area(spec).geometry)
    except InvalidInput as error:
        problems.append(f"area: {error.message}")
    if spec.location is not None:
        try:
            Point(*spec.location)
        except InvalidInput as error:
            problems.append(f"location: {error.message}")
    return problems


def _inject_problems(
    scenario: Scenario, partners: Mapping[str, PartnerView], zone: ZoneInfo | None, now: datetime
) -> list[str]:
    incidents = {spec.key: spec for spec in scenario.incidents}
    problems: list[str] = []
    seen: set[int] = set()
    for inject in scenario.injects:
        found = [
            *(["the number is used twice"] if inject.n in seen else []),
            *_placement_problems(inject, incidents, partners),
            *_time_problems(inject.at, "the time", zone, now),
            *_entry_problems(inject),
            *_level_problems(inject, partners, zone, now),
            *_before_incident_problems(inject, incidents.get(inject.incident)),
        ]
        seen.add(inject.n)
        problems.extend(f"inject {inject.n}: {problem}" for problem in found)
    return problems


def _before_incident_problems(inject: InjectSpec, incident: IncidentSpec | None) -> list[str]:
    if incident is None or not _comparable(inject.at, incident.occurred_at):
        return []
    if inject.at < incident.occurred_at:
        return [f"happens before its incident occurred ({incident.occurred_at.isoformat()})"]
    return []


def _comparable(*moments: datetime) -> bool:
    return all(moment.utcoffset() is not None for moment in moments)


def _placement_problems(
    inject: InjectSpec, incidents: Mapping[str, IncidentSpec], partners: Mapping[str, PartnerView]
) -> list[str]:
    incident = incidents.get(inject.incident)
    if incident is None:
        return [f"unknown incident {inject.incident!r}", *_unknown_partners([inject.partner], partners)]
    if inject.partner not in partners:
        return _unknown_partners([inject.partner], partners)
    # The domain lets the platform write anywhere; a partner outside the incident would be a data slip.
    if inject.partner not in {incident.lead, *incident.involved}:
        return [f"partner {inject.partner} is neither lead nor involved in incident {incident.key!r}"]
    return []


def _entry_problems(inject: InjectSpec) -> list[str]:
    problems = []
    if not inject.text.strip() or len(entry_text(inject)) > MAX_TEXT:
        problems.append(f"the text must have 1 to {MAX_TEXT} characters")
    is_decision = inject.kind is EntryKind.DECISION
    if is_decision and not ((inject.decided_by or "").strip() and (inject.basis or "").strip()):
        problems.append("a decision needs decided_by and basis")
    if not is_decision and (inject.decided_by or inject.basis):
        problems.append("only a decision has decided_by and basis")
    if not inject.sources:
        problems.append("no source URL")
    problems.extend(
        f"source {url!r} is not an http(s) URL"
        for url in inject.sources
        if not url.startswith(("https://", "http://"))
    )
    if len(entry_source(inject)) > MAX_SOURCE:
        problems.append(f"the sources together are longer than {MAX_SOURCE} characters")
    return problems


def _level_problems(
    inject: InjectSpec, partners: Mapping[str, PartnerView], zone: ZoneInfo | None, now: datetime
) -> list[str]:
    problems = []
    partner = partners.get(inject.partner)
    for level in inject.levels:
        scheme = SCHEMES.get(level.country)
        if scheme is None:
            problems.append(f"no escalation scheme for country {level.country!r}")
            continue
        if level.level not in {known.code for known in scheme.levels}:
            problems.append(f"{level.level!r} is not a level of the {scheme.name} ({scheme.country})")
        # The platform may set any country's level; a replay keeps to the rule people follow.
        if partner is not None and partner.country != level.country:
            problems.append(f"{inject.partner} ({partner.country}) cannot set the {level.country} level")
        problems.extend(_time_problems(level_time(inject, level), "the level time", zone, now))
    return problems


def _level_order_problems(steps: Sequence[Step]) -> list[str]:
    """The domain refuses a country's level set twice in a row (in issue order, which is historical)."""
    current: dict[tuple[str, str], str] = {}
    problems = []
    for step in steps:
        if step.level is None:
            continue
        key = (step.inject.incident, step.level.country)
        if current.get(key) == step.level.level:
            problems.append(
                f"inject {step.inject.n}: {step.level.country} is already at {step.level.level} then"
            )
        current[key] = step.level.level
    return problems


def refuse_if_loaded(platform: Platform, scenario: Scenario) -> None:
    loaded = [
        ref
        for ref in (reference(scenario, spec) for spec in scenario.incidents)
        if incident_id_by_reference(platform.engine, ref) is not None
    ]
    if not loaded:
        return
    partly = len(loaded) < len(scenario.incidents)
    raise Conflict(
        f"scenario {scenario.id!r} already loaded; incidents {', '.join(loaded)} exist"
        + (" (only some: an earlier replay stopped midway)" if partly else "")
        + ". A replay loads once; nothing was added."
    )


# --- From data to commands ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One record to write: a level change (`level` set) or the inject's log entry."""

    at: datetime
    inject: InjectSpec
    level: LevelSpec | None


def plan_steps(scenario: Scenario) -> list[Step]:
    """Records in historical order, so each country's levels follow one another as the domain requires.

    At the same moment the level goes first and the entry that explains it second.
    """
    steps = [
        step
        for inject in scenario.injects
        for step in (
            *(Step(level_time(inject, level), inject, level) for level in inject.levels),
            Step(inject.at, inject, None),
        )
    ]
    return sorted(steps, key=lambda step: (step.at, step.inject.n, step.level is None))


def mode_of(scenario: Scenario) -> Mode:
    return Mode.REPLAY if scenario.historical else Mode.EXERCISE


def reference(scenario: Scenario, spec: IncidentSpec) -> str:
    return f"replay:{scenario.id}:{spec.key}"


def incident_title(spec: IncidentSpec, mode: Mode) -> str:
    # Inboxes, exports and printed reports show the title without the mode: the prefix travels with it.
    return f"[{mode.value.upper()}] {spec.title.strip()}"


def incident_area(spec: IncidentSpec) -> Area:
    # GeoJSON positions are arrays: the checks downstream accept lists, not tuples.
    rings = [[list(position) for position in ring] for ring in spec.area.coordinates]
    return Area(geometry={"type": spec.area.type, "coordinates": rings})


def level_time(inject: InjectSpec, level: LevelSpec) -> datetime:
    return level.at or inject.at


def entry_text(inject: InjectSpec) -> str:
    """The inject's text, and what a reader of the log needs to weigh it: how exact the time is, notes."""
    lines = [inject.text.strip()]
    if inject.precision != "exact":
        lines.append(
            f"Historical time: {inject.when_text} ({_PRECISION[inject.precision]}; "
            f"placed at {inject.at.strftime('%H:%M')} local)."
        )
    if inject.note:
        lines.append(f"Note: {inject.note}")
    return "\n\n".join(lines)


def entry_source(inject: InjectSpec) -> str:
    return " ; ".join(inject.sources)


def acting_for(partner: PartnerView) -> Actor:
    """The platform itself (no user), on behalf of a partner: checks pass, records are that partner's."""
    return Actor(user_id=None, partner_id=partner.id, roles=frozenset({"system"}))


def declare_command(scenario: Scenario, spec: IncidentSpec, partners: Mapping[str, PartnerView]) -> Command:
    mode = mode_of(scenario)
    lead = partners[spec.lead]
    return c.DeclareIncident(
        actor=acting_for(lead),
        title=incident_title(spec, mode),
        hazard=spec.hazard,
        description=spec.description,
        lead_partner_id=lead.id,
        area=incident_area(spec),
        location=Point(*spec.location) if spec.location else None,
        involved=frozenset(partners[code].id for code in spec.involved),
        marking=spec.marking,
        languages=spec.languages,
        occurred_at=spec.occurred_at,
        mode=mode,
        reference=reference(scenario, spec),
    )


def step_command(step: Step, incident_id: uuid.UUID, partners: Mapping[str, PartnerView]) -> Command:
    inject = step.inject
    actor = acting_for(partners[inject.partner])
    if step.level is not None:
        return c.SetLevel(
            actor=actor,
            incident_id=incident_id,
            country=step.level.country,
            level=step.level.level,
            reason=step.level.reason,
            at=step.at,
        )
    return c.AddLogEntry(
        actor=actor,
        incident_id=incident_id,
        kind=inject.kind,
        text=entry_text(inject),
        occurred_at=inject.at,
        decided_by=inject.decided_by,
        basis=inject.basis,
        source=entry_source(inject),
    )


# --- The replay -----------------------------------------------------------------------------------


def replay(platform: Platform, scenario_id: str, *, progress: Progress | None = None) -> ReplayResult:
    """Load a scenario once. Checks everything first; then each command commits on its own (see module doc)."""
    scenario = load_scenario(scenario_id)
    partners = {partner.code: partner for partner in directory.list_partners(platform.engine)}
    check_scenario(scenario, partners, platform.clock.now())
    refuse_if_loaded(platform, scenario)
    steps = plan_steps(scenario)
    total = len(scenario.incidents) + len(steps)
    report = progress or _no_progress
    incident_ids: dict[str, uuid.UUID] = {}
    for spec in scenario.incidents:
        incident_ids[spec.key] = platform.bus.handle(declare_command(scenario, spec, partners))
        report(len(incident_ids), total)
    for done, step in enumerate(steps, start=len(incident_ids) + 1):
        platform.bus.handle(step_command(step, incident_ids[step.inject.incident], partners))
        report(done, total)
    levels = sum(1 for step in steps if step.level is not None)
    return ReplayResult(
        scenario_id=scenario.id,
        incident_ids=incident_ids,
        incidents=len(incident_ids),
        levels=levels,
        log_entries=len(steps) - levels,
    )


def _no_progress(_done: int, _total: int) -> None:
    """Progress is optional; the replay reports to nobody by default."""
