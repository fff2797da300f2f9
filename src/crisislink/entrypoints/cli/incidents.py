"""crisislink incidents …: list and inspect incidents, run the schedule, replay a past crisis."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import incidents as q
from crisislink.adapters.db.queries import timeline as tl
from crisislink.app import schedule
from crisislink.app.scenarios.replay import ReplayResult, replay
from crisislink.app.scenarios.scenario import available_scenarios
from crisislink.entrypoints.cli.admin import viewer_named
from crisislink.entrypoints.cli.common import console, platform, run
from crisislink.kernel.errors import InvalidInput

app = typer.Typer(
    help="Incidents: list, inspect, run the schedule, replay a past crisis.", no_args_is_help=True
)

AsUser = Annotated[str | None, typer.Option("--as", help="See what this user may see")]


@app.command("list")
def list_incidents(
    include_closed: Annotated[bool, typer.Option("--closed", help="Include closed incidents")] = False,
    as_user: AsUser = None,
) -> None:
    """Incidents, newest first, with each country's own level side by side."""
    with platform() as node:
        viewer = viewer_named(node, as_user)
        rows = q.list_incidents(node.engine, viewer, q.IncidentFilter(include_closed=include_closed))
        names = {p.id: p.code for p in directory.list_partners(node.engine)}
    table = Table("title", "hazard", "mode", "levels", "lead", "status", "TLP", "id")
    for row in rows:
        levels = ", ".join(f"{lv.country} {lv.level}" for lv in row.levels) or "—"
        lead = names.get(row.lead_partner_id, "?")
        table.add_row(row.title, row.hazard, row.mode, levels, lead, row.status, row.marking, str(row.id))
    table.columns[-1].no_wrap = True  # the id is what `incidents show` needs: never cut it
    console.print(table)


def _incident_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not an incident id; 'crisislink incidents list' shows them"
        ) from None


@app.command("show")
def show(
    incident_id: Annotated[str, typer.Argument(help="The incident's id")],
    limit: Annotated[int, typer.Option(help="Timeline items to show")] = 30,
    as_user: AsUser = None,
) -> None:
    """One incident: its levels and the newest entries of its timeline."""

    def action() -> None:
        with platform() as node:
            viewer = viewer_named(node, as_user)
            incident = q.get_incident(node.engine, viewer, _incident_id(incident_id))
            items = tl.timeline(node.engine, viewer, incident.id, limit=limit)
        console.print(
            f"[bold]{incident.title}[/]  {incident.hazard}  {incident.status}  TLP:{incident.marking}"
        )
        if incident.mode != "live":
            console.print(f"[bold magenta]{incident.mode.upper()} — not live data[/]")
        for level in incident.levels:
            console.print(f"  {level.country}: {level.level} since {level.at.isoformat()}")
        table = Table("when (UTC)", "kind", "TLP", "what")
        for item in items:
            table.add_row(item.at.isoformat(timespec="minutes"), item.kind, item.marking, item.summary[:120])
        console.print(table)

    run(action)


@app.command("tick")
def tick() -> None:
    """Do the time-driven work now: escalate unanswered notifications, publish and remind of reports."""
    with platform() as node:
        done = run(lambda: schedule.run_once(node.bus))
    console.print(f"{done} item(s) escalated, published or reminded")


@app.command("replay")
def replay_scenario(
    scenario: Annotated[str, typer.Argument(help="Scenario id, e.g. floods-2021")] = "floods-2021",
) -> None:
    """Load a past crisis as REPLAY incidents with their historical times (never shown as live data)."""
    known = available_scenarios()
    if scenario not in known:
        raise typer.BadParameter(f"unknown scenario {scenario!r}; available: {', '.join(known)}")

    def action() -> ReplayResult:
        with platform() as node, Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"replaying {scenario}", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return replay(node, scenario, progress=advance)

    result = run(action)
    console.print(
        f"replayed {scenario}: {result.incidents} incidents, {result.levels} level changes, "
        f"{result.log_entries} log entries (mode REPLAY). Open them on the console under Incidents."
    )
    for key, incident_id in result.incident_ids.items():
        console.print(f"  {key}: {incident_id}")
