"""Demo readiness for `crisislink serve`: four quarterly communication tests, and a few rotas.

The organisations and their points of contact are the seeded (real) ones; the people on duty, their phone
numbers and every answer are fictional. The test history is played, not written: a quarterly plan of the
Belgian national crisis centre is run by the platform's own schedule on a clock set back in time, and
each desk answers after a delay drawn from a fixed seed (some late, so escalation shows; a few never).
The audit trail records it all at the real time of seeding. Nothing happens if any test exists already.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import comm_tests, directory
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.app.bootstrap import Platform
from crisislink.app.bus import MessageBus
from crisislink.app.readiness import readiness_handlers
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness.plans import Recurrence
from crisislink.domains.readiness.rota import DutyPerson, ShiftRole
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.messages import SYSTEM

ORGANISER = "BE-NCCN"
ANSWER_MINUTES = 60
DEMO_MESSAGE = (
    "Benelux communication test (demo). NL: Dit is een communicatietest, gelieve te bevestigen. "
    "FR: Ceci est un test de communication, merci d'en accuser réception. "
    "DE: Dies ist ein Kommunikationstest, bitte bestätigen."
)
# Desks that get a demo rota: (partner code, people on duty now and next).
ROTA_DESKS = ("BE-NCCN", "NL-NCC", "LU-HCPN")


def _answer_minute(contact_id: uuid.UUID, run_index: int) -> int | None:
    """When a desk answers (minutes after the test began); None: it never does. Fixed, not random."""
    draw = int(hashlib.sha256(f"{contact_id}:{run_index}".encode()).hexdigest()[:8], 16) / 2**32
    if draw < 0.1:
        return None
    if draw < 0.25:
        return 16 + int(draw * 100) % 25  # after the first escalation (15 minutes)
    return 1 + int(draw * 1000) % 12


def _codes_by_probe(platform: Platform, sender: RecordingSender, run_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The latest code sent for each probe of the run (what whoever was asked last would use)."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.comm_test_messages.c.id, t.comm_test_messages.c.probe_id).where(
                t.comm_test_messages.c.run_id == run_id
            )
        )
        probe_of = {row.id: row.probe_id for row in rows}
    return {probe_of[m.message_id]: m.code for m, _ in sender.for_run(run_id) if m.message_id in probe_of}


def _play_run(
    platform: Platform, bus: MessageBus, clock: FixedClock, sender: RecordingSender, index: int
) -> None:
    """Start the due run, then move the clock through its answers, escalations and deadline."""
    bus.handle(c.RunReadinessSchedule(actor=SYSTEM))
    with platform.engine.connect() as conn:
        (run_id,) = conn.execute(
            sa.select(t.comm_test_runs.c.id).order_by(t.comm_test_runs.c.started_at.desc()).limit(1)
        ).one()
        probes = conn.execute(
            sa.select(t.comm_test_probes.c.id, t.comm_test_probes.c.contact_point_id).where(
                t.comm_test_probes.c.run_id == run_id
            )
        ).all()
    start = clock.now()
    answers = {probe.id: _answer_minute(probe.contact_point_id, index) for probe in probes}
    moments = sorted({m for m in answers.values() if m is not None} | {15, 30, 45, ANSWER_MINUTES})
    for minute in moments:
        clock.advance(start + timedelta(minutes=minute) - clock.now())
        bus.handle(c.RunReadinessSchedule(actor=SYSTEM))
        codes = _codes_by_probe(platform, sender, run_id)
        for probe_id, answer in answers.items():
            if answer == minute and minute < ANSWER_MINUTES:
                bus.handle(c.AcknowledgeCommTest(actor=SYSTEM, token=codes[probe_id]))


def _history(platform: Platform, organiser: uuid.UUID) -> int:
    now = platform.clock.now().replace(second=0, microsecond=0)
    first = (now - timedelta(days=280)).replace(hour=8, minute=0)  # four quarterly runs up to now
    clock, sender = FixedClock(first - timedelta(hours=1)), RecordingSender(platform.settings.public_url)
    uow = lambda: SqlUnitOfWork(platform.engine, platform.node_id, platform.clock.now)  # noqa: E731
    bus = MessageBus(readiness_handlers(platform.settings, clock, sender), uow, lambda _: None)
    plan_id = bus.handle(
        c.PlanCommTest(
            actor=SYSTEM,
            organiser_id=organiser,
            name="Benelux quarterly communication test (demo)",
            message=DEMO_MESSAGE,
            recurrence=Recurrence.QUARTERLY,
            first_run_at=first,
            answer_minutes=ANSWER_MINUTES,
        )
    )
    staff = Viewer(user_id=uuid.UUID(int=0), partner_id=organiser)
    played = 0
    while (due := comm_tests.get_plan(platform.engine, staff, plan_id).next_run_at) and due <= now:
        clock.advance(due - clock.now())
        _play_run(platform, bus, clock, sender, played)
        played += 1
    return played


def _rota(platform: Platform, partners: dict[str, uuid.UUID]) -> int:
    now = platform.clock.now().replace(second=0, microsecond=0)
    desks = 0
    for number, code in enumerate(code for code in ROTA_DESKS if code in partners):
        staff = Viewer(user_id=uuid.UUID(int=0), partner_id=partners[code])
        found = directory.list_contact_points(
            platform.engine,
            staff,
            directory.ContactFilter(partner_id=partners[code], role="duty_desk_24_7"),
            now,
        )
        if not found:
            continue
        desk = found[0].id
        shifts = (
            (f"Duty officer {code} A (demo)", ShiftRole.PRIMARY, now, now + timedelta(hours=8)),
            (f"Deputy {code} (demo)", ShiftRole.DEPUTY, now, now + timedelta(hours=12)),
            (
                f"Duty officer {code} B (demo)",
                ShiftRole.PRIMARY,
                now + timedelta(hours=8),
                now + timedelta(hours=16),
            ),
        )
        for index, (name, role, starts, ends) in enumerate(shifts):
            phone = f"+00 0 000 {number:02d} {index:02d}"  # not a diallable number
            platform.bus.handle(
                c.ScheduleShift(
                    actor=SYSTEM,
                    contact_point_id=desk,
                    person=DutyPerson(name=name, phone=phone),
                    role=role,
                    starts_at=starts,
                    ends_at=ends,
                )
            )
        desks += 1
    return desks


def seed_demo_readiness(platform: Platform) -> tuple[int, int]:
    """(test runs played, desks given a rota); (0, 0) when any test exists already."""
    partners = {p.code: p.id for p in directory.list_partners(platform.engine)}
    with platform.engine.connect() as conn:
        if conn.execute(sa.select(t.comm_test_runs.c.id).limit(1)).first() is not None:
            return 0, 0
    if ORGANISER not in partners:
        return 0, 0
    runs = _history(platform, partners[ORGANISER])
    return runs, _rota(platform, partners)
