"""The console's names for hazards and levels stay in step with the domain's catalogues."""

from __future__ import annotations

from crisislink.domains.incidents.hazards import HAZARDS
from crisislink.domains.incidents.levels import SCHEMES
from crisislink.entrypoints.web.ui import labels


def test_every_hazard_has_a_translatable_name_and_no_name_is_left_over() -> None:
    assert set(labels.HAZARDS) == set(HAZARDS)
    assert all(labels.HAZARDS[code] == hazard.title for code, hazard in HAZARDS.items())


def test_every_level_of_every_country_has_a_translatable_name() -> None:
    expected = {(scheme.country, level.code) for scheme in SCHEMES.values() for level in scheme.levels}
    assert set(labels.LEVELS) == expected
    assert set(labels.SCHEMES) == set(SCHEMES)
