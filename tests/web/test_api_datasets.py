"""The datasets API: publishing, pushing observations with an API token, reading and exporting them.

The world: BE-NCCN (be.duty) publishes and feeds; NL-VR23 (nl.duty) and BE-PROV-LIEGE (liege.duty) read
what the marking lets them.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Scope
from crisislink.kernel.markings import Principal, Tlp
from tests.support import World
from tests.web.conftest import Client, assert_problem, bearer, sign_in

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["series", "observed_at", "value"],
    "properties": {
        "series": {"type": "string"},
        "observed_at": {"type": "string"},
        "value": {"type": ["number", "null"], "maximum": 10_000},
        "quality": {"enum": ["raw", "validated"]},
    },
    "additionalProperties": False,
}
# Every table ingest writes to: a refused batch must leave each exactly as it was.
TOUCHED = (t.datasets, t.dataset_observations, t.dataset_followers, t.events, t.audit_log, t.audience)


def body(contact: uuid.UUID, **changes: Any) -> dict[str, Any]:
    sent: dict[str, Any] = {
        "title": "Meuse gauges",
        "kind": "river_gauge",
        "record_schema": SCHEMA,
        "contact_point_id": str(contact),
        "refresh_seconds": 900,
        "series": [
            {
                "key": "eijsden.level",
                "name": "Meuse at Eijsden",
                "unit": "cm",
                "thresholds": [{"name": "alarm", "level": 650, "note": "illustrative"}],
                "location": {"lon": 5.7068, "lat": 50.7627},
            },
            {"key": "probe", "name": "Mobile probe", "unit": "cm"},
        ],
    }
    sent.update(changes)
    return sent


def publish(world: World, client: Client, marking: str = "GREEN", contact_marking: Tlp = Tlp.GREEN) -> str:
    csrf = sign_in(client, "be.duty")
    contact = world.contact("BE-NCCN", contact_marking, name="Hydro desk")
    response = client.post("/api/datasets", json=body(contact, marking=marking), headers=csrf)
    assert response.status_code == 201, response.text
    dataset_id: str = response.json()["id"]
    client.cookies.clear()
    return dataset_id


def token(world: World, username: str, *scopes: Scope) -> str:
    issued = world.platform.bus.handle(
        sc.IssueApiToken(
            actor=world.actor(username),
            name="gauge feed",
            scopes=frozenset(scopes or {Scope.READ, Scope.WRITE}),
            expires_at=datetime.now(UTC) + timedelta(days=30),
        )
    )
    secret: str = issued.secret
    return secret


def reading(hour: int, value: object, series: str = "eijsden.level") -> dict[str, object]:
    return {"series": series, "observed_at": f"2021-07-15T{hour:02d}:00:00+02:00", "value": value}


def push(client: Client, dataset_id: str, secret: str, payload: object, mode: str = "keep_valid") -> Any:
    return client.post(
        f"/api/datasets/{dataset_id}/observations?mode={mode}",
        content=json.dumps(payload),
        headers={**bearer(secret), "content-type": "application/json"},
    )


def rows(world: World) -> dict[str, list[Any]]:
    with world.platform.engine.connect() as conn:
        return {table.name: sorted(map(repr, conn.execute(sa.select(table)).all())) for table in TOUCHED}


# --- publishing and reading ---------------------------------------------------------------------------


def test_a_published_dataset_shows_who_to_call_about_it(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    sign_in(client, "nl.duty")
    view = client.get(f"/api/datasets/{dataset_id}").json()
    assert view["contact"]["name"] == "Hydro desk"
    assert view["contact"]["channels"] == [{"kind": "email", "value": "desk@test.example", "note": None}]
    assert view["series"][0]["thresholds"] == [{"name": "alarm", "level": 650.0, "note": "illustrative"}]
    (listed,) = client.get("/api/datasets").json()
    assert listed["contact"]["name"] == "Hydro desk"
    assert listed["series_count"] == 2


def test_a_contact_hidden_by_its_own_marking_stays_hidden_with_the_data(world: World, client: Client) -> None:
    dataset_id = publish(world, client, contact_marking=Tlp.AMBER_STRICT)
    sign_in(client, "nl.duty")
    view = client.get(f"/api/datasets/{dataset_id}").json()
    assert view["contact"] is None  # the data is GREEN, the desk behind it is for its own staff only
    assert view["contact_point_id"]
    sign_in(client, "be.duty")
    assert client.get(f"/api/datasets/{dataset_id}").json()["contact"]["name"] == "Hydro desk"


def test_publishing_refuses_a_broken_schema_and_unknown_fields(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    contact = world.contact("BE-NCCN", Tlp.GREEN)
    broken = body(contact, record_schema={"type": "object", "required": "series"})
    assert_problem(client.post("/api/datasets", json=broken, headers=csrf), 400, "not valid json schema")
    assert_problem(client.post("/api/datasets", json={**body(contact), "colour": "red"}, headers=csrf), 400)
    assert_problem(client.post("/api/datasets", json=body(contact, kind="rumours"), headers=csrf), 400)


def test_an_invisible_dataset_is_a_404_on_every_read(world: World, client: Client) -> None:
    dataset_id = publish(world, client, marking="AMBER+STRICT")
    sign_in(client, "nl.duty")
    base = f"/api/datasets/{dataset_id}"
    for path in (base, f"{base}/series", f"{base}/series/probe/observations", f"{base}/export.csv"):
        assert_problem(client.get(path), 404, "that you may see")
    assert client.get("/api/datasets").json() == []
    assert_problem(client.post(f"{base}/follow", headers=sign_in(client, "nl.duty")), 404)


def test_only_the_owner_changes_a_dataset(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    csrf = sign_in(client, "nl.duty")
    patch = {"expected_version": 1, "title": "Mine now"}
    assert_problem(client.patch(f"/api/datasets/{dataset_id}", json=patch, headers=csrf), 403, "owns")
    csrf = sign_in(client, "be.duty")
    changed = client.patch(
        f"/api/datasets/{dataset_id}", json={**patch, "refresh_seconds": 3600}, headers=csrf
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["refresh_seconds"], changed.json()["version"]) == (
        "Mine now",
        3600,
        2,
    )


# --- pushing observations -------------------------------------------------------------------------------


def test_a_write_token_of_the_owner_pushes_and_hears_back_after_commit(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    secret = token(world, "be.duty")
    response = push(client, dataset_id, secret, [reading(1, 500), reading(2, 700)])
    assert response.status_code == 201, response.text
    assert response.json() == {"received": 2, "stored": 2, "duplicates": 0, "rejected": 0, "errors": []}
    again = push(client, dataset_id, secret, [reading(1, 500), reading(2, 700)])
    assert again.json()["duplicates"] == 2  # a retried batch stores nothing twice
    series = client.get(f"/api/datasets/{dataset_id}/series", headers=bearer(secret)).json()
    assert (series[0]["latest_value"], series[0]["reached"]) == (700.0, ["alarm"])


def test_pushing_needs_a_write_token_of_the_owning_partner(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    batch = [reading(1, 500)]
    assert_problem(push(client, dataset_id, token(world, "be.duty", Scope.READ), batch), 403, "read-only")
    assert_problem(push(client, dataset_id, token(world, "nl.duty"), batch), 403, "owns this dataset")
    assert_problem(push(client, dataset_id, "clk_0000_forged", batch), 401)
    anonymous = client.post(f"/api/datasets/{dataset_id}/observations", json=batch)
    assert_problem(anonymous, 401)
    sign_in(client, "be.duty")  # a session without its CSRF token cannot push either
    assert_problem(client.post(f"/api/datasets/{dataset_id}/observations", json=batch), 403, "csrf")
    assert rows(world)["dataset_observations"] == []


def test_keep_valid_stores_the_good_records_and_names_each_bad_one(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    batch = [
        reading(1, 500),
        reading(2, 99_999),
        {**reading(3, 1), "quality": "?"},
        reading(4, 1, "nowhere"),
        7,
    ]
    response = push(client, dataset_id, token(world, "be.duty"), batch)
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["stored"], report["rejected"]) == (1, 4)
    assert [(e["index"], e["path"]) for e in report["errors"]] == [
        (1, "/value"),
        (2, "/quality"),
        (3, "/series"),
        (4, ""),
    ]
    assert all(e["message"] for e in report["errors"])


def test_all_or_nothing_refuses_the_batch_and_changes_nothing(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    secret = token(world, "be.duty")
    push(client, dataset_id, secret, [reading(1, 500)])
    before = rows(world)
    refused = push(client, dataset_id, secret, [reading(2, 600), reading(3, "high")], mode="all_or_nothing")
    problem = assert_problem(refused, 400, "all-or-nothing", "nothing was stored")
    assert problem["errors"] == [
        {"index": 1, "path": "/value", "message": "'high' is not of type 'number', 'null'"}
    ]
    assert (problem["received"], problem["stored"]) == (2, 0)
    assert rows(world) == before


@pytest.mark.parametrize(
    ("content", "content_type", "mentions"),
    [
        (b"{oops", "application/json", "not valid JSON"),
        (b"<a/>", "application/xml", "cannot read application/xml"),
        (b"[]", "application/json", "no records"),
    ],
)
def test_a_body_that_is_no_batch_changes_nothing(
    world: World, client: Client, content: bytes, content_type: str, mentions: str
) -> None:
    dataset_id = publish(world, client)
    secret = token(world, "be.duty")
    before = rows(world)
    response = client.post(
        f"/api/datasets/{dataset_id}/observations",
        content=content,
        headers={**bearer(secret), "content-type": content_type},
    )
    assert_problem(response, 400, mentions)
    assert rows(world) == before


def test_csv_is_read_with_the_schemas_types(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    secret = token(world, "be.duty")
    text = (
        "series,observed_at,value,quality\n"
        "eijsden.level,2021-07-15T01:00:00+02:00,512.5,raw\n"
        "eijsden.level,2021-07-15T02:00:00+02:00,,validated\n"
        "eijsden.level,2021-07-15T03:00:00+02:00,high,raw\n"
    )
    response = client.post(
        f"/api/datasets/{dataset_id}/observations",
        content=text,
        headers={**bearer(secret), "content-type": "text/csv; charset=utf-8"},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["stored"], [e["index"] for e in response.json()["errors"]]) == (2, [2])
    page = client.get(f"/api/datasets/{dataset_id}/series/eijsden.level/observations", headers=bearer(secret))
    assert [(o["value"], o["attributes"]) for o in page.json()["items"]] == [
        (512.5, {"quality": "raw"}),
        (None, {"quality": "validated"}),
    ]


def test_geojson_features_place_their_observations_on_the_map(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    secret = token(world, "be.duty")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [5.75, 50.88]},
                "properties": reading(1, 40, "probe"),
            },
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": []},
                "properties": reading(2, 41, "probe"),
            },
        ],
    }
    response = client.post(
        f"/api/datasets/{dataset_id}/observations",
        content=json.dumps(collection),
        headers={**bearer(secret), "content-type": "application/geo+json"},
    )
    assert response.status_code == 201, response.text
    assert [(e["index"], e["path"]) for e in response.json()["errors"]] == [(1, "/geometry")]
    features = client.get("/api/map/layers/datasets", headers=bearer(secret)).json()["features"]
    probe = next(f for f in features if f["properties"]["series"] == "probe")
    assert probe["geometry"]["coordinates"] == [5.75, 50.88]  # not declared: placed by its newest reading
    assert probe["properties"]["value"] == 40


# --- exports and following ------------------------------------------------------------------------------


def test_exports_carry_the_marking_and_follow_the_time_range(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    secret = token(world, "be.duty")
    push(client, dataset_id, secret, [reading(h, 400 + h) for h in (3, 1, 2)] + [reading(1, 9, "probe")])
    sign_in(client, "nl.duty")
    exported = client.get(
        f"/api/datasets/{dataset_id}/export.csv",
        params={"series": "eijsden.level", "since": "2021-07-15T02:00:00+02:00"},
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["observed_at"], r["value"], r["unit"], r["marking"], r["synthetic"]) for r in table] == [
        ("2021-07-15T00:00:00+00:00", "402.0", "cm", "GREEN", "no"),
        ("2021-07-15T01:00:00+00:00", "403.0", "cm", "GREEN", "no"),
    ]
    geo = client.get(f"/api/datasets/{dataset_id}/export.geojson")
    assert geo.headers["content-type"].startswith("application/geo+json")
    collection = geo.json()
    assert collection["dataset"]["contact"] == {"name": "Hydro desk", "role": "duty_desk_24_7"}
    assert len(collection["features"]) == 4
    assert collection["features"][-1]["geometry"] is None  # the probe has no place (series, then time)
    assert_problem(
        client.get(f"/api/datasets/{dataset_id}/export.csv?series=nowhere"), 404, "declares no series"
    )


def test_following_and_unfollowing(world: World, client: Client) -> None:
    dataset_id = publish(world, client)
    csrf = sign_in(client, "nl.duty")
    followed = client.post(f"/api/datasets/{dataset_id}/follow", headers=csrf)
    assert followed.status_code == 201
    assert followed.json() == {"dataset_id": dataset_id, "following": True}
    assert client.get(f"/api/datasets/{dataset_id}").json()["following"] is True
    assert client.delete(f"/api/datasets/{dataset_id}/follow", headers=csrf).status_code == 204
    view = client.get(f"/api/datasets/{dataset_id}").json()
    assert (view["following"], view["followers"]) == (False, 0)


def test_an_amber_dataset_reaches_its_audience_only(world: World, client: Client) -> None:
    csrf = sign_in(client, "be.duty")
    contact = world.contact("BE-NCCN", Tlp.GREEN)
    audience = [{"kind": "partner", "id": str(world.partners["BE-PROV-LIEGE"])}]
    response = client.post(
        "/api/datasets", json=body(contact, marking="AMBER", audience=audience), headers=csrf
    )
    dataset_id = response.json()["id"]
    assert response.json()["audience"] == [
        {"kind": "partner", "id": str(Principal.partner(world.partners["BE-PROV-LIEGE"]).id)}
    ]
    sign_in(client, "liege.duty")
    assert client.get(f"/api/datasets/{dataset_id}").status_code == 200
    sign_in(client, "nl.duty")
    assert client.get(f"/api/datasets/{dataset_id}").status_code == 404
