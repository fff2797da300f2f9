"""Command handlers for situation reports and the time-driven schedule (reminders, escalation)."""

from __future__ import annotations

import uuid
from datetime import datetime

from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents import events as e
from crisislink.domains.incidents.handlers import IncidentRules, Now, aware
from crisislink.domains.incidents.labels import check_audience, child_label
from crisislink.domains.incidents.model import Incident
from crisislink.domains.incidents.permissions import require_party
from crisislink.domains.incidents.ports import IncidentsUnitOfWork
from crisislink.domains.incidents.sitreps import Sitrep, SitrepText
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import InvalidInput, PermissionDenied
from crisislink.kernel.ids import new_id


def _texts(incident: Incident, texts: tuple[tuple[str, SitrepText], ...]) -> dict[str, SitrepText]:
    chosen: dict[str, SitrepText] = {}
    for language, body in texts:
        incident.check_language(language)
        if language in chosen:
            raise InvalidInput(f"the report has two texts in {language!r}")
        chosen[language] = body
    if not chosen:
        raise InvalidInput("a situation report needs a text in at least one language")
    return chosen


def _next_due(moment: datetime | None, now: datetime) -> datetime | None:
    if moment is None:
        return None
    aware(moment, "the next report time")
    if moment <= now:
        raise InvalidInput("the next report time must be in the future")
    return moment


def draft_sitrep(cmd: c.DraftSitrep, uow: IncidentsUnitOfWork, now: Now) -> uuid.UUID:
    incident = uow.incidents.get(cmd.incident_id)
    require_party(cmd.actor, incident)
    incident.require_open()
    check_audience(uow.directory, cmd.audience or ())
    moment = now()
    sitrep = Sitrep(
        id=new_id(),
        label=child_label(cmd.actor, incident, uow.node_id, cmd.marking, cmd.audience),
        incident_id=incident.id,
        number=uow.sitreps.next_number(incident.id),
        author_user_id=cmd.actor.user_id,
        texts=_texts(incident, cmd.texts),
        figures=cmd.figures,
        created_at=moment,
        next_report_at=_next_due(cmd.next_report_at, moment),
        languages_required=incident.languages,
    )
    sitrep.record(
        e.SitrepDrafted(
            label=sitrep.label, incident_id=incident.id, sitrep_id=sitrep.id, number=sitrep.number
        )
    )
    uow.sitreps.add(sitrep)
    uow.commit()
    return sitrep.id


def _editable(uow: IncidentsUnitOfWork, sitrep_id: uuid.UUID, actor_partner: uuid.UUID | None) -> Sitrep:
    sitrep = uow.sitreps.get(sitrep_id)
    if actor_partner is not None and actor_partner != sitrep.label.owner_partner_id:
        raise PermissionDenied("only the partner that drafted a situation report can change or publish it")
    return sitrep


def revise_sitrep(cmd: c.ReviseSitrep, uow: IncidentsUnitOfWork, now: Now) -> None:
    sitrep = _editable(uow, cmd.sitrep_id, cmd.actor.partner_id)
    incident = uow.incidents.get(sitrep.incident_id)
    require_party(cmd.actor, incident)
    check_version(sitrep, cmd.expected_version, "report")
    sitrep.revise(_texts(incident, cmd.texts), cmd.figures, _next_due(cmd.next_report_at, now()))
    sitrep.languages_required = incident.languages
    sitrep.record(
        e.SitrepRevised(
            label=sitrep.label, incident_id=incident.id, sitrep_id=sitrep.id, number=sitrep.number
        )
    )
    uow.commit()


def publish_sitrep(cmd: c.PublishSitrep, uow: IncidentsUnitOfWork, now: Now) -> None:
    sitrep = _editable(uow, cmd.sitrep_id, cmd.actor.partner_id)
    require_party(cmd.actor, uow.incidents.get(sitrep.incident_id))
    moment = now()
    at = aware(cmd.at, "the publication time") if cmd.at else moment
    if sitrep.publish(at, moment):
        _record_published(sitrep)
    else:
        sitrep.record(
            e.SitrepScheduled(
                label=sitrep.label,
                incident_id=sitrep.incident_id,
                sitrep_id=sitrep.id,
                number=sitrep.number,
                publish_at=at,
            )
        )
    uow.commit()


def _record_published(sitrep: Sitrep) -> None:
    sitrep.record(
        e.SitrepPublished(
            label=sitrep.label,
            incident_id=sitrep.incident_id,
            sitrep_id=sitrep.id,
            number=sitrep.number,
            missing_languages=sitrep.missing_languages(),
            next_report_at=sitrep.next_report_at,
        )
    )


def run_schedule(cmd: c.RunSchedule, uow: IncidentsUnitOfWork, now: Now, rules: IncidentRules) -> int:
    """Do what has fallen due; returns how many things it did."""
    if not cmd.actor.is_system:
        raise PermissionDenied("the schedule is run by the platform")
    moment = now()
    done = _publish_scheduled(uow, moment) + _remind(uow, moment, rules) + _escalate(uow, moment, rules)
    uow.commit()
    return done


def _publish_scheduled(uow: IncidentsUnitOfWork, moment: datetime) -> int:
    due = uow.sitreps.scheduled_before(moment)
    for sitrep in due:
        sitrep.publish(moment, moment, check_next=False)
        _record_published(sitrep)
    return len(due)


def _remind(uow: IncidentsUnitOfWork, moment: datetime, rules: IncidentRules) -> int:
    lead = rules.reminder_lead.total_seconds()
    due = [
        s
        for s in uow.sitreps.awaiting_reminder(moment + rules.reminder_lead)
        if s.due_for_reminder(moment, lead)
    ]
    for sitrep in due:
        sitrep.reminded_at = moment
        assert sitrep.next_report_at is not None
        sitrep.record(
            e.SitrepDue(
                label=sitrep.label,
                incident_id=sitrep.incident_id,
                sitrep_id=sitrep.id,
                next_report_at=sitrep.next_report_at,
            )
        )
    return len(due)


def _escalate(uow: IncidentsUnitOfWork, moment: datetime, rules: IncidentRules) -> int:
    moved = 0
    for notification in uow.notifications.pending_before(moment):
        if not notification.escalate(moment, rules.escalate_after):
            continue
        moved += 1
        notification.record(
            e.NotificationEscalated(
                label=notification.label,
                notification_id=notification.id,
                incident_id=notification.incident_id,
                partner_id=notification.partner_id,
                step=notification.step,
                contact_point_id=notification.contact_point_id,
                status=notification.status.value,
            )
        )
    return moved
