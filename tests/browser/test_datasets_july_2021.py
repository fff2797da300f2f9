"""Done-when of the datasets capability, in the browser: a demo dataset of Meuse and Geul gauge readings for
13-17 July 2021 (SYNTHETIC) is published by the Rijkswaterstaat-like and SPW-like partners, followed live
from the other side of the border, crosses its threshold and triggers the notification.

The node's demo datasets are seeded with the readings up to noon on 14 July only (every gauge still below
its thresholds); the rest of the rise arrives through the HTTP API, pushed with the Dutch publisher's API
token while the Belgian duty officer has the dataset's page open.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import httpx
import pytest

from crisislink.adapters.db.queries import directory
from crisislink.app.datasets_seed import GAUGE_SCHEMA, readings
from crisislink.app.seeding import create_demo_accounts
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets.model import DatasetKind, Location, Series, Threshold
from crisislink.domains.datasets.observations import IncomingRecord
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role, Scope
from crisislink.domains.sharing.policy import PUBLIC, Viewer
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM, Actor
from tests.browser.conftest import VIEWPORT, Node, sign_in_form, wait_until_live

pytestmark = pytest.mark.browser

with contextlib.suppress(ImportError):  # without Playwright the `browser` fixture fails (CI) or skips
    from playwright.sync_api import Browser, Page, expect

PUBLISHER = "rws.data"  # an analyst of Rijkswaterstaat (NL-RWS) who runs the gauge feed
FOLLOWER = "liege.duty"  # duty officer of the province of Liège, across the border
SEEDED_UNTIL = datetime.fromisoformat("2021-07-14T12:00:00+02:00")  # below every threshold until then
PUSHED_UNTIL = datetime.fromisoformat("2021-07-15T23:00:00+02:00")  # the Meuse peaks at Eijsden
EIJSDEN = "maas.eijsden.level"


@dataclass
class Demo:
    datasets: dict[str, uuid.UUID]  # partner code -> its demo dataset
    token: str  # the Dutch publisher's API token (read and write)
    specs: dict[str, Mapping[str, Any]]


def _specs() -> list[dict[str, Any]]:
    text = resources.files("crisislink.app.seed").joinpath("datasets.json").read_text(encoding="utf-8")
    found: list[dict[str, Any]] = json.loads(text)
    return found


def _contact(node: Node, partner: str, role: str) -> uuid.UUID:
    owner = Viewer(user_id=uuid.UUID(int=0), partner_id=node.partners[partner])
    flt = directory.ContactFilter(partner_id=node.partners[partner], role=role)
    found = directory.list_contact_points(node.platform.engine, owner, flt, node.platform.clock.now())
    return found[0].id


def _publish(node: Node, spec: Mapping[str, Any]) -> uuid.UUID:
    series = tuple(
        Series(
            key=s["key"],
            name=s["name"],
            unit=s["unit"],
            thresholds=tuple(Threshold(x["name"], float(x["level"]), x["note"]) for x in s["thresholds"]),
            location=Location(lon=s["location"][0], lat=s["location"][1]),
        )
        for s in spec["series"]
    )
    dataset_id: uuid.UUID = node.platform.bus.handle(
        c.PublishDataset(
            actor=SYSTEM,
            owner_partner_id=node.partners[spec["partner"]],
            title=spec["title"],
            kind=DatasetKind(spec["kind"]),
            description=spec["description"],
            record_schema=GAUGE_SCHEMA,
            contact_point_id=_contact(node, spec["partner"], spec["contact_role"]),
            refresh=timedelta(seconds=spec["refresh_seconds"]),
            series=series,
            marking=Tlp(spec["marking"]),
            synthetic=True,
        )
    )
    return dataset_id


def _between(spec: Mapping[str, Any], start: datetime | None, end: datetime) -> list[dict[str, Any]]:
    """The synthetic readings of every series of the dataset in (start, end]."""
    return [
        r
        for s in spec["series"]
        for r in readings(s)
        if (start is None or datetime.fromisoformat(r["observed_at"]) > start)
        and datetime.fromisoformat(r["observed_at"]) <= end
    ]


def _token(node: Node) -> str:
    create_demo_accounts(node.platform, ((PUBLISHER, "NL-RWS", frozenset({Role.ANALYST})),))
    users = directory.list_users(node.platform.engine, PUBLIC, is_node_admin=True)
    user = next(u for u in users if u.username == PUBLISHER)
    issued = node.platform.bus.handle(
        sc.IssueApiToken(
            actor=Actor(user_id=user.id, partner_id=user.partner_id, roles=frozenset(user.roles)),
            name="Meuse gauge feed",
            scopes=frozenset({Scope.READ, Scope.WRITE}),
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
    )
    secret: str = issued.secret
    return secret


@pytest.fixture(scope="module")
def demo(node: Node) -> Demo:
    specs: dict[str, Mapping[str, Any]] = {spec["partner"]: spec for spec in _specs()}
    datasets = {}
    for code, spec in specs.items():
        dataset_id = _publish(node, spec)
        records = tuple(IncomingRecord(r) for r in _between(spec, None, SEEDED_UNTIL))
        node.platform.bus.handle(
            c.IngestObservations(actor=SYSTEM, dataset_id=dataset_id, batch=c.Batch(records))
        )
        datasets[code] = dataset_id
    return Demo(datasets=datasets, token=_token(node), specs=specs)


def person(browser: Browser, node: Node, username: str) -> Page:
    context = browser.new_context(viewport=VIEWPORT, base_url=node.base)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in_form(page, node, username)
    page.wait_for_url(node.url("/"))
    return page


def test_a_belgian_duty_officer_follows_the_dutch_meuse_gauges_and_sees_the_alarm_arrive_live(
    browser: Browser, node: Node, demo: Demo
) -> None:
    dutch = demo.datasets["NL-RWS"]
    page = person(browser, node, FOLLOWER)

    # The list: both sides' demo datasets, flagged synthetic, with who to call.
    page.locator('ul.nav a[href="/datasets"]').click()
    page.wait_for_url(node.url("/datasets"))
    rows = page.locator("#dataset-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="SYNTHETIC")).to_have_count(2)
    expect(rows.filter(has_text="Rijkswaterstaat Zuid-Nederland")).to_have_count(1)

    # The Dutch dataset: below its thresholds so far; follow it.
    page.locator(f'a[href="/datasets/{dutch}"]').click()
    page.wait_for_url(node.url(f"/datasets/{dutch}"))
    eijsden = page.locator(f'#latest tr[data-series="{EIJSDEN}"]')
    expect(eijsden.locator("td.reached-cell")).to_contain_text("below every threshold")
    expect(page.locator("#charts img")).to_have_count(4)
    # Waited for, not sampled: on a loaded machine the charts may still be on their way.
    every_chart_drawn = (
        "() => [...document.querySelectorAll('#charts img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.wait_for_function(every_chart_drawn).json_value(), "every chart loads as an image"
    page.get_by_role("button", name="Follow this dataset").click()
    page.wait_for_url(node.url(f"/datasets/{dutch}#follow"))
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    wait_until_live(page)
    page.evaluate(
        """() => {
          window.alerts = [];
          window.crisislinkLive.on("crisislink.datasets.followers_alerted", (e) => window.alerts.push(e));
        }"""
    )

    # Rijkswaterstaat's feed pushes the rest of the rise, up to the peak, with its API token.
    batch = _between(demo.specs["NL-RWS"], SEEDED_UNTIL, PUSHED_UNTIL)
    response = httpx.post(
        node.url(f"/api/datasets/{dutch}/observations"),
        content=json.dumps(batch),
        headers={"authorization": f"Bearer {demo.token}", "content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    assert response.json()["stored"] == len(batch)

    # Without a reload: the follower is notified, and the page shows the new value over the alarm level.
    page.wait_for_function("() => window.alerts.length > 0", timeout=15_000)
    alerts = json.dumps(page.evaluate("() => window.alerts"))
    assert EIJSDEN in alerts, alerts[:2000]
    assert '"alarm"' in alerts, alerts[:2000]
    expect(eijsden.locator(".value")).to_have_text("835 cm", timeout=15_000)
    expect(eijsden.locator("td.reached-cell")).to_contain_text("alarm")

    # The Dutch publisher's dataset is on the map's live-data layer, with its newest values.
    page.goto(node.url("/"))
    expect(page.locator("#layer-datasets")).to_have_count(1)
    layer = page.request.get(node.url("/api/map/layers/datasets")).json()
    values = {f["properties"]["series"]: f["properties"]["value"] for f in layer["features"]}
    assert values[EIJSDEN] == 835
    page.context.close()
