"""Human names for the codes of public warnings shown in the console and on the public pages.

Marked for translation here and translated when rendered. CAP codes keep CAP's own spelling as keys; the
words beside them are what an operator or a resident reads.
"""

from __future__ import annotations

from typing import Any

from crisislink.app.layers import N_
from crisislink.domains.warnings.templates import template_for
from crisislink.entrypoints.web.ui import labels
from crisislink.kernel.errors import InvalidInput

# The order texts are written and shown in: the languages of the Benelux first, then English.
TEXT_LANGUAGES = ("nl", "fr", "de", "en", "lb")
TEXT_FIELDS = ("headline", "description", "instruction", "web", "contact")

STATES = {
    "draft": N_("Draft"),
    "awaiting_approval": N_("Awaiting approval"),
    "approved": N_("Approved, not issued"),
    "issued": N_("Issued"),
    "updated": N_("Issued (updated)"),
    "cancelled": N_("Cancelled, no longer in force"),
    "expired": N_("Expired"),
}

# CAP status. Only Actual ever reaches the public; the others are flagged wherever they are shown.
STATUSES = {
    "Actual": N_("Actual — a real warning to the public"),
    "Exercise": N_("EXERCISE — never reaches the public"),
    "Test": N_("TEST — never reaches the public"),
    "System": N_("SYSTEM — never reaches the public"),
}
DRAFTABLE_STATUSES = ("Actual", "Exercise", "Test")

CATEGORIES = {
    "Geo": N_("Geophysical"),
    "Met": N_("Meteorological"),
    "Safety": N_("General safety"),
    "Security": N_("Security"),
    "Rescue": N_("Rescue and recovery"),
    "Fire": N_("Fire"),
    "Health": N_("Health"),
    "Env": N_("Environmental"),
    "Transport": N_("Transport"),
    "Infra": N_("Infrastructure"),
    "CBRNE": N_("Chemical, biological, radiological, nuclear or explosive"),
    "Other": N_("Other"),
}

SEVERITIES = {
    "Extreme": N_("Extreme"),
    "Severe": N_("Severe"),
    "Moderate": N_("Moderate"),
    "Minor": N_("Minor"),
    "Unknown": N_("Unknown"),
}

URGENCIES = {
    "Immediate": N_("Immediate: act now"),
    "Expected": N_("Expected: act within the hour"),
    "Future": N_("Future: act in the near future"),
    "Past": N_("Past: no action needed any more"),
    "Unknown": N_("Unknown"),
}

CERTAINTIES = {
    "Observed": N_("Observed"),
    "Likely": N_("Likely (more than 50 %)"),
    "Possible": N_("Possible"),
    "Unlikely": N_("Unlikely"),
    "Unknown": N_("Unknown"),
}

RESPONSES = {
    "Shelter": N_("Shelter: go inside"),
    "Evacuate": N_("Evacuate"),
    "Prepare": N_("Prepare"),
    "Execute": N_("Execute a pre-planned action"),
    "Avoid": N_("Avoid the area"),
    "Monitor": N_("Monitor information sources"),
    "Assess": N_("Assess the situation"),
    "AllClear": N_("All clear"),
    "None": N_("No action recommended"),
}

# The EU (MeteoAlarm) awareness types, by their number in the profile (11 is unused).
AWARENESS_TYPES = {
    1: N_("Wind"),
    2: N_("Snow and ice"),
    3: N_("Thunderstorm"),
    4: N_("Fog"),
    5: N_("High temperature"),
    6: N_("Low temperature"),
    7: N_("Coastal event"),
    8: N_("Forest fire"),
    9: N_("Avalanches"),
    10: N_("Rain"),
    12: N_("Flooding"),
    13: N_("Rain and flooding"),
    14: N_("Marine hazard"),
    15: N_("Drought"),
}

AWARENESS_COLOURS = {"green": N_("green"), "yellow": N_("yellow"), "orange": N_("orange"), "red": N_("red")}

APPROVAL_STATUS = {
    "pending": N_("Waiting for a decision"),
    "approved": N_("Approved"),
    "changes_requested": N_("Changes requested"),
}

COMMENT_KINDS = {
    "comment": N_("Comment"),
    "changes_requested": N_("Changes requested"),
    "approval": N_("Approval"),
}

PART_STATUS = {
    "pending": N_("Goes out when the warning is issued"),
    "scheduled": N_("Scheduled"),
    "held": N_("Held: a person must look"),
    "issued": N_("Issued"),
    "withdrawn": N_("Withdrawn"),
}

DELIVERY_STATUS = {
    "pending": N_("Pending"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed: a person must look"),
    "refused": N_("Refused: not for the public"),
}

# Not "Cancel" alone: that word is the button everywhere else, a message type is a noun here.
MSG_TYPES = {"Alert": N_("Alert: first message"), "Update": N_("Update"), "Cancel": N_("Cancel message")}

# Icons shown beside a status word (never colour alone); aria-hidden in the templates. Symbols of the
# system fonts (DejaVu), not emoji: a wall screen without an emoji font would show empty boxes.
STATE_ICONS = {
    "draft": "✎",
    "awaiting_approval": "…",
    "approved": "✔",
    "issued": "➤",
    "updated": "➤",
    "cancelled": "✖",
    "expired": "⊘",
    "pending": "…",
    "scheduled": "◷",
    "held": "⚠",
    "withdrawn": "✖",
    "changes_requested": "✎",
    "delivered": "✔",
    "failed": "✖",
    "refused": "⊘",
}


def template_hazards() -> dict[str, str]:
    """The console's hazard codes a template covers (exactly or by family), with their names."""
    covered = {}
    for code, title in labels.HAZARDS.items():
        try:
            template_for(code)
        except InvalidInput:
            continue
        covered[code] = title
    return covered


def warning_labels() -> dict[str, Any]:
    """Everything the warning templates look names up in."""
    return {
        "states": STATES,
        "cap_statuses": STATUSES,
        "categories": CATEGORIES,
        "severities": SEVERITIES,
        "urgencies": URGENCIES,
        "certainties": CERTAINTIES,
        "responses": RESPONSES,
        "awareness_types": AWARENESS_TYPES,
        "awareness_colours": AWARENESS_COLOURS,
        "approval_statuses": APPROVAL_STATUS,
        "comment_kinds": COMMENT_KINDS,
        "part_statuses": PART_STATUS,
        "delivery_statuses": DELIVERY_STATUS,
        "msg_types": MSG_TYPES,
        "icons": STATE_ICONS,
        "text_languages": TEXT_LANGUAGES,
        "language_names": labels.LANGUAGES,
        "countries": labels.COUNTRIES,
        "markings": labels.MARKINGS,
        "hazards": labels.HAZARDS,
    }
