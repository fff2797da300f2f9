"""EMSI exchange: an incident out as an EMSI message, an EMSI message in as an incident.

Export reads through the sharing policy first (the incident, the tasks and the latest published report
the caller may see) and only then loads those records to map them. Import turns everything the message
says into one `ImportIncident` command, so a message is recorded whole or not at all; what crisislink
cannot hold goes, word for word, into a log entry.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from crisislink.adapters.db import incident_repositories as ir
from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import incidents as q
from crisislink.adapters.standards import emsi_json, emsi_xml
from crisislink.adapters.standards.emsi_export import incident_to_emsi
from crisislink.adapters.standards.emsi_import import ImportedIncident, ImportedMission, emsi_to_import
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.model import EntryKind
from crisislink.domains.incidents.sitreps import SitrepText
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Actor

DEFAULT_RADIUS_M = 500.0


def export_incident(platform: Platform, viewer: Viewer, incident_id: uuid.UUID) -> bytes:
    incident_view = q.get_incident(platform.engine, viewer, incident_id)  # NotFound if not visible
    now = platform.clock.now()
    task_ids = [t.id for t in q.tasks(platform.engine, viewer, incident_id, now)]
    published = q.latest_published_sitrep(platform.engine, viewer, incident_id)
    partners = directory.list_partners(platform.engine)
    # A read: plain repositories on a read connection, not a unit of work (which takes the write lock).
    with platform.engine.connect() as conn:
        incident = ir.IncidentRepository(conn, platform.clock.now).get(incident_view.id)
        task_repository = ir.TaskRepository(conn, platform.clock.now)
        tasks = [task_repository.get(task_id) for task_id in task_ids]
        sitrep = ir.SitrepRepository(conn, platform.clock.now).get(published.id) if published else None
    message = incident_to_emsi(
        incident,
        tasks=tasks,
        sitrep=sitrep,
        partner_codes={p.id: p.code for p in partners},
        partner_names={p.id: p.name for p in partners},
        message_id=str(new_id()),
        created=now,
        first=False,
    )
    return emsi_xml.to_xml(message)


def parse_message(data: bytes, content_type: str) -> ImportedIncident:
    is_json = "json" in content_type or data.lstrip()[:1] in {b"{", b"["}
    message = emsi_json.parse_json(data) if is_json else emsi_xml.parse_xml(data)
    return emsi_to_import(message)


def import_message(platform: Platform, actor: Actor, data: bytes, content_type: str) -> uuid.UUID:
    """Declare the incident an EMSI message describes; the caller's partner leads it."""
    imported = parse_message(data, content_type)
    known = q.incident_id_by_reference(platform.engine, imported.reference)
    if known is not None:
        raise Conflict(
            f"this EMSI event ({imported.reference}) was imported already{_as_seen_by(platform, actor, known)}"
        )
    if actor.partner_id is None:
        raise InvalidInput("an import needs a partner to lead the incident; sign in as a partner's user")
    now = platform.clock.now()
    codes = {p.code.lower(): p.id for p in directory.list_partners(platform.engine)}
    command = c.ImportIncident(
        actor=actor,
        declaration=_declaration(actor, actor.partner_id, imported, now),
        entries=_entries(actor, imported, now),
        tasks=tuple(
            _task(actor, m, codes, actor.partner_id, now) for m in imported.missions if _open(m, now)
        ),
        sitrep=_sitrep(actor, imported),
    )
    incident_id: uuid.UUID = platform.bus.handle(command)
    return incident_id


def _as_seen_by(platform: Platform, actor: Actor, incident_id: uuid.UUID) -> str:
    """Name the incident only to someone who may see it: the refusal must not reveal it to others."""
    viewer = Viewer(user_id=actor.user_id, partner_id=actor.partner_id)
    try:
        q.get_incident(platform.engine, viewer, incident_id)
    except NotFound:
        return ""
    return f", as incident {incident_id}"


def _declaration(
    actor: Actor, lead: uuid.UUID, imported: ImportedIncident, now: datetime
) -> c.DeclareIncident:
    if imported.area is None and imported.location is None:
        raise InvalidInput("the EMSI message gives no position or area for the event; it cannot be placed")
    buffer = None
    if imported.area is None:
        assert imported.location is not None
        buffer = c.Buffer(centre=imported.location, radius_m=imported.radius_m or DEFAULT_RADIUS_M)
    occurred = imported.occurred_at or imported.declared_at or now
    return c.DeclareIncident(
        actor=actor,
        title=imported.title,
        hazard=imported.hazard,
        description=imported.description,
        lead_partner_id=lead,
        area=imported.area,
        buffer=buffer,
        location=imported.location,
        marking=imported.marking,
        occurred_at=min(occurred, now),
        mode=imported.mode,
        reference=imported.reference,
    )


def _entries(actor: Actor, imported: ImportedIncident, now: datetime) -> tuple[c.AddLogEntry, ...]:
    placeholder = uuid.UUID(int=0)
    source = f"EMSI message {imported.message_id}"
    lines: list[c.AddLogEntry] = []
    if imported.origin_name or imported.origin_org_id:
        origin = " / ".join(x for x in (imported.origin_name, imported.origin_org_id) if x)
        lines.append(_entry(actor, placeholder, f"Received as EMSI from {origin}.", source, None))
    for mission in imported.missions:
        if not _open(mission, now):
            text = f"Mission {mission.id}: {mission.title} ({mission.status}). {mission.details}".strip()
            lines.append(_entry(actor, placeholder, text, source, mission.start, EntryKind.ACTION))
    for resource in imported.resources:
        text = f"Resource {resource.id}: {resource.name} [{resource.rtype}, {resource.status}]"
        quantity = f", quantity {resource.quantity:g}" if resource.quantity is not None else ""
        lines.append(
            _entry(
                actor,
                placeholder,
                text + quantity + f". {resource.freetext or ''}".rstrip(". "),
                source,
                None,
            )
        )
    if imported.notes:
        notes = "Values of the EMSI message kept as received:\n" + "\n".join(imported.notes)
        lines.append(_entry(actor, placeholder, notes, source, None))
    return tuple(lines)


def _entry(
    actor: Actor,
    incident_id: uuid.UUID,
    text: str,
    source: str,
    occurred_at: datetime | None,
    kind: EntryKind = EntryKind.INFORMATION,
) -> c.AddLogEntry:
    return c.AddLogEntry(
        actor=actor, incident_id=incident_id, kind=kind, text=text, occurred_at=occurred_at, source=source
    )


def _open(mission: ImportedMission, now: datetime) -> bool:
    """A mission still to be done becomes a task; one that ended (or is due already) is logged instead."""
    return mission.status.value in {"open", "in_progress"} and (mission.end is None or mission.end > now)


def _task(
    actor: Actor, mission: ImportedMission, codes: dict[str, uuid.UUID], fallback: uuid.UUID, now: datetime
) -> c.AssignTask:
    assignee = codes.get((mission.org_id or "").lower(), fallback)
    org = f" (for {mission.org_id})" if mission.org_id and assignee == fallback else ""
    started = f", started {mission.start.isoformat()}" if mission.start else ""
    return c.AssignTask(
        actor=actor,
        incident_id=uuid.UUID(int=0),
        title=mission.title,
        details=f"{mission.details}{org}\nEMSI mission {mission.id}{started}".strip(),
        due_at=mission.end or now + timedelta(hours=1),
        assignee_partner_id=assignee,
        status=mission.status,
    )


def _sitrep(actor: Actor, imported: ImportedIncident) -> c.DraftSitrep | None:
    if imported.figures is None:
        return None
    text = SitrepText(situation=f"Figures received in EMSI message {imported.message_id}.")
    return c.DraftSitrep(
        actor=actor, incident_id=uuid.UUID(int=0), texts=(("en", text),), figures=imported.figures
    )
