"""The EU (MeteoAlarm) profile's rules: its awareness parameters and its geocodes, checked where used.

MeteoAlarm alerts carry `info/parameter` `awareness_level` ("2; yellow; Moderate") and `awareness_type`
("12; flooding"), and name areas by `geocode` EMMA_ID (BE004, NL007, LU001) and/or NUTS codes. Real feeds
vary the capitalisation and the words after the number, so the rules read the leading number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Final

from crisislink.adapters.standards import cap
from crisislink.adapters.standards.cap_rules import Finding, Level, RuleSet, areas

EU_PROFILE: Final = RuleSet()

# Awareness level -> (colour, the CAP severity it stands for).
AWARENESS_LEVELS: Final[Mapping[int, tuple[str, str]]] = {
    1: ("green", "Minor"),
    2: ("yellow", "Moderate"),
    3: ("orange", "Severe"),
    4: ("red", "Extreme"),
}
# Awareness types as MeteoAlarm's members publish them (11 is unused; 14 and 15 are recent additions).
AWARENESS_TYPES: Final[Mapping[int, str]] = {
    1: "wind",
    2: "snow-ice",
    3: "thunderstorm",
    4: "fog",
    5: "high-temperature",
    6: "low-temperature",
    7: "coastalevent",
    8: "forest-fire",
    9: "avalanches",
    10: "rain",
    12: "flooding",
    13: "rain-flood",
    14: "marine-hazard",
    15: "drought",
}
LEADING_NUMBER: Final = re.compile(r"\s*(\d+)\s*(?:;(.*))?", re.DOTALL)
EMMA_ID_NAME: Final = re.compile("EMMA_ID", re.IGNORECASE)
EMMA_ID: Final = re.compile(r"[A-Z]{2}\d{3}")
# MeteoAlarm's warning regions of the Benelux (from the meteoalarm package's geocodes; data: MeteoAlarm).
BENELUX_EMMA_IDS: Final = frozenset(
    [f"BE{n:03d}" for n in (*range(1, 10), 801)]
    + [f"NL{n:03d}" for n in (*range(7, 20), *range(801, 808))]
    + ["LU001", "LU002"]
)
NUTS_NAME: Final = re.compile(r"NUTS[-_ ]?([0-3])?", re.IGNORECASE)  # NUTS, NUTS3, NUTS-2...
NUTS_CODE: Final = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")  # country code, then one character per level


def _parameters(alert: cap.Alert, name: str) -> Iterator[tuple[str, cap.Info, tuple[int, str] | None, str]]:
    """(where, info, (leading number, rest) or None, value) of every parameter `name`."""
    for i, info in enumerate(alert.infos, 1):
        for value in info.parameter_values(name):
            found = LEADING_NUMBER.fullmatch(value)
            parsed = None if found is None else (int(found[1]), (found[2] or "").strip())
            yield f"alert/info[{i}]/parameter[{name}]", info, parsed, value


@EU_PROFILE.model("CAP-AWARENESS-LEVEL", Level.ERROR)
def check_awareness_level(alert: cap.Alert) -> Iterator[Finding]:
    """awareness_level is 'N; colour; Severity' with N 1-4 and its colour (any capitalisation)."""
    for where, _, parsed, value in _parameters(alert, "awareness_level"):
        level = AWARENESS_LEVELS.get(parsed[0]) if parsed else None
        if parsed is None or level is None:
            yield where, f"{value!r} does not start with a level 1-4 ('2; yellow; Moderate')"
        elif parsed[1] and parsed[1].split(";")[0].strip().casefold() != level[0]:
            yield where, f"{value!r}: level {parsed[0]} is {level[0]}"


@EU_PROFILE.model("CAP-AWARENESS-SEVERITY", Level.WARNING)
def check_awareness_severity(alert: cap.Alert) -> Iterator[Finding]:
    """The awareness level matches the info's severity (2 yellow Moderate...)."""
    for where, info, parsed, _ in _parameters(alert, "awareness_level"):
        level = AWARENESS_LEVELS.get(parsed[0]) if parsed else None
        if parsed and level and info.severity != level[1]:
            yield (
                where,
                f"awareness level {parsed[0]} ({level[0]}) means {level[1]}; the info says {info.severity}",
            )


@EU_PROFILE.model("CAP-AWARENESS-TYPE", Level.ERROR)
def check_awareness_type(alert: cap.Alert) -> Iterator[Finding]:
    """awareness_type starts with its number ('12; flooding')."""
    for where, _, parsed, value in _parameters(alert, "awareness_type"):
        if parsed is None:
            yield where, f"{value!r} does not start with a type number ('12; flooding')"


@EU_PROFILE.model("CAP-AWARENESS-TYPE-UNKNOWN", Level.WARNING)
def check_awareness_type_known(alert: cap.Alert) -> Iterator[Finding]:
    """The awareness_type number is one MeteoAlarm uses."""
    for where, _, parsed, value in _parameters(alert, "awareness_type"):
        if parsed and parsed[0] not in AWARENESS_TYPES:
            yield where, f"{value!r}: {parsed[0]} is not a MeteoAlarm awareness type"


def _geocodes(alert: cap.Alert, name: re.Pattern[str]) -> Iterator[tuple[str, re.Match[str], str]]:
    for where, area in areas(alert):
        for k, geocode in enumerate(area.geocodes, 1):
            if found := name.fullmatch(geocode.value_name.strip()):
                yield f"{where}/geocode[{k}]", found, geocode.value.strip()


@EU_PROFILE.model("CAP-GEOCODE-EMMA-ID", Level.ERROR)
def check_emma_id(alert: cap.Alert) -> Iterator[Finding]:
    """An EMMA_ID geocode is a country code and three digits."""
    for where, _, value in _geocodes(alert, EMMA_ID_NAME):
        if not EMMA_ID.fullmatch(value):
            yield where, f"EMMA_ID {value!r} is not a country code and three digits (BE004, NL007, LU001)"


@EU_PROFILE.model("CAP-GEOCODE-EMMA-ID-UNKNOWN", Level.WARNING)
def check_emma_id_known(alert: cap.Alert) -> Iterator[Finding]:
    """A Benelux EMMA_ID is one of MeteoAlarm's Benelux warning regions."""
    for where, _, value in _geocodes(alert, EMMA_ID_NAME):
        if EMMA_ID.fullmatch(value) and value[:2] in {"BE", "NL", "LU"} and value not in BENELUX_EMMA_IDS:
            yield where, f"EMMA_ID {value} is not a known MeteoAlarm region of {value[:2]}"


@EU_PROFILE.model("CAP-GEOCODE-NUTS", Level.ERROR)
def check_nuts(alert: cap.Alert) -> Iterator[Finding]:
    """A NUTS geocode is a country code and one character per level (NUTS3: FR821)."""
    for where, name, value in _geocodes(alert, NUTS_NAME):
        level = name[1]
        if not NUTS_CODE.fullmatch(value) or (level is not None and len(value) != 2 + int(level)):
            yield where, f"{value!r} is not a NUTS{level or ''} code"
