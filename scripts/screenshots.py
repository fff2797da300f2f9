"""Screenshots of the console for the docs: `python -m scripts.screenshots [--out docs/screenshots]`.

Starts a throwaway node (temporary SQLite database, the real partner directory, demo accounts) on a free
loopback port, replays the July 2021 floods, signs in as the demo duty officer in Debian's Chromium
(Playwright, no download), and saves the map, the incidents, one replayed incident, the directory, a partner
page and the sign-in page in English, Dutch, French and German, plus one high-contrast view of the map, as
1400x850 PNGs (the incident page also in full length).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from crisislink.adapters.db import migrate
from crisislink.adapters.db.engine import make_engine
from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries.incidents import incident_id_by_reference
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bootstrap import Platform, bootstrap
from crisislink.app.scenarios.replay import replay
from crisislink.app.seeding import create_demo_accounts, ensure_local_node, seed_partners
from crisislink.app.settings import Settings
from crisislink.entrypoints.web.app import create_app

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, ViewportSize
LANGUAGES = ("en", "nl", "fr", "de")
VIEWPORT: ViewportSize = {"width": 1400, "height": 850}
DUTY_OFFICER = "nccn.duty"
PARTNER = "BE-NCCN"
REPLAYED = "replay:floods-2021:liege"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def seeded_node(folder: Path) -> tuple[Platform, dict[str, str]]:
    url = f"sqlite:///{folder / 'crisislink.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    platform = bootstrap(Settings(database_url=url, node_code="be", argon2_fast=True))
    ensure_local_node(platform)
    seed_partners(platform, ReferenceData(), progress=lambda _code: None)
    passwords = {account.username: account.password for account in create_demo_accounts(platform)}
    replay(platform, "floods-2021")
    return platform, passwords


@contextmanager
def serving(platform: Platform) -> Iterator[str]:
    """The console on a free loopback port, in a thread; stops the platform on the way out."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the node did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def map_ready(page: Page) -> None:
    """Layers listed and drawn, the basemap requested, the live feed connected, the canvas repainted."""
    page.wait_for_selector("#layer-contact_points")
    page.wait_for_selector(".contact-marker")
    page.wait_for_function("() => document.getElementById('attribution').textContent.length > 0")
    page.wait_for_selector('#live-status[data-state="live"]')
    page.wait_for_timeout(800)


def shoot(page: Page, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    print(f"  {path} ({path.stat().st_size // 1024} KiB)")


def shoot_incidents(page: Page, base: str, incident_id: str, out: Path, lang: str) -> None:
    page.goto(f"{base}/incidents?lang={lang}")
    page.wait_for_selector("table.grid")
    shoot(page, out, f"incidents-{lang}")
    page.goto(f"{base}/incidents/{incident_id}?lang={lang}")
    page.wait_for_selector(".tl-item")
    page.wait_for_selector("#incident-map path.leaflet-interactive")
    page.wait_for_timeout(600)
    shoot(page, out, f"incident-{lang}")
    if lang == "en":
        path = out / "incident-en-full.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        print(f"  {path} ({path.stat().st_size // 1024} KiB)")


def shoot_all(
    signed_in: BrowserContext,
    anonymous: BrowserContext,
    base: str,
    partner_id: str,
    incident_id: str,
    out: Path,
) -> None:
    page = signed_in.new_page()
    login = anonymous.new_page()
    for lang in LANGUAGES:
        page.goto(f"{base}/?lang={lang}")
        map_ready(page)
        shoot(page, out, f"map-{lang}")
        shoot_incidents(page, base, incident_id, out, lang)
        page.goto(f"{base}/directory?lang={lang}")
        page.wait_for_selector("#results li.partner")
        shoot(page, out, f"directory-{lang}")
        page.goto(f"{base}/partners/{partner_id}?lang={lang}")
        page.wait_for_selector("h1")
        shoot(page, out, f"partner-{lang}")
        login.goto(f"{base}/login?lang={lang}")
        login.wait_for_selector("#username")
        shoot(login, out, f"login-{lang}")
    # The preference is a cookie: set it, then open the map as one normally would.
    page.goto(f"{base}/directory?lang=en&contrast=on")
    page.goto(f"{base}/")
    map_ready(page)
    shoot(page, out, "map-en-high-contrast")
    page.goto(f"{base}/directory?contrast=off")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Playwright for Python is missing: pip install playwright (no browser download needed)")
        return 2
    if not Path(args.chromium).exists():
        print(f"Chromium not found at {args.chromium}: apt-get install chromium")
        return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        platform, passwords = seeded_node(Path(folder))
        partner_id = next(p.id for p in directory.list_partners(platform.engine) if p.code == PARTNER)
        incident_id = incident_id_by_reference(platform.engine, REPLAYED)
        assert incident_id is not None, "the replay did not load"
        with serving(platform) as base, sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            signed_in = browser.new_context(viewport=VIEWPORT)
            anonymous = browser.new_context(viewport=VIEWPORT)
            page = signed_in.new_page()
            page.goto(f"{base}/login")
            page.fill("#username", DUTY_OFFICER)
            page.fill("#password", passwords[DUTY_OFFICER])
            page.click("button.primary")
            page.wait_for_url(f"{base}/")
            page.close()
            print(f"screenshots of {base} into {out}/")
            shoot_all(signed_in, anonymous, base, str(partner_id), str(incident_id), out)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
