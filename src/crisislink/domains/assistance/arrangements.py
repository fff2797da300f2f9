"""Cross-border arrangements under which a unit may operate abroad, and the radio systems units carry.

From DOMAIN.md §2.5 (Benelux ambulance decision, EMRIC), §2.1 (UCPM) and §1.0 (bilateral treaties, whose
titles and dates are unverified there, hence `verified=False` and codes without a year). The platform checks
countries and capability types only: whether a unit's home and the staging area lie in the Euregio
Meuse-Rhine, for EMRIC, is for the requester to judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from crisislink.kernel.errors import InvalidInput

# Member states, in the ISO 3166 codes the directory uses (Greece is GR, not EL).
_EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
# Participating states of the Mechanism besides the member states (general knowledge, as of 2024).
_UCPM_PARTICIPATING = ("AL", "BA", "IS", "MD", "ME", "MK", "NO", "RS", "TR", "UA")
AMBULANCE_TYPES = frozenset({"medical.ambulance", "medical.physician_team"})


@dataclass(frozen=True)
class Arrangement:
    code: str
    name: str
    countries: frozenset[str]
    source: str
    note: str = ""
    capabilities: frozenset[str] | None = None  # None: any capability type
    verified: bool = True

    def covers(self, countries: set[str], capability: str) -> bool:
        fits = self.capabilities is None or capability in self.capabilities
        return fits and countries <= self.countries


_ARRANGEMENTS = (
    Arrangement(
        "benelux-ambulance-2009",
        "Benelux decision on cross-border urgent ambulance transport "
        "(signed 8 Dec 2009, in force 1 Feb 2010)",
        frozenset({"BE", "NL", "LU"}),
        "DOMAIN.md §2.5",
        "only in emergencies when own ambulances are short; crews act within their home competences",
        AMBULANCE_TYPES,
    ),
    Arrangement(
        "emric",
        "EMRIC agreements (Euregio Meuse-Rhine incident control and crisis management)",
        frozenset({"BE", "NL", "DE"}),
        "DOMAIN.md §2.5",
        "Limburg and Liège provinces, VR Zuid-Limburg, Aachen, Heinsberg: ambulances and fire assistance",
    ),
    Arrangement(
        "ucpm",
        "Union Civil Protection Mechanism (Decision 1313/2013/EU), through the ERCC",
        frozenset((*_EU.split(" "), *_UCPM_PARTICIPATING)),
        "DOMAIN.md §2.1",
        "offers of modules and other response capacities in reply to a request for assistance",
    ),
    Arrangement(
        "be-nl-treaty",
        "BE-NL treaty on mutual assistance in combating disasters and serious accidents (1984)",
        frozenset({"BE", "NL"}),
        "DOMAIN.md §1.0",
        "title and date unverified",
        verified=False,
    ),
    Arrangement(
        "be-lu-convention",
        "BE-LU convention on mutual assistance in case of disasters",
        frozenset({"BE", "LU"}),
        "DOMAIN.md §1.0",
        "title and date (1978?) unverified",
        verified=False,
    ),
    Arrangement(
        "be-de-treaty",
        "BE-DE agreement on mutual assistance in disasters (1980)",
        frozenset({"BE", "DE"}),
        "DOMAIN.md §1.0",
        "title and date unverified",
        verified=False,
    ),
    Arrangement(
        "nl-de-treaty",
        "NL-DE agreement on mutual assistance in disasters (1988)",
        frozenset({"NL", "DE"}),
        "DOMAIN.md §1.0",
        "title and date unverified",
        verified=False,
    ),
)

ARRANGEMENTS: Mapping[str, Arrangement] = MappingProxyType({a.code: a for a in _ARRANGEMENTS})

# Radio networks of the emergency services (DOMAIN.md §2.5, §6.4); TETRA-ISI links TETRA networks.
RADIO_SYSTEMS = MappingProxyType(
    {
        "ASTRID": "Belgium (ASTRID, TETRA)",
        "C2000": "Netherlands (C2000, TETRA)",
        "RENITA": "Luxembourg (RENITA, TETRA)",
        "BOS-DIGITALFUNK": "Germany (BOS digital radio, TETRA)",
        "TETRA-ISI": "inter-system interface between TETRA networks",
        "ANALOGUE-VHF": "analogue VHF, for liaison without a shared network",
    }
)


def arrangement(code: str) -> Arrangement:
    found = ARRANGEMENTS.get(code)
    if found is None:
        known = ", ".join(ARRANGEMENTS)
        raise InvalidInput(f"unknown cross-border arrangement {code!r}; use one of {known}")
    return found


def check_arrangements(codes: tuple[str, ...], home_country: str, capability: str) -> tuple[str, ...]:
    """Each arrangement must exist, cover the unit's home country and apply to its type."""
    for code in codes:
        found = arrangement(code)
        if not found.covers({home_country}, capability):
            raise InvalidInput(
                f"the arrangement {code!r} does not cover a {capability} unit from {home_country} "
                f"(it covers {', '.join(sorted(found.countries))}"
                + (f" and only {', '.join(sorted(found.capabilities))}" if found.capabilities else "")
                + ")"
            )
    return tuple(dict.fromkeys(codes))


def check_radio(systems: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(s.strip().upper() for s in systems))
    unknown = [s for s in chosen if s not in RADIO_SYSTEMS]
    if unknown:
        raise InvalidInput(f"unknown radio system {unknown[0]!r}; use one of {', '.join(RADIO_SYSTEMS)}")
    return chosen


def crossing_arrangement(codes: tuple[str, ...], home: str, host: str, capability: str) -> Arrangement | None:
    """The first of a unit's arrangements under which it may work in `host`; None if there is none."""
    for code in codes:
        found = ARRANGEMENTS.get(code)
        if found is not None and found.covers({home, host}, capability):
            return found
    return None
