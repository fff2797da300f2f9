"""Test support for neighbours' CAP feeds: real feed files served by a real HTTP server, and CAP messages.

`FeedSite` serves pages from a dict on a `support_http` server, with ETags (a matching If-None-Match gets
304), and can be told to fail. The real feeds and messages are the fixtures in
tests/fixtures/standards/cap/; messages built here (`cap_message`) are valid CAP 1.2 written by the
platform's own writer, for the cases no real fixture shows (a Cancel, a polygon near the Benelux).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from crisislink.adapters.standards import cap
from tests.support_http import Recorded, Reply, ScriptedServer

CAP_FIXTURES = Path(__file__).parent / "fixtures" / "standards" / "cap"
FEEDS = CAP_FIXTURES / "feeds"
DWD = "opendata@dwd.example"
# Lat,lon (CAP's order): a square over Aachen, next to the Belgian and Dutch borders.
AACHEN = ((50.70, 6.00), (50.70, 6.20), (50.80, 6.20), (50.80, 6.00), (50.70, 6.00))
MAASTRICHT = ((50.80, 5.60), (50.80, 5.75), (50.90, 5.75), (50.90, 5.60), (50.80, 5.60))
# The MeteoAlarm feed links to its CAP messages here; the Update (2f32f9f9...) is a fixture, the Alert is not.
METEOALARM_HOST = "https://feeds.meteoalarm.org"
METEOALARM_UPDATE_PATH = "/api/v1/warnings/feeds-france/2f32f9f9-06df-48aa-b0a0-10493ea07c51"
METEOALARM_MISSING_PATH = "/api/v1/warnings/feeds-france/04d497d4-d114-4d6b-93ba-13fa7ed577fe"


def cap_message(
    identifier: str,
    sent: datetime,
    *,
    msg_type: str = "Alert",
    references: Sequence[tuple[str, datetime]] = (),
    expires: timedelta = timedelta(hours=6),
    polygon: cap.Polygon = AACHEN,
    status: str = "Actual",
    headline: str = "Sturmwarnung",
) -> bytes:
    """A valid CAP 1.2 message of DWD's (made up) sender; a Cancel carries no info, as is usual."""
    info = cap.Info(
        language="de-DE",
        categories=("Met",),
        event="Sturm",
        urgency="Immediate",
        severity="Severe",
        certainty="Likely",
        expires=sent + expires,
        headline=headline,
        areas=(cap.Area(area_desc="Städteregion Aachen", polygons=(polygon,)),),
    )
    alert = cap.Alert(
        identifier=identifier,
        sender=DWD,
        sent=sent,
        status=status,
        msg_type=msg_type,
        scope="Public",
        references=tuple(cap.Reference(DWD, ref, at) for ref, at in references),
        infos=() if msg_type == "Cancel" else (info,),
    )
    return cap.to_xml(alert)


def _without_declaration(message: bytes) -> str:
    text = message.decode("utf-8")
    return text.split("?>", 1)[1] if text.startswith("<?xml") else text


def atom_feed(
    *, embedded: Sequence[bytes] = (), linked: Sequence[str] = (), title: str = "Warnungen"
) -> bytes:
    """An Atom feed whose entries carry `embedded` CAP messages inside, or link to `linked` URLs."""
    entries = [
        f"<entry><id>urn:embedded:{i}</id><title>Warnung {i}</title><updated>2025-01-06T10:00:00Z</updated>"
        f'<content type="application/cap+xml">{_without_declaration(message)}</content></entry>'
        for i, message in enumerate(embedded)
    ]
    entries += [
        f"<entry><id>urn:linked:{i}</id><title>Verlinkt {i}</title><updated>2025-01-06T10:00:00Z</updated>"
        f'<link rel="alternate" type="application/cap+xml" href="{href}"/></entry>'
        for i, href in enumerate(linked)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>urn:test:feed</id><title>{title}</title><updated>2025-01-06T10:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def meteoalarm_feed(base_url: str) -> bytes:
    """The real MeteoAlarm legacy Atom feed (France), its links pointing at the test server."""
    return (
        (FEEDS / "meteoalarm-legacy-atom-france.xml")
        .read_bytes()
        .replace(METEOALARM_HOST.encode(), base_url.encode())
    )


class FeedSite:
    """Pages on a real server, with ETags; `failures` next requests answer `failure` (then it recovers)."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self.url = server.url
        self.pages: dict[str, bytes] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.failures = 0
        self.failure = Reply(503, b"maintenance")
        server.respond_with(self._answer)

    def put(self, path: str, body: bytes, **headers: str) -> str:
        self.pages[path] = body
        self.headers[path] = headers
        return self.url + path

    def hits(self, path: str) -> list[Recorded]:
        return [request for request in self.server.requests if request.path == path]

    def _answer(self, request: Recorded) -> Reply:
        if self.failures:
            self.failures -= 1
            return self.failure
        body = self.pages.get(request.path)
        if body is None:
            return Reply(404, b"not found")
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if request.header("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(
            200, body, {"ETag": etag, "Content-Type": "application/atom+xml", **self.headers[request.path]}
        )
