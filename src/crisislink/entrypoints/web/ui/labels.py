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
