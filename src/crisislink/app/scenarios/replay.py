"""Replay a scenario: load it from this package, check all of it, then issue it through the message bus.

A historical scenario becomes incidents marked `Mode.REPLAY` (an invented one, `Mode.EXERCISE`), with
level changes and log entries at their historical times, each written as the platform acting for the
partner the inject comes from, so records are owned by that partner.

Every command commits on its own: if one failed midway, the records before it would stay (marked as a
replay, found again by their references, and refused by a second replay). That is why everything the
domain would reject is checked before the first command: partner codes, times and their offsets, levels
and their order, hazards, markings, areas, languages, decisions without who or why, sources.

The scenario's data and its loading are in `scenario`, the checks in `checks`, and the records it
becomes, with their commands, in `plan`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from crisislink.adapters.db.queries import directory
from crisislink.app.bootstrap import Platform
from crisislink.app.scenarios.checks import check_scenario, refuse_if_loaded
from crisislink.app.scenarios.plan import declare_command, plan_steps, step_command
from crisislink.app.scenarios.scenario import load_scenario

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReplayResult:
    scenario_id: str
    incident_ids: Mapping[str, uuid.UUID]  # by the scenario's incident key
    incidents: int
    levels: int
    log_entries: int


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
