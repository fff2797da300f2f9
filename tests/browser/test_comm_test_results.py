"""Done-when of line 4's communication tests, in the browser: a test runs against every seeded point of
contact, some desks answer, some are escalated and one answers after escalation, and the results — the
run's table and each partner's chart — show on the readiness page.

The node is seeded with the real directory (no rota, no earlier test) and a clock that moves only when the
test says so: escalation after 15 minutes is the schedule's work, which this node does not run in the
background, so the test advances the clock and runs a schedule round itself. Every message goes to the
node's recording sender (no phone or mail gateway here); a recipient "opens the link in the message" by
taking it from there, as an operator relaying the call sheet would hand it on.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from lxml import etree

from crisislink.adapters.db import tables as t
from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.adapters.messaging.router import ChannelRouter
from crisislink.adapters.messaging.text import Rendered
from crisislink.app.schedule import run_once
from crisislink.domains.readiness.ports import OutgoingMessage
from crisislink.kernel.clock import FixedClock
from tests.browser.conftest import DUTY_OFFICER, VIEWPORT, Console, Node, sign_in_form

pytestmark = pytest.mark.browser

with contextlib.suppress(ImportError):  # without Playwright the `browser` fixture fails (CI) or skips
    from playwright.sync_api import Browser, Page, expect

TEST_NAME = "Benelux communication test, whole network"
ESCALATE_AFTER = timedelta(minutes=15)  # the node's default (CRISISLINK_COMM_TEST_ESCALATE_MINUTES)
SVG = "{http://www.w3.org/2000/svg}"
ACK_LINK = re.compile(r"https?://\S+/readiness/ack/[A-Za-z0-9_-]+")
Sent = Sequence[tuple[OutgoingMessage, Rendered]]


@pytest.fixture(scope="module")
def platform_overrides() -> dict[str, Any]:
    return {"clock": FixedClock(datetime.now(UTC).replace(microsecond=0))}


def clock_of(node: Node) -> FixedClock:
    clock = node.platform.clock
    assert isinstance(clock, FixedClock)
    return clock


def recording_sender(node: Node) -> RecordingSender:
    """The node's own sender: with no gateway configured, every channel falls back to recording."""
    router = node.platform.comm_sender
    assert isinstance(router, ChannelRouter)
    assert isinstance(router.fallback, RecordingSender)
    return router.fallback


def api(page: Page, path: str) -> Any:
    """A JSON read with the signed-in person's session (the sharing policy applies as on the page)."""
    response = page.request.get(path)
    assert response.ok, (path, response.status, response.text()[:500])
    return response.json()


def ack_path(rendered: Rendered) -> str:
    """The link in the message's text, as the recipient reads it (this node's address, whatever its host)."""
    found = ACK_LINK.search(rendered.body)
    assert found is not None, rendered.body
    return urlsplit(found.group(0)).path


def message_for(sent: Sent, *, to: str | None = None, on_behalf_of: str | None = None) -> Rendered:
    """A message of the run: the first one to a desk, or an escalation on behalf of one (e-mail first)."""
    found = [
        (m, r) for m, r in sent if m.on_behalf_of == on_behalf_of and (to is None or m.recipient.name == to)
    ]
    assert found, (to, on_behalf_of)
    found.sort(key=lambda pair: pair[0].recipient.channel != "email")
    return found[0][1]


def acknowledge(browser: Browser, node: Node, console: Console, rendered: Rendered) -> str:
    """The recipient opens the link (no account, no sign-in) and presses the button; what the page says."""
    context = browser.new_context(viewport=VIEWPORT, base_url=node.base)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        console.listen(page)
        page.goto(node.url(ack_path(rendered)))
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_role("status")).to_contain_text("Acknowledged. Thank you.")
        return str(page.locator(".ack-card").inner_text())
    finally:
        context.close()


def probe_row(page: Page, contact_name: str) -> Any:
    return page.locator(f'#probes tbody tr:has(td:nth-child(2):text-is("{contact_name}"))')


def chart_svg(page: Page, node: Node, partner_id: uuid.UUID) -> etree._Element:
    """The partner's chart as the page shows it: loaded in the page, then its SVG read from the same URL."""
    image = page.locator(f'#results img[src^="/api/comm-tests/partners/{partner_id}/chart.svg"]')
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    response = page.request.get(node.url(str(image.get_attribute("src"))))
    assert response.ok
    assert response.headers["content-type"].startswith("image/svg+xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(response.body(), parser)


def the_run_point(svg: etree._Element) -> str:
    """The chart's only run: its <title>, the sentence a screen reader reads for the point."""
    runs = svg.findall(f".//{SVG}g[@class='run']")
    assert len(runs) == 1  # one point: this run, the node's only test
    return str(runs[0].findtext(f"{SVG}title"))


@dataclass
class Reach:
    """What a test of the whole network must reach, from the directory as the organiser sees it."""

    contacts: list[dict[str, Any]]  # every point of contact the organiser may see
    reachable: list[dict[str, Any]]  # those with a channel to send on
    channels: int  # one message per channel of each

    def desks(self, partner: uuid.UUID) -> int:
        return sum(1 for c in self.reachable if c["owner_partner_id"] == str(partner))

    def desk_of(self, partner: uuid.UUID) -> str:
        """The name of the partner's 24/7 desk."""
        return next(
            str(c["name"])
            for c in self.contacts
            if c["owner_partner_id"] == str(partner) and c["role"] == "duty_desk_24_7"
        )


def open_readiness_from_the_directory(page: Page, node: Node) -> None:
    sign_in_form(page, node, DUTY_OFFICER)
    page.wait_for_url(node.url("/"))
    page.goto(node.url("/directory"))
    page.get_by_role("link", name="Who is on duty now, and communication tests").click()
    page.wait_for_url(node.url("/readiness"))


def what_the_test_must_reach(page: Page, node: Node) -> Reach:
    """Every seeded point of contact the organiser may see; the others are hidden from it by the policy."""
    contacts: list[dict[str, Any]] = api(page, "/api/contact-points?limit=1000")
    reachable = [c for c in contacts if c["channels"]]
    with node.platform.engine.connect() as conn:
        seeded = set(map(str, conn.execute(sa.select(t.contact_points.c.id)).scalars()))
    seen = {c["id"] for c in contacts}
    assert seen <= seeded
    for hidden in seeded - seen:
        assert page.request.get(f"/api/contact-points/{hidden}").status == 404
    return Reach(contacts, reachable, sum(len(c["channels"]) for c in reachable))


def start_a_test_of_the_whole_network(page: Page) -> uuid.UUID:
    page.locator("summary", has_text="Start a test now").click()
    form = page.locator('form[action="/readiness/runs"]')
    expect(form.get_by_text("Choose none to test every partner of the network.")).to_be_visible()
    form.locator('input[name="name"]').fill(TEST_NAME)
    expect(form.locator('select[name="partners"] option:checked')).to_have_count(0)  # none: all of them
    form.get_by_role("button", name="Send the test now").click()
    page.wait_for_url(re.compile(r".*/readiness/runs/[0-9a-f-]{36}$"))
    return uuid.UUID(page.url.rsplit("/", 1)[1])


def check_every_desk_was_sent_the_test(
    page: Page, sender: RecordingSender, run_id: uuid.UUID, reach: Reach
) -> Sent:
    """One probe per reachable desk, one message per channel, each handed to the sender. The first round."""
    expect(page.locator("#probes tbody tr")).to_have_count(len(reach.reachable))
    first_round = [(m, r) for m, r in sender.for_run(run_id) if m.on_behalf_of is None]
    assert len(first_round) == reach.channels
    run = api(page, f"/api/comm-tests/runs/{run_id}")
    assert {p["contact_point_id"] for p in run["probes"]} == {c["id"] for c in reach.reachable}
    sent = [m for p in run["probes"] for m in p["messages"] if m["delivery"] == "sent"]
    assert len(sent) == reach.channels
    assert run["summary"]["marking"] == "GREEN"  # a test of the whole network: every member sees it
    return first_round


def check_the_run_page(page: Page, reach: Reach, answered: dict[str, str], escalated: str) -> None:
    """Each desk's result and delay, as the organiser reads them, then the test closed by hand."""
    page.reload()
    for desk, delay in answered.items():
        expect(probe_row(page, desk).locator(".outcome-acknowledged")).to_have_count(1)
        expect(probe_row(page, desk).locator("td:nth-child(4)")).to_have_text(delay)
    late = probe_row(page, escalated)
    expect(late.locator("td:nth-child(3)")).to_contain_text("Acknowledged after escalation")
    expect(late.locator("td:nth-child(4)")).to_have_text("20.0 min")
    page.get_by_role("button", name="Close the test now").click()
    expect(page.get_by_role("button", name="Close the test now")).to_have_count(0)
    expect(page.locator("dl.facts")).to_contain_text(f"3 / {len(reach.reachable)} (1 after escalation)")
    silent = page.locator("#probes tbody tr", has=page.locator(".outcome-no_answer"))
    expect(silent).to_have_count(len(reach.reachable) - 3)


def check_the_recent_runs(page: Page, reach: Reach) -> None:
    page.get_by_role("link", name="← Readiness").click()
    row = page.locator("#tests table tbody tr", has_text=TEST_NAME)
    expect(row.locator("td:nth-child(3)")).to_have_text("Closed")
    expect(row.locator("td:nth-child(4)")).to_have_text(f"3 / {len(reach.reachable)}")
    expect(row.locator("td:nth-child(5)")).to_have_text("1")  # after escalation
    expect(row.locator("td:nth-child(6)")).to_contain_text(str(len(reach.reachable) - 3))  # no answer


def check_the_charts(page: Page, node: Node, reach: Reach) -> None:
    """Each partner's chart: one point for this run, with its answer rate and delays."""
    nccn, liege, limburg = (node.partners[code] for code in ("BE-NCCN", "BE-PROV-LIEGE", "BE-PROV-LIMBURG"))
    own = the_run_point(chart_svg(page, node, nccn))  # the organiser's own chart comes first, unfolded
    assert own.startswith(f"{TEST_NAME}, ")
    assert (
        f": 1 of {reach.desks(nccn)} answered (0 after escalation); median delay 4 min, longest 4 min." in own
    )

    page.locator("#results summary", has_text="Other partners").click()
    liege_svg = chart_svg(page, node, liege)
    point = the_run_point(liege_svg)
    assert (
        f": 1 of {reach.desks(liege)} answered (0 after escalation); median delay 7 min, longest 7 min."
        in point
    )
    assert liege_svg.find(f".//{SVG}circle[@class='median']") is not None  # the delay, drawn
    rates = [e.text for e in liege_svg.iter(f"{SVG}text")]
    assert f"{round(100 / reach.desks(liege))}%" in rates  # the answer rate, written beside its bar
    late = the_run_point(chart_svg(page, node, limburg))
    assert f": 1 of {reach.desks(limburg)} answered (1 after escalation); median delay 20 min" in late

    silent = next(p for p in node.partners.values() if p not in {nccn, liege, limburg} and reach.desks(p))
    nobody = chart_svg(page, node, silent)
    assert f": 0 of {reach.desks(silent)} answered" in the_run_point(nobody)
    assert nobody.find(f".//{SVG}path[@class='none']") is not None  # no answer: a cross, not a point


def test_a_test_of_the_whole_network_reaches_every_desk_escalates_the_silent_and_charts_the_answers(
    browser: Browser, node: Node, page: Page, console: Console
) -> None:
    clock, sender = clock_of(node), recording_sender(node)
    started = clock.now()
    open_readiness_from_the_directory(page, node)
    reach = what_the_test_must_reach(page, node)
    run_id = start_a_test_of_the_whole_network(page)
    first_round = check_every_desk_was_sent_the_test(page, sender, run_id, reach)
    nccn, liege, limburg = (
        reach.desk_of(node.partners[code]) for code in ("BE-NCCN", "BE-PROV-LIEGE", "BE-PROV-LIMBURG")
    )

    # Two desks answer within the quarter of an hour, through the link in their e-mail.
    clock.advance(timedelta(minutes=4))
    said = acknowledge(browser, node, console, message_for(first_round, to=nccn))
    assert f"{nccn} answered “{TEST_NAME}” after 4 minutes." in said
    clock.advance(timedelta(minutes=3))
    acknowledge(browser, node, console, message_for(first_round, to=liege))

    # The others stay silent: past 15 minutes, a schedule round escalates each to its next step.
    clock.advance(ESCALATE_AFTER + timedelta(minutes=1) - (clock.now() - started))
    run_once(node.platform.bus)
    escalations = [(m, r) for m, r in sender.for_run(run_id) if m.on_behalf_of is not None]
    silent = {m.on_behalf_of for m, _ in escalations}
    assert limburg in silent
    assert not {nccn, liege} & silent  # those who answered are left alone

    # Limburg's desk is answered for by the desk it was escalated to.
    clock.advance(timedelta(minutes=4))
    acknowledge(browser, node, console, message_for(escalations, on_behalf_of=limburg))

    check_the_run_page(page, reach, {nccn: "4.0 min", liege: "7.0 min"}, limburg)
    check_the_recent_runs(page, reach)
    check_the_charts(page, node, reach)
    assert console.errors == []
