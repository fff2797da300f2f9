"""The operator console in a real browser: sign-in, the map and its layers, languages, the directory,
keyboard use, high contrast, no third-party requests, no script errors, and the first page load."""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from typing import Any

import pytest

from crisislink.adapters.db.queries import directory
from tests.browser.conftest import (
    DUTY_OFFICER,
    Console,
    Node,
    open_map,
    sign_in_api,
    sign_in_form,
)

with contextlib.suppress(ImportError):  # without Playwright the `browser` fixture fails (CI) or skips
    from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

CONTRAST_ONE_PAGE_LATE = (
    "src bug: page_for (ui/context.py) reads high contrast only from the cookie, not from ?contrast= of the "
    "request that sets it, so the page the link leads to is rendered unchanged (no html.high-contrast, the "
    "link still says 'High contrast'); the switch shows only on the next page"
)
REDOC_FETCHES_ITS_LOGO = (
    "src bug: the API reference (/api/docs, linked from the console nav) makes the browser request "
    "https://cdn.redoc.ly/redoc/logo-mini.svg (Redoc's 'API docs by Redocly' footer); the CSP blocks it, "
    "which logs a console error, but the request still leaves the node"
)
# Leaflet draws vector layers on a <canvas> here (preferCanvas); count them through the map object.
COUNT_PATHS = """(pane) => {
  let n = 0;
  window.crisislinkMap.eachLayer((layer) => {
    if (layer instanceof L.Path && (pane === null || layer.options.pane === pane)) { n++; }
  });
  return n;
}"""
PAINTED_PIXELS = """() => {
  const canvas = document.querySelector('.leaflet-overlay-pane canvas');
  if (!canvas) { return 0; }
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { painted++; } }
  return painted;
}"""
# The index of a marker fully inside the map and not covered by anything (zoom control, panel).
MARKER_IN_VIEW = """() => {
  const map = document.getElementById('map').getBoundingClientRect();
  const markers = Array.from(document.querySelectorAll('.contact-marker'));
  return markers.findIndex((m) => {
    const r = m.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return r.left > map.left + 60 && r.right < map.right - 20 && r.top > map.top + 20 &&
      r.bottom < map.bottom - 20 && document.elementFromPoint(x, y) === m;
  });
}"""


def _marker_in_view(page: Page) -> int:
    index: int = page.evaluate(MARKER_IN_VIEW)
    assert index >= 0, "no point-of-contact marker is visible on the map"
    return index


def _focused(page: Page) -> dict[str, Any]:
    info: dict[str, Any] = page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " cls: document.activeElement.className, text: document.activeElement.textContent.trim()})"
    )
    return info


# 1 ---------------------------------------------------------------------------------------------------------


def test_sign_in_shows_the_error_in_the_page_then_opens_the_map_with_its_layers(
    page: Page, node: Node
) -> None:
    sign_in_form(page, node, password="not the password")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Unknown user name or wrong password.")
    expect(page.locator("#password")).to_be_visible()
    assert page.locator("#map").count() == 0

    page.fill("#username", DUTY_OFFICER)
    page.fill("#password", node.passwords[DUTY_OFFICER])
    page.click("button.primary")
    page.wait_for_url(node.url("/"))

    expect(page.locator("#map.leaflet-container")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    # Built by map.js from /api/map/layers.
    jurisdictions = page.locator("#layer-jurisdictions")
    contacts = page.locator("#layer-contact_points")
    expect(jurisdictions).to_be_checked()
    expect(contacts).to_be_checked()
    expect(page.locator("#layer-list label")).to_have_text(
        [
            "Partner jurisdictions",
            "Points of contact",
            "Incidents",
            "Neighbours' public warnings",
            "Resources",
            "Hospitals",
            "Partners' live data",
        ]
    )
    # Drawn: jurisdiction outlines (Leaflet paths, painted on the canvas) and point-of-contact markers.
    page.wait_for_function(f"(pane) => ({COUNT_PATHS})(pane) > 0", arg=None)
    assert page.evaluate(PAINTED_PIXELS) > 1000
    expect(page.locator(".contact-marker").first).to_be_visible()
    assert page.locator(".contact-marker").count() > 10


def test_the_offline_basemap_is_drawn(context: BrowserContext, page: Page, node: Node) -> None:
    sign_in_api(context, node)
    open_map(page, node)
    for shown in ("countries", "regions", "rivers"):
        expect(page.locator(f"#layer-basemap-{shown}")).to_be_checked()
    municipalities = page.locator("#layer-basemap-municipalities")
    expect(municipalities).not_to_be_checked()
    page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".filter((e) => e.name.includes('/api/map/basemap/') && e.responseEnd > 0).length >= 3"
    )
    page.wait_for_function(f"(pane) => ({COUNT_PATHS})(pane) > 0", arg="basemap")
    page.wait_for_timeout(200)
    drawn: int = page.evaluate(COUNT_PATHS, "basemap")
    # Municipalities are fetched and drawn only when asked for.
    with page.expect_response(lambda r: r.url.endswith("/api/map/basemap/municipalities")):
        municipalities.check()
    page.wait_for_function(f"(pane) => ({COUNT_PATHS})(pane) > {drawn + 100}", arg="basemap")


# 2 ---------------------------------------------------------------------------------------------------------


def test_language_links_translate_the_console_and_the_choice_persists(
    context: BrowserContext, page: Page, node: Node
) -> None:
    sign_in_api(context, node)
    open_map(page, node)
    html = page.locator("html")
    first_nav_link = page.locator("ul.nav a").first
    expect(html).to_have_attribute("lang", "en")
    expect(first_nav_link).to_have_text("Map")
    expect(page.locator("#layers-title")).to_have_text("Layers")

    for code, map_word, layers_word, contacts_word in [
        ("nl", "Kaart", "Kaartlagen", "Contactpunten"),
        ("fr", "Carte", "Couches", "Points de contact"),
        ("de", "Karte", "Ebenen", "Kontaktstellen"),
    ]:
        page.click(f'nav.languages a[hreflang="{code}"]')
        page.wait_for_url(f"**/?lang={code}")
        expect(html).to_have_attribute("lang", code)
        expect(first_nav_link).to_have_text(map_word)
        expect(page.locator("#layers-title")).to_have_text(layers_word)
        expect(page.locator(f'nav.languages a[hreflang="{code}"]')).to_have_attribute("aria-current", "true")
        # The layer titles come from /api/map/layers, in the same language.
        expect(page.locator("#layer-list label").nth(1)).to_have_text(contacts_word)

    # The next page, reached through the nav (no ?lang= in the address), stays in German.
    page.locator('ul.nav a[href="/directory"]').click()
    page.wait_for_url(node.url("/directory"))
    expect(html).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Partner und Kontaktstellen")
    expect(page.locator("ul.nav a")).to_have_text(
        ["Karte", "Ereignisse", "Warnungen", "Hilfeleistung", "Daten", "Verzeichnis", "API"]
    )
    assert page.title().startswith("Verzeichnis")


# 3 ---------------------------------------------------------------------------------------------------------


def test_the_points_of_contact_layer_toggles_and_a_marker_shows_its_details(
    context: BrowserContext, page: Page, node: Node
) -> None:
    sign_in_api(context, node)
    open_map(page, node)
    markers = page.locator(".contact-marker")
    shown = markers.count()
    assert shown > 10
    toggle = page.get_by_label("Points of contact", exact=True)

    toggle.uncheck()
    expect(markers).to_have_count(0)
    toggle.check()
    expect(markers).to_have_count(shown)

    details = page.locator("#feature-details")
    expect(details).to_contain_text("Select a feature on the map")
    marker = markers.nth(_marker_in_view(page))
    partner_name = (marker.get_attribute("title") or "").split(" — ")[0]
    assert partner_name
    marker.click()
    expect(details.locator("h3").first).to_be_visible()
    expect(details.locator("dl").first).to_contain_text(partner_name)
    expect(details).to_contain_text(re.compile("Staffed now|Not staffed now"))
    link = details.get_by_role("link", name="Open the partner page").first
    expect(link).to_have_attribute("href", re.compile(r"^/partners/[0-9a-f-]{36}$"))
    href = link.get_attribute("href") or ""
    partner = directory.get_partner(node.platform.engine, uuid.UUID(href.rsplit("/", 1)[1]))
    assert partner_name in {partner.name, *partner.names.values()}
    link.click()
    page.wait_for_url(node.url(href))
    expect(page.locator("h1")).to_have_text(partner.names.get("en", partner.name))


# 6 ---------------------------------------------------------------------------------------------------------


def test_the_directory_filters_by_country_in_place_with_dialable_links_and_worded_badges(
    context: BrowserContext, page: Page, node: Node
) -> None:
    sign_in_api(context, node)
    page.goto(node.url("/directory"))
    partners = page.locator("#results li.partner")
    everyone = len(directory.list_partners(node.platform.engine))
    in_luxembourg = len(directory.list_partners(node.platform.engine, country="LU"))
    assert 0 < in_luxembourg < everyone
    expect(partners).to_have_count(everyone)

    # Phone numbers and addresses are links a desk phone or mail client can act on.
    phones = page.locator('#results a[href^="tel:"]')
    mails = page.locator('#results a[href^="mailto:"]')
    assert phones.count() > 0
    assert mails.count() > 0
    for href in phones.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"):
        assert re.fullmatch(r"tel:\+?[0-9]+", href), href
    for href in mails.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"):
        assert re.fullmatch(r"mailto:[^@\s]+@[^@\s]+", href), href

    # Staffing is said in words; the coloured dot is decoration hidden from assistive technology.
    badges = page.locator("#results .badge")
    assert badges.count() > 0
    texts = {text.replace("●", "").replace("○", "").strip() for text in badges.all_inner_texts()}
    assert texts <= {"Staffed now", "Not staffed now"}
    assert "Staffed now" in texts
    hidden_dots = page.locator('#results .badge > [aria-hidden="true"]')
    expect(hidden_dots).to_have_count(badges.count())

    # The country select re-renders only the results (htmx), not the page.
    page.evaluate("() => { window.sameDocument = true; }")
    with page.expect_response(lambda r: "/directory/results" in r.url and "country=LU" in r.url) as answer:
        page.get_by_label("Country").select_option("LU")
    assert answer.value.status == 200
    expect(partners).to_have_count(in_luxembourg)
    for line in partners.locator("h2 .muted").all_inner_texts():
        assert "Luxembourg" in line
    expect(page.locator("#results .count")).to_contain_text(f"{in_luxembourg} partners")
    assert page.evaluate("() => window.sameDocument") is True
    assert page.url == node.url("/directory")


# 7 ---------------------------------------------------------------------------------------------------------


def test_tab_from_the_top_reaches_the_skip_link_then_the_navigation(
    context: BrowserContext, page: Page, node: Node
) -> None:
    sign_in_api(context, node)
    open_map(page, node)
    page.keyboard.press("Tab")
    skip = _focused(page)
    assert (skip["tag"], skip["cls"], skip["text"]) == ("A", "skip-link", "Skip to content")
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["y"] >= 0  # on screen once focused

    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(_focused(page)["text"])
    assert order == ["crisislink", "Map", "Incidents", "Warnings", "Assistance", "Data", "Directory", "API"]

    # The skip link moves focus past the header to the content.
    for _ in range(len(order)):
        page.keyboard.press("Shift+Tab")
    assert _focused(page)["cls"] == "skip-link"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"


def test_the_login_form_and_a_map_marker_work_with_the_keyboard_alone(page: Page, node: Node) -> None:
    page.goto(node.url("/login"))
    assert _focused(page)["id"] == "username"  # autofocus
    page.keyboard.type(DUTY_OFFICER)
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "password"
    page.keyboard.type(node.passwords[DUTY_OFFICER])
    page.keyboard.press("Enter")
    page.wait_for_url(node.url("/"))
    page.wait_for_selector(".contact-marker")

    # Markers are focusable; Enter opens their details like a click.
    marker = page.locator(".contact-marker").nth(_marker_in_view(page))
    expect(marker).to_have_attribute("tabindex", "0")
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#feature-details h3").first).to_be_visible()


def test_a_focused_marker_keeps_the_focus_when_live_events_redraw_the_map(
    context: BrowserContext, page: Page, node: Node
) -> None:
    sign_in_api(context, node)
    page.goto(node.url("/"))
    page.wait_for_selector(".contact-marker")
    marker = page.locator(".contact-marker").nth(_marker_in_view(page))
    marker.focus()
    drawn = marker.element_handle()

    node.add_contact("Desk added while a keyboard user reads the map")
    page.wait_for_function("(old) => !old.isConnected", arg=drawn, timeout=15_000)  # the layer was redrawn

    assert "contact-marker" in _focused(page)["cls"]
    page.keyboard.press("Enter")
    expect(page.locator("#feature-details h3").first).to_be_visible()


# 8 ---------------------------------------------------------------------------------------------------------

BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"


def test_the_high_contrast_link_switches_the_page_it_is_clicked_on(
    context: BrowserContext, page: Page, node: Node
) -> None:
    sign_in_api(context, node)
    page.goto(node.url("/directory"))
    html = page.locator("html")
    expect(html).not_to_have_class(re.compile("high-contrast"))
    page.get_by_role("link", name="High contrast").click()
    page.wait_for_url("**contrast=on")
    expect(html).to_have_class(re.compile(r"\bhigh-contrast\b"), timeout=2000)
    expect(page.get_by_role("link", name="Standard view")).to_be_visible()


def test_high_contrast_is_switched_on_and_off_and_persists(
    context: BrowserContext, page: Page, node: Node
) -> None:
    sign_in_api(context, node)
    page.goto(node.url("/directory"))
    html = page.locator("html")
    expect(html).not_to_have_class(re.compile("high-contrast"))
    standard_background = page.evaluate(BACKGROUND)

    page.get_by_role("link", name="High contrast").click()
    page.wait_for_url("**contrast=on")
    # On the next page, reached without the parameter, it is on: dark background, the other link.
    page.locator("ul.nav a").first.click()
    page.wait_for_url(node.url("/"))
    expect(html).to_have_class(re.compile(r"\bhigh-contrast\b"))
    assert page.evaluate(BACKGROUND) == "rgb(0, 0, 0)" != standard_background
    page.wait_for_selector(".contact-marker")
    page.goto(node.url("/directory"))
    expect(html).to_have_class(re.compile(r"\bhigh-contrast\b"))

    page.get_by_role("link", name="Standard view").click()
    page.wait_for_url("**contrast=off")
    page.goto(node.url("/directory"))
    expect(html).not_to_have_class(re.compile("high-contrast"))
    assert page.evaluate(BACKGROUND) == standard_background
    expect(page.get_by_role("link", name="High contrast")).to_be_visible()


# 9 ---------------------------------------------------------------------------------------------------------


def _full_session(page: Page, node: Node) -> None:
    """What an operator does in a shift, in one browser context (the API reference has its own test)."""
    sign_in_form(page, node)
    page.wait_for_url(node.url("/"))
    page.wait_for_selector(".contact-marker")
    page.locator(".contact-marker").nth(_marker_in_view(page)).click()
    page.get_by_label("Municipalities").check()
    page.wait_for_timeout(500)
    page.click('nav.languages a[hreflang="nl"]')
    page.wait_for_selector(".contact-marker")
    page.click('nav.languages a[hreflang="en"]')
    page.locator('ul.nav a[href="/directory"]').click()
    page.wait_for_url(node.url("/directory"))
    with page.expect_response(lambda r: "/directory/results" in r.url):
        page.get_by_label("Country").select_option("BE")
    page.locator("a.contrast-toggle").click()
    page.locator("a.contrast-toggle").click()
    page.locator("#results li.partner h2 a").first.click()
    page.wait_for_url(re.compile(r".*/partners/.*"))
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(node.url("/login"))


def test_no_request_leaves_the_node(context: BrowserContext, page: Page, node: Node) -> None:
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    _full_session(page, node)
    assert len(requests) > 20
    assert any("/api/events" in url for url in requests)
    assert any("/api/map/layers/" in url for url in requests)
    local = (node.base + "/", f"blob:{node.base}/", "data:")
    elsewhere = sorted({url for url in requests if not url.startswith(local)})
    assert elsewhere == []


def test_no_script_errors_on_the_login_directory_and_partner_pages(
    page: Page, node: Node, console: Console
) -> None:
    page.goto(node.url("/login?next=/directory"))  # the map page has its own test
    page.fill("#username", DUTY_OFFICER)
    page.fill("#password", node.passwords[DUTY_OFFICER])
    page.click("button.primary")
    page.wait_for_url(node.url("/directory"))
    with page.expect_response(lambda r: "/directory/results" in r.url):
        page.get_by_label("Country").select_option("NL")
    page.get_by_label("Search").fill("veiligheidsregio")
    page.wait_for_timeout(600)
    page.locator("#results li.partner h2 a").first.click()
    page.wait_for_url(re.compile(r".*/partners/[0-9a-f-]{36}$"))
    page.wait_for_load_state("load")
    assert console.errors == []


def test_a_partner_page_lists_its_points_of_contact(
    context: BrowserContext, page: Page, node: Node, console: Console
) -> None:
    sign_in_api(context, node)
    page.goto(node.url("/directory"))
    with_contacts = page.locator("#results li.partner").filter(has=page.locator("li.contact"))
    first = with_contacts.first.locator("h2 a")
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r".*/partners/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("li.contact").first).to_be_visible()
    assert page.locator('a[href^="tel:"], a[href^="mailto:"]').count() > 0
    assert console.errors == []


def test_no_script_errors_on_the_map_page(
    context: BrowserContext, page: Page, node: Node, console: Console
) -> None:
    sign_in_api(context, node)
    with page.expect_response(lambda r: r.url.endswith("/api/map/basemap/rivers")):
        open_map(page, node)
    page.wait_for_timeout(500)
    assert console.errors == []


def test_the_api_reference_renders_locally_without_errors(
    context: BrowserContext, page: Page, node: Node, console: Console
) -> None:
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    sign_in_api(context, node)
    page.goto(node.url("/directory"))
    page.get_by_role("link", name="API", exact=True).click()
    page.wait_for_url(node.url("/api/docs"))
    # The reference is drawn in the browser from the whole OpenAPI document: more than the default 5 s
    # on a busy 2-core machine.
    expect(page.get_by_role("heading", level=1)).to_contain_text("crisislink API", timeout=30_000)
    page.wait_for_timeout(500)
    local = (node.base + "/", f"blob:{node.base}/", "data:")
    assert sorted({url for url in requests if not url.startswith(local)}) == []
    assert console.errors == []


# 10 --------------------------------------------------------------------------------------------------------


def test_first_page_load_of_the_console(context: BrowserContext, page: Page, node: Node) -> None:
    """Reported, not asserted: the map page, signed in, with an empty browser cache (a fresh context)."""
    sign_in_api(context, node)
    page.goto(node.url("/"))
    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    timing: dict[str, float] = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {load: n.loadEventEnd, dom: n.domContentLoadedEventEnd, ttfb: n.responseStart}; }"
    )
    # Until the points of contact are on the map (they are fetched after `load`).
    drawn: float = page.wait_for_function(
        "() => document.querySelector('.contact-marker') ? performance.now() : 0"
    ).json_value()
    transferred: int = page.evaluate(
        "() => performance.getEntriesByType('resource').reduce((sum, r) => sum + r.transferSize, 0)"
        " + performance.getEntriesByType('navigation')[0].transferSize"
    )
    line = (
        f"first page load: {timing['load']:.0f} ms (target 1.5 s); DOM ready {timing['dom']:.0f} ms, "
        f"first byte {timing['ttfb']:.0f} ms, points of contact drawn {drawn:.0f} ms, "
        f"{transferred / 1024:.0f} KiB transferred"
    )
    print(f"\n{line}")  # noqa: T201 -- the figure is the product of this test
    target = os.environ.get("BROWSER_TIMINGS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    assert timing["load"] > 0
