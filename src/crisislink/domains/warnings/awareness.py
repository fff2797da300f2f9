"""The EU (MeteoAlarm) profile's awareness types and levels, carried as CAP `info/parameter` values.

A level is the colour the public knows (yellow, orange, red) and stands for one CAP severity, so a warning
derives its level from its severity and the two never disagree (the EU profile rule CAP-AWARENESS-SEVERITY).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from crisislink.domains.warnings.codes import Severity
from crisislink.kernel.errors import InvalidInput


@dataclass(frozen=True)
class AwarenessType:
    number: int
    name: str

    def parameter(self) -> str:
        """The value of the `awareness_type` parameter, e.g. "12; flooding"."""
        return f"{self.number}; {self.name}"


@dataclass(frozen=True)
class AwarenessLevel:
    number: int
    colour: str
    severity: Severity

    def parameter(self) -> str:
        """The value of the `awareness_level` parameter, e.g. "2; yellow; Moderate"."""
        return f"{self.number}; {self.colour}; {self.severity.value}"


# Spelt as MeteoAlarm's members publish them. 11 is unused; 14 and 15 are the profile's recent additions.
_TYPES = (
    AwarenessType(1, "Wind"),
    AwarenessType(2, "snow-ice"),
    AwarenessType(3, "Thunderstorm"),
    AwarenessType(4, "Fog"),
    AwarenessType(5, "high-temperature"),
    AwarenessType(6, "low-temperature"),
    AwarenessType(7, "coastalevent"),
    AwarenessType(8, "forest-fire"),
    AwarenessType(9, "avalanches"),
    AwarenessType(10, "Rain"),
    AwarenessType(12, "flooding"),
    AwarenessType(13, "rain-flood"),
    AwarenessType(14, "marine-hazard"),
    AwarenessType(15, "drought"),
)
AWARENESS_TYPES = MappingProxyType({kind.number: kind for kind in _TYPES})

_LEVELS = (
    AwarenessLevel(1, "green", Severity.MINOR),
    AwarenessLevel(2, "yellow", Severity.MODERATE),
    AwarenessLevel(3, "orange", Severity.SEVERE),
    AwarenessLevel(4, "red", Severity.EXTREME),
)
AWARENESS_LEVELS = MappingProxyType({level.number: level for level in _LEVELS})


def awareness_type(number: int) -> AwarenessType:
    try:
        return AWARENESS_TYPES[number]
    except KeyError:
        known = ", ".join(f"{kind.number} {kind.name}" for kind in _TYPES)
        raise InvalidInput(f"{number} is not an EU awareness type; use one of: {known}") from None


def awareness_level(number: int) -> AwarenessLevel:
    try:
        return AWARENESS_LEVELS[number]
    except KeyError:
        raise InvalidInput(f"{number} is not an EU awareness level; use 1 (green) to 4 (red)") from None


def level_for(severity: Severity) -> AwarenessLevel | None:
    """The level a severity stands for; None for `Unknown`, which has no colour."""
    return next((level for level in _LEVELS if level.severity is severity), None)
