"""The dataset access API: a partner asks, the owner's steward grants, the partner then reads and subscribes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role
from crisislink.kernel.messages import SYSTEM
from tests.support import PASSWORD, World
from tests.web.conftest import Client, assert_problem, sign_in
from tests.web.test_api_datasets import publish


def add_steward(world: World) -> None:
    world.platform.bus.handle(
        sc.AddUser(
            actor=SYSTEM,
            username="be.steward",
            display_name="be.steward",
            partner_id=world.partners["BE-NCCN"],
            roles=frozenset({Role.PARTNER_ADMIN}),
            password=PASSWORD,
        )
    )


def test_request_grant_read_and_subscribe(world: World, client: Client) -> None:
    add_steward(world)
    dataset_id = publish(world, client, marking="AMBER")
    csrf = sign_in(client, "nl.duty")
    assert client.get(f"/api/datasets/{dataset_id}").status_code == 404
    asked = client.post(f"/api/datasets/{dataset_id}/access-requests", json={"reason": "Meuse"}, headers=csrf)
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    client.cookies.clear()
    csrf = sign_in(client, "be.steward")
    assert [r["id"] for r in client.get("/api/datasets/access-requests").json()] == [request_id]
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    granted = client.post(
        f"/api/datasets/access-requests/{request_id}/grant",
        json={"scope": "read_subscribe", "expires_at": expires},
        headers=csrf,
    )
    assert granted.status_code == 204, granted.text
    client.cookies.clear()
    csrf = sign_in(client, "nl.duty")
    assert client.get(f"/api/datasets/{dataset_id}").status_code == 200
    hook = client.post(
        f"/api/datasets/{dataset_id}/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=csrf
    )
    assert hook.status_code == 201, hook.text
    assert hook.json()["secret"]
    deliveries = client.get(f"/api/datasets/webhooks/{hook.json()['id']}/deliveries")
    assert deliveries.status_code == 200
    assert deliveries.json() == []


def test_a_duty_officer_cannot_grant(world: World, client: Client) -> None:
    dataset_id = publish(world, client, marking="AMBER")
    csrf = sign_in(client, "nl.duty")
    request_id = client.post(
        f"/api/datasets/{dataset_id}/access-requests", json={"reason": "Meuse"}, headers=csrf
    ).json()["id"]
    client.cookies.clear()
    csrf = sign_in(client, "be.duty")
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = client.post(
        f"/api/datasets/access-requests/{request_id}/grant",
        json={"scope": "read", "expires_at": expires},
        headers=csrf,
    )
    assert_problem(response, 403, "data steward")
