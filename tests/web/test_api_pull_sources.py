"""The status of a dataset's pull source, on the API and the dataset's console page: where the data is
fetched from (credentials hidden), when it was tried and last worked, how a failing source backs off and
what went wrong. Read through the dataset's sharing policy, like every other read: a dataset you may not
see has no pull source for you either (404).

The world: BE-NCCN (be.duty) publishes and sets the source; BE-PROV-LIEGE (liege.duty) reads what the
marking lets it; NL-VR23 (nl.duty) is outside an AMBER dataset's audience.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from markupsafe import escape

from crisislink.app import dataset_pull
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.model import DatasetKind, Series
from crisislink.entrypoints.web.i18n import translations
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.support_http import Reply, ScriptedServer, serving
from tests.web.conftest import Client, assert_problem, sign_in

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["series", "observed_at", "value"],
    "properties": {"series": {"type": "string"}, "observed_at": {"type": "string"}, "value": {}},
}
SERIES = (Series("eijsden.level", "Meuse at Eijsden", "cm"),)
INTERVAL = timedelta(minutes=5)
USER, PASSWORD, API_KEY = "gauges", "s3cret-pass", "K3Y-of-the-partner"
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.7068, 50.7627]},
            "properties": {
                "series": "eijsden.level",
                "observed_at": "2021-07-15T01:00:00+00:00",
                "value": 540,
            },
        }
    ],
}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with serving() as running:
        yield running


def publish(
    world: World, marking: Tlp = Tlp.GREEN, audience: frozenset[Principal] = frozenset()
) -> uuid.UUID:
    dataset_id: uuid.UUID = world.platform.bus.handle(
        c.PublishDataset(
            actor=SYSTEM,
            owner_partner_id=world.partners["BE-NCCN"],
            title=f"Meuse gauges {marking.value}",
            kind=DatasetKind.RIVER_GAUGE,
            record_schema=SCHEMA,
            contact_point_id=world.contact("BE-NCCN", Tlp.GREEN, name="Hydro desk"),
            refresh=timedelta(hours=1),
            series=SERIES,
            marking=marking,
            audience=audience,
        )
    )
    return dataset_id


def set_source(client: Client, dataset_id: uuid.UUID, url: str) -> None:
    """The owner's duty officer points the dataset at the partner's address, through the API."""
    csrf = sign_in(client, "be.duty")
    body = {"url": url, "format": "geojson", "interval_seconds": int(INTERVAL.total_seconds())}
    response = client.put(f"/api/datasets/{dataset_id}/pull-source", json=body, headers=csrf)
    assert response.status_code == 204, response.text
    client.cookies.clear()


def with_credentials(base: str) -> str:
    """The partner's address as its owner typed it: a user and password, and an API key parameter."""
    scheme, rest = base.split("://", 1)
    return f"{scheme}://{USER}:{PASSWORD}@{rest}/gauges.geojson?api_key={API_KEY}&station=eijsden"


def status(client: Client, dataset_id: uuid.UUID) -> dict[str, Any]:
    response = client.get(f"/api/datasets/{dataset_id}/pull-source")
    assert response.status_code == 200, response.text
    shown: dict[str, Any] = response.json()
    assert PASSWORD not in response.text
    assert API_KEY not in response.text
    return shown


def moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def test_a_failing_source_shows_its_error_and_backs_off_then_recovers(
    clocked_world: World, clocked_client: Client, clock: FixedClock, server: ScriptedServer
) -> None:
    world, client = clocked_world, clocked_client
    dataset_id = publish(world)
    set_source(client, dataset_id, with_credentials(server.url))
    server.script(then=Reply(502))
    sign_in(client, "be.duty")  # the owner's staff: they set the address

    fresh = status(client, dataset_id)
    scheme, host = server.url.split("://", 1)
    assert fresh["url"] == f"{scheme}://***@{host}/gauges.geojson?api_key=***&station=eijsden"
    assert (fresh["format"], fresh["interval_seconds"]) == ("geojson", INTERVAL.total_seconds())
    assert (fresh["consecutive_failures"], fresh["backing_off"], fresh["last_error"]) == (0, False, None)
    assert (fresh["last_attempt_at"], fresh["last_success_at"]) == (None, None)
    assert moment(fresh["next_attempt_at"]) == clock.now()  # a new source is polled at once
    assert fresh["wait_seconds"] == INTERVAL.total_seconds()

    for failures in (1, 2):
        assert dataset_pull.poll_due_sources(world.platform.bus) == 0
        failing = status(client, dataset_id)
        wait = INTERVAL * 2**failures  # the wait doubles after each failure in a row
        assert failing["consecutive_failures"] == failures
        assert failing["backing_off"] is True
        assert failing["wait_seconds"] == wait.total_seconds()
        assert moment(failing["last_attempt_at"]) == clock.now()
        assert moment(failing["next_attempt_at"]) == clock.now() + wait
        assert failing["last_success_at"] is None
        assert "HTTP 502" in failing["last_error"]
        assert "***@" in failing["last_error"]  # the error quotes the address, credentials hidden
        clock.advance(INTERVAL)
        dataset_pull.poll_due_sources(world.platform.bus)
        assert len(server.requests) == failures  # backing off: the plain interval is not enough
        clock.advance(wait - INTERVAL)

    client.cookies.clear()
    sign_in(client, "liege.duty")  # a reader of the GREEN dataset, not its owner: the status, not the address
    reader = status(client, dataset_id)
    assert (reader["url"], reader["last_error"]) == (None, None)
    assert (reader["consecutive_failures"], reader["backing_off"]) == (2, True)
    assert server.url.split("://", 1)[1] not in json.dumps(reader)
    client.cookies.clear()
    sign_in(client, "be.duty")

    # Hidden from readers, the credentials are still what the node sends to the partner.
    first = server.requests[0]
    expected_auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert first.header("authorization") == expected_auth
    assert f"api_key={API_KEY}" in first.path

    server.script(then=Reply.json(GEOJSON))
    assert dataset_pull.poll_due_sources(world.platform.bus) == 1
    recovered = status(client, dataset_id)
    assert (recovered["consecutive_failures"], recovered["backing_off"]) == (0, False)
    assert recovered["last_error"] is None
    assert moment(recovered["last_success_at"]) == clock.now()
    assert recovered["last_stored"] == len(GEOJSON["features"])
    assert moment(recovered["next_attempt_at"]) == clock.now() + INTERVAL
    assert recovered["wait_seconds"] == INTERVAL.total_seconds()


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_the_dataset_page_shows_the_failing_source_in_the_readers_language(
    clocked_world: World, clocked_client: Client, clock: FixedClock, server: ScriptedServer, language: str
) -> None:
    world, client = clocked_world, clocked_client
    dataset_id = publish(world)
    set_source(client, dataset_id, with_credentials(server.url))
    server.script(then=Reply(502))
    for _ in range(2):
        dataset_pull.poll_due_sources(world.platform.bus)
        clock.advance(timedelta(days=1))  # past any back-off: the next round polls again
    sign_in(client, "be.duty")  # the owner's staff see the address and the error
    shown = status(client, dataset_id)

    page = client.get(f"/datasets/{dataset_id}", params={"lang": language})

    assert page.status_code == 200
    words = translations(language)
    assert escape(words.gettext("Fetched from the owner's address")) in page.text
    assert (language == "en") == (words.gettext("Next attempt") == "Next attempt")
    failing = words.ngettext("%(num)d failure in a row", "%(num)d failures in a row", 2) % {"num": 2}
    assert escape(failing) in page.text
    minutes = f"{(INTERVAL * 2**2).total_seconds() / 60:g}"  # two failures: the interval doubled twice
    back_off = words.gettext("back-off: %(minutes)s min between attempts") % {"minutes": minutes}
    assert escape(back_off) in page.text
    assert "HTTP 502" in page.text
    assert escape(shown["url"]) in page.text
    assert PASSWORD not in page.text
    assert API_KEY not in page.text

    client.cookies.clear()
    sign_in(client, "liege.duty")  # a reader, not the owner: how it goes, not where from
    read = client.get(f"/datasets/{dataset_id}", params={"lang": language})
    assert escape(words.gettext("shown to the owner's staff")) in read.text
    assert escape(failing) in read.text
    assert "HTTP 502" not in read.text
    assert server.url.split("://", 1)[1] not in read.text


def test_the_status_is_read_through_the_datasets_sharing_policy(world: World, client: Client) -> None:
    liege = frozenset({Principal.partner(world.partners["BE-PROV-LIEGE"])})
    amber = publish(world, Tlp.AMBER, liege)
    set_source(client, amber, "https://gauges.example/meuse.geojson")
    pushed = publish(world, Tlp.GREEN)  # fed by pushes: no pull source

    assert_problem(client.get(f"/api/datasets/{amber}/pull-source"), 401)

    sign_in(client, "nl.duty")  # outside the AMBER dataset's audience
    hidden = client.get(f"/api/datasets/{amber}/pull-source")
    missing_id = uuid.uuid4()
    missing = client.get(f"/api/datasets/{missing_id}/pull-source")
    assert_problem(hidden, 404)
    assert_problem(missing, 404)
    # Indistinguishable from a dataset that does not exist, as on the dataset's own read.
    assert hidden.json()["detail"].replace(str(amber), "") == missing.json()["detail"].replace(
        str(missing_id), ""
    )
    assert "gauges.example" not in hidden.text
    assert_problem(client.get(f"/api/datasets/{amber}"), 404)
    assert client.get(f"/datasets/{amber}").status_code == 404
    assert_problem(client.get(f"/api/datasets/{pushed}/pull-source"), 404, "no pull source")
    client.cookies.clear()

    sign_in(client, "liege.duty")  # named in the audience: sees the status, not the owner's address
    shown = status(client, amber)
    assert shown["url"] is None
    assert shown["dataset_id"] == str(amber)
    page = client.get(f"/datasets/{amber}")
    assert "gauges.example" not in page.text
    client.cookies.clear()

    sign_in(client, "be.duty")  # the owner's staff
    assert status(client, amber)["url"] == "https://gauges.example/meuse.geojson"
    page = client.get(f"/datasets/{amber}")
    assert "https://gauges.example/meuse.geojson" in page.text
    assert 'id="pull-source"' in page.text
    assert 'id="pull-source"' not in client.get(f"/datasets/{pushed}").text
