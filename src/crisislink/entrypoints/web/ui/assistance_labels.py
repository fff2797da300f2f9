"""Human names for the codes of mutual assistance shown in the console (marked for translation here,
translated when rendered). A test holds the capability and arrangement names in step with the domain's
catalogue; the national terms (what each country calls a type) are shown as the catalogue has them.
"""

from __future__ import annotations

from typing import Any

from crisislink.app.layers import N_
from crisislink.entrypoints.web.ui import labels

REQUEST_STATES = {
    "draft": N_("Draft, not sent"),
    "open": N_("Open: waiting for offers"),
    "partially_covered": N_("Partly covered"),
    "covered": N_("Covered"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired: no offer accepted in time"),
}

OFFER_STATES = {
    "offered": N_("Offered: waiting for the requester"),
    "accepted": N_("Accepted"),
    "mobilising": N_("Mobilising: on the way"),
    "deployed": N_("Deployed"),
    "demobilised": N_("Demobilised"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
    "lapsed": N_("Lapsed"),
}

UNIT_STATUSES = {
    "available": N_("Available"),
    "committed": N_("Committed"),
    "deployed": N_("Deployed"),
    "out_of_service": N_("Out of service"),
}

# What a quantity of a type counts (the catalogue's `measure`).
MEASURES = {
    "unit": N_("units"),
    "team": N_("teams"),
    "bed": N_("beds"),
    "module": N_("modules"),
}

# The catalogue's names, by code (domains/assistance/catalogue.py and ucpm_modules.py).
CAPABILITIES = {
    "medical.ambulance": N_("Emergency ambulance"),
    "medical.physician_team": N_("Mobile emergency physician team"),
    "medical.team": N_("Medical team for mass casualties (advanced medical post)"),
    "fire.engine": N_("Fire and rescue pumper"),
    "fire.aerial": N_("Aerial ladder or platform"),
    "water.rescue": N_("Water-rescue team (swimmers, divers, boats)"),
    "pumping.high_capacity": N_("High-capacity pumping"),
    "rescue.usar": N_("Urban search and rescue"),
    "cbrn.detection": N_("CBRN detection and sampling"),
    "air.helicopter": N_("Helicopter (hoist rescue, transport)"),
    "shelter.emergency": N_("Emergency shelter and reception"),
    "hospital.beds": N_("Hospital beds"),
    "power.generator": N_("Mobile power generator"),
    "ucpm.hcp": N_("High-capacity pumping"),
    "ucpm.wp": N_("Water purification"),
    "ucpm.musar": N_("Medium urban search and rescue"),
    "ucpm.husar": N_("Heavy urban search and rescue"),
    "ucpm.fffh": N_("Aerial forest firefighting using helicopters"),
    "ucpm.fffp": N_("Aerial forest firefighting using planes"),
    "ucpm.amp": N_("Advanced medical post"),
    "ucpm.amp_s": N_("Advanced medical post with surgery"),
    "ucpm.fhos": N_("Field hospital"),
    "ucpm.mevac": N_("Medical aerial evacuation of disaster victims"),
    "ucpm.ets": N_("Emergency temporary shelter"),
    "ucpm.cbrndet": N_("CBRN detection and sampling"),
    "ucpm.cbrnusar": N_("Search and rescue in CBRN conditions"),
    "ucpm.gfff": N_("Ground forest firefighting"),
    "ucpm.gfff_v": N_("Ground forest firefighting using vehicles"),
    "ucpm.fc": N_("Flood containment"),
    "ucpm.frb": N_("Flood rescue using boats"),
    "ucpm.emt1_fixed": N_("Emergency medical team type 1, fixed"),
    "ucpm.emt1_mobile": N_("Emergency medical team type 1, mobile"),
    "ucpm.emt2": N_("Emergency medical team type 2"),
    "ucpm.emt3": N_("Emergency medical team type 3"),
    "ucpm.tast": N_("Technical assistance and support team"),
    "ucpm.eucp_team": N_("EU civil-protection team of experts"),
    "ucpm.other": N_("Other response capacity"),
}

# Short names; the full English title (with dates and legal references) is the domain's, shown as a tooltip.
ARRANGEMENTS = {
    "benelux-ambulance-2009": N_("Benelux decision on urgent ambulance transport (2009)"),
    "emric": N_("EMRIC agreements (Euregio Meuse-Rhine)"),
    "ucpm": N_("EU Civil Protection Mechanism (UCPM)"),
    "be-nl-treaty": N_("BE-NL mutual assistance treaty (1984)"),
    "be-lu-convention": N_("BE-LU mutual assistance convention"),
    "be-de-treaty": N_("BE-DE mutual assistance agreement (1980)"),
    "nl-de-treaty": N_("NL-DE mutual assistance agreement (1988)"),
}

# The EDXL-RM message of each step (adapters/standards/edxl_rm_codes.Step).
MESSAGE_STEPS = {
    "request": N_("Request sent"),
    "offer": N_("Offer made"),
    "commit": N_("Offer accepted: commitment"),
    "mobilising": N_("Mobilising"),
    "status-query": N_("Requester asks for the deployment status"),
    "deployed": N_("Deployed"),
    "release": N_("Released (demobilised)"),
    "decline": N_("Offer declined, withdrawn or lapsed"),
    "ended": N_("Request closed, cancelled or expired"),
}

# Icons beside each status word (never colour alone); aria-hidden in the templates. System-font symbols.
ICONS = {
    "draft": "✎",
    "open": "…",
    "partially_covered": "◐",
    "covered": "✔",
    "closed": "■",
    "cancelled": "✖",
    "expired": "⊘",
    "offered": "…",
    "accepted": "✔",
    "mobilising": "➤",
    "deployed": "⚑",
    "demobilised": "↩",
    "declined": "✖",
    "withdrawn": "✖",
    "lapsed": "⊘",
    "available": "✔",
    "committed": "◷",
    "out_of_service": "⊘",
}


def assistance_labels() -> dict[str, Any]:
    """Everything the assistance templates look names up in."""
    return {
        "request_states": REQUEST_STATES,
        "offer_states": OFFER_STATES,
        "unit_statuses": UNIT_STATUSES,
        "measures": MEASURES,
        "capability_names": CAPABILITIES,
        "arrangement_names": ARRANGEMENTS,
        "message_steps": MESSAGE_STEPS,
        "icons": ICONS,
        "countries": labels.COUNTRIES,
        "language_names": labels.LANGUAGES,
        "markings": labels.MARKINGS,
    }
