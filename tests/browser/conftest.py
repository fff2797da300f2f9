"""Browser tests: Debian's Chromium, driven by Playwright, against a live node seeded with the real directory.

One node (SQLite file, seeded partners, demo accounts, a uvicorn server on a free loopback port) per test
module; one browser per module; a fresh browser context (empty cache, no cookies) per test.

Without Chromium or Playwright the tests are skipped, except in CI (CI=true) where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from scripts.screenshots import CHROMIUM_ARGS

from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bootstrap import Platform
from crisislink.app.seeding import create_demo_accounts, seed_partners
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import IN_CI, live_server, make_platform, migrated

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, ViewportSize

VIEWPORT: ViewportSize = {"width": 1400, "height": 850}
DUTY_OFFICER = "nccn.duty"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail in CI (CI=true), where the browser tests must run."""
    if IN_CI:
        pytest.fail(f"CI=true but the browser tests cannot run: {reason}")
    pytest.skip(reason)


CHROMIUM_MISSING = "Chromium not found: apt-get install chromium (see README); or set CRISISLINK_CHROMIUM"
PLAYWRIGHT_MISSING = (
    "Playwright for Python not installed: pip install playwright (it drives Debian's chromium; "
    "no `playwright install` needed)"
)


def chromium_path() -> str | None:
    """CRISISLINK_CHROMIUM if set, else `chromium` on PATH, else Debian's /usr/bin/chromium."""
    chosen = os.environ.get("CRISISLINK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return chosen if Path(chosen).is_file() else None


class FeedSwitch:
    """Wraps the ASGI app so a test can cut the live feed as a network failure would, and keep it down.

    `cut()` ends every open /api/events stream (the app sees the client disconnect; the browser sees the
    stream end) and refuses new ones with 503 until `restore()`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cuts = 0
        self.down = False
        self.refused = 0

    def cut(self) -> None:
        self.down = True
        self.cuts += 1

    def restore(self) -> None:
        self.down = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != "/api/events":
            await self.app(scope, receive, send)
            return
        if self.down:
            self.refused += 1
            headers = [(b"content-type", b"text/plain"), (b"cache-control", b"no-store")]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": b"live feed cut by the test"})
            return
        generation = self.cuts
        started = finished = False

        async def watched_receive() -> Message:
            pending = asyncio.ensure_future(receive())
            try:
                while not pending.done():
                    if self.cuts != generation:
                        return {"type": "http.disconnect"}
                    await asyncio.sleep(0.05)
                return pending.result()
            finally:
                pending.cancel()

        async def tracked_send(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                finished = True
            await send(message)

        await self.app(scope, watched_receive, tracked_send)
        if started and not finished:  # end the chunked body cleanly: the browser sees the stream close
            await send({"type": "http.response.body", "body": b"", "more_body": False})


@dataclass
class Node:
    """A running, seeded crisislink node."""

    base: str
    platform: Platform
    passwords: dict[str, str]
    feed: FeedSwitch
    partners: dict[str, uuid.UUID] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path

    def add_contact(self, name: str, partner: str = "BE-NCCN") -> uuid.UUID:
        """A change made behind the browser's back: through the platform's command bus."""
        contact_id: uuid.UUID = self.platform.bus.handle(
            sc.CreateContactPoint(
                actor=SYSTEM,
                partner_id=self.partners[partner],
                role=ContactRole.DUTY_DESK_24_7,
                name=name,
                channels=(Channel(ChannelKind.PHONE, "+32 2 000 00 00"),),
                languages=("en", "nl", "fr"),
                hours=StaffedHours(always=True),
                marking=Tlp.GREEN,
            )
        )
        return contact_id


# Module scope, not session: while Playwright's sync API is open its event loop counts as running in this
# thread, and the asyncio tests that run later in the session could not start theirs.
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(PLAYWRIGHT_MISSING)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        _unavailable(CHROMIUM_MISSING)
    launched = playwright_driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def platform_overrides() -> dict[str, Any]:
    """What a test module changes in its node's platform (e.g. `clock`); override it in the module."""
    return {}


@pytest.fixture(scope="module")
def node(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser, platform_overrides: dict[str, Any]
) -> Iterator[Node]:
    # Depends on `browser` so a missing Chromium skips before the node is seeded for nothing.
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-node') / 'crisislink.db'}"
    migrated(url)
    platform = make_platform(url, **platform_overrides)
    seed_partners(platform, ReferenceData(), progress=lambda _code: None)
    passwords = {account.username: account.password for account in create_demo_accounts(platform)}
    partners = {partner.code: partner.id for partner in directory.list_partners(platform.engine)}
    feed = FeedSwitch(create_app(platform))
    with live_server(feed) as base:
        yield Node(base=base, platform=platform, passwords=passwords, feed=feed, partners=partners)
    # The app's shutdown hook stops the platform.


@pytest.fixture
def context(browser: Browser, node: Node) -> Iterator[BrowserContext]:
    fresh = browser.new_context(viewport=VIEWPORT, base_url=node.base)
    yield fresh
    fresh.close()


@dataclass
class Console:
    """What the page wrote to its console as errors, and uncaught exceptions, with the page they came from."""

    errors: list[str] = field(default_factory=list)

    def listen(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"{page.url}: console error: {message.text}")

        def on_error(error: Exception) -> None:
            self.errors.append(f"{page.url}: uncaught: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_error)


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(context: BrowserContext, console: Console) -> Page:
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    console.listen(opened)
    return opened


def sign_in_form(page: Page, node: Node, username: str = DUTY_OFFICER, password: str | None = None) -> None:
    """Sign in through the login form (the way a person does)."""
    page.goto(node.url("/login"))
    page.fill("#username", username)
    page.fill("#password", node.passwords[username] if password is None else password)
    page.click("button.primary")


def sign_in_api(context: BrowserContext, node: Node, username: str = DUTY_OFFICER) -> dict[str, Any]:
    """Sign in through the JSON API; the session cookie lands in the context's cookie jar."""
    response = context.request.post(
        node.url("/api/auth/login"), data={"username": username, "password": node.passwords[username]}
    )
    assert response.status == 201, response.text()
    body: dict[str, Any] = response.json()
    return body


def open_map(page: Page, node: Node) -> None:
    """Open the map page and wait until map.js has built the layer list and drawn the points of contact."""
    page.goto(node.url("/"))
    page.wait_for_selector("#layer-contact_points")
    page.wait_for_selector(".contact-marker")


def wait_until_live(page: Page, timeout_s: float = 10) -> None:
    page.wait_for_selector('#live-status[data-state="live"]', timeout=timeout_s * 1000)
