"""Wiring of the readiness capability: its senders (chosen from the settings) and command handlers."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.adapters.messaging.router import ChannelRouter, Gateway
from crisislink.adapters.messaging.smtp import SmtpConfig, SmtpSender
from crisislink.app.bus import CommandHandler
from crisislink.app.settings import Settings
from crisislink.domains.readiness import comm_test_handlers as th
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness import handover_handlers as hh
from crisislink.domains.readiness import plan_handlers as ph
from crisislink.domains.readiness import rota_handlers as rh
from crisislink.domains.readiness.delivery import CommTestRules
from crisislink.domains.readiness.ports import Sender
from crisislink.kernel.clock import Clock
from crisislink.kernel.messages import Command


def comm_test_sender(settings: Settings) -> ChannelRouter:
    """Every channel is recorded for relay; e-mail goes through SMTP when a relay is configured."""
    config = settings.readiness
    recording = RecordingSender(settings.public_url, config.outbox_file)
    routes: dict[str, Gateway] = {}
    if config.smtp_host:
        smtp = SmtpConfig(
            host=config.smtp_host,
            port=config.smtp_port,
            sender=config.smtp_from,
            starttls=config.smtp_starttls,
            username=config.smtp_user,
            password=config.smtp_password,
        )
        routes["email"] = SmtpSender(smtp, settings.public_url)
    return ChannelRouter(routes, fallback=recording)


def readiness_handlers(
    settings: Settings, clock: Clock, sender: Sender
) -> dict[type[Command], CommandHandler]:
    now = clock.now
    rules = CommTestRules(escalate_after=timedelta(minutes=settings.readiness.escalate_after_minutes))
    return {
        c.ScheduleShift: partial(rh.schedule_shift, now=now),
        c.ChangeShift: partial(rh.change_shift, now=now),
        c.RemoveShift: partial(rh.remove_shift, now=now),
        c.AnnotateShift: partial(rh.annotate_shift, now=now),
        c.HandOverDesk: partial(hh.hand_over, now=now),
        c.PlanCommTest: partial(ph.plan_comm_test, now=now),
        c.ChangeCommTestPlan: partial(ph.change_plan, now=now),
        c.StartCommTest: partial(th.start_comm_test, sender=sender, now=now, rules=rules),
        c.AcknowledgeCommTest: partial(th.acknowledge, now=now),
        c.RecordCommTestAnswer: partial(th.record_answer, now=now),
        c.CloseCommTest: partial(th.close_comm_test, now=now),
        c.RunReadinessSchedule: partial(th.run_schedule, sender=sender, now=now, rules=rules),
    }
