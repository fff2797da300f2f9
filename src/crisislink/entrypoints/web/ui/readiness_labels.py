"""Human names for the codes of the rota and of communication tests (translated when rendered)."""

from __future__ import annotations

from crisislink.app.layers import N_

SHIFT_ROLES = {"primary": N_("Primary"), "deputy": N_("Deputy")}

OUTCOMES = {
    "acknowledged": N_("Acknowledged"),
    "acknowledged_after_escalation": N_("Acknowledged after escalation"),
    "no_answer": N_("No answer"),
    "pending": N_("Waiting for an answer"),
}

# A sign beside every outcome's colour: status never rests on colour alone.
OUTCOME_ICONS = {
    "acknowledged": "✔",
    "acknowledged_after_escalation": "⤴",
    "no_answer": "✖",
    "pending": "…",
}

RECURRENCES = {
    "ad_hoc": N_("Ad hoc"),
    "weekly": N_("Weekly"),
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
}

RUN_STATUSES = {"open": N_("Open"), "closed": N_("Closed")}

STEP_KINDS = {
    "contact": N_("The point of contact"),
    "rota": N_("The person on duty"),
    "partner_desk": N_("The partner's other 24/7 desk"),
    "national_desk": N_("The national 24/7 desk"),
}

DELIVERIES = {"queued": N_("Not sent"), "sent": N_("Sent"), "failed": N_("Failed")}

READINESS_LABELS = {
    "shift_roles": SHIFT_ROLES,
    "outcomes": OUTCOMES,
    "outcome_icons": OUTCOME_ICONS,
    "recurrences": RECURRENCES,
    "run_statuses": RUN_STATUSES,
    "step_kinds": STEP_KINDS,
    "deliveries": DELIVERIES,
}
