"""Hospitals and "nearest by travel time" over HTTP, on SQLite and PostgreSQL: the register, EDXL-HAVE in
and out, nearest hospitals, nearest units (only those the caller may see; no arrangement: last, flagged),
and bad input (a clear problem, nothing changed).

The world: BE-NCCN (be.duty, be.analyst) keeps the register; BE-PROV-LIEGE and NL-VR23 own units.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.standards import edxl_have as have
from crisislink.adapters.standards import edxl_have_xml
from crisislink.app.bootstrap import Platform
from crisislink.domains.assistance.commands import RegisterUnit
from crisislink.domains.assistance.model import Point, UnitStatus
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.support_hospitals import REAL_REPORTS, enveloped, hospital, real_report, seed_some
from tests.web.conftest import Client, assert_problem, sign_in, snapshot

HOSPITALS = "/api/hospitals"
NEAREST_UNITS = "/api/units/nearest"
MAASTRICHT: dict[str, float | str] = {"lon": 5.6909, "lat": 50.8514}  # NL
XML = {"content-type": "application/xml"}
TABLES = (t.hospitals, t.hospital_identifiers, t.hospital_reports, t.hospital_beds, t.assistance_units)


@pytest.fixture(autouse=True)
def no_road_graphs(world: World, tmp_path: Path) -> None:
    """A node that imported no road graph: every travel time here is the estimate, and says so."""
    world.platform.settings = dataclasses.replace(world.platform.settings, data_dir=tmp_path / "node")


def state(platform: Platform) -> dict[str, Any]:
    taken = snapshot(platform)
    with platform.engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(sa.select(table)).mappings().all()
            taken[table.name] = sorted((sorted(row.items()) for row in rows), key=repr)
    return taken


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


# --- the register -------------------------------------------------------------------------------------


def test_the_register_is_listed_filtered_and_read_by_signed_in_callers(world: World, client: Client) -> None:
    seed_some(world.platform, ("LU-1", "LU-12", "BE-1000"))
    assert_problem(client.get(HOSPITALS), 401)
    sign_in(client, "nl.duty")
    assert [h["code"] for h in ok(client.get(HOSPITALS))] == ["BE-1000", "LU-1", "LU-12"]
    assert [h["code"] for h in ok(client.get(HOSPITALS, params={"country": "LU"}))] == ["LU-1", "LU-12"]
    city = ok(client.get(HOSPITALS, params={"bbox": "6.03,49.55,6.22,49.66"}))
    assert [h["code"] for h in city] == ["LU-1"]
    one = ok(client.get(f"{HOSPITALS}/{city[0]['id']}"))
    assert (one["name"], one["site"], one["marking"], one["status"]) == (
        "Centre Hospitalier de Luxembourg",
        "Hôpital Municipal",
        "CLEAR",
        None,
    )
    assert_problem(client.get(HOSPITALS, params={"bbox": "6.2,49.5"}), 400, "bbox")
    assert_problem(client.get(f"{HOSPITALS}/{uuid.uuid4()}"), 404)


def test_a_report_is_imported_and_the_hospital_exported_as_valid_have(world: World, client: Client) -> None:
    seed_some(world.platform, ("LU-1",))
    csrf = sign_in(client, "be.duty")
    at = world.platform.clock.now()
    message = enveloped(
        hospital(
            "Centre Hospitalier de Luxembourg", at=at, identifiers=("LU-1",), beds=((have.BedType.BURN, 4),)
        )
    )
    summary = ok(client.post(f"{HOSPITALS}/have", content=message, headers={**csrf, **XML}), 201)
    assert (summary["distribution"], summary["recorded"], summary["current"]) == ("Actual", 1, 1)
    (hospital_id,) = summary["hospital_ids"]
    status = ok(client.get(f"{HOSPITALS}/{hospital_id}"))["status"]
    assert [(b["bed_type"], b["available"]) for b in status["beds"]] == [("Burn", 4)]
    exported = client.get(f"{HOSPITALS}/{hospital_id}/have.xml")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/xml")
    edxl_have_xml.validate(exported.content)


def test_both_real_reports_go_in_through_the_api(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    first = ok(
        client.post(f"{HOSPITALS}/have", content=real_report(REAL_REPORTS[0]), headers={**csrf, **XML}), 201
    )
    second = ok(
        client.post(f"{HOSPITALS}/have", content=real_report(REAL_REPORTS[1]), headers={**csrf, **XML}), 201
    )
    assert len(first["created"]) == 2
    assert (second["duplicates"], second["hospital_ids"]) == (2, first["hospital_ids"])


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        (b"<HospitalStatus", ("xml",)),
        (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'/>", ("EDXL-HAVE",)),
        (b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", ()),
        (
            b"<have:HospitalStatus xmlns:have='urn:oasis:names:tc:emergency:EDXL:HAVE:1.0'><have:Hospital/>"
            b"</have:HospitalStatus>",
            ("schema",),
        ),
    ],
)
def test_a_malformed_report_is_refused_clearly_and_changes_nothing(
    world: World, client: Client, body: bytes, mentions: tuple[str, ...]
) -> None:
    seed_some(world.platform, ("LU-1",))
    csrf = sign_in(client, "be.duty")
    before = state(world.platform)
    assert_problem(client.post(f"{HOSPITALS}/have", content=body, headers={**csrf, **XML}), 400, *mentions)
    assert state(world.platform) == before


def test_importing_needs_a_duty_officer(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.analyst")
    before = state(world.platform)
    response = client.post(f"{HOSPITALS}/have", content=real_report(REAL_REPORTS[0]), headers={**csrf, **XML})
    assert_problem(response, 403)
    assert state(world.platform) == before


# --- nearest hospitals ------------------------------------------------------------------------------


def test_nearest_hospitals_lists_those_able_confirmed_first_with_estimated_times(
    world: World, client: Client
) -> None:
    seed_some(world.platform, ("LU-1", "LU-4", "LU-12"))
    csrf = sign_in(client, "be.duty")
    at = world.platform.clock.now()
    reports = enveloped(
        hospital(
            "CHL", at=at, identifiers=("LU-1",), ems=have.EmsTrafficStatus.NORMAL
        ),  # open, room not counted
        hospital(
            "CHN",
            at=at,
            identifiers=("LU-12",),
            beds=((have.BedType.EMERGENCY_DEPARTMENT, 6),),
            ems=have.EmsTrafficStatus.NORMAL,
        ),
        hospital("Eich", at=at, identifiers=("LU-4",), ems=have.EmsTrafficStatus.CLOSED),
    )
    ok(client.post(f"{HOSPITALS}/have", content=reports, headers={**csrf, **XML}), 201)
    found = ok(
        client.get(
            f"{HOSPITALS}/nearest", params={"lon": 6.13, "lat": 49.61, "category": "emergency", "patients": 5}
        )
    )
    assert (found["category"], found["patients"], found["place"]["country"]) == ("emergency", 5, "LU")
    listed = [(h["code"], h["confirmed"]) for h in found["hospitals"]]
    assert listed == [("LU-12", True), ("LU-1", False)]  # Ettelbruck is farther but confirmed; Eich is closed
    travel = found["hospitals"][0]["travel"]
    assert travel["estimated"] is True
    assert travel["reason"] == "no imported road graph covers both ends of this trip"
    assert travel["road_metres"] > 25_000


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"lon": 6.13, "lat": 49.61, "category": "Burn", "patients": -2}, ("patients must be between 1",)),
        ({"lon": 6.13, "lat": 49.61, "category": "Burn", "patients": 0}, ("patients",)),
        ({"lon": 6.13, "lat": 49.61, "category": "Trauma"}, ("category", "AdultICU", "emergency")),
        ({"lon": 6.13, "category": "Burn"}, ("lon and lat",)),
        ({"lon": 49.61, "lat": 196.13, "category": "Burn"}, ("WGS84",)),
        ({"lon": 6.13, "lat": 49.61, "category": "Burn", "k": 0}, ("k must be between 1 and 100",)),
        ({"lon": "east", "lat": 49.61, "category": "Burn"}, ("lon",)),
    ],
)
def test_bad_questions_get_a_clear_problem(
    world: World, client: Client, params: dict[str, Any], mentions: tuple[str, ...]
) -> None:
    sign_in(client, "be.duty")
    before = state(world.platform)
    assert_problem(client.get(f"{HOSPITALS}/nearest", params=params), 400, *mentions)
    assert state(world.platform) == before


# --- nearest units ----------------------------------------------------------------------------------


def unit(world: World, owner: str, name: str, lon: float, lat: float, **changes: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "actor": SYSTEM,
        "partner_id": world.partners[owner],
        "capability": "medical.ambulance",
        "name": name,
        "home_base": Point(lon=lon, lat=lat),
        "marking": Tlp.GREEN,
    }
    unit_id: uuid.UUID = world.platform.bus.handle(RegisterUnit(**{**values, **changes}))
    return unit_id


def units_world(world: World) -> None:
    unit(world, "NL-VR23", "Ambulance Maastricht (demo)", 5.70, 50.85, marking=Tlp.AMBER)  # NL-VR23's own
    unit(
        world, "BE-PROV-LIEGE", "Ambulance Visé (demo)", 5.70, 50.73, arrangements=("benelux-ambulance-2009",)
    )
    unit(world, "BE-PROV-LIEGE", "Ambulance Lanaken (demo)", 5.65, 50.89)  # nearer, but no arrangement
    unit(world, "BE-PROV-LIEGE", "Ambulance Eijsden (demo)", 5.71, 50.78, status=UnitStatus.OUT_OF_SERVICE)
    unit(world, "BE-PROV-LIEGE", "Pump Liège (demo)", 5.69, 50.84, capability="pumping.high_capacity")


def names(body: dict[str, Any]) -> list[str]:
    return [u["name"] for u in body["units"]]


def test_nearest_units_are_only_those_the_caller_may_see(world: World, client: Client) -> None:
    units_world(world)
    query = {**MAASTRICHT, "capability": "medical.ambulance"}
    assert_problem(client.get(NEAREST_UNITS, params=query), 401)
    sign_in(client, "be.duty")
    seen_by_be = ok(client.get(NEAREST_UNITS, params=query))
    assert names(seen_by_be) == ["Ambulance Visé (demo)", "Ambulance Lanaken (demo)"]
    assert seen_by_be["candidates"] == 2  # the AMBER unit of NL-VR23 is not even counted
    client.cookies.clear()
    sign_in(client, "nl.duty")
    seen_by_nl = ok(client.get(NEAREST_UNITS, params=query))
    assert names(seen_by_nl) == [
        "Ambulance Maastricht (demo)",
        "Ambulance Visé (demo)",
        "Ambulance Lanaken (demo)",
    ]


def test_each_unit_says_which_arrangement_lets_it_cross_or_that_none_does(
    world: World, client: Client
) -> None:
    units_world(world)
    sign_in(client, "nl.duty")
    body = ok(client.get(NEAREST_UNITS, params={**MAASTRICHT, "capability": "medical.ambulance", "k": 10}))
    assert body["place"]["country"] == "NL"
    home, vise, lanaken = body["units"]
    assert (home["country"], home["cross_border"], home["arrangements"], home["flag"]) == (
        "NL",
        False,
        [],
        None,
    )
    assert vise["cross_border"] is True
    assert [a["code"] for a in vise["arrangements"]] == ["benelux-ambulance-2009"]
    assert vise["flag"] is None
    assert (lanaken["arrangements"], lanaken["flag"]) == ([], "no arrangement covers NL")
    assert lanaken["travel"]["seconds"] < vise["travel"]["seconds"]  # listed last although nearer
    for found in body["units"]:
        assert found["travel"]["estimated"] is True
        assert found["travel"]["reason"] == "no imported road graph covers both ends of this trip"
        assert found["leaves_from"] == "home_base"
    assert names(
        ok(client.get(NEAREST_UNITS, params={**MAASTRICHT, "capability": "medical.ambulance", "k": 1}))
    ) == ["Ambulance Maastricht (demo)"]


def test_nearest_units_refuses_bad_questions(world: World, client: Client) -> None:
    sign_in(client, "be.duty")
    before = state(world.platform)
    assert_problem(
        client.get(NEAREST_UNITS, params={**MAASTRICHT, "capability": "medical.unicorn"}), 400, "capability"
    )
    assert_problem(client.get(NEAREST_UNITS, params={"capability": "medical.ambulance"}), 400, "lon and lat")
    assert_problem(
        client.get(NEAREST_UNITS, params={**MAASTRICHT, "capability": "medical.ambulance", "k": 101}),
        400,
        "k",
    )
    assert_problem(
        client.get(
            NEAREST_UNITS,
            params={**MAASTRICHT, "capability": "medical.ambulance", "incident_id": str(uuid.uuid4())},
        ),
        400,
        "either",
    )
    assert_problem(
        client.get(
            NEAREST_UNITS, params={"capability": "medical.ambulance", "incident_id": str(uuid.uuid4())}
        ),
        404,
    )
    assert state(world.platform) == before


def test_an_incident_the_caller_may_see_gives_the_place(world: World, client: Client) -> None:
    units_world(world)
    csrf = sign_in(client, "be.duty")
    incident = {
        "title": "Coach crash on the A2 at Maastricht",
        "hazard": "transport.road",
        "lead_partner_id": str(world.partners["BE-NCCN"]),
        "buffer": {"centre": MAASTRICHT, "radius_m": 500},
    }
    declared = ok(client.post("/api/incidents", json=incident, headers=csrf), 201)
    body = ok(
        client.get(NEAREST_UNITS, params={"capability": "medical.ambulance", "incident_id": declared["id"]})
    )
    assert (body["place"]["lon"], body["place"]["lat"], body["place"]["country"]) == (5.6909, 50.8514, "NL")
    assert names(body) == ["Ambulance Visé (demo)", "Ambulance Lanaken (demo)"]


def test_the_hospitals_map_layer_serves_the_register(world: World, client: Client) -> None:
    seed_some(world.platform, ("LU-1", "BE-1000"))
    sign_in(client, "liege.duty")
    response = client.get("/api/map/layers/hospitals")
    assert response.status_code == 200, response.text
    features = response.json()["features"]
    assert [f["properties"]["code"] for f in features] == ["BE-1000", "LU-1"]
    belgian = features[0]
    assert belgian["geometry"] == {"type": "Point", "coordinates": [3.24914, 51.18513]}
    assert (belgian["properties"]["emergency"], belgian["properties"]["beds"]) == (True, 419)
