"""The capability catalogue: resource types with stable codes, and what each country calls them.

Codes are stable, dotted `family.kind` (documented in docs/assistance.md). National types carry a
crosswalk: the Dutch, Belgian and Luxembourg term for the nearest equivalent, how close it is, and where
that comes from. The typologies do not line up one to one (crews, equipment and competences differ), so
most matches are approximate, and several terms are from general knowledge rather than a stored source:
the `source` of every term says which.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crisislink.domains.assistance.ucpm_modules import UCPM_MODULES, ModuleSpec
from crisislink.kernel.errors import InvalidInput

COUNTRIES = ("NL", "BE", "LU")
UNVERIFIED = "general knowledge, unverified"


class Match(enum.StrEnum):
    EXACT = "exact"  # the same kind of resource, used the same way
    APPROXIMATE = "approximate"  # the nearest equivalent; crew, equipment or competences differ
    NONE = "none"  # that country has no standing resource of this kind


@dataclass(frozen=True)
class NationalTerm:
    term: str
    match: Match
    note: str = ""
    source: str = UNVERIFIED


@dataclass(frozen=True)
class CapabilityType:
    code: str
    name: str
    family: str
    measure: str  # what a quantity of it counts: unit, team, bed, module
    ucpm_module: str | None = None  # the ERCC abbreviation, for an EU civil-protection module
    counterparts: tuple[str, ...] = ()  # codes of the nearest types on the other side (national <-> EU)
    terms: Mapping[str, NationalTerm] = field(default_factory=dict)
    verified: bool = True  # False: the module's abbreviation is from general knowledge (DOMAIN.md §2.3)


def _terms(nl: NationalTerm, be: NationalTerm, lu: NationalTerm) -> Mapping[str, NationalTerm]:
    return MappingProxyType({"NL": nl, "BE": be, "LU": lu})


A, X, NO = Match.APPROXIMATE, Match.EXACT, Match.NONE
D12, D25, D7 = "DOMAIN.md §1.2", "DOMAIN.md §2.5", "DOMAIN.md §7a"
CREWS = f"{D25} (competences differ); crew detail: {UNVERIFIED}"

_NATIONAL = (
    CapabilityType(
        "medical.ambulance",
        "Emergency ambulance",
        "medical",
        "unit",
        terms=_terms(
            NationalTerm("ambulance (RAV, A1 ride)", A, "a nurse and a driver: advanced life support", CREWS),
            NationalTerm("ambulance 112 (AMU / DGH)", A, "ambulance technicians: basic life support", CREWS),
            NationalTerm("ambulance (CGDIS)", A, "run by the fire and rescue corps", D7),
        ),
    ),
    CapabilityType(
        "medical.physician_team",
        "Mobile emergency physician team",
        "medical",
        "team",
        terms=_terms(
            NationalTerm("MMT (mobiel medisch team)", A, "mostly by trauma helicopter", D25),
            NationalTerm("SMUR / MUG", X, "hospital-based physician and nurse, by car", D12),
            NationalTerm("SAMU", A),
        ),
    ),
    CapabilityType(
        "medical.team",
        "Medical team for mass casualties (advanced medical post)",
        "medical",
        "team",
        counterparts=("ucpm.amp", "ucpm.emt1_mobile"),
        terms=_terms(
            NationalTerm("GNK-C (geneeskundige combinatie)", A),
            NationalTerm("PMA / VMP (advanced medical post, discipline 2)", A, "", D12),
            NationalTerm("PMA (CGDIS)", A),
        ),
    ),
    CapabilityType(
        "fire.engine",
        "Fire and rescue pumper",
        "fire",
        "unit",
        terms=_terms(
            NationalTerm("TS (tankautospuit)", A),
            NationalTerm("autopompe / autopomp (AP)", A),
            NationalTerm("HLF (Hilfeleistungslöschfahrzeug)", A, "German vehicle designations"),
        ),
    ),
    CapabilityType(
        "fire.aerial",
        "Aerial ladder or platform",
        "fire",
        "unit",
        terms=_terms(
            NationalTerm("AL (autoladder) / HW (hoogwerker)", A),
            NationalTerm("autoéchelle / ladderwagen", A),
            NationalTerm("DLK (Drehleiter)", A),
        ),
    ),
    CapabilityType(
        "water.rescue",
        "Water-rescue team (swimmers, divers, boats)",
        "water",
        "team",
        counterparts=("ucpm.frb",),
        terms=_terms(
            NationalTerm("waterongevallenteam / duikteam (brandweer)", A),
            NationalTerm("plongeurs / duikers (zone de secours)", A),
            NationalTerm("water-rescue team (CGDIS)", A, "6 firefighters sent to Liège, 14 July 2021", D7),
        ),
    ),
    CapabilityType(
        "pumping.high_capacity",
        "High-capacity pumping",
        "pumping",
        "unit",
        counterparts=("ucpm.hcp",),
        terms=_terms(
            NationalTerm("GWT (groot watertransport)", A, "built for supplying fire water, not for draining"),
            NationalTerm("Civil Protection high-capacity pumps (discipline 4)", A, "", D12),
            NationalTerm("high-capacity pumps (CGDIS)", A),
        ),
    ),
    CapabilityType(
        "rescue.usar",
        "Urban search and rescue",
        "rescue",
        "team",
        counterparts=("ucpm.musar", "ucpm.husar"),
        terms=_terms(
            NationalTerm("USAR.NL", A, "national team, deployed abroad"),
            NationalTerm("B-FAST USAR", A, "national team, deployed abroad"),
            NationalTerm("USAR team (CGDIS)", A),
        ),
    ),
    CapabilityType(
        "cbrn.detection",
        "CBRN detection and sampling",
        "cbrn",
        "team",
        counterparts=("ucpm.cbrndet",),
        terms=_terms(
            NationalTerm("meetploeg (Meetplanorganisatie, GMS)", A, "", "DOMAIN.md §4.5, §7b"),
            NationalTerm("Civil Protection CBRN measurement team", A, "", "DOMAIN.md §4.5, §7b"),
            NationalTerm("CBRN unit (CGDIS)", A),
        ),
    ),
    CapabilityType(
        "air.helicopter",
        "Helicopter (hoist rescue, transport)",
        "air",
        "unit",
        counterparts=("ucpm.mevac",),
        terms=_terms(
            NationalTerm("Defence or police helicopter; trauma helicopter (MMT)", A),
            NationalTerm("Defence helicopter", A),
            NationalTerm("Luxembourg Air Rescue", A),
        ),
    ),
    CapabilityType(
        "shelter.emergency",
        "Emergency shelter and reception",
        "shelter",
        "bed",
        counterparts=("ucpm.ets",),
        terms=_terms(
            NationalTerm("opvanglocatie (Bevolkingszorg, Rode Kruis)", A, "", "DOMAIN.md §1.1, §7a"),
            NationalTerm("centre d'accueil / opvangcentrum", A, "", D7),
            NationalTerm("emergency accommodation (commune, Red Cross)", A),
        ),
    ),
    CapabilityType(
        "hospital.beds",
        "Hospital beds",
        "hospital",
        "bed",
        counterparts=("ucpm.fhos",),
        terms=_terms(
            NationalTerm("ziekenhuisbedden", X, "", D25),
            NationalTerm("lits hospitaliers / ziekenhuisbedden", X, "", D25),
            NationalTerm("lits hospitaliers", X, "", D25),
        ),
    ),
    CapabilityType(
        "power.generator",
        "Mobile power generator",
        "power",
        "unit",
        terms=_terms(
            NationalTerm("noodstroomaggregaat", A),
            NationalTerm("groupe électrogène (Civil Protection)", A, "requested in DOMAIN.md §7c"),
            NationalTerm("groupe électrogène", A),
        ),
    ),
)


def _module(spec: ModuleSpec) -> CapabilityType:
    national = tuple(t.code for t in _NATIONAL if f"ucpm.{spec.abbreviation.lower()}" in t.counterparts)
    return CapabilityType(
        code=f"ucpm.{spec.abbreviation.lower()}",
        name=spec.name,
        family="ucpm",
        measure="module",
        ucpm_module=spec.abbreviation,
        counterparts=national,
        verified=spec.verified,
    )


CAPABILITIES: Mapping[str, CapabilityType] = MappingProxyType(
    {t.code: t for t in (*_NATIONAL, *(_module(m) for m in UCPM_MODULES))}
)


def capability(code: str) -> CapabilityType:
    """The type with this code; unknown codes are bad input that names where to look."""
    found = CAPABILITIES.get(code)
    if found is None:
        raise InvalidInput(f"unknown capability code {code!r}; GET /api/capabilities lists the codes")
    return found
