"""Human names for codes shown in the console (marked for translation; translated when rendered)."""

from __future__ import annotations

from crisislink.app.layers import N_

PARTNER_KINDS = {
    "national_crisis_centre": N_("National crisis centre"),
    "provincial_crisis_cell": N_("Provincial crisis cell"),
    "safety_region": N_("Safety region"),
    "civil_protection": N_("Civil protection"),
    "fire_rescue_service": N_("Fire and rescue service"),
    "government_body": N_("Government body"),
    "eu_body": N_("EU body"),
    "external_authority": N_("Neighbouring authority"),
}

CONTACT_ROLES = {
    "duty_desk_24_7": N_("24/7 duty desk"),
    "liaison_officer": N_("Liaison officer"),
    "spokesperson": N_("Spokesperson"),
    "emergency_planning": N_("Emergency planning"),
    "information_manager": N_("Information manager"),
    "operational_lead": N_("Operational lead"),
}

CHANNELS = {
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "radio": N_("Radio"),
    "secure_line": N_("Secure line"),
    "fax": N_("Fax"),
}

COUNTRIES = {
    "BE": N_("Belgium"),
    "NL": N_("Netherlands"),
    "LU": N_("Luxembourg"),
    "DE": N_("Germany"),
    "FR": N_("France"),
    "EU": N_("European Union"),
}

MARKINGS = {
    "CLEAR": N_("TLP:CLEAR — public"),
    "GREEN": N_("TLP:GREEN — the network"),
    "AMBER": N_("TLP:AMBER — named partners"),
    "AMBER+STRICT": N_("TLP:AMBER+STRICT — owner only"),
    "RED": N_("TLP:RED — named people only"),
}

LANGUAGES = {
    "en": N_("English"),
    "nl": N_("Dutch"),
    "fr": N_("French"),
    "de": N_("German"),
    "lb": N_("Luxembourgish"),
}

# Incidents. A test holds these in step with the domain's catalogues (hazards.py, levels.py).
HAZARDS = {
    "flood.river": N_("River flood"),
    "flood.flash": N_("Flash flood"),
    "flood.coastal": N_("Coastal flood, storm surge"),
    "flood.dam": N_("Dam or dike failure"),
    "storm.wind": N_("Windstorm"),
    "storm.winter": N_("Snow and ice storm"),
    "weather.heat": N_("Heatwave"),
    "fire.wildfire": N_("Wildfire"),
    "fire.industrial": N_("Industrial fire"),
    "chemical.release": N_("Release of hazardous substances"),
    "chemical.fire": N_("Chemical fire with toxic smoke"),
    "nuclear.radiological": N_("Nuclear or radiological emergency"),
    "transport.rail_hazmat": N_("Train derailment with hazardous goods"),
    "transport.rail": N_("Rail accident"),
    "transport.road": N_("Major road accident"),
    "transport.air": N_("Aircraft accident"),
    "transport.waterway": N_("Shipping accident"),
    "health.pandemic": N_("Pandemic or epidemic"),
    "health.animal": N_("Animal disease outbreak"),
    "infrastructure.power": N_("Power outage, grid stress"),
    "infrastructure.telecom": N_("Telecommunication outage"),
    "infrastructure.water": N_("Drinking-water outage"),
    "cyber.attack": N_("Cyber attack"),
    "security.hybrid": N_("Hybrid threat"),
    "security.terrorism": N_("Terrorist attack"),
    "public.mass_gathering": N_("Incident at a mass gathering"),
    "geo.earthquake": N_("Earthquake"),
    "other": N_("Other"),
}

LEVELS = {
    ("NL", "GRIP_0"): N_("GRIP 0: routine, on-scene alignment"),
    ("NL", "GRIP_1"): N_("GRIP 1: source control, CoPI"),
    ("NL", "GRIP_2"): N_("GRIP 2: source and effect control, ROT"),
    ("NL", "GRIP_3"): N_("GRIP 3: one municipality's population, GBT under the mayor"),
    ("NL", "GRIP_4"): N_("GRIP 4: beyond one municipality, RBT under the chair of the safety region"),
    ("NL", "GRIP_5"): N_("GRIP 5: several safety regions, coordinating chair"),
    ("NL", "NATIONAL"): N_("National crisis structure (NCC, ICCb, MCCb)"),
    ("BE", "OPERATIONAL"): N_("Operational coordination only (CP-Ops)"),
    ("BE", "MUNICIPAL"): N_("Municipal phase: the mayor coordinates"),
    ("BE", "PROVINCIAL"): N_("Provincial phase: the governor coordinates"),
    ("BE", "NATIONAL"): N_("National (federal) phase: the Minister of the Interior through NCCN"),
    ("LU", "VEILLE"): N_("Watch: HCPN monitoring"),
    ("LU", "PRE_ALERTE"): N_("Pre-alert: intervention plan, experts informed"),
    ("LU", "CELLULE_ACTIVE"): N_("Crisis cell convened"),
    ("LU", "RETOUR_NORMAL"): N_("Return to normal, lessons learned"),
}

SCHEMES = {
    "NL": N_("GRIP and the regional crisis structure"),
    "BE": N_("Belgian emergency-management phases"),
    "LU": N_("Luxembourg crisis states"),
}

INCIDENT_STATUS = {
    "active": N_("Active"),
    "de_escalating": N_("De-escalating"),
    "closed": N_("Closed"),
}

MODES = {
    "live": N_("Live"),
    "exercise": N_("EXERCISE — not a real incident"),
    "replay": N_("REPLAY of a past event — not live data"),
}

ENTRY_KINDS = {
    "information": N_("Information"),
    "decision": N_("Decision"),
    "action": N_("Action"),
    "request": N_("Request"),
}

TASK_STATUS = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}

NOTIFICATION_STATUS = {
    "pending": N_("Waiting for acknowledgement"),
    "acknowledged": N_("Acknowledged"),
    "unanswered": N_("Nobody answered"),
}

SITREP_STATUS = {
    "draft": N_("Draft"),
    "scheduled": N_("Scheduled"),
    "published": N_("Published"),
}

TIMELINE_KINDS = {
    "level": N_("Level"),
    "log": N_("Log"),
    "task": N_("Task"),
    "sitrep": N_("Situation report"),
    "notification": N_("Neighbour told"),
}
