"""Done-when of line 5, in the browser: the cross-border flood warning for the Geul and the Meuse (July
2021: Valkenburg, Meerssen, Maastricht, Eijsden, Visé, Voeren) drafted by Zuid-Limburg's information
officer, approved by the Netherlands and by Belgium, issued in Dutch, French, German and English, updated
and cancelled — each person in their own browser — and every CAP file it produced checked against the
schema, the rules and its signature."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from lxml import etree

from crisislink.adapters.channels.atom_validation import validate_atom
from crisislink.adapters.db import tables as t
from crisislink.adapters.standards import cap_validation
from crisislink.adapters.standards.cap_signature import SignatureState
from tests.browser.conftest import VIEWPORT, Node, sign_in_form

pytestmark = pytest.mark.browser

with contextlib.suppress(ImportError):  # without Playwright the `browser` fixture fails (CI) or skips
    from playwright.sync_api import Browser, Page, expect

DRAFTER = "zl.info"  # information officer of Veiligheidsregio Zuid-Limburg (NL-VR24)
BELGIAN = "nccn.info"  # information officer of the Belgian national crisis centre
# Walloon municipal boundaries are not shipped (docs/warnings.md), so the area is given as GeoJSON, as a
# drafter pastes or uploads it: the valleys from Valkenburg and Meerssen down to Eijsden, Visé and Voeren.
GEUL_MEUSE = (
    '{"type": "Polygon", "coordinates": [[[5.64, 50.69], [5.90, 50.69], [5.90, 50.89], '
    "[5.64, 50.89], [5.64, 50.69]]]}"
)
CAP_NS = "{urn:oasis:names:tc:emergency:cap:1.2}"
TEXTS = {
    "nl": (
        "Hoogwater Geul en Maas",
        "De Geul en de Maas treden buiten hun oevers.",
        "Ga naar hoger gelegen plekken.",
    ),
    "fr": ("Crue de la Meuse et de la Gueule", "La Meuse déborde à Visé et à Fourons.", "Montez à l'étage."),
    "de": (
        "Hochwasser an Maas und Göhl",
        "Maas und Göhl treten über die Ufer.",
        "Gehen Sie in höhere Stockwerke.",
    ),
    "en": (
        "Flooding of the Geul and the Meuse",
        "The rivers overflow their banks.",
        "Move to higher ground.",
    ),
}


def local(moment: datetime) -> str:
    """A datetime-local value in the console's default zone (Europe/Brussels)."""
    return moment.astimezone(ZoneInfo("Europe/Brussels")).strftime("%Y-%m-%dT%H:%M")


def person(browser: Browser, node: Node, username: str) -> Page:
    context = browser.new_context(viewport=VIEWPORT, base_url=node.base)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in_form(page, node, username)
    page.wait_for_url(node.url("/"))
    return page


def draft(page: Page, node: Node) -> str:
    page.goto(node.url("/warnings/new"))
    page.select_option('select[name="hazard"]', "flood.river")
    page.select_option('select[name="category"]', "Met")
    page.select_option('select[name="awareness_type"]', "12")
    page.select_option('select[name="severity"]', "Severe")
    page.select_option('select[name="urgency"]', "Immediate")
    page.select_option('select[name="certainty"]', "Likely")
    page.check('input[name="response_types"][value="Evacuate"]')
    now = datetime.now(ZoneInfo("UTC"))
    page.fill('input[name="onset"]', local(now + timedelta(hours=1)))
    page.fill('input[name="expires"]', local(now + timedelta(hours=24)))
    page.fill('input[name="area_description"]', "Valleys of the Geul and the Meuse")
    page.fill('textarea[name="area_geojson"]', GEUL_MEUSE)
    page.get_by_role("button", name="Compute targeting").click()
    targeting = page.locator("#targeting")
    for place in ("Valkenburg aan de Geul", "Maastricht", "Eijsden-Margraten", "Voeren", "Arr. Liège"):
        expect(targeting).to_contain_text(place)
    expect(targeting).to_contain_text("Estimated population reached")
    for code, (headline, description, instruction) in TEXTS.items():
        page.fill(f'input[name="{code}.headline"]', headline)
        page.fill(f'textarea[name="{code}.description"]', description)
        page.fill(f'textarea[name="{code}.instruction"]', instruction)
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(node.url("/warnings/*"))
    expect(page.locator("h1")).to_have_text(TEXTS["nl"][0])
    return page.url.rsplit("/", 1)[1]


def approve(page: Page, node: Node, warning_id: str, country: str) -> None:
    page.goto(node.url(f"/warnings/{warning_id}"))
    page.get_by_role("button", name=f"for {country}").first.click()
    expect(page.locator("#approvals")).to_contain_text("Approved")


def wait_for(node: Node, condition: Callable[[], bool], what: str, seconds: float = 15) -> None:
    """The test node runs no background threads: deliver the events as its outbox thread would."""
    deadline = time.monotonic() + seconds
    while not condition():
        node.platform.dispatcher.drain()
        if time.monotonic() > deadline:
            with node.platform.engine.connect() as conn:
                failures = conn.execute(sa.select(t.deliveries.c.consumer, t.deliveries.c.last_error)).all()
            pytest.fail(f"timed out waiting for {what}; event deliveries that failed: {failures}")
        time.sleep(0.2)


def publications(node: Node, warning_id: str) -> list[dict[str, Any]]:
    with node.platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.warning_publications).where(
                t.warning_publications.c.warning_id == uuid.UUID(warning_id)
            )
        ).mappings()
        return [dict(row) for row in rows]


def whole_messages(node: Node, warning_id: str) -> list[etree._Element]:
    found = [etree.fromstring(p["cap_xml"]) for p in publications(node, warning_id) if p["country"] == ""]
    return sorted(found, key=lambda alert: alert.findtext(f"{CAP_NS}sent") or "")


def test_the_geul_and_meuse_warning_from_draft_to_cancel_in_the_browser(browser: Browser, node: Node) -> None:
    drafter = person(browser, node, DRAFTER)
    belgian = person(browser, node, BELGIAN)

    warning_id = draft(drafter, node)
    expect(drafter.locator("main")).not_to_contain_text("still missing")
    drafter.get_by_role("button", name="Submit for approval").click()
    expect(drafter.get_by_role("button", name="Issue every part not scheduled for later")).to_have_count(0)

    approve(belgian, node, warning_id, "BE")
    approve(drafter, node, warning_id, "NL")
    drafter.get_by_role("button", name="Issue every part not scheduled for later").click()
    expect(drafter.locator("#parts")).to_contain_text("Belgium")
    expect(drafter.locator("#parts")).not_to_contain_text("Pending")
    wait_for(node, lambda: len(publications(node, warning_id)) == 3, "the Alert, whole and per country")

    public = browser.new_context(viewport=VIEWPORT, base_url=node.base).new_page()  # nobody signed in
    public.goto(node.url(f"/public/warnings/{warning_id}?lang=fr"))
    for code, (headline, _description, _instruction) in TEXTS.items():
        expect(public.locator(f'article[lang="{code}"]')).to_contain_text(headline)
    feed = public.request.get(node.url("/public/warnings.atom"))
    assert feed.ok
    assert validate_atom(feed.body()) == []
    assert warning_id in feed.text() or TEXTS["nl"][0] in feed.text()

    drafter.goto(node.url(f"/warnings/{warning_id}"))
    drafter.locator("#revise-title").click()
    revise = drafter.locator(f'form[action="/warnings/{warning_id}/revise"]')
    revise.locator('select[name="severity"]').select_option("Extreme")
    revise.get_by_role("button", name="Save the revision").click()
    approve(belgian, node, warning_id, "BE")
    approve(drafter, node, warning_id, "NL")
    drafter.fill('input[name="note"]', "The Meuse keeps rising at Eijsden")
    drafter.get_by_role("button", name="Issue update").click()
    wait_for(node, lambda: len(whole_messages(node, warning_id)) == 2, "the Update")

    drafter.fill('input[name="reason"]', "Water levels falling; danger over")
    drafter.get_by_role("button", name="Cancel the warning").click()
    wait_for(node, lambda: len(whole_messages(node, warning_id)) == 3, "the Cancel")

    alert, update, cancel = whole_messages(node, warning_id)
    assert [m.findtext(f"{CAP_NS}msgType") for m in (alert, update, cancel)] == ["Alert", "Update", "Cancel"]
    languages = {info.findtext(f"{CAP_NS}language") for info in alert.iter(f"{CAP_NS}info")}
    assert {"nl", "fr", "de", "en"} <= {tag.split("-")[0] for tag in languages if tag}
    references = cancel.findtext(f"{CAP_NS}references") or ""
    assert f",{alert.findtext(f'{CAP_NS}identifier')}," in references
    assert f",{update.findtext(f'{CAP_NS}identifier')}," in references
    for publication in publications(node, warning_id):
        report = cap_validation.validate(publication["cap_xml"])
        assert report.is_valid(strict=True), report
        assert not report.schema_errors
        assert report.signature.state is SignatureState.VALID
