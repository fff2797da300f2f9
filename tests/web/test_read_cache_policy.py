"""A cached read never outlives a change of who may see the record."""

from __future__ import annotations

from litestar.testing import TestClient

from crisislink.domains.sharing import commands as sc
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import PASSWORD, World


def test_narrowing_a_marking_takes_effect_on_the_very_next_read(world: World) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN)
    with TestClient(create_app(world.platform)) as client:
        client.post("/api/auth/login", json={"username": "nl.duty", "password": PASSWORD})
        assert client.get(f"/api/contact-points/{contact_id}").status_code == 200
        assert client.get(f"/api/contact-points/{contact_id}").status_code == 200
        world.platform.bus.handle(
            sc.UpdateContactPoint(
                actor=SYSTEM, contact_point_id=contact_id, expected_version=1, marking=Tlp.AMBER_STRICT
            )
        )
        assert client.get(f"/api/contact-points/{contact_id}").status_code == 404


def test_a_changed_record_is_read_fresh(world: World) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN, name="Before")
    with TestClient(create_app(world.platform)) as client:
        client.post("/api/auth/login", json={"username": "be.duty", "password": PASSWORD})
        assert client.get(f"/api/contact-points/{contact_id}").json()["name"] == "Before"
        world.platform.bus.handle(
            sc.UpdateContactPoint(actor=SYSTEM, contact_point_id=contact_id, expected_version=1, name="After")
        )
        assert client.get(f"/api/contact-points/{contact_id}").json()["name"] == "After"
