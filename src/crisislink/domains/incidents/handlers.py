"""Command handlers for the incident itself: declare, change, escalation levels, status, neighbours."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents import events as e
from crisislink.domains.incidents.hazards import hazard
from crisislink.domains.incidents.labels import check_audience, incident_label
from crisislink.domains.incidents.levels import scheme_of
from crisislink.domains.incidents.model import (
    MAX_TITLE,
    Incident,
    LevelChange,
    Mode,
    text,
)
from crisislink.domains.incidents.notifications import NeighbourNotification
from crisislink.domains.incidents.permissions import require_manager, require_party, require_writer
from crisislink.domains.incidents.ports import BorderRule, Directory, Geometry, IncidentsUnitOfWork
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import Conflict, InvalidInput, PermissionDenied
from crisislink.kernel.geo import Area
from crisislink.kernel.i18n import check_language
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]


@dataclass(frozen=True)
class IncidentRules:
    """Tunable rules; defaults are what the Benelux desks agreed to try first (docs/incidents.md)."""

    escalate_after: timedelta = timedelta(minutes=15)
    reminder_lead: timedelta = timedelta(minutes=15)


def aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{what} needs a time zone (e.g. 2021-07-14T11:30:00+02:00)")
    return moment


def _languages(codes: tuple[str, ...], fallback: tuple[str, ...]) -> tuple[str, ...]:
    try:
        chosen = tuple(dict.fromkeys(check_language(code) for code in codes or fallback))
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if not chosen:
        raise InvalidInput("an incident needs at least one working language")
    return chosen


def _area(cmd: c.DeclareIncident, geometry: Geometry) -> Area:
    if (cmd.area is None) == (cmd.buffer is None):
        raise InvalidInput("give the affected area either as a polygon or as a point with a radius, not both")
    if cmd.buffer is not None:
        if not 0 < cmd.buffer.radius_m <= 200_000:
            raise InvalidInput("the radius of the affected area must be between 0 and 200 km")
        return geometry.buffer(cmd.buffer.centre, cmd.buffer.radius_m)
    assert cmd.area is not None
    return geometry.check(cmd.area)


def _owner(actor: Actor, lead: uuid.UUID) -> uuid.UUID:
    return actor.partner_id if actor.partner_id is not None else lead


def _known_partners(directory: Directory, partners: frozenset[uuid.UUID]) -> None:
    for partner in partners:
        if directory.partner(partner) is None:
            raise InvalidInput(f"no partner with id {partner}")


def declare_incident(
    cmd: c.DeclareIncident,
    uow: IncidentsUnitOfWork,
    geometry: Geometry,
    border: BorderRule,
    now: Now,
    rules: IncidentRules = IncidentRules(),
) -> uuid.UUID:
    require_writer(cmd.actor, cmd.mode)
    lead = uow.directory.partner(cmd.lead_partner_id)
    if lead is None:
        raise InvalidInput(f"no partner with id {cmd.lead_partner_id} to lead the incident")
    _known_partners(uow.directory, cmd.involved)
    check_audience(uow.directory, cmd.audience)
    moment = now()
    owner = _owner(cmd.actor, lead.id)
    incident = Incident(
        id=new_id(),
        label=incident_label(owner, uow.node_id, cmd.marking, cmd.audience, cmd.involved | {lead.id}),
        title=text(cmd.title, "the title", MAX_TITLE),
        hazard=hazard(cmd.hazard).code,
        description=cmd.description.strip(),
        area=_area(cmd, geometry),
        location=cmd.location or (cmd.buffer.centre if cmd.buffer else None),
        lead_partner_id=lead.id,
        involved=cmd.involved - {lead.id},
        languages=_languages(cmd.languages, (*lead.languages, "en")),
        occurred_at=aware(cmd.occurred_at or moment, "the time it happened"),
        declared_at=moment,
        declared_by=cmd.actor.user_id,
        mode=cmd.mode,
        reference=cmd.reference,
    )
    if incident.occurred_at > moment:
        raise InvalidInput("an incident cannot have happened in the future")
    incident.record(
        e.IncidentDeclared(
            label=incident.label,
            incident_id=incident.id,
            title=incident.title,
            hazard=incident.hazard,
            lead_partner_id=lead.id,
            mode=incident.mode.value,
        )
    )
    uow.incidents.add(incident)
    notify_neighbours_of(incident, uow, border, moment, rules)
    uow.commit()
    return incident.id


def update_incident(
    cmd: c.UpdateIncident,
    uow: IncidentsUnitOfWork,
    geometry: Geometry,
    border: BorderRule,
    now: Now,
    rules: IncidentRules = IncidentRules(),
) -> None:
    incident = uow.incidents.get(cmd.incident_id)
    require_manager(cmd.actor, incident)
    incident.require_open()
    check_version(incident, cmd.expected_version, "incident")
    explicit = _explicit_audience(incident)  # before the parties change, or a removed one would stay
    changed = _apply_changes(cmd, incident, uow, geometry)
    if not changed:
        return
    old_label = incident.label
    incident.label = _relabel(cmd, incident, uow.directory, explicit)
    if incident.label != old_label:
        changed.append("label")
        incident.record(e.IncidentRelabelled(label=old_label, incident_id=incident.id))
    incident.record(e.IncidentUpdated(label=incident.label, incident_id=incident.id, changed=tuple(changed)))
    if "area" in changed or "label" in changed:
        notify_neighbours_of(incident, uow, border, now(), rules)
    uow.commit()


def _apply_changes(
    cmd: c.UpdateIncident, incident: Incident, uow: IncidentsUnitOfWork, geometry: Geometry
) -> list[str]:
    changed: list[str] = []
    if cmd.title is not None and cmd.title.strip() != incident.title:
        incident.title = text(cmd.title, "the title", MAX_TITLE)
        changed.append("title")
    if cmd.description is not None and cmd.description.strip() != incident.description:
        incident.description = cmd.description.strip()
        changed.append("description")
    if cmd.area is not None:
        incident.area = geometry.check(cmd.area)
        changed.append("area")
    if cmd.involved is not None and cmd.involved - {incident.lead_partner_id} != incident.involved:
        _known_partners(uow.directory, cmd.involved)
        incident.involved = cmd.involved - {incident.lead_partner_id}
        changed.append("involved")
    if cmd.languages is not None and tuple(cmd.languages) != incident.languages:
        incident.languages = _languages(cmd.languages, ())
        changed.append("languages")
    if cmd.marking is not None or cmd.audience is not None:
        changed.append("marking")
    return changed


def _relabel(
    cmd: c.UpdateIncident, incident: Incident, directory: Directory, explicit: frozenset[Principal]
) -> Label:
    audience = cmd.audience if cmd.audience is not None else explicit
    check_audience(directory, audience)
    owner = incident.label.owner_partner_id
    assert owner is not None
    return incident_label(
        owner,
        incident.label.home_node_id,
        cmd.marking or incident.label.marking,
        audience,
        incident.involved | {incident.lead_partner_id},
    )


def _explicit_audience(incident: Incident) -> frozenset[Principal]:
    """The audience without the partners AMBER adds because they take part (they are added back)."""
    parties = {Principal.partner(p) for p in incident.involved | {incident.lead_partner_id}}
    return frozenset(incident.label.audience - parties)


def set_level(cmd: c.SetLevel, uow: IncidentsUnitOfWork, now: Now) -> None:
    incident = uow.incidents.get(cmd.incident_id)
    require_party(cmd.actor, incident)
    scheme = scheme_of(cmd.country)
    scheme.level(cmd.level)  # an unknown level is bad input, whoever asks
    country = scheme.country
    _require_country(cmd.actor, country, uow.directory)
    moment = now()
    at = aware(cmd.at, "the time the level took effect") if cmd.at else moment
    if at > moment:
        raise InvalidInput("a level cannot take effect in the future; set it when it does")
    change = incident.set_level(
        LevelChange(
            country=country,
            level=cmd.level,
            previous=None,
            at=at,
            recorded_at=moment,
            by_user_id=cmd.actor.user_id,
            by_partner_id=cmd.actor.partner_id,
            reason=cmd.reason.strip(),
        )
    )
    incident.record(
        e.LevelChanged(
            label=incident.label,
            incident_id=incident.id,
            country=country,
            level=change.level,
            previous=change.previous,
            at=change.at,
            by_partner_id=change.by_partner_id,
        )
    )
    uow.commit()


def _require_country(actor: Actor, country: str, directory: Directory) -> None:
    """Each country raises its own level: nobody sets another country's level for it."""
    if actor.is_system or "node_admin" in actor.roles:
        return
    partner = directory.partner(actor.partner_id) if actor.partner_id else None
    if partner is None or partner.country != country:
        raise PermissionDenied(f"only a partner from {country} sets the {scheme_of(country).name}")


def change_status(cmd: c.ChangeIncidentStatus, uow: IncidentsUnitOfWork) -> None:
    incident = uow.incidents.get(cmd.incident_id)
    require_manager(cmd.actor, incident)
    if incident.status is cmd.status:
        raise Conflict(f"the incident is {cmd.status} already")
    previous, incident.status = incident.status, cmd.status
    incident.record(
        e.IncidentStatusChanged(
            label=incident.label,
            incident_id=incident.id,
            status=cmd.status.value,
            previous=previous.value,
            reason=cmd.reason.strip(),
        )
    )
    uow.commit()


def notify_neighbours(
    cmd: c.NotifyNeighbours,
    uow: IncidentsUnitOfWork,
    border: BorderRule,
    now: Now,
    rules: IncidentRules = IncidentRules(),
) -> tuple[uuid.UUID, ...]:
    incident = uow.incidents.get(cmd.incident_id)
    require_manager(cmd.actor, incident)
    incident.require_open()
    notified = notify_neighbours_of(incident, uow, border, now(), rules)
    uow.commit()
    return notified


_HELD = frozenset({Tlp.AMBER_STRICT, Tlp.RED})


def notify_neighbours_of(
    incident: Incident, uow: IncidentsUnitOfWork, border: BorderRule, moment: datetime, rules: IncidentRules
) -> tuple[uuid.UUID, ...]:
    """Tell every touched partner not told yet. The caller commits."""
    check = border.check(incident.area)
    # A replay of history must not ring today's duty desks; a marking for one organisation keeps it in.
    held = incident.label.marking in _HELD or incident.mode is Mode.REPLAY
    told = {n.partner_id for n in uow.notifications.for_incident(incident.id)}
    due = (
        []
        if held
        else [n for n in check.neighbours if n.partner_id not in told | {incident.label.owner_partner_id}]
    )
    for neighbour in due:
        _notify(incident, neighbour.partner_id, neighbour.chain, check.explanation, uow, moment, rules)
    if incident.label.marking is Tlp.AMBER and (told or due):
        # A neighbour that must act needs to see the incident: AMBER reaches every partner told about it,
        # including those told while it was GREEN.
        extra = {Principal.partner(p) for p in told | {n.partner_id for n in due}}
        incident.label = Label(
            incident.label.owner_partner_id,
            incident.label.home_node_id,
            incident.label.marking,
            incident.label.audience | extra,
        )
    incident.record(
        e.NeighboursChecked(
            label=incident.label,
            incident_id=incident.id,
            triggered=check.triggered,
            explanation=check.explanation,
            notified=tuple(n.partner_id for n in due),
            held=held and bool(check.neighbours),
        )
    )
    return tuple(n.partner_id for n in due)


def _notify(
    incident: Incident,
    partner_id: uuid.UUID,
    chain: tuple[uuid.UUID, ...],
    reason: str,
    uow: IncidentsUnitOfWork,
    moment: datetime,
    rules: IncidentRules,
) -> None:
    label = Label(
        owner_partner_id=incident.label.owner_partner_id,
        home_node_id=uow.node_id,
        marking=Tlp.AMBER,
        audience=frozenset({Principal.partner(partner_id)}),
    )
    notification = NeighbourNotification(
        id=new_id(),
        label=label,
        incident_id=incident.id,
        partner_id=partner_id,
        reason=reason,
        chain=chain,
        sent_at=moment,
        escalate_at=moment + rules.escalate_after,
    )
    notification.record(
        e.NeighbourNotified(
            label=label,
            notification_id=notification.id,
            incident_id=incident.id,
            partner_id=partner_id,
            contact_point_id=notification.contact_point_id,
            reason=reason,
        )
    )
    uow.notifications.add(notification)


def acknowledge_notification(cmd: c.AcknowledgeNotification, uow: IncidentsUnitOfWork, now: Now) -> None:
    notification = uow.notifications.get(cmd.notification_id)
    if cmd.actor.user_id is None:
        raise PermissionDenied("a person acknowledges a notification, not the platform")
    notification.acknowledge(cmd.actor.user_id, cmd.actor.partner_id, now())
    notification.record(
        e.NotificationAcknowledged(
            label=notification.label,
            notification_id=notification.id,
            incident_id=notification.incident_id,
            partner_id=notification.partner_id,
            by_user_id=cmd.actor.user_id,
        )
    )
    uow.commit()
