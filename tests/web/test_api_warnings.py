"""The public-warnings API end to end: the Geul and Meuse flood warning of July 2021 drafted by the Dutch
safety region of Zuid-Limburg, approved by NL and BE, issued, updated and cancelled — and bad input refused
with a problem detail that changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from crisislink.kernel.clock import FixedClock
from tests.support import World
from tests.web.conftest import MONDAY_MORNING, Client, assert_problem, sign_in, snapshot

GEUL_MEUSE = {
    "type": "Polygon",
    "coordinates": [[[5.64, 50.69], [5.90, 50.69], [5.90, 50.89], [5.64, 50.89], [5.64, 50.69]]],
}
TEXTS = {
    "nl": {
        "headline": "Hoogwater Geul en Maas",
        "description": "De Geul en de Maas treden buiten hun oevers.",
        "instruction": "Ga naar hoger gelegen plekken.",
    },
    "fr": {
        "headline": "Crue de la Meuse et de la Gueule",
        "description": "La Meuse déborde à Visé.",
        "instruction": "Montez à l'étage.",
    },
    "de": {
        "headline": "Hochwasser an Maas und Göhl",
        "description": "Die Maas tritt über die Ufer.",
        "instruction": "Gehen Sie in höhere Stockwerke.",
    },
    "en": {
        "headline": "Flooding of the Geul and Meuse",
        "description": "The rivers overflow their banks.",
        "instruction": "Move to higher ground.",
    },
}


def body(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "hazard": "flood.river",
        "category": "Met",
        "awareness_type": 12,
        "severity": "Severe",
        "urgency": "Immediate",
        "certainty": "Likely",
        "onset": (MONDAY_MORNING + timedelta(hours=1)).isoformat(),
        "expires": (MONDAY_MORNING + timedelta(hours=24)).isoformat(),
        "area": GEUL_MEUSE,
        "area_description": "Valleys of the Geul and the Meuse",
        "texts": TEXTS,
        "response_types": ["Evacuate"],
    }
    return base | changes


def draft(client: Client, **changes: Any) -> dict[str, Any]:
    headers = sign_in(client, "nl.info")
    response = client.post("/api/warnings", json=body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def act(client: Client, user: str, path: str, payload: dict[str, Any] | None = None) -> Any:
    headers = sign_in(client, user)
    return client.post(path, json=payload or {}, headers=headers)


def approve(client: Client, warning_id: str, revision: int) -> None:
    for user, country in (("nl.info", "NL"), ("be.info", "BE")):
        response = act(
            client, user, f"/api/warnings/{warning_id}/approve", {"country": country, "revision": revision}
        )
        assert response.status_code == 201, response.text


def test_targeting_names_places_people_codes_and_languages(clocked_client: Client) -> None:
    sign_in(clocked_client, "nl.duty")
    headers = sign_in(clocked_client, "nl.duty")
    response = clocked_client.post("/api/warnings/targeting", json={"area": GEUL_MEUSE}, headers=headers)
    assert response.status_code == 201, response.text
    found = response.json()
    assert [part["country"] for part in found["countries"]] == ["BE", "NL"]
    names = {unit["name"] for part in found["countries"] for unit in part["units"]}
    assert {"Maastricht", "Eijsden-Margraten", "Valkenburg aan de Geul", "Meerssen"} <= names
    assert {"nl", "fr"} <= {rule["language"] for rule in found["required_languages"]}
    assert found["population_reached"] > 100_000
    assert "NL423" in found["geocodes"]["nuts3"]


def test_picked_municipalities_are_an_area(clocked_client: Client) -> None:
    headers = sign_in(clocked_client, "nl.duty")
    voeren = {"units": [{"layer": "municipalities", "code": "73109"}]}
    response = clocked_client.post("/api/warnings/targeting", json=voeren, headers=headers)
    assert response.status_code == 201, response.text
    assert [part["country"] for part in response.json()["countries"]] == ["BE"]


def test_the_geul_and_meuse_warning_from_draft_to_cancel(clocked_client: Client, clock: FixedClock) -> None:
    client = clocked_client
    created = draft(client)
    warning_id = created["id"]
    assert created["state"] == "draft"
    assert created["missing_languages"] == []
    assert set(created["approvals"]) == {"BE", "NL"}
    assert created["targeting"]["countries"] == ["BE", "NL"]

    assert act(client, "nl.info", f"/api/warnings/{warning_id}/submit").status_code == 201
    refused = act(client, "nl.info", f"/api/warnings/{warning_id}/approve", {"country": "BE", "revision": 1})
    assert_problem(refused, 403, "BE")
    too_early = act(client, "nl.info", f"/api/warnings/{warning_id}/issue")
    assert_problem(too_early, 409, "approval")

    approve(client, warning_id, 1)
    issued = act(client, "nl.info", f"/api/warnings/{warning_id}/issue").json()
    assert issued["state"] == "issued"
    assert [m["msg_type"] for m in issued["messages"]] == ["Alert"]
    assert {code: part["status"] for code, part in issued["parts"].items()} == {
        "BE": "issued",
        "NL": "issued",
    }

    clock.advance(timedelta(minutes=20))
    headers = sign_in(client, "nl.info")
    revised = client.patch(
        f"/api/warnings/{warning_id}",
        json={"expected_revision": 1, "severity": "Extreme"},
        headers=headers,
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["pending_approvals"] == ["BE", "NL"]
    approve(client, warning_id, 2)
    updated = act(client, "nl.info", f"/api/warnings/{warning_id}/update", {"note": "the Meuse still rises"})
    assert updated.json()["state"] == "updated"

    clock.advance(timedelta(hours=1))
    cancelled = act(
        client, "nl.info", f"/api/warnings/{warning_id}/cancel", {"reason": "water receding"}
    ).json()
    assert cancelled["state"] == "cancelled"
    alert, update, cancel = cancelled["messages"]
    assert [alert["msg_type"], update["msg_type"], cancel["msg_type"]] == ["Alert", "Update", "Cancel"]
    assert [r["identifier"] for r in cancel["references"]] == [alert["identifier"], update["identifier"]]
    assert alert["sent"] != update["sent"]


def test_a_stale_decision_is_refused(clocked_client: Client) -> None:
    warning_id = draft(clocked_client)["id"]
    act(clocked_client, "nl.info", f"/api/warnings/{warning_id}/submit")
    headers = sign_in(clocked_client, "nl.info")
    clocked_client.patch(
        f"/api/warnings/{warning_id}", json={"expected_revision": 1, "severity": "Extreme"}, headers=headers
    )
    stale = act(
        clocked_client, "be.info", f"/api/warnings/{warning_id}/approve", {"country": "BE", "revision": 1}
    )
    assert_problem(stale, 409, "revision 2")


def test_a_warning_missing_a_required_language_is_not_issued(clocked_client: Client) -> None:
    created = draft(clocked_client, texts={"nl": TEXTS["nl"], "en": TEXTS["en"]})
    assert "fr" in created["missing_languages"]
    warning_id = created["id"]
    act(clocked_client, "nl.info", f"/api/warnings/{warning_id}/submit")
    approve(clocked_client, warning_id, 1)
    refused = act(clocked_client, "nl.info", f"/api/warnings/{warning_id}/issue")
    assert_problem(refused, 400, "French")


def test_an_analyst_sees_but_cannot_approve(clocked_client: Client) -> None:
    warning_id = draft(clocked_client)["id"]
    sign_in(clocked_client, "be.analyst")
    assert clocked_client.get(f"/api/warnings/{warning_id}").status_code == 200
    refused = act(
        clocked_client, "be.analyst", f"/api/warnings/{warning_id}/approve", {"country": "BE", "revision": 1}
    )
    assert_problem(refused, 403, "information officer")


@pytest.mark.parametrize(
    ("changes", "status", "mention"),
    [
        ({"expires": (MONDAY_MORNING - timedelta(hours=1)).isoformat()}, 400, "expires"),
        ({"severity": "Apocalyptic"}, 400, "severity"),
        ({"colour": "red"}, 400, "colour"),
        ({"emma_ids": ["NL012"]}, 400, "one way"),
        ({"area": None, "units": [{"layer": "municipalities", "code": "99999"}]}, 400, "99999"),
        ({"area": None}, 400, "area"),
        ({"hazard": "Flood River!"}, 400, "hazard"),
        ({"texts": {"xx": TEXTS["en"]}}, 400, "xx"),
        ({"marking": "RED"}, 400, "AMBER"),
    ],
)
def test_bad_drafts_are_refused_and_change_nothing(
    clocked_client: Client, clocked_world: World, changes: dict[str, Any], status: int, mention: str
) -> None:
    headers = sign_in(clocked_client, "nl.info")
    before = snapshot(clocked_world.platform)
    payload = {key: value for key, value in body(**changes).items() if value is not None}
    response = clocked_client.post("/api/warnings", json=payload, headers=headers)
    assert_problem(response, status, mention)
    assert snapshot(clocked_world.platform) == before
