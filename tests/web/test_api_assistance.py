"""The mutual-assistance API over HTTP, on SQLite and PostgreSQL: the catalogue, units, a request from
Liège answered by Limburg-Noord from offer to demobilisation, who sees what, and bad input (a clear
problem, nothing changed).

The world: BE-PROV-LIEGE (liege.duty) asks, NL-VR23 (nl.duty) offers, BE-NCCN (be.duty) is asked nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.app.bootstrap import Platform
from tests.support import World
from tests.web.conftest import MONDAY_MORNING, Client, assert_problem, sign_in, snapshot

Body = dict[str, Any]
# Every test runs on the platform clock fixed at MONDAY_MORNING (`clocked_world`), so times are exact.
REQUESTS = "/api/assistance-requests"
UNITS = "/api/units"
ASSISTANCE_TABLES = (t.assistance_units, t.assistance_requests, t.assistance_offers)
CHAUDFONTAINE = {"name": "Chaudfontaine fire station", "lon": 5.63, "lat": 50.59}


def iso(hours: float = 0) -> str:
    return (MONDAY_MORNING + timedelta(hours=hours)).isoformat()


def switch(client: Client, username: str) -> dict[str, str]:
    client.cookies.clear()
    return sign_in(client, username)


def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def unit_body(**changes: Any) -> Body:
    body: Body = {
        "capability": "water.rescue",
        "name": "Waterongevallenteam Venlo (demo)",
        "call_sign": "DEMO-23-WO-1",
        "home_base": {"lon": 6.17, "lat": 51.37},
        "crew_languages": ["nl", "de"],
        "radio": ["C2000", "TETRA-ISI"],
        "arrangements": ["be-nl-treaty"],
    }
    return {**body, **changes}


def request_body(world: World, **changes: Any) -> Body:
    body: Body = {
        "capability": "water.rescue",
        "quantity": 2,
        "staging": CHAUDFONTAINE,
        "starts_at": iso(),
        "ends_at": iso(72),
        "support": {"liaison": "CP-Ops Chaudfontaine (demo)", "languages": ["fr", "en"], "logistics": "fuel"},
        "send_to": [str(world.partners["NL-VR23"])],
    }
    return {**body, **changes}


@dataclass
class Flow:
    """A unit of NL-VR23 and a request of Liège sent to NL-VR23, with an offer of that unit."""

    unit: Body
    request: Body
    offer: Body
    csrf: dict[str, str] = field(default_factory=dict)  # the signed-in user's (last switched to)

    def offer_path(self, action: str = "") -> str:
        path = f"{REQUESTS}/{self.request['id']}/offers/{self.offer['id']}"
        return f"{path}/{action}" if action else path


def flow(world: World, client: Client, *, units: int = 1) -> Flow:
    csrf = switch(client, "nl.duty")
    made = [
        ok(client.post(UNITS, json=unit_body(name=f"WO team {i} (demo)"), headers=csrf)) for i in range(units)
    ]
    csrf = switch(client, "liege.duty")
    request = ok(client.post(REQUESTS, json=request_body(world), headers=csrf))
    csrf = switch(client, "nl.duty")
    offer_body = {
        "available_from": iso(1),
        "unit_ids": [u["id"] for u in made],
        "conditions": "72 h self-sufficient",
    }
    offer = ok(client.post(f"{REQUESTS}/{request['id']}/offers", json=offer_body, headers=csrf))
    return Flow(made[0], request, offer, csrf)


def state(platform: Platform) -> dict[str, Any]:
    """Everything a rejected request must leave as it was: the shared tables and those of assistance."""
    taken = snapshot(platform)
    with platform.engine.connect() as conn:
        for table in ASSISTANCE_TABLES:
            rows = conn.execute(sa.select(table)).mappings().all()
            taken[table.name] = sorted((sorted(row.items()) for row in rows), key=repr)
    return taken


# --- the catalogue --------------------------------------------------------------------------------------


def test_the_catalogue_lists_types_with_their_crosswalk_and_the_arrangements(
    world: World, client: Client
) -> None:
    assert_problem(client.get("/api/capabilities"), 401)
    sign_in(client, "be.duty")
    catalogue = ok(client.get("/api/capabilities"), 200)
    types = {k["code"]: k for k in catalogue["capabilities"]}
    assert set(types["water.rescue"]["terms"]) == {"NL", "BE", "LU"}
    assert types["ucpm.hcp"]["ucpm_module"] == "HCP"
    assert types["ucpm.hcp"]["counterparts"] == ["pumping.high_capacity"]
    arrangements = {a["code"]: a for a in catalogue["arrangements"]}
    assert arrangements["emric"]["countries"] == ["BE", "DE", "NL"]
    assert arrangements["benelux-ambulance-2009"]["capabilities"] == [
        "medical.ambulance",
        "medical.physician_team",
    ]
    assert "RENITA" in catalogue["radio_systems"]
    one = ok(client.get("/api/capabilities/medical.physician_team"), 200)
    assert one["terms"]["BE"]["term"] == "SMUR / MUG"
    assert_problem(client.get("/api/capabilities/boats"), 404, "GET /api/capabilities")


# --- the flow -------------------------------------------------------------------------------------------


def test_a_request_is_offered_accepted_deployed_demobilised_and_closed(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    f = flow(world, client, units=2)
    assert f.request["status"] == "open"
    assert f.request["addressees"] == [str(world.partners["NL-VR23"])]
    assert f.request["staging"] == CHAUDFONTAINE
    assert (f.offer["status"], f.offer["quantity"], f.offer["owner_partner_id"]) == (
        "offered",
        2,
        str(world.partners["NL-VR23"]),
    )

    csrf = switch(client, "liege.duty")
    listed = ok(client.get(f"{REQUESTS}/{f.request['id']}/offers"), 200)
    assert [o["id"] for o in listed] == [f.offer["id"]]
    accepted = ok(client.post(f.offer_path("accept"), json={"quantity": 1}, headers=csrf))
    assert (accepted["status"], accepted["accepted"]) == ("accepted", 1)
    assert ok(client.get(f"{REQUESTS}/{f.request['id']}"), 200)["status"] == "partially_covered"

    csrf = switch(client, "nl.duty")
    assert ok(client.post(f.offer_path("mobilise"), headers=csrf))["status"] == "mobilising"
    deployed = ok(client.post(f.offer_path("deploy"), json={}, headers=csrf))
    assert deployed["status"] == "deployed"
    committed = deployed["accepted_units"][0]

    csrf = switch(client, "liege.duty")
    unit = ok(client.get(f"{UNITS}/{committed}"), 200)  # the team it received is shared with the host
    assert (unit["status"], unit["position"]) == ("deployed", [5.63, 50.59])
    features = ok(client.get("/api/map/layers/units"), 200)["features"]
    assert [feature["id"] for feature in features] == [f"unit:{committed}"]
    assert features[0]["geometry"]["coordinates"] == [5.63, 50.59]

    demobilised = ok(client.post(f.offer_path("demobilise"), json={"reason": "water receding"}, headers=csrf))
    assert (demobilised["status"], demobilised["reason"]) == ("demobilised", "water receding")
    closed = ok(client.post(f"{REQUESTS}/{f.request['id']}/close", json={}, headers=csrf))
    assert closed["status"] == "closed"
    assert ok(client.get(f"{UNITS}/{committed}"), 200)["status"] == "available"
    assert ok(client.get(REQUESTS), 200) == []  # ended requests are listed on request only
    assert [r["id"] for r in ok(client.get(REQUESTS, params={"include_ended": True}), 200)] == [
        f.request["id"]
    ]


def test_an_illegal_step_is_a_409_naming_the_state_and_what_is_possible(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    f = flow(world, client)
    assert_problem(
        client.post(f.offer_path("deploy"), json={}, headers=f.csrf),
        409,
        "the offer is offered",
        "accept, decline, withdraw",
        "not deploy",
    )
    assert ok(client.get(f.offer_path()), 200)["status"] == "offered"


def test_a_unit_is_registered_shared_and_tracked_by_its_owner(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "nl.duty")
    unit = ok(client.post(UNITS, json=unit_body(), headers=csrf))
    assert (unit["marking"], unit["audience"], unit["status"]) == ("AMBER", [], "available")
    assert unit["owner_partner_id"] == str(world.partners["NL-VR23"])
    moved = ok(
        client.post(
            f"{UNITS}/{unit['id']}/status",
            json={"status": "deployed", "position": {"lon": 6.0, "lat": 51.2}},
            headers=csrf,
        )
    )
    assert (moved["status"], moved["position"]) == ("deployed", [6.0, 51.2])

    csrf = switch(client, "liege.duty")
    assert_problem(client.get(f"{UNITS}/{unit['id']}"), 404, "no unit")
    assert ok(client.get(UNITS), 200) == []
    assert ok(client.get("/api/map/layers/units"), 200)["features"] == []

    csrf = switch(client, "nl.duty")
    liege = {"kind": "partner", "id": str(world.partners["BE-PROV-LIEGE"])}
    shared = client.patch(
        f"{UNITS}/{unit['id']}", json={"expected_version": 2, "audience": [liege]}, headers=csrf
    )
    assert ok(shared, 200)["audience"] == [liege]

    switch(client, "liege.duty")
    assert ok(client.get(f"{UNITS}/{unit['id']}"), 200)["name"] == "Waterongevallenteam Venlo (demo)"
    features = ok(client.get("/api/map/layers/units"), 200)["features"]
    assert [feature["properties"]["unit_id"] for feature in features] == [unit["id"]]
    switch(client, "be.duty")
    assert ok(client.get("/api/map/layers/units"), 200)["features"] == []


def test_a_third_partner_sees_neither_the_request_nor_its_offers_nor_the_units(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    f = flow(world, client)
    csrf = switch(client, "liege.duty")
    ok(client.post(f.offer_path("accept"), json={}, headers=csrf))
    csrf = switch(client, "be.duty")
    request_path = f"{REQUESTS}/{f.request['id']}"
    for path in (request_path, f"{request_path}/offers", f.offer_path(), f"{UNITS}/{f.unit['id']}"):
        assert_problem(client.get(path), 404, "that you may see")
    assert ok(client.get(REQUESTS, params={"include_ended": True}), 200) == []
    assert ok(client.get(UNITS), 200) == []
    assert ok(client.get("/api/map/layers/units"), 200)["features"] == []
    before = state(world.platform)
    assert_problem(client.post(f.offer_path("decline"), json={}, headers=csrf), 404)
    assert_problem(
        client.post(f"{request_path}/offers", json={"available_from": iso(), "quantity": 1}, headers=csrf),
        404,
    )
    assert state(world.platform) == before


def test_an_offer_is_seen_by_its_offerer_and_the_requester_only(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    f = flow(world, client)
    # NL-VR23 sees the request it was sent and its own offer.
    assert ok(client.get(f"{REQUESTS}/{f.request['id']}"), 200)["id"] == f.request["id"]
    assert [o["id"] for o in ok(client.get(f"{REQUESTS}/{f.request['id']}/offers"), 200)] == [f.offer["id"]]
    # An offer addressed through another request does not exist there.
    csrf = switch(client, "liege.duty")
    other = ok(client.post(REQUESTS, json=request_body(world), headers=csrf))
    assert_problem(client.get(f"{REQUESTS}/{other['id']}/offers/{f.offer['id']}"), 404)


# --- bad input ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    username: str
    method: str
    path: str  # {request}, {offer} (accepted), {spare} (an offer of 1, not decided) and {unit} are filled in
    body: Callable[[World], Body | None]
    status: int = 400
    mentions: tuple[str, ...] = ()


BAD = [
    pytest.param(
        Bad("liege.duty", "POST", REQUESTS, lambda w: request_body(w, quantity=-2), mentions=("quantity",)),
        id="negative-quantity",
    ),
    pytest.param(
        Bad(
            "liege.duty",
            "POST",
            REQUESTS,
            lambda w: request_body(w, ends_at=iso(-1)),
            mentions=("after it starts",),
        ),
        id="until-before-from",
    ),
    pytest.param(
        Bad(
            "liege.duty",
            "POST",
            REQUESTS,
            lambda w: request_body(w, capability="boats"),
            mentions=("unknown capability",),
        ),
        id="unknown-capability",
    ),
    pytest.param(
        Bad(
            "liege.duty",
            "POST",
            REQUESTS,
            lambda w: request_body(w, starts_at="2025-01-06T10:00:00"),
            mentions=("starts_at",),
        ),
        id="time-without-zone",
    ),
    pytest.param(
        Bad(
            "liege.duty", "POST", REQUESTS, lambda w: request_body(w, priority="high"), mentions=("priority",)
        ),
        id="unknown-field",
    ),
    pytest.param(
        Bad(
            "liege.duty",
            "POST",
            REQUESTS,
            lambda w: request_body(w, send_to=[str(w.partners["BE-PROV-LIEGE"])]),
            mentions=("itself",),
        ),
        id="sent-to-itself",
    ),
    pytest.param(
        Bad(
            "nl.duty",
            "POST",
            UNITS,
            lambda _: unit_body(arrangements=["benelux-ambulance-2009"]),
            mentions=("only medical.ambulance",),
        ),
        id="arrangement-out-of-scope",
    ),
    pytest.param(
        Bad("nl.duty", "POST", UNITS, lambda _: unit_body(radio=["CB"]), mentions=("unknown radio system",)),
        id="unknown-radio",
    ),
    pytest.param(
        Bad(
            "nl.duty",
            "POST",
            "{unit}/status",
            lambda _: {"status": "available", "position": {"lon": 6, "lat": 51}},
            status=409,
            mentions=("follows that offer",),
        ),
        id="status-of-a-unit-held-by-an-offer",
    ),
    pytest.param(
        Bad(
            "nl.duty",
            "POST",
            "{request}/offers",
            lambda _: {"available_from": iso(), "quantity": 0},
            mentions=("quantity",),
        ),
        id="offer-of-nothing",
    ),
    pytest.param(
        Bad("liege.duty", "POST", "{spare}/accept", lambda _: {"quantity": 5}, mentions=("accept at most",)),
        id="accept-more-than-offered",
    ),
    pytest.param(
        Bad(
            "liege.duty",
            "POST",
            "{offer}/accept",
            lambda _: {},
            status=409,
            mentions=("the offer is accepted", "not accept"),
        ),
        id="accept-twice",
    ),
    pytest.param(
        Bad(
            "liege.duty",
            "POST",
            "{offer}/mobilise",
            lambda _: None,
            status=403,
            mentions=("only the offering partner",),
        ),
        id="requester-mobilises",
    ),
    pytest.param(
        Bad(
            "nl.duty",
            "POST",
            "{offer}/deploy",
            lambda _: {},
            status=409,
            mentions=("the offer is accepted", "mobilise"),
        ),
        id="deploy-before-mobilising",
    ),
    pytest.param(
        Bad("liege.duty", "POST", "{request}/close", lambda _: {}, status=409, mentions=("demobilise them",)),
        id="close-with-a-team-out",
    ),
    pytest.param(
        Bad(
            "liege.duty",
            "POST",
            "{request}/send",
            lambda w: {"partners": [str(w.partners["NL-VR23"])]},
            status=409,
            mentions=("already",),
        ),
        id="sent-twice",
    ),
]


@pytest.mark.parametrize("bad", BAD)
def test_bad_input_gets_a_clear_problem_and_changes_nothing(
    clocked_world: World, clocked_client: Client, bad: Bad
) -> None:
    world, client = clocked_world, clocked_client
    f = flow(world, client)
    csrf = switch(client, "liege.duty")
    ok(client.post(f.offer_path("accept"), json={"quantity": 1}, headers=csrf))
    csrf = switch(client, "nl.duty")
    spare_body = {"available_from": iso(), "quantity": 1}
    spare = ok(client.post(f"{REQUESTS}/{f.request['id']}/offers", json=spare_body, headers=csrf))
    csrf = switch(client, bad.username)
    path = bad.path.format(
        request=f"{REQUESTS}/{f.request['id']}",
        offer=f.offer_path(),
        spare=f"{REQUESTS}/{f.request['id']}/offers/{spare['id']}",
        unit=f"{UNITS}/{f.unit['id']}",
    )
    before = state(world.platform)

    response = client.request(bad.method, path, json=bad.body(world), headers=csrf)

    assert_problem(response, bad.status, *bad.mentions)
    assert state(world.platform) == before


def test_the_well_formed_versions_of_those_requests_are_accepted(
    clocked_world: World, clocked_client: Client
) -> None:
    """The bodies above differ from these in one field each; these go through (so the errors are meaningful)."""
    world, client = clocked_world, clocked_client
    csrf = sign_in(client, "liege.duty")
    ok(
        client.post(
            REQUESTS, json=request_body(world, quantity=1, ends_at=iso(1), starts_at=iso(0)), headers=csrf
        )
    )
    draft = ok(client.post(REQUESTS, json=request_body(world, send_to=[]), headers=csrf))
    assert draft["status"] == "draft"
    csrf = switch(client, "nl.duty")
    ok(
        client.post(
            UNITS,
            json=unit_body(capability="medical.ambulance", arrangements=["benelux-ambulance-2009"]),
            headers=csrf,
        )
    )
    ok(client.post(UNITS, json=unit_body(radio=["c2000"]), headers=csrf))
    f = flow(world, client)
    ok(
        client.post(
            f"{REQUESTS}/{f.request['id']}/offers",
            json={"available_from": iso(), "quantity": 1},
            headers=f.csrf,
        )
    )
    csrf = switch(client, "liege.duty")
    ok(client.post(f.offer_path("accept"), json={"quantity": 1}, headers=csrf))
    unknown = uuid.uuid4()
    assert_problem(client.get(f"{REQUESTS}/{unknown}"), 404, "that you may see")
