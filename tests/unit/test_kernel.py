"""Kernel value objects: identifiers, time, markings, areas."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crisislink.kernel.clock import FixedClock, ensure_utc
from crisislink.kernel.geo import Area
from crisislink.kernel.i18n import check_language
from crisislink.kernel.ids import new_id, parse_id


def test_new_ids_are_version_7_rfc_variant_and_strictly_increasing() -> None:
    ids = [new_id() for _ in range(5000)]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_new_id_embeds_the_current_millisecond() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    stamp = new_id().int >> 80
    after = int(datetime.now(UTC).timestamp() * 1000)
    assert before <= stamp <= after + 1


def test_parse_id_names_the_bad_value() -> None:
    with pytest.raises(ValueError, match="'nope'"):
        parse_id("nope")


def test_naive_datetimes_are_refused_and_aware_ones_become_utc() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2021, 7, 14, 12, 0))  # noqa: DTZ001 -- the point of the test
    cest = timezone(timedelta(hours=2))
    assert ensure_utc(datetime(2021, 7, 14, 12, 0, tzinfo=cest)) == datetime(2021, 7, 14, 10, 0, tzinfo=UTC)


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2021, 7, 14, 12, 0, tzinfo=UTC))
    first = clock.now()
    clock.advance(timedelta(minutes=5))
    assert clock.now() - first == timedelta(minutes=5)


def test_area_accepts_polygons_only() -> None:
    square = {"type": "Polygon", "coordinates": [[[5, 50], [6, 50], [6, 51], [5, 50]]]}
    assert Area(geometry=square).geometry["type"] == "Polygon"
    with pytest.raises(ValueError, match="Point"):
        Area(geometry={"type": "Point", "coordinates": [5, 50]})


@pytest.mark.parametrize(("code", "expected"), [("NL", "nl"), (" fr ", "fr"), ("lb", "lb")])
def test_languages_are_normalised(code: str, expected: str) -> None:
    assert check_language(code) == expected


def test_unknown_language_is_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match="en, nl, fr, de, lb"):
        check_language("xx")
