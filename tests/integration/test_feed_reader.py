"""The CAP Atom feed reader against a real local HTTP server: hostile feeds are refused without the reader
touching the network or the file system beyond the feed's own URL, and limits hold."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crisislink.adapters.feeds.reader import AtomCapFeedReader, ReaderLimits
from crisislink.domains.warnings.external_ports import FeedUnavailable
from crisislink.domains.warnings.external_values import DueFeed, FeedRead
from tests.support_feeds import CAP_FIXTURES, FEEDS, FeedSite, atom_feed, cap_message
from tests.support_http import Recorded, Reply, serving

SECRET = "s3cr3t-never-to-be-read"
START_FEED = "/feed.atom"


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with serving() as server:
        yield FeedSite(server)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def read(site: FeedSite, limits: ReaderLimits | None = None, path: str = START_FEED) -> FeedRead:
    return AtomCapFeedReader(limits).read(DueFeed(feed_id=uuid.uuid4(), url=site.url + path, etag=None))


def only_the_feed_was_asked(site: FeedSite, *allowed: str) -> None:
    assert {request.path for request in site.server.requests} <= {START_FEED, *allowed}


def test_a_feed_with_external_entities_is_refused_without_fetching_or_reading_them(
    site: FeedSite, secret_file: Path
) -> None:
    hostile = f"""<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY file SYSTEM "file://{secret_file}">
  <!ENTITY remote SYSTEM "{site.url}/payload">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&file;&remote;</title>
<entry><title>&file;</title><link type="application/cap+xml" href="{site.url}/cap"/></entry></feed>"""
    site.put(START_FEED, hostile.encode())
    with pytest.raises(FeedUnavailable, match="DOCTYPE") as refused:
        read(site)
    assert SECRET not in refused.value.message
    only_the_feed_was_asked(site)


def test_entity_expansion_in_a_feed_is_refused(site: FeedSite) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    site.put(
        START_FEED,
        f'<!DOCTYPE feed [<!ENTITY l0 "ha">{laughs}]><feed xmlns="http://www.w3.org/2005/Atom">&l9;</feed>'.encode(),
    )
    with pytest.raises(FeedUnavailable, match=r"DOCTYPE|not well-formed"):
        read(site)


def test_a_linked_cap_message_with_an_xxe_payload_is_left_out_without_fetching_its_entities(
    site: FeedSite, secret_file: Path
) -> None:
    # The real attack message (google/cap-library's xee.cap), aimed at this server and at a local file.
    hostile = (CAP_FIXTURES / "invalid/xee.cap").read_bytes()
    hostile = hostile.replace(b"http://localhost:8080", site.url.encode()).replace(
        b"/etc/passwd", str(secret_file).encode()
    )
    link = site.put("/xee.cap", hostile)
    site.put(START_FEED, atom_feed(linked=[link]))
    result = read(site)
    assert result.entries == ()
    (reason,) = result.skipped
    assert "DOCTYPE" in reason
    assert SECRET not in reason
    only_the_feed_was_asked(site, "/xee.cap")


def test_an_entry_linking_outside_http_is_left_out_unread(site: FeedSite, secret_file: Path) -> None:
    site.put(START_FEED, atom_feed(linked=[secret_file.as_uri(), "ftp://127.0.0.1/cap.xml"]))
    result = read(site)
    assert result.entries == ()
    assert len(result.skipped) == 2
    assert all("not an http(s) address" in reason for reason in result.skipped)
    assert all(SECRET not in reason for reason in result.skipped)


def test_a_redirect_away_from_http_is_not_followed(site: FeedSite, secret_file: Path) -> None:
    site.put(START_FEED, atom_feed(linked=[site.url + "/moved"]))
    original = site.server.respond_with

    def answer(request: Recorded) -> Reply:
        if request.path == "/moved":
            return Reply(302, b"", {"Location": secret_file.as_uri()})
        return site._answer(request)

    original(answer)
    result = read(site)
    assert result.entries == ()
    (reason,) = result.skipped
    assert "could not be read" in reason
    assert SECRET not in reason


def test_a_huge_feed_is_refused(site: FeedSite) -> None:
    site.put(START_FEED, b"<feed>" + b" " * (6 * 1024 * 1024) + b"</feed>")
    with pytest.raises(FeedUnavailable, match="larger than 5 MiB"):
        read(site)


def test_a_compressed_bomb_is_cut_off_after_decompression(site: FeedSite) -> None:
    bomb = gzip.compress(b"<feed>" + b" " * (64 * 1024 * 1024) + b"</feed>")
    assert len(bomb) < 100 * 1024  # small on the wire
    site.put(START_FEED, bomb, **{"Content-Encoding": "gzip"})
    with pytest.raises(FeedUnavailable, match="larger than 5 MiB"):
        read(site)


def test_a_huge_linked_message_is_left_out(site: FeedSite) -> None:
    link = site.put("/big.cap", b"<alert>" + b" " * (3 * 1024 * 1024) + b"</alert>")
    site.put(START_FEED, atom_feed(linked=[link]))
    (reason,) = read(site).skipped
    assert "larger than 2 MiB" in reason


def test_a_slow_server_times_out(site: FeedSite) -> None:
    site.server.script(Reply(200, atom_feed(), delay=2.0))
    with pytest.raises(FeedUnavailable, match="Timeout"):
        read(site, ReaderLimits(timeout_seconds=0.3))


def test_what_the_time_budget_leaves_is_fetched_next_time(site: FeedSite) -> None:
    link = site.put("/de1.cap", cap_message("DE-1", datetime.now(UTC)))
    site.put(START_FEED, atom_feed(linked=[link]))
    result = read(site, ReaderLimits(budget_seconds=-1))
    assert result.entries == ()
    assert result.skipped == ("Verlinkt 0: not fetched in this poll's time; fetched at the next one",)
    only_the_feed_was_asked(site)


def test_rss_is_not_atom(site: FeedSite) -> None:
    site.put(START_FEED, b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')
    with pytest.raises(FeedUnavailable, match="not an Atom feed"):
        read(site)


@pytest.mark.parametrize("fixture", ["amber.atom", "weather.atom"])
def test_the_real_feeds_with_messages_inside_are_read(site: FeedSite, fixture: str) -> None:
    # The MeteoAlarm fixture links to feeds.meteoalarm.org: it is read (links rewritten) in test_external_feeds.
    site.put(START_FEED, (FEEDS / fixture).read_bytes())
    result = read(site)
    assert result.etag is not None
    assert result.skipped == ()
    (entry,) = result.entries
    assert entry.status == "Actual"
    assert entry.raw.startswith(b"<?xml")
