"""Wiring of the incidents capability: its command handlers with their adapters, and its map layer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import incidents as queries
from crisislink.adapters.db.queries.neighbours import SqlBorderRule
from crisislink.adapters.geo.areas import ShapelyGeometry
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bus import CommandHandler
from crisislink.app.layers import N_, Feature, MapLayer
from crisislink.app.settings import Settings
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents import handlers as h
from crisislink.domains.incidents import import_handlers as ih
from crisislink.domains.incidents import log_handlers as lh
from crisislink.domains.incidents import sitrep_handlers as sh
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.clock import Clock
from crisislink.kernel.messages import Command


def incident_rules(settings: Settings) -> h.IncidentRules:
    return h.IncidentRules(
        escalate_after=timedelta(minutes=settings.escalate_after_minutes),
        reminder_lead=timedelta(minutes=settings.sitrep_reminder_minutes),
    )


def incident_handlers(
    engine: Engine, reference: ReferenceData, settings: Settings, clock: Clock
) -> dict[type[Command], CommandHandler]:
    geometry = ShapelyGeometry()
    border = SqlBorderRule(engine, reference, settings.neighbour_distance_km)
    rules = incident_rules(settings)
    now = clock.now
    return {
        c.DeclareIncident: partial(
            h.declare_incident, geometry=geometry, border=border, now=now, rules=rules
        ),
        c.UpdateIncident: partial(h.update_incident, geometry=geometry, border=border, now=now, rules=rules),
        c.SetLevel: partial(h.set_level, now=now),
        c.ChangeIncidentStatus: h.change_status,
        c.NotifyNeighbours: partial(h.notify_neighbours, border=border, now=now, rules=rules),
        c.AcknowledgeNotification: partial(h.acknowledge_notification, now=now),
        c.AddLogEntry: partial(lh.add_log_entry, now=now),
        c.AssignTask: partial(lh.assign_task, now=now),
        c.MoveTask: partial(lh.move_task, now=now),
        c.DraftSitrep: partial(sh.draft_sitrep, now=now),
        c.ReviseSitrep: partial(sh.revise_sitrep, now=now),
        c.PublishSitrep: partial(sh.publish_sitrep, now=now),
        c.RunSchedule: partial(sh.run_schedule, now=now, rules=rules),
        c.ImportIncident: partial(ih.import_incident, geometry=geometry, border=border, now=now, rules=rules),
    }


def _incident_features(engine: Engine, viewer: Viewer, now: datetime) -> Iterable[Feature]:  # noqa: ARG001
    return queries.incident_features(engine, viewer)


def incident_layers() -> list[MapLayer]:
    return [
        MapLayer(
            id="incidents",
            title=N_("Incidents"),
            geometry="mixed",
            features=_incident_features,
            order=30,
            style={"color": "#b3261e", "weight": 2, "fillOpacity": 0.15, "symbol": "incident"},
        )
    ]
