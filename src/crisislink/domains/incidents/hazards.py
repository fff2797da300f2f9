"""The hazard taxonomy incidents are declared with (documented in docs/hazards.md).

Codes are stable, dotted `family.kind`. Each hazard names its CAP 1.2 category, so a warning drafted from
an incident starts from the right one, and its EMSI event category (ETYPE/CATEGORY, ISO/TR 22351 code
list), so an incident exported as EMSI says what kind of event it is (the code list has no weather or
cyber family: those go to PSW, public safety and welfare).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from crisislink.kernel.errors import InvalidInput


@dataclass(frozen=True)
class Hazard:
    code: str
    title: str
    cap_category: str
    emsi_category: str


_HAZARDS = (
    Hazard("flood.river", "River flood", "Met", "FLD/PLN"),
    Hazard("flood.flash", "Flash flood", "Met", "FLD/FLS"),
    Hazard("flood.coastal", "Coastal flood, storm surge", "Met", "FLD/TID"),
    Hazard("flood.dam", "Dam or dike failure", "Infra", "FLD"),
    Hazard("storm.wind", "Windstorm", "Met", "PSW"),
    Hazard("storm.winter", "Snow and ice storm", "Met", "PSW"),
    Hazard("weather.heat", "Heatwave", "Met", "PSW"),
    Hazard("fire.wildfire", "Wildfire", "Fire", "FIR/CLA"),
    Hazard("fire.industrial", "Industrial fire", "Fire", "FIR/UKN"),
    Hazard("chemical.release", "Release of hazardous substances", "CBRNE", "POL/CHM"),
    Hazard("chemical.fire", "Chemical fire with toxic smoke", "CBRNE", "POL/CHM"),
    Hazard("nuclear.radiological", "Nuclear or radiological emergency", "CBRNE", "POL/RAD"),
    Hazard("transport.rail_hazmat", "Train derailment with hazardous goods", "Transport", "TRP"),
    Hazard("transport.rail", "Rail accident", "Transport", "TRP"),
    Hazard("transport.road", "Major road accident", "Transport", "TRP/COL"),
    Hazard("transport.air", "Aircraft accident", "Transport", "TRP"),
    Hazard("transport.waterway", "Shipping accident", "Transport", "TRP"),
    Hazard("health.pandemic", "Pandemic or epidemic", "Health", "HLT/EPI"),
    Hazard("health.animal", "Animal disease outbreak", "Health", "HLT/EPI"),
    Hazard("infrastructure.power", "Power outage, grid stress", "Infra", "PSW"),
    Hazard("infrastructure.telecom", "Telecommunication outage", "Infra", "PSW"),
    Hazard("infrastructure.water", "Drinking-water outage", "Infra", "PSW"),
    Hazard("cyber.attack", "Cyber attack", "Security", "PSW"),
    Hazard("security.hybrid", "Hybrid threat", "Security", "PSW"),
    Hazard("security.terrorism", "Terrorist attack", "Security", "ASB"),
    Hazard("public.mass_gathering", "Incident at a mass gathering", "Safety", "PSW/MEV"),
    Hazard("geo.earthquake", "Earthquake", "Geo", "GND/EQK"),
    Hazard("other", "Other", "Other", "PSW"),
)

HAZARDS = MappingProxyType({hazard.code: hazard for hazard in _HAZARDS})


def hazard(code: str) -> Hazard:
    try:
        return HAZARDS[code]
    except KeyError:
        raise InvalidInput(
            f"unknown hazard type {code!r}; use one of: {', '.join(HAZARDS)} (docs/hazards.md)"
        ) from None
