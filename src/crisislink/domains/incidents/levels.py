"""Each country's own escalation scheme. Levels are shown side by side and never merged into one.

Sources and meanings: DOMAIN.md §1.1 (NL GRIP), §1.2 (BE coordination phases, KB 22 May 2019), §1.3
(LU crisis states, law of 23 July 2016 and PIU practice); docs/incidents.md has the operator's version.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from crisislink.kernel.errors import InvalidInput


@dataclass(frozen=True)
class Level:
    code: str
    title: str
    rank: int  # order within its own country's scheme only; never compared across countries


@dataclass(frozen=True)
class Scheme:
    country: str
    name: str
    levels: tuple[Level, ...]

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        known = ", ".join(level.code for level in self.levels)
        raise InvalidInput(
            f"{code!r} is not a level of the {self.name} ({self.country}); use one of: {known}"
        )


def _scheme(country: str, name: str, *levels: tuple[str, str]) -> Scheme:
    return Scheme(country, name, tuple(Level(code, title, rank) for rank, (code, title) in enumerate(levels)))


SCHEMES = MappingProxyType(
    {
        "NL": _scheme(
            "NL",
            "GRIP and the regional crisis structure",
            ("GRIP_0", "GRIP 0: routine, on-scene alignment"),
            ("GRIP_1", "GRIP 1: source control, CoPI"),
            ("GRIP_2", "GRIP 2: source and effect control, ROT"),
            ("GRIP_3", "GRIP 3: one municipality's population, GBT under the mayor"),
            ("GRIP_4", "GRIP 4: beyond one municipality, RBT under the chair of the safety region"),
            ("GRIP_5", "GRIP 5: several safety regions, coordinating chair"),
            ("NATIONAL", "National crisis structure (NCC, ICCb, MCCb)"),
        ),
        "BE": _scheme(
            "BE",
            "Belgian emergency-management phases",
            ("OPERATIONAL", "Operational coordination only (CP-Ops)"),
            ("MUNICIPAL", "Municipal phase: the mayor coordinates"),
            ("PROVINCIAL", "Provincial phase: the governor coordinates"),
            ("NATIONAL", "National (federal) phase: the Minister of the Interior through NCCN"),
        ),
        "LU": _scheme(
            "LU",
            "Luxembourg crisis states",
            ("VEILLE", "Watch: HCPN monitoring"),
            ("PRE_ALERTE", "Pre-alert: intervention plan, experts informed"),
            ("CELLULE_ACTIVE", "Crisis cell convened"),
            ("RETOUR_NORMAL", "Return to normal, lessons learned"),
        ),
    }
)


def scheme_of(country: str) -> Scheme:
    try:
        return SCHEMES[country.upper()]
    except KeyError:
        raise InvalidInput(
            f"no escalation scheme is configured for country {country!r}; "
            f"levels are kept for {', '.join(SCHEMES)}"
        ) from None
