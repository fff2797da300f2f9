"""The replay plan: the records a scenario becomes, in historical order, and the commands that write them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from crisislink.adapters.db.queries.views import PartnerView
from crisislink.app.scenarios.scenario import IncidentSpec, InjectSpec, LevelSpec, Scenario
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.model import Mode, Point
from crisislink.kernel.geo import Area
from crisislink.kernel.messages import Actor, Command

_PRECISION = {
    "exact": "",
    "part_of_day": "known by part of day only",
    "day": "known by day only",
}


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
