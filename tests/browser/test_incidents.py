"""The incidents console in a real browser: a replayed crisis, its page, live additions, declaring one."""

from __future__ import annotations

import contextlib
import re
import uuid

import pytest

from crisislink.adapters.db.queries.incidents import incident_id_by_reference
from crisislink.app.scenarios.replay import replay
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.model import EntryKind
from crisislink.kernel.messages import Actor
from tests.browser.conftest import Node, sign_in_form

pytestmark = pytest.mark.browser

with contextlib.suppress(ImportError):  # without Playwright the `browser` fixture fails (CI) or skips
    from playwright.sync_api import Page, expect

LIEGE = "replay:floods-2021:liege"


def _replayed(node: Node) -> uuid.UUID:
    found = incident_id_by_reference(node.platform.engine, LIEGE)
    if found is None:
        replay(node.platform, "floods-2021")
        found = incident_id_by_reference(node.platform.engine, LIEGE)
    assert found is not None
    return found


def test_a_replayed_crisis_shows_its_levels_side_by_side_its_timeline_and_its_area(
    page: Page, node: Node
) -> None:
    incident_id = _replayed(node)
    sign_in_form(page, node)
    page.wait_for_url(node.url("/"))
    page.locator('ul.nav a[href="/incidents"]').click()
    page.wait_for_url(node.url("/incidents"))
    rows = page.locator("table.grid tbody tr")
    expect(rows.filter(has_text="July 2021 floods")).to_have_count(3)
    expect(page.locator(".badge.mode-replay")).to_have_count(3)

    page.locator(f'a[href="/incidents/{incident_id}"]').click()
    expect(page.locator(".mode-banner")).to_contain_text("REPLAY")
    belgium = page.locator(".level-card.set")
    expect(belgium).to_have_count(1)
    expect(belgium).to_contain_text("National (federal) phase")
    expect(page.locator(".tl-item").first).to_contain_text("2021")
    expect(page.locator("#incident-map path.leaflet-interactive")).to_have_count(1)


def test_an_entry_added_elsewhere_appears_on_the_open_incident_page(page: Page, node: Node) -> None:
    incident_id = _replayed(node)
    sign_in_form(page, node)
    page.wait_for_url(node.url("/"))
    page.goto(node.url(f"/incidents/{incident_id}"))
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    text = f"Water level at Visé falling ({uuid.uuid4().hex[:6]})"
    actor = Actor(user_id=None, partner_id=node.partners["BE-PROV-LIEGE"], roles=frozenset({"system"}))
    node.platform.bus.handle(
        c.AddLogEntry(actor=actor, incident_id=incident_id, kind=EntryKind.INFORMATION, text=text)
    )
    expect(page.locator(".tl-item", has_text=text)).to_have_count(1, timeout=10_000)


def test_declaring_an_incident_with_the_form_opens_its_page(page: Page, node: Node) -> None:
    sign_in_form(page, node)
    page.wait_for_url(node.url("/"))
    page.goto(node.url("/incidents"))
    page.locator("details summary", has_text="Declare an incident").click()
    page.get_by_label("Title").fill("Chemical fire at the port of Antwerp")
    page.get_by_label("Hazard").select_option("chemical.fire")
    page.get_by_label("Longitude").fill("4.30")
    page.get_by_label("Latitude").fill("51.28")
    page.get_by_label("Radius (km)").fill("3")
    page.get_by_role("button", name="Declare").click()
    page.wait_for_url(re.compile(r".*/incidents/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_contain_text("Chemical fire at the port of Antwerp")
    expect(page.locator("#incident-map path.leaflet-interactive")).to_have_count(1)
