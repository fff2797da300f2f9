"""The warning console in a real browser: an area drawn with the keyboard on the map, its targeting computed
in place (htmx), the draft saved and its area shown on the warning's own page; and the public page."""

from __future__ import annotations

import contextlib
import json

import pytest

from tests.browser.conftest import Node, sign_in_form

pytestmark = pytest.mark.browser

with contextlib.suppress(ImportError):  # without Playwright the `browser` fixture fails (CI) or skips
    from playwright.sync_api import Page, expect

OFFICER = "zl.info"  # Zuid-Limburg's information officer (NL-VR24)


def draw_a_triangle_with_the_keyboard(page: Page) -> None:
    area = page.locator("#warning-area-map")
    area.focus()
    page.keyboard.press("Enter")
    for key in ("ArrowRight", "ArrowRight", "Enter", "ArrowDown", "ArrowDown", "Enter"):
        page.keyboard.press(key)
        page.wait_for_timeout(350)  # the map pans with a short animation; a person is slower still
    expect(page.locator(".draw-status")).to_contain_text("3")
    page.get_by_role("button", name="Finish the area").click()
    expect(page.locator(".draw-status")).to_have_text("Area drawn.")


def test_an_area_drawn_on_the_map_is_targeted_and_drafted(page: Page, node: Node) -> None:
    sign_in_form(page, node, OFFICER)
    page.wait_for_url(node.url("/"))
    page.locator('ul.nav a[href="/warnings"]').click()
    page.get_by_role("link", name="Draft a warning").click()
    page.wait_for_url(node.url("/warnings/new"))

    draw_a_triangle_with_the_keyboard(page)

    drawn = json.loads(page.locator("#area_drawn").input_value())
    assert drawn["type"] == "Polygon"
    assert len(drawn["coordinates"][0]) == 4  # three corners, closed
    page.get_by_role("button", name="Compute targeting").click()
    expect(page.locator("#targeting")).to_contain_text("Estimated population reached")
    assert page.url == node.url("/warnings/new")  # swapped in place, not a new page

    page.select_option('select[name="hazard"]', "flood.river")
    page.fill('input[name="area_description"]', "Drawn on the map")
    page.fill('input[name="nl.headline"]', "Hoogwater")
    page.fill('textarea[name="nl.description"]', "De rivier treedt buiten haar oevers.")
    page.fill('textarea[name="nl.instruction"]', "Ga naar hoger gelegen plekken.")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(node.url("/warnings/*"))
    expect(page.locator("h1")).to_have_text("Hoogwater")
    expect(page.locator("#warning-area-map path.leaflet-interactive")).to_have_count(1)


def test_clear_empties_the_drawn_area(page: Page, node: Node) -> None:
    sign_in_form(page, node, OFFICER)
    page.wait_for_url(node.url("/"))
    page.goto(node.url("/warnings/new"))
    draw_a_triangle_with_the_keyboard(page)

    page.get_by_role("button", name="Clear").click()

    assert page.locator("#area_drawn").input_value() == ""
    expect(page.locator(".draw-status")).to_have_text("No area drawn.")
