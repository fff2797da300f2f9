"""The datasets console (server-rendered pages): the list, one dataset with its charts, following it.

Datasets are published and fed through the command bus (as the API would); the pages are read, and the
follow form sent, the way a browser does.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from lxml import etree

from crisislink.adapters.db import tables as t
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.model import DatasetKind, Location, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.entrypoints.web.i18n import translations
from crisislink.kernel.markings import Principal, Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World
from tests.web.conftest import Client
from tests.web.test_console import assert_strict_csp, console_sign_in, page, post

SVG = "{http://www.w3.org/2000/svg}"
SCHEMA = {
    "type": "object",
    "required": ["series", "observed_at", "value"],
    "properties": {"series": {"type": "string"}, "observed_at": {"type": "string"}, "value": {}},
}
EIJSDEN = Series(
    key="eijsden.level",
    name="Meuse at Eijsden",
    unit="cm",
    thresholds=(Threshold("vigilance", 450.0), Threshold("alarm", 650.0, "illustrative")),
    location=Location(lon=5.7068, lat=50.7627),
)


def publish(
    world: World, marking: Tlp = Tlp.GREEN, audience: frozenset[Principal] = frozenset()
) -> uuid.UUID:
    contact = world.contact("BE-NCCN", Tlp.GREEN, name="Hydro desk")
    dataset_id: uuid.UUID = world.platform.bus.handle(
        c.PublishDataset(
            actor=SYSTEM,
            owner_partner_id=world.partners["BE-NCCN"],
            title=f"Meuse gauges {marking.value}",
            kind=DatasetKind.RIVER_GAUGE,
            record_schema=SCHEMA,
            contact_point_id=contact,
            refresh=timedelta(hours=1),
            series=(EIJSDEN,),
            marking=marking,
            audience=audience,
        )
    )
    records = tuple(
        IncomingRecord(
            {
                "series": "eijsden.level",
                "observed_at": f"2021-07-15T{h:02d}:00:00+02:00",
                "value": 400 + 30 * h,
            }
        )
        for h in range(10)
    )
    world.platform.bus.handle(
        c.IngestObservations(actor=SYSTEM, dataset_id=dataset_id, batch=c.Batch(records))
    )
    return dataset_id


def chart_path(dataset_id: uuid.UUID) -> str:
    return f"/datasets/{dataset_id}/series/eijsden.level/chart.svg"


def followers(world: World) -> int:
    with world.platform.engine.connect() as conn:
        return len(conn.execute(sa.select(t.dataset_followers)).all())


def test_the_dataset_pages_send_an_anonymous_visitor_to_the_sign_in_page(
    world: World, client: Client
) -> None:
    dataset_id = publish(world)
    for path in ("/datasets", f"/datasets/{dataset_id}", chart_path(dataset_id)):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in {302, 303, 307}, path
        assert response.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_the_dataset_pages_render_in_each_interface_language(
    world: World, client: Client, language: str
) -> None:
    dataset_id = publish(world)
    console_sign_in(client, "liege.duty")
    title = translations(language).gettext("Data from partners")
    assert (language == "en") == (title == "Data from partners")

    listed, doc = page(client, "/datasets", params={"lang": language})
    assert doc.html_lang == language
    assert_strict_csp(listed)
    assert f"<h1>{title}</h1>" in listed.text
    assert "Meuse gauges GREEN" in listed.text
    assert "Hydro desk" in listed.text  # who to call
    assert "670 cm" in listed.text  # the newest value
    nav = [a for a in doc.elements("a") if a.get("href") == "/datasets"]
    assert nav
    assert nav[0].get("aria-current") == "page"

    shown, doc = page(client, f"/datasets/{dataset_id}", params={"lang": language})
    assert doc.html_lang == language
    assert_strict_csp(shown)
    assert [script for script in doc.inline_scripts if script.strip()] == []
    images = [i["src"] for i in doc.elements("img")]
    assert any(src.startswith(chart_path(dataset_id)) for src in images), images
    links = {a.get("href") for a in doc.elements("a")}
    assert f"/api/datasets/{dataset_id}/export.csv" in links
    assert f"/api/datasets/{dataset_id}/export.geojson" in links
    assert "Hydro desk" in shown.text
    assert (
        translations(language).gettext("at or above: %(thresholds)s") % {"thresholds": "vigilance"}
        in shown.text
    )


def test_the_chart_is_an_accessible_svg_with_labelled_threshold_lines(world: World, client: Client) -> None:
    dataset_id = publish(world)
    console_sign_in(client, "nl.duty")

    response = client.get(chart_path(dataset_id))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert "Meuse at Eijsden" in (svg.findtext(f"{SVG}title") or "")
    assert "10" in (svg.findtext(f"{SVG}desc") or "")  # ten readings
    lines = [e for e in svg.iter(f"{SVG}line") if e.get("class") == "threshold"]
    assert sorted(str(e.get("data-threshold")) for e in lines) == ["alarm", "vigilance"]
    words = [e.text or "" for e in svg.iter(f"{SVG}text")]
    assert "alarm 650 cm" in words
    assert "vigilance 450 cm" in words
    assert any(e.get("class") == "values" for e in svg.iter(f"{SVG}polyline"))
    # Time labels in the reader's zone (Brussels: 00:00 local on 15 July is the first reading).
    assert "15/07 00:00" in words


def test_an_amber_dataset_is_not_found_for_those_outside_its_audience(world: World, client: Client) -> None:
    audience = frozenset({Principal.partner(world.partners["BE-PROV-LIEGE"])})
    dataset_id = publish(world, Tlp.AMBER, audience)

    console_sign_in(client, "liege.duty")
    assert client.get(f"/datasets/{dataset_id}").status_code == 200
    assert client.get(chart_path(dataset_id)).status_code == 200

    console_sign_in(client, "nl.duty")
    for path in (f"/datasets/{dataset_id}", chart_path(dataset_id)):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Meuse gauges" not in response.text
    listed, _ = page(client, "/datasets")
    assert str(dataset_id) not in listed.text


def test_following_needs_the_forms_token(world: World, client: Client) -> None:
    dataset_id = publish(world)
    console_sign_in(client, "nl.duty")

    refused = post(client, f"/datasets/{dataset_id}/follow", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert followers(world) == 0

    _, doc = page(client, f"/datasets/{dataset_id}")
    followed = post(client, f"/datasets/{dataset_id}/follow", data={"csrf_token": doc.fields["csrf_token"]})
    assert followed.status_code == 303
    assert followed.headers["location"] == f"/datasets/{dataset_id}#follow"
    assert followers(world) == 1

    _, doc = page(client, f"/datasets/{dataset_id}")
    assert [f for f in doc.elements("form") if f.get("action") == f"/datasets/{dataset_id}/unfollow"]
    unfollowed = post(
        client, f"/datasets/{dataset_id}/unfollow", data={"csrf_token": doc.fields["csrf_token"]}
    )
    assert unfollowed.status_code == 303
    assert followers(world) == 0
