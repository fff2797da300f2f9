"""The public's warning pages, Atom feeds and CAP files, read with no sign-in — and never a false alarm: a
draft, an approved warning not yet issued, an exercise, a test or one country's part alone never shows.

Warnings are driven through the bus and published by the publication consumer (`dispatcher.drain()`), the
way the background thread does it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from lxml import etree

from crisislink.adapters.channels.atom_validation import validate_atom
from crisislink.adapters.db import tables as t
from crisislink.domains.warnings.codes import Status
from crisislink.kernel.clock import FixedClock
from tests import support_warnings as sw
from tests.support import World
from tests.web.conftest import Client
from tests.web.test_console import Doc, assert_strict_csp, console_sign_in, page

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = (
    "/public/warnings.atom",
    *(f"/public/warnings/{code}.atom" for code in ("nl", "fr", "de", "en", "lb")),
)
PUBLIC_URL = "http://127.0.0.1:8000"  # the default settings.public_url of the test platform


def identifiers(world: World, warning_id: uuid.UUID) -> list[str]:
    with world.platform.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(t.warning_messages.c.identifier)
                .where(t.warning_messages.c.warning_id == warning_id)
                .order_by(t.warning_messages.c.seq)
            ).scalars()
        )


def whole_cap(world: World, identifier: str) -> bytes:
    with world.platform.engine.connect() as conn:
        found: bytes = conn.execute(
            sa.select(t.warning_publications.c.cap_xml).where(
                t.warning_publications.c.identifier == identifier, t.warning_publications.c.country == ""
            )
        ).scalar_one()
    return found


def keep_only_the_parts(world: World, warning_id: uuid.UUID) -> None:
    """As if only the countries' parts had been published: the whole message's publication is gone."""
    p, d = t.warning_publications, t.warning_deliveries
    with world.platform.engine.begin() as conn:
        whole = sa.select(p.c.id).where(p.c.warning_id == warning_id, p.c.country == "")
        conn.execute(d.delete().where(d.c.publication_id.in_(whole)))
        conn.execute(p.delete().where(p.c.warning_id == warning_id, p.c.country == ""))


def feed_links(client: Client, path: str) -> tuple[etree._Element, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert validate_atom(response.content) == [], path
    root = etree.fromstring(response.content)
    return root, [link.get("href") or "" for link in root.iter(f"{ATOM}link")]


# --- never a false alarm ---------------------------------------------------------------------------------


def test_only_what_went_out_to_the_public_as_actual_is_ever_public(
    clocked_world: World, clocked_client: Client
) -> None:
    world, client = clocked_world, clocked_client
    actual = sw.issued(world)
    draft = sw.draft(world)
    approved = sw.approved(world)
    exercise = sw.issued(world, status=Status.EXERCISE)
    test = sw.issued(world, status=Status.TEST)
    part_only = sw.issued(world)
    keep_only_the_parts(world, part_only)
    hidden = (draft, approved, exercise, test, part_only)
    # The exercise and the test did go out, signed, to their (test) channels: only never to the public.
    assert whole_cap(world, identifiers(world, exercise)[0])
    assert whole_cap(world, identifiers(world, test)[0])

    listed, _ = page(client, "/public/warnings")
    assert f"/public/warnings/{actual}" in listed.text
    for warning_id in hidden:
        assert str(warning_id) not in listed.text
        assert client.get(f"/public/warnings/{warning_id}").status_code == 404
    for path in FEEDS:
        _, links = feed_links(client, path)
        assert not [link for link in links for warning_id in hidden if str(warning_id) in link], path
        for warning_id in hidden:
            for identifier in identifiers(world, warning_id):
                assert not [link for link in links if identifier in link], (path, identifier)
    for warning_id in (exercise, test, part_only):
        (identifier,) = identifiers(world, warning_id)
        assert client.get(f"/public/cap/{identifier}.xml").status_code == 404
    (identifier,) = identifiers(world, actual)
    assert client.get(f"/public/cap/{identifier}.xml").status_code == 200


def test_a_cancelled_or_expired_warning_leaves_the_list_and_its_page_says_so(
    clocked_world: World, clocked_client: Client, clock: FixedClock
) -> None:
    world, client = clocked_world, clocked_client
    cancelled = sw.issued(world)
    sw.cancel(world, cancelled)
    expiring = sw.issued(world)

    listed, _ = page(client, "/public/warnings")
    assert str(cancelled) not in listed.text
    assert str(expiring) in listed.text
    response, _ = page(client, f"/public/warnings/{cancelled}")
    assert "This warning was cancelled" in response.text
    _, links = feed_links(client, "/public/warnings.atom")
    _alert, cancel = identifiers(world, cancelled)
    assert f"{PUBLIC_URL}/public/cap/{cancel}.xml" in links  # a reader hears of the cancellation

    clock.advance(timedelta(hours=25))
    listed, _ = page(client, "/public/warnings")
    assert str(expiring) not in listed.text
    assert "No warning is in force." in listed.text
    response, _ = page(client, f"/public/warnings/{expiring}")
    assert "This warning has expired" in response.text


# --- the feeds and the CAP files -------------------------------------------------------------------------


@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_is_valid_atom_and_links_the_signed_cap_and_the_pages(
    clocked_world: World, clocked_client: Client, path: str
) -> None:
    world, client = clocked_world, clocked_client
    warning_id = sw.issued(world)
    (identifier,) = identifiers(world, warning_id)

    root, links = feed_links(client, path)

    entries = root.findall(f"{ATOM}entry")
    if path.endswith("/lb.atom"):  # the warning has no Luxembourgish text
        assert entries == []
        return
    (entry,) = entries
    cap_url = f"{PUBLIC_URL}/public/cap/{identifier}.xml"
    assert cap_url in links
    language = path.rsplit("/", 1)[1].removesuffix(".atom")
    pages = [link for link in links if f"/public/warnings/{warning_id}?lang=" in link]
    if language != "warnings":
        assert pages == [f"{PUBLIC_URL}/public/warnings/{warning_id}?lang={language}"]
        assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    else:
        assert len(pages) == len(sw.TEXTS)
    served = client.get(cap_url.removeprefix(PUBLIC_URL))
    assert served.headers["content-type"].startswith("application/cap+xml")
    assert served.content == whole_cap(world, identifier)


def test_unknown_feeds_and_cap_files_are_not_found(clocked_world: World, clocked_client: Client) -> None:
    sw.issued(clocked_world)
    for path in (
        "/public/warnings/xx.atom",
        "/public/cap/nothing.xml",
        "/public/cap/nothing",
        "/public/warnings/x",
    ):
        assert clocked_client.get(path).status_code == 404, path


# --- the public pages ------------------------------------------------------------------------------------


def test_the_public_page_carries_every_language_with_its_lang_attribute(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.issued(clocked_world)

    response, doc = page(clocked_client, f"/public/warnings/{warning_id}", params={"lang": "fr"})

    articles = [attrs.get("lang", "") for tag, attrs in doc.tags if tag == "article"]
    assert articles[0] == "fr"  # the language asked for comes first
    assert sorted(articles) == sorted(code for code, _ in sw.TEXTS)
    assert '<h1 id="headline-fr">Crue de la Meuse</h1>' in response.text
    switch = {a.get("hreflang") for a in doc.elements("a") if a.get("href", "").startswith("?lang=")}
    assert {"nl", "fr", "de", "en", "lb"} <= switch
    assert [a for a in doc.elements("a") if a.get("href", "").startswith("/public/cap/")]
    assert_strict_csp(response)
    assert doc.elements("script") == []  # the public pages need no script at all


def test_the_public_pages_need_no_sign_in_and_ignore_the_console(
    clocked_world: World, clocked_client: Client
) -> None:
    warning_id = sw.issued(clocked_world)
    _, anonymous = page(clocked_client, "/public/warnings", params={"lang": "nl"})
    assert anonymous.html_lang == "nl"
    console_sign_in(clocked_client, "be.duty")

    response, doc = page(clocked_client, "/public/warnings", params={"lang": "nl"})

    assert "Hoogwater Geul en Maas" in response.text
    assert f"/public/warnings/{warning_id}?lang=nl" in response.text
    assert not [a for a in doc.elements("a") if a.get("href") == "/incidents"]  # no console navigation
    assert Doc(response.text).meta.get("csrf-token") is None
