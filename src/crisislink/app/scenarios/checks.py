"""Checks of a scenario, all of them before anything is written.

A replay commits each command on its own (see `replay`), so everything the domain would reject is found
here first, and all of it is reported at once, so bad data is fixed in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crisislink.adapters.db.queries.incidents import incident_id_by_reference
from crisislink.adapters.db.queries.views import PartnerView
from crisislink.adapters.geo.shapes import validate_area
from crisislink.app.bootstrap import Platform
from crisislink.app.scenarios.plan import (
    Step,
    entry_source,
    entry_text,
    incident_area,
    incident_title,
    level_time,
    mode_of,
    plan_steps,
    reference,
)
from crisislink.app.scenarios.scenario import IncidentSpec, InjectSpec, Scenario, ScenarioError
from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.incidents.levels import SCHEMES
from crisislink.domains.incidents.model import MAX_TEXT, MAX_TITLE, EntryKind, Mode, Point
from crisislink.kernel.errors import Conflict, InvalidInput
from crisislink.kernel.i18n import CONTENT_LANGUAGES
from crisislink.kernel.markings import Tlp

MAX_SOURCE = 1000  # the log's source column
_CLOSED_MARKINGS = frozenset({Tlp.AMBER_STRICT, Tlp.RED})


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
