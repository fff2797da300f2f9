"""Done-when of mutual assistance, in the browser: during the July 2021 floods the Dutch safety region asks
for high-capacity pumping and water-rescue teams at Valkenburg; the province of Liège and the CGDIS offer;
the request is partly accepted; the units deploy and are demobilised — each organisation in its own browser
— and the EDXL-RM message of every step, fetched through the API, validates against its schema.

The requester is the demo account zl.info of Veiligheidsregio Zuid-Limburg (NL-VR24). The units are the demo
units `crisislink serve` seeds (app/seed/units.json): Liège's EU high-capacity pumping module (ucpm.hcp,
GREEN) and the CGDIS's water-rescue team at Diekirch (AMBER, not shared with the Dutch region until it
accepts it). Pumping is asked as the EU module, the type Liège registered: a request is answered with units
of exactly the type asked. Liège has no water-rescue unit registered and offers two teams as a quantity.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from crisislink.adapters.standards import edxl_de, edxl_rm_xml
from crisislink.app.assistance_seed import seed_demo_units
from tests.browser.conftest import VIEWPORT, Node, sign_in_form

pytestmark = pytest.mark.browser

with contextlib.suppress(ImportError):  # without Playwright the `browser` fixture fails (CI) or skips
    from playwright.sync_api import Browser, Page, expect

REQUESTER = "zl.info"  # duty and information officer of Veiligheidsregio Zuid-Limburg (NL-VR24)
LIEGE = "liege.duty"  # duty officer of the province of Liège
CGDIS = "cgdis.duty"  # duty officer of the CGDIS
PUMP_MODULE = "Module de pompage haute capacité Liège (demo)"
DIEKIRCH = "Sauvetage aquatique Diekirch (demo)"
STAGING = ("Valkenburg aan de Geul, Polfermolen", "5.832", "50.864")
STEPS_OF_A_DEPLOYED_OFFER = ["offer", "commit", "mobilising", "status-query", "deployed", "release"]


@pytest.fixture(scope="module", autouse=True)
def demo_units(node: Node) -> int:
    return seed_demo_units(node.platform)


def person(browser: Browser, node: Node, username: str, errors: list[str]) -> Page:
    context = browser.new_context(viewport=VIEWPORT, base_url=node.base)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: errors.append(f"{username} {page.url}: {error}"))
    sign_in_form(page, node, username)
    page.wait_for_url(node.url("/"))
    return page


@pytest.fixture
def errors() -> Iterator[list[str]]:
    found: list[str] = []
    yield found
    assert found == []  # no uncaught script error on any page


def ask(page: Page, node: Node, capability: str, quantity: int, *, send_now: bool) -> str:
    """Fill the request form; a draft is then sent from its own page, to the partners chosen here."""
    page.goto(node.url("/assistance"))
    page.get_by_role("link", name="Request assistance").click()
    page.wait_for_url(node.url("/assistance/new"))
    page.select_option('select[name="capability"]', capability)
    page.fill('input[name="quantity"]', str(quantity))
    name, lon, lat = STAGING
    page.fill('input[name="staging_name"]', name)
    page.locator("#staging-map").click()  # a click on the map sets the coordinates...
    expect(page.locator("#staging_lon")).not_to_have_value("")
    expect(page.locator("#staging-status")).to_contain_text("Staging area placed")
    page.fill("#staging_lon", lon)  # ...which the operator then types exactly
    page.fill("#staging_lat", lat)
    page.fill('input[name="liaison"]', "CoPI Valkenburg, +31 43 000 00 00")
    for code in ("nl", "de", "en"):
        page.check(f'input[name="languages"][value="{code}"]')
    page.fill('textarea[name="logistics"]', "Fuel, meals and a base of operations at the staging area")
    page.select_option(
        'select[name="partners"]',
        [str(node.partners["BE-PROV-LIEGE"]), str(node.partners["LU-CGDIS"])],
    )
    page.get_by_role("button", name="Send now" if send_now else "Save as draft").click()
    page.wait_for_url(node.url("/assistance/*"))
    request_id = page.url.split("/assistance/", 1)[1].split("?")[0].split("#")[0]
    if not send_now:
        expect(page.locator("h1 + p .badge")).to_contain_text("Draft")
        page.get_by_role("button", name="Send", exact=True).click()  # the partners chosen are preselected
    expect(page.locator("h1 + p .badge")).to_contain_text("Open: waiting for offers")
    return request_id


def open_request(page: Page, node: Node, request_id: str) -> None:
    page.goto(node.url("/assistance"))
    page.locator(f'a[href="/assistance/{request_id}"]').click()
    page.wait_for_url(node.url(f"/assistance/{request_id}"))


def offer(
    page: Page, node: Node, request_id: str, *, unit: str | None = None, quantity: int | None = None
) -> None:
    open_request(page, node, request_id)
    form = page.locator(f'form[action="/assistance/{request_id}/offers"]')
    if unit is not None:
        form.get_by_label(unit).check()
    if quantity is not None:
        form.locator('input[name="quantity"]').fill(str(quantity))
    form.locator('textarea[name="conditions"]').fill("Self-sufficient for 72 hours")
    form.get_by_role("button", name="Offer").click()
    expect(page.locator("#offers")).to_contain_text("Offered: waiting for the requester")


def offer_row(page: Page, text: str) -> Any:
    return page.locator("#offers tbody tr", has_text=text)


def step(page: Page, row_text: str, button: str, **fields: str) -> None:
    row = offer_row(page, row_text).first
    for name, value in fields.items():
        row.locator(f'input[name="{name}"]').first.fill(value)
    row.get_by_role("button", name=button).click()
    expect(page.locator(".alert")).to_have_count(0)


def deploy(page: Page, node: Node, request_id: str, row: str) -> None:
    """The offerer alerts its team, then reports it at work (at the staging area: no position given)."""
    open_request(page, node, request_id)
    step(page, row, "Mobilise: the team is alerted and on its way")
    step(page, "Mobilising", "Deployed: the team is at work")
    expect(page.locator("#offers")).to_contain_text("Deployed")


def demobilise_and_close(page: Page, node: Node, request_id: str) -> None:
    """The host releases every team at work, then closes the request."""
    open_request(page, node, request_id)
    while offer_row(page, "Deployed").count():
        step(page, "Deployed", "Demobilise: release the team", reason="Water receding")
    page.get_by_role("button", name="Close the request: every team is home").click()
    expect(page.locator("h1 + p .badge")).to_contain_text("Closed")


def unit_status(page: Page, node: Node, unit: str) -> str:
    page.goto(node.url("/units"))
    return str(page.locator("#own-units tbody tr", has_text=unit).locator(".astate").inner_text())


def validated_messages(page: Page, node: Node, request_id: str) -> list[dict[str, Any]]:
    """Every step's EDXL-RM message, fetched with the requester's session, checked against its schema."""
    listed = page.request.get(node.url(f"/api/assistance-requests/{request_id}/edxl-rm"))
    assert listed.ok, listed.text()
    links: list[dict[str, Any]] = listed.json()
    for link in links:
        bare = page.request.get(node.url(link["url"]))
        assert bare.ok, bare.text()
        assert bare.headers["content-type"].startswith("application/xml")
        edxl_rm_xml.validate(bare.body())  # raises when the message breaks its schema
        message = edxl_rm_xml.parse(bare.body())
        assert message.message_id == link["message_id"]
        wrapped = page.request.get(node.url(link["url"] + "?envelope=de"))
        assert wrapped.ok, wrapped.text()
        assert edxl_de.parse(wrapped.body()).distribution_id == f"{link['message_id']}-de"  # schema-checked
        assert edxl_rm_xml.messages_in(wrapped.body()) == (message,)
        for document in edxl_de.unwrap(wrapped.body()):
            edxl_rm_xml.validate(document)
    return links


def test_the_july_2021_floods_assistance_from_request_to_demobilisation_in_the_browser(
    browser: Browser, node: Node, errors: list[str]
) -> None:
    requester = person(browser, node, REQUESTER, errors)
    liege = person(browser, node, LIEGE, errors)
    cgdis = person(browser, node, CGDIS, errors)

    pumps = ask(requester, node, "ucpm.hcp", 2, send_now=False)
    boats = ask(requester, node, "water.rescue", 2, send_now=True)
    # Who could come fastest, whatever the border: Liège's module is seen by the whole network.
    open_request(requester, node, pumps)
    nearest = requester.locator("#nearest")
    expect(nearest).to_contain_text(PUMP_MODULE)
    expect(nearest).to_contain_text("EU Civil Protection Mechanism (UCPM)")
    expect(nearest).to_contain_text("estimated")

    offer(liege, node, pumps, unit=PUMP_MODULE)
    offer(liege, node, boats, quantity=2)
    offer(cgdis, node, boats, unit=DIEKIRCH)
    expect(offer_row(cgdis, "Grand Ducal Fire and Rescue Corps")).to_have_count(1)
    expect(cgdis.locator("#offers")).not_to_contain_text("Liège")  # partners never see each other's offers

    open_request(requester, node, pumps)
    step(requester, PUMP_MODULE, "Accept")
    expect(requester.locator("h1 + p")).to_contain_text("Partly covered")
    expect(requester.locator("h1 + p")).to_contain_text("1 of 2 modules covered")
    open_request(requester, node, boats)
    step(requester, "Province of Liège", "Accept", quantity="1")  # one of Liège's two teams
    step(requester, DIEKIRCH, "Accept")
    expect(requester.locator("h1 + p")).to_contain_text("Covered")
    expect(offer_row(requester, "Province of Liège")).to_contain_text("1 of 2 accepted")

    deploy(liege, node, pumps, PUMP_MODULE)
    deploy(liege, node, boats, "Accepted")
    deploy(cgdis, node, boats, DIEKIRCH)
    assert unit_status(liege, node, PUMP_MODULE) == "⚑ Deployed"
    assert unit_status(cgdis, node, DIEKIRCH) == "⚑ Deployed"

    for request_id in (pumps, boats):
        demobilise_and_close(requester, node, request_id)
    assert unit_status(liege, node, PUMP_MODULE) == "✔ Available"
    assert unit_status(cgdis, node, DIEKIRCH) == "✔ Available"

    pump_steps = [link["step"] for link in validated_messages(requester, node, pumps)]
    assert pump_steps == ["request", *STEPS_OF_A_DEPLOYED_OFFER, "ended"]
    boat_steps = [link["step"] for link in validated_messages(requester, node, boats)]
    assert boat_steps.count("release") == 2  # both accepted offers, each with its own thread
    assert boat_steps[0] == "request"
    assert boat_steps[-1] == "ended"
    # The page links every message, bare and in its EDXL-DE envelope; a closed request is listed on demand.
    requester.goto(node.url("/assistance"))
    expect(requester.locator(f'a[href="/assistance/{boats}"]')).to_have_count(0)
    requester.get_by_role("link", name="Show ended requests too").click()
    requester.locator(f'a[href="/assistance/{boats}"]').click()
    downloads = requester.locator("#messages a")
    expect(downloads).to_have_count(2 * len(boat_steps))
    # The CGDIS sees its own thread only, and validates it too.
    cgdis_steps = [link["step"] for link in validated_messages(cgdis, node, boats)]
    assert cgdis_steps == ["request", *STEPS_OF_A_DEPLOYED_OFFER, "ended"]
