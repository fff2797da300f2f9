"""Which registered hospital a status report is about.

1. **Identifier**: an identifier the report gives (CIQ OrganisationIdentifier) equal to one the hospital is
   known by: its code (`BE-1000`, written in every report crisislink exports) or one an earlier report
   gave. Exact text, surrounding space ignored.
2. **Name and location**: otherwise, a hospital within MATCH_RADIUS_M of the reported point whose name,
   site, or "name site" equals the reported name once both are normalised (letter case, accents and
   punctuation ignored). Of several, the nearest.
3. Otherwise the report names a hospital the register does not know, and it is created; without a
   location it can be neither matched nor placed, and the report is refused.

The radius is generous because the register geocodes by address (Belgian and Dutch sites to the street,
some German ones to the town) while a report's point may be an entrance or a helipad.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from crisislink.domains.assistance.hospital import Hospital
from crisislink.domains.assistance.model import Point
from crisislink.kernel.errors import InvalidInput

MATCH_RADIUS_M = 1_000.0
EARTH_RADIUS_M = 6_371_008.8
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalised(name: str) -> str:
    """Lower case, accents dropped, every run of other characters one space: 'Hôpital St.-Jean' -> 'hopital st jean'."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", plain).strip()


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.lon, a.lat, b.lon, b.lat))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def names_of(hospital: Hospital) -> set[str]:
    names = {hospital.name}
    if hospital.site:
        names |= {hospital.site, f"{hospital.name} {hospital.site}"}
    return {normalised(name) for name in names}


def by_identifier(candidates: Iterable[Hospital], identifiers: tuple[str, ...]) -> Hospital | None:
    wanted = {i.strip() for i in identifiers if i.strip()}
    found = {h.id: h for h in candidates if wanted & set(h.identifiers)}
    if len(found) > 1:
        codes = ", ".join(sorted(h.code for h in found.values()))
        raise InvalidInput(f"the identifiers {sorted(wanted)} name several hospitals ({codes}); send one")
    return next(iter(found.values()), None)


def by_name_and_place(candidates: Iterable[Hospital], name: str, location: Point) -> Hospital | None:
    wanted = normalised(name)
    near = [
        (distance_m(h.location, location), h.code, h)
        for h in candidates
        if wanted in names_of(h) and distance_m(h.location, location) <= MATCH_RADIUS_M
    ]
    return min(near, key=lambda found: (found[0], found[1]))[2] if near else None
